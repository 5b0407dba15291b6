//! The runtime config registry through Pleroma's `/config` family: values in
//! force and where they come from, all-or-nothing changes with their history,
//! diffs, revert and 409s, reloads, secrets, crowds, and two real processes
//! picking up each other's changes.

mod common;

use std::time::{Duration, Instant};

use common::process::{Server, steward};
use common::{Backend, PASSWORD, TestApp, TestDb, admin_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::Role;
use steward::server::live::Overrides;

const API: &str = "/api/v1/admin";

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = app.api(method, &format!("{API}{path}"), token).await;
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// `{"configs": [{group, key, value: {k: v}}]}` for one section.
fn set(section: &str, values: Value) -> Value {
    json!({"configs": [{"group": ":steward", "key": format!(":{section}"), "value": values}]})
}

/// The value of `:section`/`:key` in a `/config` answer.
fn value_of(configs: &Value, section: &str, key: &str) -> Option<Value> {
    let section = configs["configs"].as_array()?.iter().find(|c| c["key"] == format!(":{section}"))?;
    section["value"].as_array()?.iter().find(|t| t["tuple"][0] == format!(":{key}")).map(|t| t["tuple"][1].clone())
}

/// An app whose registry settings come from the store alone (no overrides).
async fn plain_app(b: Backend) -> (TestApp, String) {
    let app = spawn_app_with(b, |c| c.env = Overrides::default()).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    (app, token)
}

async fn config_shows_every_setting_with_defaults_and_pleroma_shapes(b: Backend) {
    let (app, token) = plain_app(b).await;
    let (s, all) = call(&app, &token, Method::GET, "/config", None).await;
    assert_eq!(s, 200, "{all}");
    assert_eq!(all["need_reboot"], false);
    assert_eq!(all["version"], 0);
    assert_eq!(all["configs"][0]["group"], ":steward");
    assert_eq!(value_of(&all, "sessions", "idle_minutes"), Some(json!(60)));
    assert_eq!(value_of(&all, "registration", "mode"), Some(json!("invite_only")));
    assert_eq!(value_of(&all, "sso", "client_secret"), Some(Value::Null));
    let (_, only_db) = call(&app, &token, Method::GET, "/config?only_db=true", None).await;
    assert_eq!(only_db["configs"], json!([]), "nothing saved yet");
    let (s, bad) = call(&app, &token, Method::GET, "/config?only_db=maybe", None).await;
    assert_eq!((s, bad["errors"][0]["meta"]["param"].clone()), (422, json!("only_db")));

    let (s, d) = call(&app, &token, Method::GET, "/config/descriptions", None).await;
    assert_eq!(s, 200);
    let sessions = d.as_array().unwrap().iter().find(|g| g["key"] == ":sessions").unwrap();
    assert_eq!(sessions["type"], "group");
    let idle = sessions["children"].as_array().unwrap().iter().find(|c| c["key"] == ":idle_minutes").unwrap();
    assert_eq!(
        (idle["type"].clone(), idle["requires_restart"].clone(), idle["min"].clone()),
        (json!("integer"), json!(true), json!(5))
    );
    assert_eq!(idle["env"], "STEWARD_SESSION_IDLE_MINUTES");
    assert!(!idle["description"].as_str().unwrap().is_empty());
}

async fn a_change_applies_at_once_is_versioned_and_logged(b: Backend) {
    let (app, token) = plain_app(b).await;
    // Password sign-in: the limit per account is 5 by default.
    app.db.create_user("mod", Some(Role::Moderator)).await;
    let body = json!({"configs": [{"group": ":steward", "key": ":throttling",
        "value": [{"tuple": [":login_failures_per_account", 1]}, {"tuple": [":login_window_minutes", 30]}]}]});
    let (s, res) = call(&app, &token, Method::POST, "/config", Some(body)).await;
    assert_eq!(s, 200, "{res}");
    assert_eq!(value_of(&res, "throttling", "login_failures_per_account"), Some(json!(1)));
    assert_eq!(res["version"], 1, "one document changed once");
    // The new limit holds in this process straight away.
    let location = |r: reqwest::Response| r.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
    assert!(!location(app.login("mod", "wrong password").await).unwrap_or_default().contains("throttled"));
    let throttled = location(app.login("mod", PASSWORD).await);
    assert_eq!(throttled.as_deref(), Some("/login?throttled=30"), "one failure is the limit now");

    let (_, only_db) = call(&app, &token, Method::GET, "/config?only_db=true", None).await;
    assert_eq!(only_db["configs"][0]["key"], ":throttling");
    assert_eq!(only_db["configs"][0]["db"], json!([":login_failures_per_account", ":login_window_minutes"]));
    assert_eq!(
        app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action = 'settings.update' AND message LIKE '%login_failures_per_account 5 → 1%'").await,
        1
    );
    let (_, h) = call(&app, &token, Method::GET, "/config/history", None).await;
    let v = &h["versions"][0];
    assert_eq!((v["document"].clone(), v["actor"]["nickname"].clone()), (json!("runtime"), json!("admin")));
    let ch: Vec<(Value, Value, Value)> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["setting"].clone(), c["before"].clone(), c["after"].clone()))
        .collect();
    assert_eq!(
        ch,
        [
            (json!("throttling.login_failures_per_account"), json!(5), json!(1)),
            (json!("throttling.login_window_minutes"), json!(15), json!(30))
        ]
    );
    // Deleting a subkey puts its default back.
    let del = json!({"configs": [{"group": ":steward", "key": ":throttling", "delete": true, "subkeys": [":login_window_minutes"]}]});
    let (s, res) = call(&app, &token, Method::POST, "/config", Some(del)).await;
    assert_eq!(s, 200);
    assert_eq!(value_of(&res, "throttling", "login_window_minutes"), Some(json!(15)));
    assert_eq!(value_of(&res, "throttling", "login_failures_per_account"), Some(json!(1)), "the other stays");
}

