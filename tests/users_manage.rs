//! Creating users, credentials, password-reset links, single-user permission
//! routes, actions on a whole filter, CSV export and saved views, through the
//! API and the console's forms, on both backends.

mod common;

use common::{Backend, PASSWORD, TestApp, admin_app};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::Role;

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let res = app.api(method, &format!("/api/v1/admin{path}"), token).await.json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.count(sql).await
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn creating_users_is_all_or_nothing(b: Backend) {
    let (app, token) = admin_app(b).await;
    app.db.create_user("taken", None).await;
    let body = json!({"users": [
        {"nickname": "new1", "email": "new1@example.org", "password": "a long enough secret"},
        {"nickname": "new2", "email": "taken@example.org", "password": "a long enough secret"},
    ]});
    let (status, res) = call(&app, &token, Method::POST, "/users", body).await;
    assert_eq!(status, 409, "{res}");
    assert_eq!(res[0]["type"], "error");
    assert_eq!(res[1]["error"], "email has already been taken");
    assert_eq!(res[1]["data"]["nickname"], "new2");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE nickname IN ('new1', 'new2')").await,
        0,
        "nothing created"
    );

    let bad = json!({"users": [{"nickname": "ok", "email": "not-an-email", "password": "short"}]});
    let (status, res) = call(&app, &token, Method::POST, "/users", bad).await;
    assert_eq!((status, res[0]["code"].as_u64()), (422, Some(422)), "{res}");

    let good = json!({"users": [
        {"nickname": "new1", "email": "new1@example.org", "password": "a long enough secret"},
        {"nickname": "new2", "email": "new2@example.org", "password": "a long enough secret"},
    ]});
    let (status, res) = call(&app, &token, Method::POST, "/users", good).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(
        res,
        json!([
            {"type": "success", "code": 200, "data": {"nickname": "new1", "email": "new1@example.org"}},
            {"type": "success", "code": 200, "data": {"nickname": "new2", "email": "new2@example.org"}},
        ])
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM users WHERE nickname IN ('new1', 'new2') AND local AND is_active AND is_confirmed"
        )
        .await,
        2
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM moderation_log WHERE message = '@admin created users: @new1, @new2'").await,
        1
    );

    let moderator = app.db.create_user("mod", Some(Role::Moderator)).await;
    let mod_token = app.db.token_for(&moderator).await;
    let (status, _) = call(&app, &mod_token, Method::POST, "/users", json!({"users": []})).await;
    assert_eq!(status, 403);
}

async fn credentials_read_and_change_in_one_logged_step(b: Backend) {
    let (app, token) = admin_app(b).await;
    app.db.create_user("ann", None).await;
    app.db.create_user("bob", None).await;
    let (status, c) = call(&app, &token, Method::GET, "/users/ann/credentials", Value::Null).await;
    assert_eq!((status, c["email"].as_str(), c["locked"].as_bool()), (200, Some("ann@example.org"), Some(false)));

    let patch = json!({"email": "ann@new.example", "name": "Ann N.", "bio": "hi", "locked": true,
        "password": "another long secret", "hide_follows": true});
    let (status, res) = call(&app, &token, Method::PATCH, "/users/ann/credentials", patch).await;
    assert_eq!((status, res["status"].as_str()), (200, Some("success")), "{res}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'ann' AND email = 'ann@new.example' AND display_name = 'Ann N.' AND bio = 'hi' AND locked").await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM moderation_log WHERE message = '@admin updated users: @ann'").await,
        1
    );

    let before = count(&app, "SELECT COUNT(*) FROM moderation_log").await;
    for (body, status, param) in [
        (json!({"email": "nope"}), 422, "email"),
        (json!({"email": "bob@example.org"}), 409, "email"),
        (json!({"password": "short"}), 422, "password"),
        (json!({"actor_type": "Robot"}), 422, "actor_type"),
        (json!({"avatar": "javascript:alert(1)"}), 422, "avatar"),
        (json!({"emial": "typo@example.org"}), 422, "emial"),
        (json!({"locked": "yes"}), 422, "locked"),
    ] {
        let (got, res) = call(&app, &token, Method::PATCH, "/users/ann/credentials", body.clone()).await;
        assert_eq!((got, res["errors"][0]["meta"]["param"].as_str()), (status, Some(param)), "{body} → {res}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log").await, before, "rejected changes are not logged");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE email = 'ann@new.example'").await, 1, "unchanged");
    let (status, _) = call(&app, &token, Method::PATCH, "/users/nobody/credentials", json!({"bio": "x"})).await;
    assert_eq!(status, 404);
}

