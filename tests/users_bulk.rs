//! Bulk user actions through the API and the list's form: one transaction and
//! one log entry each, role checks, and nothing half-applied.

mod common;

use common::{Backend, PASSWORD, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::Role;

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let res = app.api(method, &format!("/api/v1/admin{path}"), token).await.json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn flag(app: &TestApp, nickname: &str, column: &str) -> i64 {
    app.db.count(&format!("SELECT COUNT(*) FROM users WHERE nickname = '{nickname}' AND {column}")).await
}

async fn log_count(app: &TestApp) -> i64 {
    app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action LIKE 'user.%'").await
}

async fn deactivating_users_answers_them_and_logs_once(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    app.db.create_user("ann", None).await;
    app.db.create_user("bob", None).await;
    let token = app.db.token_for(&admin).await;
    let (status, body) =
        call(&app, &token, Method::PATCH, "/users/deactivate", json!({"nicknames": ["ann", "BOB"]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["users"].as_array().unwrap().len(), 2);
    assert!(body["users"].as_array().unwrap().iter().all(|u| u["deactivated"] == true && u["is_active"] == false));
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log WHERE message = '@admin deactivated users: @ann, @bob' OR message = '@admin deactivated users: @bob, @ann'").await, 1);
    let (status, body) = call(&app, &token, Method::PATCH, "/users/ann/toggle_activation", json!({})).await;
    assert_eq!((status, body["is_active"].as_bool()), (200, Some(true)));
}

async fn one_unknown_nickname_applies_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    app.db.create_user("ann", None).await;
    let token = app.db.token_for(&admin).await;
    let before = log_count(&app).await;
    let (status, body) =
        call(&app, &token, Method::PATCH, "/users/deactivate", json!({"nicknames": ["ann", "nobody"]})).await;
    assert_eq!((status, body["errors"][0]["meta"]["param"].as_str()), (422, Some("nicknames")));
    assert!(body["error"].as_str().unwrap().contains("nobody"));
    assert_eq!(flag(&app, "ann", "is_active").await, 1, "ann untouched");
    assert_eq!(log_count(&app).await, before);
}

async fn tags_are_added_and_removed_with_pleroma_messages(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    app.db.create_user("ann", None).await;
    let token = app.db.token_for(&admin).await;
    let (status, _) =
        call(&app, &token, Method::PUT, "/users/tag", json!({"nicknames": ["ann"], "tags": ["foo", "bar"]})).await;
    assert_eq!(status, 204);
    let (_, user) = call(&app, &token, Method::GET, "/users/ann", Value::Null).await;
    assert_eq!(user["tags"], json!(["foo", "bar"]), "in the order added, as Pleroma keeps them");
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM moderation_log WHERE message = '@admin added tags: foo, bar to users: @ann'")
            .await,
        1
    );
    let (status, _) =
        call(&app, &token, Method::DELETE, "/users/tag", json!({"nicknames": ["ann"], "tags": ["foo"]})).await;
    assert_eq!(status, 204);
    let (_, user) = call(&app, &token, Method::GET, "/users/ann", Value::Null).await;
    assert_eq!(user["tags"], json!(["bar"]));
    // Pleroma clients also send unencoded query arrays.
    let res =
        app.api(Method::PUT, "/api/v1/admin/users/tag?nicknames[]=ann&tags[]=baz", &token).await.send().await.unwrap();
    assert_eq!(res.status(), 204);
    let (_, user) = call(&app, &token, Method::GET, "/users/ann", Value::Null).await;
    assert_eq!(user["tags"], json!(["bar", "baz"]));
}

async fn moderators_may_deactivate_but_nothing_admin_only(b: Backend) {
    let app = spawn_app(b).await;
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    app.db.create_user("ann", None).await;
    let token = app.db.token_for(&m).await;
    assert_eq!(call(&app, &token, Method::PATCH, "/users/deactivate", json!({"nicknames": ["ann"]})).await.0, 200);
    let before = log_count(&app).await;
    for (method, path, body) in [
        (Method::PUT, "/users/tag", json!({"nicknames": ["ann"], "tags": ["x"]})),
        (Method::POST, "/users/permission_group/admin", json!({"nicknames": ["ann"]})),
        (Method::PATCH, "/users/approve", json!({"nicknames": ["ann"]})),
        (Method::DELETE, "/users", json!({"nicknames": ["ann"]})),
    ] {
        let (status, body) = call(&app, &token, method, path, body).await;
        assert_eq!((status, body["errors"][0]["code"].as_str()), (403, Some("forbidden")), "{path}");
    }
    assert_eq!(log_count(&app).await, before);
    assert_eq!(flag(&app, "ann", "is_admin").await, 0);
}

async fn roles_change_but_an_admin_keeps_their_own(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    app.db.create_user("ann", None).await;
    let token = app.db.token_for(&admin).await;
    let (status, body) =
        call(&app, &token, Method::POST, "/users/permission_group/moderator", json!({"nicknames": ["ann"]})).await;
    assert_eq!((status, body), (200, json!({"is_moderator": true})));
    let (_, groups) = call(&app, &token, Method::GET, "/users/ann/permission_group", Value::Null).await;
    assert_eq!(groups, json!({"is_admin": false, "is_moderator": true}));
    assert_eq!(
        app.db.count("SELECT COUNT(*) FROM moderation_log WHERE message = '@admin made @ann moderator'").await,
        1
    );
    let (status, body) =
        call(&app, &token, Method::DELETE, "/users/permission_group/admin", json!({"nicknames": ["admin", "ann"]}))
            .await;
    assert_eq!(status, 403, "refused as Pleroma refuses it: {body}");
    assert_eq!(flag(&app, "admin", "is_admin").await, 1);
    let (status, _) = call(&app, &token, Method::PATCH, "/users/deactivate", json!({"nicknames": ["admin"]})).await;
    assert_eq!(status, 422, "not yourself");
    assert_eq!(
        call(&app, &token, Method::POST, "/users/permission_group/owner", json!({"nicknames": ["ann"]})).await.0,
        404
    );
}

async fn confirm_approve_reset_and_delete(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    for n in ["ann", "bob", "cat"] {
        app.db.create_user(n, None).await;
    }
    app.db.db.exec("UPDATE users SET is_confirmed = FALSE, is_approved = FALSE WHERE nickname = 'ann'").await.unwrap();
    let token = app.db.token_for(&admin).await;
    let (_, names) = call(&app, &token, Method::PATCH, "/users/confirm_email", json!({"nicknames": ["ann"]})).await;
    assert_eq!(names, json!(["ann"]));
    assert_eq!(flag(&app, "ann", "is_confirmed").await, 1);
    let (_, body) = call(&app, &token, Method::PATCH, "/users/approve", json!({"nicknames": ["ann"]})).await;
    assert_eq!(body["users"][0]["approval_pending"], false);
    assert_eq!(
        call(&app, &token, Method::PATCH, "/users/force_password_reset", json!({"nicknames": ["bob"]})).await.0,
        204
    );
    assert_eq!(flag(&app, "bob", "password_reset_pending").await, 1);
    let (_, deleted) = call(&app, &token, Method::DELETE, "/users", json!({"nicknames": ["bob"]})).await;
    assert_eq!(deleted, json!(["bob"]));
    let res = app.api(Method::DELETE, "/api/v1/admin/users?nickname=cat", &token).await.send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), json!(["cat"]));
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users WHERE nickname IN ('bob', 'cat')").await, 0);
}

