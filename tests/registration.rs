//! Public registration under every rule of the policy, the approval queue
//! and confirmation links, through the API and the forms, on both backends.

mod common;

use common::{Backend, TestApp, admin_app, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::settings::{
    Document, InstanceConfig, InstanceSettings, RegistrationMode, RegistrationPolicy, Restrictions,
};
use steward::server::config::Clock;
use steward::server::settings;
use steward::server::storage::audit::Actor;

const GOOD: &str = "a long enough secret";

/// Changes a settings document as an admin would.
async fn set<D: Document>(app: &TestApp, edit: impl Fn(&mut D)) {
    let actor = Actor { id: 0, nickname: "test" };
    settings::change::<D>(&app.db.db, actor, None, |d| {
        edit(d);
        Ok(())
    })
    .await
    .expect("settings change");
}

async fn open(app: &TestApp) {
    set::<RegistrationPolicy>(app, |p| {
        p.mode = RegistrationMode::Open;
        p.confirmation_required = false;
    })
    .await;
}

async fn register(app: &TestApp, body: Value) -> (u16, Value) {
    let res = app.client.post(app.url("/api/v1/register")).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn applicant(nick: &str) -> Value {
    json!({"nickname": nick, "email": format!("{nick}@example.org"), "password": GOOD})
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.count(sql).await
}

/// One text value from a query.
async fn text(app: &TestApp, sql: &str) -> String {
    use steward::server::storage::ConnRef;
    let mut c = app.db.db.conn().await.unwrap();
    match c.as_ref() {
        ConnRef::Sqlite(x) => sqlx::query_scalar(sql).fetch_one(&mut *x).await.unwrap(),
        ConnRef::Postgres(x) => sqlx::query_scalar(sql).fetch_one(&mut *x).await.unwrap(),
    }
}

async fn flag(app: &TestApp, nick: &str, column: &str) -> i64 {
    count(app, &format!("SELECT COUNT(*) FROM users WHERE nickname = '{nick}' AND {column}")).await
}

async fn the_mode_decides_who_may_register(b: Backend) {
    let (app, _) = admin_app(b).await;
    // The default: invite only.
    let (status, body) = register(&app, applicant("nobody")).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"].as_str().unwrap().contains("invite"), "{body}");
    set::<RegistrationPolicy>(&app, |p| p.mode = RegistrationMode::Closed).await;
    let (status, body) = register(&app, applicant("nobody")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "Registrations are closed.");
    open(&app).await;
    let (status, body) = register(&app, applicant("alice")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["approval_pending"], false);
    assert_eq!(body["confirmation_pending"], false);
    assert_eq!(flag(&app, "alice", "is_approved AND is_confirmed AND NOT is_admin AND NOT is_moderator").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'nobody'").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'user.register' AND actor_nickname = 'alice'")
            .await,
        1
    );
}

async fn make_invite(app: &TestApp, token: &str, max_use: Option<i64>, expires_at: Option<&str>) {
    let sql = format!(
        "INSERT INTO invites (token, max_use, expires_at, created_at) VALUES ('{token}', {}, {}, 0)",
        max_use.map_or("NULL".into(), |m| m.to_string()),
        expires_at.map_or("NULL".into(), |d| format!("'{d}'"))
    );
    app.db.db.exec(&sql).await.unwrap();
}

async fn an_invite_opens_an_invite_only_instance_until_it_is_spent(b: Backend) {
    let (app, _) = admin_app(b).await;
    set::<RegistrationPolicy>(&app, |p| p.confirmation_required = false).await;
    make_invite(&app, "once", None, None).await;
    make_invite(&app, "old", Some(10), Some("2000-01-01")).await;
    let mut a = applicant("invited");
    a["invite"] = "once".into();
    let (status, body) = register(&app, a).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invites WHERE token = 'once' AND used AND uses = 1").await, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users u JOIN invites i ON i.id = u.invite_id WHERE u.nickname = 'invited'")
            .await,
        1
    );
    let mut again = applicant("second");
    again["invite"] = "once".into();
    let (status, body) = register(&app, again).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["meta"]["param"], "invite");
    let mut late = applicant("late");
    late["invite"] = "old".into();
    assert_eq!(register(&app, late).await.0, 422);
    let mut hostile = applicant("hostile");
    hostile["invite"] = "\"><script>alert(1)</script>".into();
    assert_eq!(register(&app, hostile).await.0, 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname IN ('second', 'late', 'hostile')").await, 0);
}

