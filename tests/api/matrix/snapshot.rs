//! Every row of every table, as text, to show that a refused post changed nothing.
use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// The tables and their columns, read once from the database's own catalog.
pub struct Tables {
    backend: DbBackend,
    columns: Vec<(String, Vec<String>)>,
}

#[derive(PartialEq, Eq)]
pub struct Snapshot(BTreeMap<String, Vec<Vec<Option<String>>>>);

async fn strings(db: &DatabaseConnection, sql: String) -> Vec<String> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("catalog query")
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("a name"))
        .collect()
}

impl Tables {
    pub async fn read(db: &DatabaseConnection) -> Self {
        let backend = db.get_database_backend();
        let names = match backend {
            DbBackend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            }
            _ => {
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            }
        };
        let mut columns = Vec::new();
        for table in strings(db, names.to_owned()).await {
            let sql = match backend {
                DbBackend::Sqlite => {
                    format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid")
                }
                _ => format!(
                    "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = '{table}' \
                     ORDER BY ordinal_position"
                ),
            };
            let names = strings(db, sql).await;
            columns.push((table, names));
        }
        assert!(
            columns.len() > 10,
            "the snapshot sees the tables: {columns:?}"
        );
        Self { backend, columns }
    }

    pub async fn snapshot(&self, db: &DatabaseConnection) -> Snapshot {
        let mut all = BTreeMap::new();
        for (table, names) in &self.columns {
            // SQLite's quote() shows blobs too; PostgreSQL casts any type to text.
            let select: Vec<String> = names
                .iter()
                .map(|c| match self.backend {
                    DbBackend::Sqlite => format!("quote(\"{c}\")"),
                    _ => format!("CAST(\"{c}\" AS TEXT)"),
                })
                .collect();
            let sql = format!("SELECT {} FROM \"{table}\"", select.join(", "));
            let mut rows: Vec<Vec<Option<String>>> = db
                .query_all_raw(Statement::from_string(self.backend, sql))
                .await
                .expect("table rows")
                .iter()
                .map(|row| {
                    (0..names.len())
                        .map(|i| row.try_get_by_index::<Option<String>>(i).expect("text"))
                        .collect()
                })
                .collect();
            rows.sort();
            all.insert(table.clone(), rows);
        }
        Snapshot(all)
    }
}

impl Snapshot {
    /// The tables whose rows differ, with the rows only one side has.
    pub fn changes_from(&self, before: &Snapshot) -> String {
        let mut out = Vec::new();
        for (table, rows) in &self.0 {
            let old = before.0.get(table).map(Vec::as_slice).unwrap_or_default();
            if rows.as_slice() != old {
                let added: Vec<_> = rows.iter().filter(|r| !old.contains(r)).collect();
                let gone: Vec<_> = old.iter().filter(|r| !rows.contains(r)).collect();
                out.push(format!("{table}: added {added:?}, removed {gone:?}"));
            }
        }
        out.join("; ")
    }
}
