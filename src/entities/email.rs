//! The `emails` table: the mail outbox, one row per message and recipient.
use sea_orm::entity::prelude::*;

use crate::ids::{EmailId, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emails")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: EmailId,
    /// The event and the recipient: one message each, however often either is retried.
    #[sea_orm(unique)]
    pub dedupe_key: String,
    /// Which message ([`crate::domain::mail::MessageKind`]).
    pub kind: String,
    pub recipient_id: Option<UserId>,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: TimeDateTimeWithTimeZone,
    /// While a worker holds the row; after this another may take it.
    pub claimed_until: Option<TimeDateTimeWithTimeZone>,
    pub last_error: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub sent_at: Option<TimeDateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