async fn a_crowd_cannot_overspend_an_invite(b: Backend) {
    let (app, _) = admin_app(b).await;
    set::<RegistrationPolicy>(&app, |p| p.confirmation_required = false).await;
    make_invite(&app, "three", Some(3), None).await;
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let mut a = applicant(&format!("crowd{i}"));
                a["invite"] = "three".into();
                register(&app, a).await.0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == 201 || *s == 422), "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 3, "{statuses:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname LIKE 'crowd%'").await, 3);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invites WHERE token = 'three' AND uses = 3 AND used").await, 1);
}

async fn a_crowd_registering_at_once_loses_nothing(b: Backend) {
    let (app, _) = admin_app(b).await;
    open(&app).await;
    let app = std::sync::Arc::new(app);
    // 16 distinct people and 8 racing for one nickname.
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let body = if i < 16 {
                    applicant(&format!("person{i}"))
                } else {
                    json!({"nickname": "contested", "email": format!("c{i}@example.org"), "password": GOOD})
                };
                register(&app, body).await.0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(statuses[..16].iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(statuses[16..].iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses[16..].iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname LIKE 'person%'").await, 16);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'contested'").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'user.register'").await, 17);
}

async fn restrictions_refuse_what_they_name(b: Backend) {
    let (app, _) = admin_app(b).await;
    open(&app).await;
    let add = |list: &str, id: &str, kind: &str| {
        format!(
            "INSERT INTO restriction_identifiers (list, identifier, identifier_type, created_at) \
             VALUES ('{list}', '{id}', '{kind}', 0)"
        )
    };
    app.db.db.exec(&add("blocklist", "spam.example", "domain")).await.unwrap();
    app.db.db.exec(&add("allowlist", "corp.example", "domain")).await.unwrap();
    app.db.db.exec(&add("allowlist", "guest@else.example", "email_address")).await.unwrap();
    let try_email = |nick: &'static str, email: &'static str| {
        let app = &app;
        async move { register(app, json!({"nickname": nick, "email": email, "password": GOOD})).await }
    };
    // Lists switched off: nothing is refused.
    assert_eq!(try_email("s0", "a@mail.spam.example").await.0, 201);
    set::<Restrictions>(&app, |r| r.blocklist = true).await;
    let (status, body) = try_email("s1", "b@mail.spam.example").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["meta"]["param"], "email");
    assert_eq!(try_email("s2", "c@notspam.example").await.0, 201);
    set::<Restrictions>(&app, |r| r.block_email_subaddresses = true).await;
    assert_eq!(try_email("s3", "d+tag@corp.example").await.0, 422);
    set::<Restrictions>(&app, |r| r.block_disposable_email_domains = true).await;
    let (status, body) = try_email("s4", "e@mailinator.com").await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("Disposable"), "{body}");
    set::<Restrictions>(&app, |r| r.allowlist = true).await;
    assert_eq!(try_email("s5", "f@other.example").await.0, 422);
    assert_eq!(try_email("s6", "g@corp.example").await.0, 201);
    assert_eq!(try_email("s7", "guest@else.example").await.0, 201);
    assert_eq!(try_email("s8", "host@else.example").await.0, 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname IN ('s1','s3','s4','s5','s8')").await, 0);
}

async fn gmail_dots_fold_only_when_the_rule_is_on(b: Backend) {
    let (app, _) = admin_app(b).await;
    open(&app).await;
    let body = |nick: &str, email: &str| json!({"nickname": nick, "email": email, "password": GOOD});
    assert_eq!(register(&app, body("john", "john@gmail.com")).await.0, 201);
    // Off: another address as far as uniqueness goes.
    assert_eq!(register(&app, body("john2", "j.ohn@gmail.com")).await.0, 201);
    set::<Restrictions>(&app, |r| r.ignore_dots_for_gmail_addresses = true).await;
    let fresh = register(&app, body("fresh", "fresh@example.org")).await;
    let (status, answer) = register(&app, body("john3", "J.o.h.n@googlemail.com")).await;
    // No enumeration: the answer a new address gets, and a notice to the owner.
    assert_eq!((status, &answer), (fresh.0, &fresh.1));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'john3'").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'registration_taken' AND to_address = 'J.o.h.n@googlemail.com'"
        )
        .await,
        1
    );
}

