//! The route × actor matrix: every route of `gatehouse::web::route_table()` with what each
//! actor gets, walked against a seeded world. A refused post must leave every table as it
//! was; a route without a row fails `every_route_has_a_row_in_the_matrix`.
mod requests;
mod snapshot;
mod world;

use std::collections::BTreeSet;
use std::time::Instant;

use reqwest::{Response, StatusCode};

use crate::helpers::{location, spawn_app, spawn_app_with};
use requests::{fields, fill};
use snapshot::Tables;
use world::World;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    User,
    SecondUser,
    Approver,
    UserAdmin,
    GlobalAdmin,
    /// The four catalog roles, held in catalog B; they act on catalog A's objects.
    Owner,
    Reader,
    PackageManager,
    AssignmentManager,
}

/// The matrix's columns, in order.
pub const ACTORS: [Actor; 10] = [
    Actor::Anonymous,
    Actor::User,
    Actor::SecondUser,
    Actor::Approver,
    Actor::UserAdmin,
    Actor::GlobalAdmin,
    Actor::Owner,
    Actor::Reader,
    Actor::PackageManager,
    Actor::AssignmentManager,
];

impl Actor {
    pub fn name(self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::User => "User",
            Self::SecondUser => "second User",
            Self::Approver => "approver",
            Self::UserAdmin => "User administrator",
            Self::GlobalAdmin => "Global administrator",
            Self::Owner => "Catalog owner of B",
            Self::Reader => "Catalog reader of B",
            Self::PackageManager => "Access package manager of B",
            Self::AssignmentManager => "Access package assignment manager of B",
        }
    }
}

/// What an actor gets: `ok` (2xx, or 303 somewhere other than sign-in), `403`, `404`, or
/// `in` (303 to the sign-in page). `noop` is a post answered like `ok` that changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Forbidden,
    NotFound,
    SignIn,
    Ignored,
}

impl Outcome {
    fn parse(word: &str) -> Self {
        match word {
            "ok" => Self::Allowed,
            "403" => Self::Forbidden,
            "404" => Self::NotFound,
            "in" => Self::SignIn,
            "noop" => Self::Ignored,
            other => panic!("unknown outcome {other}"),
        }
    }

    fn word(self) -> &'static str {
        match self {
            Self::Allowed => "ok",
            Self::Forbidden => "403",
            Self::NotFound => "404",
            Self::SignIn => "in",
            Self::Ignored => "noop",
        }
    }
}