async fn a_reset_link_works_once(b: Backend) {
    let (app, token) = admin_app(b).await;
    // A moderator, so the new password can be proven by signing in.
    app.db.create_user("mia", Some(Role::Moderator)).await;
    let (status, res) = call(&app, &token, Method::GET, "/users/mia/password_reset", Value::Null).await;
    assert_eq!(status, 200, "{res}");
    let (token_value, link) = (res["token"].as_str().unwrap(), res["link"].as_str().unwrap());
    assert!(link.ends_with(&format!("/password-reset?token={token_value}")), "{link}");

    let visitor = common::client();
    let path = format!("/password-reset?token={token_value}");
    let page = visitor.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Choose a new password") && page.contains("name=\"password_confirmation\""));

    let post = |pw: &'static str, again: &'static str| {
        visitor.post(app.url("/password-reset")).header("Origin", &app.base).form(&[
            ("token", token_value),
            ("password", pw),
            ("password_confirmation", again),
        ])
    };
    let res = post("a brand new password", "something else").send().await.unwrap();
    assert_eq!(res.status(), 303);
    let page = visitor.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("The two passwords differ."), "the error is shown beside the field");
    assert_eq!(post("a brand new password", "a brand new password").send().await.unwrap().status(), 303);
    let page = visitor.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Your password was changed") && page.contains("expired or was already used"));
    assert_eq!(post("a third new password!", "a third new password!").send().await.unwrap().status(), 303);

    let fresh = spawn_login(&app, "mia", "a brand new password").await;
    assert_eq!(fresh, 303, "the password from the link signs in");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM moderation_log WHERE action = 'user.password_reset' AND actor_nickname = 'mia'"
        )
        .await,
        1
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM password_resets WHERE used_at IS NOT NULL").await, 1);
}

async fn spawn_login(app: &TestApp, nickname: &str, password: &str) -> u16 {
    let (_, res) = app.login_elsewhere(nickname, password).await;
    let to = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    if to.starts_with("/login") { 401 } else { res.status().as_u16() }
}

async fn single_user_permission_routes_ignore_odd_bodies(b: Backend) {
    let (app, token) = admin_app(b).await;
    app.db.create_user("ann", None).await;
    let res = app
        .api(Method::POST, "/api/pleroma/admin/users/ann/permission_group/moderator", &token)
        .await
        .header("Content-Type", "text/plain")
        .body("[object Object]")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let user: Value = res.json().await.unwrap();
    assert_eq!(user["roles"]["moderator"], true);
    let (status, res) = call(&app, &token, Method::DELETE, "/users/admin/permission_group/admin", Value::Null).await;
    assert_eq!(status, 403, "refused as Pleroma refuses it: {res}");
    let (status, res) = call(&app, &token, Method::POST, "/users/nobody/permission_group/moderator", Value::Null).await;
    assert_eq!((status, res["errors"][0]["code"].as_str()), (404, Some("not_found")), "{res}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'admin' AND is_admin").await, 1);
}