/// A local stand-in for the HIBP range API that knows one password.
async fn range_server(breached: &'static str) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use sha1::{Digest, Sha1};
    let hex: String = Sha1::digest(breached.as_bytes()).iter().map(|b| format!("{b:02X}")).collect();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/range/{prefix}",
        axum::routing::get(move |axum::extract::Path(prefix): axum::extract::Path<String>| {
            let (hex, log) = (hex.clone(), log.clone());
            async move {
                log.lock().unwrap().push(prefix.clone());
                let mut body = String::from("0000000000000000000000000000000000A:0\r\n");
                if hex.starts_with(&prefix) {
                    body.push_str(&format!("{}:42\r\n", &hex[5..]));
                }
                body
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn breached_passwords_are_refused_and_an_outage_lets_registration_through(b: Backend) {
    let (url, seen) = range_server("password1234").await;
    let app = spawn_app_with(b, |c| c.env.set("registration.hibp_url", url.as_str())).await;
    open(&app).await;
    let body = |nick: &str, pw: &str| json!({"nickname": nick, "email": format!("{nick}@example.org"), "password": pw});
    // Off: not asked.
    assert_eq!(register(&app, body("h0", "password1234")).await.0, 201);
    assert!(seen.lock().unwrap().is_empty());
    set::<InstanceSettings>(&app, |s| s.hibp = true).await;
    let (status, answer) = register(&app, body("h1", "password1234")).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["errors"][0]["meta"]["param"], "password");
    assert!(answer["error"].as_str().unwrap().contains("42 data breaches"), "{answer}");
    assert_eq!(register(&app, body("h2", GOOD)).await.0, 201);
    // Only five hex digits ever left the machine.
    assert!(seen.lock().unwrap().iter().all(|p| p.len() == 5 && p.chars().all(|c| c.is_ascii_hexdigit())));
    // The service unreachable: registration goes on.
    let down = spawn_app_with(b, |c| c.env.set("registration.hibp_url", "http://127.0.0.1:9/")).await;
    open(&down).await;
    set::<InstanceSettings>(&down, |s| s.hibp = true).await;
    assert_eq!(register(&down, body("h3", "password1234")).await.0, 201);
}

/// 2026-12-04 at `hour`:00 UTC.
fn at(hour: i64) -> i64 {
    1_796_342_400 + hour * 3600
}

async fn the_review_window_holds_new_accounts_for_approval(b: Backend) {
    let clock = Clock::fixed(at(10));
    let app = spawn_app_with(b, |c| c.clock = clock.clone()).await;
    open(&app).await;
    let window = |start: u8, end: u8| {
        move |c: &mut InstanceConfig| {
            c.manual_review_enabled = true;
            c.manual_review_schedule_enabled = true;
            c.manual_review_schedule_start_hour_utc = start;
            c.manual_review_schedule_end_hour_utc = end;
        }
    };
    let mut n = 0;
    let mut pending_at = |hour: i64| {
        n += 1;
        let nick = format!("w{n}");
        clock.set(at(hour) + 59 * 60 * i64::from(hour == 5));
        let app = &app;
        async move {
            let (status, body) = register(app, applicant(&nick)).await;
            assert_eq!(status, 201, "{body}");
            let waiting = flag(app, &nick, "NOT is_approved").await == 1;
            assert_eq!(body["approval_pending"], waiting);
            waiting
        }
    };
    set::<InstanceConfig>(&app, window(9, 17)).await;
    assert!(!pending_at(8).await);
    assert!(pending_at(9).await);
    assert!(pending_at(16).await);
    assert!(!pending_at(17).await);
    set::<InstanceConfig>(&app, window(22, 6)).await;
    assert!(pending_at(23).await);
    assert!(pending_at(0).await);
    assert!(pending_at(5).await); // 05:59
    assert!(!pending_at(6).await);
    set::<InstanceConfig>(&app, window(23, 0)).await;
    assert!(pending_at(23).await);
    assert!(!pending_at(0).await);
    set::<InstanceConfig>(&app, window(11, 11)).await;
    assert!(pending_at(3).await);
    set::<InstanceConfig>(&app, |c| c.manual_review_schedule_enabled = false).await;
    assert!(pending_at(20).await);
    set::<InstanceConfig>(&app, |c| c.manual_review_enabled = false).await;
    assert!(!pending_at(12).await);
    set::<RegistrationPolicy>(&app, |p| p.approval_required = true).await;
    assert!(pending_at(12).await);
}

async fn approving_and_rejecting_mail_the_applicant_and_are_logged(b: Backend) {
    let (app, token) = admin_app(b).await;
    set::<RegistrationPolicy>(&app, |p| {
        p.mode = RegistrationMode::Open;
        p.approval_required = true;
        p.confirmation_required = false;
    })
    .await;
    for nick in ["keep", "drop"] {
        let mut a = applicant(nick);
        a["reason"] = "I run a <b>bakery</b>".into();
        assert_eq!(register(&app, a).await.0, 201);
    }
    let moderator = app.db.create_user("mod", Some(steward::domain::Role::Moderator)).await;
    let mod_token = app.db.token_for(&moderator).await;
    let list = app.api(Method::GET, "/api/v1/admin/registrations", &mod_token).await.send().await.unwrap();
    assert_eq!(list.status(), 403);
    let anon = reqwest::Client::new().get(app.url("/api/v1/admin/registrations")).send().await.unwrap();
    assert_eq!(anon.status(), 401);
    let list: Value =
        app.api(Method::GET, "/api/v1/admin/registrations", &token).await.send().await.unwrap().json().await.unwrap();
    assert_eq!(list["count"], 2, "{list}");
    assert_eq!(list["users"][0]["nickname"], "keep");
    assert_eq!(list["users"][0]["registration_reason"], "I run a <b>bakery</b>");
    let id = |n: usize| list["users"][n]["id"].as_i64().unwrap();
    let approve = format!("/api/v1/admin/registrations/{}/approve", id(0));
    assert_eq!(app.api(Method::POST, &approve, &mod_token).await.send().await.unwrap().status(), 403);
    assert_eq!(app.api(Method::POST, &approve, &token).await.send().await.unwrap().status(), 204);
    assert_eq!(app.api(Method::POST, &approve, &token).await.send().await.unwrap().status(), 404);
    assert_eq!(flag(&app, "keep", "is_approved").await, 1);
    let reject = format!("/api/v1/admin/registrations/{}/reject", id(1));
    let empty = app.api(Method::POST, &reject, &token).await.json(&json!({"reason": "  "})).send().await.unwrap();
    assert_eq!(empty.status(), 422);
    let res = app.api(Method::POST, &reject, &token).await.json(&json!({"reason": "Spam </textarea>"})).send().await;
    assert_eq!(res.unwrap().status(), 204);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'drop'").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'approval' AND to_address = 'keep@example.org'").await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'rejection' AND body LIKE '%Spam </textarea>%'").await,
        1
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'user.approve'").await, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'user.reject' AND message LIKE '%Spam%'").await,
        1
    );
    // The console page, as the admin signed in on app.client sees it.
    let mut a = applicant("later");
    a["reason"] = "\"><script>alert(1)</script>".into();
    assert_eq!(register(&app, a).await.0, 201);
    let (status, _, html) = app.page("/registrations").await;
    assert_eq!(status, 200);
    assert!(html.contains("@</span>") || html.contains("later"), "{html}");
    assert!(!html.contains("<script>alert(1)"), "hostile reason rendered raw");
    let later = count(&app, "SELECT id FROM users WHERE nickname = 'later'").await;
    let res = app.post_form(&format!("/registrations/{later}/reject"), &[("reason", "")]).await;
    assert_eq!(res.status(), 303);
    let (_, _, html) = app.page("/registrations").await;
    assert!(html.contains("Give the applicant a reason"), "the refusal is shown by its field");
    let res = app.post_form(&format!("/registrations/{later}/approve"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(flag(&app, "later", "is_approved").await, 1);
}

async fn a_confirmation_link_confirms_once(b: Backend) {
    let (app, _) = admin_app(b).await;
    set::<RegistrationPolicy>(&app, |p| p.mode = RegistrationMode::Open).await;
    let (status, body) = register(&app, applicant("conf")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["confirmation_pending"], true);
    assert_eq!(flag(&app, "conf", "NOT is_confirmed").await, 1);
    let mail = text(&app, "SELECT body FROM outbox WHERE kind = 'confirmation'").await;
    let link = mail.split_whitespace().find(|w| w.contains("/confirm/")).expect("a link in the mail");
    let path = &link[link.find("/confirm/").unwrap()..];
    // Opening the link changes nothing (mail scanners open links).
    let (status, _, html) = app.page(path).await;
    assert_eq!(status, 200);
    assert!(html.contains("Confirm my address"));
    assert_eq!(flag(&app, "conf", "NOT is_confirmed").await, 1);
    let res = app.post_form(path, &[]).await;
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"].to_str().unwrap().ends_with("result=ok"));
    assert_eq!(flag(&app, "conf", "is_confirmed").await, 1);
    let again = app.post_form(path, &[]).await;
    assert!(again.headers()["location"].to_str().unwrap().ends_with("result=invalid"));
    let forged = app.post_form("/confirm/%22%3E%3Cscript%3E", &[]).await;
    assert!(forged.headers()["location"].to_str().unwrap().ends_with("result=invalid"));
}

async fn the_form_keeps_values_and_refuses_hostile_input(b: Backend) {
    // Nobody signed in on this app's client: a stranger's browser.
    let app = spawn_app(b).await;
    open(&app).await;
    let stranger = &app;
    let res = stranger
        .post_form(
            "/register",
            &[
                ("nickname", "\"><script>alert(1)</script>"),
                ("email", "x@example.org"),
                ("password", GOOD),
                ("password_confirmation", GOOD),
                ("reason", "</textarea><script>alert(2)</script>"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/register");
    let (status, _, html) = stranger.page("/register").await;
    assert_eq!(status, 422);
    assert!(html.contains("Use letters, digits"), "the nickname error is shown");
    assert!(!html.contains("<script>alert("), "hostile values rendered raw");
    assert!(html.contains("x@example.org"), "the email is kept");
    assert!(!html.contains(GOOD), "a password is never echoed");
    let huge = "x".repeat(5000);
    let nul = "a\0b";
    // NUL is refused for every field before any handler runs (param `body`).
    for (nick, reason, param) in [("huge", huge.as_str(), "reason"), ("nul", nul, "body")] {
        let (status, body) = register(
            &app,
            json!({"nickname": nick, "email": format!("{nick}@example.org"), "password": GOOD, "reason": reason}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["meta"]["param"], param, "{nick}: {body}");
    }
    let ok = stranger
        .post_form(
            "/register",
            &[
                ("nickname", "formed"),
                ("email", "formed@example.org"),
                ("password", GOOD),
                ("password_confirmation", GOOD),
            ],
        )
        .await;
    assert_eq!(ok.headers()["location"], "/register?done=ready");
    let (_, _, html) = stranger.page("/register?done=ready").await;
    assert!(html.contains("Your account is ready."));
    // The invite page escapes what is in its path.
    let (status, _, html) = stranger.page("/invite/%22%3E%3Cscript%3Ealert(3)%3C%2Fscript%3E").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(3)"));
    // A cross-site post is refused.
    let evil = reqwest::Client::new()
        .post(app.url("/register"))
        .header("Origin", "https://evil.example")
        .form(&[("nickname", "csrf"), ("email", "csrf@example.org"), ("password", GOOD)])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'csrf'").await, 0);
}

async fn registrations_are_throttled_per_address(b: Backend) {
    let app = spawn_app_with(b, |c| c.env.set("throttling.registrations_per_ip", 3)).await;
    open(&app).await;
    for i in 0..3 {
        assert_eq!(register(&app, applicant(&format!("t{i}"))).await.0, 201);
    }
    let (status, body) = register(&app, applicant("t3")).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 't3'").await, 0);
}

/// An admin API call: `(status, body)`.
async fn admin(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let res = app.api(method, &format!("/api/v1/admin{path}"), token).await.json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn an_app_narrows_sign_ups_and_enrolls_them(b: Backend) {
    let (app, token) = admin_app(b).await;
    set::<RegistrationPolicy>(&app, |p| p.mode = RegistrationMode::Open).await;
    set::<steward::domain::settings::OrganizationSettings>(&app, |o| o.enabled = true).await;
    let (status, org) = admin(&app, &token, Method::POST, "/organizations", json!({"name": "Acme"})).await;
    assert_eq!(status, 201, "{org}");
    let body = json!({
        "name": "Acme portal",
        "allowed_email_domains": ["acme.test"],
        "default_organization_id": org["id"],
        "frontend_url": "https://portal.acme.test",
    });
    let (status, portal) = admin(&app, &token, Method::POST, "/apps", body).await;
    assert!(status == 200 || status == 201, "{portal}");
    let app_id = portal["id"].as_str().map(str::to_owned).unwrap_or_else(|| portal["id"].to_string());
    let through = |nick: &str, email: &str| json!({"nickname": nick, "email": email, "password": GOOD, "app": app_id});

    // An address outside the app's domains is refused, and nothing is written.
    let (status, body) = register(&app, through("outsider", "outsider@example.org")).await;
    assert_eq!((status, body["errors"][0]["meta"]["param"].as_str()), (422, Some("email")), "{body}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'outsider'").await, 0);

    // A subdomain of an allowed domain is in; the new account joins the app's
    // organization, and its confirmation link points at the app's frontend.
    let (status, body) = register(&app, through("insider", "insider@eu.acme.test")).await;
    assert_eq!(status, 201, "{body}");
    let joined = "SELECT COUNT(*) FROM organization_members m JOIN users u ON u.id = m.user_id \
                  WHERE u.nickname = 'insider'";
    assert_eq!(count(&app, joined).await, 1);
    let mail = text(&app, "SELECT body FROM outbox WHERE kind = 'confirmation'").await;
    assert!(mail.contains("https://portal.acme.test/confirm/"), "{mail}");
    let logged = text(&app, "SELECT message FROM moderation_log WHERE action = 'user.register'").await;
    assert!(logged.contains("through Acme portal"), "{logged}");

    // Without the app the instance's own rules apply: no organization.
    let (status, _) = register(&app, applicant("plain")).await;
    assert_eq!(status, 201);
    let plain = "SELECT COUNT(*) FROM organization_members m JOIN users u ON u.id = m.user_id \
                 WHERE u.nickname = 'plain'";
    assert_eq!(count(&app, plain).await, 0);

    // A disabled app takes no sign-ups; an unknown or hostile app id is a 422.
    let (status, _) =
        admin(&app, &token, Method::PATCH, &format!("/apps/{app_id}"), json!({"status": "disabled"})).await;
    assert_eq!(status, 200);
    let (status, body) = register(&app, through("late", "late@acme.test")).await;
    assert_eq!(status, 403, "{body}");
    for bad in ["999999", "\"><script>", "1 OR 1=1"] {
        let (status, body) =
            register(&app, json!({"nickname": "x1", "email": "x1@acme.test", "password": GOOD, "app": bad})).await;
        assert_eq!((status, body["errors"][0]["meta"]["param"].as_str()), (422, Some("app")), "{bad}: {body}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname IN ('late', 'x1')").await, 0);
}

both_backends!(
    the_mode_decides_who_may_register,
    an_invite_opens_an_invite_only_instance_until_it_is_spent,
    a_crowd_cannot_overspend_an_invite,
    a_crowd_registering_at_once_loses_nothing,
    restrictions_refuse_what_they_name,
    gmail_dots_fold_only_when_the_rule_is_on,
    breached_passwords_are_refused_and_an_outage_lets_registration_through,
    the_review_window_holds_new_accounts_for_approval,
    approving_and_rejecting_mail_the_applicant_and_are_logged,
    a_confirmation_link_confirms_once,
    the_form_keeps_values_and_refuses_hostile_input,
    registrations_are_throttled_per_address,
    an_app_narrows_sign_ups_and_enrolls_them,
);
