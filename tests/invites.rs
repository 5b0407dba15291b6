//! Invites (issue #14): Pleroma's four types, its API shapes, validation,
//! how `claim` spends them (a crowd included), email invites through the
//! outbox, who may do what, and the `/invites` page and forms, on both
//! backends. The clock is fixed at 2026-12-04 12:00 UTC.

mod common;

use common::{Backend, PASSWORD, TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::Role;
use steward::server::config::Clock;
use steward::server::storage::invites;

const NOW: i64 = 1_796_385_600;
const TODAY: &str = "2026-12-04";

async fn app(b: Backend) -> (TestApp, String) {
    let app = spawn_app_with(b, |c| c.clock = Clock::fixed(NOW)).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    assert_eq!(app.login("admin", PASSWORD).await.status(), 303);
    (app, token)
}

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let res = app.api(method, &format!("/api/pleroma/admin{path}"), token).await.json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.count(sql).await
}

async fn claim(app: &TestApp, token: &str, today: &str) -> Option<i64> {
    let mut tx = app.db.db.begin().await.unwrap();
    let id = invites::claim(tx.conn(), token, today).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn each_invite_type_is_derived_as_pleroma_does(b: Backend) {
    let (app, token) = app(b).await;
    let cases = [
        (json!({}), "one_time", Value::Null, Value::Null),
        (json!({"max_use": 5}), "reusable", json!(5), Value::Null),
        (json!({"expires_at": "2026-12-31"}), "date_limited", Value::Null, json!("2026-12-31")),
        (json!({"max_use": "3", "expires_at": TODAY}), "reusable_date_limited", json!(3), json!(TODAY)),
        // admin-fe sends `max_use: null` when its field is cleared.
        (json!({"max_use": null, "expires_at": ""}), "one_time", Value::Null, Value::Null),
    ];
    let mut ids = Vec::new();
    for (body, kind, max_use, expires_at) in cases {
        let (status, inv) = call(&app, &token, Method::POST, "/users/invite_token", body.clone()).await;
        assert_eq!(status, 200, "{body}: {inv}");
        let keys: Vec<&str> = inv.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 7, "{inv}");
        assert_eq!(inv["invite_type"], kind, "{body}");
        assert_eq!((&inv["max_use"], &inv["expires_at"]), (&max_use, &expires_at), "{body}");
        assert_eq!((&inv["used"], &inv["uses"]), (&json!(false), &json!(0)));
        let t = inv["token"].as_str().unwrap();
        assert!(t.len() >= 40 && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{t}");
        ids.push(inv["id"].as_i64().unwrap());
    }
    // A form body works too, as Pleroma takes one.
    let res = app
        .api(Method::POST, "/api/v1/admin/users/invite_token", &token)
        .await
        .form(&[("max_use", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["invite_type"], "reusable");

    let (status, list) = call(&app, &token, Method::GET, "/users/invites", Value::Null).await;
    assert_eq!(status, 200);
    let listed: Vec<i64> = list["invites"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(&listed[..5], &ids[..], "oldest first, as Pleroma lists them (admin-fe reverses)");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'invite.create'").await, 6);
}

async fn hostile_limits_are_refused_and_nothing_stored(b: Backend) {
    let (app, token) = app(b).await;
    let cases = [
        (json!({"max_use": 0}), "max_use"),
        (json!({"max_use": -1}), "max_use"),
        (json!({"max_use": "abc"}), "max_use"),
        (json!({"max_use": 10_001}), "max_use"),
        (json!({"max_use": 1e30}), "max_use"),
        (json!({"max_use": i64::MAX}), "max_use"),
        (json!({"max_use": 1.5}), "max_use"),
        (json!({"max_use": true}), "max_use"),
        (json!({"max_use": "</textarea>"}), "max_use"),
        (json!({"expires_at": "2026-12-03"}), "expires_at"),
        (json!({"expires_at": "2019-13-45"}), "expires_at"),
        (json!({"expires_at": "\"><script>"}), "expires_at"),
        (json!({"expires_at": "2027-01-01\u{0}"}), "expires_at"),
        (json!({"expires_at": 20270101}), "expires_at"),
        (json!({"expires_at": "9".repeat(10_000)}), "expires_at"),
    ];
    for (body, param) in cases {
        let (status, err) = call(&app, &token, Method::POST, "/users/invite_token", body.clone()).await;
        assert_eq!(status, 422, "{body}: {err}");
        // A NUL is refused before the handler, without a field name.
        if !body.to_string().contains("\\u0000") {
            assert_eq!(err["errors"][0]["meta"]["param"], param, "{body}: {err}");
        }
    }
    let huge = app
        .api(Method::POST, "/api/v1/admin/users/invite_token", &token)
        .await
        .header("Content-Type", "application/json")
        .body(r#"{"max_use": 99999999999999999999999}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 422);
    let (status, _) = call(&app, &token, Method::POST, "/users/invite_token", json!([1])).await;
    assert_eq!(status, 422);
    let res = app
        .api(Method::POST, "/api/v1/admin/users/invite_token", &token)
        .await
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invites").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action LIKE 'invite.%'").await, 0);
}

async fn revoking_is_idempotent_and_unknown_tokens_are_404(b: Backend) {
    let (app, token) = app(b).await;
    let (_, inv) = call(&app, &token, Method::POST, "/users/invite_token", json!({"max_use": 3})).await;
    let t = inv["token"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        let (status, revoked) = call(&app, &token, Method::POST, "/users/revoke_invite", json!({"token": t})).await;
        assert_eq!(status, 200, "{revoked}");
        assert_eq!((&revoked["used"], &revoked["id"]), (&json!(true), &inv["id"]));
        assert_eq!(revoked["invite_type"], "reusable");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'invite.revoke'").await, 1);
    assert_eq!(claim(&app, &t, TODAY).await, None, "a revoked invite admits nobody");

    let (status, _) = call(&app, &token, Method::POST, "/users/revoke_invite", json!({"token": "nope"})).await;
    assert_eq!(status, 404);
    let (status, err) = call(&app, &token, Method::POST, "/users/revoke_invite", json!({})).await;
    assert_eq!((status, &err["errors"][0]["meta"]["param"]), (422, &json!("token")));
    let (status, err) = call(&app, &token, Method::POST, "/users/revoke_invite", json!({"token": 5})).await;
    assert_eq!((status, &err["errors"][0]["meta"]["param"]), (422, &json!("token")));
}

async fn claim_spends_invites_as_pleroma_does(b: Backend) {
    let (app, token) = app(b).await;
    let make = async |body: Value| {
        let (status, inv) = call(&app, &token, Method::POST, "/users/invite_token", body).await;
        assert_eq!(status, 200);
        inv["token"].as_str().unwrap().to_owned()
    };
    let one_time = make(json!({})).await;
    let reusable = make(json!({"max_use": 2})).await;
    let dated = make(json!({"expires_at": TODAY})).await;
    let both = make(json!({"max_use": 1, "expires_at": "2026-12-05"})).await;

    assert!(claim(&app, &one_time, TODAY).await.is_some());
    assert_eq!(claim(&app, &one_time, TODAY).await, None, "one-time: spent by its first use");

    assert!(claim(&app, &reusable, TODAY).await.is_some());
    assert!(claim(&app, &reusable, TODAY).await.is_some());
    assert_eq!(claim(&app, &reusable, TODAY).await, None, "reusable: spent after max_use");

    for _ in 0..3 {
        assert!(claim(&app, &dated, TODAY).await.is_some(), "date-limited: anyone until the date");
    }
    assert_eq!(claim(&app, &dated, "2026-12-05").await, None, "refused after its date");
    assert_eq!(claim(&app, &both, "2026-12-06").await, None, "expired");
    assert!(claim(&app, &both, "2026-12-05").await.is_some(), "works through its last day");
    assert_eq!(claim(&app, &both, "2026-12-05").await, None);
    assert_eq!(claim(&app, "unknown", TODAY).await, None);

    let (_, list) = call(&app, &token, Method::GET, "/users/invites", Value::Null).await;
    let used: Vec<(bool, i64)> = list["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["used"].as_bool().unwrap(), i["uses"].as_i64().unwrap()))
        .collect();
    assert_eq!(used, vec![(true, 1), (true, 2), (false, 3), (true, 1)]);
}

async fn a_crowd_cannot_overspend_an_invite(b: Backend) {
    let (app, token) = app(b).await;
    let (_, inv) = call(&app, &token, Method::POST, "/users/invite_token", json!({"max_use": 5})).await;
    let t = inv["token"].as_str().unwrap().to_owned();
    let mut crowd = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let (db, t) = (app.db.db.clone(), t.clone());
        crowd.spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let id = invites::claim(tx.conn(), &t, TODAY).await.unwrap();
            tx.commit().await.unwrap();
            id
        });
    }
    let mut won = 0;
    while let Some(done) = crowd.join_next().await {
        won += usize::from(done.unwrap().is_some());
    }
    assert_eq!(won, 5);
    assert_eq!(count(&app, "SELECT uses FROM invites").await, 5);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invites WHERE used").await, 1);

    // Concurrent creators: every invite and its log entry, no 5xx.
    let mut creators = tokio::task::JoinSet::new();
    for i in 0..12 {
        let (url, token) = (app.url("/api/v1/admin/users/invite_token"), token.clone());
        creators.spawn(async move {
            let body = json!({"max_use": i + 1});
            reqwest::Client::new().post(url).bearer_auth(token).json(&body).send().await.unwrap().status()
        });
    }
    while let Some(done) = creators.join_next().await {
        assert_eq!(done.unwrap(), 200);
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invites").await, 13);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'invite.create'").await, 13);
}

async fn an_email_invite_queues_one_mail_with_its_link(b: Backend) {
    let (app, token) = app(b).await;
    let (status, err) =
        call(&app, &token, Method::POST, "/users/email_invite", json!({"email": "\"><script>", "name": "x"})).await;
    assert_eq!((status, &err["errors"][0]["meta"]["param"]), (422, &json!("email")));
    let long = "n".repeat(101);
    let (status, err) =
        call(&app, &token, Method::POST, "/users/email_invite", json!({"email": "a@example.org", "name": long})).await;
    assert_eq!((status, &err["errors"][0]["meta"]["param"]), (422, &json!("name")));
    let (status, _) =
        call(&app, &token, Method::POST, "/users/email_invite", json!({"email": ["a@example.org"]})).await;
    assert_eq!(status, 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invites").await + count(&app, "SELECT COUNT(*) FROM outbox").await, 0);

    let (status, body) =
        call(&app, &token, Method::POST, "/users/email_invite", json!({"email": "ann@example.org", "name": "Ann"}))
            .await;
    assert_eq!(status, 204, "{body}");
    let (_, list) = call(&app, &token, Method::GET, "/users/invites", Value::Null).await;
    let inv = &list["invites"][0];
    assert_eq!((&inv["invite_type"], &inv["max_use"]), (&json!("one_time"), &Value::Null));
    let link = format!("{}/invite/{}", app.base, inv["token"].as_str().unwrap());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox").await, 1);
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM outbox WHERE kind = 'invite' AND to_address = 'ann@example.org' \
                 AND body LIKE '%Hello Ann,%' AND body LIKE '%@admin%' AND body LIKE '%{link}%'"
            )
        )
        .await,
        1
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invites WHERE email = 'ann@example.org' AND name = 'Ann'").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'invite.email'").await, 1);

    // admin-fe puts the address in the query string of an empty POST.
    let res = app
        .api(Method::POST, "/api/pleroma/admin/users/email_invite?email=bo%40example.org&name=Bo", &token)
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE to_address = 'bo@example.org'").await, 1);
}

