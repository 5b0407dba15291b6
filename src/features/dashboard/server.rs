//! The dashboard's numbers: pending work, sizes, and the last 30 days.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::features::audit::server::LogLine;

/// Days the charts cover, today included.
pub const DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DashboardData {
    pub open_reports: i64,
    /// The newest open report, where "Start triage" leads.
    pub newest_open: Option<i64>,
    /// Exact up to the user list's `COUNT_CAP`; `None` beyond.
    pub pending_approvals: Option<i64>,
    /// Users: exact below 100,000, else the planner's estimate.
    pub users: i64,
    pub users_exact: bool,
    pub statuses: i64,
    /// First day shown (days since the epoch), then one count per day.
    pub first_day: i64,
    pub registrations: Vec<i64>,
    pub reports: Vec<i64>,
    /// The latest moderation-log entries (admins only; empty for moderators).
    pub log: Vec<LogLine>,
    /// The viewer may approve registrations (the card leads to the queue).
    pub approver: bool,
}

/// Counts per day from `first_day` for `DAYS` days, zeros filled in.
pub fn fill(first_day: i64, rows: &[(i64, i64)]) -> Vec<i64> {
    (first_day..first_day + DAYS).map(|d| rows.iter().find(|r| r.0 == d).map_or(0, |r| r.1)).collect()
}

#[server]
pub async fn dashboard() -> Result<DashboardData, AppError> {
    dashboard_for(&crate::auth::moderator()?).await
}

/// The dashboard's numbers, in a span naming the viewer.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn dashboard_for(ctx: &crate::auth::ModeratorCtx) -> Result<DashboardData, AppError> {
    use crate::features::users::server::COUNT_CAP;
    use crate::server::state::AppState;
    use crate::server::storage::audit::{self, LogFilter, Page};
    use crate::server::storage::stats::{self, DAY};
    use crate::server::storage::{now, reports, statuses, users_list};

    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let first_day = now() / DAY - (DAYS - 1);
    let estimate = users_list::total_estimate(conn.as_ref()).await?;
    let (users, users_exact) = if estimate < 100_000 {
        (users_list::count_exact(conn.as_ref(), &Default::default()).await?, true)
    } else {
        (estimate, false)
    };
    let daily = state.daily.get(conn.as_ref(), first_day).await?;
    let log = if ctx.staff().is_admin() {
        let page = audit::page(conn.as_ref(), &LogFilter::default(), Page::First, 8).await?;
        page.rows.into_iter().map(LogLine::from).collect()
    } else {
        Vec::new()
    };
    Ok(DashboardData {
        open_reports: reports::count_open(conn.as_ref()).await?,
        newest_open: reports::next_open(conn.as_ref(), i64::MAX).await?,
        pending_approvals: stats::pending_approvals(conn.as_ref(), COUNT_CAP).await?,
        users,
        users_exact,
        statuses: statuses::count_by_visibility(conn.as_ref()).await?.iter().map(|r| r.1).sum(),
        first_day,
        registrations: fill(first_day, &daily.registrations),
        reports: fill(first_day, &daily.reports),
        log,
        approver: ctx.staff().is_admin(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_without_rows_count_zero() {
        let v = fill(100, &[(100, 3), (129, 7)]);
        assert_eq!(v.len(), DAYS as usize);
        assert_eq!((v[0], v[1], v[29]), (3, 0, 7));
    }
}
