//! One storage interface over two backends. SQL is shared where the dialects
//! agree (`$N` placeholders work on both; queries built at run time go
//! through [`sql::Sql`]); [`on!`] runs one body against whichever backend a
//! connection belongs to. Functions take a [`ConnRef`], so
//! the caller decides whether they run inside a transaction and owns the commit.

pub mod apps;
pub mod audit;
pub mod email_confirmations;
pub mod instance;
pub mod invites;
pub mod oauth;
pub mod organizations;
pub mod outbox;
pub mod password_resets;
pub mod registrations;
pub mod reports;
pub mod restriction_identifiers;
pub mod saved_views;
pub mod seed;
pub mod seed_content;
pub mod settings;
pub mod sql;
pub mod sso;
pub mod stats;
pub mod statuses;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod users_bulk;
pub mod users_list;
pub mod webhooks;

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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

/// A connection pool for either backend, with the gate its writers pass.
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    /// SQLite only: the single connection write transactions use.
    sqlite_writer: Option<SqlitePool>,
    /// Write transactions in flight. SQLite has one writer at a time anyway:
    /// queueing here, in order, beats polling its busy handler. On PostgreSQL
    /// the gate keeps half the pool free for reads, so a crowd of writers
    /// never starves the pages everyone else is loading.
    writers: Arc<Semaphore>,
}

