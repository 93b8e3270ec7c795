//! The seeded world the matrix walks: its actors signed in, catalog B where four of them hold
//! one catalog role each, and catalog A's objects ([`Targets`]) that every route points at.
use gatehouse::domain::policy::{Expiration, PolicySpec};
use gatehouse::domain::user::DirectoryRole;
use gatehouse::entities::{assignment, assignment_request, resource_role};
use gatehouse::ids::{AccessPackageId, GroupId, UserId};
use reqwest::{Response, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::Actor;
use crate::builders::{PolicyOptions, policy};
use crate::helpers::{Browser, PASSWORD, TestApp, location};

pub type Fields = Vec<(&'static str, String)>;

/// A signed-in actor, with the CSRF token of their session.
pub struct Person {
    pub upn: String,
    pub id: String,
    browser: Browser,
    token: String,
}

/// Catalog A and what is in it; ids as they appear in URLs.
#[derive(Default)]
pub struct Targets {
    pub catalog: String,
    pub catalog_name: String,
    /// A catalog with nothing in it, which its managers may delete.
    pub empty_catalog: String,
    /// A group outside every catalog, with `victim` as a direct member.
    pub group: String,
    /// A group in catalog A that no package uses.
    pub spare_group: String,
    /// The package User may request, with approval by the approver.
    pub package: String,
    pub package_name: String,
    pub policy: String,
    pub policy_name: String,
    pub resource_role: String,
    /// User's pending request for `package` (empty when seeded without it).
    pub request: String,
    /// A package for direct assignments only, with User's delivered assignment.
    pub assigned_package: String,
    pub assignment: String,
    /// A package in catalog A with a policy nobody has used, which its managers may delete.
    pub idle_package: String,
    pub idle_policy: String,
    /// The Global administrator's `New access package` draft in catalog A.
    pub draft: String,
    /// A plain user, direct member of `group` and Catalog reader of catalog A.
    pub victim: String,
    pub victim_upn: String,
    pub victim_name: String,
    /// A webhook connected system (pointing at a port nothing listens on).
    pub connected: String,
    pub connected_name: String,
    /// An LDAP directory (nothing listens at its address either), which `spare_group` is
    /// linked to.
    pub directory: String,
    /// A message in the webhook's delivery log.
    pub webhook_change: String,
    /// An active SCIM provisioning token.
    pub provisioning_token: String,
    /// A personal API token of the User actor's.
    pub api_token: String,
    pub app_registration: String,
}

pub struct World {
    pub app: TestApp,
    /// Everyone but the anonymous actor.
    people: Vec<(Actor, Person)>,
    pub targets: Targets,
    seeded: usize,
}

fn id_after(location: &str, prefix: &str) -> String {
    let id = location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location} starts with {prefix}"));
    id.split('/').next().unwrap_or_default().to_owned()
}

async fn expect_see_other(response: Response, what: &str) -> String {
    let status = response.status();
    let to = location(&response);
    if status != StatusCode::SEE_OTHER {
        let body = response.text().await.unwrap_or_default();
        panic!("seeding: {what} answered {status}: {body}");
    }
    to
}

impl World {
    pub async fn seed(app: TestApp) -> Self {
        let accounts = [
            (Actor::User, "user1@woodgrove.test", DirectoryRole::User),
            (
                Actor::SecondUser,
                "user2@woodgrove.test",
                DirectoryRole::User,
            ),
            (
                Actor::Approver,
                "approver@woodgrove.test",
                DirectoryRole::User,
            ),
            (
                Actor::UserAdmin,
                "useradmin@woodgrove.test",
                DirectoryRole::UserAdministrator,
            ),
            (
                Actor::GlobalAdmin,
                "admin1@woodgrove.test",
                DirectoryRole::GlobalAdministrator,
            ),
            (Actor::Owner, "owner@woodgrove.test", DirectoryRole::User),
            (Actor::Reader, "reader@woodgrove.test", DirectoryRole::User),
            (
                Actor::PackageManager,
                "manager@woodgrove.test",
                DirectoryRole::User,
            ),
            (
                Actor::AssignmentManager,
                "assigner@woodgrove.test",
                DirectoryRole::User,
            ),
        ];
        let mut people = Vec::new();
        for (actor, upn, role) in accounts {
            let (browser, id) = app.signed_in(upn, actor.name(), role).await;
            let token = browser.csrf_token().await;
            let person = Person {
                upn: upn.to_owned(),
                id: id.to_string(),
                browser,
                token,
            };
            people.push((actor, person));
        }
        let mut world = World {
            app,
            people,
            targets: Targets::default(),
            seeded: 0,
        };
        let catalog_b = world.new_catalog("Catalog B").await;
        for (actor, role) in [
            (Actor::Owner, "catalogOwner"),
            (Actor::Reader, "catalogReader"),
            (Actor::PackageManager, "accessPackageManager"),
            (Actor::AssignmentManager, "accessPackageAssignmentManager"),
        ] {
            let user_id = world.person(actor).id.clone();
            let added = world
                .post(
                    Actor::GlobalAdmin,
                    &format!("/admin/catalogs/{catalog_b}/roles/add"),
                    &[("user_id", user_id), ("role", role.to_owned())],
                )
                .await;
            expect_see_other(added, "adding a catalog B role").await;
        }
        world.targets = world.seed_targets(true).await;
        world
    }

    pub fn person(&self, actor: Actor) -> &Person {
        let found = self.people.iter().find(|(a, _)| *a == actor);
        &found.expect("an actor who signs in").1
    }

    fn person_mut(&mut self, actor: Actor) -> &mut Person {
        let found = self.people.iter_mut().find(|(a, _)| *a == actor);
        &mut found.expect("an actor who signs in").1
    }

    pub async fn get(&self, actor: Actor, path: &str) -> Response {
        match actor {
            // A new browser every time: nothing an earlier cell did can sign it in.
            Actor::Anonymous => self.app.browser().get(path).await,
            _ => self.person(actor).browser.get(path).await,
        }
    }

    /// Posts `fields` with the actor's CSRF token, as their browser would.
    pub async fn post(&self, actor: Actor, path: &str, fields: &[(&str, String)]) -> Response {
        let anonymous;
        let (browser, token) = match actor {
            Actor::Anonymous => {
                anonymous = self.app.browser();
                let token = anonymous.csrf_token().await;
                (&anonymous, token)
            }
            _ => {
                let person = self.person(actor);
                (&person.browser, person.token.clone())
            }
        };
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        browser.post_raw(path, &all).await
    }

    /// Signs the actor in again (after they signed out, or signed in anew) and keeps the new
    /// session's token.
    pub async fn sign_in_again(&mut self, actor: Actor) {
        if actor == Actor::Anonymous {
            return;
        }
        let person = self.person(actor);
        let signed_in = person.browser.sign_in(&person.upn, PASSWORD).await;
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{}", person.upn);
        let token = person.browser.csrf_token().await;
        self.person_mut(actor).token = token;
    }

    async fn new_catalog(&self, name: &str) -> String {
        let created = self
            .post(
                Actor::GlobalAdmin,
                "/admin/catalogs/new",
                &[
                    ("display_name", name.to_owned()),
                    ("description", String::new()),
                    ("is_enabled", "yes".to_owned()),
                    ("is_externally_visible", "no".to_owned()),
                ],
            )
            .await;
        let to = expect_see_other(created, "New catalog").await;
        id_after(&to, "/admin/catalogs/")
    }

    /// A fresh catalog A with everything the routes point at, named apart from earlier ones.
    /// Without `with_request`, User has not asked for the package yet.
    pub async fn seed_targets(&mut self, with_request: bool) -> Targets {
        let n = self.seeded;
        self.seeded += 1;
        let suffix = if n == 0 {
            String::new()
        } else {
            format!(" {n}")
        };
        let catalog_name = format!("Catalog A{suffix}");
        let catalog = self.new_catalog(&catalog_name).await;
        let empty_catalog = self.new_catalog(&format!("Empty catalog{suffix}")).await;
        let app = &self.app;
        let resource_group = app.create_group(&format!("Engineering{suffix}")).await;
        let group = app
            .create_group(&format!("Loose group{suffix}"))
            .await
            .to_string();
        let spare_group = app
            .create_group(&format!("Spare group{suffix}"))
            .await
            .to_string();
        let victim_upn = format!("victim{n}@woodgrove.test");
        let victim_name = format!("Victim{suffix}");
        let victim = app
            .create_user(&victim_upn, &victim_name, DirectoryRole::User)
            .await
            .to_string();
        let admin = Actor::GlobalAdmin;
        for (path, fields, what) in [
            (
                format!("/admin/groups/{group}/members/add"),
                vec![("user_id", victim.clone())],
                "adding a group member",
            ),
            (
                format!("/admin/catalogs/{catalog}/resources/add"),
                vec![("group_id", spare_group.clone())],
                "adding a catalog resource",
            ),
            (
                format!("/admin/catalogs/{catalog}/roles/add"),
                vec![
                    ("user_id", victim.clone()),
                    ("role", "catalogReader".to_owned()),
                ],
                "adding a catalog role",
            ),
        ] {
            expect_see_other(self.post(admin, &path, &fields).await, what).await;
        }

        let user = self.person(Actor::User).id.parse().expect("a user id");
        let approver = self.person(Actor::Approver).id.parse().expect("a user id");
        let package_name = format!("Package A{suffix}");
        let policy_name = "Requests with approval".to_owned();
        let (package, policy) = self
            .new_package(
                &catalog,
                &package_name,
                resource_group,
                requests_with_approval(&policy_name, user, approver),
            )
            .await;
        let (assigned_package, direct) = self
            .new_package(
                &catalog,
                &format!("Assigned package A{suffix}"),
                resource_group,
                direct_assignments("Direct assignments"),
            )
            .await;
        let (idle_package, idle_policy) = self
            .new_package(
                &catalog,
                &format!("Idle package A{suffix}"),
                resource_group,
                direct_assignments("Unused policy"),
            )
            .await;
        let db = &self.app.db;
        let package_id: AccessPackageId = package.parse().expect("a package id");
        let resource_role = resource_role::Entity::find()
            .filter(resource_role::Column::AccessPackageId.eq(package_id))
            .one(db)
            .await
            .expect("query")
            .expect("a resource role")
            .id
            .to_string();

        let assigned = self
            .post(
                admin,
                &format!("/admin/access-packages/{assigned_package}/assignments/new"),
                &[
                    ("user_id", user.to_string()),
                    ("policy", direct),
                    // An end, so that it can be extended.
                    (
                        "end_date",
                        (gatehouse::clock::Clock::now(&self.app.clock) + time::Duration::days(300))
                            .date()
                            .to_string(),
                    ),
                ],
            )
            .await;
        expect_see_other(assigned, "a direct assignment").await;
        let assigned_id: AccessPackageId = assigned_package.parse().expect("a package id");
        let delivered = assignment::Entity::find()
            .filter(assignment::Column::AccessPackageId.eq(assigned_id))
            .one(db)
            .await
            .expect("query")
            .expect("an assignment");
        assert_eq!(delivered.state, "delivered");
        let assignment = delivered.id.to_string();

        let request = if with_request {
            let asked = self
                .post(
                    Actor::User,
                    &format!("/myaccess/access-packages/{package}"),
                    &request_fields(),
                )
                .await;
            expect_see_other(asked, "User's request").await;
            assignment_request::Entity::find()
                .filter(assignment_request::Column::AccessPackageId.eq(package_id))
                .one(db)
                .await
                .expect("query")
                .expect("a request")
                .id
                .to_string()
        } else {
            String::new()
        };

        let basics = self.start_draft(&catalog).await;
        let draft = id_after(&basics, "/admin/access-packages/new/");

        let connected_name = format!("Audit hook{suffix}");
        let added = self
            .post(
                admin,
                "/admin/connected-systems/new",
                &webhook_fields(&connected_name, "whsec_c2VjcmV0"),
            )
            .await;
        let connected = id_after(
            &expect_see_other(added, "a connected system").await,
            "/admin/connected-systems/",
        );
        let webhook_change = {
            use gatehouse::entities::outbox;
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            let db = &self.app.db;
            let now = gatehouse::clock::Clock::now(&self.app.clock);
            gatehouse::store::outbox::enqueue_webhooks(db, now, &[("test.event", "{}".into())])
                .await
                .expect("a webhook message");
            let hook: gatehouse::ids::ConnectedSystemId = connected.parse().expect("an id");
            outbox::Entity::find()
                .filter(outbox::Column::ConnectedSystemId.eq(hook))
                .one(db)
                .await
                .expect("query")
                .expect("the message")
                .id
                .to_string()
        };
        let added = self
            .post(admin, "/admin/connected-systems/new", &directory_fields(n))
            .await;
        let directory = id_after(
            &expect_see_other(added, "an LDAP directory").await,
            "/admin/connected-systems/",
        );
        let linked = self
            .post(
                admin,
                &format!("/admin/groups/{spare_group}/connected-system"),
                &[
                    ("connected_system", directory.clone()),
                    (
                        "external_id",
                        format!("cn=Spare group {n},ou=groups,dc=test"),
                    ),
                ],
            )
            .await;
        expect_see_other(linked, "linking a group to a directory").await;
        let (token, _) = gatehouse::services::provisioning::create_token(
            &self.app.db,
            &self.app.clock,
            &gatehouse::domain::principal::Principal::console(),
            &format!("Identity provider {n}"),
            "90",
        )
        .await
        .expect("a provisioning token");
        let provisioning_token = token.id.to_string();
        let (owner, roles) = gatehouse::store::users::signed_in(&self.app.db, user)
            .await
            .expect("database")
            .expect("the User actor");
        // A person may hold only so many tokens; each cell gets a fresh one.
        {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            gatehouse::entities::api_token::Entity::delete_many()
                .filter(gatehouse::entities::api_token::Column::OwnerId.eq(user))
                .exec(&self.app.db)
                .await
                .expect("old tokens cleared");
        }
        let (api_token, _) = gatehouse::services::api_tokens::create(
            &self.app.db,
            &self.app.clock,
            &gatehouse::domain::principal::Principal::session(&owner, roles, None),
            &gatehouse::services::api_tokens::NewToken {
                name: format!("Script {n}"),
                valid_days: "30".into(),
                scopes: vec!["User.Read.All".into()],
            },
        )
        .await
        .expect("an API token");
        let api_token = api_token.id.to_string();
        let (app_registration, _) = gatehouse::services::apps::create(
            &self.app.db,
            &self.app.clock,
            &gatehouse::domain::principal::Principal::console(),
            &gatehouse::services::apps::NewApp {
                name: format!("Daemon {n}"),
                valid_days: "180".into(),
                permissions: vec!["User.Read.All".into()],
            },
        )
        .await
        .expect("an app registration");
        let app_registration = app_registration.id.to_string();
        Targets {
            catalog,
            catalog_name,
            empty_catalog,
            group,
            spare_group,
            package,
            package_name,
            policy,
            policy_name,
            resource_role,
            request,
            assigned_package,
            assignment,
            idle_package,
            idle_policy,
            draft,
            victim,
            victim_upn,
            victim_name,
            connected,
            connected_name,
            directory,
            webhook_change,
            provisioning_token,
            api_token,
            app_registration,
        }
    }

    /// `New access package` by the Global administrator: the draft's Basics tab.
    async fn start_draft(&self, catalog: &str) -> String {
        let started = self
            .post(
                Actor::GlobalAdmin,
                "/admin/access-packages/new",
                &[("catalog", catalog.to_owned())],
            )
            .await;
        expect_see_other(started, "New access package").await
    }

    /// A package in `catalog` granting membership of `group`, with its one policy; made
    /// through the services, as the wizard is not what the matrix is about. Ids as in URLs.
    async fn new_package(
        &self,
        catalog: &str,
        name: &str,
        group: GroupId,
        policy: PolicySpec,
    ) -> (String, String) {
        let catalog = catalog.parse().expect("a catalog id");
        let package = self.app.create_package(catalog, name, &[group]).await;
        let policy = self.app.create_policy(package, policy).await;
        (package.to_string(), policy.to_string())
    }
}

/// The policy of [`approval_policy`]'s form, as the services take it.
fn requests_with_approval(name: &str, user: UserId, approver: UserId) -> PolicySpec {
    policy(name, &[user], &[approver]).custom_schedule(false)
}

/// `None (administrator direct assignments only)`, never expiring.
fn direct_assignments(name: &str) -> PolicySpec {
    policy(name, &[], &[])
        .direct_assignments_only()
        .expires(Expiration::Never)
}

/// A policy that lets `user` request, approved by `approver`.
pub fn approval_policy(name: &str, user: &str, approver: &str) -> Fields {
    let mut fields = policy_fields(name);
    fields.extend([
        ("who_can_request", "directory".to_owned()),
        ("directory_scope", "specific".to_owned()),
        ("requestor", format!("user:{user}")),
        ("require_approval", "yes".to_owned()),
        ("approver", approver.to_owned()),
        ("approval_days", "14".to_owned()),
        ("expiration", "days".to_owned()),
        ("expiration_days", "30".to_owned()),
    ]);
    fields
}

fn policy_fields(name: &str) -> Fields {
    vec![
        ("display_name", name.to_owned()),
        ("description", String::new()),
        ("require_requestor_justification", "no".to_owned()),
        ("require_approver_justification", "no".to_owned()),
        ("custom_schedule", "no".to_owned()),
        ("enabled", "yes".to_owned()),
    ]
}

pub fn request_fields() -> Fields {
    vec![
        ("justification", "Working on the project".to_owned()),
        ("specific_period", "no".to_owned()),
    ]
}

/// The `New connected system` form of a webhook that points where nothing listens.
pub fn webhook_fields(name: &str, secret: &str) -> Fields {
    vec![
        ("kind", "webhook".to_owned()),
        ("display_name", name.to_owned()),
        ("url", "http://127.0.0.1:9/hook".to_owned()),
        ("secret", secret.to_owned()),
        ("enabled", "on".to_owned()),
    ]
}

/// The `New connected system` form of an LDAP directory that nothing answers for.
pub fn directory_fields(n: usize) -> Fields {
    vec![
        ("kind", "ldap".to_owned()),
        ("display_name", format!("Directory {n}")),
        ("url", "ldap://127.0.0.1:9".to_owned()),
        ("bind_dn", String::new()),
        ("secret", String::new()),
        ("users_base_dn", "ou=people,dc=test".to_owned()),
        ("users_filter", "(objectClass=inetOrgPerson)".to_owned()),
        ("user_match", "uid".to_owned()),
        ("groups_base_dn", "ou=groups,dc=test".to_owned()),
        ("groups_filter", "(objectClass=groupOfNames)".to_owned()),
        ("membership", "member".to_owned()),
        ("page_size", "0".to_owned()),
        ("import", "on".to_owned()),
        ("sync_minutes", "0".to_owned()),
        ("enabled", "on".to_owned()),
    ]
}
