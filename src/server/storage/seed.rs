//! `steward seed`: bulk, deterministic (same `--seed`, same data), realistic
//! demo and benchmark data. Rows go in with wide multi-row statements (SQLite)
//! or UNNEST arrays (PostgreSQL); secondary indexes, the search index and its
//! triggers are dropped first and rebuilt after, timed on their own line.

use std::fmt;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{ConnRef, Db, now, on};
use crate::error::AppError;

const FIRST: &[&str] = &[
    "john",
    "mary",
    "james",
    "patricia",
    "robert",
    "jennifer",
    "michael",
    "linda",
    "william",
    "elizabeth",
    "david",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "christopher",
    "nancy",
    "daniel",
    "lisa",
    "matthew",
    "betty",
    "anthony",
    "margaret",
    "mark",
    "sandra",
    "ana",
    "luis",
    "sofia",
    "mateo",
    "yuki",
    "haruto",
    "mei",
    "wei",
    "olga",
    "ivan",
    "fatima",
    "omar",
    "amara",
    "kwame",
    "ingrid",
    "lars",
    "priya",
    "arjun",
    "chloe",
    "lucas",
    "emma",
    "noah",
    "zoe",
    "leon",
    "mila",
    "johnny",
    "jon",
    "johanna",
    "joanne",
    "nora",
];
const LAST: &[&str] = &[
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "tanaka",
    "sato",
    "muller",
    "schmidt",
    "rossi",
    "bianchi",
    "kowalski",
    "novak",
    "ivanova",
    "petrov",
    "okafor",
    "mensah",
    "johnston",
    "johns",
    "jonsson",
];
/// Email domains with weights (gmail first: it gets dots and subaddresses).
const DOMAINS: &[(&str, u32)] = &[
    ("gmail.com", 30),
    ("outlook.com", 12),
    ("yahoo.com", 10),
    ("proton.me", 8),
    ("fastmail.com", 5),
    ("icloud.com", 8),
    ("gmx.de", 6),
    ("posteo.de", 3),
    ("mail.ru", 5),
    ("example.org", 5),
    ("hey.com", 2),
    ("university.edu", 6),
];
const REMOTE_HOSTS: &[&str] =
    &["mastodon.social", "pleroma.site", "fosstodon.org", "hachyderm.io", "akko.example", "misskey.io", "social.coop"];
const TAGS: &[&str] =
    &["force_unlisted", "sandbox", "verified", "beta", "spam_suspect", "media_strip", "disinformation", "vip"];

/// One generated user row.
struct Row {
    id: i64,
    nickname: String,
    email: Option<String>,
    display_name: String,
    local: bool,
    is_active: bool,
    is_approved: bool,
    is_confirmed: bool,
    is_admin: bool,
    is_moderator: bool,
    created_at: i64,
    last_active_at: Option<i64>,
    tags: Vec<i64>,
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn domain(rng: &mut StdRng) -> &'static str {
    let total: u32 = DOMAINS.iter().map(|d| d.1).sum();
    let mut n = rng.gen_range(0..total);
    for (d, w) in DOMAINS {
        if n < *w {
            return d;
        }
        n -= w;
    }
    DOMAINS[0].0
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

const THREE_YEARS: i64 = 3 * 365 * 86_400;

/// `created_at` of the `n`th of `count` new users: spread over three years and
/// increasing with the id, as on a real instance.
fn joined_at(rng: &mut StdRng, n: u64, count: u64, t_now: i64) -> i64 {
    let step = THREE_YEARS / count.max(1) as i64;
    t_now - THREE_YEARS + n as i64 * step + rng.gen_range(0..step.max(1))
}

fn generate(rng: &mut StdRng, id: i64, created_at: i64, t_now: i64) -> Row {
    let (first, last) = (*pick(rng, FIRST), *pick(rng, LAST));
    // The id suffix keeps nicknames and emails unique across runs.
    let base = match rng.gen_range(0..5) {
        0 => format!("{first}{last}{id}"),
        1 => format!("{first}.{last}{id}"),
        2 => format!("{first}_{id}"),
        3 => format!("{last}{}{id}", &first[..1]),
        _ => format!("{first}{}{id}", &last[..1]),
    };
    let local = rng.gen_bool(0.8);
    let nickname = if local { base.clone() } else { format!("{base}@{}", pick(rng, REMOTE_HOSTS)) };
    let email = local.then(|| {
        let d = domain(rng);
        if d == "gmail.com" && rng.gen_bool(0.3) {
            format!("{first}.{last}+{}{id}@gmail.com", pick(rng, &["news", "shop", "social", "steward"]))
        } else {
            format!("{base}@{d}")
        }
    });
    let display_name = match rng.gen_range(0..10) {
        0 => String::new(),
        1 => capitalize(first),
        _ => format!("{} {}", capitalize(first), capitalize(last)),
    };
    let roll = rng.gen_range(0..1000);
    let (is_admin, is_moderator) = (local && roll < 1, local && (1..6).contains(&roll));
    let is_approved = !local || rng.gen_range(0..100) >= 2;
    let is_confirmed = !local || rng.gen_range(0..100) >= 4;
    let is_active = rng.gen_range(0..100) >= 3;
    let last_active_at = rng.gen_bool(0.85).then(|| created_at + rng.gen_range(0..=(t_now - created_at).max(1)));
    let tags = if rng.gen_range(0..100) < 15 {
        let mut t = vec![rng.gen_range(1..=TAGS.len() as i64)];
        if rng.gen_bool(0.2) {
            let second = rng.gen_range(1..=TAGS.len() as i64);
            if second != t[0] {
                t.push(second);
            }
        }
        t
    } else {
        Vec::new()
    };
    Row {
        id,
        nickname,
        email,
        display_name,
        local,
        is_active,
        is_approved,
        is_confirmed,
        is_admin,
        is_moderator,
        created_at,
        last_active_at,
        tags,
    }
}

/// What seeding did, printed by the CLI.
pub struct Report {
    pub users: u64,
    pub tagged: u64,
    pub rows_time: Duration,
    pub index_time: Duration,
    pub backend: &'static str,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "seeded {} users ({} tagged) on {}", self.users, self.tagged, self.backend)?;
        writeln!(
            f,
            "rows:        {:.2} s ({:.0} rows/s)",
            self.rows_time.as_secs_f64(),
            self.users as f64 / self.rows_time.as_secs_f64().max(1e-9)
        )?;
        write!(f, "index build: {:.2} s", self.index_time.as_secs_f64())
    }
}

