//! OAuth apps (issue #15): Pleroma's admin `oauth_app` API — shapes, filters,
//! paging, validation, who may call it, the secret shown once, regeneration,
//! deletion revoking tokens, trusted apps' client_credentials grant for the
//! intake API, and concurrent edits — on both backends.

mod common;

use common::{Backend, TestApp, admin_app};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::Role;

const CALLBACK: &str = "https://client.example/callback";

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let req = app.api(method, &format!("/api/pleroma/admin{path}"), token).await;
    let req = if body.is_null() { req } else { req.json(&body) };
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn post_json(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let res = common::client().post(app.url(path)).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, res) = call(app, token, Method::POST, "/oauth_app", body).await;
    assert_eq!(status, 200, "{res}");
    res
}

async fn client_credentials(app: &TestApp, a: &Value, secret: &str) -> (u16, Value) {
    let body = json!({ "grant_type": "client_credentials", "client_id": a["client_id"], "client_secret": secret,
        "scope": "intake" });
    post_json(app, "/oauth/token", body).await
}

async fn shapes_and_the_secret_shown_once(b: Backend) {
    let (app, token) = admin_app(b).await;
    let a = create(
        &app,
        &token,
        json!({"name": "Mobile", "redirect_uris": CALLBACK, "scopes": ["read", "write"],
        "website": "https://m.example"}),
    )
    .await;
    let mut keys: Vec<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["client_id", "client_secret", "id", "name", "redirect_uri", "trusted", "website"]);
    assert_eq!(
        (a["name"].as_str(), a["redirect_uri"].as_str(), a["trusted"].as_bool()),
        (Some("Mobile"), Some(CALLBACK), Some(false))
    );
    let secret = a["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 32);
    let id = a["id"].as_i64().unwrap();

    let (status, list) = call(&app, &token, Method::GET, "/oauth_app", Value::Null).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!((list["count"].as_i64(), list["page_size"].as_i64()), (Some(1), Some(50)));
    assert_eq!(list["apps"][0]["id"].as_i64(), Some(id));
    assert!(list["apps"][0]["client_secret"].is_null(), "the secret is never listed");
    let (status, edited) =
        call(&app, &token, Method::PATCH, &format!("/oauth_app/{id}"), json!({"name": "Mobile 2"})).await;
    assert_eq!((status, edited["name"].as_str()), (200, Some("Mobile 2")), "{edited}");
    assert!(edited["client_secret"].is_null());
    assert_eq!(edited["website"].as_str(), Some("https://m.example"), "fields not given stay");
    let (_, cleared) = call(&app, &token, Method::PATCH, &format!("/oauth_app/{id}"), json!({"website": null})).await;
    assert!(cleared["website"].is_null());

    let logged = app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action LIKE 'oauth_app.%'").await;
    assert_eq!(logged, 3);
    let leaked = app
        .db
        .count(&format!(
            "SELECT COUNT(*) FROM moderation_log WHERE data LIKE '%{secret}%' OR message LIKE '%{secret}%'"
        ))
        .await;
    assert_eq!(leaked, 0, "the secret is never logged");

    // A form body works too.
    let res = app
        .api(Method::POST, "/api/v1/pleroma/admin/oauth_app", &token)
        .await
        .form(&[("name", "Form app"), ("redirect_uris", CALLBACK), ("scopes", "read"), ("trusted", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let f: Value = res.json().await.unwrap();
    assert_eq!(f["trusted"].as_bool(), Some(true));
}

async fn filters_and_pages(b: Backend) {
    let (app, token) = admin_app(b).await;
    let mut client_ids = Vec::new();
    for i in 0..7 {
        let a = create(
            &app,
            &token,
            json!({"name": format!("App {i} {}", if i % 2 == 0 { "Alpha" } else { "beta" }),
            "redirect_uris": CALLBACK, "scopes": "read", "trusted": i == 3}),
        )
        .await;
        client_ids.push(a["client_id"].as_str().unwrap().to_owned());
    }
    let get = |q: String| {
        let (app, token) = (&app, &token);
        async move { call(app, token, Method::GET, &format!("/oauth_app?{q}"), Value::Null).await }
    };
    let (_, r) = get("name=ALPHA".into()).await;
    assert_eq!(r["count"].as_i64(), Some(4), "{r}");
    let (_, r) = get("trusted=true".into()).await;
    assert_eq!((r["count"].as_i64(), r["apps"][0]["name"].as_str()), (Some(1), Some("App 3 beta")));
    let (_, r) = get("trusted=false".into()).await;
    assert_eq!(r["count"].as_i64(), Some(6));
    let (_, r) = get(format!("client_id={}", client_ids[5])).await;
    assert_eq!((r["count"].as_i64(), r["apps"][0]["name"].as_str()), (Some(1), Some("App 5 beta")));
    let (_, r) = get("name=%25".into()).await;
    assert_eq!(r["count"].as_i64(), Some(0), "LIKE wildcards are literal");
    let (_, p1) = get("page_size=3&page=1".into()).await;
    let (_, p3) = get("page_size=3&page=3".into()).await;
    assert_eq!((p1["apps"].as_array().unwrap().len(), p3["apps"].as_array().unwrap().len()), (3, 1));
    assert_eq!((p1["count"].as_i64(), p1["page_size"].as_i64()), (Some(7), Some(3)));
    assert_eq!(p1["apps"][0]["name"].as_str(), Some("App 6 Alpha"), "newest first");
    for bad in ["page=0", "page_size=-1", "page=x", "trusted=maybe"] {
        assert_eq!(get(bad.into()).await.0, 422, "{bad}");
    }
}

async fn hostile_values_are_refused_and_change_nothing(b: Backend) {
    let (app, token) = admin_app(b).await;
    let huge = "x".repeat(100_000);
    let ok = json!({"name": "ok", "redirect_uris": CALLBACK, "scopes": ["read"]});
    let cases = [
        (json!({"redirect_uris": CALLBACK, "scopes": ["read"]}), "name"),
        (json!({"name": "", "redirect_uris": CALLBACK, "scopes": ["read"]}), "name"),
        // NUL is refused for the whole body before the handler runs.
        (json!({"name": "a\u{0}b", "redirect_uris": CALLBACK, "scopes": ["read"]}), "body"),
        (json!({"name": huge, "redirect_uris": CALLBACK, "scopes": ["read"]}), "name"),
        (json!({"name": "x", "scopes": ["read"]}), "redirect_uris"),
        (json!({"name": "x", "redirect_uris": "javascript:alert(1)", "scopes": ["read"]}), "redirect_uris"),
        (json!({"name": "x", "redirect_uris": "//evil", "scopes": ["read"]}), "redirect_uris"),
        (
            json!({"name": "x", "redirect_uris": format!("https://a.example/{huge}"), "scopes": ["read"]}),
            "redirect_uris",
        ),
        (json!({"name": "x", "redirect_uris": CALLBACK, "scopes": ""}), "scopes"),
        (json!({"name": "x", "redirect_uris": CALLBACK, "scopes": ["root"]}), "scopes"),
        (json!({"name": "x", "redirect_uris": CALLBACK, "scopes": [1]}), "scopes"),
        (json!({"name": "x", "redirect_uris": CALLBACK, "scopes": ["read"], "website": huge}), "website"),
        (json!({"name": "x", "redirect_uris": CALLBACK, "scopes": ["read"], "trusted": "maybe"}), "trusted"),
    ];
    for (body, param) in cases {
        let (status, e) = call(&app, &token, Method::POST, "/oauth_app", body).await;
        assert_eq!((status, e["errors"][0]["meta"]["param"].as_str()), (422, Some(param)), "{e}");
    }
    assert_eq!(app.db.count("SELECT COUNT(*) FROM oauth_apps").await, 0);
    let a = create(&app, &token, ok).await;
    // As on Pleroma, scopes may be left out (they default to `read`).
    let d = create(&app, &token, json!({"name": "defaults", "redirect_uris": CALLBACK})).await;
    assert_eq!(call(&app, &token, Method::DELETE, &format!("/oauth_app/{}", d["id"]), Value::Null).await.0, 204);
    let path = format!("/oauth_app/{}", a["id"]);
    for (body, param) in [
        (json!({"redirect_uris": "javascript:alert(1)"}), "redirect_uris"),
        (json!({"name": "</textarea>\u{0}"}), "body"),
        (json!({"name": " "}), "name"),
        (json!({"scopes": []}), "scopes"),
    ] {
        let (status, e) = call(&app, &token, Method::PATCH, &path, body).await;
        assert!(status == 422 && e["errors"][0]["meta"]["param"] == param, "{status} {e}");
    }
    let (_, list) = call(&app, &token, Method::GET, "/oauth_app", Value::Null).await;
    assert_eq!(
        (list["apps"][0]["name"].as_str(), list["apps"][0]["redirect_uri"].as_str()),
        (Some("ok"), Some(CALLBACK))
    );
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action LIKE 'oauth_app.%'").await, 3);
    for missing in ["/oauth_app/999", "/oauth_app/abc", "/oauth_app/999/regenerate_secret"] {
        let m = if missing.ends_with("secret") { Method::POST } else { Method::PATCH };
        assert_eq!(call(&app, &token, m, missing, json!({"name": "x"})).await.0, 404, "{missing}");
    }
    assert_eq!(call(&app, &token, Method::DELETE, "/oauth_app/999", Value::Null).await.0, 404);
}

async fn only_admins(b: Backend) {
    let (app, token) = admin_app(b).await;
    let a = create(&app, &token, json!({"name": "x", "redirect_uris": CALLBACK, "scopes": ["read"]})).await;
    let moderator = app.db.create_user("mod", Some(Role::Moderator)).await;
    let mod_token = app.db.token_for(&moderator).await;
    let id = a["id"].as_i64().unwrap();
    let routes = [
        (Method::GET, "/oauth_app".to_owned()),
        (Method::POST, "/oauth_app".to_owned()),
        (Method::PATCH, format!("/oauth_app/{id}")),
        (Method::DELETE, format!("/oauth_app/{id}")),
        (Method::POST, format!("/oauth_app/{id}/regenerate_secret")),
    ];
    for (m, path) in routes {
        assert_eq!(call(&app, &mod_token, m.clone(), &path, json!({"name": "y"})).await.0, 403, "{m} {path}");
        let res =
            common::client().request(m.clone(), app.url(&format!("/api/pleroma/admin{path}"))).send().await.unwrap();
        assert_eq!(res.status(), 401, "{m} {path}");
    }
    assert_eq!(app.db.count("SELECT COUNT(*) FROM oauth_apps WHERE name = 'x'").await, 1);
}

async fn regeneration_and_deletion(b: Backend) {
    let (app, token) = admin_app(b).await;
    let a =
        create(&app, &token, json!({"name": "svc", "redirect_uris": CALLBACK, "scopes": ["read"], "trusted": true}))
            .await;
    let old = a["client_secret"].as_str().unwrap().to_owned();
    let (status, t) = client_credentials(&app, &a, &old).await;
    assert_eq!(status, 200, "{t}");
    let intake = t["access_token"].as_str().unwrap().to_owned();
    assert!(t.get("refresh_token").is_none());

    let path = format!("/oauth_app/{}", a["id"]);
    let (status, r) = call(&app, &token, Method::POST, &format!("{path}/regenerate_secret"), Value::Null).await;
    assert_eq!(status, 200, "{r}");
    let new = r["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(client_credentials(&app, &a, &old).await.0, 401, "the old secret stops working");
    assert_eq!(client_credentials(&app, &a, &new).await.0, 200);
    let (_, list) = call(&app, &token, Method::GET, "/oauth_app", Value::Null).await;
    assert!(list["apps"][0]["client_secret"].is_null(), "shown once");

    let body = json!({"account": "nobody", "uri": "https://c.example/1", "content": "hi"});
    let intake_status = |tok: String| {
        let (app, body) = (&app, body.clone());
        async move {
            let res = app.api(Method::POST, "/api/v1/intake/statuses", &tok).await.json(&body).send().await.unwrap();
            res.status().as_u16()
        }
    };
    assert_ne!(intake_status(intake.clone()).await, 401, "the intake token is accepted");
    assert_eq!(call(&app, &token, Method::DELETE, &path, Value::Null).await.0, 204);
    assert_eq!(intake_status(intake).await, 401, "deleting the app revokes its tokens");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM api_tokens WHERE app_id IS NOT NULL").await, 0);
    assert_eq!(client_credentials(&app, &a, &new).await.0, 401);
    let actions = app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action IN ('oauth_app.create', 'oauth_app.regenerate_secret', 'oauth_app.delete')").await;
    assert_eq!(actions, 3);
}

async fn trusted_client_credentials_reach_intake_only(b: Backend) {
    let (app, token) = admin_app(b).await;
    app.db.create_user("bob", None).await;
    let a = create(&app, &token, json!({"name": "feeder", "redirect_uris": CALLBACK, "scopes": ["read"]})).await;
    let secret = a["client_secret"].as_str().unwrap().to_owned();
    let (status, e) = client_credentials(&app, &a, &secret).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("unauthorized_client")), "untrusted apps are refused: {e}");
    let path = format!("/oauth_app/{}", a["id"]);
    assert_eq!(call(&app, &token, Method::PATCH, &path, json!({"trusted": true})).await.0, 200);
    let body = json!({ "grant_type": "client_credentials", "client_id": a["client_id"], "client_secret": secret, "scope": "read" });
    assert_eq!(post_json(&app, "/oauth/token", body).await.1["error"].as_str(), Some("invalid_scope"));
    let (status, t) = client_credentials(&app, &a, &secret).await;
    assert_eq!((status, t["scope"].as_str()), (200, Some("intake")), "{t}");
    let intake = t["access_token"].as_str().unwrap();

    let status_body = json!({"account": "bob", "uri": "https://c.example/1", "content": "<p>hi</p>"});
    let res = app.api(Method::POST, "/api/v1/intake/statuses", intake).await.json(&status_body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    for path in ["/oauth_app", "/users", "/reports"] {
        let status = call(&app, intake, Method::GET, path, Value::Null).await.0;
        assert!(status == 401 || status == 403, "{path}: {status}");
    }
    // Distrusting the app stops new grants and revokes the tokens it took.
    assert_eq!(call(&app, &token, Method::PATCH, &path, json!({"trusted": false})).await.0, 200);
    let res = app.api(Method::POST, "/api/v1/intake/statuses", intake).await.json(&status_body).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(client_credentials(&app, &a, &secret).await.1["error"].as_str(), Some("unauthorized_client"));
}

async fn concurrent_edits_and_regenerations(b: Backend) {
    let (app, token) = admin_app(b).await;
    let a = create(&app, &token, json!({"name": "race", "redirect_uris": CALLBACK, "scopes": ["read"]})).await;
    let path = format!("/oauth_app/{}", a["id"]);
    let mut jobs = tokio::task::JoinSet::new();
    for i in 0..8 {
        let url = app.url(&format!("/api/pleroma/admin{path}"));
        let token = token.clone();
        jobs.spawn(async move {
            let req = if i % 2 == 0 {
                common::client().patch(url).json(&json!({"name": format!("race {i}"), "trusted": i % 4 == 0}))
            } else {
                common::client().post(format!("{url}/regenerate_secret"))
            };
            let res = req.bearer_auth(token).send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let mut results = Vec::new();
    while let Some(done) = jobs.join_next().await {
        results.push(done.unwrap());
    }
    let mut secrets = Vec::new();
    for (status, r) in &results {
        assert_eq!(*status, 200, "{r}");
        if let Some(s) = r["client_secret"].as_str() {
            secrets.push(s.to_owned());
        }
    }
    assert_eq!(secrets.len(), 4);
    let working: usize = {
        let mut n = 0;
        for s in &secrets {
            let body = json!({"grant_type": "refresh_token", "client_id": a["client_id"], "client_secret": s, "refresh_token": "nope"});
            if post_json(&app, "/oauth/token", body).await.0 != 401 {
                n += 1;
            }
        }
        n
    };
    assert_eq!(working, 1, "exactly the last secret handed out works");
    let (_, list) = call(&app, &token, Method::GET, "/oauth_app", Value::Null).await;
    let name = list["apps"][0]["name"].as_str().unwrap();
    assert!(["race 0", "race 2", "race 4", "race 6"].contains(&name), "{name}");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action = 'oauth_app.update'").await, 4);
    assert_eq!(
        app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action = 'oauth_app.regenerate_secret'").await,
        4
    );
}

/// The console: register through the form and see the secret once, hostile
/// names escaped, filters in the URL, trust, a new secret, delete; and the
/// page and its forms refuse moderators.
async fn the_console_page(b: Backend) {
    let (app, token) = admin_app(b).await;
    let res = app
        .post_form(
            "/oauth-apps",
            &[("name", "Console app"), ("redirect_uris", "https://c.example/cb\r\nmyapp://cb"), ("scopes", "read")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (status, _, html) = app.page("/oauth-apps").await;
    assert_eq!(status, 200);
    assert!(html.contains("data-testid=\"new-secret\""), "the secret is shown once");
    let row = app.db.count("SELECT id FROM oauth_apps WHERE name = 'Console app'").await;
    // Shown once: the next visit no longer carries it.
    let (_, _, again) = app.page("/oauth-apps").await;
    assert!(!again.contains("new-secret"));
    assert!(again.contains("myapp://cb") && again.contains("Console app"));

    // A rejected form keeps the values and names the field; nothing is written.
    app.post_form("/oauth-apps", &[("name", "Bad"), ("redirect_uris", "javascript:alert(1)")]).await;
    let (_, _, html) = app.page("/oauth-apps").await;
    assert!(html.contains("is not an absolute URI"), "error beside the field");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM oauth_apps WHERE name = 'Bad'").await, 0);

    let hostile = "\"><script>alert(1)</script>";
    create(&app, &token, json!({"name": hostile, "redirect_uris": CALLBACK})).await;
    let (_, _, html) = app.page("/oauth-apps?name=%3Cscript").await;
    assert!(!html.contains("<script>alert(1)"), "escaped");
    assert!(html.contains("&lt;script&gt;alert(1)"));
    assert!(!html.contains("Console app"), "filtered by name");
    let (_, _, html) = app.page("/oauth-apps?trusted=maybe&page=-3").await;
    assert!(html.contains("Ignored trusted") && html.contains("Ignored page"), "bad filters fall back with a notice");

    // Trust, re-key and delete, each logged.
    assert_eq!(app.post_form(&format!("/oauth-apps/{row}/trust"), &[("trusted", "true")]).await.status(), 303);
    assert_eq!(app.db.count(&format!("SELECT COUNT(*) FROM oauth_apps WHERE id = {row} AND trusted")).await, 1);
    let before = app.db.count("SELECT COUNT(*) FROM moderation_log").await;
    assert_eq!(app.post_form(&format!("/oauth-apps/{row}/regenerate"), &[]).await.status(), 303);
    let (_, _, html) = app.page("/oauth-apps").await;
    assert!(html.contains("has a new secret"));
    assert_eq!(app.post_form(&format!("/oauth-apps/{row}/delete"), &[]).await.status(), 303);
    assert_eq!(app.db.count(&format!("SELECT COUNT(*) FROM oauth_apps WHERE id = {row}")).await, 0);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log").await, before + 2);

    // Moderators get neither the page nor the forms.
    app.db.create_user("mod", Some(Role::Moderator)).await;
    let (moderator, res) = app.login_elsewhere("mod", common::PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(moderator.get(app.url("/oauth-apps")).send().await.unwrap().status(), 403);
    let any = app.db.count("SELECT MIN(id) FROM oauth_apps").await;
    for path in [
        "/oauth-apps".to_owned(),
        format!("/oauth-apps/{any}/trust"),
        format!("/oauth-apps/{any}/regenerate"),
        format!("/oauth-apps/{any}/delete"),
    ] {
        let res = moderator
            .post(app.url(&path))
            .header("Origin", &app.base)
            .form(&[("name", "m"), ("redirect_uris", CALLBACK), ("trusted", "true")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "moderator form {path}");
    }
    assert_eq!(app.db.count(&format!("SELECT COUNT(*) FROM oauth_apps WHERE id = {any}")).await, 1);
}

both_backends!(
    shapes_and_the_secret_shown_once,
    filters_and_pages,
    hostile_values_are_refused_and_change_nothing,
    only_admins,
    regeneration_and_deletion,
    trusted_client_credentials_reach_intake_only,
    concurrent_edits_and_regenerations,
    the_console_page,
);
