//! `steward seed --statuses K --reports M`: statuses by existing users (a few
//! prolific posters, some media, every visibility, a few hostile HTML
//! payloads) and reports in waves (several reports on the same status or
//! account), in every state, some with moderators' notes. Deterministic per seed.

use std::fmt;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{ConnRef, Db, now, on};
use crate::error::AppError;

const TOPICS: &[&str] = &[
    "Just shipped a new release of my garden planner",
    "Anyone else watching the eclipse tonight?",
    "Hot take: tabs are better than spaces",
    "Made sourdough again, the crumb is finally right",
    "Our local library now lends tools. Amazing",
    "Reading a great book about the history of maps",
    "The bus was late again, third time this week",
    "New blog post about self-hosting email",
    "Cat refuses to leave the keyboard",
    "Thread about accessibility in web forms",
];
const SPAM: &[&str] = &[
    "CHEAP FOLLOWERS!!! Visit <a href=\"https://spam.example/buy\">spam.example</a> now",
    "You won a prize, claim at <a href=\"https://phish.example/login\">this link</a>",
    "Crypto giveaway, send 1 coin get 2 back <a href=\"https://scam.example\">scam.example</a>",
];
/// Hostile markup the sanitizer must neutralise on render.
const HOSTILE: &[&str] = &[
    "Look at this <script>alert('pwned')</script> trick",
    "<img src=x onerror=\"alert(1)\"> broken image",
    "<a href=\"javascript:alert(1)\" onclick=\"steal()\">click me</a>",
    "<iframe src=\"https://evil.example\"></iframe><b onmouseover=\"x()\">hover</b>",
];
const COMMENTS: &[&str] = &[
    "Spam",
    "This account is posting scam links",
    "Harassment in my mentions",
    "Please delete it",
    "Graphic content without a content warning",
    "",
    "Impersonating a public figure",
    "Hate speech",
];
const NOTES: &[&str] = &[
    "Checked the account history, first offence.",
    "Part of the spam wave from this morning.",
    "Warned the user by DM.",
    "Duplicate of an earlier report.",
];
const SPOILERS: &[&str] = &["politics", "food", "eye contact", "spoilers for the finale", "nsfw"];

pub struct Report {
    pub statuses: u64,
    pub media: u64,
    pub reports: u64,
    pub time: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seeded {} statuses ({} media) and {} reports in {:.2} s",
            self.statuses,
            self.media,
            self.reports,
            self.time.as_secs_f64()
        )
    }
}

/// Weighted visibility: mostly public.
fn visibility(rng: &mut StdRng) -> &'static str {
    match rng.gen_range(0..100) {
        0..70 => "public",
        70..85 => "unlisted",
        85..95 => "private",
        _ => "direct",
    }
}

/// A skewed pick: a few accounts post (and get reported) far more than others.
fn skewed(rng: &mut StdRng, n: usize) -> usize {
    let r: f64 = rng.r#gen();
    ((r * r * r) * n as f64) as usize % n.max(1)
}

struct StatusRow {
    id: i64,
    account_id: i64,
    content: String,
    spoiler: String,
    visibility: &'static str,
    sensitive: bool,
    local: bool,
    reblog_of: Option<i64>,
    created_at: i64,
}