#[derive(Clone, Debug)]
pub enum Pool {
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

/// A write transaction holding its place at the write gate; dropped without
/// [`Tx::commit`] it rolls back.
pub struct Tx {
    inner: TxInner,
    _turn: OwnedSemaphorePermit,
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Pool sizes and SQLite cache limits, chosen for a 2-core machine and an idle
/// RSS well under 60 MB.
const POOL_SIZE: u32 = 8;
const PG_WRITERS: usize = POOL_SIZE as usize / 2;
const SQLITE_CACHE_KIB: i64 = 8 * 1024;
const SQLITE_MMAP_BYTES: i64 = 256 * 1024 * 1024;
/// How long a request waits for a connection before answering 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a writer waits for its turn before answering 503. Long enough for
/// a queue of hundreds of ordinary writes; a bulk action over many thousands
/// of users takes seconds, and writers behind it should wait, not fail.
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(15);
/// Attempts of a transaction that lost to a deadlock or serialization failure.
const ATTEMPTS: u32 = 4;
/// A pooled PostgreSQL connection idle this long is pinged before it is handed
/// out (PostgreSQL or the network may have dropped it meanwhile); a busier one
/// is not. sqlx pings on every acquire by default: a round trip per
/// connection taken, six or more on a page, for connections in use a moment ago.
const PING_AFTER_IDLE: Duration = Duration::from_secs(10);

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating the
    /// SQLite file and its folder if missing, and applies migrations.
    pub async fn connect(url: &str) -> Result<Self, AppError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(POOL_SIZE)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= PING_AFTER_IDLE {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(opts)
                .await?;
            Db { pool: Pool::Postgres(pool), sqlite_writer: None, writers: Arc::new(Semaphore::new(PG_WRITERS)) }
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                // Another process (the CLI, a second server) may hold the
                // write lock; wait for it rather than fail.
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
            // No ping before each acquire: a SQLite connection is a file in
            // this process and cannot be dropped by a peer, and the ping is a
            // hand-off to the connection's thread and back.
            let pool = SqlitePoolOptions::new()
                .max_connections(POOL_SIZE)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .test_before_acquire(false)
                .connect_with(opts.clone())
                .await?;
            // SQLite's one writer gets a connection of its own: with the turn
            // in hand it must not queue behind readers for a pooled one.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(WRITE_TURN_TIMEOUT)
                .test_before_acquire(false)
                .connect_with(opts)
                .await?;
            Db { pool: Pool::Sqlite(pool), sqlite_writer: Some(writer), writers: Arc::new(Semaphore::new(1)) }
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
        let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
        Ok(Db { pool: Pool::Postgres(pool), sqlite_writer: None, writers: Arc::new(Semaphore::new(1)) })
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self.pool, Pool::Sqlite(_))
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
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await,
            Pool::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await,
        }
        .map_err(|e| AppError::Internal(format!("migration failed: {e}")))
    }

    pub fn backend_name(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    pub async fn conn(&self) -> Result<Conn, AppError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    /// Starts a write transaction once it is this writer's turn. On SQLite it
    /// takes the write lock up front (`BEGIN IMMEDIATE`): a deferred
    /// transaction that reads first fails when it later needs to write.
    pub async fn begin(&self) -> Result<Tx, AppError> {
        let turn = tokio::time::timeout(WRITE_TURN_TIMEOUT, self.writers.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Unavailable("Steward is busy with other changes. Try again in a moment.".into()))?
            .map_err(|_| AppError::Unavailable("Steward is shutting down.".into()))?;
        // Begun in a task of its own: a request dropped while BEGIN waits
        // (its client went away) would otherwise cut sqlx's begin in half and
        // leave the connection in the pool holding SQLite's write lock. The
        // task always finishes; a transaction nobody takes is rolled back.
        let inner = match &self.pool {
            Pool::Sqlite(p) => {
                let w = self.sqlite_writer.clone().unwrap_or_else(|| p.clone());
                TxInner::Sqlite(detached(async move { w.begin_with("BEGIN IMMEDIATE").await }).await??)
            }
            Pool::Postgres(p) => {
                let p = p.clone();
                TxInner::Postgres(detached(async move { p.begin().await }).await??)
            }
        };
        Ok(Tx { inner, _turn: turn })
    }

    /// Runs `attempt` (which opens and commits its own transaction) again
    /// when it lost to another transaction: a PostgreSQL deadlock or
    /// serialization failure, or a SQLite lock held by another process.
    /// Nothing of a failed attempt was committed, so running it again is safe.
    pub async fn retrying<T, F, Fut>(&self, mut attempt: F) -> Result<T, AppError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let mut tries = 1;
        loop {
            match attempt().await {
                Err(AppError::Contended) if tries < ATTEMPTS => {
                    // Jitter keeps the losers of one deadlock from meeting again.
                    let wait = 10 * u64::from(tries) + rand::random::<u64>() % 20;
                    tracing::debug!(tries, wait_ms = wait, "transaction lost to contention; retrying");
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    /// Refreshes SQLite's planner statistics for tables never analyzed or
    /// grown or shrunk tenfold since (`PRAGMA optimize`, sampling a bounded
    /// number of rows per index): the user list's "about N users" is read
    /// from them, and without them counts the table. PostgreSQL's autovacuum
    /// does this itself.
    pub async fn refresh_statistics(&self) -> Result<(), AppError> {
        if !self.is_sqlite() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        if let ConnRef::Sqlite(c) = tx.conn() {
            // 0x10000: check every table, not only those this connection queried.
            sqlx::query("PRAGMA optimize=0x10002").execute(&mut *c).await?;
        }
        tx.commit().await
    }

    /// Cheap round trip for `/readyz`.
    pub async fn ping(&self) -> Result<(), AppError> {
        let mut c = self.conn().await?;
        on!(c.as_ref(), |c| sqlx::query("SELECT 1").execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// (in use, idle) connections, for `/metrics`.
    pub fn pool_usage(&self) -> (u32, u32) {
        let (size, idle) = match &self.pool {
            Pool::Sqlite(p) => (p.size(), p.num_idle() as u32),
            Pool::Postgres(p) => (p.size(), p.num_idle() as u32),
        };
        (size.saturating_sub(idle), idle)
    }

    pub async fn close(&self) {
        self.writers.close();
        if let Some(w) = &self.sqlite_writer {
            w.close().await;
        }
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// Runs `work` to completion in its own task, whether or not the caller
/// stays to see the result.
async fn detached<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> Result<T, AppError> {
    tokio::spawn(work).await.map_err(|e| AppError::Internal(format!("database task: {e}")))
}

/// Prepares a batch change of these rows of `table` on PostgreSQL: batches of
/// one table take turns (a transaction-scoped advisory lock, shared by every
/// process on the database), and the rows are locked in id order. Without
/// this, two batches whose triggers bump the same count rows in different
/// orders deadlock, and PostgreSQL takes a second to notice. SQLite needs
/// nothing: its write transaction already excludes every other writer.
pub async fn lock_rows(c: ConnRef<'_>, table: LockTable, ids: &[i64]) -> Result<(), AppError> {
    if let ConnRef::Postgres(x) = c {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(table.advisory_key()).execute(&mut *x).await?;
        let sql = format!("SELECT id FROM {} WHERE id = ANY($1) ORDER BY id FOR UPDATE", table.name());
        sqlx::query(&sql).bind(ids).execute(&mut *x).await?;
    }
    Ok(())
}

/// Tables whose rows batches lock (never a name from input).
#[derive(Debug, Clone, Copy)]
pub enum LockTable {
    Users,
    Reports,
    Statuses,
}

impl LockTable {
    fn name(self) -> &'static str {
        match self {
            LockTable::Users => "users",
            LockTable::Reports => "reports",
            LockTable::Statuses => "statuses",
        }
    }

    /// A key no other advisory lock of Steward's uses ("stw" and a number).
    fn advisory_key(self) -> i64 {
        0x7374_7700 + self as i64
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
        match &mut self.inner {
            TxInner::Sqlite(t) => ConnRef::Sqlite(t),
            TxInner::Postgres(t) => ConnRef::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<(), AppError> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
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
