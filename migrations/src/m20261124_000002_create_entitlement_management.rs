//! Catalogs with their resources and roles, access packages with their resource roles,
//! assignment policies with requestors and approvers, and drafts of the `New access package`
//! wizard.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Catalogs {
    Table,
    Id,
    DisplayName,
    NameKey,
    Description,
    IsEnabled,
    IsExternallyVisible,
    IsDefault,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CatalogResources {
    Table,
    Id,
    CatalogId,
    GroupId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CatalogRoles {
    Table,
    Id,
    CatalogId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AccessPackages {
    Table,
    Id,
    CatalogId,
    DisplayName,
    NameKey,
    Description,
    IsHidden,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AccessPackageResourceRoles {
    Table,
    Id,
    AccessPackageId,
    GroupId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AssignmentPolicies {
    Table,
    Id,
    AccessPackageId,
    DisplayName,
    Description,
    AllowedTargetScope,
    IsApprovalRequired,
    IsRequestorJustificationRequired,
    IsApproverJustificationRequired,
    ApprovalDurationDays,
    ExpirationType,
    ExpirationDuration,
    ExpirationEndDateTime,
    CanRequestorSpecifySchedule,
    IsEnabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PolicyRequestors {
    Table,
    Id,
    PolicyId,
    SubjectKind,
    UserId,
    GroupId,
}

#[derive(DeriveIden)]
enum PolicyApprovers {
    Table,
    Id,
    PolicyId,
    UserId,
}

#[derive(DeriveIden)]
enum AccessPackageDrafts {
    Table,
    Id,
    OwnerId,
    Data,
    UpdatedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    cascade: bool,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(if cascade {
            ForeignKeyAction::Cascade
        } else {
            ForeignKeyAction::Restrict
        })
        .to_owned()
}

fn index(
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Catalogs::Table)
                    .col(uuid(Catalogs::Id).primary_key())
                    .col(string_len(Catalogs::DisplayName, 256))
                    .col(string_len_uniq(Catalogs::NameKey, 256))
                    .col(string_len(Catalogs::Description, 1024))
                    .col(boolean(Catalogs::IsEnabled))
                    .col(boolean(Catalogs::IsExternallyVisible))
                    .col(boolean(Catalogs::IsDefault))
                    .col(timestamp_with_time_zone(Catalogs::CreatedAt))
                    .col(timestamp_with_time_zone(Catalogs::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CatalogResources::Table)
                    .col(uuid(CatalogResources::Id).primary_key())
                    .col(uuid(CatalogResources::CatalogId))
                    .col(uuid(CatalogResources::GroupId))
                    .col(timestamp_with_time_zone(CatalogResources::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_catalog_resources_catalog",
                        (CatalogResources::Table, CatalogResources::CatalogId),
                        (Catalogs::Table, Catalogs::Id),
                        true,
                    ))
                    // A group that is a catalog resource cannot be deleted: remove it from the catalog first.
                    .foreign_key(&mut fk(
                        "fk_catalog_resources_group",
                        (CatalogResources::Table, CatalogResources::GroupId),
                        (Groups::Table, Groups::Id),
                        false,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_catalog_resources",
                CatalogResources::Table,
                vec![
                    CatalogResources::CatalogId.into_iden(),
                    CatalogResources::GroupId.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_catalog_resources_group",
                CatalogResources::Table,
                vec![CatalogResources::GroupId.into_iden()],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CatalogRoles::Table)
                    .col(uuid(CatalogRoles::Id).primary_key())
                    .col(uuid(CatalogRoles::CatalogId))
                    .col(uuid(CatalogRoles::UserId))
                    .col(string_len(CatalogRoles::Role, 32))
                    .col(timestamp_with_time_zone(CatalogRoles::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_catalog_roles_catalog",
                        (CatalogRoles::Table, CatalogRoles::CatalogId),
                        (Catalogs::Table, Catalogs::Id),
                        true,
                    ))
                    .foreign_key(&mut fk(
                        "fk_catalog_roles_user",
                        (CatalogRoles::Table, CatalogRoles::UserId),
                        (Users::Table, Users::Id),
                        true,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_catalog_roles",
                CatalogRoles::Table,
                vec![
                    CatalogRoles::CatalogId.into_iden(),
                    CatalogRoles::UserId.into_iden(),
                    CatalogRoles::Role.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_catalog_roles_user",
                CatalogRoles::Table,
                vec![CatalogRoles::UserId.into_iden()],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccessPackages::Table)
                    .col(uuid(AccessPackages::Id).primary_key())
                    .col(uuid(AccessPackages::CatalogId))
                    .col(string_len(AccessPackages::DisplayName, 256))
                    .col(string_len(AccessPackages::NameKey, 256))
                    .col(string_len(AccessPackages::Description, 1024))
                    .col(boolean(AccessPackages::IsHidden))
                    .col(timestamp_with_time_zone(AccessPackages::CreatedAt))
                    .col(timestamp_with_time_zone(AccessPackages::UpdatedAt))
                    // A catalog with packages cannot be deleted.
                    .foreign_key(&mut fk(
                        "fk_access_packages_catalog",
                        (AccessPackages::Table, AccessPackages::CatalogId),
                        (Catalogs::Table, Catalogs::Id),
                        false,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_access_packages_name",
                AccessPackages::Table,
                vec![
                    AccessPackages::CatalogId.into_iden(),
                    AccessPackages::NameKey.into_iden(),
                ],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccessPackageResourceRoles::Table)
                    .col(uuid(AccessPackageResourceRoles::Id).primary_key())
                    .col(uuid(AccessPackageResourceRoles::AccessPackageId))
                    .col(uuid(AccessPackageResourceRoles::GroupId))
                    .col(string_len(AccessPackageResourceRoles::Role, 16))
                    .col(timestamp_with_time_zone(
                        AccessPackageResourceRoles::CreatedAt,
                    ))
                    .foreign_key(&mut fk(
                        "fk_resource_roles_package",
                        (
                            AccessPackageResourceRoles::Table,
                            AccessPackageResourceRoles::AccessPackageId,
                        ),
                        (AccessPackages::Table, AccessPackages::Id),
                        true,
                    ))
                    .foreign_key(&mut fk(
                        "fk_resource_roles_group",
                        (
                            AccessPackageResourceRoles::Table,
                            AccessPackageResourceRoles::GroupId,
                        ),
                        (Groups::Table, Groups::Id),
                        false,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_resource_roles",
                AccessPackageResourceRoles::Table,
                vec![
                    AccessPackageResourceRoles::AccessPackageId.into_iden(),
                    AccessPackageResourceRoles::GroupId.into_iden(),
                    AccessPackageResourceRoles::Role.into_iden(),
                ],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "idx_resource_roles_group",
                AccessPackageResourceRoles::Table,
                vec![AccessPackageResourceRoles::GroupId.into_iden()],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AssignmentPolicies::Table)
                    .col(uuid(AssignmentPolicies::Id).primary_key())
                    .col(uuid(AssignmentPolicies::AccessPackageId))
                    .col(string_len(AssignmentPolicies::DisplayName, 256))
                    .col(string_len(AssignmentPolicies::Description, 1024))
                    .col(string_len(AssignmentPolicies::AllowedTargetScope, 32))
                    .col(boolean(AssignmentPolicies::IsApprovalRequired))
                    .col(boolean(
                        AssignmentPolicies::IsRequestorJustificationRequired,
                    ))
                    .col(boolean(AssignmentPolicies::IsApproverJustificationRequired))
                    .col(integer(AssignmentPolicies::ApprovalDurationDays))
                    .col(string_len(AssignmentPolicies::ExpirationType, 32))
                    .col(string_len_null(AssignmentPolicies::ExpirationDuration, 32))
                    .col(timestamp_with_time_zone_null(
                        AssignmentPolicies::ExpirationEndDateTime,
                    ))
                    .col(boolean(AssignmentPolicies::CanRequestorSpecifySchedule))
                    .col(boolean(AssignmentPolicies::IsEnabled))
                    .col(timestamp_with_time_zone(AssignmentPolicies::CreatedAt))
                    .col(timestamp_with_time_zone(AssignmentPolicies::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_policies_package",
                        (
                            AssignmentPolicies::Table,
                            AssignmentPolicies::AccessPackageId,
                        ),
                        (AccessPackages::Table, AccessPackages::Id),
                        true,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_policies_package",
                AssignmentPolicies::Table,
                vec![AssignmentPolicies::AccessPackageId.into_iden()],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PolicyRequestors::Table)
                    .col(uuid(PolicyRequestors::Id).primary_key())
                    .col(uuid(PolicyRequestors::PolicyId))
                    .col(string_len(PolicyRequestors::SubjectKind, 16))
                    .col(uuid_null(PolicyRequestors::UserId))
                    .col(uuid_null(PolicyRequestors::GroupId))
                    .foreign_key(&mut fk(
                        "fk_policy_requestors_policy",
                        (PolicyRequestors::Table, PolicyRequestors::PolicyId),
                        (AssignmentPolicies::Table, AssignmentPolicies::Id),
                        true,
                    ))
                    .foreign_key(&mut fk(
                        "fk_policy_requestors_user",
                        (PolicyRequestors::Table, PolicyRequestors::UserId),
                        (Users::Table, Users::Id),
                        true,
                    ))
                    .foreign_key(&mut fk(
                        "fk_policy_requestors_group",
                        (PolicyRequestors::Table, PolicyRequestors::GroupId),
                        (Groups::Table, Groups::Id),
                        true,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_policy_requestors_policy",
                PolicyRequestors::Table,
                vec![PolicyRequestors::PolicyId.into_iden()],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PolicyApprovers::Table)
                    .col(uuid(PolicyApprovers::Id).primary_key())
                    .col(uuid(PolicyApprovers::PolicyId))
                    .col(uuid(PolicyApprovers::UserId))
                    .foreign_key(&mut fk(
                        "fk_policy_approvers_policy",
                        (PolicyApprovers::Table, PolicyApprovers::PolicyId),
                        (AssignmentPolicies::Table, AssignmentPolicies::Id),
                        true,
                    ))
                    .foreign_key(&mut fk(
                        "fk_policy_approvers_user",
                        (PolicyApprovers::Table, PolicyApprovers::UserId),
                        (Users::Table, Users::Id),
                        true,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_policy_approvers",
                PolicyApprovers::Table,
                vec![
                    PolicyApprovers::PolicyId.into_iden(),
                    PolicyApprovers::UserId.into_iden(),
                ],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccessPackageDrafts::Table)
                    .col(uuid(AccessPackageDrafts::Id).primary_key())
                    .col(uuid(AccessPackageDrafts::OwnerId))
                    .col(text(AccessPackageDrafts::Data))
                    .col(timestamp_with_time_zone(AccessPackageDrafts::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_drafts_owner",
                        (AccessPackageDrafts::Table, AccessPackageDrafts::OwnerId),
                        (Users::Table, Users::Id),
                        true,
                    ))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AccessPackageDrafts::Table.into_iden(),
            PolicyApprovers::Table.into_iden(),
            PolicyRequestors::Table.into_iden(),
            AssignmentPolicies::Table.into_iden(),
            AccessPackageResourceRoles::Table.into_iden(),
            AccessPackages::Table.into_iden(),
            CatalogRoles::Table.into_iden(),
            CatalogResources::Table.into_iden(),
            Catalogs::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
