//! Roles and sessions on both backends: moderators act only on accounts
//! without a staff role; a password change ends the account's other
//! sessions; an admin-set password or a forced reset ends all of them and its
//! API tokens; a forced reset is enforced at the next sign-in; and sign-in
//! attempts are counted before any password is hashed.

mod common;

use common::{Backend, PASSWORD, TestApp, client, spawn_app};
use reqwest::Method;
use serde_json::json;
use steward::domain::Role;

/// A separate browser signed in as `nickname`.
async fn browser(app: &TestApp, nickname: &str, password: &str) -> reqwest::Client {
    let (c, res) = app.login_elsewhere(nickname, password).await;
    assert_eq!(res.headers()["location"], "/", "{nickname} signs in");
    c
}

/// Whether this browser still gets the console (not sent to /login).
async fn signed_in(app: &TestApp, c: &reqwest::Client) -> bool {
    c.get(app.url("/account")).send().await.unwrap().status() == 200
}

async fn api_status(app: &TestApp, token: &str, method: Method, path: &str, body: serde_json::Value) -> u16 {
    app.api(method, &format!("/api/v1/admin{path}"), token).await.json(&body).send().await.unwrap().status().as_u16()
}

async fn moderators_act_only_on_accounts_without_a_staff_role(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    app.db.create_user("other_mod", Some(Role::Moderator)).await;
    app.db.create_user("bob", None).await;
    let admin_browser = browser(&app, "admin", PASSWORD).await;
    let token = app.db.token_for(&m).await;
    for target in ["admin", "other_mod"] {
        let status =
            api_status(&app, &token, Method::PATCH, "/users/deactivate", json!({ "nicknames": [target] })).await;
        assert_eq!(status, 403, "a moderator cannot deactivate {target}");
        let status =
            api_status(&app, &token, Method::PATCH, &format!("/users/{target}/toggle_activation"), json!({})).await;
        assert_eq!(status, 403);
    }
    // One staff account in a batch refuses the whole batch.
    let status =
        api_status(&app, &token, Method::PATCH, "/users/deactivate", json!({ "nicknames": ["bob", "admin"] })).await;
    assert_eq!(status, 403);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users WHERE NOT is_active").await, 0);
    assert!(signed_in(&app, &admin_browser).await, "the admin's session goes on");
    let status = api_status(&app, &token, Method::PATCH, "/users/deactivate", json!({ "nicknames": ["bob"] })).await;
    assert_eq!(status, 200, "plain accounts are a moderator's to act on");
    // Admins may act on staff.
    let admin_token = app.db.token_for(&admin).await;
    let status =
        api_status(&app, &admin_token, Method::PATCH, "/users/deactivate", json!({ "nicknames": ["other_mod"] })).await;
    assert_eq!(status, 200);
}

async fn a_password_change_ends_the_other_sessions_only(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    let here = browser(&app, "alice", PASSWORD).await;
    let elsewhere = browser(&app, "alice", PASSWORD).await;
    let new = "a brand new passphrase";
    let res = here
        .post(app.url("/account/password"))
        .header("Origin", &app.base)
        .form(&[("current_password", PASSWORD), ("new_password", new), ("new_password_confirmation", new)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(signed_in(&app, &here).await, "the session that changed it goes on");
    assert!(!signed_in(&app, &elsewhere).await, "every other session has ended");
    browser(&app, "alice", new).await;
}

async fn an_admin_set_password_ends_all_sessions_and_tokens(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    let (admin_token, mod_token) = (app.db.token_for(&admin).await, app.db.token_for(&m).await);
    let mod_browser = browser(&app, "mod", PASSWORD).await;
    let body = json!({ "password": "set by the admin 123" });
    assert_eq!(api_status(&app, &admin_token, Method::PATCH, "/users/mod/credentials", body).await, 200);
    assert!(!signed_in(&app, &mod_browser).await, "the moderator's session has ended");
    assert_eq!(api_status(&app, &mod_token, Method::GET, "/reports", json!({})).await, 401, "and the token");
    browser(&app, "mod", "set by the admin 123").await;
}

async fn a_forced_reset_ends_everything_and_is_enforced_at_sign_in(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    let (admin_token, mod_token) = (app.db.token_for(&admin).await, app.db.token_for(&m).await);
    let mod_browser = browser(&app, "mod", PASSWORD).await;
    let status =
        api_status(&app, &admin_token, Method::PATCH, "/users/force_password_reset", json!({ "nicknames": ["mod"] }))
            .await;
    assert_eq!(status, 204);
    assert!(!signed_in(&app, &mod_browser).await);
    assert_eq!(api_status(&app, &mod_token, Method::GET, "/reports", json!({})).await, 401);

    // The old password still proves who it is, but leads only to choosing a new one.
    let (c, res) = app.login_elsewhere("mod", PASSWORD).await;
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/password-reset?token="), "sent to choose a new password, not in: {to}");
    assert!(!signed_in(&app, &c).await, "no session before the new password");
    let token = to.split("token=").nth(1).unwrap();
    let new = "chosen after the reset";
    let res = c
        .post(app.url("/password-reset"))
        .header("Origin", &app.base)
        .form(&[("token", token), ("password", new), ("password_confirmation", new)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    browser(&app, "mod", new).await;
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users WHERE password_reset_pending").await, 0);
}

async fn sign_in_attempts_are_counted_before_hashing(b: Backend) {
    // The test config allows 6 failures per IP; a burst of 20 at once must
    // not get more than 6 hashes past the throttle.
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (url, origin) = (app.url("/login"), app.base.clone());
        burst.spawn(async move {
            let nickname = format!("guess{i}");
            let res = client()
                .post(url)
                .header("Origin", origin)
                .form(&[("nickname", nickname.as_str()), ("password", "wrong password")])
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        });
    }
    while let Some(status) = burst.join_next().await {
        assert_eq!(status.unwrap(), 303, "every attempt gets the sign-in form back, none a 5xx");
    }
    assert_eq!(app.db.count("SELECT COUNT(*) FROM login_failures WHERE key LIKE 'ip:%'").await, 6);
    // A right password from the same IP is throttled too, until the window passes.
    let res = app.login("alice", PASSWORD).await;
    assert_eq!(res.headers()["location"], "/login?throttled=15");
}

both_backends!(
    moderators_act_only_on_accounts_without_a_staff_role,
    a_password_change_ends_the_other_sessions_only,
    an_admin_set_password_ends_all_sessions_and_tokens,
    a_forced_reset_ends_everything_and_is_enforced_at_sign_in,
    sign_in_attempts_are_counted_before_hashing,
);
