//! What each cell sends: the route's path with the seeded objects' ids in it, and form
//! fields a person could have typed.
use crate::helpers::PASSWORD;

use super::Actor;
use super::world::{Fields, Targets, World, approval_policy, request_fields, webhook_fields};

/// The route's path with the seeded objects' ids in it (and the query a page needs).
pub fn fill(pattern: &str, t: &Targets, world: &World) -> String {
    // Deleting needs something nothing depends on; refusing to delete in use is not the
    // matrix's business.
    let delete = pattern.ends_with("/delete");
    let id = match pattern.split('/').nth(2) {
        Some("users") => &t.victim,
        Some("groups") if pattern.ends_with("/connected-system/remove") => &t.spare_group,
        Some("groups") => &t.group,
        Some("catalogs") if delete => &t.empty_catalog,
        Some("catalogs") => &t.catalog,
        Some("access-packages") if pattern.contains("{assignment}") => &t.assigned_package,
        Some("access-packages") if delete => &t.idle_package,
        Some("access-packages") => &t.package,
        Some("request-history" | "approvals") => &t.request,
        Some("access") => &t.assignment,
        Some("api-tokens") => &t.api_token,
        Some("app-registrations") => &t.app_registration,
        // The directory: it imports, and its drift page has the linked spare group.
        Some("connected-systems") if pattern.contains("/drift") || pattern.ends_with("/sync") => {
            &t.directory
        }
        Some("connected-systems") => &t.connected,
        _ => "",
    };
    let role = if pattern.starts_with("/admin/catalogs/") {
        "catalogReader"
    } else {
        &t.resource_role
    };
    let path = pattern
        .replace(
            "/tokens/{id}/",
            &format!("/tokens/{}/", t.provisioning_token),
        )
        .replace("{id}", id)
        .replace("{user}", &t.victim)
        .replace("{group}", &t.spare_group)
        .replace("{role}", role)
        .replace("{draft}", &t.draft)
        .replace("{tab}", "basics")
        .replace("{request}", &t.request)
        .replace("{assignment}", &t.assignment)
        .replace("{policy}", if delete { &t.idle_policy } else { &t.policy })
        .replace("{change}", &t.webhook_change)
        .replace("{file}", "gatehouse.css");
    assert!(
        !path.contains('{'),
        "{pattern} has a parameter fill() does not know"
    );
    match pattern {
        "/setup" => format!(
            "/setup?token={}",
            world.app.setup_token.as_deref().unwrap_or_default()
        ),
        "/myaccess/access-packages/request" => format!("{path}?package={}", t.package),
        _ => path,
    }
}

