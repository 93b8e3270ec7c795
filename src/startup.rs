//! Builds the server: database, session key, middleware and the route table.
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use actix_session::{SessionMiddleware, config::BrowserSession, storage::CookieSessionStore};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web as aweb};
use anyhow::{Context, anyhow};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use tracing_actix_web::TracingLogger;

use crate::auth::extract::CurrentUser;
use crate::clock::SharedClock;
use crate::config::{self, Config};
use crate::entities::system_state;
use crate::services::password::{self, new_token};
use crate::services::{catalogs, setup};
use crate::state::AppState;
use crate::web::error::AppError;
use crate::{db, web};

/// A server bound to its port, ready to run.
pub struct Application {
    pub server: Server,
    pub port: u16,
    /// The first-administrator link's token, when the directory was empty at start.
    pub setup_token: Option<String>,
    pub db: DatabaseConnection,
    /// Seals and opens connected systems' secrets (the outbox worker needs it).
    pub secrets: crate::secrets::SecretBox,
}

/// Form bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub async fn build(mut config: Config, clock: SharedClock) -> anyhow::Result<Application> {
    let db = db::connect(&config.database).await?;
    db::migrate(&db).await?;
    catalogs::ensure_default(&db, clock.as_ref()).await?;
    crate::store::drafts::delete_stale(&db, clock.now() - time::Duration::days(7)).await?;
    let key_bytes = session_key(&config, &db).await?;
    let key = Key::try_from(key_bytes.as_slice()).map_err(|e| anyhow!("session key: {e}"))?;
    let secrets = crate::secrets::SecretBox::derive(&key_bytes);
    let setup_token = if setup::is_open(&db).await? {
        Some(new_token())
    } else {
        None
    };
    password::warm_up().await;

    let listener =
        TcpListener::bind(config.bind).with_context(|| format!("listening on {}", config.bind))?;
    let port = listener.local_addr()?.port();
    // Port 0 asks the system for a free port (tests do): links must name the real one.
    if let Some(base) = config.public_url.strip_suffix(":0") {
        config.public_url = format!("{base}:{port}");
    }
    let public_url = config.public_url.clone();
    tracing::info!(address = %listener.local_addr()?, %public_url, "Gatehouse is listening");
    if let Some(token) = &setup_token {
        println!(
            "\nGatehouse has no users yet. Create the first Global administrator here (this link works once):\n\n    {public_url}/setup?token={token}\n"
        );
    }

    let https = config.served_over_https();
    let oidc = config
        .oidc
        .clone()
        .map(|oidc| Arc::new(crate::auth::oidc::OidcSignIn::new(oidc, &config.public_url)));
    let state = aweb::Data::new(AppState {
        db: db.clone(),
        clock,
        config: Arc::new(config),
        setup_token: setup_token.clone(),
        sign_in_gate: Default::default(),
        secrets: secrets.clone(),
        oidc,
        api_calls: Default::default(),
    });
    let server = HttpServer::new(move || {
        let sessions = SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
            .cookie_name("gatehouse_session".to_owned())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_secure(https)
            .session_lifecycle(BrowserSession::default())
            .build();
        App::new()
            .wrap(ErrorHandlers::new().default_handler(web::errors::in_signed_in_layout))
            .wrap(from_fn(web::headers::head_as_get))
            .wrap(web::headers::defaults(https))
            .wrap(sessions)
            .wrap(TracingLogger::default())
            .app_data(state.clone())
            .app_data(aweb::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(aweb::QueryConfig::default().error_handler(|_, _| {
                AppError::BadRequest(
                    "The address has a query Gatehouse does not understand.".to_owned(),
                )
                .into()
            }))
            .configure(web::routes)
            .configure(web::scim::configure)
            .configure(crate::api::configure)
            .default_service(aweb::to(not_found))
    })
    .listen(listener)?
    .run();
    Ok(Application {
        server,
        port,
        setup_token,
        db,
        secrets,
    })
}

/// Runs a scheduler pass every `interval`, for as long as the server runs. A failed pass is
/// logged and retried at the next tick; its transaction left nothing half-done.
pub fn spawn_scheduler(
    db: DatabaseConnection,
    clock: SharedClock,
    interval: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    spawn_every(interval, "scheduler", move || {
        let (db, clock) = (db.clone(), clock.clone());
        async move { crate::services::scheduler::run_pass(&db, clock.as_ref()).await }
    })
}

/// How often the outbox worker looks for changes to deliver.
pub const OUTBOX_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// Delivers the outbox's changes to connected systems every `interval`, for as long as the
/// server runs (every instance does; rows are claimed, so each is applied by one).
pub fn spawn_outbox_worker(
    db: DatabaseConnection,
    clock: SharedClock,
    secrets: crate::secrets::SecretBox,
    interval: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    spawn_every(interval, "outbox", move || {
        let (db, clock, secrets) = (db.clone(), clock.clone(), secrets.clone());
        async move { crate::services::outbox::run_pass(&db, clock.as_ref(), &secrets).await }
    })
}

