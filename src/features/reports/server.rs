//! What the reports pages show, loaded by server functions that check the
//! caller's role first.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::ReportState;
use crate::error::AppError;
use crate::features::audit::server::LogLine;
use crate::features::statuses::item::StatusItem;

/// The inbox's URL state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxQuery {
    /// open (default), resolved, closed or all.
    pub state: Option<String>,
    /// newest (default), oldest or most_reported.
    pub sort: Option<String>,
    /// `grouped`: one card per reported status.
    pub view: Option<String>,
    pub after: Option<String>,
}

impl InboxQuery {
    /// This view's URL with another position (`after`), defaults left out.
    pub fn href(&self, after: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(s) = self.state.as_deref().filter(|s| *s != "open") {
            pairs.push(("state", s));
        }
        if let Some(s) = self.sort.as_deref().filter(|s| *s != "newest") {
            pairs.push(("sort", s));
        }
        if let Some(v) = self.view.as_deref().filter(|v| *v == "grouped") {
            pairs.push(("view", v));
        }
        if let Some(a) = after {
            pairs.push(("after", a));
        }
        let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if qs.is_empty() { "/reports".into() } else { format!("/reports?{qs}") }
    }

    pub fn with(&self, change: impl FnOnce(&mut InboxQuery)) -> InboxQuery {
        let mut q = InboxQuery { after: None, ..self.clone() };
        change(&mut q);
        q
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportItem {
    pub id: i64,
    pub state: ReportState,
    pub account_id: i64,
    pub account_nickname: String,
    pub account_active: bool,
    pub reporter: Option<String>,
    pub comment: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub statuses: usize,
    pub assignee: Option<String>,
    /// Reports against this account in the listed state (most-reported sort).
    pub account_reports: Option<i64>,
}

#[cfg(feature = "ssr")]
impl ReportItem {
    pub fn from_row(
        r: crate::server::storage::reports::ReportRow,
        statuses: usize,
        account_reports: Option<i64>,
    ) -> Self {
        ReportItem {
            id: r.id,
            state: r.state(),
            account_id: r.account_id,
            account_nickname: r.account_nickname,
            account_active: r.account_active,
            reporter: r.reporter_nickname,
            comment: r.comment,
            created_at: r.created_at,
            updated_at: r.updated_at,
            statuses,
            assignee: r.assignee_nickname,
            account_reports,
        }
    }
}

/// Reports naming one status.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupItem {
    pub status: StatusItem,
    pub latest_at: i64,
    /// The newest [`GROUP_SHOWN`] of them.
    pub reports: Vec<ReportItem>,
    /// How many reports (in the listed state) name the status.
    pub total: i64,
}

/// Reports listed per group; a spam wave can name one status hundreds of times.
pub const GROUP_SHOWN: usize = 3;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InboxData {
    /// `None`: all states.
    pub state: Option<ReportState>,
    pub counts: Vec<(ReportState, i64)>,
    pub items: Vec<ReportItem>,
    pub groups: Vec<GroupItem>,
    pub next: Option<String>,
    /// This view's URL, to come back to after a bulk change.
    pub here: String,
    pub notices: Vec<String>,
}

pub const PER_PAGE: i64 = 30;
/// Groups per page of the grouped view (each shows up to [`GROUP_SHOWN`] reports).
pub const GROUPS_PER_PAGE: i64 = 10;

// JSON: a query whose fields are all empty would otherwise be sent as no field at all.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn reports_inbox(query: InboxQuery) -> Result<InboxData, AppError> {
    inbox_for(&crate::auth::moderator()?, query).await
}

