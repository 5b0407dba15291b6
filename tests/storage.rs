//! The storage suite, run identically on SQLite and PostgreSQL.

mod common;

use common::{Backend, TestDb};
use steward::domain::Role;
use steward::domain::Staff;
use steward::domain::{ReportState, Visibility};
use steward::error::AppError;
use steward::server::storage::audit::{self, Entry, LogFilter, Page};
use steward::server::storage::{
    reports, saved_views, seed, seed_content, statuses, throttle, users, users_bulk, users_list,
};

fn entry<'a>(actor: &'a Staff, action: &'a str, message: String) -> Entry<'a> {
    Entry { actor: actor.into(), action, subject_users: &[], data: serde_json::json!({}), message }
}

/// Tries to insert a plain user; the error if refused.
async fn insert_error(t: &TestDb, nickname: &str, email: &str) -> AppError {
    let nick = steward::domain::Nickname::parse(nickname).unwrap();
    let email = steward::domain::Email::parse(email).unwrap();
    let new = users::NewUser { nickname: &nick, email: &email, display_name: "", password_hash: "x", role: None };
    let mut tx = t.db.begin().await.unwrap();
    users::insert(tx.conn(), &new).await.unwrap_err()
}

async fn nicknames_and_emails_are_unique_ignoring_case(b: Backend) {
    let t = TestDb::new(b).await;
    t.create_user("Alice", Some(Role::Admin)).await;
    let err = insert_error(&t, "alice", "other@example.org").await;
    assert!(matches!(&err, AppError::Conflict { param, .. } if param == "nickname"), "{err:?}");
    let err = insert_error(&t, "carol", "ALICE@example.org").await;
    assert!(matches!(&err, AppError::Conflict { param, .. } if param == "email"), "{err:?}");
    assert_eq!(t.count("SELECT COUNT(*) FROM users").await, 1);
}

async fn a_rolled_back_transaction_leaves_no_log_entry(b: Backend) {
    let t = TestDb::new(b).await;
    let admin = t.create_user("alice", Some(Role::Admin)).await;
    let mut tx = t.db.begin().await.unwrap();
    audit::record(tx.conn(), entry(&admin, "test.x", "x".into())).await.unwrap();
    drop(tx);
    assert_eq!(t.count("SELECT COUNT(*) FROM moderation_log").await, 0);
    let mut c = t.db.conn().await.unwrap();
    assert!(audit::actions(c.as_ref()).await.unwrap().is_empty(), "no actions in an empty log");
}

async fn the_log_is_append_only(b: Backend) {
    let t = TestDb::new(b).await;
    let admin = t.create_user("alice", Some(Role::Admin)).await;
    let mut tx = t.db.begin().await.unwrap();
    audit::record(tx.conn(), entry(&admin, "test.x", "x".into())).await.unwrap();
    tx.commit().await.unwrap();
    assert!(t.db.exec("UPDATE moderation_log SET message = 'forged'").await.is_err());
    assert!(t.db.exec("DELETE FROM moderation_log").await.is_err());
    assert_eq!(t.count("SELECT COUNT(*) FROM moderation_log WHERE message = 'x'").await, 1);
}

