//! Who is told what: the mail worker reads requests' timelines (every step of every request
//! is a line there, written in the step's transaction) after a mark it keeps, and writes the
//! messages each line calls for into the mail outbox. A line read twice (two instances, a
//! crash before the mark moved) writes nothing twice: each message's key is the line and the
//! recipient.
use askama::Template;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use time::OffsetDateTime;

use super::mail::{NewEmail, enqueue};
use crate::clock::Clock;
use crate::db::write_txn;
use crate::domain::lifecycle::RequestType;
use crate::domain::mail::MessageKind;
use crate::entities::{assignment_request, request_event, system_state, user};
use crate::ids::{RequestEventId, UserId};

const MARK: &str = "mail_timeline_mark";
/// Lines younger than this wait for the next pass: a transaction that wrote a line with a
/// smaller id may not have committed yet.
const SETTLE: time::Duration = time::Duration::seconds(5);
const BATCH: u64 = 200;

#[derive(Template)]
#[template(path = "email/notice.txt")]
struct NoticeText<'a> {
    name: &'a str,
    lines: &'a [String],
    action: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/notice.html")]
struct NoticeHtml<'a> {
    subject: &'a str,
    name: &'a str,
    lines: &'a [String],
    action: &'a str,
    link: &'a str,
}

/// One message, before it is rendered.
struct Notice {
    kind: MessageKind,
    /// A message the person may turn off (My Access → Settings).
    optional: bool,
    to: UserId,
    subject: String,
    lines: Vec<String>,
    action: &'static str,
    path: String,
    /// The message's own key, when one event may be written more than once (a delivery that
    /// fails in several systems is told once); by default the timeline line and recipient.
    key: Option<String>,
}

/// One pass: the messages the timelines call for, then the expiry warnings; how many
/// timeline lines and ending assignments were read.
pub async fn run_pass(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    public_url: &str,
) -> Result<usize, sea_orm::DbErr> {
    let mut read = timeline_pass(db, clock, public_url).await?;
    read += reminder_pass(db, clock, public_url).await?;
    for window in WARNINGS {
        read += expiry_pass(db, clock, public_url, window).await?;
    }
    Ok(read)
}

