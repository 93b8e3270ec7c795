//! `Notifications` (Global administrators): whether and how Gatehouse sends email, `Send
//! test email`, and the messages that went out (`Sent email`).
use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::GlobalAdmin;
use crate::auth::session::FlashKind;
use crate::domain::mail::{MailState, MessageKind};
use crate::domain::page::{Cursor, KeysetPage, TimeKey};
use crate::entities::email;
use crate::services::mail;
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::filters;
use crate::web::form::FormErrors;
use crate::web::{CursorQuery, PER_PAGE, RouteDef, get, html, layout::Chrome, post, see_other};

pub fn routes() -> Vec<RouteDef> {
    vec![
        get("/admin/notifications", show),
        post("/admin/notifications/test", send_test),
    ]
}

const ACTIVE: &str = "notifications";

#[derive(Template)]
#[template(path = "admin/notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    /// The SMTP server without its password, and the sender; `None` when email is off.
    server: Option<(String, String)>,
    to: String,
    errors: FormErrors,
    sent: KeysetPage<email::Model>,
}

impl NotificationsPage {
    fn state(&self, row: &email::Model) -> &'static str {
        MailState::label(&row.state)
    }

    fn kind(&self, row: &email::Model) -> &'static str {
        MessageKind::label(&row.kind)
    }
}

#[derive(Deserialize)]
pub struct TestForm {
    #[serde(default)]
    to: String,
}

async fn render(
    state: &AppState,
    admin: &GlobalAdmin,
    status: StatusCode,
    to: String,
    errors: FormErrors,
    cursor: Cursor<TimeKey>,
) -> AppResult<HttpResponse> {
    let sent = mail::sent_page(&state.db, admin.principal(), cursor, PER_PAGE).await?;
    let page = NotificationsPage {
        chrome: Chrome::admin(admin.current(), ACTIVE)?,
        server: state
            .config
            .mail
            .as_ref()
            .map(|m| (m.server(), m.from.clone())),
        to,
        errors,
        sent,
    };
    html(status, &page)
}

pub async fn show(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    query: web::Query<CursorQuery>,
) -> AppResult<HttpResponse> {
    let to = admin.current().user.email.clone().unwrap_or_default();
    render(
        &state,
        &admin,
        StatusCode::OK,
        to,
        FormErrors::default(),
        query.cursor(),
    )
    .await
}

/// `Send test email`: written to the outbox like any notification; the list below shows it
/// go (or why it did not).
pub async fn send_test(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    form: CsrfForm<TestForm>,
) -> AppResult<HttpResponse> {
    let to = form.0.to;
    if state.config.mail.is_none() {
        let mut errors = FormErrors::default();
        errors.add(
            "to",
            "Email is off: set GATEHOUSE_SMTP_URL and GATEHOUSE_MAIL_FROM and restart Gatehouse.",
        );
        return render(
            &state,
            &admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            to,
            errors,
            Cursor::First,
        )
        .await;
    }
    match mail::send_test(
        &state.db,
        state.clock.as_ref(),
        admin.principal(),
        &state.config.public_url,
        &to,
    )
    .await
    {
        Ok(to) => {
            admin.current().session.flash(
                FlashKind::Success,
                format!("Test email to {to} is on its way. Its status shows below."),
            );
            Ok(see_other("/admin/notifications"))
        }
        Err(err) => {
            let mut errors = FormErrors::default();
            errors.place(err, "to")?;
            render(
                &state,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                to,
                errors,
                Cursor::First,
            )
            .await
        }
    }
}
