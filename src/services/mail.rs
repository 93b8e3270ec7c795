//! Email from the mail outbox: messages are written (rendered, one row per recipient, unique
//! per event and recipient) in the transaction of what they tell, and sent by the mail
//! worker, which claims each row before sending so that many instances send it once.
use askama::Template;
use sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use time::OffsetDateTime;

use super::audit::{self, Event};
use super::error::{ServiceError, ServiceResult};
use crate::clock::Clock;
use crate::connectors::smtp::{Mailer, Outgoing};
use crate::db::write_txn;
use crate::domain::audit as action;
use crate::domain::authz::{Action, authorize};
use crate::domain::mail::{MailState, MessageKind};
use crate::domain::page::{Cursor, KeysetPage, TimeKey};
use crate::domain::principal::Principal;
use crate::domain::user::Email;
use crate::entities::email;
use crate::ids::{EmailId, UserId};

/// How many messages a worker takes at a time, and how long it holds them.
const BATCH: u64 = 20;
const LEASE: time::Duration = time::Duration::minutes(2);

/// A message to write to the outbox.
pub struct NewEmail {
    /// The event and the recipient: the same pair is written once.
    pub dedupe_key: String,
    pub kind: MessageKind,
    pub recipient_id: Option<UserId>,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Writes `messages` in the caller's transaction; one already written is left as it is.
pub(crate) async fn enqueue(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    messages: Vec<NewEmail>,
) -> Result<(), sea_orm::DbErr> {
    if messages.is_empty() {
        return Ok(());
    }
    let rows: Vec<email::ActiveModel> = messages
        .into_iter()
        .map(|m| email::ActiveModel {
            id: Set(EmailId::new()),
            dedupe_key: Set(m.dedupe_key),
            kind: Set(m.kind.as_str().to_owned()),
            recipient_id: Set(m.recipient_id),
            recipient: Set(m.recipient),
            subject: Set(m.subject),
            text_body: Set(m.text),
            html_body: Set(m.html),
            state: Set(MailState::Pending.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            claimed_until: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            sent_at: Set(None),
        })
        .collect();
    // 500 rows of 15 columns stay under SQLite's and PostgreSQL's limits on parameters.
    for chunk in rows.chunks(500) {
        email::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(email::Column::DedupeKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "email/test.txt")]
struct TestText<'a> {
    name: &'a str,
    sender: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/test.html")]
struct TestHtml<'a> {
    subject: &'a str,
    name: &'a str,
    sender: &'a str,
    link: &'a str,
}

fn rendered(result: askama::Result<String>) -> ServiceResult<String> {
    result
        .map_err(|e| ServiceError::Unexpected(anyhow::Error::new(e).context("rendering an email")))
}

/// `Send test email`: a message to `to` through the outbox, as every notification goes.
#[tracing::instrument(skip_all, fields(principal = %principal.name))]
pub async fn send_test(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    public_url: &str,
    to: &str,
) -> ServiceResult<String> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let to = Email::parse(to)
        .map_err(|e| ServiceError::invalid("to", e))?
        .into_inner()
        .ok_or_else(|| ServiceError::field("to", "required", "Enter the address to send to."))?;
    let subject = "Test email from Gatehouse";
    let link = format!("{}/admin/notifications", public_url.trim_end_matches('/'));
    let text = rendered(
        TestText {
            name: &to,
            sender: &principal.display_name,
            link: &link,
        }
        .render(),
    )?;
    let html = rendered(
        TestHtml {
            subject,
            name: &to,
            sender: &principal.display_name,
            link: &link,
        }
        .render(),
    )?;
    let now = clock.now();
    let txn = write_txn(db).await?;
    enqueue(
        &txn,
        now,
        vec![NewEmail {
            dedupe_key: format!("test:{}", EmailId::new()),
            kind: MessageKind::Test,
            recipient_id: None,
            recipient: to.clone(),
            subject: subject.to_owned(),
            text,
            html,
        }],
    )
    .await?;
    let event = Event {
        action: action::SEND_TEST_EMAIL,
        target_type: action::TARGET_EMAIL,
        target_id: None,
        target_name: &to,
        detail: json!({ "recipient": to }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok(to)
}

/// The messages, newest first, a page at a time, for the `Sent email` list.
pub async fn sent_page(
    db: &DatabaseConnection,
    principal: &Principal,
    cursor: Cursor<TimeKey>,
    per_page: usize,
) -> ServiceResult<KeysetPage<email::Model>> {
    authorize(principal, Action::ManageConnectedSystems)?;
    let rows = crate::store::keyset_by_time(
        email::Entity::find(),
        email::Column::CreatedAt,
        email::Column::Id,
        &cursor,
        true,
    )
    .limit(per_page as u64 + 1)
    .all(db)
    .await?;
    Ok(KeysetPage::from_rows(rows, cursor, per_page, |r| TimeKey {
        at: r.created_at,
        id: r.id.0,
    }))
}

/// What a pass of the mail worker did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MailReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Sends what is due, batch after batch, until nothing is.
pub async fn run_pass(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    mailer: &Mailer,
) -> Result<MailReport, sea_orm::DbErr> {
    let mut report = MailReport::default();
    loop {
        let now = clock.now();
        let txn = write_txn(db).await?;
        let due = email::Entity::find()
            .filter(crate::store::literally(
                email::Column::State,
                MailState::Pending.as_str(),
            ))
            .filter(email::Column::NextAttemptAt.lte(now))
            .filter(
                Condition::any()
                    .add(email::Column::ClaimedUntil.is_null())
                    .add(email::Column::ClaimedUntil.lt(now)),
            )
            .order_by_asc(email::Column::NextAttemptAt)
            .limit(BATCH)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        if !due.is_empty() {
            email::Entity::update_many()
                .col_expr(email::Column::ClaimedUntil, Expr::value(Some(now + LEASE)))
                .filter(email::Column::Id.is_in(due.iter().map(|r| r.id)))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        let claimed = due.len();
        for row in due {
            let sent = mailer
                .send(Outgoing {
                    to: &row.recipient,
                    subject: &row.subject,
                    text: &row.text_body,
                    html: &row.html_body,
                })
                .await;
            let attempts = row.attempts + 1;
            let mut update = email::Entity::update_many()
                .col_expr(email::Column::Attempts, Expr::value(attempts))
                .col_expr(
                    email::Column::ClaimedUntil,
                    Expr::value(Option::<OffsetDateTime>::None),
                );
            let done = clock.now();
            update = match sent {
                Ok(()) => {
                    report.sent += 1;
                    update
                        .col_expr(email::Column::State, Expr::value(MailState::Sent.as_str()))
                        .col_expr(email::Column::SentAt, Expr::value(Some(done)))
                        .col_expr(
                            email::Column::LastError,
                            Expr::value(Option::<String>::None),
                        )
                }
                Err(error) => {
                    tracing::warn!(email = %row.id, %error, "an email could not be sent");
                    let jitter = f64::from(uuid::Uuid::now_v7().as_bytes()[15]) / 255.0;
                    match crate::domain::outbox::retry_after(attempts, jitter) {
                        Some(wait) => {
                            report.retrying += 1;
                            update
                                .col_expr(email::Column::NextAttemptAt, Expr::value(done + wait))
                                .col_expr(email::Column::LastError, Expr::value(Some(error)))
                        }
                        None => {
                            report.failed += 1;
                            update
                                .col_expr(
                                    email::Column::State,
                                    Expr::value(MailState::Failed.as_str()),
                                )
                                .col_expr(email::Column::LastError, Expr::value(Some(error)))
                        }
                    }
                }
            };
            let txn = write_txn(db).await?;
            update
                .filter(email::Column::Id.eq(row.id))
                .exec(&txn)
                .await?;
            txn.commit().await?;
        }
        if claimed < BATCH as usize {
            return Ok(report);
        }
    }
}

/// The person's own choice of optional emails (warnings before access ends, reminders).
pub async fn optional_email(db: &DatabaseConnection, principal: &Principal) -> ServiceResult<bool> {
    let me = principal.user_id.ok_or(ServiceError::NotFound)?;
    let row = crate::entities::user::Entity::find_by_id(me)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(row.optional_email)
}

/// My Access → Settings: turns the optional emails on or off for oneself, audited.
pub async fn set_optional_email(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    principal: &Principal,
    on: bool,
) -> ServiceResult<bool> {
    use crate::entities::user;
    use sea_orm::ActiveModelTrait;
    let me = principal.user_id.ok_or(ServiceError::NotFound)?;
    let txn = write_txn(db).await?;
    let row = user::Entity::find_by_id(me)
        .filter(user::Column::DeletedAt.is_null())
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let name = row.user_principal_name.clone();
    let now = clock.now();
    let mut changed: user::ActiveModel = row.into();
    changed.optional_email = Set(on);
    changed.update(&txn).await?;
    let event = Event {
        action: action::UPDATE_EMAIL_SETTINGS,
        target_type: action::TARGET_USER,
        target_id: Some(me.to_string()),
        target_name: &name,
        detail: json!({ "optionalEmail": on }),
    };
    audit::record(&txn, now, principal, event).await?;
    txn.commit().await?;
    Ok(on)
}
