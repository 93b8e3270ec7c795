//! The test harness: `spawn_app()` and a cookie-keeping `Browser`.
use std::sync::Arc;

use gatehouse::clock::TestClock;
use gatehouse::config::{Config, Settings};
use gatehouse::domain::group::{Description, GroupName, MembershipType};
use gatehouse::domain::principal::Principal;
use gatehouse::domain::user::{DirectoryRole, DisplayName, Email, Password, UserPrincipalName};
use gatehouse::ids::{GroupId, UserId};
use gatehouse::services::{groups, users};
use reqwest::{Response, StatusCode, redirect};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use time::macros::datetime;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub address: String,
    pub clock: TestClock,
    pub db: DatabaseConnection,
    pub setup_token: Option<String>,
    /// Connected systems' secrets, for running the outbox worker as the server would.
    pub secrets: gatehouse::secrets::SecretBox,
    _database: EmptyDatabase,
}

/// A new, empty database for one test: a SQLite file in a temporary folder, or a fresh
/// PostgreSQL database when `TEST_DATABASE_URL` is set. Gone when dropped.
pub struct EmptyDatabase {
    pub url: String,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

pub async fn empty_database() -> EmptyDatabase {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, pg) = match std::env::var("TEST_DATABASE_URL") {
        Ok(server) if !server.trim().is_empty() => {
            let pg = fresh_postgres(&server).await;
            (with_database(&server, &pg.name), Some(pg))
        }
        _ => (
            format!("sqlite://{}/gatehouse.db?mode=rwc", dir.path().display()),
            None,
        ),
    };
    EmptyDatabase {
        url,
        _dir: dir,
        _pg: pg,
    }
}

/// A PostgreSQL database made for one test and dropped after it.
struct PgDatabase {
    server_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.server_url.clone(), self.name.clone());
        // Drop runs outside async code; a small runtime of its own does the cleanup.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(async {
                    if let Ok(db) = Database::connect(&url).await {
                        let _ = db
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            }
        })
        .join();
    }
}

async fn fresh_postgres(server_url: &str) -> PgDatabase {
    let name = format!("gatehouse_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(server_url)
        .await
        .unwrap_or_else(|e| panic!("TEST_DATABASE_URL {server_url}: {e}"));
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap_or_else(|e| panic!("creating {name}: {e}"));
    PgDatabase {
        server_url: server_url.to_owned(),
        name,
    }
}

fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = server_url
        .split_once('?')
        .map_or((server_url, ""), |(b, q)| (b, q));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    if query.is_empty() {
        format!("{base}/{name}")
    } else {
        format!("{base}/{name}?{query}")
    }
}

/// Settings as a test wants them: port 0, the given database, a fixed session key.
pub fn test_settings(database_url: String) -> Settings {
    Settings {
        bind: "127.0.0.1:0".into(),
        database_url: Some(database_url),
        session_key: Some("ab".repeat(64)),
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], with some settings changed first.
pub async fn spawn_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let database = empty_database().await;
    let mut settings = test_settings(database.url.clone());
    change(&mut settings);
    let config = Config::from_settings(&settings).expect("test config");
    let clock = TestClock::new(datetime!(2026-11-24 09:00 UTC));
    let app = gatehouse::startup::build(config, Arc::new(clock.clone()))
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port);
    tokio::spawn(app.server);
    TestApp {
        address,
        clock,
        db: app.db,
        setup_token: app.setup_token,
        secrets: app.secrets,
        _database: database,
    }
}

impl TestApp {
    /// Another connection pool to this test's database, as a second instance of Gatehouse
    /// would open it.
    pub async fn second_instance_db(&self) -> DatabaseConnection {
        let settings = test_settings(self._database.url.clone());
        let config = Config::from_settings(&settings).expect("test config");
        gatehouse::db::connect(&config.database)
            .await
            .expect("a second connection")
    }