async fn only_admins_manage_invites(b: Backend) {
    let (app, token) = app(b).await;
    let moderator = app.db.create_user("mod", Some(Role::Moderator)).await;
    let mod_token = app.db.token_for(&moderator).await;
    let (_, inv) = call(&app, &token, Method::POST, "/users/invite_token", json!({})).await;
    let routes = [
        (Method::POST, "/users/invite_token", json!({"max_use": 2})),
        (Method::GET, "/users/invites", Value::Null),
        (Method::POST, "/users/revoke_invite", json!({"token": inv["token"]})),
        (Method::POST, "/users/email_invite", json!({"email": "x@example.org"})),
    ];
    for (method, path, body) in routes {
        let (status, _) = call(&app, &mod_token, method.clone(), path, body.clone()).await;
        assert_eq!(status, 403, "moderator {method} {path}");
        let res = reqwest::Client::new()
            .request(method.clone(), app.url(&format!("/api/v1/admin{path}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "anonymous {method} {path}");
    }
    let (moderator_browser, res) = app.login_elsewhere("mod", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let page = moderator_browser.get(app.url("/invites")).send().await.unwrap();
    assert_eq!(page.status(), 403);
    for path in ["/invites", "/invites/email", &format!("/invites/{}/revoke", inv["id"])] {
        let res = moderator_browser
            .post(app.url(path))
            .header("Origin", &app.base)
            .form(&[("max_use", "2"), ("email", "x@example.org")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "moderator form {path}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invites").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invites WHERE used").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox").await, 0);
}

async fn the_page_shows_links_escaped(b: Backend) {
    let (app, _) = app(b).await;
    let hostile = "\"><script>alert(1)</script>";
    {
        let mut tx = app.db.db.begin().await.unwrap();
        let new = invites::NewInvite {
            token: hostile,
            max_use: Some(3),
            expires_at: Some("2026-12-01"),
            email: Some("</textarea><b>@example.org"),
            name: None,
            created_by: 1,
        };
        invites::insert(tx.conn(), &new).await.unwrap();
        tx.commit().await.unwrap();
    }
    let (status, _, html) = app.page("/invites").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)"), "raw script in the page");
    assert!(!html.contains("</textarea><b>"), "raw markup in the page");
    assert!(
        html.contains("/invite/&quot;&gt;&lt;script&gt;") || html.contains("/invite/&quot;>&lt;script>"),
        "link shown escaped"
    );
    assert!(html.contains("reusable_date_limited"));
    assert!(html.contains("expired"), "past its date");
}

async fn the_console_forms_create_mail_and_revoke(b: Backend) {
    let (app, _) = app(b).await;
    let res = app.post_form("/invites", &[("max_use", "4"), ("expires_at", "2026-12-31")]).await;
    assert_eq!((res.status().as_u16(), res.headers()["location"].to_str().unwrap()), (303, "/invites"));
    let (id, t): (i64, String) = {
        let mut conn = app.db.db.conn().await.unwrap();
        let rows = invites::list(conn.as_ref()).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].max_use, rows[0].expires_at.as_deref()), (Some(4), Some("2026-12-31")));
        (rows[0].id, rows[0].token.clone())
    };
    let (status, _, html) = app.page("/invites").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("{}/invite/{t}", app.base)), "the full link to copy");
    assert!(html.contains("0 / 4") && html.contains("2026-12-31") && html.contains("active"));
    assert!(html.contains(&format!("Revoke invite #{id}")));

    // A bad value comes back beside its field, with what was typed.
    let res = app.post_form("/invites", &[("max_use", "-1"), ("expires_at", "")]).await;
    assert_eq!(res.status(), 303);
    let (status, _, html) = app.page("/invites").await;
    assert_eq!(status, 422);
    assert!(html.contains("max_use must be a whole number"), "the field's message");
    assert!(html.contains("value=\"-1\""), "the typed value kept");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invites").await, 1);

    let res = app.post_form("/invites/email", &[("email", "cy@example.org"), ("name", "")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE to_address = 'cy@example.org'").await, 1);
    let res = app.post_form("/invites/email", &[("email", "nope"), ("name", "")]).await;
    assert_eq!(res.status(), 303);
    let (status, _, html) = app.page("/invites").await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"nope\""));

    let res = app.post_form(&format!("/invites/{id}/revoke"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM invites WHERE id = {id} AND used")).await, 1);
    let (_, _, html) = app.page("/invites").await;
    assert!(html.contains("revoked") && !html.contains(&format!("Revoke invite #{id}")));
    // A forged cross-site post is refused.
    let res = app
        .client
        .post(app.url(&format!("/invites/{id}/revoke")))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

both_backends!(
    each_invite_type_is_derived_as_pleroma_does,
    hostile_limits_are_refused_and_nothing_stored,
    revoking_is_idempotent_and_unknown_tokens_are_404,
    claim_spends_invites_as_pleroma_does,
    a_crowd_cannot_overspend_an_invite,
    an_email_invite_queues_one_mail_with_its_link,
    only_admins_manage_invites,
    the_page_shows_links_escaped,
    the_console_forms_create_mail_and_revoke,
);
