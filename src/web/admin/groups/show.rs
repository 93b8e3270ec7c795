//! `GET /admin/groups/{id}`: the group's overview, and linking it to a directory group
//! (Global administrators).
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::extract::{DirectoryAdmin, GlobalAdmin};
use crate::auth::session::FlashKind;
use crate::domain::authz::{Action, authorize};
use crate::domain::group::Group;
use crate::ids::{ConnectedSystemId, GroupId};
use crate::services::connected::{self, Governance};
use crate::state::AppState;
use crate::store;
use crate::web::error::AppResult;
use crate::web::{filters, flash_outcome, layout::Chrome, parse_id, see_other};

#[derive(Template, WebTemplate)]
#[template(path = "admin/groups/show.html")]
pub struct GroupPage {
    chrome: Chrome,
    group: Group,
    member_count: usize,
    governance: Option<Governance>,
    /// The directory the group was imported from.
    source: Option<String>,
    /// For a Global administrator: the directories the group could be linked to.
    directories: Option<Vec<(ConnectedSystemId, String, String)>>,
}

/// Directory administrators.
pub async fn show(
    state: web::Data<AppState>,
    admin: DirectoryAdmin,
    id: web::Path<String>,
) -> AppResult<GroupPage> {
    let group = super::find(&state, &admin, &id).await?;
    let member_count = store::groups::members(&state.db, group.id).await?.len();
    let governance = connected::governance(&state.db, admin.principal(), group.id).await?;
    let source = connected::source_name(&state.db, admin.principal(), group.source_system).await?;
    let directories = if authorize(admin.principal(), Action::ManageConnectedSystems).is_ok() {
        Some(
            connected::list(&state.db, admin.principal())
                .await?
                .into_iter()
                .filter_map(|s| match s.settings {
                    crate::domain::connected::Settings::Ldap(ldap) => Some((
                        s.id,
                        s.display_name,
                        format!("the group's DN, such as cn=Sales,{}", ldap.groups_base_dn),
                    )),
                    crate::domain::connected::Settings::Scim(_) => Some((
                        s.id,
                        s.display_name,
                        "the SCIM group's id or display name".to_owned(),
                    )),
                    crate::domain::connected::Settings::Webhook(_) => None,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(GroupPage {
        chrome: Chrome::admin(admin.current(), "groups")?,
        group,
        member_count,
        governance,
        source,
        directories,
    })
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    connected_system: String,
    #[serde(default)]
    external_id: String,
}

/// `Link`: the group's members are delivered to the directory group from now on.
pub async fn link(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
    form: CsrfForm<LinkForm>,
) -> AppResult<HttpResponse> {
    let group: GroupId = parse_id(&id)?;
    let CsrfForm(form) = form;
    let page = format!("/admin/groups/{group}");
    let session = &admin.current().session;
    let Ok(system) = form.connected_system.parse::<ConnectedSystemId>() else {
        session.flash(FlashKind::Error, "Choose a connected system.");
        return Ok(see_other(&page));
    };
    let linked = connected::govern(
        &state.db,
        state.clock.as_ref(),
        &state.secrets,
        admin.principal(),
        group,
        system,
        &form.external_id,
    )
    .await;
    flash_outcome(
        session,
        linked.map(|governance| {
            format!(
                "Linked to {} in {}. Its members are being delivered there.",
                governance.external_id, governance.system_name
            )
        }),
    )?;
    Ok(see_other(&page))
}

/// `Unlink`: Gatehouse stops changing the directory group.
pub async fn unlink(
    state: web::Data<AppState>,
    admin: GlobalAdmin,
    id: web::Path<String>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<HttpResponse> {
    let group: GroupId = parse_id(&id)?;
    let result =
        connected::ungovern(&state.db, state.clock.as_ref(), admin.principal(), group).await;
    flash_outcome(
        &admin.current().session,
        result.map(|()| {
            "Unlinked. Gatehouse no longer changes the group's members in the connected system."
                .to_owned()
        }),
    )?;
    Ok(see_other(&format!("/admin/groups/{group}")))
}
