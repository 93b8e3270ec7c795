//! What the base layout needs on every page: portal, navigation, signed-in user, message.
use crate::auth::extract::CurrentUser;
use crate::web::error::AppError;

/// A one-time status message shown at the top of the next page.
pub struct Flash {
    pub kind: String,
    pub message: String,
}

#[derive(Clone)]
pub struct ChromeUser {
    pub display_name: String,
    pub role_label: &'static str,
    /// A Global or User administrator: Users, Groups and the audit log.
    pub is_admin: bool,
    /// A Global administrator: Connected systems.
    pub is_global_admin: bool,
    /// Anyone who works in the admin portal (directory admins, catalog role holders).
    pub admin_portal: bool,
    pub csrf_token: String,
    /// On My Access pages: requests waiting for this person's decision.
    pub pending_approvals: Option<u64>,
}

impl ChromeUser {
    /// The number next to `Approvals`, when there is one.
    pub fn approvals_badge(&self) -> Option<String> {
        match self.pending_approvals {
            None | Some(0) => None,
            Some(n) if n >= crate::auth::extract::PENDING_COUNT_CAP => Some("99+".to_owned()),
            Some(n) => Some(n.to_string()),
        }
    }

    pub fn of(current: &CurrentUser) -> Result<Self, AppError> {
        Ok(Self {
            display_name: current.user.display_name.clone(),
            role_label: current.user.role.label(),
            is_admin: current.user.role.is_directory_admin(),
            is_global_admin: current.user.role
                == crate::domain::user::DirectoryRole::GlobalAdministrator,
            admin_portal: current.uses_admin_portal(),
            csrf_token: current.session.csrf_token()?,
            pending_approvals: current.pending_approvals,
        })
    }
}

pub struct Chrome {
    /// `admin`, `myaccess`, or empty for pages outside both portals.
    pub portal: &'static str,
    /// The navigation entry to mark as the current page.
    pub active: &'static str,
    pub user: Option<ChromeUser>,
    pub flash: Option<Flash>,
}

impl Chrome {
    pub fn anonymous() -> Self {
        Self {
            portal: "",
            active: "",
            user: None,
            flash: None,
        }
    }

    /// The layout for an error page shown to someone who is signed in.
    pub fn for_error(user: ChromeUser) -> Self {
        let portal = if user.admin_portal {
            "admin"
        } else {
            "myaccess"
        };
        Self {
            portal,
            active: "",
            user: Some(user),
            flash: None,
        }
    }

    fn for_user(
        current: &CurrentUser,
        portal: &'static str,
        active: &'static str,
    ) -> Result<Self, AppError> {
        let flash = current
            .session
            .take_flash()
            .map(|(kind, message)| Flash { kind, message });
        Ok(Self {
            portal,
            active,
            user: Some(ChromeUser::of(current)?),
            flash,
        })
    }

    pub fn admin(current: &CurrentUser, active: &'static str) -> Result<Self, AppError> {
        Self::for_user(current, "admin", active)
    }

    pub fn my_access(current: &CurrentUser, active: &'static str) -> Result<Self, AppError> {
        Self::for_user(current, "myaccess", active)
    }

    pub fn portal_name(&self) -> &'static str {
        match self.portal {
            "admin" => "Admin portal",
            "myaccess" => "My Access",
            _ => "",
        }
    }

    pub fn csrf_token(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.csrf_token.as_str())
    }
}
