//! Typed ids (Graph-style UUIDs), used directly as database columns.
use std::fmt;
use std::str::FromStr;

use sea_orm::DeriveValueType;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, DeriveValueType)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new id: UUID version 7, so that ids made one after the other sort together
            /// and a new row lands at the end of its primary-key index instead of on a
            /// random page of it.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        // Ids are made here, never by the database, so one never comes back as an integer.
        impl sea_orm::TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
                Err(sea_orm::DbErr::ConvertFromU64(stringify!($name)))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

typed_id!(
    /// A person who can sign in.
    UserId,
    /// A security group.
    GroupId,
    /// One membership row (a user in a group, from one source).
    MembershipId,
    /// One audit log entry.
    AuditEventId,
    /// A catalog of resources and access packages.
    CatalogId,
    /// A group added to a catalog.
    CatalogResourceId,
    /// A user's role in a catalog.
    CatalogRoleId,
    /// An access package.
    AccessPackageId,
    /// A group and role that an access package grants.
    ResourceRoleId,
    /// An assignment policy of an access package.
    PolicyId,
    /// A user or group a policy lets request.
    PolicyRequestorId,
    /// A user who approves requests under a policy.
    PolicyApproverId,
    /// A `New access package` wizard in progress.
    DraftId,
    /// An access package assignment.
    AssignmentId,
    /// A request to add or remove an assignment.
    RequestId,
    /// An approver's decision on a request.
    DecisionId,
    /// A line of a request's timeline.
    RequestEventId,
    /// A connected system (LDAP directory, SCIM service provider, webhook).
    ConnectedSystemId,
    /// A change waiting in the outbox.
    OutboxId,
    /// An import from a directory, or a drift check.
    SyncRunId,
    /// A member changed outside Gatehouse, found by a drift check.
    DriftFindingId,
    /// One try of an outbox row.
    OutboxAttemptId,
    /// A bearer token an identity provider provisions users and groups with (SCIM).
    ProvisioningTokenId,
    /// One email to one recipient, in the mail outbox.
    EmailId,
    /// A bearer token for the Graph-compatible API (a person's own, or an app's).
    ApiTokenId,
    /// A daemon registered to call the API with a client id and secret.
    AppRegistrationId,
);

impl ConnectedSystemId {
    /// The source that users and groups provisioned through Gatehouse's own SCIM endpoint
    /// (`/scim/v2`) carry, whichever token the identity provider used: tokens are rotated,
    /// the provider stays. It is no row of `connected_systems`.
    pub const SCIM_PROVISIONING: Self =
        Self(Uuid::from_u128(0x5c1b_0000_0000_4000_8000_0000_0000_0001));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_through_its_text_form() {
        let id = UserId::new();
        let parsed: UserId = id.to_string().parse().unwrap_or_default();
        assert_eq!(parsed, id);
    }

    #[test]
    fn an_id_that_is_not_a_uuid_is_refused() {
        assert!("not-a-uuid".parse::<GroupId>().is_err());
    }
}