    pub fn browser(&self) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(redirect::Policy::none())
            .build()
            .expect("http client");
        Browser {
            client,
            address: self.address.clone(),
        }
    }

    /// Creates a user directly (as `gatehouse user add` would), with [`PASSWORD`].
    pub async fn create_user(&self, upn: &str, name: &str, role: DirectoryRole) -> UserId {
        let new = users::NewUser {
            display_name: DisplayName::parse(name).expect("name"),
            user_principal_name: UserPrincipalName::parse(upn).expect("upn"),
            email: Email::parse("").expect("email"),
            role,
            password: Password::parse(PASSWORD).expect("password"),
        };
        users::create(&self.db, &self.clock, &Principal::console(), new)
            .await
            .expect("user created")
            .id
    }

    /// Gives `user` an email address (people made here have none).
    pub async fn set_email(&self, user: UserId, address: &str) {
        use gatehouse::entities::user;
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
        let mut row: user::ActiveModel = user::Entity::find_by_id(user)
            .one(&self.db)
            .await
            .expect("database")
            .expect("the user exists")
            .into();
        row.email = Set(Some(address.to_owned()));
        row.update(&self.db).await.expect("email set");
    }

    pub async fn create_group(&self, name: &str) -> GroupId {
        let new = groups::NewGroup {
            name: GroupName::parse(name).expect("name"),
            description: Description::parse("").expect("description"),
            membership_type: MembershipType::Assigned,
        };
        groups::create(&self.db, &self.clock, &Principal::console(), new)
            .await
            .expect("group created")
            .id
    }

    /// A browser signed in as a new user in `role`.
    pub async fn signed_in(&self, upn: &str, name: &str, role: DirectoryRole) -> (Browser, UserId) {
        let id = self.create_user(upn, name, role).await;
        let browser = self.browser();
        let response = browser.sign_in(upn, PASSWORD).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {upn} failed"
        );
        (browser, id)
    }

    /// Admin1, Global administrator, signed in.
    pub async fn admin(&self) -> (Browser, UserId) {
        self.signed_in(
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        )
        .await
    }
}

pub struct Browser {
    pub client: reqwest::Client,
    pub address: String,
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// A page's HTML, after checking that every form on it that posts carries the token.
    pub async fn get_html(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        let html = response.text().await.expect("body");
        assert_post_forms_carry_a_token(&html, path);
        html
    }

    /// The CSRF token of this browser's session, read from a page as a person's browser would.
    pub async fn csrf_token(&self) -> String {
        let mut response = self.get("/").await;
        if response.status() == StatusCode::SEE_OTHER {
            response = self.get("/myaccess/access").await;
        }
        let html = response.text().await.expect("body");
        csrf_from(&html).expect("a page with a CSRF token")
    }

    /// Posts a form with this session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields, no token added.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Response {
        self.post("/", &[("username", username), ("password", password)])
            .await
    }
}

fn assert_post_forms_carry_a_token(html: &str, path: &str) {
    for (start, _) in html.match_indices("<form") {
        let form = &html[start..];
        let end = form.find("</form>").unwrap_or(form.len());
        let form = &form[..end];
        let tag = &form[..form.find('>').unwrap_or(form.len())];
        if tag.contains("method=\"post\"") {
            assert!(
                form.contains("name=\"csrf_token\""),
                "a form on {path} posts without a CSRF token: {tag}"
            );
        }
    }
}

pub fn csrf_from(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Ids from links like `/admin/users/<id>`, in page order.
/// The address of a page's `rel` link (`next`, `prev`), as a browser would follow it.
pub fn link(html: &str, rel: &str) -> Option<String> {
    html.split(&format!("rel=\"{rel}\" href=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
}

pub fn ids_after(html: &str, prefix: &str) -> Vec<String> {
    html.match_indices(prefix)
        .filter_map(|(i, _)| html.get(i + prefix.len()..i + prefix.len() + 36))
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .map(str::to_owned)
        .collect()
}

/// Counts audit events with this activity and target name.
pub async fn audit_count(app: &TestApp, action: &str, target: &str) -> u64 {
    use gatehouse::entities::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .filter(audit_event::Column::TargetName.eq(target))
        .count(&app.db)
        .await
        .expect("audit count")
}