async fn bad_input_is_refused_by_name_and_changes_nothing(b: Backend) {
    let (app, token) = plain_app(b).await;
    let cases = [
        (set("sessions", json!({"idle_minutes": 1})), "sessions.idle_minutes"),
        (set("sessions", json!({"idle_minutes": "30"})), "sessions.idle_minutes"),
        (set("sessions", json!({"nope": 1})), "configs[0].value"),
        (set("nope", json!({})), "configs[0].key"),
        (json!({"configs": [{"group": ":pleroma", "key": ":sessions", "value": {}}]}), "configs[0].group"),
        (set("registration", json!({"mode": "\"><script>alert(1)</script>"})), "registration.mode"),
        (set("cors", json!({"allowed_origins": ["//evil"]})), "cors.allowed_origins"),
        (set("cors", json!({"allowed_origins": ["</textarea><script>"]})), "cors.allowed_origins"),
        (set("sso", json!({"issuer": "javascript:alert(1)"})), "sso.issuer"),
        // NUL is refused for the whole body, before any field is read.
        (set("email", json!({"from": "a\u{0}b"})), "body"),
        (set("email", json!({"from": "x".repeat(100_000)})), "email.from"),
        (set("email", json!({"smtp_url": "https://mail.example.org"})), "email.smtp_url"),
        (set("auth", json!({"sso_provision_role": "admin"})), "auth.sso_provision_role"),
        // All or nothing: a good value beside a bad one is not applied either.
        (
            json!({"configs": [
            {"group": ":steward", "key": ":sessions", "value": {"max_hours": 3}},
            {"group": ":steward", "key": ":limits", "value": {"read_concurrency": -1}}]}),
            "limits.read_concurrency",
        ),
    ];
    for (body, param) in cases {
        let (s, res) = call(&app, &token, Method::POST, "/config", Some(body)).await;
        assert_eq!(s, 422, "{param}: {res}");
        assert_eq!(res["errors"][0]["meta"]["param"], param, "{res}");
    }
    let (s, res) = call(&app, &token, Method::POST, "/config", Some(json!([1]))).await;
    assert_eq!((s, res["errors"][0]["meta"]["param"].clone()), (422, json!("configs")));
    let res = app
        .api(Method::POST, &format!("{API}/config"), &token)
        .await
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM settings_versions").await, 0);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action LIKE 'settings.%'").await, 0);
    let (_, all) = call(&app, &token, Method::GET, "/config", None).await;
    assert_eq!(value_of(&all, "sessions", "max_hours"), Some(json!(12)));
}

