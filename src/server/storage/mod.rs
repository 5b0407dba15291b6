//! One storage interface over two backends. SQL is shared where the dialects
//! agree (`$N` placeholders work on both); [`on!`] runs one body against
//! whichever backend a connection belongs to. Functions take a [`ConnRef`], so
//! the caller decides whether they run inside a transaction and owns the commit.

pub mod audit;
pub mod instance;
pub mod password_resets;
pub mod reports;
pub mod saved_views;
pub mod seed;
pub mod seed_content;
pub mod sql;
pub mod stats;
pub mod statuses;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod users_bulk;
pub mod users_list;

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::error::AppError;

/// Runs `$body` with `$c` bound to the backend's `&mut Connection`.
macro_rules! on {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::server::storage::ConnRef::Sqlite($c) => $body,
            $crate::server::storage::ConnRef::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;

/// A connection pool for either backend.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A borrowed connection, from a pool or inside a transaction.
pub enum ConnRef<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// A pooled connection for reads outside a transaction.
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// A transaction; dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Pool sizes and SQLite cache limits, chosen for a 2-core machine and an idle
/// RSS well under 60 MB.
const POOL_SIZE: u32 = 8;
const SQLITE_CACHE_KIB: i64 = 8 * 1024;
const SQLITE_MMAP_BYTES: i64 = 256 * 1024 * 1024;

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating the
    /// SQLite file and its folder if missing, and applies migrations.
    pub async fn connect(url: &str) -> Result<Self, AppError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(POOL_SIZE)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts)
                .await?;
            Db::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"))
                .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
                .pragma("temp_store", "memory");
            if let Some(dir) = opts.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| AppError::Internal(format!("cannot create {}: {e}", dir.display())))?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(POOL_SIZE)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(opts)
                .await?;
            Db::Sqlite(pool)
        } else {
            return Err(AppError::Internal(format!(
                "unsupported DATABASE_URL scheme in {url:?}: use sqlite://… or postgres://…"
            )));
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Connects without migrating: for maintenance connections such as the
    /// `postgres` database used to create and drop test databases.
    pub async fn connect_admin(url: &str) -> Result<Self, AppError> {
        Ok(Db::Postgres(PgPoolOptions::new().max_connections(1).connect(url).await?))
    }

    /// Runs one statement outside any transaction (DDL, maintenance).
    pub async fn exec(&self, sql: &str) -> Result<u64, AppError> {
        let mut c = self.conn().await?;
        Ok(on!(c.as_ref(), |c| sqlx::query(sql).execute(&mut *c).await.map(|r| r.rows_affected()))?)
    }

    /// One integer from a query (counts, for checks and reports).
    pub async fn scalar_i64(&self, sql: &str) -> Result<i64, AppError> {
        let mut c = self.conn().await?;
        Ok(on!(c.as_ref(), |c| sqlx::query_scalar(sql).fetch_one(&mut *c).await)?)
    }

    /// The query plan, one line per step (SQLite's EXPLAIN QUERY PLAN or
    /// PostgreSQL's EXPLAIN), for tests that pin index use.
    pub async fn explain(&self, sql: &str) -> Result<String, AppError> {
        let mut c = self.conn().await?;
        let lines: Vec<String> = match c.as_ref() {
            ConnRef::Sqlite(x) => sqlx::query_as::<_, (i64, i64, i64, String)>(&format!("EXPLAIN QUERY PLAN {sql}"))
                .fetch_all(&mut *x)
                .await?
                .into_iter()
                .map(|(_, _, _, detail)| detail)
                .collect(),
            ConnRef::Postgres(x) => sqlx::query_scalar(&format!("EXPLAIN {sql}")).fetch_all(&mut *x).await?,
        };
        Ok(lines.join("\n"))
    }

    /// Applies this backend's migrations from `migrations/<backend>`.
    pub async fn migrate(&self) -> Result<(), AppError> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await,
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await,
        }
        .map_err(|e| AppError::Internal(format!("migration failed: {e}")))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn conn(&self) -> Result<Conn, AppError> {
        Ok(match self {
            Db::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Db::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    pub async fn begin(&self) -> Result<Tx, AppError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Cheap round trip for `/readyz`.
    pub async fn ping(&self) -> Result<(), AppError> {
        let mut c = self.conn().await?;
        on!(c.as_ref(), |c| sqlx::query("SELECT 1").execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// (in use, idle) connections, for `/metrics`.
    pub fn pool_usage(&self) -> (u32, u32) {
        let (size, idle) = match self {
            Db::Sqlite(p) => (p.size(), p.num_idle() as u32),
            Db::Postgres(p) => (p.size(), p.num_idle() as u32),
        };
        (size.saturating_sub(idle), idle)
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl ConnRef<'_> {
    /// A shorter borrow, to pass the connection to one call and keep it.
    pub fn reborrow(&mut self) -> ConnRef<'_> {
        match self {
            ConnRef::Sqlite(c) => ConnRef::Sqlite(c),
            ConnRef::Postgres(c) => ConnRef::Postgres(c),
        }
    }
}

impl Conn {
    pub fn as_ref(&mut self) -> ConnRef<'_> {
        match self {
            Conn::Sqlite(c) => ConnRef::Sqlite(c),
            Conn::Postgres(c) => ConnRef::Postgres(c),
        }
    }
}

impl Tx {
    pub fn conn(&mut self) -> ConnRef<'_> {
        match self {
            Tx::Sqlite(t) => ConnRef::Sqlite(t),
            Tx::Postgres(t) => ConnRef::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<(), AppError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Rebuilds the trigger-kept counts (`report_counts`, `status_counts`,
/// `report_groups`) from the rows, after a bulk load that bypassed the triggers.
pub async fn recount(c: ConnRef<'_>) -> Result<(), AppError> {
    const SQL: [&str; 6] = [
        "DELETE FROM report_counts",
        "INSERT INTO report_counts (account_id, state, n) \
         SELECT account_id, state, COUNT(*) FROM reports GROUP BY account_id, state \
         UNION ALL SELECT account_id, 'all', COUNT(*) FROM reports GROUP BY account_id \
         UNION ALL SELECT 0, state, COUNT(*) FROM reports GROUP BY state \
         UNION ALL SELECT 0, 'all', COUNT(*) FROM reports",
        "DELETE FROM status_counts",
        "INSERT INTO status_counts (visibility, n) \
         SELECT visibility, COUNT(*) FROM statuses WHERE deleted_at IS NULL GROUP BY visibility",
        "DELETE FROM report_groups",
        "INSERT INTO report_groups (status_id, state, n, latest_id) \
         SELECT status_id, state, n, latest_id FROM report_groups_live",
    ];
    on!(c, |x| {
        for sql in SQL {
            sqlx::query(sql).execute(&mut *x).await?;
        }
        Ok(())
    })
}

/// Current time as unix seconds, the timestamp format of every table.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