async fn the_new_user_form_keeps_input_and_shows_errors(b: Backend) {
    let (app, _) = admin_app(b).await;
    let res = app
        .post_form("/users/new", &[("nickname", "bad name"), ("email", "x"), ("password", "short"), ("role", "")])
        .await;
    assert_eq!(location(&res), "/users/new");
    let (status, _, page) = app.page("/users/new").await;
    assert_eq!(status, 422);
    assert!(page.contains("value=\"bad name\""), "typed input is kept");
    assert!(page.contains("Use at least 12 characters.") && page.contains("Enter a valid email address"));
    let res = app
        .post_form(
            "/users/new",
            &[
                ("nickname", "carol"),
                ("email", "carol@example.org"),
                ("password", "a long enough secret"),
                ("role", "moderator"),
            ],
        )
        .await;
    let to = location(&res);
    assert!(to.starts_with("/users/"), "{to}");
    let (status, _, page) = app.page(&to).await;
    assert_eq!(status, 200);
    assert!(page.contains("@carol") && page.contains("Created @carol."));
    assert!(page.contains("@admin created users: @carol"), "the log entry shows on the user's page");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'carol' AND is_moderator").await, 1);
}

async fn the_detail_page_edits_credentials_and_moderators_only_read(b: Backend) {
    let (app, _) = admin_app(b).await;
    let ann = app.db.create_user("ann", None).await;
    let path = format!("/users/{}", ann.id);
    let form = [
        ("email", "ann@example.org"),
        ("display_name", "Ann"),
        ("bio", "b"),
        ("avatar", "ftp://x"),
        ("actor_type", "Person"),
        ("locked", "on"),
        ("password", ""),
    ];
    let res = app.post_form(&format!("{path}/credentials"), &form).await;
    assert_eq!(location(&res), path);
    let (status, _, page) = app.page(&path).await;
    assert_eq!(status, 422);
    assert!(page.contains("Use an http(s) address") && page.contains("ftp://x"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'ann' AND locked").await, 0, "nothing saved");
    let form = [
        ("email", "ann@example.org"),
        ("display_name", "Ann A."),
        ("bio", "b"),
        ("avatar", ""),
        ("actor_type", "Service"),
        ("password", ""),
    ];
    app.post_form(&format!("{path}/credentials"), &form).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'ann' AND display_name = 'Ann A.' AND actor_type = 'Service' AND NOT discoverable").await,
        1
    );
    // A moderator sees the page but not the admin tools, and cannot post them.
    app.db.create_user("mod", Some(Role::Moderator)).await;
    let moderator = spawn_session(&app, "mod").await;
    let page = moderator.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("@ann") && page.contains("Deactivate") && !page.contains("Edit credentials"));
    let res =
        moderator.post(app.url(&format!("{path}/password-reset"))).header("Origin", &app.base).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM password_resets").await, 0);
    let (status, _, _) = app.page("/users/999999").await;
    assert_eq!(status, 404);
}

async fn spawn_session(app: &TestApp, nickname: &str) -> reqwest::Client {
    let (c, res) = app.login_elsewhere(nickname, PASSWORD).await;
    assert_eq!(res.status(), 303);
    c
}

async fn an_action_on_the_whole_filter_confirms_its_count_first(b: Backend) {
    let (app, _) = admin_app(b).await;
    for n in ["s1", "s2", "s3", "keep"] {
        app.db.create_user(n, None).await;
    }
    app.db.db.exec("UPDATE users SET is_confirmed = FALSE WHERE nickname IN ('s1', 's2', 's3')").await.unwrap();
    let back = "/users?status=unconfirmed";
    let first = [("action", "deactivate"), ("scope", "filter"), ("return_to", back)];
    assert_eq!(location(&app.post_form("/users/bulk", &first).await), back);
    let (status, _, page) = app.page(back).await;
    assert_eq!(status, 200);
    assert!(page.contains("Deactivate: all 3 users matching this filter?"), "asks to confirm the count");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE NOT is_active").await, 0, "nothing yet");

    // The count changed since: nothing happens.
    let stale = [("action", "deactivate"), ("scope", "filter"), ("confirm_count", "4"), ("return_to", back)];
    app.post_form("/users/bulk", &stale).await;
    let (_, _, page) = app.page(back).await;
    assert!(page.contains("now matches 3 users, not 4"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE NOT is_active").await, 0);

    let confirmed = [("action", "deactivate"), ("scope", "filter"), ("confirm_count", "3"), ("return_to", back)];
    app.post_form("/users/bulk", &confirmed).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE NOT is_active").await, 3);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'keep' AND is_active").await, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'user.deactivate'").await,
        1,
        "one entry"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM moderation_log_subjects s JOIN moderation_log l ON l.id = s.entry_id WHERE l.action = 'user.deactivate'").await,
        3
    );
    // Moderators may not run admin actions on a filter either.
    app.db.create_user("mod", Some(Role::Moderator)).await;
    let moderator = spawn_session(&app, "mod").await;
    let del =
        [("action", "delete"), ("confirm", "delete"), ("scope", "filter"), ("confirm_count", "3"), ("return_to", back)];
    moderator.post(app.url("/users/bulk")).header("Origin", &app.base).form(&del).send().await.unwrap();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname LIKE 's_'").await, 3, "not deleted");
}