/// How often the mail worker looks for email to send.
pub const MAIL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// Sends the mail outbox's messages every `interval`, for as long as the server runs (every
/// instance does; rows are claimed, so each message goes once).
pub fn spawn_mail_worker(
    db: DatabaseConnection,
    clock: SharedClock,
    mailer: crate::connectors::smtp::Mailer,
    public_url: String,
    interval: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    spawn_every(interval, "mail", move || {
        let (db, clock, mailer, public_url) = (
            db.clone(),
            clock.clone(),
            mailer.clone(),
            public_url.clone(),
        );
        async move {
            // What the requests' timelines call for goes into the outbox, then out.
            let read = crate::services::notify::run_pass(&db, clock.as_ref(), &public_url).await?;
            let sent = crate::services::mail::run_pass(&db, clock.as_ref(), &mailer).await?;
            Ok((read, sent))
        }
    })
}

/// How often the sync worker looks for imports and drift checks to run.
pub const SYNC_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs directory imports and drift checks (queued by `Sync now`, `Check now` or their
/// schedules) every `interval`; every instance does, and each run is claimed by one.
pub fn spawn_sync_worker(
    db: DatabaseConnection,
    clock: SharedClock,
    secrets: crate::secrets::SecretBox,
    interval: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    spawn_every(interval, "sync", move || {
        let (db, clock, secrets) = (db.clone(), clock.clone(), secrets.clone());
        async move { crate::services::sync::run_pass(&db, clock.as_ref(), &secrets).await }
    })
}

/// Runs `pass` every `interval`, logging what it did; a failed pass is logged and tried
/// again at the next tick.
fn spawn_every<F, Fut, R>(
    interval: std::time::Duration,
    what: &'static str,
    pass: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<R, sea_orm::DbErr>> + Send,
    R: std::fmt::Debug + Default + PartialEq,
{
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match pass().await {
                Ok(report) if report != R::default() => tracing::info!(?report, "{what} pass"),
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "{what} pass failed; retrying at the next tick")
                }
            }
        }
    })
}

/// Unknown addresses. Asking who is signed in lets the 404 page show their layout.
async fn not_found(_signed_in: Option<CurrentUser>) -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// The configured key, else one generated once and kept: in a file beside the SQLite
/// database, or in the PostgreSQL database where every instance finds the same one.
/// Connected systems' secrets are sealed under a key derived from this one.
async fn session_key(config: &Config, db: &DatabaseConnection) -> anyhow::Result<Vec<u8>> {
    let bytes = match (&config.session_key, &config.database) {
        (Some(bytes), _) => bytes.clone(),
        (
            None,
            config::Database::Sqlite {
                path: Some(path), ..
            },
        ) => key_file(&path.with_extension("session-key"))?,
        (None, config::Database::Sqlite { path: None, .. }) => {
            tracing::warn!(
                "in-memory database: using a session key that lasts until the server stops"
            );
            random_key()
        }
        (None, config::Database::Postgres { .. }) => key_in_database(db).await?,
    };
    Ok(bytes)
}

fn random_key() -> Vec<u8> {
    let mut bytes = vec![0u8; config::SESSION_KEY_MIN_BYTES];
    let _ = getrandom::fill(&mut bytes);
    bytes
}

fn key_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let bytes = hex::decode(text.trim())
            .with_context(|| format!("{} is not a hex session key", path.display()))?;
        if bytes.len() >= config::SESSION_KEY_MIN_BYTES {
            return Ok(bytes);
        }
    }
    let bytes = random_key();
    write_private(path, &hex::encode(&bytes))
        .with_context(|| format!("writing the session key to {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a session key and stored it beside the database; set GATEHOUSE_SESSION_KEY to manage it yourself");
    Ok(bytes)
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

async fn key_in_database(db: &DatabaseConnection) -> anyhow::Result<Vec<u8>> {
    const KEY: &str = "session_key";
    if let Some(row) = system_state::Entity::find_by_id(KEY.to_owned())
        .one(db)
        .await?
    {
        return hex::decode(row.value.trim()).context("the stored session key is not hex");
    }
    let row = system_state::ActiveModel {
        key: Set(KEY.to_owned()),
        value: Set(hex::encode(random_key())),
        updated_at: Set(crate::clock::storable(time::OffsetDateTime::now_utc())),
    };
    // Another instance may have stored one first: then keep theirs.
    let _ = system_state::Entity::insert(row)
        .exec_without_returning(db)
        .await;
    let row = system_state::Entity::find_by_id(KEY.to_owned())
        .one(db)
        .await?
        .context("the session key was not stored")?;
    tracing::info!(
        "generated a session key and stored it in the database; set GATEHOUSE_SESSION_KEY to manage it yourself"
    );
    hex::decode(row.value.trim()).context("the stored session key is not hex")
}
