//! A crowd of writers on both backends: bulk user actions and batch report
//! changes from two moderators and an admin at once, over overlapping rows in
//! different orders, with readers alongside. Nobody sees a 5xx, nothing is lost
//! or half-applied, the final state is what applying the same requests one by
//! one gives, and the log has exactly one entry per change.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::content::{counts_agree, report};
use common::{Backend, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::{Role, Visibility};
use tokio::task::JoinSet;

const USERS: usize = 60;
const REPORTS: usize = 40;
/// Writers of each kind; with the readers, 80 requests in flight at once.
const PER_KIND: usize = 20;

fn nick(i: usize) -> String {
    format!("u{:02}", i % USERS)
}

/// What one request of the crowd does.
#[derive(Clone)]
enum Job {
    /// Admin: tag users `from..from+10` (wrapping) with `w{n}`.
    Tag { n: usize, from: usize },
    /// A moderator: resolve reports `from..from+10` (wrapping), listed in
    /// ascending or descending order so batches cross each other.
    Resolve { from: usize, reversed: bool },
    /// A moderator: deactivate two users of their own.
    Deactivate { n: usize },
    /// Anyone: read the users list and the reports list.
    Read,
}

fn span(from: usize, len: usize, modulo: usize) -> Vec<usize> {
    (from..from + len).map(|i| i % modulo).collect()
}

async fn send(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> u16 {
    let req = app.api(method, &format!("/api/v1/admin{path}"), token).await;
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    req.send().await.unwrap().status().as_u16()
}

async fn a_crowd_of_writers_sees_no_errors_and_loses_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let (m1, m2) = (
        app.db.create_user("mod1", Some(Role::Moderator)).await,
        app.db.create_user("mod2", Some(Role::Moderator)).await,
    );
    let tokens = [app.db.token_for(&admin).await, app.db.token_for(&m1).await, app.db.token_for(&m2).await];
    let mut user_ids = Vec::new();
    for i in 0..USERS {
        user_ids.push(app.db.create_user(&nick(i), None).await.id);
    }
    let mut report_ids = Vec::new();
    for i in 0..REPORTS {
        report_ids.push(report(&app, None, user_ids[i % USERS], &[], "spam").await);
    }
    let log_before = app.db.count("SELECT COUNT(*) FROM moderation_log").await;

    let mut jobs = Vec::new();
    for n in 0..PER_KIND {
        jobs.push(Job::Tag { n, from: n * 3 });
        jobs.push(Job::Resolve { from: n * 2, reversed: n % 2 == 1 });
        jobs.push(Job::Deactivate { n });
        jobs.push(Job::Read);
    }
    let app = std::sync::Arc::new(app);
    let mut crowd = JoinSet::new();
    for (i, job) in jobs.iter().cloned().enumerate() {
        let (app, tokens, report_ids) = (app.clone(), tokens.clone(), report_ids.clone());
        crowd.spawn(async move {
            let moderator = &tokens[1 + i % 2];
            match job {
                Job::Tag { n, from } => {
                    let nicknames: Vec<String> = span(from, 10, USERS).into_iter().map(nick).collect();
                    let body = json!({ "nicknames": nicknames, "tags": [format!("w{n}")] });
                    vec![send(&app, &tokens[0], Method::PUT, "/users/tag", Some(body)).await]
                }
                Job::Resolve { from, reversed } => {
                    let mut batch: Vec<Value> = span(from, 10, REPORTS)
                        .into_iter()
                        .map(|r| json!({ "id": report_ids[r].to_string(), "state": "resolved" }))
                        .collect();
                    if reversed {
                        batch.reverse();
                    }
                    vec![send(&app, moderator, Method::PATCH, "/reports", Some(json!({ "reports": batch }))).await]
                }
                Job::Deactivate { n } => {
                    let body = json!({ "nicknames": [nick(2 * n), nick(2 * n + 1)] });
                    vec![send(&app, moderator, Method::PATCH, "/users/deactivate", Some(body)).await]
                }
                Job::Read => vec![
                    send(&app, moderator, Method::GET, "/users?page_size=50", None).await,
                    send(&app, moderator, Method::GET, "/reports?page_size=50", None).await,
                ],
            }
        });
    }
    let mut statuses = BTreeMap::<u16, usize>::new();
    while let Some(done) = crowd.join_next().await {
        for s in done.unwrap() {
            *statuses.entry(s).or_default() += 1;
        }
    }
    assert!(statuses.keys().all(|s| matches!(s, 200 | 204)), "every request succeeds: {statuses:?}");

    // Applying the same requests one by one gives this state.
    let mut want_tags = BTreeMap::<String, BTreeSet<String>>::new();
    let mut resolved = BTreeSet::new();
    let mut log_entries = 0;
    for job in &jobs {
        match job {
            Job::Tag { n, from } => {
                for u in span(*from, 10, USERS) {
                    want_tags.entry(nick(u)).or_default().insert(format!("w{n}"));
                }
                log_entries += 1;
            }
            Job::Resolve { from, .. } => {
                resolved.extend(span(*from, 10, REPORTS).into_iter().map(|r| report_ids[r]));
                log_entries += 10;
            }
            Job::Deactivate { .. } => log_entries += 1,
            Job::Read => {}
        }
    }
    for (i, id) in user_ids.iter().enumerate() {
        let n = app.db.count(&format!("SELECT COUNT(*) FROM user_tags WHERE user_id = {id}")).await;
        assert_eq!(n, want_tags.get(&nick(i)).map_or(0, BTreeSet::len) as i64, "tags of {}", nick(i));
    }
    for n in 0..PER_KIND {
        let tag = format!("w{n}");
        let want = want_tags.values().filter(|t| t.contains(&tag)).count() as i64;
        let sql = format!("SELECT COUNT(*) FROM user_tags ut JOIN tags t ON t.id = ut.tag_id WHERE t.name = '{tag}'");
        assert_eq!(app.db.count(&sql).await, want, "users tagged {tag}");
    }
    let inactive = app.db.count("SELECT COUNT(*) FROM users WHERE NOT is_active").await;
    assert_eq!(inactive, (2 * PER_KIND).min(USERS) as i64, "every deactivation landed");
    let resolved_now = app.db.count("SELECT COUNT(*) FROM reports WHERE state = 'resolved'").await;
    assert_eq!(resolved_now, resolved.len() as i64, "every resolved report, and no other");
    let log_after = app.db.count("SELECT COUNT(*) FROM moderation_log").await;
    assert_eq!(log_after - log_before, log_entries, "one log entry per change");
    counts_agree(&app).await;
}

/// Clients that hang up mid-write (a closed tab, a load generator stopping)
/// must leave no transaction open behind them: a write right after still
/// gets the write lock at once.
async fn abandoned_writes_leave_no_lock_behind(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    for i in 0..8 {
        app.db.create_user(&nick(i), None).await;
    }
    let url = app.url("/api/v1/admin/users/deactivate");
    for round in 0..15u64 {
        let mut hangups = JoinSet::new();
        for i in 0..16u64 {
            let (url, token) = (url.clone(), token.clone());
            // Gone after 1–4 ms: some before, some during, some after BEGIN.
            let impatient = reqwest::Client::builder()
                .timeout(std::time::Duration::from_millis(1 + (round + i) % 4))
                .build()
                .unwrap();
            hangups.spawn(async move {
                let body = json!({ "nicknames": [nick(i as usize % 8)] });
                let _ = impatient.patch(url).bearer_auth(token).json(&body).send().await;
            });
        }
        while hangups.join_next().await.is_some() {}
    }
    // Less than the 5 s a writer would wait on a lock left behind.
    let patient = reqwest::Client::builder().timeout(std::time::Duration::from_secs(4)).build().unwrap();
    let res = patient
        .patch(app.url("/api/v1/admin/users/activate"))
        .bearer_auth(&token)
        .json(&json!({ "nicknames": [nick(0)] }))
        .send()
        .await
        .expect("a write after the hang-ups is answered promptly");
    assert_eq!(res.status(), 200);
}

/// Moderators changing the same statuses at once, the way admin-fe sends a
/// change (both fields every time): every status ends sensitive and private,
/// and each change is applied and logged exactly once, whoever came first.
async fn the_same_status_change_at_once_is_logged_once(b: Backend) {
    const STATUSES: usize = 6;
    const WRITERS_PER_STATUS: usize = 8;
    let app = spawn_app(b).await;
    let m1 = app.db.create_user("mod1", Some(Role::Moderator)).await;
    let m2 = app.db.create_user("mod2", Some(Role::Moderator)).await;
    let tokens = [app.db.token_for(&m1).await, app.db.token_for(&m2).await];
    let author = app.db.create_user("author", None).await;
    let mut ids = Vec::new();
    for i in 0..STATUSES {
        ids.push(common::content::status(&app, author.id, &format!("post {i}"), Visibility::Public).await);
    }
    let app = std::sync::Arc::new(app);
    let mut crowd = JoinSet::new();
    for w in 0..STATUSES * WRITERS_PER_STATUS {
        let (app, token, id) = (app.clone(), tokens[w % 2].clone(), ids[w % STATUSES]);
        crowd.spawn(async move {
            let body = json!({ "sensitive": true, "visibility": "private" });
            send(&app, &token, Method::PUT, &format!("/statuses/{id}"), Some(body)).await
        });
    }
    while let Some(done) = crowd.join_next().await {
        assert_eq!(done.unwrap(), 200, "every change is answered 200");
    }
    for id in &ids {
        let changed = format!("SELECT COUNT(*) FROM statuses WHERE id = {id} AND sensitive AND visibility = 'private'");
        assert_eq!(app.db.count(&changed).await, 1, "status {id} is sensitive and private");
        for action in ["status.sensitive", "status.visibility"] {
            let sql = format!(
                "SELECT COUNT(*) FROM moderation_log WHERE action = '{action}' \
                 AND (data LIKE '%\"status_id\":{id},%' OR data LIKE '%\"status_id\":{id}}}%')"
            );
            assert_eq!(app.db.count(&sql).await, 1, "{action} of status {id} logged once");
        }
    }
}

both_backends!(
    a_crowd_of_writers_sees_no_errors_and_loses_nothing,
    abandoned_writes_leave_no_lock_behind,
    the_same_status_change_at_once_is_logged_once
);