/// Writes the messages for the timeline lines since the mark; how many lines were read.
/// The first pass ever only sets the mark: history from before email was on is not mailed.
async fn timeline_pass(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    public_url: &str,
) -> Result<usize, sea_orm::DbErr> {
    let now = clock.now();
    let mark = system_state::Entity::find_by_id(MARK.to_owned())
        .one(db)
        .await?
        .and_then(|row| row.value.parse::<RequestEventId>().ok());
    let Some(mark) = mark else {
        let newest: Option<RequestEventId> = request_event::Entity::find()
            .select_only()
            .column(request_event::Column::Id)
            .order_by_desc(request_event::Column::Id)
            .limit(1)
            .into_tuple()
            .one(db)
            .await?;
        set_mark(db, now, newest.unwrap_or(RequestEventId(uuid::Uuid::nil()))).await?;
        return Ok(0);
    };
    let lines = request_event::Entity::find()
        .filter(request_event::Column::Id.gt(mark))
        .filter(request_event::Column::OccurredAt.lte(now - SETTLE))
        .order_by_asc(request_event::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let Some(last) = lines.last().map(|l| l.id) else {
        return Ok(0);
    };
    let base = public_url.trim_end_matches('/');
    let txn = write_txn(db).await?;
    let mut messages = Vec::new();
    for line in &lines {
        for notice in notices(&txn, line).await? {
            let key = notice
                .key
                .clone()
                .unwrap_or_else(|| format!("{}:{}", line.id, notice.to));
            if let Some(message) = render(&txn, base, notice, key).await? {
                messages.push(message);
            }
        }
    }
    enqueue(&txn, now, messages).await?;
    set_mark(&txn, now, last).await?;
    txn.commit().await?;
    Ok(lines.len())
}

/// The message for `notice`, when its recipient is there and has an address.
async fn render(
    db: &impl ConnectionTrait,
    base: &str,
    notice: Notice,
    key: String,
) -> Result<Option<NewEmail>, sea_orm::DbErr> {
    let Some(person) = user::Entity::find_by_id(notice.to)
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if notice.optional && !person.optional_email {
        return Ok(None);
    }
    let Some(address) = person.email.clone() else {
        return Ok(None);
    };
    let link = format!("{base}{}", notice.path);
    let text = NoticeText {
        name: &person.display_name,
        lines: &notice.lines,
        action: notice.action,
        link: &link,
    }
    .render();
    let html = NoticeHtml {
        subject: &notice.subject,
        name: &person.display_name,
        lines: &notice.lines,
        action: notice.action,
        link: &link,
    }
    .render();
    let (Ok(text), Ok(html)) = (text, html) else {
        tracing::error!(%key, "an email could not be rendered");
        return Ok(None);
    };
    Ok(Some(NewEmail {
        dedupe_key: key,
        kind: notice.kind,
        recipient_id: Some(person.id),
        recipient: address,
        subject: notice.subject,
        text,
        html,
    }))
}

/// The warnings before access ends: how long before, and the words.
#[derive(Clone, Copy)]
struct Warning {
    days: i64,
    within: &'static str,
}

const WARNINGS: [Warning; 2] = [
    Warning {
        days: 14,
        within: "within 14 days",
    },
    Warning {
        days: 1,
        within: "within a day",
    },
];

/// Warns the people whose delivered access ends within the window and who were not warned
/// for it yet: the window's mark is the latest end already warned about.
async fn expiry_pass(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    public_url: &str,
    window: Warning,
) -> Result<usize, sea_orm::DbErr> {
    use crate::entities::assignment;
    let now = clock.now();
    let key = format!("mail_expiry_mark_{}", window.days);
    let mark = read_mark(db, &key)
        .await?
        .unwrap_or((now, uuid::Uuid::nil()));
    let horizon = now + time::Duration::days(window.days);
    if horizon <= mark.0 {
        return Ok(0);
    }
    // In (end, id) order after the mark: a batch that stops among equal ends goes on from
    // the same end next time.
    let ending = assignment::Entity::find()
        .filter(crate::store::literally(
            assignment::Column::State,
            "delivered",
        ))
        .filter(crate::store::after_key(
            [assignment::Column::EndAt, assignment::Column::Id],
            [mark.0.into(), mark.1.into()],
            true,
        ))
        .filter(assignment::Column::EndAt.lte(horizon))
        .order_by_asc(assignment::Column::EndAt)
        .order_by_asc(assignment::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    if ending.is_empty() {
        // Nothing to say, and no need to write: the mark only saves reading again (each
        // message's key keeps it from being written twice).
        return Ok(0);
    }
    // A full batch: the next pass goes on from its last row.
    let next = match ending.last() {
        Some(last) if ending.len() as u64 == BATCH => (last.end_at.unwrap_or(horizon), last.id.0),
        _ => (horizon, uuid::Uuid::max()),
    };
    let base = public_url.trim_end_matches('/');
    let txn = write_txn(db).await?;
    let mut messages = Vec::new();
    for row in &ending {
        let Some(end) = row.end_at else { continue };
        let policy = super::requests::policy_of(&txn, row.access_package_id, row.policy_id).await?;
        if policy.as_ref().is_some_and(|p| !p.spec.email) {
            continue;
        }
        let extend = policy.is_some_and(|p| p.spec.extend);
        let package = super::requests::package_name(&txn, row.access_package_id).await?;
        let day = end
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .unwrap_or_default();
        let (next_step, action, path) = if extend {
            (
                "If you still need it, extend it in My Access before then.",
                "Extend",
                format!("/myaccess/access/{}/extend", row.id),
            )
        } else {
            (
                "If you still need it, request it again in My Access before then.",
                "View my access",
                "/myaccess/access".to_owned(),
            )
        };
        let notice = Notice {
            kind: MessageKind::AccessEnding,
            optional: true,
            to: row.target_id,
            subject: format!("Access ends {}: {package}", window.within),
            lines: vec![
                format!("Your access to {package} ends on {day}."),
                next_step.to_owned(),
            ],
            action,
            path,
            key: None,
        };
        // An extended assignment is warned again before its new end.
        let dedupe = format!(
            "expiry{}:{}:{}:{}",
            window.days,
            row.id,
            row.target_id,
            end.unix_timestamp()
        );
        if let Some(message) = render(&txn, base, notice, dedupe).await? {
            messages.push(message);
        }
    }
    enqueue(&txn, now, messages).await?;
    put_state(&txn, now, &key, write_mark(next)).await?;
    txn.commit().await?;
    Ok(ending.len())
}

/// A mark of a pass that reads rows in (time, id) order: the last it read, as
/// `<RFC 3339> <id>` (a time alone, as written before, counts as that time's start).
async fn read_mark(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<(OffsetDateTime, uuid::Uuid)>, sea_orm::DbErr> {
    let format = &time::format_description::well_known::Rfc3339;
    Ok(system_state::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .and_then(|row| {
            let (at, id) = row.value.split_once(' ').unwrap_or((&row.value, ""));
            let at = OffsetDateTime::parse(at, format).ok()?;
            Some((at, id.parse().unwrap_or(uuid::Uuid::nil())))
        }))
}

fn write_mark((at, id): (OffsetDateTime, uuid::Uuid)) -> String {
    let format = &time::format_description::well_known::Rfc3339;
    format!("{} {id}", at.format(format).unwrap_or_default())
}

async fn set_mark(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    mark: RequestEventId,
) -> Result<(), sea_orm::DbErr> {
    put_state(db, now, MARK, mark.to_string()).await
}

/// Writes a named value, as one statement (two instances writing it at once both succeed;
/// the marks only save reading again, so the later write winning is fine).
async fn put_state(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
    key: &str,
    value: String,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::sea_query::OnConflict;
    system_state::Entity::insert(system_state::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(system_state::Column::Key)
            .update_columns([system_state::Column::Value, system_state::Column::UpdatedAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The messages one timeline line calls for.
async fn notices(
    db: &impl ConnectionTrait,
    line: &request_event::Model,
) -> Result<Vec<Notice>, sea_orm::DbErr> {
    let Some(request) = assignment_request::Entity::find_by_id(line.request_id)
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let policy =
        super::requests::policy_of(db, request.access_package_id, request.policy_id).await?;
    if policy.as_ref().is_some_and(|p| !p.spec.email) {
        return Ok(Vec::new());
    }
    let package = super::requests::package_name(db, request.access_package_id).await?;
    let mine = format!("/myaccess/request-history/{}", request.id);
    let to = request.target_id;
    let told = |kind, subject: String, lines: Vec<String>, action, path: String| Notice {
        kind,
        optional: false,
        to,
        subject,
        lines,
        action,
        path,
        key: None,
    };
    let said = line.description.clone();
    let extension = request.request_type == RequestType::UserExtend.as_str();
    // What the person asked for, in the subject and the first line.
    let (asked, your_request) = if extension {
        ("Extension", format!("Your request to extend {package}"))
    } else {
        ("Request", format!("Your request for {package}"))
    };
    let notices = match line.kind.as_str() {
        // Their own request: an administrator's direct assignment is told when delivered.
        "submitted"
            if request.request_type == RequestType::UserAdd.as_str() || extension =>
        {
            let mut all = vec![told(
                MessageKind::RequestSubmitted,
                format!("{asked} submitted: {package}"),
                vec![format!("{your_request} was submitted."), said],
                "View request",
                mine,
            )];
            let waiting = request.state == "pendingApproval" || request.state == "submitted";
            if let Some(policy) = policy.filter(|_| waiting) {
                all.extend(approver_notices(db, &request, &policy.spec.approvers, &package, None).await?);
            }
            all
        }
        "approved" => vec![told(
            MessageKind::RequestApproved,
            format!("{asked} approved: {package}"),
            vec![format!("{your_request} was approved."), said],
            "View request",
            mine,
        )],
        "denied" => vec![told(
            MessageKind::RequestDenied,
            format!("{asked} denied: {package}"),
            vec![format!("{your_request} was denied."), said],
            "View request",
            mine,
        )],
        "timedOut" => vec![told(
            MessageKind::RequestTimedOut,
            format!("{asked} expired: {package}"),
            vec![format!(
                "Nobody decided on {} in time, so it expired. You can request it again.",
                your_request.replacen("Your", "your", 1)
            )],
            "View request",
            mine,
        )],
        // Someone else (an administrator, or a direct assignment) canceled it; one's own
        // cancel needs no email, nor an extension settled by what is mailed anyway (the
        // access removed, or extended by an administrator).
        "canceled"
            if (request.requestor_id != Some(to) || !said.starts_with("Canceled by"))
                && !(extension
                    && (said.starts_with(super::requests::CANCELED_BY_REMOVAL)
                        || said.starts_with(super::requests::CANCELED_BY_ADMIN_EXTENSION))) =>
        {
            vec![told(
                MessageKind::RequestCanceled,
                format!("{asked} canceled: {package}"),
                vec![format!("{your_request} was canceled."), said],
                "View request",
                mine,
            )]
        }
        "delivered" => vec![told(
            MessageKind::AccessDelivered,
            format!("Access delivered: {package}"),
            vec![format!("You now have {package}."), said],
            "View my access",
            "/myaccess/access".to_owned(),
        )],
        "extended" => vec![told(
            MessageKind::AccessExtended,
            format!("Access extended: {package}"),
            vec![format!("You keep {package} for longer."), said],
            "View my access",
            "/myaccess/access".to_owned(),
        )],
        // Told once per request, however many systems failed.
        "deliveryFailed" => vec![Notice {
            key: Some(format!("deliveryFailed:{}:{to}", request.id)),
            ..told(
                MessageKind::DeliveryFailed,
                format!("Access not delivered yet: {package}"),
                vec![
                    format!("{package} was approved, but a connected system could not grant it."),
                    "Your administrators can see the error and retry; you don't need to request it again.".to_owned(),
                ],
                "View my access",
                "/myaccess/access".to_owned(),
            )
        }],
        // A removal is a line on the removal request and on the request it ends: told once,
        // from the removal, and not when the person removed their own access.
        "removed"
            if matches!(
                request.request_type.as_str(),
                "adminRemove" | "systemRemove"
            ) =>
        {
            vec![told(
                MessageKind::AccessRemoved,
                format!("Access removed: {package}"),
                vec![format!("Your access to {package} was removed."), said],
                "View my access",
                "/myaccess/access".to_owned(),
            )]
        }
        "expired" if request.request_type == "systemRemove" => vec![told(
            MessageKind::AccessEnded,
            format!("Access ended: {package}"),
            vec![format!("Your access to {package} has ended."), said],
            "Request it again",
            "/myaccess/access-packages".to_owned(),
        )],
        _ => Vec::new(),
    };
    Ok(notices)
}

/// The messages to a request's approvers (never to the person it is for): that it waits,
/// or (`reminder`, with the days it has waited) that it still does.
async fn approver_notices(
    db: &impl ConnectionTrait,
    request: &assignment_request::Model,
    approvers: &[UserId],
    package: &str,
    reminder: Option<i64>,
) -> Result<Vec<Notice>, sea_orm::DbErr> {
    let target = user::Entity::find_by_id(request.target_id)
        .one(db)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let justification = if request.justification.trim().is_empty() {
        "No justification was given.".to_owned()
    } else {
        format!("Justification: “{}”", request.justification.trim())
    };
    let wants = if request.request_type == RequestType::UserExtend.as_str() {
        format!("asks to extend {package}")
    } else {
        format!("requests {package}")
    };
    let until = request
        .decide_by
        .map(|by| format!("If nobody decides by {}, the request expires.", by.date()));
    let notices = approvers
        .iter()
        .filter(|a| **a != request.target_id)
        .map(|approver| {
            let (kind, subject, first) = match reminder {
                None => (
                    MessageKind::ApprovalWaiting,
                    format!("Approve or deny: {target} {wants}"),
                    format!("{target} {wants}, and you are an approver."),
                ),
                Some(days) => (
                    MessageKind::ApprovalReminder,
                    format!("Reminder: approve or deny: {target} {wants}"),
                    format!(
                        "{target} {wants}, and the request has waited {} for a decision. You are an approver.",
                        if days == 1 { "a day".to_owned() } else { format!("{days} days") }
                    ),
                ),
            };
            let mut lines = vec![first, justification.clone()];
            lines.extend(until.clone().filter(|_| reminder.is_some()));
            Notice {
                kind,
                optional: reminder.is_some(),
                to: *approver,
                subject,
                lines,
                action: "Approve or deny",
                path: format!("/myaccess/approvals/{}", request.id),
                key: reminder.map(|_| format!("remind:{}:{approver}", request.id)),
            }
        })
        .collect();
    Ok(notices)
}

const REMINDER_MARK: &str = "mail_reminder_mark";

/// Reminds the approvers of requests still pending at their reminder time. The mark is the
/// latest reminder time handled; the first pass ever only sets it.
async fn reminder_pass(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    public_url: &str,
) -> Result<usize, sea_orm::DbErr> {
    let now = clock.now();
    let Some(mark) = read_mark(db, REMINDER_MARK).await? else {
        put_state(db, now, REMINDER_MARK, write_mark((now, uuid::Uuid::max()))).await?;
        return Ok(0);
    };
    let due = assignment_request::Entity::find()
        .filter(crate::store::literally(
            assignment_request::Column::State,
            "pendingApproval",
        ))
        .filter(crate::store::after_key(
            [
                assignment_request::Column::RemindAt,
                assignment_request::Column::Id,
            ],
            [mark.0.into(), mark.1.into()],
            true,
        ))
        .filter(assignment_request::Column::RemindAt.lte(now))
        .order_by_asc(assignment_request::Column::RemindAt)
        .order_by_asc(assignment_request::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let next = match due.last() {
        Some(last) if due.len() as u64 == BATCH => (last.remind_at.unwrap_or(now), last.id.0),
        _ => (now, uuid::Uuid::max()),
    };
    let base = public_url.trim_end_matches('/');
    let txn = write_txn(db).await?;
    let mut messages = Vec::new();
    for request in &due {
        let Some(policy) =
            super::requests::policy_of(&txn, request.access_package_id, request.policy_id).await?
        else {
            continue;
        };
        if !policy.spec.email {
            continue;
        }
        let package = super::requests::package_name(&txn, request.access_package_id).await?;
        let days = (now - request.created_at).whole_days().max(1);
        for notice in
            approver_notices(&txn, request, &policy.spec.approvers, &package, Some(days)).await?
        {
            let key = notice.key.clone().unwrap_or_default();
            if let Some(message) = render(&txn, base, notice, key).await? {
                messages.push(message);
            }
        }
    }
    enqueue(&txn, now, messages).await?;
    put_state(&txn, now, REMINDER_MARK, write_mark(next)).await?;
    txn.commit().await?;
    Ok(due.len())
}