async fn revert_undoes_one_change_and_refuses_what_changed_since(b: Backend) {
    let (app, token) = plain_app(b).await;
    let idle = |n: i64| set("sessions", json!({"idle_minutes": n}));
    assert_eq!(call(&app, &token, Method::POST, "/config", Some(idle(30))).await.0, 200);
    assert_eq!(call(&app, &token, Method::POST, "/config", Some(idle(45))).await.0, 200);
    let (_, h) = call(&app, &token, Method::GET, "/config/history", None).await;
    let (second, first) = (h["versions"][0]["id"].as_i64().unwrap(), h["versions"][1]["id"].as_i64().unwrap());
    // The first change's value was replaced since: reverting it would lose 45.
    let (s, res) = call(&app, &token, Method::POST, &format!("/config/history/{first}/revert"), None).await;
    assert_eq!(s, 409, "{res}");
    assert_eq!(res["errors"][0]["meta"]["param"], "sessions.idle_minutes");
    let msg = res["error"].as_str().unwrap();
    assert!(msg.contains("45") && msg.contains("30"), "both values named: {msg}");
    // Reverting the latest puts 30 back, as a new version.
    let (s, res) = call(&app, &token, Method::POST, &format!("/config/history/{second}/revert"), None).await;
    assert_eq!(s, 200, "{res}");
    assert_eq!(res["changed"], json!(["sessions.idle_minutes"]));
    let (_, all) = call(&app, &token, Method::GET, "/config", None).await;
    assert_eq!(value_of(&all, "sessions", "idle_minutes"), Some(json!(30)));
    let (_, h) = call(&app, &token, Method::GET, "/config/history", None).await;
    assert_eq!(h["versions"].as_array().unwrap().len(), 3);
    assert_eq!(h["versions"][0]["changes"][0]["after"], 30);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action = 'settings.revert'").await, 1);
    // Now the first can be reverted: back to the default (the key goes).
    let (s, _) = call(&app, &token, Method::POST, &format!("/config/history/{first}/revert"), None).await;
    assert_eq!(s, 200);
    let (_, only_db) = call(&app, &token, Method::GET, "/config?only_db=true", None).await;
    assert_eq!(only_db["configs"], json!([]));
    for bad in ["999999", "abc", "-1"] {
        assert_eq!(call(&app, &token, Method::POST, &format!("/config/history/{bad}/revert"), None).await.0, 404);
    }
    // A stale version refuses the whole edit.
    let body = json!({"configs": [{"group": ":steward", "key": ":sessions", "value": {"max_hours": 2}}], "version": 1});
    let (s, res) = call(&app, &token, Method::POST, "/config", Some(body)).await;
    assert_eq!(s, 409);
    assert_eq!(res["errors"][0]["meta"]["current_version"], 4);
}

async fn restart_settings_wait_for_a_reload(b: Backend) {
    let (app, token) = plain_app(b).await;
    let moderator = app.db.create_user("mod", Some(Role::Moderator)).await;
    let mod_token = app.db.token_for(&moderator).await;
    assert_eq!(
        call(&app, &token, Method::POST, "/config", Some(set("limits", json!({"read_concurrency": 3})))).await.0,
        200
    );
    let (s, nr) = call(&app, &mod_token, Method::GET, "/need_reboot", None).await;
    assert_eq!(s, 200, "admin-fe polls it for every staff member");
    assert_eq!(nr, json!({"need_reboot": true, "pending": ["limits.read_concurrency"]}));
    assert_eq!(call(&app, &mod_token, Method::GET, "/restart", None).await.0, 403);
    let (s, r) = call(&app, &token, Method::GET, "/restart", None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["applied"], json!(["limits.read_concurrency"]));
    let (_, nr) = call(&app, &token, Method::GET, "/need_reboot", None).await;
    assert_eq!(nr["need_reboot"], false);
    // The reassembled app serves pages, sessions and the API as before.
    assert_eq!(app.login("admin", PASSWORD).await.status(), 303);
    assert_eq!(app.get("/").await.status(), 200);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action = 'settings.reload'").await, 1);
}

async fn secrets_are_write_only_everywhere(b: Backend) {
    let (app, token) = plain_app(b).await;
    let secret = "smtps://mailer:hunter2-very-secret@mail.example.org";
    let body = json!({"configs": [
        {"group": ":steward", "key": ":email", "value": {"smtp_url": secret}},
        {"group": ":steward", "key": ":sso", "value": {"client_secret": "sso-secret-xyz", "client_id": "steward"}}]});
    let (s, res) = call(&app, &token, Method::POST, "/config", Some(body)).await;
    assert_eq!(s, 200, "{res}");
    assert_eq!(value_of(&res, "email", "smtp_url"), Some(json!("***")));
    // Posting back what was read keeps the secret.
    let (s, _) = call(
        &app,
        &token,
        Method::POST,
        "/config",
        Some(set("email", json!({"smtp_url": "***", "from": "ops@example.org"}))),
    )
    .await;
    assert_eq!(s, 200);
    let stored = app.db.count("SELECT COUNT(*) FROM settings WHERE value LIKE '%hunter2-very-secret%'").await;
    assert_eq!(stored, 1, "still stored");
    for path in ["/config", "/config?only_db=true", "/config/history", "/moderation_log", "/instance-config"] {
        let (_, v) = call(&app, &token, Method::GET, path, None).await;
        let text = v.to_string();
        assert!(!text.contains("hunter2") && !text.contains("sso-secret-xyz"), "{path} leaks a secret: {text}");
    }
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM settings_versions WHERE after LIKE '%hunter2%' OR after LIKE '%sso-secret%'")
            .await,
        0
    );
    // A secret change is a change, and is listed (redacted) in history.
    let (_, h) = call(&app, &token, Method::GET, "/config/history", None).await;
    assert!(h.to_string().contains("email.smtp_url"));
}

