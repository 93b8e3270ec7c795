//! The policy form shared by the wizard's `Policy` tab and `Add policy`: its fields as
//! typed, the users and groups picked so far, and the `Add users and groups` and
//! `Add approvers` panes, all carried by the form itself so nothing typed is lost.
use sea_orm::ConnectionTrait;
use serde::Deserialize;

use crate::domain::page::PageRequest;
use crate::domain::policy::{PolicyInput, Subject};
use crate::ids::{GroupId, UserId};
use crate::store;
use crate::web::form::FormErrors;
use crate::web::search_text;

/// Which button was pressed, and the panes' own fields.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PickerFields {
    pub action: String,
    /// Checked rows of an open pane.
    pub pick: Vec<String>,
    /// The pane's search text.
    pub picker_q: String,
}

/// Something picked, with the words to show for it.
pub struct Chosen {
    pub value: String,
    pub label: String,
    pub detail: String,
}

/// An open `Select users and groups` or `Select approvers` pane.
pub struct PickerView {
    /// `requestors` or `approvers`.
    pub kind: &'static str,
    pub q: String,
    pub options: Vec<Chosen>,
}

/// Everything the policy fields partial shows.
pub struct PolicyView {
    pub input: PolicyInput,
    pub errors: FormErrors,
    pub requestors: Vec<Chosen>,
    pub approvers: Vec<Chosen>,
    pub picker: Option<PickerView>,
}

impl PolicyView {
    pub fn picker_is(&self, kind: &str) -> bool {
        self.picker.as_ref().is_some_and(|p| p.kind == kind)
    }
}

/// A button of the `Add users and groups` and `Add approvers` panes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaneAction {
    OpenRequestors,
    OpenApprovers,
    SelectRequestors,
    SelectApprovers,
    Close,
    RemoveRequestor(String),
    RemoveApprover(String),
}

impl PaneAction {
    /// The pane button named by a form's `action`, if it is one.
    pub fn parse(action: &str) -> Option<Self> {
        Some(match action {
            "add_requestors" | "search_requestors" => Self::OpenRequestors,
            "add_approvers" | "search_approvers" => Self::OpenApprovers,
            "select_requestors" => Self::SelectRequestors,
            "select_approvers" => Self::SelectApprovers,
            "cancel_picker" => Self::Close,
            other => {
                if let Some(value) = other.strip_prefix("remove_requestor:") {
                    Self::RemoveRequestor(value.to_owned())
                } else {
                    Self::RemoveApprover(other.strip_prefix("remove_approver:")?.to_owned())
                }
            }
        })
    }
}

/// Carries out a pane button: the pane to show open afterwards, if any.
pub async fn apply(
    db: &impl ConnectionTrait,
    input: &mut PolicyInput,
    action: &PaneAction,
    fields: &PickerFields,
) -> Result<Option<PickerView>, sea_orm::DbErr> {
    let q = search_text(&fields.picker_q);
    Ok(match action {
        PaneAction::OpenRequestors => Some(requestor_options(db, &q).await?),
        PaneAction::OpenApprovers => Some(approver_options(db, &q).await?),
        PaneAction::SelectRequestors => {
            input.requestor.extend(
                fields
                    .pick
                    .iter()
                    .filter(|p| Subject::parse(p).is_some())
                    .cloned(),
            );
            input.requestor = input
                .requestors()
                .iter()
                .map(|s| s.to_form_value())
                .collect();
            None
        }
        PaneAction::SelectApprovers => {
            input.approver.extend(
                fields
                    .pick
                    .iter()
                    .filter(|p| p.parse::<UserId>().is_ok())
                    .cloned(),
            );
            input.approver = input.approvers().iter().map(|a| a.to_string()).collect();
            None
        }
        PaneAction::Close => None,
        PaneAction::RemoveRequestor(value) => {
            input.requestor.retain(|r| r != value);
            None
        }
        PaneAction::RemoveApprover(value) => {
            input.approver.retain(|a| a != value);
            None
        }
    })
}

async fn requestor_options(
    db: &impl ConnectionTrait,
    q: &str,
) -> Result<PickerView, sea_orm::DbErr> {
    let page = PageRequest::from_query(None);
    let users = store::users::search(db, q, page).await?;
    let groups = store::groups::search(db, q, page).await?;
    let mut options: Vec<Chosen> = users
        .items
        .into_iter()
        .map(|u| Chosen {
            value: Subject::User(u.id).to_form_value(),
            label: u.display_name,
            detail: u.user_principal_name,
        })
        .collect();
    options.extend(groups.items.into_iter().map(|g| Chosen {
        value: Subject::Group(g.id).to_form_value(),
        label: g.display_name,
        detail: "Group".to_owned(),
    }));
    Ok(PickerView {
        kind: "requestors",
        q: q.to_owned(),
        options,
    })
}

async fn approver_options(
    db: &impl ConnectionTrait,
    q: &str,
) -> Result<PickerView, sea_orm::DbErr> {
    let users = store::users::search(db, q, PageRequest::from_query(None)).await?;
    let options = users
        .items
        .into_iter()
        .filter(|u| u.enabled)
        .map(|u| Chosen {
            value: u.id.to_string(),
            label: u.display_name,
            detail: u.user_principal_name,
        })
        .collect();
    Ok(PickerView {
        kind: "approvers",
        q: q.to_owned(),
        options,
    })
}

/// Resolves what was picked to names, dropping anything that no longer exists.
pub async fn view(
    db: &impl ConnectionTrait,
    input: PolicyInput,
    errors: FormErrors,
    picker: Option<PickerView>,
) -> Result<PolicyView, sea_orm::DbErr> {
    let subjects = input.requestors();
    let user_ids: Vec<UserId> = subjects
        .iter()
        .filter_map(|s| {
            if let Subject::User(id) = s {
                Some(*id)
            } else {
                None
            }
        })
        .collect();
    let group_ids: Vec<GroupId> = subjects
        .iter()
        .filter_map(|s| {
            if let Subject::Group(id) = s {
                Some(*id)
            } else {
                None
            }
        })
        .collect();
    let mut requestors: Vec<Chosen> = store::users::by_ids(db, &user_ids)
        .await?
        .into_iter()
        .map(|u| Chosen {
            value: Subject::User(u.id).to_form_value(),
            label: u.display_name,
            detail: u.user_principal_name,
        })
        .collect();
    requestors.extend(
        store::groups::by_ids(db, &group_ids)
            .await?
            .into_iter()
            .map(|g| Chosen {
                value: Subject::Group(g.id).to_form_value(),
                label: g.display_name,
                detail: "Group".to_owned(),
            }),
    );
    let approvers = store::users::by_ids(db, &input.approvers())
        .await?
        .into_iter()
        .map(|u| Chosen {
            value: u.id.to_string(),
            label: u.display_name,
            detail: u.user_principal_name,
        })
        .collect();
    Ok(PolicyView {
        input,
        errors,
        requestors,
        approvers,
        picker,
    })
}

/// Puts the policy's parse errors next to their fields.
pub fn errors_from(problems: Vec<(&'static str, crate::domain::Invalid)>) -> FormErrors {
    let mut errors = FormErrors::default();
    for (field, invalid) in problems {
        errors.add(field, invalid.0);
    }
    errors
}
