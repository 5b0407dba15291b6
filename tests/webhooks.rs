//! Webhooks leaving Steward, against a real HTTP receiver started here (axum
//! on 127.0.0.1:0) that records every request: signed alerts, retries with
//! backoff, nothing lost across a restart, several workers without
//! duplicates, secret rotation, redeliver, the log page and its denials, on
//! both backends.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use common::{Backend, PASSWORD, TestApp, spawn_app_with, spawn_peer};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;
use steward::domain::Role;
use steward::domain::settings::{InstanceConfig, RegistrationMode, RegistrationPolicy};
use steward::server::settings;
use steward::server::storage::Db;
use steward::server::storage::audit::Actor;
use steward::webhooks::worker::{self, Pace};
use steward::webhooks::{AlertKind, enqueue_alert};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    headers: HeaderMap,
    body: String,
}

impl Hit {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// How the receiver answers: `fail_first` requests get `fail_status`, the
/// rest 200; every answer carries `body`.
#[derive(Clone)]
struct Plan {
    fail_first: usize,
    fail_status: u16,
    body: String,
}

#[derive(Clone)]
struct Shared {
    hits: Arc<Mutex<Vec<Hit>>>,
    plan: Arc<Mutex<Plan>>,
}

struct Receiver {
    port: u16,
    shared: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

async fn hook(State(s): State<Shared>, uri: axum::http::Uri, headers: HeaderMap, body: String) -> (StatusCode, String) {
    let n = {
        let mut hits = s.hits.lock().unwrap();
        hits.push(Hit { path: uri.path().to_owned(), headers, body });
        hits.len()
    };
    let plan = s.plan.lock().unwrap().clone();
    let status = if n <= plan.fail_first { plan.fail_status } else { 200 };
    (StatusCode::from_u16(status).unwrap(), plan.body)
}

impl Receiver {
    async fn start() -> Receiver {
        Receiver::start_on(0).await
    }