/// Catalog A's objects are what the routes point at; the catalog roles are held in catalog B.
/// Columns: anonymous, User (requestor with a pending request and a delivered assignment), a
/// second User, the approver, User administrator, Global administrator, then Catalog owner,
/// Catalog reader, Access package manager, Access package assignment manager of catalog B.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, &str)] = &[
    // method path                                                          anon user usr2 aprv uadm gadm ownr rdr  pkgm asgm
    ("GET",  "/",                                                          "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("POST", "/",                                                          "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("POST", "/sign-out",                                                  "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    // Single sign-on is not set up in the matrix's world (tests/api/sign_in/oidc.rs has it).
    ("GET",  "/sign-in/oidc",                                              "404  404  404  404  404  404  404  404  404  404"),
    ("GET",  "/sign-in/oidc/callback",                                     "404  404  404  404  404  404  404  404  404  404"),
    ("GET",  "/setup",                                                     "404  404  404  404  404  404  404  404  404  404"),
    ("POST", "/setup",                                                     "404  404  404  404  404  404  404  404  404  404"),
    ("GET",  "/static/{file}",                                             "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("GET",  "/admin",                                                     "in   403  403  403  ok   ok   ok   ok   ok   ok"),
    ("GET",  "/admin/",                                                    "in   403  403  403  ok   ok   ok   ok   ok   ok"),
    ("GET",  "/admin/audit",                                               "in   403  403  403  ok   ok   403  403  403  403"),

    ("GET",  "/admin/users",                                               "in   403  403  403  ok   ok   403  403  403  403"),
    ("GET",  "/admin/users/new",                                           "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/users/new",                                           "in   403  403  403  ok   ok   403  403  403  403"),
    ("GET",  "/admin/users/{id}",                                          "in   403  403  403  ok   ok   403  403  403  403"),
    ("GET",  "/admin/users/{id}/edit",                                     "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/users/{id}/edit",                                     "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/users/{id}/disable",                                  "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/users/{id}/enable",                                   "in   403  403  403  ok   ok   403  403  403  403"),
    ("GET",  "/admin/users/{id}/reset-password",                           "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/users/{id}/reset-password",                           "in   403  403  403  ok   ok   403  403  403  403"),
    ("GET",  "/admin/users/{id}/delete",                                   "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/users/{id}/delete",                                   "in   403  403  403  ok   ok   403  403  403  403"),

    ("GET",  "/admin/groups",                                              "in   403  403  403  ok   ok   403  403  403  403"),
    ("GET",  "/admin/groups/new",                                          "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/groups/new",                                          "in   403  403  403  ok   ok   403  403  403  403"),
    ("GET",  "/admin/groups/{id}",                                         "in   403  403  403  ok   ok   403  403  403  403"),
    ("GET",  "/admin/groups/{id}/members",                                 "in   403  403  403  ok   ok   403  403  403  403"),
    ("GET",  "/admin/groups/{id}/members/add",                             "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/groups/{id}/members/add",                             "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/groups/{id}/members/{user}/remove",                   "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/groups/{id}/connected-system",                        "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/groups/{id}/connected-system/remove",                 "in   403  403  403  403  ok   403  403  403  403"),
    ("GET",  "/admin/groups/{id}/delete",                                  "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/groups/{id}/delete",                                  "in   403  403  403  ok   ok   403  403  403  403"),

    ("GET",  "/admin/catalogs",                                            "in   403  403  403  ok   ok   ok   ok   ok   ok"),
    ("GET",  "/admin/catalogs/new",                                        "in   403  403  403  ok   ok   403  403  403  403"),
    ("POST", "/admin/catalogs/new",                                        "in   403  403  403  ok   ok   403  403  403  403"),
    ("GET",  "/admin/catalogs/{id}",                                       "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/catalogs/{id}/edit",                                  "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/catalogs/{id}/edit",                                  "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/catalogs/{id}/resources",                             "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/catalogs/{id}/resources/add",                         "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/catalogs/{id}/resources/add",                         "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/catalogs/{id}/resources/{group}/remove",              "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/catalogs/{id}/access-packages",                       "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/catalogs/{id}/roles",                                 "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/catalogs/{id}/roles/add",                             "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/catalogs/{id}/roles/{user}/{role}/remove",            "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/catalogs/{id}/delete",                                "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/catalogs/{id}/delete",                                "in   403  403  403  ok   ok   404  404  404  404"),

    ("GET",  "/admin/access-packages",                                     "in   403  403  403  ok   ok   ok   ok   ok   ok"),
    // The button's address typed in goes to the list.
    ("GET",  "/admin/access-packages/new",                                 "in   403  403  403  ok   ok   ok   ok   ok   ok"),
    // Asked for catalog A, owners and package managers of B get a draft in B, where they may
    // create packages; readers and assignment managers may create none.
    ("POST", "/admin/access-packages/new",                                 "in   403  403  403  ok   ok   ok   403  ok   403"),
    // The draft is the Global administrator's own: nobody else's to see or cancel.
    ("POST", "/admin/access-packages/new/{draft}/cancel",                  "in   403  403  403  404  ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/new/{draft}/{tab}",                   "in   403  403  403  404  ok   404  404  404  404"),
    ("POST", "/admin/access-packages/new/{draft}/{tab}",                   "in   403  403  403  404  ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}",                                "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/assignments",                    "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/requests",                       "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/requests/{request}",             "in   403  403  403  ok   ok   404  404  404  404"),
    // Nothing has failed in the seeded world: answered as done, nothing changes.
    ("POST", "/admin/access-packages/{id}/assignments/reprocess",          "in   403  403  403  noop noop 404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/assignments/{assignment}/reprocess", "in   403  403  403  noop noop 404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/assignments/new",                "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/assignments/new",                "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/assignments/{assignment}/extend", "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/assignments/{assignment}/extend", "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/assignments/{assignment}/remove", "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/assignments/{assignment}/remove", "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/resource-roles",                 "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/resource-roles/add",             "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/resource-roles/add",             "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/resource-roles/{role}/remove",   "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/resource-roles/{role}/remove",   "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/policies",                       "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/policies/new",                   "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/policies/new",                   "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/policies/{policy}/edit",         "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/policies/{policy}/edit",         "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/policies/{policy}/delete",       "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/policies/{policy}/delete",       "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/properties",                     "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/properties",                     "in   403  403  403  ok   ok   404  404  404  404"),
    ("GET",  "/admin/access-packages/{id}/delete",                         "in   403  403  403  ok   ok   404  404  404  404"),
    ("POST", "/admin/access-packages/{id}/delete",                         "in   403  403  403  ok   ok   404  404  404  404"),

    ("GET",  "/admin/connected-systems",                                   "in   403  403  403  403  ok   403  403  403  403"),
    ("GET",  "/admin/connected-systems/new",                               "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/new",                               "in   403  403  403  403  ok   403  403  403  403"),
    ("GET",  "/admin/connected-systems/scim-provisioning",                 "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/scim-provisioning/tokens",          "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/scim-provisioning/tokens/{id}/revoke", "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/scim-provisioning/settings",        "in   403  403  403  403  ok   403  403  403  403"),
    ("GET",  "/admin/app-registrations",                                   "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/app-registrations",                                   "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/app-registrations/{id}/secret",                       "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/app-registrations/{id}/delete",                       "in   403  403  403  403  ok   403  403  403  403"),
    ("GET",  "/admin/connected-systems/{id}",                              "in   403  403  403  403  ok   403  403  403  403"),
    ("GET",  "/admin/connected-systems/{id}/edit",                         "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/{id}/edit",                         "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/{id}/log/{change}/resend",          "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/{id}/test",                         "in   403  403  403  403  ok   403  403  403  403"),
    ("GET",  "/admin/connected-systems/{id}/sync",                         "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/{id}/sync",                         "in   403  403  403  403  ok   403  403  403  403"),
    ("GET",  "/admin/connected-systems/{id}/drift",                        "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/{id}/drift",                        "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/{id}/drift/{group}/mode",           "in   403  403  403  403  ok   403  403  403  403"),
    ("GET",  "/admin/connected-systems/{id}/delete",                       "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/connected-systems/{id}/delete",                       "in   403  403  403  403  ok   403  403  403  403"),

    ("GET",  "/admin/notifications",                                       "in   403  403  403  403  ok   403  403  403  403"),
    ("POST", "/admin/notifications/test",                                  "in   403  403  403  403  ok   403  403  403  403"),

    ("GET",  "/myaccess",                                                  "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("GET",  "/myaccess/",                                                 "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("GET",  "/myaccess/access-packages",                                  "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("GET",  "/myaccess/access-packages/request",                          "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    // Only those a policy lets request see the package in My Access.
    ("GET",  "/myaccess/access-packages/{id}",                             "in   ok   404  404  404  404  404  404  404  404"),
    ("POST", "/myaccess/access-packages/{id}",                             "in   ok   404  404  404  404  404  404  404  404"),
    ("GET",  "/myaccess/request-history",                                  "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("GET",  "/myaccess/request-history/{id}",                             "in   ok   404  404  404  404  404  404  404  404"),
    ("POST", "/myaccess/request-history/{id}/cancel",                      "in   ok   404  404  404  404  404  404  404  404"),
    ("GET",  "/myaccess/approvals",                                        "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("GET",  "/myaccess/approvals/history",                                "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("GET",  "/myaccess/approvals/{id}",                                   "in   404  404  ok   404  404  404  404  404  404"),
    ("POST", "/myaccess/approvals/{id}",                                   "in   404  404  ok   404  404  404  404  404  404"),
    ("GET",  "/myaccess/access",                                           "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    // Its assignment ends in 300 days: the pane sends User back to My access, saying why.
    ("GET",  "/myaccess/access/{id}/extend",                               "in   ok   404  404  404  404  404  404  404  404"),
    ("POST", "/myaccess/access/{id}/extend",                               "in   noop 404  404  404  404  404  404  404  404"),
    ("GET",  "/myaccess/access/{id}/remove",                               "in   ok   404  404  404  404  404  404  404  404"),
    ("POST", "/myaccess/access/{id}/remove",                               "in   ok   404  404  404  404  404  404  404  404"),
    ("GET",  "/myaccess/settings",                                         "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("POST", "/myaccess/settings",                                         "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("GET",  "/myaccess/api-tokens",                                       "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("POST", "/myaccess/api-tokens",                                       "in   ok   ok   ok   ok   ok   ok   ok   ok   ok"),
    ("POST", "/myaccess/api-tokens/{id}/revoke",                           "in   ok   404  404  404  404  404  404  404  404"),
];

struct Row {
    method: &'static str,
    pattern: &'static str,
    expected: Vec<Outcome>,
}

fn rows() -> Vec<Row> {
    MATRIX
        .iter()
        .map(|(method, pattern, outcomes)| {
            let expected: Vec<Outcome> = outcomes.split_whitespace().map(Outcome::parse).collect();
            assert_eq!(
                expected.len(),
                ACTORS.len(),
                "{method} {pattern}: one outcome per actor"
            );
            Row {
                method,
                pattern,
                expected,
            }
        })
        .collect()
}

/// What the response means for the matrix, or why it means none of it.
async fn outcome(pattern: &str, actor: Actor, response: Response) -> Result<Outcome, String> {
    let status = response.status();
    let to = location(&response);
    match status {
        s if s.is_success() => Ok(Outcome::Allowed),
        // Signing out is done when it lands on the sign-in page.
        StatusCode::SEE_OTHER if pattern == "/sign-out" && actor != Actor::Anonymous => {
            Ok(Outcome::Allowed)
        }
        StatusCode::SEE_OTHER if to == "/" || to.starts_with("/?next=") => Ok(Outcome::SignIn),
        StatusCode::SEE_OTHER => Ok(Outcome::Allowed),
        StatusCode::FORBIDDEN => {
            let body = response.text().await.unwrap_or_default();
            if body.contains("This form has expired") {
                Err("403 for a bad CSRF token".to_owned())
            } else {
                Ok(Outcome::Forbidden)
            }
        }
        StatusCode::NOT_FOUND => Ok(Outcome::NotFound),
        other => {
            let body = response.text().await.unwrap_or_default();
            let start = body.find("<main").unwrap_or(0);
            let text: String = body[start..].chars().take(300).collect();
            Err(format!("{other}: {text}"))
        }
    }
}

#[test]
fn every_route_has_a_row_in_the_matrix() {
    let routes: BTreeSet<(String, String)> = gatehouse::web::route_table()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    let listed: BTreeSet<(String, String)> = rows()
        .iter()
        .map(|row| (row.method.to_owned(), row.pattern.to_owned()))
        .collect();
    assert_eq!(listed.len(), MATRIX.len(), "a route has two rows");
    let missing: Vec<_> = routes.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&routes).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes without a row in the matrix (tests/api/matrix.rs): {missing:?}; rows for no route: {stale:?}"
    );
}

#[tokio::test]
async fn every_route_answers_every_actor_as_the_matrix_says() {
    let started = Instant::now();
    // Email on (to a port nothing listens on; no worker runs here), so `Send test email`
    // writes to the outbox.
    let app = spawn_app_with(|s| {
        s.smtp_url = Some("smtp://127.0.0.1:9".into());
        s.mail_from = Some("Gatehouse <gatehouse@woodgrove.test>".into());
    })
    .await;
    let mut world = World::seed(app).await;
    let tables = Tables::read(&world.app.db).await;
    let seeded = started.elapsed();
    let rows = rows();
    let mut walk = Walk {
        tables,
        failures: Vec::new(),
        posts: 0,
    };
    let allowed_posts = walk.all_but_allowed_posts(&world, &rows).await;
    let walked = started.elapsed();
    walk.allowed_posts(&mut world, &allowed_posts).await;

    println!(
        "route × actor matrix: {} routes × {} actors = {} cells, {} of them allowed posts on \
         objects of their own; seeded in {seeded:.1?}, the rest walked in {:.1?}, total {:.1?}",
        rows.len(),
        ACTORS.len(),
        rows.len() * ACTORS.len(),
        allowed_posts.len(),
        walked - seeded,
        started.elapsed()
    );
    assert!(
        walk.failures.is_empty(),
        "{} cells differ from the matrix:\n{}",
        walk.failures.len(),
        walk.failures.join("\n")
    );
}

struct Walk {
    tables: Tables,
    failures: Vec<String>,
    /// Posts so far, to keep the names of things they create apart.
    posts: usize,
}

fn cell(row: &Row, actor: Actor) -> String {
    format!("{} {} as {}", row.method, row.pattern, actor.name())
}

impl Walk {
    /// Every cell but the allowed posts, against the one seeded world, which none of them may
    /// change. Returns the allowed posts, for [`Walk::allowed_posts`].
    async fn all_but_allowed_posts<'r>(
        &mut self,
        world: &World,
        rows: &'r [Row],
    ) -> Vec<(&'r Row, Actor)> {
        let db = &world.app.db;
        let mut allowed_posts = Vec::new();
        for row in rows {
            let path = fill(row.pattern, &world.targets, world);
            let mut before = None;
            for (actor, expected) in ACTORS.into_iter().zip(row.expected.iter().copied()) {
                if row.method == "GET" {
                    let got = outcome(row.pattern, actor, world.get(actor, &path).await).await;
                    self.compare(row, actor, expected, got);
                    continue;
                }
                if expected == Outcome::Allowed {
                    allowed_posts.push((row, actor));
                    continue;
                }
                let baseline = match before.take() {
                    Some(snapshot) => snapshot,
                    None => self.tables.snapshot(db).await,
                };
                self.posts += 1;
                let fields = fields(row.pattern, actor, &world.targets, world, self.posts);
                let response = world.post(actor, &path, &fields).await;
                let got = outcome(row.pattern, actor, response).await;
                let after = self.tables.snapshot(db).await;
                let got = if after == baseline {
                    got.map(|o| match o {
                        Outcome::Allowed => Outcome::Ignored,
                        other => other,
                    })
                } else {
                    let changes = after.changes_from(&baseline);
                    self.failures.push(format!(
                        "{} changed the database: {changes}",
                        cell(row, actor)
                    ));
                    got
                };
                self.compare(row, actor, expected, got);
                before = Some(after);
            }
        }
        allowed_posts
    }

    /// Allowed posts change things, so each that points at an object gets a catalog A of its
    /// own; posts to a fixed address (sign-in, `New …`) share the world's. Each must change
    /// something: a refusal dressed as success would not.
    async fn allowed_posts(&mut self, world: &mut World, cells: &[(&Row, Actor)]) {
        for &(row, actor) in cells {
            let fresh = if row.pattern.contains('{') {
                // Requesting needs a package User has not asked for yet.
                let with_request = row.pattern != "/myaccess/access-packages/{id}";
                Some(world.seed_targets(with_request).await)
            } else {
                None
            };
            let targets = fresh.as_ref().unwrap_or(&world.targets);
            self.posts += 1;
            let path = fill(row.pattern, targets, world);
            let fields = fields(row.pattern, actor, targets, world, self.posts);
            let before = self.tables.snapshot(&world.app.db).await;
            let response = world.post(actor, &path, &fields).await;
            let got = outcome(row.pattern, actor, response).await;
            if got == Ok(Outcome::Allowed) && self.tables.snapshot(&world.app.db).await == before {
                self.failures.push(format!(
                    "{}: answered ok, but changed nothing",
                    cell(row, actor)
                ));
            } else {
                self.compare(row, actor, Outcome::Allowed, got);
            }
            if matches!(row.pattern, "/" | "/sign-out") {
                world.sign_in_again(actor).await;
            }
        }
    }

    fn compare(
        &mut self,
        row: &Row,
        actor: Actor,
        expected: Outcome,
        got: Result<Outcome, String>,
    ) {
        if got != Ok(expected) {
            let got = match got {
                Ok(outcome) => outcome.word().to_owned(),
                Err(why) => why,
            };
            self.failures.push(format!(
                "{}: expected {}, got {got}",
                cell(row, actor),
                expected.word()
            ));
        }
    }
}

#[tokio::test]
async fn a_method_without_a_route_gets_the_404_page_and_portal_roots_work_with_or_without_slash() {
    let app = spawn_app().await;
    let (admin, _) = app.admin().await;
    for (method, path) in [
        ("DELETE", "/admin/users"),
        ("PUT", "/"),
        ("GET", "/sign-out"),
        ("POST", "/admin/users"),
        ("HEAD", "/sign-out"),
        ("GET", "/admin/users/"),
    ] {
        let response = admin
            .client
            .request(method.parse().unwrap(), admin.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    // HEAD answers like GET (see headers.rs).
    let head = admin
        .client
        .head(admin.url("/admin/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    for (path, to) in [
        ("/admin", "/admin/users"),
        ("/admin/", "/admin/users"),
        ("/myaccess", "/myaccess/access-packages"),
        ("/myaccess/", "/myaccess/access-packages"),
    ] {
        assert_eq!(location(&admin.get(path).await), to, "{path}");
    }
}
