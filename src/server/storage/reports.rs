//! Reports, the statuses they name, and moderators' notes on them.

use std::collections::HashMap;

use super::sql::{Dialect, Sql};
use super::{ConnRef, now, on};
use crate::domain::ReportState;
use crate::error::AppError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub reporter_id: Option<i64>,
    pub reporter_nickname: Option<String>,
    pub account_id: i64,
    pub account_nickname: String,
    pub account_display_name: String,
    pub account_active: bool,
    pub account_created_at: i64,
    pub comment: String,
    pub state: String,
    pub assignee_id: Option<i64>,
    pub assignee_nickname: Option<String>,
    /// Where a federated report came from.
    pub uri: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ReportRow {
    pub fn state(&self) -> ReportState {
        ReportState::parse(&self.state).unwrap_or(ReportState::Open)
    }
}

const FROM: &str = "reports r JOIN users au ON au.id = r.account_id \
    LEFT JOIN users ru ON ru.id = r.reporter_id LEFT JOIN users su ON su.id = r.assignee_id";
const COLUMNS: &str = "r.id, r.reporter_id, ru.nickname AS reporter_nickname, r.account_id, \
    au.nickname AS account_nickname, au.display_name AS account_display_name, au.is_active AS account_active, \
    au.created_at AS account_created_at, r.comment, r.state, r.assignee_id, su.nickname AS assignee_nickname, \
    r.uri, r.created_at, r.updated_at";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    /// Accounts with the most reports (in the filtered state) first.
    MostReported,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "newest" => Some(Sort::Newest),
            "oldest" => Some(Sort::Oldest),
            "most_reported" => Some(Sort::MostReported),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::MostReported => "most_reported",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub state: Option<ReportState>,
    pub account_id: Option<i64>,
}

impl ReportFilter {
    fn push_where<DB: Dialect>(&self, q: &mut Sql<DB>, alias: &str) {
        if let Some(s) = self.state {
            q.and().push(format!("{alias}.state = ")).bind(s.as_str());
        }
        if let Some(a) = self.account_id {
            q.and().push(format!("{alias}.account_id = ")).bind(a);
        }
    }
}

/// Where a keyset page starts: after this row in the sort's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    Id(i64),
    /// Grouped view: (newest report id, status id)
    Group(i64, i64),
    /// (reports against the account, account id, report id)
    Ranked(i64, i64, i64),
}

impl Cursor {
    pub fn encode(self) -> String {
        match self {
            Cursor::Id(id) => id.to_string(),
            Cursor::Group(latest, status) => format!("{latest}.{status}"),
            Cursor::Ranked(n, a, id) => format!("{n}.{a}.{id}"),
        }
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let parts: Vec<i64> = s.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        match parts[..] {
            [id] => Some(Cursor::Id(id)),
            [latest, status] => Some(Cursor::Group(latest, status)),
            [n, a, id] => Some(Cursor::Ranked(n, a, id)),
            _ => None,
        }
    }
}

/// One keyset page: rows, and the cursor of the next page if there is one.
pub struct Page {
    pub rows: Vec<ReportRow>,
    /// For most-reported: how many reports each listed account has.
    pub account_counts: HashMap<i64, i64>,
    pub next: Option<Cursor>,
}

