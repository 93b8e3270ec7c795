//! Test data made through the services, as the console would make it: catalogs with their
//! roles and resources, group members and owners, packages, policies and requests.
use gatehouse::domain::access_package::PackageName;
use gatehouse::domain::catalog::{CatalogName, CatalogRole};
use gatehouse::domain::group::{Description, MemberRole};
use gatehouse::domain::policy::{Expiration, PolicySpec, Subject, TargetScope};
use gatehouse::domain::principal::Principal;
use gatehouse::ids::{AccessPackageId, CatalogId, GroupId, PolicyId, RequestId, UserId};
use gatehouse::services::catalogs::{self, CatalogFields};
use gatehouse::services::packages::{self, NewPackage};
use gatehouse::services::requests::{self, NewRequest};
use gatehouse::services::{groups, policies};
use gatehouse::store;

use crate::helpers::TestApp;

/// A policy that lets `requestors` ask, approved by `approvers` (none: no approval).
pub fn policy(name: &str, requestors: &[UserId], approvers: &[UserId]) -> PolicySpec {
    PolicySpec {
        display_name: name.to_owned(),
        description: String::new(),
        scope: TargetScope::SpecificDirectoryUsers,
        requestors: requestors.iter().map(|u| Subject::User(*u)).collect(),
        approval_required: !approvers.is_empty(),
        requestor_justification_required: false,
        approvers: approvers.to_vec(),
        approval_days: 14,
        approver_justification_required: false,
        expiration: Expiration::Days(30),
        custom_schedule: true,
        enabled: true,
        reminder_days: None,
        email: true,
        extend: false,
    }
}

/// The settings [`policy`] leaves at their defaults, changed as a test reads them:
/// `policy(..).without_approval().expires(Expiration::Hours(8))`.
pub trait PolicyOptions {
    fn described(self, description: &str) -> Self;
    /// `Require requestor justification`: Yes.
    fn justification_required(self) -> Self;
    /// Delivered as soon as asked for; nobody approves.
    fn without_approval(self) -> Self;
    fn approved_also_by(self, approver: UserId) -> Self;
    fn requested_also_by(self, requestor: Subject) -> Self;
    fn expires(self, expiration: Expiration) -> Self;
    /// `Allow users to request a specific timeline`.
    fn custom_schedule(self, allowed: bool) -> Self;
    /// `None (administrator direct assignments only)`: nobody asks, so nobody approves.
    fn direct_assignments_only(self) -> Self;
    /// `Allow users to extend access`.
    fn extendable(self) -> Self;
    /// `Send reminders to approvers after (days)`.
    fn reminded_after(self, days: u32) -> Self;
    /// `Email notifications`: No.
    fn without_email(self) -> Self;
}

impl PolicyOptions for PolicySpec {
    fn described(self, description: &str) -> Self {
        Self {
            description: description.to_owned(),
            ..self
        }
    }

    fn justification_required(self) -> Self {
        Self {
            requestor_justification_required: true,
            ..self
        }
    }

    fn without_approval(self) -> Self {
        Self {
            approval_required: false,
            approvers: Vec::new(),
            approver_justification_required: false,
            ..self
        }
    }

    fn approved_also_by(mut self, approver: UserId) -> Self {
        self.approval_required = true;
        self.approvers.push(approver);
        self
    }

    fn requested_also_by(mut self, requestor: Subject) -> Self {
        self.requestors.push(requestor);
        self
    }

    fn expires(self, expiration: Expiration) -> Self {
        Self { expiration, ..self }
    }

    fn custom_schedule(self, allowed: bool) -> Self {
        Self {
            custom_schedule: allowed,
            ..self
        }
    }

    fn direct_assignments_only(self) -> Self {
        Self {
            scope: TargetScope::NotSpecified,
            requestors: Vec::new(),
            requestor_justification_required: false,
            custom_schedule: false,
            ..self.without_approval()
        }
    }

    fn extendable(self) -> Self {
        Self {
            extend: true,
            ..self
        }
    }

    fn reminded_after(self, days: u32) -> Self {
        Self {
            reminder_days: Some(days),
            ..self
        }
    }

    fn without_email(self) -> Self {
        Self {
            email: false,
            ..self
        }
    }
}

impl TestApp {
    /// The principal a signed-in `user` would be.
    pub async fn principal_of(&self, user: UserId) -> Principal {
        let found = store::users::find_by_id(&self.db, user)
            .await
            .expect("database")
            .expect("the user exists");
        let roles = store::catalogs::roles_of(&self.db, user)
            .await
            .expect("database");
        Principal::session(&found, roles, None)
    }

    pub async fn default_catalog(&self) -> CatalogId {
        store::catalogs::default_catalog(&self.db)
            .await
            .expect("database")
            .expect("the Default catalog")
            .id
    }

    pub async fn create_catalog(&self, name: &str) -> CatalogId {
        let fields = CatalogFields {
            name: CatalogName::parse(name).expect("name"),
            description: Description::parse("").expect("description"),
            is_enabled: true,
            is_externally_visible: true,
        };
        catalogs::create(&self.db, &self.clock, &Principal::console(), fields)
            .await
            .expect("catalog created")
            .id
    }

    /// `group` as a resource of `catalog`, as `Add resources` would make it.
    pub async fn add_catalog_resource(&self, catalog: CatalogId, group: GroupId) {
        catalogs::add_resource(&self.db, &self.clock, &Principal::console(), catalog, group)
            .await
            .expect("resource added");
    }

    pub async fn grant_catalog_role(&self, catalog: CatalogId, user: UserId, role: CatalogRole) {
        catalogs::add_role(
            &self.db,
            &self.clock,
            &Principal::console(),
            catalog,
            user,
            role,
        )
        .await
        .expect("catalog role granted");
    }

    /// `user` as a direct member of `group`, as `Add members` would make them.
    pub async fn add_group_member(&self, group: GroupId, user: UserId) {
        groups::add_member(
            &self.db,
            &self.clock,
            &Principal::console(),
            group,
            user,
            MemberRole::Member,
        )
        .await
        .expect("member added");
    }

    pub async fn add_group_owner(&self, group: GroupId, user: UserId) {
        groups::add_member(
            &self.db,
            &self.clock,
            &Principal::console(),
            group,
            user,
            MemberRole::Owner,
        )
        .await
        .expect("owner added");
    }

    /// A package in `catalog` granting membership of `groups` (which join the catalog).
    pub async fn create_package(
        &self,
        catalog: CatalogId,
        name: &str,
        groups: &[GroupId],
    ) -> AccessPackageId {
        let new = NewPackage {
            name: PackageName::parse(name).expect("name"),
            description: Description::parse("").expect("description"),
            catalog_id: catalog,
            resources: groups.iter().map(|g| (*g, MemberRole::Member)).collect(),
            policy: None,
            draft: None,
        };
        packages::create(&self.db, &self.clock, &Principal::console(), new)
            .await
            .expect("package created")
            .id
    }

    pub async fn create_policy(&self, package: AccessPackageId, spec: PolicySpec) -> PolicyId {
        policies::create(&self.db, &self.clock, &Principal::console(), package, &spec)
            .await
            .expect("policy created")
    }

    /// `user` requests `package` for themselves, with no specific period.
    pub async fn submit_request(&self, user: UserId, package: AccessPackageId) -> RequestId {
        let new = NewRequest {
            package,
            policy: None,
            justification: "For the project".to_owned(),
            specific_period: false,
            start: None,
            end: None,
        };
        let principal = self.principal_of(user).await;
        requests::submit(&self.db, &self.clock, &principal, new)
            .await
            .expect("request submitted")
    }
}