struct ReportRow {
    id: i64,
    reporter_id: Option<i64>,
    account_id: i64,
    comment: &'static str,
    state: &'static str,
    created_at: i64,
    statuses: Vec<i64>,
    note: Option<(i64, String, &'static str)>,
}

const NINETY_DAYS: i64 = 90 * 86_400;
const SIXTY_DAYS: i64 = 60 * 86_400;
const CHUNK: usize = 500;

/// PostgreSQL triggers keeping the count tables, off during a seed (see
/// [`super::recount`]).
const COUNT_TRIGGERS: [(&str, &str); 4] = [
    ("statuses", "status_counts_track"),
    ("reports", "report_counts_track"),
    ("report_statuses", "report_groups_link"),
    ("reports", "report_groups_state"),
];

pub async fn content(db: &Db, statuses: u64, reports: u64, seed: u64) -> Result<Report, AppError> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_c0de);
    let mut tx = db.begin().await?;
    let mut c = tx.conn();
    let accounts: Vec<(i64, bool)> = on!(c.reborrow(), |x| sqlx::query_as(
        "SELECT id, local FROM users WHERE NOT is_admin AND NOT is_moderator ORDER BY id"
    )
    .fetch_all(&mut *x)
    .await)?;
    let staff: Vec<(i64, String)> = on!(c.reborrow(), |x| sqlx::query_as(
        "SELECT id, nickname FROM users WHERE is_admin OR is_moderator ORDER BY id"
    )
    .fetch_all(&mut *x)
    .await)?;
    if accounts.is_empty() && (statuses > 0 || reports > 0) {
        return Err(AppError::validation("users", "seed some users first (--users N)"));
    }
    let next = |table: &str| format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}");
    let first_status: i64 = on!(c.reborrow(), |x| sqlx::query_scalar(&next("statuses")).fetch_one(&mut *x).await)?;
    let first_report: i64 = on!(c.reborrow(), |x| sqlx::query_scalar(&next("reports")).fetch_one(&mut *x).await)?;
    let t_now = now();
    // PostgreSQL: one transaction updating the same count rows hundreds of
    // thousands of times builds ever longer row-version chains; count once at the end.
    if let ConnRef::Postgres(x) = c.reborrow() {
        for (table, trigger) in COUNT_TRIGGERS {
            sqlx::query(&format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}")).execute(&mut *x).await?;
        }
    }

    let mut made: Vec<(i64, i64)> = Vec::with_capacity(statuses as usize); // (status, account)
    let mut media = 0u64;
    let mut done = 0u64;
    while done < statuses {
        let n = CHUNK.min((statuses - done) as usize);
        let mut rows = Vec::with_capacity(n);
        let mut files = Vec::new();
        for i in 0..n as u64 {
            let k = done + i;
            let id = first_status + k as i64;
            let (account_id, local) = accounts[skewed(&mut rng, accounts.len())];
            let created_at = t_now - NINETY_DAYS + (k as i64 * NINETY_DAYS) / statuses as i64;
            let reblog_of =
                (rng.gen_range(0..10) == 0 && !made.is_empty()).then(|| made[rng.gen_range(0..made.len())].0);
            let content = match rng.gen_range(0..100) {
                _ if reblog_of.is_some() => String::new(),
                0..8 => SPAM[rng.gen_range(0..SPAM.len())].to_owned(),
                8..10 => HOSTILE[rng.gen_range(0..HOSTILE.len())].to_owned(),
                _ => format!(
                    "<p>{} <a href=\"https://example.org/tags/{}\" class=\"hashtag\">#{}</a></p>",
                    TOPICS[rng.gen_range(0..TOPICS.len())],
                    k % 7,
                    ["fediverse", "selfhosting", "cats", "books", "food", "news", "art"][(k % 7) as usize]
                ),
            };
            let spoiler = if rng.gen_range(0..10) == 0 {
                SPOILERS[rng.gen_range(0..SPOILERS.len())].to_owned()
            } else {
                String::new()
            };
            let has_media = reblog_of.is_none() && rng.gen_range(0..100) < 15;
            let sensitive = !spoiler.is_empty() || (has_media && rng.gen_range(0..4) == 0);
            if has_media {
                for m in 0..rng.gen_range(1..=3) {
                    let file = rng.gen_range(1..=4);
                    files.push((
                        id,
                        format!("/seed-media/{file}.svg"),
                        format!("Sample picture {file}, part {}", m + 1),
                    ));
                }
            }
            made.push((id, account_id));
            rows.push(StatusRow {
                id,
                account_id,
                content,
                spoiler,
                visibility: visibility(&mut rng),
                sensitive,
                local,
                reblog_of,
                created_at,
            });
        }
        media += files.len() as u64;
        insert_statuses(c.reborrow(), &rows, &files).await?;
        done += n as u64;
    }

    // Reports: waves on a few hot statuses, the rest spread out; older ones
    // mostly handled, recent ones mostly open.
    let hot: Vec<(i64, i64)> = if made.is_empty() {
        Vec::new()
    } else {
        (0..(made.len() / 50).clamp(1, 200)).map(|_| made[skewed(&mut rng, made.len())]).collect()
    };
    let mut done = 0u64;
    while done < reports {
        let n = CHUNK.min((reports - done) as usize);
        let mut rows = Vec::with_capacity(n);
        for i in 0..n as u64 {
            let k = done + i;
            let id = first_report + k as i64;
            let age = 1.0 - k as f64 / reports as f64; // 1 = oldest
            let created_at = t_now - SIXTY_DAYS + (k as i64 * SIXTY_DAYS) / reports as i64;
            let target = if !hot.is_empty() && rng.gen_range(0..100) < 40 {
                Some(hot[rng.gen_range(0..hot.len())])
            } else if !made.is_empty() && rng.gen_range(0..100) < 85 {
                Some(made[rng.gen_range(0..made.len())])
            } else {
                None
            };
            let (account_id, statuses) = match target {
                Some((s, a)) => (a, vec![s]),
                None => (accounts[skewed(&mut rng, accounts.len())].0, Vec::new()),
            };
            let reporter = accounts[rng.gen_range(0..accounts.len())].0;
            let reporter_id = (reporter != account_id && rng.gen_range(0..20) != 0).then_some(reporter);
            let open_chance = (0.9 - age * 0.85).clamp(0.05, 0.9);
            let state = if rng.gen_bool(open_chance) {
                "open"
            } else if rng.gen_range(0..10) < 7 {
                "resolved"
            } else {
                "closed"
            };
            let note = (!staff.is_empty()
                && (state != "open" || rng.gen_range(0..10) == 0)
                && rng.gen_range(0..5) == 0)
                .then(|| {
                    let (sid, nick) = &staff[rng.gen_range(0..staff.len())];
                    (*sid, nick.clone(), NOTES[rng.gen_range(0..NOTES.len())])
                });
            rows.push(ReportRow {
                id,
                reporter_id,
                account_id,
                comment: COMMENTS[rng.gen_range(0..COMMENTS.len())],
                state,
                created_at,
                statuses,
                note,
            });
        }
        insert_reports(c.reborrow(), &rows).await?;
        done += n as u64;
    }
    if let ConnRef::Postgres(x) = c.reborrow() {
        for t in ["statuses", "status_media", "reports", "report_notes"] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
            );
            sqlx::query(&sql).execute(&mut *x).await?;
        }
    }
    if let ConnRef::Postgres(x) = c.reborrow() {
        for (table, trigger) in COUNT_TRIGGERS {
            sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}")).execute(&mut *x).await?;
        }
    }
    super::recount(c.reborrow()).await?;
    on!(c.reborrow(), |x| sqlx::query("ANALYZE").execute(&mut *x).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    if !db.is_sqlite() {
        // A live instance's autovacuum marks pages all-visible in time; fresh
        // bulk rows have no visibility map yet, so index-only counts (pending
        // approvals: 16,000 rows, 28 ms → 1.8 ms) would visit every heap page.
        db.exec("VACUUM (ANALYZE)").await?;
    }
    Ok(Report { statuses, media, reports, time: started.elapsed() })
}