async fn the_environment_wins_and_says_so(b: Backend) {
    let app = spawn_app_with(b, |c| {
        c.env = Overrides::default();
        c.env.set("sessions.max_hours", 7);
    })
    .await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    assert_eq!(
        call(&app, &token, Method::POST, "/config", Some(set("sessions", json!({"max_hours": 2})))).await.0,
        200
    );
    let (_, all) = call(&app, &token, Method::GET, "/config", None).await;
    assert_eq!(value_of(&all, "sessions", "max_hours"), Some(json!(7)), "the environment wins");
    let sessions = all["configs"].as_array().unwrap().iter().find(|c| c["key"] == ":sessions").unwrap();
    assert_eq!(sessions["env"], json!([":max_hours"]));
    let (_, only_db) = call(&app, &token, Method::GET, "/config?only_db=true", None).await;
    assert_eq!(value_of(&only_db, "sessions", "max_hours"), Some(json!(2)), "the stored value is kept");
}

async fn password_sign_in_cannot_be_turned_off_without_a_way_in(b: Backend) {
    let (app, token) = plain_app(b).await;
    let (s, res) =
        call(&app, &token, Method::POST, "/config", Some(set("auth", json!({"password_sign_in": false})))).await;
    assert_eq!(s, 422, "{res}");
    assert_eq!(res["errors"][0]["meta"]["param"], "auth.password_sign_in");
    let (_, all) = call(&app, &token, Method::GET, "/config", None).await;
    assert_eq!(value_of(&all, "auth", "password_sign_in"), Some(json!(true)));
    assert_eq!(app.db.count("SELECT COUNT(*) FROM settings_versions").await, 0);
}

async fn only_admins_reach_the_config(b: Backend) {
    let (app, _) = admin_app(b).await;
    let moderator = app.db.create_user("mod", Some(Role::Moderator)).await;
    let mod_token = app.db.token_for(&moderator).await;
    let admin_only = [
        (Method::GET, "/config"),
        (Method::POST, "/config"),
        (Method::GET, "/config/descriptions"),
        (Method::GET, "/config/history"),
        (Method::POST, "/config/history/1/revert"),
        (Method::GET, "/restart"),
    ];
    for (m, path) in admin_only {
        let body = (m == Method::POST).then(|| set("sessions", json!({"max_hours": 2})));
        assert_eq!(call(&app, &mod_token, m.clone(), path, body).await.0, 403, "{m} {path}");
        let res = reqwest::Client::new().request(m.clone(), app.url(&format!("{API}{path}"))).send().await.unwrap();
        assert_eq!(res.status(), 401, "{m} {path} without a token");
    }
    assert_eq!(app.db.count("SELECT COUNT(*) FROM settings_versions").await, 0);
}