async fn log_pages_walk_both_ways_without_gaps(b: Backend) {
    let t = TestDb::new(b).await;
    let admin = t.create_user("alice", Some(Role::Admin)).await;
    let other = t.create_user("bob", Some(Role::Moderator)).await;
    let mut tx = t.db.begin().await.unwrap();
    for n in 0..25 {
        let actor = if n % 5 == 0 { &other } else { &admin };
        let subjects = [admin.id];
        let e = Entry {
            subject_users: &subjects,
            ..entry(actor, if n % 2 == 0 { "even" } else { "odd" }, format!("entry {n}"))
        };
        audit::record(tx.conn(), e).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut c = t.db.conn().await.unwrap();
    let f = LogFilter::default();
    let p1 = audit::page(c.as_ref(), &f, Page::First, 10).await.unwrap();
    assert_eq!(p1.rows[0].message, "entry 24");
    assert!(p1.has_older && !p1.has_newer);
    let p2 = audit::page(c.as_ref(), &f, Page::Older(p1.rows.last().unwrap().id), 10).await.unwrap();
    assert_eq!(p2.rows[0].message, "entry 14");
    let p3 = audit::page(c.as_ref(), &f, Page::Older(p2.rows.last().unwrap().id), 10).await.unwrap();
    assert_eq!(p3.rows.len(), 5);
    assert!(!p3.has_older && p3.has_newer);
    let back = audit::page(c.as_ref(), &f, Page::Newer(p3.rows[0].id), 10).await.unwrap();
    assert_eq!(back.rows.iter().map(|r| r.id).collect::<Vec<_>>(), p2.rows.iter().map(|r| r.id).collect::<Vec<_>>());
    let by_actor = LogFilter { actor_nickname: Some("BOB".into()), ..Default::default() };
    assert_eq!(audit::numbered(c.as_ref(), &by_actor, 1, 50).await.unwrap().1, 5);
    let odd = LogFilter { action: Some("odd".into()), search: Some("ENTRY 1".into()), ..Default::default() };
    // entry 1, 11, 13, 15, 17, 19
    assert_eq!(audit::numbered(c.as_ref(), &odd, 1, 50).await.unwrap().1, 6);
    let about = LogFilter { subject_user: Some(admin.id), ..Default::default() };
    assert_eq!(audit::numbered(c.as_ref(), &about, 1, 50).await.unwrap().1, 25);
    let wildcard = LogFilter { search: Some("%".into()), ..Default::default() };
    assert_eq!(audit::numbered(c.as_ref(), &wildcard, 1, 50).await.unwrap().1, 0, "LIKE wildcards are literal");
    assert_eq!(audit::actions(c.as_ref()).await.unwrap(), ["even", "odd"], "each action once, in order");
}

async fn throttle_counts_only_recent_failures(b: Backend) {
    let t = TestDb::new(b).await;
    let mut c = t.db.conn().await.unwrap();
    throttle::record_failure(c.as_ref(), "k", 100).await.unwrap();
    throttle::record_failure(c.as_ref(), "k", 200).await.unwrap();
    assert_eq!(throttle::failures_since(c.as_ref(), "k", 150).await.unwrap(), 1);
    assert_eq!(throttle::prune(c.as_ref(), 150).await.unwrap(), 1);
    throttle::clear(c.as_ref(), "k").await.unwrap();
    assert_eq!(throttle::failures_since(c.as_ref(), "k", 0).await.unwrap(), 0);
}

async fn seeding_is_deterministic_and_realistic(b: Backend) {
    let t = TestDb::new(b).await;
    let report = seed::users(&t.db, 5_000, 7).await.unwrap();
    assert_eq!(report.users, 5_000);
    assert_eq!(t.count("SELECT COUNT(*) FROM users").await, 5_000);
    let share = |sql: &str| {
        let sql = sql.to_owned();
        let t = &t;
        async move { t.count(&sql).await as f64 / 5_000.0 }
    };
    let external = share("SELECT COUNT(*) FROM users WHERE NOT local").await;
    assert!((0.17..0.23).contains(&external), "~20% external: {external}");
    let deactivated = share("SELECT COUNT(*) FROM users WHERE NOT is_active").await;
    assert!((0.015..0.045).contains(&deactivated), "~3% deactivated: {deactivated}");
    let tagged = share("SELECT COUNT(DISTINCT user_id) FROM user_tags").await;
    assert!((0.12..0.18).contains(&tagged), "~15% tagged: {tagged}");
    assert!(t.count("SELECT COUNT(*) FROM users WHERE NOT is_approved").await > 0);
    assert!(t.count("SELECT COUNT(*) FROM users WHERE NOT is_confirmed").await > 0);
    assert!(t.count("SELECT COUNT(*) FROM users WHERE is_moderator").await > 5);
    assert!(t.count("SELECT COUNT(*) FROM users WHERE email LIKE '%+%@gmail.com'").await > 0);
    let span = t.count("SELECT MAX(created_at) - MIN(created_at) FROM users").await;
    assert!(span > 2 * 365 * 86_400, "created_at spreads over years");
    // Same seed, same data; seeding again appends without clashing.
    let other = TestDb::new(b).await;
    seed::users(&other.db, 5_000, 7).await.unwrap();
    let digest = "SELECT CAST(SUM(length(nickname) * id) AS BIGINT) FROM users";
    assert_eq!(t.count(digest).await, other.count(digest).await);
    seed::users(&t.db, 1_000, 7).await.unwrap();
    assert_eq!(t.count("SELECT COUNT(*) FROM users").await, 6_000);
}

/// A list bound as one value: longer than SQLite's 32,766 variables, with
/// duplicates, and empty.
async fn a_list_of_any_length_is_one_value(b: Backend) {
    let t = TestDb::new(b).await;
    let admin = t.create_user("alice", Some(Role::Admin)).await;
    let bob = t.create_user("bob", None).await;
    let many: Vec<i64> = (1..=40_000).chain([bob.id, bob.id]).collect();
    let mut c = t.db.conn().await.unwrap();
    let found = users_list::by_ids(c.as_ref(), &many).await.unwrap();
    assert_eq!(found.iter().map(|u| u.id).collect::<Vec<_>>(), vec![bob.id, admin.id]);
    let named = users_bulk::by_nicknames(c.as_ref(), &["BOB".into(), "Alice".into()]).await.unwrap();
    assert_eq!(named.len(), 2);
    assert!(users_list::tags_of(c.as_ref(), &[]).await.unwrap().is_empty());
    drop(c);
    let mut tx = t.db.begin().await.unwrap();
    let e = Entry { subject_users: &many, ..entry(&admin, "test.many", "many".into()) };
    audit::record(tx.conn(), e).await.unwrap();
    assert_eq!(users_bulk::set_flag(tx.conn(), &many, users_bulk::Flag::Confirmed, false).await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert_eq!(t.count("SELECT COUNT(*) FROM moderation_log_subjects").await, 40_000, "duplicates once");
    assert_eq!(t.count("SELECT COUNT(*) FROM users WHERE NOT is_confirmed").await, 2);
}

/// Inserts a status of `account` and `n` open reports naming it; their ids, oldest first.
async fn reported(t: &TestDb, account: i64, n: usize) -> (i64, Vec<i64>) {
    let mut tx = t.db.begin().await.unwrap();
    let status = statuses::NewStatus {
        account_id: account,
        uri: None,
        content: "<p>spam</p>",
        spoiler_text: "",
        visibility: Visibility::Public,
        sensitive: false,
        local: true,
        reblog_of_id: None,
        created_at: 1,
        media: &[],
    };
    let sid = statuses::insert(tx.conn(), &status).await.unwrap();
    let mut rids = Vec::new();
    for _ in 0..n {
        let r = reports::NewReport {
            reporter_id: None,
            account_id: account,
            comment: "",
            status_ids: &[sid],
            uri: None,
            created_at: 1,
        };
        rids.push(reports::insert(tx.conn(), &r).await.unwrap());
    }
    tx.commit().await.unwrap();
    (sid, rids)
}

async fn each_status_shows_its_newest_reports(b: Backend) {
    let t = TestDb::new(b).await;
    let bob = t.create_user("bob", None).await;
    let (wave, wave_reports) = reported(&t, bob.id, 7).await;
    let (once, once_reports) = reported(&t, bob.id, 1).await;
    let mut tx = t.db.begin().await.unwrap();
    reports::set_state(tx.conn(), &wave_reports[5..], ReportState::Resolved).await.unwrap();
    tx.commit().await.unwrap();
    let newest_first = |ids: &[i64]| ids.iter().rev().copied().collect::<Vec<_>>();
    let mut c = t.db.conn().await.unwrap();
    let all = reports::newest_naming(c.as_ref(), &[wave, once, 999_999], None, 3).await.unwrap();
    assert_eq!(all[&wave], newest_first(&wave_reports[4..]));
    assert_eq!(all[&once], once_reports);
    assert!(!all.contains_key(&999_999));
    let open = reports::newest_naming(c.as_ref(), &[wave], Some(ReportState::Open), 3).await.unwrap();
    assert_eq!(open[&wave], newest_first(&wave_reports[2..5]));
    assert!(reports::newest_naming(c.as_ref(), &[], None, 3).await.unwrap().is_empty());
}

/// The sidebar's open reports and views come from one statement, with or without views.
async fn the_sidebar_is_one_statement(b: Backend) {
    let t = TestDb::new(b).await;
    let (bob, eve) = (t.create_user("bob", None).await, t.create_user("eve", None).await);
    let mut c = t.db.conn().await.unwrap();
    assert_eq!(saved_views::sidebar(c.as_ref(), bob.id).await.unwrap(), (0, vec![]));
    drop(c);
    reported(&t, eve.id, 3).await;
    let mut tx = t.db.begin().await.unwrap();
    for (owner, name) in [(bob.id, "beta"), (bob.id, "Alpha"), (eve.id, "Eve's")] {
        saved_views::insert(tx.conn(), owner, name, "role=admin").await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut c = t.db.conn().await.unwrap();
    let (open, views) = saved_views::sidebar(c.as_ref(), bob.id).await.unwrap();
    assert_eq!(open, 3);
    assert_eq!(views.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["Alpha", "beta"], "only bob's, by name");
    assert_eq!(views[0].query, "role=admin");
}

/// A list bound as one value (SQLite: `IN (SELECT value FROM json_each(?))`,
/// PostgreSQL: `= ANY($1)`) is still looked up through the index, as the
/// ids written into the SQL were.
async fn lists_bound_as_one_value_keep_their_indexes(b: Backend) {
    let t = TestDb::new(b).await;
    seed::users(&t.db, 5_000, 3).await.unwrap();
    seed_content::content(&t.db, 2_000, 2_000, 3).await.unwrap();
    let sqlite = b == Backend::Sqlite;
    let any = |expr: &str, list: &str| match sqlite {
        true => format!("{expr} IN (SELECT value FROM json_each('[{list}]'))"),
        false => format!("{expr} = ANY('{{{list}}}')"),
    };
    let by_id = format!("SELECT id FROM users WHERE {}", any("id", "1,2,3"));
    let plan = t.db.explain(&by_id).await.unwrap();
    assert!(plan.contains(if sqlite { "USING INTEGER PRIMARY KEY" } else { "users_pkey" }), "{plan}");
    assert!(!plan.contains("Seq Scan") && !plan.contains("SCAN users"), "{plan}");
    if sqlite {
        // (PostgreSQL rightly scans tables this small.)
        let tags = format!("SELECT user_id FROM user_tags WHERE {} ORDER BY added", any("user_id", "1,2,3"));
        let plan = t.db.explain(&tags).await.unwrap();
        assert!(plan.contains("SEARCH user_tags USING PRIMARY KEY"), "{plan}");
    }
    let nicknames = match sqlite {
        true => "lower(nickname) IN (SELECT lower(value) FROM json_each('[\"a\",\"b\"]'))",
        false => "lower(nickname) IN (SELECT lower(value) FROM unnest('{a,b}'::text[]) AS list(value))",
    };
    let plan = t.db.explain(&format!("SELECT id FROM users WHERE {nicknames}")).await.unwrap();
    assert!(plan.contains("users_nickname") && !plan.contains("Seq Scan"), "{plan}");
    // Each status's newest reports: one backward walk of its index entries
    // that stops at the limit, never a scan of every report.
    let newest = "SELECT rs.report_id FROM report_statuses rs JOIN reports r ON r.id = rs.report_id \
                  WHERE rs.status_id = list.value AND r.state = 'open' ORDER BY rs.report_id DESC LIMIT 5";
    let sql = match sqlite {
        true => format!(
            "SELECT list.value, newest.value FROM json_each('[1,2,3]') AS list, \
             json_each((SELECT json_group_array(report_id) FROM ({newest}))) AS newest ORDER BY 1, 2 DESC"
        ),
        false => format!(
            "SELECT list.value, newest.report_id FROM unnest('{{1,2,3}}'::bigint[]) AS list(value) \
             CROSS JOIN LATERAL ({newest}) AS newest ORDER BY 1, 2 DESC"
        ),
    };
    let plan = t.db.explain(&sql).await.unwrap();
    assert!(plan.contains("report_statuses_status"), "{plan}");
    assert!(!plan.contains("Seq Scan on report") && !plan.contains("SCAN rs"), "{plan}");
}

/// Inserts `n` plain users in one statement, without analyzing anything.
async fn insert_users(t: &TestDb, from: i64, n: i64) {
    let sql = format!(
        "WITH RECURSIVE k(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM k WHERE i < {last}) \
         INSERT INTO users (nickname, email, created_at, updated_at) SELECT 'u' || i, 'u' || i || '@example.org', i, i FROM k",
        last = from + n - 1
    );
    t.db.exec(&sql).await.unwrap();
}

async fn sqlite_table_estimate(t: &TestDb) -> i64 {
    let mut c = t.db.conn().await.unwrap();
    users_list::total_estimate(c.as_ref()).await.unwrap()
}

/// A SQLite instance that grew without ever being seeded had no statistics,
/// so "about N users" counted the whole table on every unfiltered page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_statistics_are_refreshed_as_the_table_grows() {
    let t = TestDb::new(Backend::Sqlite).await;
    insert_users(&t, 1, 300).await;
    assert_eq!(t.count("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'users'").await, 0);
    assert_eq!(sqlite_table_estimate(&t).await, 300, "without statistics the estimate is an exact count");

    t.db.refresh_statistics().await.unwrap();
    assert!(t.count("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'users'").await > 0);
    insert_users(&t, 301, 100).await;
    assert_eq!(sqlite_table_estimate(&t).await, 300, "read from the statistics, not counted");

    // Less than tenfold growth leaves them be; tenfold refreshes them.
    t.db.refresh_statistics().await.unwrap();
    assert_eq!(sqlite_table_estimate(&t).await, 300);
    insert_users(&t, 401, 5000).await;
    t.db.refresh_statistics().await.unwrap();
    // Sampled, so near the 5,400 rows rather than exact.
    let estimate = sqlite_table_estimate(&t).await;
    assert!((2_700..=10_800).contains(&estimate), "{estimate}");
}

both_backends!(
    nicknames_and_emails_are_unique_ignoring_case,
    a_rolled_back_transaction_leaves_no_log_entry,
    the_log_is_append_only,
    log_pages_walk_both_ways_without_gaps,
    throttle_counts_only_recent_failures,
    seeding_is_deterministic_and_realistic,
    a_list_of_any_length_is_one_value,
    each_status_shows_its_newest_reports,
    lists_bound_as_one_value_keep_their_indexes,
    the_sidebar_is_one_statement,
);
