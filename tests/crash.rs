//! `kill -9` in the middle of a bulk action over 100,000 users, on both
//! backends: after a restart the action is applied to all of them or to none,
//! and the moderation log agrees. The real `steward` binary, killed for real.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Backend, PASSWORD, TestDb, client};

const USERS: u64 = 100_000;

struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_steward"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        while reqwest::get(format!("{base}/readyz")).await.map(|r| r.status() != 200).unwrap_or(true) {
            assert!(Instant::now() < deadline, "steward did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Server { child, base }
    }

    /// SIGKILL: no shutdown hook, no chance to roll anything back itself.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn steward(url: &str, args: &[&str], stdin: Option<&str>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .env("DATABASE_URL", url)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    assert!(child.wait().unwrap().success(), "steward {args:?}");
}

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
    let mut server = Server::start(&db.url).await;
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
        server = Server::start(&db.url).await;
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
