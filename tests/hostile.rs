//! An attacker's inputs on both backends: hostile text stays inert on every
//! page, redirects never leave the site, malformed requests get the §5 error
//! body with the right status and change nothing, and every response carries
//! the security headers.

mod common;

use common::{Backend, PASSWORD, TestApp, admin_app, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::Role;

const HOSTILE_BIO: &str = "</textarea><img src=x onerror=alert(1)>";
const HOSTILE_NAME: &str = "\"><script>alert(1)</script>";

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let req = app.api(method, path, token).await;
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The §5 body: an `errors` list whose first code and message are set, and
/// the message repeated as `error` for Pleroma clients.
fn assert_contract(body: &Value, what: &str) {
    let first = &body["errors"][0];
    assert!(first["code"].is_string() && first["message"].is_string(), "{what}: not a §5 body: {body}");
    assert_eq!(body["error"], first["message"], "{what}");
}

async fn hostile_text_is_inert_on_every_page(b: Backend) {
    let (app, token) = admin_app(b).await;
    let victim = app.db.create_user("victim", None).await;
    let (status, res) = call(
        &app,
        &token,
        Method::PATCH,
        "/api/v1/admin/users/victim/credentials",
        Some(json!({ "bio": HOSTILE_BIO, "display_name": HOSTILE_NAME })),
    )
    .await;
    assert_eq!(status, 200, "{res}");
    for path in [format!("/users/{}", victim.id), "/users".into(), "/users?q=%22%3E%3Cscript%3E".into(), "/".into()] {
        let (status, _, html) = app.page(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains("<img src=x onerror"), "{path} renders the bio's markup");
        assert!(!html.contains("<script>alert(1)</script>"), "{path} renders the name's script");
    }
    // The list's rows are written as markup (ui/markup.rs): the name is there, as text.
    let (_, _, html) = app.page("/users").await;
    assert!(html.contains(r#"<p class="break-words">"&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>"#), "{html}");
    let (_, _, html) = app.page(&format!("/users/{}", victim.id)).await;
    assert!(html.contains("&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;</textarea>"), "the bio stays text");

    // A report's comment and a note, on the inbox and the report page.
    let r = common::content::report(&app, None, victim.id, &[], HOSTILE_BIO).await;
    let res = app.post_form(&format!("/reports/{r}/notes"), &[("content", HOSTILE_NAME)]).await;
    assert_eq!(res.status(), 303);
    for path in [format!("/reports/{r}"), "/reports".into()] {
        let (status, _, html) = app.page(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains("<img src=x onerror"), "{path} renders the comment's markup");
        assert!(!html.contains("<script>alert(1)</script>"), "{path} renders the note's script");
    }
    let (_, _, html) = app.page("/reports").await;
    assert!(html.contains("&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;</p>"), "the comment stays text: {html}");

    // A rejected sign-in keeps the typed nickname in the form, escaped.
    let c = common::client();
    c.post(app.url("/login"))
        .header("Origin", &app.base)
        .form(&[("nickname", HOSTILE_NAME), ("password", "wrong password")])
        .send()
        .await
        .unwrap();
    let html = c.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("value=\"&quot;"), "the nickname is kept, its quote escaped");
    assert!(!html.contains("\"><script>alert(1)</script>"));
}

async fn every_response_carries_the_security_headers(b: Backend) {
    let (app, token) = admin_app(b).await;
    let page = app.get("/users").await;
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let html = page.text().await.unwrap();
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce in the page's CSP");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the header's nonce");
    let scripts = csp.split("script-src").nth(1).unwrap().split(';').next().unwrap();
    assert!(!scripts.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    let api = app.api(Method::GET, "/api/v1/admin/users", &token).await.send().await.unwrap();
    for res in [&api, &app.get("/login").await, &app.get("/healthz").await] {
        let h = res.headers();
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "same-origin");
    }
    // Another page load, another nonce.
    let again = app.get("/users").await;
    assert_ne!(again.headers()["content-security-policy"].to_str().unwrap(), csp);
}

async fn redirect_targets_never_leave_the_site(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("admin", Some(Role::Admin)).await;
    for next in
        ["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/a\r\nSet-Cookie: x=1"]
    {
        let client = common::client();
        let res = client
            .post(app.url("/login"))
            .header("Origin", &app.base)
            .form(&[("nickname", "admin"), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{next:?}");
        assert_eq!(res.headers()["location"], "/", "{next:?} leads home");
    }
    // A hostile return_to on a console form: the action happens, the way back stays on the site.
    assert_eq!(app.login("admin", PASSWORD).await.status(), 303);
    let bob = app.db.create_user("bob", None).await;
    for back in ["/users?\r\nx", "//evil.example/users", "/users/\t/evil"] {
        let res = app
            .post_form("/users/bulk", &[("ids", &bob.id.to_string()), ("action", "activate"), ("return_to", back)])
            .await;
        assert_eq!(res.status(), 303, "{back:?}");
        assert_eq!(res.headers()["location"], "/users", "{back:?}");
    }
}

async fn malformed_requests_get_contract_errors_and_change_nothing(b: Backend) {
    let (app, token) = admin_app(b).await;
    app.db.create_user("bob", None).await;
    let log_before = app.db.count("SELECT COUNT(*) FROM moderation_log").await;
    let cases: Vec<(Method, &str, Option<Value>, u16)> = vec![
        (Method::GET, "/api/pleroma/admin/reports/test", None, 404),
        (Method::GET, "/api/v1/admin/reports/99999999999999999999", None, 404),
        (Method::DELETE, "/api/v1/admin/reports/1/notes/x", None, 404),
        (Method::GET, "/api/v1/admin/statuses?page_size=5&page_size=6", None, 400),
        (Method::GET, "/api/v1/admin/users?page=1000000000000", None, 422),
        (Method::GET, "/api/v1/admin/users?query=a%00b", None, 422),
        (Method::GET, "/api/v1/admin/no-such-thing", None, 404),
        (Method::GET, "/api/v1/admin/users/a%00b", None, 404),
        (Method::POST, "/api/v1/admin/stats", None, 405),
        (Method::PATCH, "/api/v1/admin/users/deactivate", Some(json!({ "nicknames": ["bob\u{0}"] })), 422),
        (
            Method::PATCH,
            "/api/v1/admin/users/deactivate",
            Some(json!({ "nicknames": (0..40_000).map(|i| format!("n{i}")).collect::<Vec<_>>() })),
            422,
        ),
        (
            Method::PATCH,
            "/api/v1/admin/users/activate",
            Some(json!({ "nicknames": ["bob"], "pad": "x".repeat(2 * 1024 * 1024) })),
            413,
        ),
    ];
    for (method, path, body, want) in cases {
        let (status, res) = call(&app, &token, method.clone(), path, body).await;
        assert_eq!(status, want, "{method} {path}: {res}");
        assert_contract(&res, path);
    }
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users WHERE NOT is_active").await, 0, "nobody deactivated");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log").await, log_before, "nothing logged");

    // The same rejections reach a browser as an HTML page, not JSON.
    let res = app.client.get(app.url("/users/not-a-number/x")).header("Accept", "text/html").send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("<!DOCTYPE html>"));
    // A half-sent form body with NUL is refused before any handler runs.
    let res = app.post_form("/account/tokens", &[("label", "a\0b")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM api_tokens WHERE label LIKE 'a%'").await, 0);
}

both_backends!(
    hostile_text_is_inert_on_every_page,
    every_response_carries_the_security_headers,
    redirect_targets_never_leave_the_site,
    malformed_requests_get_contract_errors_and_change_nothing,
);