/// The users table's secondary indexes and triggers as the catalog holds
/// them, so seeding can drop them and recreate exactly what the migrations made.
async fn users_schema_objects(c: ConnRef<'_>) -> Result<Vec<(String, String, String)>, AppError> {
    const SQLITE: &str = "SELECT type, name, sql FROM sqlite_master \
        WHERE tbl_name = 'users' AND type IN ('index', 'trigger') AND sql IS NOT NULL";
    const POSTGRES: &str = "SELECT 'index', indexname, indexdef FROM pg_indexes \
        WHERE tablename = 'users' AND schemaname = current_schema() AND indexname <> 'users_pkey'";
    Ok(match c {
        ConnRef::Sqlite(x) => sqlx::query_as(SQLITE).fetch_all(&mut *x).await?,
        ConnRef::Postgres(x) => sqlx::query_as(POSTGRES).fetch_all(&mut *x).await?,
    })
}

const SQLITE_CHUNK: usize = 1_000;
const PG_CHUNK: usize = 10_000;
const COLS: &str = "id, nickname, email, display_name, password_hash, local, is_active, is_approved, is_confirmed, \
                    is_admin, is_moderator, created_at, updated_at, last_active_at";

pub async fn users(db: &Db, count: u64, seed: u64) -> Result<Report, AppError> {
    let mut rng = StdRng::seed_from_u64(seed);
    // One hash for every seeded account: argon2 per row would take hours.
    // The password is random and unknown, so seeded accounts cannot sign in.
    let hash = crate::auth::password::hash_now(&format!("{:x}{:x}", rng.r#gen::<u128>(), rng.r#gen::<u128>()));
    let t_now = now();
    let started = Instant::now();
    let mut tx = db.begin().await?;
    let mut c = tx.conn();
    ensure_tags(c.reborrow()).await?;
    let start_id: i64 =
        on!(c.reborrow(), |x| sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) + 1 FROM users")
            .fetch_one(&mut *x)
            .await)?;
    // Indexes and the search triggers are rebuilt once after the bulk load,
    // which is far cheaper than maintaining them row by row.
    let objects = users_schema_objects(c.reborrow()).await?;
    for (kind, name, _) in &objects {
        let drop = format!("DROP {} IF EXISTS {name}", kind.to_uppercase());
        on!(c.reborrow(), |x| sqlx::query(&drop).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    }
    let chunk = if db.is_sqlite() { SQLITE_CHUNK } else { PG_CHUNK };
    let mut done = 0u64;
    let mut tagged = 0u64;
    while done < count {
        let n = chunk.min((count - done) as usize);
        let rows: Vec<Row> = (0..n as u64)
            .map(|i| {
                let created_at = joined_at(&mut rng, done + i, count, t_now);
                generate(&mut rng, start_id + (done + i) as i64, created_at, t_now)
            })
            .collect();
        tagged += rows.iter().filter(|r| !r.tags.is_empty()).count() as u64;
        insert_chunk(c.reborrow(), &rows, &hash).await?;
        done += n as u64;
    }
    if let ConnRef::Postgres(x) = c.reborrow() {
        // Rows went in with explicit ids: move the sequences past them, or the
        // next user or tag created normally collides with a seeded one.
        for table in ["users", "tags"] {
            let sql = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))");
            sqlx::query(&sql).execute(&mut *x).await?;
        }
    }
    let rows_time = started.elapsed();
    let index_started = Instant::now();
    for (_, _, create) in &objects {
        on!(c.reborrow(), |x| sqlx::query(create).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    }
    if let ConnRef::Sqlite(x) = c.reborrow() {
        sqlx::query("INSERT INTO users_search (users_search) VALUES ('rebuild')").execute(&mut *x).await?;
    }
    on!(c.reborrow(), |x| sqlx::query("ANALYZE").execute(&mut *x).await.map(|r| r.rows_affected()))?;
    tx.commit().await?;
    if !db.is_sqlite() {
        // A live instance's autovacuum marks pages all-visible in time; fresh
        // bulk rows have no visibility map yet, so index-only counts (pending
        // approvals: 16,000 rows, 28 ms → 1.8 ms) would visit every heap page.
        db.exec("VACUUM (ANALYZE)").await?;
    }
    Ok(Report { users: count, tagged, rows_time, index_time: index_started.elapsed(), backend: db.backend_name() })
}

async fn ensure_tags(c: ConnRef<'_>) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO tags (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    on!(c, |x| {
        for (i, name) in TAGS.iter().enumerate() {
            sqlx::query(SQL).bind(i as i64 + 1).bind(*name).execute(&mut *x).await?;
        }
        Ok::<(), AppError>(())
    })
}

