//! Counts per day for the dashboard's charts, and a short-lived cache of them.

use super::users_list::{self, Status, UserFilter};
use super::{ConnRef, on};
use crate::error::AppError;

/// What a chart counts; each reads one table's indexed `created_at`.
#[derive(Debug, Clone, Copy)]
pub enum Series {
    Registrations,
    Reports,
}

pub const DAY: i64 = 86_400;

/// `(day number since the epoch, rows created that day)` from `since` on,
/// days without rows left out.
pub async fn per_day(c: ConnRef<'_>, series: Series, since: i64) -> Result<Vec<(i64, i64)>, AppError> {
    let table = match series {
        Series::Registrations => "users",
        Series::Reports => "reports",
    };
    let sql = format!(
        "SELECT created_at / {DAY} AS day, COUNT(*) FROM {table} WHERE created_at >= $1 \
         GROUP BY created_at / {DAY} ORDER BY day"
    );
    Ok(on!(c, |x| sqlx::query_as(&sql).bind(since).fetch_all(&mut *x).await)?)
}

/// Registrations waiting for an admin's approval (the user list's
/// `status=pending`), counted up to `cap` (`None`: more than that). A full
/// count of 160,000 pending accounts of ten million took 10 ms per view.
pub async fn pending_approvals(c: ConnRef<'_>, cap: i64) -> Result<Option<i64>, AppError> {
    let pending = UserFilter { status: Some(Status::Pending), ..Default::default() };
    users_list::count_capped(c, &pending, cap).await
}

/// Registrations and reports per day for the last `days` days, from `first_day`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Daily {
    pub first_day: i64,
    pub registrations: Vec<(i64, i64)>,
    pub reports: Vec<(i64, i64)>,
}

/// How long counts may be reused: charts of 30 days and nodeinfo's totals
/// need not be recounted for every page view.
const TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// A count of one process, recomputed at most once a [`TTL`].
#[derive(Debug)]
pub struct MinuteCache<T>(std::sync::Mutex<Option<(std::time::Instant, T)>>);

impl<T> Default for MinuteCache<T> {
    fn default() -> Self {
        MinuteCache(std::sync::Mutex::new(None))
    }
}

impl<T: Clone> MinuteCache<T> {
    /// The kept value, if it is younger than [`TTL`] and `fits` the question.
    fn fresh(&self, fits: impl Fn(&T) -> bool) -> Option<T> {
        match self.0.lock().expect("cache lock").as_ref() {
            Some((at, v)) if at.elapsed() < TTL && fits(v) => Some(v.clone()),
            _ => None,
        }
    }

    fn keep(&self, v: &T) {
        *self.0.lock().expect("cache lock") = Some((std::time::Instant::now(), v.clone()));
    }
}

/// The dashboard's per-day series.
pub type DailyCache = MinuteCache<Daily>;

impl MinuteCache<Daily> {
    pub async fn get(&self, mut c: ConnRef<'_>, first_day: i64) -> Result<Daily, AppError> {
        if let Some(d) = self.fresh(|d| d.first_day == first_day) {
            return Ok(d);
        }
        let since = first_day * DAY;
        let d = Daily {
            first_day,
            registrations: per_day(c.reborrow(), Series::Registrations, since).await?,
            reports: per_day(c.reborrow(), Series::Reports, since).await?,
        };
        self.keep(&d);
        Ok(d)
    }
}

/// Nodeinfo's totals: counting a million accounts on every client start is wasteful.
pub type UsageCache = MinuteCache<Usage>;

impl MinuteCache<Usage> {
    pub async fn get(&self, c: ConnRef<'_>, now: i64) -> Result<Usage, AppError> {
        if let Some(u) = self.fresh(|_| true) {
            return Ok(u);
        }
        let u = nodeinfo_usage(c, now).await?;
        self.keep(&u);
        Ok(u)
    }
}

/// The counts nodeinfo publishes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub users: i64,
    pub active_month: i64,
    pub active_halfyear: i64,
    pub local_posts: i64,
}

/// Local accounts (all, and active in the last 30 and 180 days) and live
/// local statuses, as of `now`.
pub async fn nodeinfo_usage(mut c: ConnRef<'_>, now: i64) -> Result<Usage, AppError> {
    const USERS: &str = "SELECT COUNT(*), \
        COALESCE(SUM(CASE WHEN last_active_at >= $1 THEN 1 ELSE 0 END), 0), \
        COALESCE(SUM(CASE WHEN last_active_at >= $2 THEN 1 ELSE 0 END), 0) \
        FROM users WHERE local";
    const POSTS: &str = "SELECT COUNT(*) FROM statuses WHERE local AND deleted_at IS NULL";
    let (users, active_month, active_halfyear): (i64, i64, i64) = on!(c.reborrow(), |x| sqlx::query_as(USERS)
        .bind(now - 30 * DAY)
        .bind(now - 180 * DAY)
        .fetch_one(&mut *x)
        .await)?;
    let local_posts = on!(c, |x| sqlx::query_scalar(POSTS).fetch_one(&mut *x).await)?;
    Ok(Usage { users, active_month, active_halfyear, local_posts })
}

/// The instances remote accounts come from (Mastodon's peers): a scan of the
/// remote accounts, so kept for a minute.
pub type PeersCache = MinuteCache<Vec<String>>;

impl MinuteCache<Vec<String>> {
    pub async fn get(&self, c: ConnRef<'_>) -> Result<Vec<String>, AppError> {
        if let Some(p) = self.fresh(|_| true) {
            return Ok(p);
        }
        let p = peers(c).await?;
        self.keep(&p);
        Ok(p)
    }
}

/// Hosts of remote accounts (`name@host`), sorted.
pub async fn peers(c: ConnRef<'_>) -> Result<Vec<String>, AppError> {
    const SQLITE: &str = "SELECT DISTINCT lower(substr(nickname, instr(nickname, '@') + 1)) AS host FROM users \
        WHERE NOT local AND instr(nickname, '@') > 0 ORDER BY host";
    const POSTGRES: &str = "SELECT DISTINCT lower(split_part(nickname, '@', 2)) AS host FROM users \
        WHERE NOT local AND strpos(nickname, '@') > 0 ORDER BY host";
    Ok(match c {
        ConnRef::Sqlite(x) => sqlx::query_scalar(SQLITE).fetch_all(&mut *x).await?,
        ConnRef::Postgres(x) => sqlx::query_scalar(POSTGRES).fetch_all(&mut *x).await?,
    })
}