pub async fn page(
    c: ConnRef<'_>,
    filter: &ReportFilter,
    sort: Sort,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page, AppError> {
    let mut rows: Vec<Ranked> =
        on!(c, |x| page_query(filter, sort, after, limit).build_query_as().fetch_all(&mut *x).await)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = more.then(|| rows.last()).flatten().map(|r| match sort {
        Sort::MostReported => Cursor::Ranked(r.n, r.row.account_id, r.row.id),
        _ => Cursor::Id(r.row.id),
    });
    let account_counts = rows.iter().map(|r| (r.row.account_id, r.n)).collect();
    Ok(Page { rows: rows.into_iter().map(|r| r.row).collect(), account_counts, next })
}

/// The query of one keyset page in `sort` order.
fn page_query<DB: Dialect>(filter: &ReportFilter, sort: Sort, after: Option<Cursor>, limit: i64) -> Sql<DB> {
    match sort {
        Sort::Newest | Sort::Oldest => {
            let mut q = Sql::new(format!("SELECT {COLUMNS}, CAST(0 AS BIGINT) AS n FROM {FROM}"));
            filter.push_where(&mut q, "r");
            let (op, dir) = if sort == Sort::Newest { ("<", "DESC") } else { (">", "ASC") };
            if let Some(Cursor::Id(id)) = after {
                q.and().push(format!("r.id {op} ")).bind(id);
            }
            q.push(format!(" ORDER BY r.id {dir}")).limit(limit + 1);
            q
        }
        Sort::MostReported => {
            // Accounts in order of their trigger-kept count, each account's
            // reports newest first: both walks are index range scans. The
            // page's ids are picked from the indexes alone and only then
            // joined to their rows: the top account's reports are sorted by
            // id whole, and sorting 1,585 of them with their joined columns
            // (500,000 reports) took 6.1 ms, their ids alone 0.5 ms.
            let mut q = Sql::new(format!(
                "SELECT {COLUMNS}, p.n AS n FROM (SELECT c.n, c.account_id, r.id FROM report_counts c CROSS JOIN reports r"
            ));
            let key = filter.state.map_or("all", ReportState::as_str);
            q.and().push("c.state = ").bind(key).push(" AND c.account_id <> 0 AND c.n > 0");
            if filter.state.is_some() {
                q.and().push("r.state = c.state");
            }
            if let Some(a) = filter.account_id {
                q.and().push("c.account_id = ").bind(a);
            }
            if let Some(Cursor::Ranked(n, a, id)) = after {
                q.and().push("(c.n < ").bind(n);
                q.push(" OR (c.n = ").bind(n).push(" AND c.account_id < ").bind(a);
                q.push(") OR (c.n = ")
                    .bind(n)
                    .push(" AND c.account_id = ")
                    .bind(a)
                    .push(" AND r.id < ")
                    .bind(id)
                    .push("))");
            }
            q.and().push("r.account_id = c.account_id");
            q.push(" ORDER BY c.n DESC, c.account_id DESC, r.id DESC").limit(limit + 1);
            q.push(format!(") p CROSS JOIN {FROM} WHERE r.id = p.id ORDER BY p.n DESC, p.account_id DESC, r.id DESC"));
            q
        }
    }
}

/// A row with its account's report count (zero unless sorted by it).
#[derive(sqlx::FromRow)]
struct Ranked {
    #[sqlx(flatten)]
    row: ReportRow,
    n: i64,
}

/// Numbered page with the exact total, for Pleroma's `page`/`page_size`.
pub async fn numbered(
    mut c: ConnRef<'_>,
    filter: &ReportFilter,
    page: i64,
    size: i64,
) -> Result<(Vec<ReportRow>, i64), AppError> {
    let rows: Vec<ReportRow> = on!(c.reborrow(), |x| {
        let mut q = Sql::new(format!("SELECT {COLUMNS} FROM {FROM}"));
        filter.push_where(&mut q, "r");
        q.push(" ORDER BY r.id DESC LIMIT ").bind(size).push(" OFFSET ").bind((page - 1) * size);
        q.build_query_as().fetch_all(&mut *x).await
    })?;
    let counts = count_by_state(c, filter.account_id).await?;
    let total = match filter.state {
        Some(s) => counts.iter().find(|c| c.0 == s).map_or(0, |c| c.1),
        None => counts.iter().map(|c| c.1).sum(),
    };
    Ok((rows, total))
}

pub async fn by_ids(c: ConnRef<'_>, ids: &[i64]) -> Result<Vec<ReportRow>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on!(c, |x| {
        let mut q = Sql::new(format!("SELECT {COLUMNS} FROM {FROM}"));
        q.and().push_in("r.id", ids).push(" ORDER BY r.id");
        q.build_query_as().fetch_all(&mut *x).await
    })?)
}

pub async fn find(c: ConnRef<'_>, id: i64) -> Result<Option<ReportRow>, AppError> {
    Ok(by_ids(c, &[id]).await?.pop())
}

/// Reports per state (every state present, zeros included), from the
/// trigger-kept `report_counts`; `None` counts every account.
pub async fn count_by_state(c: ConnRef<'_>, account_id: Option<i64>) -> Result<Vec<(ReportState, i64)>, AppError> {
    const SQL: &str = "SELECT state, n FROM report_counts WHERE account_id = $1";
    let rows: Vec<(String, i64)> =
        on!(c, |x| sqlx::query_as(SQL).bind(account_id.unwrap_or(0)).fetch_all(&mut *x).await)?;
    Ok(ReportState::ALL
        .into_iter()
        .map(|s| (s, rows.iter().find(|(name, _)| name == s.as_str()).map_or(0, |r| r.1)))
        .collect())
}

pub async fn count_open(c: ConnRef<'_>) -> Result<i64, AppError> {
    const SQL: &str = "SELECT COALESCE(MAX(n), 0) FROM report_counts WHERE account_id = 0 AND state = 'open'";
    Ok(on!(c, |x| sqlx::query_scalar(SQL).fetch_one(&mut *x).await)?)
}

/// Status ids named by each report.
pub async fn statuses_of(c: ConnRef<'_>, report_ids: &[i64]) -> Result<HashMap<i64, Vec<i64>>, AppError> {
    if report_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = on!(c, |x| {
        let mut q = Sql::new("SELECT report_id, status_id FROM report_statuses");
        q.and().push_in("report_id", report_ids).push(" ORDER BY report_id, status_id");
        q.build_query_as().fetch_all(&mut *x).await
    })?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (r, s) in rows {
        out.entry(r).or_default().push(s);
    }
    Ok(out)
}