async fn the_list_form_applies_to_checked_rows_and_returns_to_the_list(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("admin", Some(Role::Admin)).await;
    let ann = app.db.create_user("ann", None).await;
    let bob = app.db.create_user("bob", None).await;
    app.login("admin", PASSWORD).await;
    let (_, _, page) = app.page("/users?sort=nickname").await;
    assert!(page.contains(&format!("name=\"ids\" value=\"{}\"", ann.id)));
    let (a, bb) = (ann.id.to_string(), bob.id.to_string());
    let res = app
        .post_form(
            "/users/bulk",
            &[("ids", &a), ("ids", &bb), ("action", "deactivate"), ("return_to", "/users?sort=nickname")],
        )
        .await;
    assert_eq!(res.headers()["location"], "/users?sort=nickname");
    let (_, _, page) = app.page("/users?sort=nickname").await;
    assert!(page.contains("You deactivated users:"), "flash after the redirect");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users WHERE NOT is_active").await, 2);
    // Deleting needs the typed confirmation; without it nothing happens.
    app.post_form("/users/bulk", &[("ids", &a), ("action", "delete"), ("return_to", "https://evil.example/")]).await;
    let (_, path, page) = app.page("/users").await;
    assert_eq!(path, "/users");
    assert!(page.contains("Type &quot;delete&quot; to confirm") || page.contains("Type \"delete\" to confirm"));
    assert_eq!(app.db.count(&format!("SELECT COUNT(*) FROM users WHERE id = {}", ann.id)).await, 1);
    app.post_form("/users/bulk", &[("ids", &a), ("action", "delete"), ("confirm", "delete")]).await;
    assert_eq!(app.db.count(&format!("SELECT COUNT(*) FROM users WHERE id = {}", ann.id)).await, 0);
}

both_backends!(
    deactivating_users_answers_them_and_logs_once,
    one_unknown_nickname_applies_nothing,
    tags_are_added_and_removed_with_pleroma_messages,
    moderators_may_deactivate_but_nothing_admin_only,
    roles_change_but_an_admin_keeps_their_own,
    confirm_approve_reset_and_delete,
    the_list_form_applies_to_checked_rows_and_returns_to_the_list,
);
