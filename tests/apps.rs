//! Apps' registration policy (issue #15, rw3iss `UpdateAppRequest`): every
//! PATCH rule of the seed — absent keeps, `""` clears a string, `[]` clears a
//! list, `registration_namespaces: []` leaves the singular pool in charge,
//! `webhooks` replaces the list keeping the secrets of URLs that stay — 422s
//! naming their field, hostile values, who may do what, the moderation log,
//! concurrent writers, and the console's tri-state forms, on both backends.

mod common;

use common::{Backend, PASSWORD, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::Role;
use steward::server::storage::apps;

async fn app(b: Backend) -> (TestApp, String) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    assert_eq!(app.login("admin", PASSWORD).await.status(), 303);
    (app, token)
}

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let mut req = app.api(method, &format!("/api/v1/admin{path}"), token).await;
    if !body.is_null() {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Creates an app named `name`; its id.
async fn create(app: &TestApp, token: &str, body: Value) -> String {
    let (status, a) = call(app, token, Method::POST, "/apps", body.clone()).await;
    assert_eq!(status, 201, "{body}: {a}");
    a["id"].as_str().unwrap().to_owned()
}

async fn patch(app: &TestApp, token: &str, id: &str, body: Value) -> (u16, Value) {
    call(app, token, Method::PATCH, &format!("/apps/{id}"), body).await
}

async fn show(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, a) = call(app, token, Method::GET, &format!("/apps/{id}"), Value::Null).await;
    assert_eq!(status, 200);
    a
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.count(sql).await
}

/// The 422's `meta.param`.
fn param(status: u16, body: &Value) -> &str {
    assert_eq!(status, 422, "{body}");
    body["errors"][0]["meta"]["param"].as_str().unwrap_or("")
}

/// The stored secrets of an app's webhooks, by URL.
async fn secrets(app: &TestApp, id: &str) -> Vec<(String, String)> {
    let mut conn = app.db.db.conn().await.unwrap();
    let rows = apps::webhooks(conn.as_ref(), &[id.parse().unwrap()]).await.unwrap();
    rows.into_iter().map(|r| (r.url, r.secret)).collect()
}