/// The open report to show after `id`: the next older one, else the newest.
pub async fn next_open(c: ConnRef<'_>, id: i64) -> Result<Option<i64>, AppError> {
    const SQL: &str = "SELECT COALESCE(\
        (SELECT MAX(id) FROM reports WHERE state = 'open' AND id < $1), \
        (SELECT MAX(id) FROM reports WHERE state = 'open' AND id <> $1))";
    Ok(on!(c, |x| sqlx::query_scalar(SQL).bind(id).fetch_one(&mut *x).await)?)
}

pub async fn set_state(c: ConnRef<'_>, ids: &[i64], state: ReportState) -> Result<u64, AppError> {
    Ok(on!(c, |x| {
        let mut q = Sql::new("UPDATE reports SET state = ");
        q.bind(state.as_str()).push(", updated_at = ").bind(now());
        q.and().push_in("id", ids);
        q.build().execute(&mut *x).await.map(|r| r.rows_affected())
    })?)
}

pub async fn set_assignee(c: ConnRef<'_>, id: i64, assignee: Option<i64>) -> Result<u64, AppError> {
    const SQL: &str = "UPDATE reports SET assignee_id = $1, updated_at = $2 WHERE id = $3";
    Ok(on!(c, |x| sqlx::query(SQL)
        .bind(assignee)
        .bind(now())
        .bind(id)
        .execute(&mut *x)
        .await
        .map(|r| r.rows_affected()))?)
}

/// A report as intake delivers it.
pub struct NewReport<'a> {
    pub reporter_id: Option<i64>,
    pub account_id: i64,
    pub comment: &'a str,
    pub status_ids: &'a [i64],
    pub uri: Option<&'a str>,
    pub created_at: i64,
}

pub async fn insert(c: ConnRef<'_>, r: &NewReport<'_>) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO reports (reporter_id, account_id, comment, state, uri, created_at, updated_at) \
        VALUES ($1, $2, $3, 'open', $4, $5, $5) RETURNING id";
    const LINK: &str = "INSERT INTO report_statuses (report_id, status_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    on!(c, |x| {
        let id: i64 = sqlx::query_scalar(SQL)
            .bind(r.reporter_id)
            .bind(r.account_id)
            .bind(r.comment)
            .bind(r.uri)
            .bind(r.created_at)
            .fetch_one(&mut *x)
            .await?;
        for s in r.status_ids {
            sqlx::query(LINK).bind(id).bind(s).execute(&mut *x).await?;
        }
        Ok(id)
    })
}

pub async fn id_by_uri(c: ConnRef<'_>, uri: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "SELECT id FROM reports WHERE uri = $1";
    Ok(on!(c, |x| sqlx::query_scalar(SQL).bind(uri).fetch_optional(&mut *x).await)?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub report_id: i64,
    pub author_id: Option<i64>,
    pub author_nickname: String,
    pub content: String,
    pub created_at: i64,
}

pub async fn notes_of(c: ConnRef<'_>, report_ids: &[i64]) -> Result<HashMap<i64, Vec<NoteRow>>, AppError> {
    if report_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<NoteRow> = on!(c, |x| {
        let mut q = Sql::new("SELECT id, report_id, author_id, author_nickname, content, created_at FROM report_notes");
        q.and().push_in("report_id", report_ids).push(" ORDER BY id");
        q.build_query_as().fetch_all(&mut *x).await
    })?;
    let mut out: HashMap<i64, Vec<NoteRow>> = HashMap::new();
    for n in rows {
        out.entry(n.report_id).or_default().push(n);
    }
    Ok(out)
}

pub async fn add_note(
    c: ConnRef<'_>,
    report_id: i64,
    author_id: i64,
    author_nickname: &str,
    content: &str,
) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO report_notes (report_id, author_id, author_nickname, content, created_at) \
        VALUES ($1, $2, $3, $4, $5) RETURNING id";
    Ok(on!(c, |x| sqlx::query_scalar(SQL)
        .bind(report_id)
        .bind(author_id)
        .bind(author_nickname)
        .bind(content)
        .bind(now())
        .fetch_one(&mut *x)
        .await)?)
}

pub async fn find_note(c: ConnRef<'_>, report_id: i64, note_id: i64) -> Result<Option<NoteRow>, AppError> {
    const SQL: &str = "SELECT id, report_id, author_id, author_nickname, content, created_at FROM report_notes \
        WHERE report_id = $1 AND id = $2";
    Ok(on!(c, |x| sqlx::query_as(SQL).bind(report_id).bind(note_id).fetch_optional(&mut *x).await)?)
}

