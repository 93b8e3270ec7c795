//! Recomputes the `name_key` of groups, catalogs and access packages: names are now compared
//! after NFKC, without invisible characters and with white space folded, not just lower-cased.
//!
//! Two existing names may now share a key ("Engineering Group" and "Engineering  Group"). The
//! older row keeps the plain key; each later one gets the key with its id appended, so that
//! the migration never fails and no row is changed but its key. A warning names every such
//! row: its name still looks like the other's, and saving it unchanged is refused as a
//! duplicate until an administrator renames it.
use std::collections::HashSet;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::sea_orm::prelude::Uuid;
use unicode_normalization::UnicodeNormalization;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Groups {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum Catalogs {
    Table,
}

#[derive(DeriveIden, Clone, Copy)]
enum AccessPackages {
    Table,
    CatalogId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Common {
    Id,
    DisplayName,
    NameKey,
    CreatedAt,
}

const KEY_MAX_CHARS: usize = 256;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing, on SQLite too.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rekey(manager, Groups::Table.into_iden(), None).await?;
        rekey(manager, Catalogs::Table.into_iden(), None).await?;
        rekey(
            manager,
            AccessPackages::Table.into_iden(),
            Some(AccessPackages::CatalogId.into_iden()),
        )
        .await
    }

    /// The old keys were the names in lower case.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Groups::Table.into_iden(),
            Catalogs::Table.into_iden(),
            AccessPackages::Table.into_iden(),
        ] {
            let rows = read(manager, table.clone(), None).await?;
            let keys = rows
                .iter()
                .map(|row| (row.id, row.display_name.to_lowercase()))
                .collect();
            write(manager, table, &rows, keys).await?;
        }
        Ok(())
    }
}

struct Row {
    id: Uuid,
    scope: Option<Uuid>,
    display_name: String,
    name_key: String,
}

/// Rewrites one table's keys; names are unique within `scope` (a column), or table-wide.
async fn rekey(
    manager: &SchemaManager<'_>,
    table: DynIden,
    scope: Option<DynIden>,
) -> Result<(), DbErr> {
    let rows = read(manager, table.clone(), scope).await?;
    // Oldest first: the row that had the name first keeps the plain key.
    let mut taken: HashSet<(Option<Uuid>, String)> = HashSet::new();
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut key = name_key(&row.display_name);
        if !taken.insert((row.scope, key.clone())) {
            let suffix = format!(" [{}]", row.id);
            let room = KEY_MAX_CHARS - suffix.chars().count();
            let kept: String = key.chars().take(room).collect();
            let unique = format!("{kept}{suffix}");
            tracing::warn!(
                table = %table.to_string(),
                id = %row.id,
                name = %row.display_name,
                key = %unique,
                "after Unicode and white-space folding this name equals an older one; \
                 its key was made unique with its id — rename it"
            );
            taken.insert((row.scope, unique.clone()));
            key = unique;
        }
        keys.push((row.id, key));
    }
    write(manager, table, &rows, keys).await
}

async fn read(
    manager: &SchemaManager<'_>,
    table: DynIden,
    scope: Option<DynIden>,
) -> Result<Vec<Row>, DbErr> {
    let mut select = Query::select();
    select
        .from(table)
        .columns([Common::Id, Common::DisplayName, Common::NameKey])
        .order_by(Common::CreatedAt, Order::Asc)
        .order_by(Common::Id, Order::Asc);
    if let Some(scope) = &scope {
        select.expr_as(Expr::col(scope.clone()), Alias::new("scope"));
    }
    let db = manager.get_connection();
    db.query_all(&select)
        .await?
        .into_iter()
        .map(|row| {
            Ok(Row {
                id: row.try_get("", "id")?,
                scope: match scope {
                    Some(_) => Some(row.try_get("", "scope")?),
                    None => None,
                },
                display_name: row.try_get("", "display_name")?,
                name_key: row.try_get("", "name_key")?,
            })
        })
        .collect()
}

/// Sets the keys that changed in two steps, first to a placeholder unique to the row, so that
/// no step trips the unique index on a key another row is about to give up.
async fn write(
    manager: &SchemaManager<'_>,
    table: DynIden,
    rows: &[Row],
    keys: Vec<(Uuid, String)>,
) -> Result<(), DbErr> {
    let changed: Vec<(Uuid, String)> = rows
        .iter()
        .zip(keys)
        .filter(|(row, (_, key))| row.name_key != *key)
        .map(|(_, key)| key)
        .collect();
    let db = manager.get_connection();
    for step in [true, false] {
        for (id, key) in &changed {
            let value = if step {
                format!("~rekey~{id}")
            } else {
                key.clone()
            };
            let update = Query::update()
                .table(table.clone())
                .value(Common::NameKey, value)
                .and_where(Expr::col(Common::Id).eq(*id))
                .to_owned();
            db.execute(&update).await?;
        }
    }
    Ok(())
}

/// A copy of `gatehouse::domain::name_key` as it was when this migration was written; a
/// later change to that function needs a migration of its own.
fn name_key(name: &str) -> String {
    let plain: String = name.nfkc().filter(|c| !is_invisible(*c)).collect();
    let lower: String = plain.to_lowercase().nfkc().collect();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{FFA0}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{E0000}'..='\u{E007F}'
    )
}