async fn create_list_and_show(b: Backend) {
    let (app, token) = app(b).await;
    let (status, a) = call(&app, &token, Method::POST, "/apps", json!({"name": "Web"})).await;
    assert_eq!(status, 201, "{a}");
    assert!(a["id"].is_string(), "ids are strings, as rw3iss has them");
    assert_eq!(a["status"], "active");
    assert_eq!(a["frontend_url"], Value::Null);
    assert_eq!(a["effective_frontend_url"], app.base.as_str(), "falls back to the public URL");
    for list in ["allowed_redirect_urls", "service_codes", "allowed_email_domains", "allowed_auth_methods"] {
        assert_eq!(a[list], json!([]), "{list}");
    }
    assert_eq!((&a["default_organization_id"], &a["webhooks"]), (&Value::Null, &json!([])));
    let id = a["id"].as_str().unwrap();

    let full = json!({
        "name": "Mobile", "description": "The phone app", "status": "disabled",
        "allowed_redirect_urls": ["https://m.example.org/cb"], "service_codes": ["svc-1"],
        "auto_grant_on_signup": true, "frontend_url": "https://m.example.org",
        "allowed_email_domains": ["Example.ORG"], "allowed_auth_methods": ["password", "passkey"],
        "registration_namespace": "main", "registration_namespaces": ["a", "b"], "read_namespaces": ["c"],
        "webhooks": [{"url": "https://hooks.example.org/m", "events": ["user.created"]}]
    });
    let (status, m) = call(&app, &token, Method::POST, "/apps", full).await;
    assert_eq!(status, 201, "{m}");
    assert_eq!(m["allowed_email_domains"], json!(["example.org"]));
    assert_eq!(m["effective_frontend_url"], "https://m.example.org/");
    assert_eq!(m["effective_registration_namespaces"], json!(["a", "b"]));
    assert!(m["webhooks"][0]["secret"].as_str().is_some_and(|s| s.len() >= 32), "shown once at creation");

    for body in [json!({}), json!({"name": ""}), json!({"name": "   "}), json!({"description": "x"})] {
        let (status, e) = call(&app, &token, Method::POST, "/apps", body.clone()).await;
        assert_eq!(param(status, &e), "name", "{body}");
    }
    let (status, list) = call(&app, &token, Method::GET, "/apps", Value::Null).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list["apps"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Web", "Mobile"]);
    assert!(list["apps"][1]["webhooks"][0].get("secret").is_none(), "never listed");
    assert_eq!(list["apps"][1]["webhooks"][0]["secret_set"], true);
    assert_eq!(show(&app, &token, id).await["name"], "Web");
    for missing in ["/apps/999", "/apps/abc", "/apps/-1"] {
        let (status, _) = call(&app, &token, Method::GET, missing, Value::Null).await;
        assert_eq!(status, 404, "{missing}");
    }
    let (status, _) = patch(&app, &token, "999", json!({"name": "x"})).await;
    assert_eq!(status, 404);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'app.create'").await, 2);
}

async fn each_string_is_kept_when_absent_cleared_by_empty_and_set_by_value(b: Backend) {
    let (app, token) = app(b).await;
    let id = create(&app, &token, json!({"name": "Web"})).await;
    // (field, a value, what the API answers for it, what it answers once cleared)
    let cases = [
        ("description", json!("About it"), json!("About it"), json!("")),
        ("frontend_url", json!("https://app.example.org/"), json!("https://app.example.org/"), Value::Null),
        ("registration_namespace", json!("main"), json!("main"), Value::Null),
    ];
    for (field, value, shown, cleared) in cases {
        let (status, a) = patch(&app, &token, &id, json!({ field: value })).await;
        assert_eq!((status, &a[field]), (200, &shown), "{field} set");
        // Absent: another field changes, this one stays.
        let (status, a) = patch(&app, &token, &id, json!({"service_codes": [format!("x-{field}")]})).await;
        assert_eq!((status, &a[field]), (200, &shown), "{field} kept when absent");
        // null reads as absent, as the seed says.
        let (status, a) = patch(&app, &token, &id, json!({ field: null })).await;
        assert_eq!((status, &a[field]), (200, &shown), "{field} kept on null");
        let (status, a) = patch(&app, &token, &id, json!({ field: "" })).await;
        assert_eq!((status, &a[field]), (200, &cleared), "{field} cleared by \"\"");
        let shown = show(&app, &token, &id).await;
        assert_eq!(shown[field], cleared, "{field} stays cleared");
    }
    let a = show(&app, &token, &id).await;
    assert_eq!(a["effective_frontend_url"], app.base.as_str(), "a cleared frontend_url falls back");

    // name and status cannot be cleared; a value sets them.
    for field in ["name", "status"] {
        let (status, e) = patch(&app, &token, &id, json!({ field: "" })).await;
        assert_eq!(param(status, &e), field);
    }
    let (_, a) = patch(&app, &token, &id, json!({"name": "Renamed", "status": "disabled"})).await;
    assert_eq!((&a["name"], &a["status"]), (&json!("Renamed"), &json!("disabled")));
    let (_, a) = patch(&app, &token, &id, json!({"auto_grant_on_signup": true})).await;
    assert_eq!((&a["auto_grant_on_signup"], &a["name"]), (&json!(true), &json!("Renamed")));
    let (_, a) = patch(&app, &token, &id, json!({})).await;
    assert_eq!((&a["auto_grant_on_signup"], &a["status"]), (&json!(true), &json!("disabled")), "{{}} changes nothing");
}

async fn each_list_is_kept_when_absent_and_cleared_by_empty_array(b: Backend) {
    let (app, token) = app(b).await;
    let id = create(&app, &token, json!({"name": "Web"})).await;
    let cases = [
        ("allowed_redirect_urls", json!(["https://a.example.org/cb", "http://localhost:3000/cb"])),
        ("service_codes", json!(["billing", "svc.two:x"])),
        ("allowed_email_domains", json!(["example.org", "example.com"])),
        ("allowed_auth_methods", json!(["password", "oidc", "magic_link", "passkey"])),
        ("registration_namespaces", json!(["pool-a", "pool-b"])),
        ("read_namespaces", json!(["pool-c"])),
    ];
    for (field, value) in &cases {
        let (status, a) = patch(&app, &token, &id, json!({ *field: value })).await;
        assert_eq!((status, &a[*field]), (200, value), "{field} set");
    }
    let (_, a) = patch(&app, &token, &id, json!({"description": "other"})).await;
    for (field, value) in &cases {
        assert_eq!(&a[*field], value, "{field} kept when absent");
    }
    for (field, value) in &cases {
        let (status, a) = patch(&app, &token, &id, json!({ *field: [] })).await;
        assert_eq!((status, &a[*field]), (200, &json!([])), "{field} cleared by []");
        for (other, v) in cases.iter().filter(|(o, _)| o != field) {
            let cleared_before =
                cases.iter().position(|(f, _)| f == other) < cases.iter().position(|(f, _)| f == field);
            let want = if cleared_before { json!([]) } else { v.clone() };
            assert_eq!(a[*other], want, "{other} untouched by clearing {field}");
        }
        let _ = value;
    }
    // A list's duplicates are dropped, its order kept.
    let (_, a) = patch(&app, &token, &id, json!({"service_codes": ["b", "a", "b"]})).await;
    assert_eq!(a["service_codes"], json!(["b", "a"]));
}

async fn clearing_the_plural_pools_makes_the_singular_one_authoritative(b: Backend) {
    let (app, token) = app(b).await;
    let id = create(
        &app,
        &token,
        json!({"name": "Web", "registration_namespace": "main", "registration_namespaces": ["legacy-a", "legacy-b"]}),
    )
    .await;
    let a = show(&app, &token, &id).await;
    assert_eq!(
        a["effective_registration_namespaces"],
        json!(["legacy-a", "legacy-b"]),
        "the legacy list wins while set"
    );
    let (status, a) = patch(&app, &token, &id, json!({"registration_namespaces": []})).await;
    assert_eq!(status, 200);
    assert_eq!(a["registration_namespaces"], json!([]));
    assert_eq!(a["registration_namespace"], "main", "the singular pool is untouched");
    assert_eq!(a["effective_registration_namespaces"], json!(["main"]), "and now authoritative");
    let (_, a) = patch(&app, &token, &id, json!({"registration_namespace": "other"})).await;
    assert_eq!(a["effective_registration_namespaces"], json!(["other"]));
    let (_, a) = patch(&app, &token, &id, json!({"registration_namespace": ""})).await;
    assert_eq!(a["effective_registration_namespaces"], json!([]), "no pool at all");
}

async fn the_default_organization_must_exist_and_empty_clears_it(b: Backend) {
    let (app, token) = app(b).await;
    app.db
        .db
        .exec("INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES (5, 'Acme', 'acme', 0, 0)")
        .await
        .unwrap();
    let id = create(&app, &token, json!({"name": "Web"})).await;
    for missing in [json!("999"), json!(999)] {
        let (status, e) =
            patch(&app, &token, &id, json!({"default_organization_id": missing, "description": "x"})).await;
        assert_eq!(param(status, &e), "default_organization_id");
    }
    assert_eq!(show(&app, &token, &id).await["description"], "", "nothing half-applied");
    for bad in [json!(true), json!("abc"), json!(0), json!(-3), json!([5]), json!(1.5)] {
        let (status, e) = patch(&app, &token, &id, json!({"default_organization_id": bad})).await;
        assert_eq!(param(status, &e), "default_organization_id", "{bad}");
    }
    let (status, a) = patch(&app, &token, &id, json!({"default_organization_id": "5"})).await;
    assert_eq!((status, &a["default_organization_id"]), (200, &json!("5")));
    let (_, a) = patch(&app, &token, &id, json!({"description": "kept"})).await;
    assert_eq!(a["default_organization_id"], "5");
    let (_, a) = patch(&app, &token, &id, json!({"default_organization_id": ""})).await;
    assert_eq!(a["default_organization_id"], Value::Null, "\"\" clears auto-membership");
    let (_, a) = patch(&app, &token, &id, json!({"default_organization_id": 5})).await;
    assert_eq!(a["default_organization_id"], "5", "a number works too");
    let (status, e) =
        call(&app, &token, Method::POST, "/apps", json!({"name": "B", "default_organization_id": "6"})).await;
    assert_eq!(param(status, &e), "default_organization_id");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM apps").await, 1);
}

async fn webhooks_replace_the_list_and_keep_the_secrets_of_urls_that_stay(b: Backend) {
    let (app, token) = app(b).await;
    let id = create(&app, &token, json!({"name": "Web"})).await;
    let (a_url, b_url, c_url) = ("https://a.example.org/h", "https://b.example.org/h", "https://c.example.org/h");
    let (status, r) =
        patch(&app, &token, &id, json!({"webhooks": [{"url": a_url}, {"url": b_url, "enabled": false}]})).await;
    assert_eq!(status, 200, "{r}");
    let hooks = r["webhooks"].as_array().unwrap();
    assert_eq!(hooks.len(), 2);
    let a_secret = hooks[0]["secret"].as_str().unwrap().to_owned();
    assert_ne!(a_secret, hooks[1]["secret"].as_str().unwrap(), "a fresh secret each");
    assert_eq!(
        (&hooks[0]["events"], &hooks[0]["enabled"], &hooks[1]["enabled"]),
        (&json!([]), &json!(true), &json!(false))
    );
    let a_id = hooks[0]["id"].clone();
    let stored = secrets(&app, &id).await;
    assert_eq!(stored[0], (a_url.to_owned(), a_secret.clone()));

    let got = show(&app, &token, &id).await;
    assert!(got["webhooks"].as_array().unwrap().iter().all(|w| w.get("secret").is_none() && w["secret_set"] == true));

    // A stays (with new events and switched off), B goes, C comes.
    let body = json!({"webhooks": [{"url": a_url, "events": ["user.created"], "enabled": false}, {"url": c_url}]});
    let (status, r) = patch(&app, &token, &id, body).await;
    assert_eq!(status, 200, "{r}");
    let hooks = r["webhooks"].as_array().unwrap();
    assert_eq!(hooks.len(), 2);
    assert_eq!((&hooks[0]["id"], &hooks[0]["url"]), (&a_id, &json!(a_url)), "the row of a URL that stays is kept");
    assert_eq!((&hooks[0]["events"], &hooks[0]["enabled"]), (&json!(["user.created"]), &json!(false)));
    assert!(hooks[0].get("secret").is_none(), "a kept secret is never returned");
    let c_secret = hooks[1]["secret"].as_str().unwrap().to_owned();
    let stored = secrets(&app, &id).await;
    assert_eq!(stored, [(a_url.to_owned(), a_secret.clone()), (c_url.to_owned(), c_secret.clone())]);

    // A secret given for a URL that stays replaces it, and is not echoed.
    let chosen = "a-chosen-secret-of-enough-length";
    let (status, r) =
        patch(&app, &token, &id, json!({"webhooks": [{"url": a_url, "secret": chosen}, {"url": c_url}]})).await;
    assert_eq!(status, 200);
    assert!(!r.to_string().contains(chosen));
    assert!(r["webhooks"][1].get("secret").is_none(), "C keeps its secret");
    let stored = secrets(&app, &id).await;
    assert_eq!(stored, [(a_url.to_owned(), chosen.to_owned()), (c_url.to_owned(), c_secret.clone())]);

    // The same list again changes nothing and logs nothing.
    let logged = count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'app.update'").await;
    let (status, _) = patch(&app, &token, &id, json!({"webhooks": [{"url": a_url}, {"url": c_url}]})).await;
    assert_eq!(status, 200);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'app.update'").await, logged);

    // Bad lists are refused whole.
    let bad = [
        (json!([{"url": a_url}, {"url": a_url}]), "webhooks[1].url"),
        (json!([{"url": "ftp://x.example.org/"}]), "webhooks[0].url"),
        (json!([{"url": "javascript:alert(1)"}]), "webhooks[0].url"),
        (json!([{"events": []}]), "webhooks[0].url"),
        (json!([{"url": a_url, "events": ["user.deleted"]}]), "webhooks[0].events"),
        (json!([{"url": a_url, "enabled": "yes"}]), "webhooks[0].enabled"),
        (json!([{"url": a_url, "secret": "short"}]), "webhooks[0].secret"),
        (json!([{"url": a_url, "colour": "red"}]), "webhooks[0].colour"),
        (json!(["https://a.example.org/h"]), "webhooks[0]"),
        (json!({"url": a_url}), "webhooks"),
    ];
    for (hooks, want) in bad {
        let (status, e) = patch(&app, &token, &id, json!({"webhooks": hooks, "description": "no"})).await;
        assert_eq!(param(status, &e), want, "{hooks}");
    }
    let stored_after = secrets(&app, &id).await;
    assert_eq!(stored_after.len(), 2);
    assert_eq!(show(&app, &token, &id).await["description"], "");

    let (status, r) = patch(&app, &token, &id, json!({"webhooks": []})).await;
    assert_eq!((status, &r["webhooks"]), (200, &json!([])), "[] removes every webhook");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM webhook_endpoints").await, 0);

    // The log names the field, never a secret.
    let leaks = format!(
        "SELECT COUNT(*) FROM moderation_log WHERE data LIKE '%{a_secret}%' OR message LIKE '%{a_secret}%' \
         OR data LIKE '%{chosen}%' OR data LIKE '%{c_secret}%'"
    );
    assert_eq!(count(&app, &leaks).await, 0);
    assert!(
        count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'app.update' AND data LIKE '%webhooks%'").await
            >= 4
    );
}

async fn unknown_keys_and_wrong_types_are_422_naming_the_field(b: Backend) {
    let (app, token) = app(b).await;
    let id = create(&app, &token, json!({"name": "Web", "service_codes": ["keep"]})).await;
    let before = show(&app, &token, &id).await;
    let cases = [
        (json!({"colour": "red"}), "colour"),
        (json!({"expected_version": 1}), "expected_version"),
        (json!({"name": 5}), "name"),
        (json!({"description": ["x"]}), "description"),
        (json!({"status": true}), "status"),
        (json!({"status": "paused"}), "status"),
        (json!({"auto_grant_on_signup": "true"}), "auto_grant_on_signup"),
        (json!({"service_codes": "keep"}), "service_codes"),
        (json!({"service_codes": [1, 2]}), "service_codes"),
        (json!({"allowed_redirect_urls": {"a": 1}}), "allowed_redirect_urls"),
        (json!({"allowed_auth_methods": ["sms"]}), "allowed_auth_methods"),
        (json!({"frontend_url": 12}), "frontend_url"),
        (json!({"registration_namespaces": "a"}), "registration_namespaces"),
        (json!({"read_namespaces": [null]}), "read_namespaces"),
        (json!({"webhooks": "none"}), "webhooks"),
        (json!({"description": "ok", "service_codes": "bad"}), "service_codes"),
    ];
    for (body, want) in cases {
        let (status, e) = patch(&app, &token, &id, body.clone()).await;
        assert_eq!(param(status, &e), want, "{body}");
        assert!(e["error"].is_string(), "the §5 body");
    }
    for body in [json!([1]), json!("x"), json!(3)] {
        let (status, e) = patch(&app, &token, &id, body.clone()).await;
        assert_eq!(param(status, &e), "body", "{body}");
    }
    let res = app
        .api(Method::PATCH, &format!("/api/v1/admin/apps/{id}"), &token)
        .await
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(show(&app, &token, &id).await, before, "nothing applied");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'app.update'").await, 0);
}

async fn hostile_values_are_refused_and_change_nothing(b: Backend) {
    let (app, token) = app(b).await;
    let id = create(&app, &token, json!({"name": "Web"})).await;
    let before = show(&app, &token, &id).await;
    let huge = "x".repeat(20_000);
    let many: Vec<String> = (0..51).map(|i| format!("code-{i}")).collect();
    let cases = [
        (json!({"frontend_url": "javascript:alert(1)"}), "frontend_url"),
        (json!({"frontend_url": "//evil.example"}), "frontend_url"),
        (json!({"frontend_url": "\"><script>alert(1)</script>"}), "frontend_url"),
        (json!({"frontend_url": format!("https://a.example.org/{huge}")}), "frontend_url"),
        (json!({"allowed_redirect_urls": ["javascript:alert(1)"]}), "allowed_redirect_urls"),
        (json!({"allowed_redirect_urls": ["data:text/html,x"]}), "allowed_redirect_urls"),
        (json!({"allowed_email_domains": ["\"><script>"]}), "allowed_email_domains"),
        (json!({"allowed_email_domains": ["a@b.org"]}), "allowed_email_domains"),
        (json!({"registration_namespace": "../etc"}), "registration_namespace"),
        (json!({"read_namespaces": ["</textarea>"]}), "read_namespaces"),
        (json!({"service_codes": many}), "service_codes"),
        (json!({"name": huge}), "name"),
        (json!({"description": "a\u{7}b"}), "description"),
        (json!({"name": "line\nbreak"}), "name"),
    ];
    for (body, want) in cases {
        let (status, e) = patch(&app, &token, &id, body.clone()).await;
        let shown = body.to_string().chars().take(80).collect::<String>();
        assert_eq!(param(status, &e), want, "{shown}");
    }
    // NUL anywhere in a body is refused.
    let (status, _) = patch(&app, &token, &id, json!({"description": "a\u{0}b"})).await;
    assert_eq!(status, 422);
    assert_eq!(show(&app, &token, &id).await, before);

    // Markup is text: stored as typed and shown escaped.
    let name = "</textarea><script>alert(1)</script>";
    let (status, _) =
        patch(&app, &token, &id, json!({"name": name, "description": "\"><img src=x onerror=alert(1)>"})).await;
    assert_eq!(status, 200);
    let (status, _, html) = app.page(&format!("/apps/{id}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)") && !html.contains("\"><img"), "escaped");
    let (_, _, html) = app.page("/apps").await;
    assert!(!html.contains("<script>alert(1)"));
}

async fn only_admins_manage_apps(b: Backend) {
    let (app, token) = app(b).await;
    let id = create(&app, &token, json!({"name": "Web"})).await;
    let moderator = app.db.create_user("mod", Some(Role::Moderator)).await;
    let mod_token = app.db.token_for(&moderator).await;
    let routes = [
        (Method::GET, "/apps".to_owned(), Value::Null),
        (Method::POST, "/apps".to_owned(), json!({"name": "X"})),
        (Method::GET, format!("/apps/{id}"), Value::Null),
        (Method::PATCH, format!("/apps/{id}"), json!({"name": "X"})),
    ];
    for (method, path, body) in &routes {
        let (status, _) = call(&app, &mod_token, method.clone(), path, body.clone()).await;
        assert_eq!(status, 403, "moderator {method} {path}");
        let res = reqwest::Client::new()
            .request(method.clone(), app.url(&format!("/api/v1/admin{path}")))
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "anonymous {method} {path}");
    }
    let (moderator_browser, res) = app.login_elsewhere("mod", PASSWORD).await;
    assert_eq!(res.status(), 303);
    for page in ["/apps".to_owned(), format!("/apps/{id}")] {
        let res = moderator_browser.get(app.url(&page)).send().await.unwrap();
        assert_eq!(res.status(), 403, "moderator page {page}");
    }
    for path in ["/apps".to_owned(), format!("/apps/{id}"), format!("/apps/{id}/webhooks")] {
        let res = moderator_browser
            .post(app.url(&path))
            .header("Origin", &app.base)
            .form(&[("name", "X"), ("name__mode", "set"), ("wh_url_0", "https://a.example.org/")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "moderator form {path}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM apps").await, 1);
    assert_eq!(show(&app, &token, &id).await["name"], "Web");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM webhook_endpoints").await, 0);
}

async fn every_change_is_logged_with_the_fields_it_changed(b: Backend) {
    let (app, token) = app(b).await;
    let id = create(&app, &token, json!({"name": "Web"})).await;
    let (status, _) =
        patch(&app, &token, &id, json!({"frontend_url": "https://x.example.org", "service_codes": ["a"]})).await;
    assert_eq!(status, 200);
    let sql = format!(
        "SELECT COUNT(*) FROM moderation_log WHERE action = 'app.update' AND actor_nickname = 'admin' \
         AND data LIKE '%\"app_id\":{id}%' AND data LIKE '%frontend_url%' AND data LIKE '%service_codes%' \
         AND data NOT LIKE '%description%' AND message LIKE '%service_codes, frontend_url%'"
    );
    assert_eq!(count(&app, &sql).await, 1);
    // Setting what is already stored is no change: no entry.
    let (status, _) = patch(&app, &token, &id, json!({"service_codes": ["a"], "description": ""})).await;
    assert_eq!(status, 200);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'app.update'").await, 1);
}

async fn concurrent_writers_keep_every_field(b: Backend) {
    let (app, token) = app(b).await;
    let id = create(&app, &token, json!({"name": "Web"})).await;
    let edits = vec![
        json!({"description": "described"}),
        json!({"frontend_url": "https://f.example.org/"}),
        json!({"service_codes": ["s1"]}),
        json!({"allowed_redirect_urls": ["https://r.example.org/cb"]}),
        json!({"allowed_email_domains": ["example.org"]}),
        json!({"allowed_auth_methods": ["passkey"]}),
        json!({"registration_namespace": "main"}),
        json!({"registration_namespaces": ["p1"]}),
        json!({"read_namespaces": ["r1"]}),
        json!({"auto_grant_on_signup": true}),
        json!({"status": "disabled"}),
        json!({"webhooks": [{"url": "https://w.example.org/h"}]}),
    ];
    let tasks: Vec<_> = edits
        .iter()
        .cloned()
        .map(|body| {
            let (base, token, id) = (app.base.clone(), token.clone(), id.clone());
            tokio::spawn(async move {
                reqwest::Client::new()
                    .patch(format!("{base}/api/v1/admin/apps/{id}"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200, "no 5xx, no conflict");
    }
    let a = show(&app, &token, &id).await;
    for edit in &edits {
        for (k, v) in edit.as_object().unwrap() {
            if k == "webhooks" {
                assert_eq!(a["webhooks"][0]["url"], "https://w.example.org/h");
            } else {
                assert_eq!(&a[k], v, "{k} kept");
            }
        }
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'app.update'").await, 12);
}

async fn the_console_edits_fields_in_three_states_and_confirms_frontend_url(b: Backend) {
    let (app, token) = app(b).await;
    let res = app.post_form("/apps", &[("name", "Console app"), ("description", "first")]).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id = location.strip_prefix("/apps/").unwrap().to_owned();
    let (status, _, html) = app.page("/apps").await;
    assert_eq!(status, 200);
    assert!(html.contains("Console app") && html.contains(&format!("href=\"/apps/{id}\"")));
    let (status, _, html) = app.page(&location).await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"description__mode\"") && html.contains("value=\"clear\""));

    // Set one field, keep another (its typed text is ignored), clear a list.
    patch(&app, &token, &id, json!({"read_namespaces": ["r"]})).await;
    let form = [
        ("description__mode", "set"),
        ("description", "second"),
        ("name__mode", "keep"),
        ("name", "ignored"),
        ("read_namespaces__mode", "clear"),
        ("service_codes__mode", "set"),
        ("service_codes", "one\ntwo\n"),
        ("status", ""),
        ("auto_grant_on_signup", ""),
    ];
    assert_eq!(app.post_form(&location, &form).await.status(), 303);
    let a = show(&app, &token, &id).await;
    assert_eq!((&a["description"], &a["name"]), (&json!("second"), &json!("Console app")));
    assert_eq!((&a["read_namespaces"], &a["service_codes"]), (&json!([]), &json!(["one", "two"])));

    // Clearing a string.
    assert_eq!(app.post_form(&location, &[("description__mode", "clear"), ("description", "x")]).await.status(), 303);
    assert_eq!(show(&app, &token, &id).await["description"], "");

    // frontend_url waits for a confirming second submit.
    let change = [("frontend_url__mode", "set"), ("frontend_url", "https://front.example.org")];
    assert_eq!(app.post_form(&location, &change).await.status(), 303);
    assert_eq!(show(&app, &token, &id).await["frontend_url"], Value::Null, "not applied yet");
    let (status, _, html) = app.page(&location).await;
    assert_eq!(status, 200);
    assert!(html.contains("will point at https://front.example.org/"), "the warning names the target");
    assert!(html.contains("name=\"confirm_frontend_url\" value=\"https://front.example.org/\""));
    let confirm = [
        ("frontend_url__mode", "set"),
        ("frontend_url", "https://front.example.org"),
        ("confirm_frontend_url", "https://front.example.org/"),
    ];
    assert_eq!(app.post_form(&location, &confirm).await.status(), 303);
    assert_eq!(show(&app, &token, &id).await["frontend_url"], "https://front.example.org/");
    // Clearing asks too, naming the public URL it falls back to.
    app.post_form(&location, &[("frontend_url__mode", "clear")]).await;
    let (_, _, html) = app.page(&location).await;
    assert!(html.contains(&format!("will point at {}", app.base)));
    app.post_form(&location, &[("frontend_url__mode", "clear"), ("confirm_frontend_url", "")]).await;
    assert_eq!(show(&app, &token, &id).await["frontend_url"], Value::Null);

    // A bad value comes back beside its field with what was typed.
    let bad = [("allowed_email_domains__mode", "set"), ("allowed_email_domains", "example.org\nnot a domain")];
    assert_eq!(app.post_form(&location, &bad).await.status(), 303);
    let (status, _, html) = app.page(&location).await;
    assert_eq!(status, 422);
    assert!(html.contains("Enter a domain like example.org"));
    assert!(html.contains("not a domain"), "the typed value kept");
    assert_eq!(show(&app, &token, &id).await["allowed_email_domains"], json!([]));

    // The webhooks editor: fill a blank row; its secret shows once.
    let hooks = [("wh_url_0", "https://hook.example.org/x"), ("wh_events_0", "user.created"), ("wh_enabled_0", "on")];
    assert_eq!(app.post_form(&format!("{location}/webhooks"), &hooks).await.status(), 303);
    let stored = secrets(&app, &id).await;
    assert_eq!(stored.len(), 1);
    let (_, _, html) = app.page(&location).await;
    assert!(html.contains(&stored[0].1), "shown once after creation");
    let (_, _, html) = app.page(&location).await;
    assert!(!html.contains(&stored[0].1), "and never again");
    assert!(html.contains("value=\"https://hook.example.org/x\""));
    // Saving it again with a new blank row filled keeps the first secret.
    let hooks = [
        ("wh_url_0", "https://hook.example.org/x"),
        ("wh_enabled_0", "on"),
        ("wh_url_1", "https://hook2.example.org/y"),
    ];
    assert_eq!(app.post_form(&format!("{location}/webhooks"), &hooks).await.status(), 303);
    let now = secrets(&app, &id).await;
    assert_eq!((now.len(), &now[0]), (2, &stored[0]));
    let a = show(&app, &token, &id).await;
    assert_eq!(a["webhooks"][1]["enabled"], false, "an unticked box is off");
    // Removing a row; a bad row comes back beside it.
    let hooks = [("wh_url_0", "https://hook.example.org/x"), ("wh_remove_0", "on"), ("wh_url_1", "ftp://x")];
    app.post_form(&format!("{location}/webhooks"), &hooks).await;
    let (status, _, html) = app.page(&location).await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"ftp://x\""));
    assert_eq!(secrets(&app, &id).await.len(), 2, "nothing applied");
    let hooks = [
        ("wh_url_0", "https://hook.example.org/x"),
        ("wh_remove_0", "on"),
        ("wh_url_1", "https://hook2.example.org/y"),
    ];
    app.post_form(&format!("{location}/webhooks"), &hooks).await;
    assert_eq!(secrets(&app, &id).await, [now[1].clone()]);

    // A forged cross-site post is refused.
    let res = app
        .client
        .post(app.url(&location))
        .header("Origin", "https://evil.example")
        .form(&[("description__mode", "set"), ("description", "evil")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(show(&app, &token, &id).await["description"], "");
}

both_backends!(
    create_list_and_show,
    each_string_is_kept_when_absent_cleared_by_empty_and_set_by_value,
    each_list_is_kept_when_absent_and_cleared_by_empty_array,
    clearing_the_plural_pools_makes_the_singular_one_authoritative,
    the_default_organization_must_exist_and_empty_clears_it,
    webhooks_replace_the_list_and_keep_the_secrets_of_urls_that_stay,
    unknown_keys_and_wrong_types_are_422_naming_the_field,
    hostile_values_are_refused_and_change_nothing,
    only_admins_manage_apps,
    every_change_is_logged_with_the_fields_it_changed,
    concurrent_writers_keep_every_field,
    the_console_edits_fields_in_three_states_and_confirms_frontend_url,
);