pub async fn delete_note(c: ConnRef<'_>, note_id: i64) -> Result<u64, AppError> {
    const SQL: &str = "DELETE FROM report_notes WHERE id = $1";
    Ok(on!(c, |x| sqlx::query(SQL).bind(note_id).execute(&mut *x).await.map(|r| r.rows_affected()))?)
}

/// A reported status: how many reports (in the listed state) name it and the newest of them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    pub status_id: i64,
    pub latest_id: i64,
    pub latest_at: i64,
    pub total: i64,
}

impl GroupRow {
    /// Where the page after this group starts.
    pub fn cursor(&self) -> Cursor {
        Cursor::Group(self.latest_id, self.status_id)
    }
}

/// One page of reported statuses, the most recently reported first, read
/// from `report_groups` (kept by triggers) as one index range.
pub async fn grouped(
    c: ConnRef<'_>,
    state: Option<ReportState>,
    after: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<GroupRow>, bool), AppError> {
    let mut rows: Vec<GroupRow> = on!(c, |x| {
        let mut q = Sql::new(
            "SELECT g.status_id, g.latest_id, r.created_at AS latest_at, g.n AS total \
             FROM report_groups g JOIN reports r ON r.id = g.latest_id",
        );
        q.and().push("g.state = ").bind(state.map_or("all", ReportState::as_str));
        if let Some(Cursor::Group(latest, status)) = after {
            q.and().push("(g.latest_id, g.status_id) < (").bind(latest).push(", ").bind(status).push(")");
        }
        q.push(" ORDER BY g.latest_id DESC, g.status_id DESC").limit(limit + 1);
        q.build_query_as().fetch_all(&mut *x).await
    })?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// The reports (in `state`, if given) naming each of these statuses, newest first.
pub async fn reports_naming(
    c: ConnRef<'_>,
    status_ids: &[i64],
    state: Option<ReportState>,
) -> Result<HashMap<i64, Vec<i64>>, AppError> {
    if status_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let filter = ReportFilter { state, ..Default::default() };
    let rows: Vec<(i64, i64)> = on!(c, |x| {
        let mut q = Sql::new("SELECT rs.status_id, r.id FROM report_statuses rs JOIN reports r ON r.id = rs.report_id");
        filter.push_where(&mut q, "r");
        q.and().push_in("rs.status_id", status_ids).push(" ORDER BY r.id DESC");
        q.build_query_as().fetch_all(&mut *x).await
    })?;
    Ok(by_status(rows))
}

/// The newest `per_status` reports (in `state`, if given) naming each of
/// these statuses: one index walk per status that stops after that many, so
/// the hundreds of older reports of a spam wave are never read.
pub async fn newest_naming(
    c: ConnRef<'_>,
    status_ids: &[i64],
    state: Option<ReportState>,
    per_status: i64,
) -> Result<HashMap<i64, Vec<i64>>, AppError> {
    if status_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = match c {
        // SQLite has no LATERAL join; a table-valued function may read the
        // row before it, so each status's newest ids come as a JSON array
        // that `json_each` turns back into rows.
        ConnRef::Sqlite(x) => {
            let mut q = Sql::new("SELECT list.value, newest.value FROM ");
            q.push_table(status_ids).push(" AS list, json_each((SELECT json_group_array(report_id) FROM (");
            push_newest_of_list(&mut q, state, per_status);
            q.push("))) AS newest ORDER BY 1, 2 DESC");
            q.build_query_as().fetch_all(&mut *x).await?
        }
        ConnRef::Postgres(x) => {
            let mut q = Sql::new("SELECT list.value, newest.report_id FROM ");
            q.push_table(status_ids).push(" CROSS JOIN LATERAL (");
            push_newest_of_list(&mut q, state, per_status);
            q.push(") AS newest ORDER BY 1, 2 DESC");
            q.build_query_as().fetch_all(&mut *x).await?
        }
    };
    Ok(by_status(rows))
}

/// The newest `per_status` reports (in `state`) naming the status `list.value`.
fn push_newest_of_list<DB: Dialect>(q: &mut Sql<DB>, state: Option<ReportState>, per_status: i64) {
    // A subquery: its conditions are its own, not the outer query's.
    q.push("SELECT rs.report_id FROM report_statuses rs JOIN reports r ON r.id = rs.report_id WHERE rs.status_id = list.value");
    if let Some(s) = state {
        q.push(" AND r.state = ").bind(s.as_str());
    }
    q.push(" ORDER BY rs.report_id DESC").limit(per_status);
}

/// (status, report) pairs gathered per status, in the order given.
fn by_status(rows: Vec<(i64, i64)>) -> HashMap<i64, Vec<i64>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (s, r) in rows {
        out.entry(s).or_default().push(r);
    }
    out
}
