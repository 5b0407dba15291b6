//! Several real `steward` processes on one database (docs/scaling.md): one
//! address shared with `--reuse-port`, and what one process changes seen by
//! another at once, since nothing it answers from is cached per process.

mod common;

use std::path::PathBuf;

use common::process::{Server, steward};
use common::{Backend, TestDb};
use serde_json::{Value, json};
use steward::domain::Role;

const API: &str = "/api/v1/admin";

/// A log file for one process of one test, removed on drop.
struct Log(PathBuf);

impl Log {
    fn new(name: &str) -> Log {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        Log(std::env::temp_dir().join(format!("steward-{name}-{}-{nanos}.log", std::process::id())))
    }

    fn text(&self) -> String {
        std::fs::read_to_string(&self.0).unwrap()
    }
}

impl Drop for Log {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `GET /healthz` on a connection of its own (a fresh client), tagged with
/// `x-request-id: id` so the log of whichever process answered names it.
async fn probe(base: &str, id: &str) -> u16 {
    let res = reqwest::Client::new().get(format!("{base}/healthz")).header("x-request-id", id).send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], id);
    res.status().as_u16()
}

/// Two processes started with `--reuse-port` listen on one address and both
/// take connections; a third without it is refused the address; when one
/// stops, the other takes every new connection.
async fn two_processes_share_one_address(backend: Backend) {
    let db = TestDb::new(backend).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (log_a, log_b) = (Log::new("reuse-a"), Log::new("reuse-b"));
    let mut a = Server::start_sharing(&db.url, port, &log_a.0).await;
    let b = Server::start_sharing(&db.url, port, &log_b.0).await;

    let alone = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(!alone.status.success());
    let said = String::from_utf8_lossy(&alone.stderr);
    assert!(said.contains("cannot listen on"), "{said}");

    // Linux picks the process by a hash of the connection's addresses: 40
    // connections all landing on one of two would be a 1 in 2^39 chance.
    let ids: Vec<String> = (0..40).map(|i| format!("probe-{i}")).collect();
    for id in &ids {
        assert_eq!(probe(&a.base, id).await, 200);
    }
    let (text_a, text_b) = (log_a.text(), log_b.text());
    // The closing quote keeps probe-1 from matching probe-12.
    let served = |text: &str| ids.iter().filter(|id| text.contains(&format!("\"{id}\""))).count();
    let (by_a, by_b) = (served(&text_a), served(&text_b));
    println!("process a answered {by_a} connections, process b {by_b}");
    assert!(by_a > 0 && by_b > 0, "both processes take connections: {by_a} and {by_b}");
    assert_eq!(by_a + by_b, ids.len(), "each request is logged by exactly one process");

    // A rolling restart: with a stopped, b answers everything new.
    a.kill();
    for i in 0..10 {
        assert_eq!(probe(&b.base, &format!("after-{i}")).await, 200);
    }
}

/// What one process changes, another answers with at once: report states,
/// and a staff account's deactivation (its token stops working there on the
/// very next request). Neither is cached per process.
async fn another_process_sees_changes_at_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    steward(&db.url, &["seed", "--users", "20", "--statuses", "10", "--reports", "3"], None);
    let admin = db.create_user("root", Some(Role::Admin)).await;
    let moderator = db.create_user("mod", Some(Role::Moderator)).await;
    let (admin_token, mod_token) = (db.token_for(&admin).await, db.token_for(&moderator).await);
    let (a, b) = (Server::start(&db.url, &[]).await, Server::start(&db.url, &[]).await);
    let http = reqwest::Client::new();
    let get = |base: &str, path: &str, token: &str| {
        http.get(format!("{base}{API}{path}")).bearer_auth(token.to_owned()).send()
    };
    let patch = |base: &str, path: &str, body: Value| {
        http.patch(format!("{base}{API}{path}")).bearer_auth(&admin_token).json(&body).send()
    };

    let report = db.count("SELECT MIN(id) FROM reports WHERE state = 'open'").await;
    let state_on_b = || async {
        let res = get(&b.base, &format!("/reports/{report}"), &admin_token).await.unwrap();
        assert_eq!(res.status(), 200);
        res.json::<Value>().await.unwrap()["state"].clone()
    };
    assert_eq!(state_on_b().await, "open");
    let res = patch(&a.base, "/reports", json!({"reports": [{"id": report.to_string(), "state": "resolved"}]}));
    assert_eq!(res.await.unwrap().status(), 204);
    assert_eq!(state_on_b().await, "resolved", "b's very next read shows a's change");

    assert_eq!(get(&b.base, "/users", &mod_token).await.unwrap().status(), 200);
    let res = patch(&a.base, "/users/deactivate", json!({"nicknames": ["mod"]}));
    assert_eq!(res.await.unwrap().status(), 200);
    assert_eq!(get(&b.base, "/users", &mod_token).await.unwrap().status(), 401, "b refuses at once");
}

both_backends!(two_processes_share_one_address, another_process_sees_changes_at_once);
