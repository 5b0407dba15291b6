//! Signing in and out, sessions, throttling, CSRF, setup, and role checks,
//! against the real app on SQLite and PostgreSQL.

mod common;

use common::{Backend, PASSWORD, session_cookie, spawn_app};
use steward::domain::Role;

async fn signing_in_with_the_right_password_opens_the_console(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    let res = app.login("alice", PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/");
    let (status, path, body) = app.page("/moderation-log").await;
    assert_eq!((status, path.as_str()), (200, "/moderation-log"));
    assert!(body.contains("@alice signed in"), "the sign-in is in the log");
}

async fn a_wrong_password_and_an_unknown_nickname_get_the_same_answer(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    let mut bodies = Vec::new();
    for nick in ["alice", "nobody"] {
        let res = app.login(nick, "wrong password here").await;
        assert_eq!(res.status(), 303);
        let (status, path, body) = app.page("/login").await;
        assert_eq!((status, path.as_str()), (401, "/login"));
        assert!(body.contains("That nickname and password do not match"));
        assert!(body.contains(&format!("value=\"{nick}\"")), "the nickname is kept");
        bodies.push(body.replace(nick, "NICK"));
    }
    // Nothing in the page tells the two apart.
    // Compare what the user sees: the main region (script nonces differ per request).
    let strip = |s: &str| s.split("<main").nth(1).unwrap().split("</main>").next().unwrap().to_owned();
    let (a, b) = (strip(&bodies[0]), strip(&bodies[1]));
    if a != b {
        let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
        panic!(
            "pages differ at {at}: {:?} vs {:?}",
            &a[at.saturating_sub(80)..(at + 80).min(a.len())],
            &b[at.saturating_sub(80)..(at + 80).min(b.len())]
        );
    }
}

async fn plain_users_and_deactivated_staff_cannot_sign_in(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("plain", None).await;
    let gone = app.db.create_user("gone", Some(Role::Admin)).await;
    app.db.db.exec(&format!("UPDATE users SET is_active = FALSE WHERE id = {}", gone.id)).await.unwrap();
    for nick in ["plain", "gone"] {
        app.login(nick, PASSWORD).await;
        let (status, _, _) = app.page("/login").await;
        assert_eq!(status, 401, "{nick} is refused");
    }
}

async fn repeated_failures_are_throttled_with_429_even_for_the_right_password(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    for _ in 0..3 {
        app.login("alice", "wrong password here").await;
    }
    let count_sessions = if b == Backend::Postgres {
        "SELECT COUNT(*) FROM tower_sessions.session"
    } else {
        "SELECT COUNT(*) FROM tower_sessions"
    };
    let sessions = app.db.count(count_sessions).await;
    let res = app.login("alice", PASSWORD).await;
    // The refusal rides in the redirect: a throttled flood writes no session rows.
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/login?throttled=15");
    assert_eq!(app.db.count(count_sessions).await, sessions);
    let (status, _, body) = app.page(&location).await;
    assert_eq!(status, 429);
    assert!(body.contains("Too many failed sign-in attempts. Wait 15 minutes and try again."));
    // The IP limit (6) also stops guessing across accounts.
    for n in 0..4 {
        app.login(&format!("other{n}"), "wrong password here").await;
    }
    app.db.create_user("bob", Some(Role::Admin)).await;
    let res = app.post_form("/login", &[("nickname", "bob"), ("password", PASSWORD), ("next", "/users")]).await;
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/login?throttled=15&next=%2Fusers", "next is kept");
    assert_eq!(app.page(&location).await.0, 429);
    // A made-up wait is not shown.
    assert_eq!(app.page("/login?throttled=99999999").await.0, 200);
}

async fn signing_in_rotates_the_session_id(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    let failed = app.login("alice", "wrong password here").await;
    let before = session_cookie(&failed).expect("a failed sign-in stores the form in a session");
    let ok = app.login("alice", PASSWORD).await;
    let after = session_cookie(&ok).expect("signing in sets a cookie");
    assert_ne!(before, after);
    // The pre-login id is worthless now.
    let res = common::get_with_session(&app.base, "/account", &before).await;
    assert_eq!(res.status(), 303);
}

async fn signing_out_deletes_the_session_on_the_server(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    let cookie = session_cookie(&app.login("alice", PASSWORD).await).unwrap();
    let sessions = "SELECT COUNT(*) FROM tower_sessions";
    let sessions = if b == Backend::Postgres { "SELECT COUNT(*) FROM tower_sessions.session" } else { sessions };
    let live = app.db.count(sessions).await;
    let res = app.post_form("/logout", &[]).await;
    assert_eq!(res.headers()["location"], "/login");
    // Replaying the old cookie gets nowhere.
    let replay = common::get_with_session(&app.base, "/account", &cookie).await;
    assert_eq!(replay.status(), 303);
    assert!(replay.headers()["location"].to_str().unwrap().starts_with("/login"));
    assert!(app.db.count(sessions).await <= live, "the signed-in row is gone (a flash session may replace it)");
    let (_, _, body) = app.page("/moderation-log").await;
    assert!(!body.contains("@alice · admin"));
}

async fn cross_site_posts_are_refused_and_change_nothing(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    app.login("alice", PASSWORD).await;
    let tokens_before = app.db.count("SELECT COUNT(*) FROM api_tokens").await;
    for origin in [Some("http://evil.example"), None] {
        let mut req = app.client.post(app.url("/account/tokens")).form(&[("label", "stolen")]);
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        assert_eq!(req.send().await.unwrap().status(), 403, "origin {origin:?}");
    }
    assert_eq!(app.db.count("SELECT COUNT(*) FROM api_tokens").await, tokens_before);
    // A cross-site sign-in attempt is refused too.
    let res = common::client()
        .post(app.url("/login"))
        .header("Origin", "http://evil.example")
        .form(&[("nickname", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A browser gets a page, not JSON.
    let res = common::client()
        .post(app.url("/login"))
        .header("Origin", "http://evil.example")
        .header("Accept", "text/html")
        .form(&[("nickname", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("<h1 class=\"mt-2 text-2xl font-semibold\">Not allowed</h1>"));
}

async fn moderators_get_403_on_admin_pages(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("mod", Some(Role::Moderator)).await;
    let res = app.login("mod", PASSWORD).await;
    assert_eq!(res.headers()["location"], "/");
    let (status, _, body) = app.page("/moderation-log").await;
    assert_eq!(status, 403);
    assert!(body.contains("Not allowed"));
    let (status, _, body) = app.page("/account").await;
    assert_eq!(status, 200);
    assert!(!body.contains("href=\"/moderation-log\""), "no nav entry for an admin-only page");
}

async fn pages_need_a_session_and_remember_where_you_were_going(b: Backend) {
    let app = spawn_app(b).await;
    let res = app.get("/account").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?next=%2Faccount");
    app.db.create_user("alice", Some(Role::Admin)).await;
    let res = app.post_form("/login", &[("nickname", "alice"), ("password", PASSWORD), ("next", "/account")]).await;
    assert_eq!(res.headers()["location"], "/account");
    let res =
        app.post_form("/login", &[("nickname", "alice"), ("password", PASSWORD), ("next", "//evil.example")]).await;
    assert_eq!(res.headers()["location"], "/");
}

async fn the_setup_link_works_once_and_then_is_gone(b: Backend) {
    let app = spawn_app(b).await;
    let config = common::config_for("127.0.0.1:1".parse().unwrap());
    let url = steward::server::startup::prepare_setup(&app.db.db, &config).await.unwrap().expect("no admin yet");
    let token = url.split("token=").nth(1).unwrap().to_owned();
    let path = format!("/setup?token={token}");
    assert_eq!(app.page(&path).await.0, 200);
    assert_eq!(app.page("/setup?token=wrong").await.0, 404);
    // Invalid input: nothing is created, the input is kept.
    let form = [
        ("token", token.as_str()),
        ("nickname", "root"),
        ("email", "not-an-email"),
        ("password", "short"),
        ("password_confirmation", "short"),
    ];
    app.post_form("/setup", &form).await;
    let (status, _, body) = app.page(&path).await;
    assert_eq!(status, 422);
    assert!(body.contains("Enter a valid email address") && body.contains("Use at least 12 characters"));
    assert!(body.contains("value=\"not-an-email\""));
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users").await, 0);
    let form = [
        ("token", token.as_str()),
        ("nickname", "root"),
        ("email", "root@example.org"),
        ("password", PASSWORD),
        ("password_confirmation", PASSWORD),
    ];
    let res = app.post_form("/setup", &form).await;
    assert_eq!(res.headers()["location"], "/");
    let (status, _, body) = app.page("/moderation-log").await;
    assert_eq!(status, 200);
    assert!(body.contains("@root completed setup and became the first admin"));
    // Used: the page and the post are both gone for good.
    assert_eq!(common::client().get(app.url(&path)).send().await.unwrap().status(), 404);
    let again = common::client().post(app.url("/setup")).header("Origin", &app.base).form(&form).send().await.unwrap();
    assert_eq!(again.headers()["location"], "/login");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users WHERE is_admin").await, 1);
    assert!(steward::server::startup::prepare_setup(&app.db.db, &config).await.unwrap().is_none());
}

async fn changing_the_password_needs_the_current_one_and_is_logged(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    app.login("alice", PASSWORD).await;
    let new = "a brand new passphrase";
    app.post_form(
        "/account/password",
        &[("current_password", "wrong"), ("new_password", new), ("new_password_confirmation", new)],
    )
    .await;
    let (status, _, body) = app.page("/account").await;
    assert_eq!(status, 422);
    assert!(body.contains("That is not your current password."));
    app.post_form(
        "/account/password",
        &[("current_password", PASSWORD), ("new_password", new), ("new_password_confirmation", new)],
    )
    .await;
    let (_, _, body) = app.page("/account").await;
    assert!(body.contains("Your password was changed."));
    app.post_form("/logout", &[]).await;
    app.login("alice", PASSWORD).await;
    assert_eq!(app.page("/login").await.0, 401, "the old password no longer works");
    assert_eq!(app.login("alice", new).await.headers()["location"], "/");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action = 'account.change_password'").await, 1);
}

async fn tokens_are_shown_once_listed_and_revocable_from_the_account_page(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    app.login("alice", PASSWORD).await;
    app.post_form("/account/tokens", &[("label", "deploy bot")]).await;
    let (_, _, body) = app.page("/account").await;
    let secret = body
        .split("data-testid=\"new-secret\"")
        .nth(1)
        .unwrap()
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(secret.starts_with("stw_"));
    let (_, _, again) = app.page("/account").await;
    assert!(!again.contains(&secret), "shown once");
    assert!(again.contains("deploy bot"));
    let api = |t: String| {
        let url = app.url("/api/v1/admin/tokens");
        async move { reqwest::Client::new().get(url).bearer_auth(t).send().await.unwrap().status() }
    };
    assert_eq!(api(secret.clone()).await, 200);
    let id = app.db.count("SELECT MAX(id) FROM api_tokens").await;
    app.post_form(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(api(secret).await, 401);
    assert_eq!(
        app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action IN ('token.create','token.revoke')").await,
        2
    );
}

async fn an_expired_session_ends_at_its_absolute_lifetime(b: Backend) {
    let app = common::spawn_app_with(b, |c| c.env.set("sessions.max_hours", 0)).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    app.login("alice", PASSWORD).await;
    let res = app.get("/account").await;
    assert_eq!(res.status(), 303);
    let (_, path, body) = app.page("/account").await;
    assert_eq!(path, "/login");
    assert!(body.contains("Your session expired"));
}

async fn two_processes_on_one_database_share_sessions(b: Backend) {
    let a = spawn_app(b).await;
    let peer = common::spawn_peer(&a).await;
    a.db.create_user("alice", Some(Role::Admin)).await;
    let cookie = session_cookie(&a.login("alice", PASSWORD).await).unwrap();
    let res = common::get_with_session(&peer.base, "/account", &cookie).await;
    assert_eq!(res.status(), 200, "the peer knows the session");
    assert!(res.text().await.unwrap().contains("@alice · admin"));
    // Signing out on one ends the session on both.
    a.post_form("/logout", &[]).await;
    let res = common::get_with_session(&peer.base, "/account", &cookie).await;
    assert_eq!(res.status(), 303);
}

async fn page_views_do_not_rewrite_the_session_row(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    app.login("alice", PASSWORD).await;
    let expiry = match b {
        Backend::Sqlite => {
            "SELECT CAST(unixepoch(MAX(expiry_date), 'subsec') * 1000000 AS INTEGER) FROM tower_sessions"
        }
        Backend::Postgres => {
            "SELECT CAST(EXTRACT(EPOCH FROM MAX(expiry_date)) * 1000000 AS BIGINT) FROM tower_sessions.session"
        }
    };
    let before = app.db.count(expiry).await;
    for path in ["/account", "/moderation-log", "/users"] {
        assert_eq!(app.page(path).await.0, 200);
    }
    assert_eq!(app.db.count(expiry).await, before, "reads within a minute leave the session row alone");
}

both_backends!(
    page_views_do_not_rewrite_the_session_row,
    two_processes_on_one_database_share_sessions,
    signing_in_with_the_right_password_opens_the_console,
    a_wrong_password_and_an_unknown_nickname_get_the_same_answer,
    plain_users_and_deactivated_staff_cannot_sign_in,
    repeated_failures_are_throttled_with_429_even_for_the_right_password,
    signing_in_rotates_the_session_id,
    signing_out_deletes_the_session_on_the_server,
    cross_site_posts_are_refused_and_change_nothing,
    moderators_get_403_on_admin_pages,
    pages_need_a_session_and_remember_where_you_were_going,
    the_setup_link_works_once_and_then_is_gone,
    changing_the_password_needs_the_current_one_and_is_logged,
    tokens_are_shown_once_listed_and_revocable_from_the_account_page,
    an_expired_session_ends_at_its_absolute_lifetime,
);