async fn insert_chunk(c: ConnRef<'_>, rows: &[Row], hash: &str) -> Result<(), AppError> {
    match c {
        ConnRef::Sqlite(x) => {
            // Positional `?` placeholders: SQLite resolves each named `$N` by a
            // linear search over the names seen so far, which makes preparing a
            // 13,000-parameter statement quadratic. The shared hash is a PHC
            // string (no quotes), inlined as a literal.
            let row = format!("(?,?,?,?,'{hash}',?,?,?,?,?,?,?,?,?)");
            let sql = format!("INSERT INTO users ({COLS}) VALUES {}", vec![row.as_str(); rows.len()].join(","));
            let mut q = sqlx::query(&sql);
            for r in rows {
                q = q
                    .bind(r.id)
                    .bind(&r.nickname)
                    .bind(&r.email)
                    .bind(&r.display_name)
                    .bind(r.local)
                    .bind(r.is_active)
                    .bind(r.is_approved)
                    .bind(r.is_confirmed)
                    .bind(r.is_admin)
                    .bind(r.is_moderator)
                    .bind(r.created_at)
                    .bind(r.created_at)
                    .bind(r.last_active_at);
            }
            q.execute(&mut *x).await?;
            let pairs: Vec<(i64, i64)> = rows.iter().flat_map(|r| r.tags.iter().map(move |t| (r.id, *t))).collect();
            for part in pairs.chunks(10_000) {
                let values: Vec<String> = part.iter().map(|(u, t)| format!("({u},{t})")).collect();
                sqlx::query(&format!("INSERT INTO user_tags (user_id, tag_id) VALUES {}", values.join(",")))
                    .execute(&mut *x)
                    .await?;
            }
        }
        ConnRef::Postgres(x) => {
            let sql = format!(
                "INSERT INTO users ({COLS}) SELECT id, nickname, email, display_name, $13, local, is_active, is_approved, \
                 is_confirmed, is_admin, is_moderator, created_at, created_at, last_active_at FROM UNNEST(\
                 $1::bigint[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::bool[], $7::bool[], $8::bool[], \
                 $9::bool[], $10::bool[], $11::bigint[], $12::bigint[]) AS t(id, nickname, email, display_name, local, \
                 is_active, is_approved, is_confirmed, is_admin, is_moderator, created_at, last_active_at)"
            );
            sqlx::query(&sql)
                .bind(rows.iter().map(|r| r.id).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.nickname.clone()).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.email.clone()).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.display_name.clone()).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.local).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.is_active).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.is_approved).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.is_confirmed).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.is_admin).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.is_moderator).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.created_at).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.last_active_at).collect::<Vec<_>>())
                .bind(hash)
                .execute(&mut *x)
                .await?;
            let (users, tags): (Vec<i64>, Vec<i64>) =
                rows.iter().flat_map(|r| r.tags.iter().map(move |t| (r.id, *t))).unzip();
            sqlx::query("INSERT INTO user_tags (user_id, tag_id) SELECT * FROM UNNEST($1::bigint[], $2::bigint[])")
                .bind(users)
                .bind(tags)
                .execute(&mut *x)
                .await?;
        }
    }
    Ok(())
}
