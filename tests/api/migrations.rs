//! Migrations that rewrite data, run against rows written the way older versions wrote them.
use gatehouse::domain::access_package::PackageName;
use gatehouse::domain::catalog::CatalogName;
use gatehouse::domain::group::GroupName;
use gatehouse::entities::{access_package, catalog, group};
use gatehouse::ids::{AccessPackageId, CatalogId, GroupId};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Database, DatabaseConnection, EntityTrait, QueryFilter,
};
use time::{Duration, OffsetDateTime, macros::datetime};

use crate::helpers::empty_database;

/// How many migrations come before the one named `name`: running that many gives the schema
/// it found.
fn migrations_before(name: &str) -> u32 {
    let position = Migrator::migrations()
        .iter()
        .position(|m| m.name() == name)
        .unwrap_or_else(|| panic!("no migration {name}"));
    u32::try_from(position).unwrap()
}

const T0: OffsetDateTime = datetime!(2026-11-01 09:00 UTC);

async fn old_group(db: &DatabaseConnection, name: &str, minute: i64) -> GroupId {
    let id = GroupId::new();
    let at = T0 + Duration::minutes(minute);
    let row = group::ActiveModel {
        id: Set(id),
        display_name: Set(name.to_owned()),
        name_key: Set(name.to_lowercase()),
        description: Set(String::new()),
        membership_type: Set("assigned".to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
        // Later columns: this row is written before their migration ran.
        ..Default::default()
    };
    group::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .unwrap();
    id
}

async fn old_catalog(db: &DatabaseConnection, name: &str) -> CatalogId {
    let id = CatalogId::new();
    let row = catalog::ActiveModel {
        id: Set(id),
        display_name: Set(name.to_owned()),
        name_key: Set(name.to_lowercase()),
        description: Set(String::new()),
        is_enabled: Set(true),
        is_externally_visible: Set(true),
        is_default: Set(false),
        created_at: Set(T0),
        updated_at: Set(T0),
    };
    catalog::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .unwrap();
    id
}

async fn old_package(
    db: &DatabaseConnection,
    catalog_id: CatalogId,
    name: &str,
    minute: i64,
) -> AccessPackageId {
    let id = AccessPackageId::new();
    let at = T0 + Duration::minutes(minute);
    let row = access_package::ActiveModel {
        id: Set(id),
        catalog_id: Set(catalog_id),
        display_name: Set(name.to_owned()),
        name_key: Set(name.to_lowercase()),
        description: Set(String::new()),
        is_hidden: Set(false),
        created_at: Set(at),
        updated_at: Set(at),
    };
    access_package::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .unwrap();
    id
}

async fn group_key(db: &DatabaseConnection, id: GroupId) -> String {
    group::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .name_key
}

#[tokio::test]
async fn stored_name_keys_are_folded_and_the_later_of_two_lookalikes_is_kept_apart() {
    let database = empty_database().await;
    let db = Database::connect(&database.url).await.unwrap();
    let before = migrations_before("m20261126_000001_fold_name_keys");
    Migrator::up(&db, Some(before)).await.unwrap();

    let first = old_group(&db, "Engineering Group", 0).await;
    let lookalike = old_group(&db, "Engineering  Group", 1).await;
    let hidden = old_group(&db, "Engineering\u{200b} Group", 2).await;
    let wide = old_group(&db, "ＳＡＬＥＳ", 3).await;
    let marketing = old_catalog(&db, "Marketing\u{a0}catalog").await;
    let other = old_catalog(&db, "Other catalog").await;
    let web = old_package(&db, marketing, "Web  project", 0).await;
    let web_again = old_package(&db, marketing, "Web project", 1).await;
    let web_elsewhere = old_package(&db, other, "web project", 2).await;

    Migrator::up(&db, None).await.unwrap();

    let key = |name: &str| GroupName::parse(name).unwrap().key();
    assert_eq!(group_key(&db, first).await, key("Engineering Group"));
    assert_eq!(group_key(&db, wide).await, key("Sales"));
    assert_eq!(key("Sales"), "sales");
    for later in [lookalike, hidden] {
        assert_eq!(
            group_key(&db, later).await,
            format!("engineering group [{later}]"),
            "the later lookalike keeps a key of its own"
        );
    }
    let catalog_key = catalog::Entity::find_by_id(marketing)
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .name_key;
    assert_eq!(
        catalog_key,
        CatalogName::parse("Marketing catalog").unwrap().key()
    );
    let package_key = |id| {
        let db = db.clone();
        async move {
            access_package::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .name_key
        }
    };
    let plain = PackageName::parse("Web project").unwrap().key();
    assert_eq!(package_key(web).await, plain);
    assert_eq!(
        package_key(web_again).await,
        format!("{plain} [{web_again}]")
    );
    assert_eq!(
        package_key(web_elsewhere).await,
        plain,
        "package names are unique within a catalog only"
    );
}

#[tokio::test]
async fn rows_with_values_gatehouse_does_not_know_stop_the_check_migration_with_a_message() {
    let database = empty_database().await;
    let db = Database::connect(&database.url).await.unwrap();
    let before = migrations_before("m20261126_000003_check_enumerated_columns");
    Migrator::up(&db, Some(before)).await.unwrap();
    let id = old_group(&db, "Engineering Group", 0).await;
    // Without RETURNING: the entity has columns this early schema does not.
    group::Entity::update_many()
        .col_expr(
            group::Column::MembershipType,
            sea_orm::sea_query::Expr::value("dynamic"),
        )
        .filter(group::Column::Id.eq(id))
        .exec(&db)
        .await
        .unwrap();

    let stopped = Migrator::up(&db, None).await;
    let message = stopped.map_err(|e| e.to_string()).unwrap_err();
    assert!(
        message.contains("groups.membership_type") && message.contains("'dynamic'"),
        "{message}"
    );
}
