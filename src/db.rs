//! Opening the database (SQLite with WAL and foreign keys on every connection, or
//! PostgreSQL) and bringing its schema up to date.
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::config;

pub async fn connect(database: &config::Database) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(database.url().to_owned());
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if let config::Database::Sqlite { path, .. } = database {
        if let Some(dir) = path
            .as_ref()
            .and_then(|p| p.parent())
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        // An in-memory database lives in one connection; a file can serve several readers.
        options.max_connections(if path.is_some() { 8 } else { 1 });
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .create_if_missing(true)
        });
    } else {
        options.max_connections(16);
    }
    Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database ({})", redact(database.url())))
}

/// SQLite has one writer at a time. Writers of this process queue here, first come first
/// served, before they ask SQLite for its lock: SQLite's own wait for a busy lock polls with
/// growing sleeps (1, 2, 5, 10… ms), which under many concurrent writers leaves the lock idle
/// most of the time. Another process still waits on SQLite's lock (`busy_timeout`).
static SQLITE_WRITERS: std::sync::LazyLock<std::sync::Arc<Mutex<()>>> =
    std::sync::LazyLock::new(|| std::sync::Arc::new(Mutex::new(())));

/// A transaction that writes: on SQLite it holds this process's writer turn and SQLite's
/// write lock (`BEGIN IMMEDIATE`, so two writers queue instead of one failing after it has
/// read) until it commits or is dropped; on PostgreSQL it is an ordinary transaction.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

/// Starts a transaction that will write (see [`WriteTxn`]).
pub async fn write_txn(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let turn = if db.get_database_backend() == DbBackend::Sqlite {
        Some(SQLITE_WRITERS.clone().lock_owned().await)
    } else {
        None
    };
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    Ok(WriteTxn {
        txn: db.begin_with_options(options).await?,
        _turn: turn,
    })
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("bringing the database schema up to date")
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_left_out_of_database_urls_in_messages() {
        assert_eq!(
            redact("postgres://gh:s3cret@db:5432/gatehouse"),
            "postgres://gh@db:5432/gatehouse"
        );
        assert_eq!(
            redact("sqlite://gatehouse.db?mode=rwc"),
            "sqlite://gatehouse.db?mode=rwc"
        );
    }
}
