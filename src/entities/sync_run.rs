//! The `sync_runs` table: imports from a directory and drift checks, queued, running (with
//! their progress) and finished (with their summary).
use sea_orm::entity::prelude::*;

use crate::ids::{ConnectedSystemId, SyncRunId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SyncRunId,
    pub connected_system_id: ConnectedSystemId,
    /// `import` or `drift`.
    pub kind: String,
    /// A full import reads every entry (and finds those gone); otherwise only those changed
    /// since the last run.
    pub full: bool,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub state: String,
    /// What a running import is doing, in words.
    pub phase: String,
    pub total: i64,
    pub done: i64,
    pub created: i64,
    pub updated: i64,
    pub disabled: i64,
    pub unchanged: i64,
    pub errors: i64,
    /// A JSON array of the first errors, each naming its entry.
    pub error_lines: String,
    /// Why a run failed as a whole.
    pub message: Option<String>,
    /// The latest `modifyTimestamp` seen of people and of groups (`people;groups`): the next
    /// incremental run reads each from there.
    pub high_water: Option<String>,
    pub requested_by: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub started_at: Option<TimeDateTimeWithTimeZone>,
    pub finished_at: Option<TimeDateTimeWithTimeZone>,
    /// A running run's claim; once it runs out, another instance may take the run over.
    pub lease_until: Option<TimeDateTimeWithTimeZone>,
    /// The claim a worker holds: a run taken over by another instance no longer matches it,
    /// and the first one stops.
    pub claimed_by: Option<Uuid>,
    /// For a scheduled run, the run it follows (nil for the first): unique, so a run is
    /// scheduled once however many instances find it due.
    pub follows: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