/// One page of the inbox, in a span naming the viewer.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
async fn inbox_for(ctx: &crate::auth::ModeratorCtx, query: InboxQuery) -> Result<InboxData, AppError> {
    use crate::server::state::AppState;
    use crate::server::storage::reports::{self, Cursor, ReportFilter, Sort};
    use crate::server::storage::statuses;

    let state = AppState::get()?;
    let mut notices = Vec::new();
    let report_state = match query.state.as_deref().map(str::trim) {
        None | Some("") | Some("open") => Some(ReportState::Open),
        Some("all") => None,
        Some(s) => ReportState::parse(s).map(Some).unwrap_or_else(|| {
            notices.push(format!("Unknown state {s:?}: showing open reports."));
            Some(ReportState::Open)
        }),
    };
    let sort = match query.sort.as_deref().map(str::trim) {
        None | Some("") => Sort::Newest,
        Some(s) => Sort::parse(s).unwrap_or_else(|| {
            notices.push(format!("Unknown sort {s:?}: showing the newest first."));
            Sort::Newest
        }),
    };
    let grouped = query.view.as_deref() == Some("grouped");
    let after = query.after.as_deref().filter(|a| !a.is_empty()).and_then(|a| {
        let c = Cursor::decode(a);
        if c.is_none() {
            notices.push("That page link is no longer valid: showing the first page.".into());
        }
        c
    });
    let mut conn = state.db.conn().await?;
    let counts = reports::count_by_state(conn.as_ref(), None).await?;
    let filter = ReportFilter { state: report_state, ..Default::default() };
    let (items, groups, next) = if grouped {
        let (rows, more) = reports::grouped(conn.as_ref(), report_state, after, GROUPS_PER_PAGE).await?;
        let sids: Vec<i64> = rows.iter().map(|g| g.status_id).collect();
        let naming = reports::newest_naming(conn.as_ref(), &sids, report_state, GROUP_SHOWN as i64).await?;
        let mut rids: Vec<i64> = naming.values().flatten().copied().collect();
        rids.sort_unstable();
        rids.dedup();
        let report_rows = reports::by_ids(conn.as_ref(), &rids).await?;
        let linked = reports::statuses_of(conn.as_ref(), &rids).await?;
        let status_rows = statuses::by_ids(conn.as_ref(), &sids).await?;
        let media = statuses::media_of(conn.as_ref(), &sids).await?;
        let mut items = StatusItem::all(status_rows, media);
        let groups = rows
            .iter()
            .filter_map(|g| {
                let pos = items.iter().position(|s| s.id == g.status_id)?;
                let status = items.swap_remove(pos);
                let named = naming.get(&g.status_id).map_or(&[][..], Vec::as_slice);
                let reports = named
                    .iter()
                    .filter_map(|id| report_rows.iter().find(|r| r.id == *id))
                    .map(|r| ReportItem::from_row(r.clone(), linked.get(&r.id).map_or(0, Vec::len), None))
                    .collect();
                Some(GroupItem { status, latest_at: g.latest_at, reports, total: g.total })
            })
            .collect();
        let next = more.then(|| rows.last().map(reports::GroupRow::cursor)).flatten();
        (Vec::new(), groups, next)
    } else {
        let page = reports::page(conn.as_ref(), &filter, sort, after, PER_PAGE).await?;
        let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
        let linked = reports::statuses_of(conn.as_ref(), &ids).await?;
        let ranked = sort == Sort::MostReported;
        let items = page
            .rows
            .into_iter()
            .map(|r| {
                let n = linked.get(&r.id).map_or(0, Vec::len);
                let count = ranked.then(|| page.account_counts.get(&r.account_id).copied()).flatten();
                ReportItem::from_row(r, n, count)
            })
            .collect();
        (items, Vec::new(), page.next)
    };
    let here = query.href(query.after.as_deref());
    Ok(InboxData {
        state: report_state,
        counts,
        items,
        groups,
        next: next.map(|c| query.href(Some(&c.encode()))),
        here,
        notices,
    })
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoteItem {
    pub id: i64,
    pub author: String,
    pub content: String,
    pub created_at: i64,
    pub can_delete: bool,
}

/// What a moderator wants to know about the reported account at a glance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountFacts {
    pub joined: i64,
    pub active: bool,
    pub statuses: i64,
    /// Reports against the account, by state (this one included).
    pub reports: Vec<(ReportState, i64)>,
    /// The latest moderation-log entries about the account.
    pub history: Vec<LogLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportDetail {
    pub report: ReportItem,
    pub statuses: Vec<StatusItem>,
    pub notes: Vec<NoteItem>,
    pub facts: AccountFacts,
    pub assigned_to_me: bool,
}

#[server]
pub async fn load_report(id: i64) -> Result<ReportDetail, AppError> {
    report_for(&crate::auth::moderator()?, id).await
}

/// One report's page, in a span naming the viewer and the report.
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, report = id), err(level = "info"))]
async fn report_for(ctx: &crate::auth::ModeratorCtx, id: i64) -> Result<ReportDetail, AppError> {
    use crate::server::state::AppState;
    use crate::server::storage::audit::{self, LogFilter, Page};
    use crate::server::storage::{reports, statuses};

    let me = ctx.staff();
    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    let row = reports::find(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    let sids = reports::statuses_of(conn.as_ref(), &[id]).await?.remove(&id).unwrap_or_default();
    let status_rows = statuses::by_ids(conn.as_ref(), &sids).await?;
    let media = statuses::media_of(conn.as_ref(), &sids).await?;
    let notes = reports::notes_of(conn.as_ref(), &[id]).await?.remove(&id).unwrap_or_default();
    let filter = LogFilter { subject_user: Some(row.account_id), ..Default::default() };
    let history = audit::page(conn.as_ref(), &filter, Page::First, 5).await?;
    let facts = AccountFacts {
        joined: row.account_created_at,
        active: row.account_active,
        statuses: statuses::count_of_account(conn.as_ref(), row.account_id).await?,
        reports: reports::count_by_state(conn.as_ref(), Some(row.account_id)).await?,
        history: history.rows.into_iter().map(LogLine::from).collect(),
    };
    let assigned_to_me = row.assignee_id == Some(me.id);
    Ok(ReportDetail {
        report: ReportItem::from_row(row, sids.len(), None),
        statuses: StatusItem::all(status_rows, media),
        notes: notes
            .into_iter()
            .map(|n| NoteItem {
                can_delete: n.author_id == Some(me.id) || me.is_admin(),
                id: n.id,
                author: n.author_nickname,
                content: n.content,
                created_at: n.created_at,
            })
            .collect(),
        facts,
        assigned_to_me,
    })
}