    async fn start_on(port: u16) -> Receiver {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Shared {
            hits: Default::default(),
            plan: Arc::new(Mutex::new(Plan { fail_first: 0, fail_status: 500, body: "ok".into() })),
        };
        let app = axum::Router::new().fallback(axum::routing::post(hook)).with_state(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Receiver { port, shared, stop: Some(tx) }
    }

    fn plan(&self, p: Plan) {
        *self.shared.plan.lock().unwrap() = p;
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }

    /// The hits on `path`, once there are at least `n` of them.
    async fn wait_for(&self, path: &str, n: usize) -> Vec<Hit> {
        let started = Instant::now();
        loop {
            let hits: Vec<Hit> = self.hits().into_iter().filter(|h| h.path == path).collect();
            if hits.len() >= n {
                return hits;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "expected {n} hits on {path}, have {}", hits.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn fast_pace() -> Pace {
    Pace {
        poll: Duration::from_millis(100),
        backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(200),
        batch: 5,
        timeout: Duration::from_secs(5),
        ..Pace::default()
    }
}

/// A pace whose worker sleeps through the test (a stopped instance).
fn idle_pace() -> Pace {
    Pace { poll: Duration::from_secs(3600), ..Pace::default() }
}

/// An app with the given worker pace, an admin signed in, the admin's token.
async fn app_with(b: Backend, pace: Pace) -> (TestApp, String) {
    let app = spawn_app_with(b, |c| c.webhook_pace = pace).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    assert_eq!(app.login("admin", PASSWORD).await.status(), 303);
    (app, token)
}

async fn config(db: &Db, edit: impl Fn(&mut InstanceConfig)) {
    settings::change::<InstanceConfig>(db, Actor { id: 0, nickname: "test" }, None, |c| {
        edit(c);
        Ok(())
    })
    .await
    .unwrap();
}

/// The hex HMAC-SHA256 of `"{t}.{body}"`, computed here independently.
fn hmac_hex(secret: &str, t: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The `v1` signatures of a hit, each checked against `secrets` in order.
fn signatures(hit: &Hit) -> (String, Vec<String>) {
    let header = hit.header("steward-signature");
    let mut t = String::new();
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.to_owned(),
            Some(("v1", v)) => v1.push(v.to_owned()),
            _ => panic!("unexpected signature part {part:?} in {header:?}"),
        }
    }
    (t, v1)
}

fn verifies(hit: &Hit, secret: &str) -> bool {
    let (t, v1) = signatures(hit);
    v1.contains(&hmac_hex(secret, &t, &hit.body))
}

async fn text(db: &Db, sql: &str) -> String {
    use steward::server::storage::ConnRef;
    let mut c = db.conn().await.unwrap();
    match c.as_ref() {
        ConnRef::Sqlite(x) => sqlx::query_scalar(sql).fetch_one(&mut *x).await.unwrap(),
        ConnRef::Postgres(x) => sqlx::query_scalar(sql).fetch_one(&mut *x).await.unwrap(),
    }
}

async fn secret_of(db: &Db, kind: &str) -> String {
    text(db, &format!("SELECT secret FROM webhook_endpoints WHERE kind = '{kind}'")).await
}

async fn wait_count(app: &TestApp, sql: &str, n: i64) {
    let started = Instant::now();
    loop {
        let got = app.db.count(sql).await;
        if got == n {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{sql}: {got}, expected {n}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Queues `n` system alerts directly, one transaction each.
async fn queue_alerts(db: &Db, n: usize) {
    for i in 0..n {
        let mut tx = db.begin().await.unwrap();
        enqueue_alert(tx.conn(), AlertKind::System, "settings.updated", json!({ "n": i })).await.unwrap();
        tx.commit().await.unwrap();
    }
}

async fn api(app: &TestApp, method: Method, path: &str, token: &str) -> (u16, Value) {
    let res = app.api(method, &format!("/api/v1/admin{path}"), token).await.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn a_registration_alert_arrives_signed(b: Backend) {
    let rx = Receiver::start().await;
    let (app, _) = app_with(b, fast_pace()).await;
    let db = &app.db.db;
    config(db, |c| {
        c.registration_alerts_webhook_url = Some(rx.url("/reg"));
        c.system_alerts_webhook_url = Some(rx.url("/sys"));
        c.sso.client_secret = Some("sso-client-secret-value".into());
    })
    .await;
    settings::change::<RegistrationPolicy>(db, Actor { id: 0, nickname: "test" }, None, |p| {
        p.mode = RegistrationMode::Open;
        p.confirmation_required = false;
        Ok(())
    })
    .await
    .unwrap();
    let body = json!({"nickname": "newbie", "email": "newbie@example.org", "password": "a long enough secret"});
    let res = app.client.post(app.url("/api/v1/register")).json(&body).send().await.unwrap();
    assert!(res.status().is_success(), "{:?}", res.text().await);
    let hit = rx.wait_for("/reg", 1).await.remove(0);
    assert_eq!(hit.header("steward-event"), "registration.created");
    assert_eq!(hit.header("content-type"), "application/json");
    let delivery: i64 = hit.header("steward-delivery").parse().unwrap();
    let secret = secret_of(db, "registration_alerts").await;
    assert!(verifies(&hit, &secret), "signature verifies: {:?}", hit.headers);
    assert!(!verifies(&hit, "some other secret"));
    let (t, v1) = signatures(&hit);
    assert_eq!(v1.len(), 1, "no rotation: one signature");
    assert!((t.parse::<i64>().unwrap() - steward::server::storage::now()).abs() < 60);
    let payload: Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(payload["event"], "registration.created");
    assert_eq!(payload["data"]["nickname"], "newbie");
    assert!(!hit.body.contains("a long enough secret") && !hit.body.contains("$argon2"));
    // The settings change announced itself on the system endpoint, naming fields, never values.
    let sys = rx.wait_for("/sys", 2).await;
    let events: Vec<&str> = sys.iter().map(|h| h.header("steward-event")).collect();
    assert!(events.iter().all(|e| *e == "settings.updated"), "{events:?}");
    assert!(sys.iter().all(|h| !h.body.contains("sso-client-secret-value")), "{sys:?}");
    assert!(sys.iter().any(|h| h.body.contains("\"sso\"")), "{sys:?}");
    let sys_secret = secret_of(db, "system_alerts").await;
    assert_ne!(sys_secret, secret, "each endpoint its own secret");
    assert!(sys.iter().all(|h| verifies(h, &sys_secret)));
    // The log records the delivery and its attempt.
    wait_count(&app, &format!("SELECT COUNT(*) FROM webhook_deliveries WHERE id = {delivery} AND status = 'delivered' AND attempts = 1 AND last_status_code = 200"), 1).await;
    assert_eq!(app.db.count(&format!("SELECT COUNT(*) FROM webhook_attempts WHERE delivery_id = {delivery}")).await, 1);
}

async fn every_alert_source_queues_its_event(b: Backend) {
    let rx = Receiver::start().await;
    let (app, token) = app_with(b, idle_pace()).await;
    let db = &app.db.db;
    config(db, |c| c.system_alerts_webhook_url = Some(rx.url("/sys"))).await;
    app.db.create_user("helper", None).await;
    let res = app
        .api(Method::POST, "/api/v1/pleroma/admin/users/permission_group/moderator", &token)
        .await
        .json(&json!({"nicknames": ["helper"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let role = text(db, "SELECT payload FROM webhook_deliveries WHERE event = 'staff.role_changed'").await;
    let role: Value = serde_json::from_str(&role).unwrap();
    assert_eq!(role["data"]["role"], "moderator");
    assert_eq!(role["data"]["granted"], true);
    assert_eq!(role["data"]["users"][0]["nickname"], "helper");
    // The mail worker gives up on a mail: announced in the same transaction.
    db.exec(
        "INSERT INTO outbox (kind, to_address, subject, body, status, next_attempt_at, created_at) \
         VALUES ('invite', 'not an address', 's', 'b', 'queued', 0, 0)",
    )
    .await
    .unwrap();
    let mailer = steward::mail::worker::Mailer::new(
        &format!("smtp://127.0.0.1:{}", free_port()),
        "Steward <s@test.invalid>",
        Duration::from_secs(2),
    )
    .unwrap();
    let mail_pace = steward::mail::worker::Pace { max_attempts: 1, ..Default::default() };
    steward::mail::worker::deliver_due(db, &mailer, &mail_pace).await.unwrap();
    assert_eq!(app.db.count("SELECT COUNT(*) FROM outbox WHERE status = 'failed'").await, 1);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM webhook_deliveries WHERE event = 'mail.failed'").await, 1);
    // Without a URL nothing is queued.
    config(db, |c| c.system_alerts_webhook_url = None).await;
    let before = app.db.count("SELECT COUNT(*) FROM webhook_deliveries").await;
    config(db, |c| c.manual_review_enabled = true).await;
    assert_eq!(app.db.count("SELECT COUNT(*) FROM webhook_deliveries").await, before);
    // Every queued alert arrives once a worker runs.
    let n = before as usize;
    let running = tokio::spawn(worker::run(db.clone(), worker::client(&fast_pace()).unwrap(), fast_pace()));
    let hits = rx.wait_for("/sys", n).await;
    running.abort();
    let mut events: Vec<&str> = hits.iter().map(|h| h.header("steward-event")).collect();
    events.sort();
    events.dedup();
    assert_eq!(events, ["mail.failed", "settings.updated", "staff.role_changed"]);
}

async fn a_failing_receiver_is_retried_then_delivered(b: Backend) {
    let rx = Receiver::start().await;
    rx.plan(Plan { fail_first: 2, fail_status: 500, body: "try later".into() });
    let (app, _) = app_with(b, fast_pace()).await;
    config(&app.db.db, |c| c.system_alerts_webhook_url = Some(rx.url("/sys"))).await;
    let hits = rx.wait_for("/sys", 3).await;
    let ids: Vec<&str> = hits.iter().map(|h| h.header("steward-delivery")).collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "one delivery, retried: {ids:?}");
    assert!(hits.iter().all(|h| h.body == hits[0].body), "the same body each time");
    let id = ids[0];
    wait_count(
        &app,
        &format!("SELECT COUNT(*) FROM webhook_deliveries WHERE id = {id} AND status = 'delivered' AND attempts = 3"),
        1,
    )
    .await;
    let codes = app
        .db
        .count(&format!("SELECT COUNT(*) FROM webhook_attempts WHERE delivery_id = {id} AND status_code = 500 AND response = 'try later'"))
        .await;
    assert_eq!(codes, 2);
    assert_eq!(
        app.db
            .count(&format!("SELECT COUNT(*) FROM webhook_attempts WHERE delivery_id = {id} AND status_code = 200"))
            .await,
        1
    );
    // The detail page shows every attempt.
    let (status, _, page) = app.page(&format!("/webhooks/deliveries/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("HTTP 500").count(), 2, "{page}");
    assert!(page.contains("Attempt 3"), "{page}");
}

async fn a_receiver_that_keeps_failing_is_given_up_with_its_answer_capped_and_escaped(b: Backend) {
    let rx = Receiver::start().await;
    let hostile = format!("<script>alert(1)</script>{}", "x".repeat(5000));
    rx.plan(Plan { fail_first: usize::MAX, fail_status: 503, body: hostile });
    let (app, _) = app_with(b, Pace { max_attempts: 3, ..fast_pace() }).await;
    config(&app.db.db, |c| c.system_alerts_webhook_url = Some(rx.url("/sys"))).await;
    wait_count(&app, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'failed' AND attempts = 3", 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.hits().len(), 3, "no attempt after giving up");
    let snippet = text(&app.db.db, "SELECT last_response FROM webhook_deliveries").await;
    assert_eq!(snippet.len(), 1024, "the first 1 KB");
    assert!(snippet.starts_with("<script>"));
    let (status, _, page) = app.page("/webhooks?status=failed").await;
    assert_eq!(status, 200);
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{page}");
    assert!(!page.contains("<script>alert(1)"), "rendered escaped");
    assert!(page.contains("HTTP 503"), "{page}");
    // A receiver that is not even listening: recorded as an error, no status.
    let port = free_port();
    config(&app.db.db, |c| c.system_alerts_webhook_url = Some(format!("http://127.0.0.1:{port}/gone"))).await;
    wait_count(
        &app,
        "SELECT COUNT(*) FROM webhook_attempts WHERE status_code IS NULL AND error LIKE 'could not connect%'",
        1,
    )
    .await;
    // Filters in the URL that make no sense fall back with a notice.
    let (status, _, page) = app.page("/webhooks?status=%3Cscript%3E&endpoint=abc&page=-1").await;
    assert_eq!(status, 200);
    assert!(page.contains("Ignored status=") && page.contains("Ignored endpoint=") && page.contains("Ignored page="));
    assert!(!page.contains("<script>\""), "{page}");
}

async fn nothing_is_lost_across_a_restart(b: Backend) {
    // The receiver is down and this instance's worker is stopped.
    let port = free_port();
    let (app, _) = app_with(b, idle_pace()).await;
    let db = &app.db.db;
    config(db, |c| c.system_alerts_webhook_url = Some(format!("http://127.0.0.1:{port}/sys"))).await;
    queue_alerts(db, 6).await;
    // One attempt failed against the receiver that was down.
    let dead = worker::client(&fast_pace()).unwrap();
    worker::deliver_due(db, &dead, &Pace { batch: 2, ..fast_pace() }).await.unwrap();
    // A worker died holding two rows: their lease runs out shortly.
    db.exec(&format!(
        "UPDATE webhook_deliveries SET locked_until = {} WHERE id IN (SELECT id FROM webhook_deliveries \
         WHERE attempts = 0 ORDER BY id LIMIT 2)",
        steward::server::storage::now()
    ))
    .await
    .unwrap();
    let total = app.db.count("SELECT COUNT(*) FROM webhook_deliveries").await;
    assert_eq!(total, 7, "the settings change and six alerts");
    // The receiver comes up and a new instance starts on the same database.
    let rx = Receiver::start_on(port).await;
    let peer = spawn_peer(&app).await;
    db.exec("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE status = 'queued'").await.unwrap();
    let hits = rx.wait_for("/sys", total as usize).await;
    wait_count(&peer, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'delivered'", total).await;
    let mut ids: Vec<String> = hits.iter().map(|h| h.header("steward-delivery").to_owned()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as i64, total, "every delivery arrived");
}

async fn two_workers_never_deliver_one_row_twice(b: Backend) {
    let rx = Receiver::start().await;
    let (app, _) = app_with(b, idle_pace()).await;
    config(&app.db.db, |c| c.system_alerts_webhook_url = Some(rx.url("/sys"))).await;
    let n = 24;
    queue_alerts(&app.db.db, n - 1).await;
    // Two processes' pools on one database, two workers each.
    let other = Db::connect(&app.db.url).await.unwrap();
    let mut workers = Vec::new();
    for db in [app.db.db.clone(), app.db.db.clone(), other.clone(), other] {
        let pace = Pace { batch: 3, ..fast_pace() };
        let http = worker::client(&pace).unwrap();
        workers.push(tokio::spawn(async move {
            let mut claimed = 0;
            loop {
                let got = worker::deliver_due(&db, &http, &pace).await.unwrap();
                if got == 0 {
                    return claimed;
                }
                claimed += got;
            }
        }));
    }
    let mut total = 0;
    for w in workers {
        total += w.await.unwrap();
    }
    assert_eq!(total, n, "every delivery claimed exactly once");
    let delivered = "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'delivered' AND attempts = 1";
    assert_eq!(app.db.count(delivered).await, n as i64);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM webhook_attempts").await, n as i64);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let hits = rx.hits();
    let mut ids: Vec<&str> = hits.iter().map(|h| h.header("steward-delivery")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((hits.len(), ids.len()), (n, n));
}

async fn a_rotation_signs_with_both_secrets_until_it_is_finished(b: Backend) {
    let rx = Receiver::start().await;
    let (app, token) = app_with(b, fast_pace()).await;
    let db = &app.db.db;
    config(db, |c| c.system_alerts_webhook_url = Some(rx.url("/sys"))).await;
    let (status, list) = api(&app, Method::GET, "/webhooks", &token).await;
    assert_eq!(status, 200);
    let endpoint = &list["webhooks"][0];
    assert_eq!(endpoint["kind"], "system_alerts");
    assert_eq!(endpoint["secret_set"], true);
    assert!(endpoint.get("secret").is_none() && !list.to_string().contains(&secret_of(db, "system_alerts").await));
    let id = endpoint["id"].as_str().unwrap().to_owned();
    let old = secret_of(db, "system_alerts").await;
    rx.wait_for("/sys", 1).await;
    // Rotate: the new secret is answered once, and both sign.
    let (status, rotated) = api(&app, Method::POST, &format!("/webhooks/{id}/rotate_secret"), &token).await;
    assert_eq!(status, 200, "{rotated}");
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let grace = rotated["previous_secret_until"].as_i64().unwrap() - steward::server::storage::now();
    assert!((24 * 3600 - 60..=24 * 3600).contains(&grace), "{grace}");
    let (_, list) = api(&app, Method::GET, "/webhooks", &token).await;
    assert!(!list.to_string().contains(&new), "never returned again");
    assert!(list["webhooks"][0]["rotation_until"].is_i64());
    config(db, |c| c.manual_review_enabled = true).await;
    let hit = rx.wait_for("/sys", 2).await.remove(1);
    let (t, v1) = signatures(&hit);
    assert_eq!(v1.len(), 2, "{:?}", hit.headers);
    assert_eq!(v1[0], hmac_hex(&new, &t, &hit.body), "the new secret first");
    assert_eq!(v1[1], hmac_hex(&old, &t, &hit.body), "then the old one");
    // Finish: only the new one signs.
    let (status, ep) = api(&app, Method::POST, &format!("/webhooks/{id}/finish_rotation"), &token).await;
    assert_eq!(status, 200, "{ep}");
    assert!(ep["rotation_until"].is_null());
    config(db, |c| c.manual_review_enabled = false).await;
    let hit = rx.wait_for("/sys", 3).await.remove(2);
    let (t, v1) = signatures(&hit);
    assert_eq!(v1, [hmac_hex(&new, &t, &hit.body)]);
    let (status, err) = api(&app, Method::POST, &format!("/webhooks/{id}/finish_rotation"), &token).await;
    assert_eq!(status, 409, "{err}");
    // Both steps are in the moderation log.
    for action in ["webhook.rotate_secret", "webhook.finish_rotation"] {
        assert_eq!(app.db.count(&format!("SELECT COUNT(*) FROM moderation_log WHERE action = '{action}'")).await, 1);
    }
    // The page's "Reveal a new secret" shows the secret once, in the flash.
    let res = app.post_form(&format!("/webhooks/{id}/rotate"), &[]).await;
    assert_eq!(res.status(), 303);
    let (_, _, page) = app.page("/webhooks").await;
    let current = secret_of(db, "system_alerts").await;
    assert!(page.contains(&current), "shown once");
    assert!(page.contains("Rotation in progress"), "{page}");
    let (_, _, again) = app.page("/webhooks").await;
    assert!(!again.contains(&current), "and not again");
    assert_eq!(api(&app, Method::POST, "/webhooks/999999/rotate_secret", &token).await.0, 404);
    assert_eq!(api(&app, Method::POST, "/webhooks/abc/rotate_secret", &token).await.0, 404);
}

async fn redeliver_sends_a_copy_and_is_logged(b: Backend) {
    let rx = Receiver::start().await;
    let (app, token) = app_with(b, fast_pace()).await;
    config(&app.db.db, |c| c.system_alerts_webhook_url = Some(rx.url("/sys"))).await;
    let first = rx.wait_for("/sys", 1).await.remove(0);
    let id = first.header("steward-delivery").to_owned();
    wait_count(&app, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'delivered'", 1).await;
    let (status, copy) = api(&app, Method::POST, &format!("/webhooks/deliveries/{id}/redeliver"), &token).await;
    assert_eq!(status, 200, "{copy}");
    assert_ne!(copy["id"].as_str().unwrap(), id);
    assert_eq!(copy["status"], "queued");
    let again = rx.wait_for("/sys", 2).await.remove(1);
    assert_eq!(again.body, first.body, "the same body");
    assert_eq!(again.header("steward-delivery"), copy["id"].as_str().unwrap());
    let logged =
        format!("SELECT COUNT(*) FROM moderation_log WHERE action = 'webhook.redeliver' AND message LIKE '%#{id}%'");
    assert_eq!(app.db.count(&logged).await, 1);
    // The form does the same and lands on the copy.
    let res = app.post_form(&format!("/webhooks/deliveries/{id}/redeliver"), &[]).await;
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"].to_str().unwrap().starts_with("/webhooks/deliveries/"));
    rx.wait_for("/sys", 3).await;
    // The API lists them, filtered.
    let (status, list) = api(&app, Method::GET, "/webhooks/deliveries?status=delivered&page=1", &token).await;
    assert_eq!(status, 200);
    assert!(list["deliveries"].as_array().unwrap().len() >= 2, "{list}");
    // A queued delivery is still being tried: 409; unknown ids 404.
    app.db.db.exec("UPDATE webhook_deliveries SET status = 'queued', next_attempt_at = 9999999999 WHERE id = (SELECT MIN(id) FROM webhook_deliveries)").await.unwrap();
    let min = app.db.count("SELECT MIN(id) FROM webhook_deliveries").await;
    assert_eq!(api(&app, Method::POST, &format!("/webhooks/deliveries/{min}/redeliver"), &token).await.0, 409);
    assert_eq!(api(&app, Method::POST, "/webhooks/deliveries/424242/redeliver", &token).await.0, 404);
    assert_eq!(api(&app, Method::POST, "/webhooks/deliveries/%22%3E%3Cscript%3E/redeliver", &token).await.0, 404);
    for bad in ["status=%3C%2Ftextarea%3E", "endpoint_id=%2F%2Fevil", "page=0", "page_size=100000", "endpoint_id=a%00b"]
    {
        let (status, err) = api(&app, Method::GET, &format!("/webhooks/deliveries?{bad}"), &token).await;
        assert_eq!(status, 422, "{bad}: {err}");
        assert!(err["errors"][0]["meta"]["param"].is_string(), "{err}");
    }
}

async fn only_admins_reach_webhooks(b: Backend) {
    let (app, _) = app_with(b, idle_pace()).await;
    let moderator = app.db.create_user("mod", Some(Role::Moderator)).await;
    let mod_token = app.db.token_for(&moderator).await;
    app.db.db.exec("INSERT INTO webhook_endpoints (kind, url, secret, created_at, updated_at) VALUES ('system_alerts', 'http://127.0.0.1:9/x', 's', 0, 0)").await.unwrap();
    let ops = [
        (Method::GET, "/webhooks"),
        (Method::GET, "/webhooks/deliveries"),
        (Method::POST, "/webhooks/deliveries/1/redeliver"),
        (Method::POST, "/webhooks/1/rotate_secret"),
        (Method::POST, "/webhooks/1/finish_rotation"),
    ];
    for (method, path) in ops {
        let url = app.url(&format!("/api/v1/admin{path}"));
        let anonymous = reqwest::Client::new().request(method.clone(), &url).send().await.unwrap();
        assert_eq!(anonymous.status(), 401, "{path}");
        assert_eq!(api(&app, method, path, &mod_token).await.0, 403, "{path}");
    }
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action LIKE 'webhook.%'").await, 0);
    assert_eq!(secret_of(&app.db.db, "system_alerts").await, "s", "nothing rotated");
    // The console's forms refuse a moderator too.
    let (browser, res) = app.login_elsewhere("mod", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let res = browser.post(app.url("/webhooks/1/rotate")).header("Origin", &app.base).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(secret_of(&app.db.db, "system_alerts").await, "s");
}

async fn a_sign_up_through_an_app_reaches_the_apps_webhook(b: Backend) {
    let rx = Receiver::start().await;
    let (app, token) = app_with(b, fast_pace()).await;
    settings::change::<RegistrationPolicy>(&app.db.db, Actor { id: 0, nickname: "test" }, None, |p| {
        p.mode = RegistrationMode::Open;
        p.confirmation_required = false;
        Ok(())
    })
    .await
    .unwrap();
    let hooks = json!([
        {"url": rx.url("/app"), "events": ["user.created"]},
        {"url": rx.url("/off"), "events": ["user.created"], "enabled": false},
    ]);
    let res = app
        .api(Method::POST, "/api/v1/admin/apps", &token)
        .await
        .json(&json!({"name": "Portal", "webhooks": hooks}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let portal: Value = res.json().await.unwrap();
    let secret = portal["webhooks"][0]["secret"].as_str().expect("a new webhook's secret, shown once").to_owned();
    let body = json!({"nickname": "joiner", "email": "joiner@example.org", "password": "a long enough secret", "app": portal["id"]});
    let res = app.client.post(app.url("/api/v1/register")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let hit = rx.wait_for("/app", 1).await.remove(0);
    assert_eq!(hit.header("steward-event"), "user.created");
    assert!(verifies(&hit, &secret), "signed with the app webhook's secret");
    let payload: Value = serde_json::from_str(&hit.body).unwrap();
    assert_eq!(
        (payload["data"]["nickname"].as_str(), payload["data"]["app_id"].clone()),
        (Some("joiner"), portal["id"].clone())
    );
    // A plain sign-up is not the app's business; a disabled endpoint gets nothing.
    let body = json!({"nickname": "plain", "email": "plain@example.org", "password": "a long enough secret"});
    assert_eq!(app.client.post(app.url("/api/v1/register")).json(&body).send().await.unwrap().status(), 201);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.hits().iter().filter(|h| h.path == "/app").count(), 1);
    assert_eq!(rx.hits().iter().filter(|h| h.path == "/off").count(), 0);
}

both_backends!(
    a_registration_alert_arrives_signed,
    every_alert_source_queues_its_event,
    a_failing_receiver_is_retried_then_delivered,
    a_receiver_that_keeps_failing_is_given_up_with_its_answer_capped_and_escaped,
    nothing_is_lost_across_a_restart,
    two_workers_never_deliver_one_row_twice,
    a_rotation_signs_with_both_secrets_until_it_is_finished,
    redeliver_sends_a_copy_and_is_logged,
    only_admins_reach_webhooks,
    a_sign_up_through_an_app_reaches_the_apps_webhook,
);