/// Plausible form fields for each post, so that a refusal is about who asks, not what they
/// typed; `n` keeps new names apart.
pub fn fields(pattern: &str, actor: Actor, t: &Targets, world: &World, n: usize) -> Fields {
    let text = |s: &str| s.to_owned();
    let user_id = world.person(Actor::User).id.clone();
    let second_user = world.person(Actor::SecondUser).id.clone();
    match pattern {
        "/" => {
            let upn = match actor {
                Actor::Anonymous => world.person(Actor::SecondUser).upn.clone(),
                _ => world.person(actor).upn.clone(),
            };
            vec![("username", upn), ("password", text(PASSWORD))]
        }
        "/setup" => vec![
            ("token", world.app.setup_token.clone().unwrap_or_default()),
            ("display_name", text("Late admin")),
            ("user_principal_name", text("late@woodgrove.test")),
            ("email", String::new()),
            ("password", text(PASSWORD)),
            ("confirm_password", text(PASSWORD)),
        ],
        "/admin/users/new" => vec![
            ("display_name", format!("New user {n}")),
            ("user_principal_name", format!("new{n}@woodgrove.test")),
            ("email", String::new()),
            ("directory_role", text("user")),
            ("password", text(PASSWORD)),
        ],
        "/admin/users/{id}/edit" => vec![
            ("display_name", t.victim_name.clone()),
            ("user_principal_name", t.victim_upn.clone()),
            ("email", String::new()),
            ("directory_role", text("user")),
        ],
        "/admin/users/{id}/reset-password" => vec![
            ("password", format!("{PASSWORD} again")),
            ("confirm_password", format!("{PASSWORD} again")),
        ],
        "/admin/groups/new" => vec![
            ("display_name", format!("New group {n}")),
            ("description", String::new()),
            ("membership_type", text("assigned")),
        ],
        "/admin/groups/{id}/members/add" => vec![("user_id", second_user)],
        "/admin/connected-systems/new" => webhook_fields(&format!("New hook {n}"), "another"),
        "/admin/groups/{id}/connected-system" => vec![
            ("connected_system", t.directory.clone()),
            ("external_id", text("cn=Loose group,ou=groups,dc=test")),
        ],
        "/admin/connected-systems/{id}/edit" => webhook_fields(&t.connected_name, ""),
        "/admin/connected-systems/{id}/drift/{group}/mode" => vec![("mode", text("report"))],
        "/admin/notifications/test" => vec![("to", format!("test{n}@woodgrove.test"))],
        "/admin/connected-systems/scim-provisioning/tokens" => vec![
            ("name", format!("Identity provider {n}")),
            ("valid_days", text("90")),
        ],
        "/myaccess/api-tokens" => vec![
            ("name", format!("Script {n}")),
            ("valid_days", text("30")),
            ("scope", text("EntitlementManagement.Read.All")),
        ],
        "/admin/app-registrations" => vec![
            ("name", format!("Daemon {n}")),
            ("valid_days", text("180")),
            ("permission", text("User.Read.All")),
        ],
        "/admin/app-registrations/{id}/secret" => vec![("valid_days", text("90"))],
        "/admin/connected-systems/scim-provisioning/settings" => {
            vec![("upn_domain", format!("tenant{n}.example"))]
        }
        "/admin/catalogs/new" | "/admin/catalogs/{id}/edit" => vec![
            (
                "display_name",
                if pattern.ends_with("/new") {
                    format!("New catalog {n}")
                } else {
                    t.catalog_name.clone()
                },
            ),
            ("description", String::new()),
            ("is_enabled", text("yes")),
            ("is_externally_visible", text("no")),
        ],
        "/admin/catalogs/{id}/resources/add" => vec![("group_id", t.group.clone())],
        "/admin/catalogs/{id}/roles/add" => vec![
            ("user_id", t.victim.clone()),
            ("role", text("accessPackageManager")),
        ],
        "/admin/access-packages/new" => vec![("catalog", t.catalog.clone())],
        "/admin/access-packages/new/{draft}/{tab}" => vec![
            ("display_name", format!("Drafted package {n}")),
            ("description", String::new()),
            ("catalog_id", t.catalog.clone()),
            ("action", text("next")),
        ],
        "/admin/access-packages/{id}/assignments/{assignment}/extend" => vec![(
            "end_date",
            (gatehouse::clock::Clock::now(&world.app.clock) + time::Duration::days(400))
                .date()
                .to_string(),
        )],
        "/myaccess/access/{id}/extend" => {
            vec![
                ("justification", text("Still needed")),
                ("end_date", String::new()),
            ]
        }
        "/admin/access-packages/{id}/assignments/new" => vec![
            ("user_id", second_user),
            ("policy", t.policy.clone()),
            ("end_date", String::new()),
        ],
        "/admin/access-packages/{id}/resource-roles/add" => vec![
            ("group_id", t.spare_group.clone()),
            ("role", text("member")),
        ],
        "/admin/access-packages/{id}/policies/new"
        | "/admin/access-packages/{id}/policies/{policy}/edit" => {
            let name = if pattern.ends_with("/new") {
                format!("Another policy {n}")
            } else {
                t.policy_name.clone()
            };
            let approver = world.person(Actor::Approver).id.clone();
            let mut fields = approval_policy(&name, &user_id, &approver);
            fields.push(("action", text("save")));
            fields
        }
        "/admin/access-packages/{id}/properties" => vec![
            ("display_name", t.package_name.clone()),
            ("description", String::new()),
            ("is_hidden", text("no")),
        ],
        "/myaccess/access-packages/{id}" => request_fields(),
        "/myaccess/approvals/{id}" => vec![
            ("decision", text("Approve")),
            ("reason", text("Fine by me")),
        ],
        // Confirmations and removals carry only the token.
        _ => Vec::new(),
    }
}