/// Many admins at once, each changing a different setting (several per
/// document): every change lands, versions and history agree, no 5xx.
async fn a_crowd_of_editors_loses_nothing(b: Backend) {
    let (app, token) = plain_app(b).await;
    let edits: Vec<Value> = vec![
        set("sessions", json!({"idle_minutes": 31})),
        set("sessions", json!({"max_hours": 3})),
        set("throttling", json!({"login_failures_per_ip": 40})),
        set("throttling", json!({"registrations_per_ip": 4})),
        set("registration", json!({"mode": "open"})),
        set("registration", json!({"reason_required": true})),
        set("registration", json!({"manual_review_enabled": true})),
        set("registration", json!({"allowlist": true})),
        set("email", json!({"test_mode": true})),
        set("webhooks", json!({"system_alerts_webhook_url": "http://127.0.0.1:9/alerts"})),
        set("cors", json!({"allowed_origins": ["https://a.example.org"]})),
        set("sso", json!({"display_name": "Example ID"})),
    ];
    let n = edits.len();
    let tasks: Vec<_> = edits
        .into_iter()
        .map(|body| {
            let (url, token) = (app.url(&format!("{API}/config")), token.clone());
            tokio::spawn(async move {
                reqwest::Client::new().post(url).bearer_auth(token).json(&body).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let (_, all) = call(&app, &token, Method::GET, "/config", None).await;
    assert_eq!(all["version"], n as i64, "one version per change");
    for (section, key, want) in [
        ("sessions", "idle_minutes", json!(31)),
        ("sessions", "max_hours", json!(3)),
        ("throttling", "login_failures_per_ip", json!(40)),
        ("registration", "mode", json!("open")),
        ("registration", "allowlist", json!(true)),
        ("email", "test_mode", json!(true)),
        ("cors", "allowed_origins", json!(["https://a.example.org"])),
        ("sso", "display_name", json!("Example ID")),
    ] {
        assert_eq!(value_of(&all, section, key), Some(want), "{section}.{key}");
    }
    assert_eq!(app.db.count("SELECT COUNT(*) FROM settings_versions").await, n as i64);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action = 'settings.update'").await, n as i64);

    // Editors who all read version V: exactly one wins, the others get 409.
    let v = all["version"].as_i64().unwrap();
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let (url, token) = (app.url(&format!("{API}/config")), token.clone());
            let body = json!({"configs": [{"group": ":steward", "key": ":sessions", "value": {"idle_minutes": 40 + i}}], "version": v});
            tokio::spawn(async move {
                reqwest::Client::new().post(url).bearer_auth(token).json(&body).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409]);
}

/// Two real `steward` processes on one database: what one saves, the other
/// applies within a second or two, without a restart.
async fn another_process_picks_up_changes_without_a_restart(b: Backend) {
    let db = TestDb::new(b).await;
    steward(&db.url, &["migrate"], None);
    steward(
        &db.url,
        &["create-admin", "--nickname", "root", "--email", "root@example.org", "--password-stdin"],
        Some(PASSWORD),
    );
    steward(
        &db.url,
        &["create-admin", "--nickname", "mod", "--email", "mod@example.org", "--moderator", "--password-stdin"],
        Some(PASSWORD),
    );
    let (a, b2) = (Server::start(&db.url, &[]).await, Server::start(&db.url, &[]).await);
    let token = {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
            .args(["create-token", "--nickname", "root", "--name", "test"])
            .env("DATABASE_URL", &db.url)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().split_whitespace().last().unwrap().to_owned()
    };
    let origin = "https://console.example.org";
    let preflight = |base: String| async move {
        reqwest::Client::new()
            .request(Method::OPTIONS, format!("{base}{API}/users"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .unwrap()
            .headers()
            .get("access-control-allow-origin")
            .is_some()
    };
    let failed_login = |base: String| async move {
        common::client()
            .post(format!("{base}/login"))
            .header("Origin", &base)
            .form(&[("nickname", "mod"), ("password", "wrong")])
            .send()
            .await
            .unwrap()
            .headers()
            .get("location")
            .is_some_and(|l| l.to_str().unwrap().contains("throttled"))
    };
    assert!(!preflight(b2.base.clone()).await);
    let body = json!({"configs": [
        {"group": ":steward", "key": ":cors", "value": {"allowed_origins": [origin]}},
        {"group": ":steward", "key": ":throttling", "value": {"login_failures_per_account": 1}}]});
    let res = reqwest::Client::new()
        .post(format!("{}{API}/config", a.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let saved = Instant::now();
    while !preflight(b2.base.clone()).await {
        assert!(saved.elapsed() < Duration::from_secs(5), "the other process never allowed the origin");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("the other process applied the change after {:?}", saved.elapsed());
    // The new sign-in limit holds there too: one failure, then throttled.
    assert!(!failed_login(b2.base.clone()).await);
    assert!(failed_login(b2.base.clone()).await, "throttled after one failure");
}

both_backends!(
    config_shows_every_setting_with_defaults_and_pleroma_shapes,
    a_change_applies_at_once_is_versioned_and_logged,
    bad_input_is_refused_by_name_and_changes_nothing,
    revert_undoes_one_change_and_refuses_what_changed_since,
    restart_settings_wait_for_a_reload,
    secrets_are_write_only_everywhere,
    the_environment_wins_and_says_so,
    password_sign_in_cannot_be_turned_off_without_a_way_in,
    only_admins_reach_the_config,
    a_crowd_of_editors_loses_nothing,
    another_process_picks_up_changes_without_a_restart,
);