async fn csv_export_streams_exactly_the_filtered_rows(b: Backend) {
    let (app, _) = admin_app(b).await;
    steward::server::storage::seed::users(&app.db.db, 2_500, 7).await.unwrap();
    app.db.db.exec("UPDATE users SET display_name = '=HYPERLINK(\"x\")' WHERE id = (SELECT MAX(id) FROM users WHERE is_active AND is_approved)").await.unwrap();
    let res = app.get("/users/export.csv?status=active&sort=nickname").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let body = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[1], "nickname");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let expected = count(&app, "SELECT COUNT(*) FROM users WHERE is_active AND is_approved").await;
    assert!(expected > 1_000, "more rows than one batch: {expected}");
    assert_eq!(rows.len() as i64, expected);
    assert!(rows.iter().all(|r| &r[6] == "true" && &r[7] == "true"), "only active users");
    let names: Vec<String> = rows.iter().map(|r| r[1].to_lowercase()).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "in the list's sort order");
    assert!(rows.iter().any(|r| r[3].starts_with("'=HYPERLINK")), "formulas are defused");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'user.export'").await, 1);
    let moderator_app_user = app.db.create_user("mod", Some(Role::Moderator)).await;
    let moderator = spawn_session(&app, &moderator_app_user.nickname).await;
    let res = moderator.get(app.url("/users/export.csv")).send().await.unwrap();
    assert_eq!(res.status(), 403);
}

async fn saved_views_sit_in_the_sidebar_with_counts(b: Backend) {
    let (app, _) = admin_app(b).await;
    for n in ["a1", "a2"] {
        app.db.create_user(n, Some(Role::Moderator)).await;
    }
    let res = app
        .post_form("/users/views", &[("name", "Moderators"), ("return_to", "/users?role=moderator&after=xyz")])
        .await;
    assert_eq!(location(&res), "/users?role=moderator", "saved without the page position");
    let (_, _, page) = app.page("/users").await;
    let sidebar = page.split("data-testid=\"saved-views\"").nth(1).expect("the sidebar lists saved views");
    assert!(sidebar.contains("Moderators") && sidebar.contains(">2<"), "with its live count");
    app.post_form("/users/views", &[("name", "moderators"), ("return_to", "/users")]).await;
    let (_, _, page) = app.page("/users").await;
    assert!(page.contains("You already have a view named"));
    let id = count(&app, "SELECT id FROM saved_views").await;
    app.post_form(&format!("/users/views/{id}/delete"), &[]).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM saved_views").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action LIKE 'view.%'").await, 2);
}

both_backends!(
    creating_users_is_all_or_nothing,
    credentials_read_and_change_in_one_logged_step,
    a_reset_link_works_once,
    single_user_permission_routes_ignore_odd_bodies,
    the_new_user_form_keeps_input_and_shows_errors,
    the_detail_page_edits_credentials_and_moderators_only_read,
    an_action_on_the_whole_filter_confirms_its_count_first,
    csv_export_streams_exactly_the_filtered_rows,
    saved_views_sit_in_the_sidebar_with_counts,
);