/// `count` rows of `width` placeholders: positional `?` on SQLite (it looks
/// up named `$N` linearly, which is quadratic on wide statements), `$N` on PostgreSQL.
fn values(c: &ConnRef<'_>, count: usize, width: usize) -> String {
    let mut n = 0;
    let rows: Vec<String> = (0..count)
        .map(|_| {
            let cells: Vec<String> = (0..width)
                .map(|_| {
                    n += 1;
                    if matches!(c, ConnRef::Sqlite(_)) { "?".to_owned() } else { format!("${n}") }
                })
                .collect();
            format!("({})", cells.join(","))
        })
        .collect();
    rows.join(",")
}

async fn insert_statuses(
    mut c: ConnRef<'_>,
    rows: &[StatusRow],
    files: &[(i64, String, String)],
) -> Result<(), AppError> {
    let sql = format!(
        "INSERT INTO statuses (id, account_id, content, spoiler_text, visibility, sensitive, local, reblog_of_id, created_at) VALUES {}",
        values(&c, rows.len(), 9)
    );
    on!(c.reborrow(), |x| {
        let mut q = sqlx::query(&sql);
        for r in rows {
            q = q
                .bind(r.id)
                .bind(r.account_id)
                .bind(&r.content)
                .bind(&r.spoiler)
                .bind(r.visibility)
                .bind(r.sensitive)
                .bind(r.local)
                .bind(r.reblog_of)
                .bind(r.created_at);
        }
        q.execute(&mut *x).await.map(|r| r.rows_affected())
    })?;
    if files.is_empty() {
        return Ok(());
    }
    let sql =
        format!("INSERT INTO status_media (status_id, kind, url, description) VALUES {}", values(&c, files.len(), 4));
    on!(c.reborrow(), |x| {
        let mut q = sqlx::query(&sql);
        for (status, url, description) in files {
            q = q.bind(*status).bind("image").bind(url).bind(description);
        }
        q.execute(&mut *x).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

async fn insert_reports(mut c: ConnRef<'_>, rows: &[ReportRow]) -> Result<(), AppError> {
    let sql = format!(
        "INSERT INTO reports (id, reporter_id, account_id, comment, state, created_at, updated_at) VALUES {}",
        values(&c, rows.len(), 7)
    );
    on!(c.reborrow(), |x| {
        let mut q = sqlx::query(&sql);
        for r in rows {
            q = q
                .bind(r.id)
                .bind(r.reporter_id)
                .bind(r.account_id)
                .bind(r.comment)
                .bind(r.state)
                .bind(r.created_at)
                .bind(if r.state == "open" { r.created_at } else { r.created_at + 3600 });
        }
        q.execute(&mut *x).await.map(|r| r.rows_affected())
    })?;
    let links: Vec<(i64, i64)> = rows.iter().flat_map(|r| r.statuses.iter().map(move |s| (r.id, *s))).collect();
    if !links.is_empty() {
        let sql = format!("INSERT INTO report_statuses (report_id, status_id) VALUES {}", values(&c, links.len(), 2));
        on!(c.reborrow(), |x| {
            let mut q = sqlx::query(&sql);
            for (r, s) in &links {
                q = q.bind(*r).bind(*s);
            }
            q.execute(&mut *x).await.map(|r| r.rows_affected())
        })?;
    }
    let notes: Vec<(&ReportRow, &(i64, String, &str))> =
        rows.iter().filter_map(|r| r.note.as_ref().map(|n| (r, n))).collect();
    if !notes.is_empty() {
        let sql = format!(
            "INSERT INTO report_notes (report_id, author_id, author_nickname, content, created_at) VALUES {}",
            values(&c, notes.len(), 5)
        );
        on!(c.reborrow(), |x| {
            let mut q = sqlx::query(&sql);
            for (r, (author, nick, text)) in &notes {
                q = q.bind(r.id).bind(*author).bind(nick).bind(*text).bind(r.created_at + 1800);
            }
            q.execute(&mut *x).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}
