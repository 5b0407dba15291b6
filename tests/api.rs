//! The JSON admin API: token auth, the §5 error format, the moderation log in
//! Pleroma's shape, and the OpenAPI document.

mod common;

use common::{Backend, PASSWORD, spawn_app};
use reqwest::Method;
use serde_json::Value;
use steward::domain::Role;

async fn json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["errors"][0]["code"], code, "{body}");
    assert_eq!(body["error"], body["errors"][0]["message"], "top-level error repeats the first message");
    assert!(body["errors"][0]["long_message"].is_string());
}

async fn a_token_opens_the_api_with_bearer_or_admin_scheme(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("alice", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    for scheme in ["Bearer", "Admin", "bearer"] {
        let res = reqwest::Client::new()
            .get(app.url("/api/v1/admin/moderation_log"))
            .header("Authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{scheme}");
    }
    for prefix in ["/api/pleroma/admin", "/api/v1/pleroma/admin"] {
        let res = app.api(Method::GET, &format!("{prefix}/moderation_log"), &token).await.send().await.unwrap();
        assert_eq!(res.status(), 200, "{prefix}");
    }
}

async fn missing_bad_and_revoked_tokens_get_401_and_cookies_do_not_count(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("alice", Some(Role::Admin)).await;
    let (status, body) = json(reqwest::get(app.url("/api/v1/admin/moderation_log")).await.unwrap()).await;
    assert_eq!(status, 401);
    assert_error(&body, "unauthorized");
    let (status, _) =
        json(app.api(Method::GET, "/api/v1/admin/moderation_log", "stw_nope").await.send().await.unwrap()).await;
    assert_eq!(status, 401);
    // A signed-in browser session is not API authentication.
    app.login("alice", PASSWORD).await;
    assert_eq!(app.client.get(app.url("/api/v1/admin/tokens")).send().await.unwrap().status(), 401);
    let token = app.db.token_for(&admin).await;
    let res = app.api(Method::GET, "/api/v1/admin/tokens", &token).await.send().await.unwrap();
    let (_, list) = json(res).await;
    let id = list[0]["id"].as_str().unwrap().to_owned();
    assert!(list[0].get("secret").is_none() && list[0].get("token_hash").is_none());
    let res = app.api(Method::DELETE, &format!("/api/v1/admin/tokens/{id}"), &token).await.send().await.unwrap();
    assert_eq!(res.status(), 204);
    let (status, _) = json(app.api(Method::GET, "/api/v1/admin/tokens", &token).await.send().await.unwrap()).await;
    assert_eq!(status, 401, "a revoked token stops working at once");
}

async fn a_token_loses_access_when_its_owner_is_deactivated(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("alice", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    app.db.db.exec(&format!("UPDATE users SET is_active = FALSE WHERE id = {}", admin.id)).await.unwrap();
    let res = app.api(Method::GET, "/api/v1/admin/tokens", &token).await.send().await.unwrap();
    assert_eq!(res.status(), 401);
}

async fn moderators_get_403_on_admin_only_endpoints(b: Backend) {
    let app = spawn_app(b).await;
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    let token = app.db.token_for(&m).await;
    let (status, body) =
        json(app.api(Method::GET, "/api/v1/admin/moderation_log", &token).await.send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert_error(&body, "forbidden");
    let res = app.api(Method::GET, "/api/v1/admin/tokens", &token).await.send().await.unwrap();
    assert_eq!(res.status(), 200, "moderators manage their own tokens");
}

async fn errors_use_one_format_for_404_405_400_422_and_413(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("alice", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    let (status, body) =
        json(app.api(Method::GET, "/api/v1/admin/no_such_thing", &token).await.send().await.unwrap()).await;
    assert_eq!(status, 404);
    assert_error(&body, "not_found");
    let (status, body) =
        json(app.api(Method::PUT, "/api/v1/admin/moderation_log", &token).await.send().await.unwrap()).await;
    assert_eq!(status, 405);
    assert_error(&body, "method_not_allowed");
    let post = |body: String| {
        let req = reqwest::Client::new()
            .post(app.url("/api/v1/admin/tokens"))
            .bearer_auth(&token)
            .header("Content-Type", "application/json")
            .body(body);
        async move { json(req.send().await.unwrap()).await }
    };
    let (status, body) = post("{not json".into()).await;
    assert_eq!(status, 400);
    assert_error(&body, "bad_request");
    let (status, body) = post(r#"{"label": 5}"#.into()).await;
    assert_eq!(status, 422);
    assert_error(&body, "validation_failed");
    assert_eq!(body["errors"][0]["meta"]["param"], "label");
    let (status, body) = post(r#"{"label": "   "}"#.into()).await;
    assert_eq!((status, body["errors"][0]["meta"]["param"].as_str()), (422, Some("label")));
    let (status, body) = post(format!(r#"{{"label": "{}"}}"#, "x".repeat(2 * 1024 * 1024))).await;
    assert_eq!(status, 413);
    assert_error(&body, "payload_too_large");
    let (status, body) =
        json(app.api(Method::GET, "/api/v1/admin/moderation_log?page_size=0", &token).await.send().await.unwrap())
            .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["meta"]["param"], "page_size");
    // Only the failed attempts above: nothing was created.
    assert_eq!(app.db.count("SELECT COUNT(*) FROM api_tokens").await, 1);
}

async fn the_moderation_log_api_pages_filters_and_uses_pleromas_shape(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("alice", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    for n in 0..4 {
        let res = app
            .api(Method::POST, "/api/v1/admin/tokens", &token)
            .await
            .json(&serde_json::json!({ "label": format!("t{n}") }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.unwrap();
        assert!(body["secret"].as_str().unwrap().starts_with("stw_"));
    }
    let get = |q: &str| {
        let req = reqwest::Client::new().get(app.url(&format!("/api/v1/admin/moderation_log{q}"))).bearer_auth(&token);
        async move { json(req.send().await.unwrap()).await.1 }
    };
    let all = get("").await;
    assert_eq!(all["total"], 5, "the fixture's token and four more");
    let first = &all["items"][0];
    assert_eq!(first["message"], "@alice created API token \"t3\"");
    assert_eq!(first["data"]["actor"]["nickname"], "alice");
    assert_eq!(first["data"]["actor"]["id"], admin.id.to_string());
    assert_eq!(first["data"]["action"], "token.create");
    assert!(first["time"].is_i64());
    let page2 = get("?page=2&page_size=2").await;
    assert_eq!(page2["total"], 5);
    assert_eq!(page2["items"][0]["message"], "@alice created API token \"t1\"");
    assert_eq!(get("?search=T2").await["total"], 1);
    assert_eq!(get(&format!("?user_id={}", admin.id)).await["total"], 5);
    assert_eq!(get("?user_id=999999").await["total"], 0);
    assert_eq!(get("?start_date=2000-01-01T00:00:00&end_date=2000-01-02").await["total"], 0);
    assert_eq!(get("?start_date=2000-01-01").await["total"], 5);
    let bad = get("?start_date=yesterday").await;
    assert_eq!(bad["errors"][0]["meta"]["param"], "start_date");
}

async fn the_openapi_document_describes_every_endpoint(b: Backend) {
    let app = spawn_app(b).await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for p in ["/api/v1/admin/moderation_log", "/api/v1/admin/tokens", "/api/v1/admin/tokens/{id}"] {
        assert!(paths.contains_key(p), "{p} documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

both_backends!(
    a_token_opens_the_api_with_bearer_or_admin_scheme,
    missing_bad_and_revoked_tokens_get_401_and_cookies_do_not_count,
    a_token_loses_access_when_its_owner_is_deactivated,
    moderators_get_403_on_admin_only_endpoints,
    errors_use_one_format_for_404_405_400_422_and_413,
    the_moderation_log_api_pages_filters_and_uses_pleromas_shape,
    the_openapi_document_describes_every_endpoint,
);
