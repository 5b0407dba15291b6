//! `kill -9` in the middle of a bulk action over 100,000 users, on both
//! backends: after a restart the action is applied to all of them or to none,
//! and the moderation log agrees. The real `steward` binary, killed for real.

mod common;

use std::time::Instant;

use common::process::{Server, steward};
use common::{Backend, PASSWORD, TestDb, client};

const USERS: u64 = 100_000;

/// Tags every user (the whole, unfiltered list) with `tag` through the
/// console's bulk form, as an admin who confirmed the count.
async fn tag_everyone(base: String, tag: String) -> Result<reqwest::StatusCode, reqwest::Error> {
    let (base, tag) = (base.as_str(), tag.as_str());
    let c = client();
    c.post(format!("{base}/login"))
        .header("Origin", base)
        .form(&[("nickname", "root"), ("password", PASSWORD)])
        .send()
        .await?;
    let count = USERS.to_string();
    let form = [
        ("scope", "filter"),
        ("action", "tag"),
        ("tags", tag),
        ("confirm_count", count.as_str()),
        ("return_to", "/users"),
    ];
    Ok(c.post(format!("{base}/users/bulk")).header("Origin", base).form(&form).send().await?.status())
}

async fn tagged(db: &TestDb, tag: &str) -> (i64, i64) {
    let users = db
        .count(&format!("SELECT COUNT(*) FROM user_tags ut JOIN tags t ON t.id = ut.tag_id WHERE t.name = '{tag}'"))
        .await;
    let log = db
        .count(&format!("SELECT COUNT(*) FROM moderation_log WHERE action = 'user.tag' AND data LIKE '%\"{tag}\"%'"))
        .await;
    (users, log)
}

async fn a_bulk_action_killed_midway_is_all_or_nothing(b: Backend) {
    let db = TestDb::new(b).await;
    steward(&db.url, &["seed", "--users", &(USERS - 1).to_string(), "--statuses", "0", "--reports", "0"], None);
    steward(
        &db.url,
        &["create-admin", "--nickname", "root", "--email", "root@example.org", "--password-stdin"],
        Some(PASSWORD),
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM users").await, USERS as i64);

    // How long the whole action takes here, to kill the next one halfway.
    let mut server = Server::start(&db.url, &[]).await;
    let started = Instant::now();
    assert_eq!(tag_everyone(server.base.clone(), "warmup".into()).await.unwrap(), 303);
    let full = started.elapsed();
    assert_eq!(tagged(&db, "warmup").await, (USERS as i64, 1), "the warm-up applied in full");

    let mut delay = full / 2;
    for attempt in 0..4 {
        let tag = format!("crash{attempt}");
        let request = tokio::spawn(tag_everyone(server.base.clone(), tag.clone()));
        tokio::time::sleep(delay).await;
        server.kill();
        let answered = request.await.unwrap();
        server = Server::start(&db.url, &[]).await;
        let (users, log) = tagged(&db, &tag).await;
        assert!(
            (users, log) == (0, 0) || (users, log) == (USERS as i64, 1),
            "after kill -9 and a restart, {users} users carry {tag} and {log} log entries name it"
        );
        if answered.is_err() {
            // The kill cut the action off before it could answer.
            eprintln!("killed {delay:?} into an action that takes {full:?}: {users} users tagged, {log} log entries");
            return;
        }
        // It finished before the kill; try earlier.
        delay /= 2;
    }
    panic!("the action always finished within {delay:?}; could not kill it midway");
}

both_backends!(a_bulk_action_killed_midway_is_all_or_nothing);
