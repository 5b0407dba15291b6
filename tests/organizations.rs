//! Organizations (issue #15): the admin API's CRUD, members and domains
//! within the Clerk organization settings (a crowd of adds never passes
//! `max_allowed_memberships`), Flashback's settings document replaced by an
//! organization-bound token with its 400/413/404 answers, the versions and
//! their diffs, sign-up enrollment, the console's forms and editor (hostile
//! text stays text), and who may do what, on both backends.

mod common;

use common::{Backend, PASSWORD, TestApp, admin_app};
use reqwest::Method;
use serde_json::{Value, json};
use steward::auth::tokens as codec;
use steward::domain::Role;
use steward::features::organizations::service;
use steward::server::storage::tokens::Scope;

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let mut req = app.api(method.clone(), &format!("/api/v1/admin{path}"), token).await;
    if method != Method::GET && method != Method::DELETE {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Sets Clerk's organization settings.
async fn clerk(app: &TestApp, token: &str, s: Value) {
    let (status, body) = call(app, token, Method::PATCH, "/instance/organization_settings", s).await;
    assert_eq!(status, 200, "{body}");
}

async fn enabled_app(b: Backend) -> (TestApp, String) {
    let (app, token) = admin_app(b).await;
    clerk(&app, &token, json!({"enabled": true, "max_allowed_memberships": 0})).await;
    (app, token)
}

async fn create(app: &TestApp, token: &str, name: &str) -> String {
    let (status, org) = call(app, token, Method::POST, "/organizations", json!({"name": name})).await;
    assert_eq!(status, 201, "{org}");
    org["id"].as_str().unwrap().to_owned()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.count(sql).await
}

async fn flashback(app: &TestApp, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(app.url("/api/v1/settings/organization"))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn organizations_are_created_listed_renamed_and_deleted(b: Backend) {
    let (app, token) = enabled_app(b).await;
    let (status, org) = call(&app, &token, Method::POST, "/organizations", json!({"name": "Acme Corp."})).await;
    assert_eq!(status, 201, "{org}");
    assert_eq!((org["object"].as_str(), org["slug"].as_str()), (Some("organization"), Some("acme-corp")));
    assert_eq!(org["members_count"], 1, "the creating admin joins");
    let id = org["id"].as_str().unwrap().to_owned();
    let (_, members) = call(&app, &token, Method::GET, &format!("/organizations/{id}/members"), Value::Null).await;
    assert_eq!(members["data"][0]["role"], "org:admin", "creator_role defaults to org:admin");
    assert_eq!(members["data"][0]["nickname"], "admin");

    create(&app, &token, "Globex").await;
    let (status, clash) =
        call(&app, &token, Method::POST, "/organizations", json!({"name": "Other", "slug": "globex"})).await;
    assert_eq!((status, clash["errors"][0]["meta"]["param"].as_str()), (409, Some("slug")), "{clash}");

    let (_, list) = call(&app, &token, Method::GET, "/organizations?query=acm", Value::Null).await;
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["data"][0]["name"], "Acme Corp.");
    let (_, page2) = call(&app, &token, Method::GET, "/organizations?page=2&page_size=1", Value::Null).await;
    assert_eq!((page2["total_count"].as_i64(), page2["data"][0]["name"].as_str()), (Some(2), Some("Globex")));
    let (status, _) = call(&app, &token, Method::GET, "/organizations?page_size=0", Value::Null).await;
    assert_eq!(status, 422);

    let (status, renamed) =
        call(&app, &token, Method::PATCH, &format!("/organizations/{id}"), json!({"name": "Acme Inc", "slug": "acme"}))
            .await;
    assert_eq!((status, renamed["name"].as_str(), renamed["slug"].as_str()), (200, Some("Acme Inc"), Some("acme")));
    let (status, shown) = call(&app, &token, Method::GET, &format!("/organizations/{id}"), Value::Null).await;
    assert_eq!((status, shown["name"].as_str()), (200, Some("Acme Inc")));

    let (status, _) = call(&app, &token, Method::DELETE, &format!("/organizations/{id}"), Value::Null).await;
    assert_eq!(status, 200);
    let (status, _) = call(&app, &token, Method::GET, &format!("/organizations/{id}"), Value::Null).await;
    assert_eq!(status, 404);
    for bad in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "x".repeat(101)}),
        json!({"name": 5}),
        json!({"name": "ok", "slug": "</textarea>"}),
        json!({"name": "a\u{7}b"}),
    ] {
        let (status, e) = call(&app, &token, Method::POST, "/organizations", bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {e}");
    }
    for action in ["organization.create", "organization.rename", "organization.delete"] {
        let n = count(&app, &format!("SELECT COUNT(*) FROM moderation_log WHERE action = '{action}'")).await;
        assert!(n >= 1, "{action} logged");
    }
}

async fn the_clerk_settings_bound_what_admins_may_do(b: Backend) {
    let (app, token) = admin_app(b).await;
    // Off by default: nothing can be created.
    let (status, e) = call(&app, &token, Method::POST, "/organizations", json!({"name": "Acme"})).await;
    assert_eq!(status, 403, "{e}");
    assert!(e["error"].as_str().unwrap().contains("enabled"), "{e}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM organizations").await, 0);

    clerk(&app, &token, json!({"enabled": true, "admin_delete_enabled": false})).await;
    let id = create(&app, &token, "Acme").await;
    let (status, e) = call(&app, &token, Method::DELETE, &format!("/organizations/{id}"), Value::Null).await;
    assert_eq!(status, 403, "{e}");
    assert!(e["error"].as_str().unwrap().contains("admin_delete_enabled"), "{e}");

    // Domains are off until domains_enabled, and then only in allowed modes.
    let domain = json!({"name": "acme.example", "enrollment_mode": "automatic_invitation"});
    let (status, e) = call(&app, &token, Method::POST, &format!("/organizations/{id}/domains"), domain.clone()).await;
    assert_eq!(status, 403, "{e}");
    assert!(e["error"].as_str().unwrap().contains("Domains are turned off"), "{e}");
    clerk(&app, &token, json!({"domains_enabled": true, "domains_enrollment_modes": ["manual_invitation"]})).await;
    let (status, e) = call(&app, &token, Method::POST, &format!("/organizations/{id}/domains"), domain.clone()).await;
    assert_eq!((status, e["errors"][0]["meta"]["param"].as_str()), (422, Some("enrollment_mode")), "{e}");
    let manual = json!({"name": "Acme.Example", "enrollment_mode": "manual_invitation"});
    let (status, d) = call(&app, &token, Method::POST, &format!("/organizations/{id}/domains"), manual.clone()).await;
    assert_eq!((status, d["name"].as_str(), d["verified"].as_bool()), (201, Some("acme.example"), Some(false)), "{d}");
    let did = d["id"].as_str().unwrap().to_owned();
    // A domain belongs to one organization.
    let other = create(&app, &token, "Other").await;
    let (status, e) = call(&app, &token, Method::POST, &format!("/organizations/{other}/domains"), manual).await;
    assert_eq!((status, e["errors"][0]["meta"]["param"].as_str()), (409, Some("domain")), "{e}");
    for bad in ["https://x.org", "nodot", "\"><script>.org", "//evil", &"a".repeat(300)] {
        let body = json!({"name": bad, "enrollment_mode": "manual_invitation"});
        let (status, _) = call(&app, &token, Method::POST, &format!("/organizations/{id}/domains"), body).await;
        assert_eq!(status, 422, "{bad}");
    }
    let (status, d) =
        call(&app, &token, Method::POST, &format!("/organizations/{id}/domains/{did}/verify"), json!({})).await;
    assert_eq!((status, d["verified"].as_bool()), (200, Some(true)), "{d}");
    clerk(&app, &token, json!({"domains_enrollment_modes": ["manual_invitation", "automatic_suggestion"]})).await;
    let (status, d) = call(
        &app,
        &token,
        Method::PATCH,
        &format!("/organizations/{id}/domains/{did}"),
        json!({"enrollment_mode": "automatic_suggestion"}),
    )
    .await;
    assert_eq!((status, d["enrollment_mode"].as_str()), (200, Some("automatic_suggestion")), "{d}");
    clerk(&app, &token, json!({"domains_enabled": false})).await;
    let (status, _) = call(
        &app,
        &token,
        Method::PATCH,
        &format!("/organizations/{id}/domains/{did}"),
        json!({"enrollment_mode": "manual_invitation"}),
    )
    .await;
    assert_eq!(status, 403);
    // Removing stays possible, to clean up.
    let (status, _) =
        call(&app, &token, Method::DELETE, &format!("/organizations/{id}/domains/{did}"), Value::Null).await;
    assert_eq!(status, 200);

    // Roles are Clerk's keys.
    app.db.create_user("alice", None).await;
    let (status, e) = call(
        &app,
        &token,
        Method::POST,
        &format!("/organizations/{id}/members"),
        json!({"nickname": "alice", "role": "owner"}),
    )
    .await;
    assert_eq!((status, e["errors"][0]["meta"]["param"].as_str()), (422, Some("role")), "{e}");
    let (status, m) = call(
        &app,
        &token,
        Method::POST,
        &format!("/organizations/{id}/members"),
        json!({"nickname": "alice", "role": "org:member"}),
    )
    .await;
    assert_eq!((status, m["role"].as_str()), (201, Some("org:member")), "{m}");
    let uid = m["user_id"].as_str().unwrap().to_owned();
    let (status, m) =
        call(&app, &token, Method::PATCH, &format!("/organizations/{id}/members/{uid}"), json!({"role": "org:admin"}))
            .await;
    assert_eq!((status, m["role"].as_str()), (200, Some("org:admin")));
    let (status, _) =
        call(&app, &token, Method::DELETE, &format!("/organizations/{id}/members/{uid}"), Value::Null).await;
    assert_eq!(status, 200);
    let (status, _) =
        call(&app, &token, Method::DELETE, &format!("/organizations/{id}/members/{uid}"), Value::Null).await;
    assert_eq!(status, 404);
}

async fn a_crowd_of_adds_never_passes_the_membership_cap(b: Backend) {
    let (app, token) = enabled_app(b).await;
    clerk(&app, &token, json!({"max_allowed_memberships": 3})).await;
    let id = create(&app, &token, "Acme").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(app.db.create_user(&format!("user{i}"), None).await.id);
    }
    let tasks: Vec<_> = ids
        .iter()
        .map(|uid| {
            let (url, token) = (app.url(&format!("/api/v1/admin/organizations/{id}/members")), token.clone());
            let body = json!({"user_id": uid.to_string(), "role": "org:member"});
            tokio::spawn(async move {
                reqwest::Client::new().post(url).bearer_auth(token).json(&body).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 2, "the creator holds one of 3 places: {statuses:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM organization_members").await, 3);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'organization.member_add'").await, 2);
    let (status, e) =
        call(&app, &token, Method::POST, &format!("/organizations/{id}/members"), json!({"user_id": ids[0]})).await;
    assert!(status == 409, "{e}");
}

async fn an_organization_token_replaces_the_settings_document(b: Backend) {
    let (app, token) = enabled_app(b).await;
    let id = create(&app, &token, "Acme").await;
    let (status, t) =
        call(&app, &token, Method::POST, &format!("/organizations/{id}/tokens"), json!({"label": "backend"})).await;
    assert_eq!((status, t["scope"].as_str()), (201, Some("organization")), "{t}");
    let org_token = t["secret"].as_str().unwrap().to_owned();
    let (_, listed) = call(&app, &token, Method::GET, &format!("/organizations/{id}/tokens"), Value::Null).await;
    assert!(listed["data"][0].get("secret").is_none(), "the secret is shown once: {listed}");

    let doc = json!({"settings": {"defaultStorageType": "S3", "maxFileSize": "10GB",
        "retentionPolicy": {"enabled": true, "days": 365}, "security": {"requireMFA": true, "sessionTimeout": 3600}}});
    let (status, ok) = flashback(&app, Some(&org_token), &doc.to_string()).await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(ok, json!({"success": true, "message": "Organization settings updated successfully"}));
    // A full replacement: keys not sent are gone.
    let (status, _) = flashback(&app, Some(&org_token), r#"{"settings": {"only": 1}}"#).await;
    assert_eq!(status, 200);
    let current = reqwest::Client::new()
        .get(app.url("/api/v1/settings/organization"))
        .bearer_auth(&org_token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!((&current["settings"], &current["version"]), (&json!({"only": 1}), &json!(2)), "{current}");

    let (_, versions) =
        call(&app, &token, Method::GET, &format!("/organizations/{id}/settings/versions"), Value::Null).await;
    assert_eq!(versions["total_count"], 2, "{versions}");
    assert_eq!(versions["data"][0]["before"]["defaultStorageType"], "S3", "the previous document is kept");
    let diff = versions["data"][0]["diff"].as_str().unwrap();
    assert!(diff.contains("-  \"defaultStorageType\": \"S3\"") && diff.contains("+  \"only\": 1"), "{diff}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'organization.settings_replace'").await,
        2
    );

    // Wrong shapes: 400 in Flashback's shape, with §5's errors beside it; nothing changes.
    for bad in [
        "[1, 2]",
        "3",
        "\"text\"",
        "null",
        "{}",
        r#"{"other": {}}"#,
        r#"{"settings": [1]}"#,
        r#"{"settings": "x"}"#,
        r#"{"settings": null}"#,
        "{not json",
    ] {
        let (status, e) = flashback(&app, Some(&org_token), bad).await;
        assert_eq!(status, 400, "{bad}: {e}");
        assert_eq!(e["success"], false, "{bad}: {e}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        assert_eq!(e["errors"][0]["code"], "bad_request", "{e}");
    }
    let huge = json!({"settings": {"blob": "x".repeat(70 * 1024)}}).to_string();
    let (status, e) = flashback(&app, Some(&org_token), &huge).await;
    assert_eq!((status, e["success"].as_bool()), (413, Some(false)), "{e}");
    let (status, _) =
        flashback(&app, Some(&org_token), &json!({"settings": {"b": "x".repeat(2 << 20)}}).to_string()).await;
    assert_eq!(status, 413, "over the server-wide limit too");
    assert_eq!(count(&app, &format!("SELECT settings_version FROM organizations WHERE id = {id}")).await, 2);

    // Tokens of other kinds are not associated with an organization.
    let intake = {
        let admin = app.db.create_user("feeder", Some(Role::Admin)).await;
        codec::issue(&app.db.db, &admin, "intake", Scope::Intake).await.unwrap().1
    };
    for other in [&token, &intake] {
        let (status, e) = flashback(&app, Some(other), &doc.to_string()).await;
        assert_eq!(status, 404, "{e}");
        assert_eq!(
            (e["success"].as_bool(), e["message"].as_str()),
            (Some(false), Some("User not associated with any organization"))
        );
    }
    let (status, e) = flashback(&app, None, &doc.to_string()).await;
    assert_eq!((status, e["success"].as_bool()), (401, Some(false)), "{e}");
    let (status, _) = flashback(&app, Some("stw_nope"), &doc.to_string()).await;
    assert_eq!(status, 401);

    // An organization token reaches nothing else.
    let (status, _) = call(&app, &org_token, Method::GET, "/organizations", Value::Null).await;
    assert_eq!(status, 403);
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/intake/statuses"))
        .bearer_auth(&org_token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Revoked, it stops working.
    let tid = t["id"].as_str().unwrap();
    let (status, _) =
        call(&app, &token, Method::DELETE, &format!("/organizations/{id}/tokens/{tid}"), Value::Null).await;
    assert_eq!(status, 204);
    let (status, _) = flashback(&app, Some(&org_token), &doc.to_string()).await;
    assert_eq!(status, 401);
}

async fn concurrent_replacements_each_keep_a_version(b: Backend) {
    let (app, token) = enabled_app(b).await;
    let id = create(&app, &token, "Acme").await;
    let (_, t) = call(&app, &token, Method::POST, &format!("/organizations/{id}/tokens"), json!({"label": "a"})).await;
    let org_token = t["secret"].as_str().unwrap().to_owned();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (url, org_token, token) = (app.url("/api/v1/settings/organization"), org_token.clone(), token.clone());
            let admin_url = app.url(&format!("/api/v1/admin/organizations/{id}/settings"));
            tokio::spawn(async move {
                let body = json!({"settings": {"writer": i}});
                let req = if i % 2 == 0 {
                    reqwest::Client::new().post(url).bearer_auth(org_token)
                } else {
                    reqwest::Client::new().post(admin_url).bearer_auth(token)
                };
                req.json(&body).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let (_, versions) =
        call(&app, &token, Method::GET, &format!("/organizations/{id}/settings/versions"), Value::Null).await;
    let numbers: Vec<i64> =
        versions["data"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect();
    assert_eq!(numbers, (1..=16).rev().collect::<Vec<_>>(), "one version per replacement, none lost");
    // Each version's `before` is the previous one's `after`: nothing interleaved.
    let data = versions["data"].as_array().unwrap();
    for pair in data.windows(2) {
        assert_eq!(pair[0]["before"], pair[1]["after"]);
    }
    let (_, doc) = call(&app, &token, Method::GET, &format!("/organizations/{id}/settings"), Value::Null).await;
    assert_eq!((doc["version"].as_i64(), &doc["settings"]), (Some(16), &data[0]["after"]));
}

async fn admins_replace_settings_and_the_editor_keeps_hostile_text_as_text(b: Backend) {
    let (app, token) = enabled_app(b).await;
    let id = create(&app, &token, "Acme").await;
    let hostile = json!({"settings": {"note": "</textarea><script>alert(1)</script>", "x": "\"><img src=x>"}});
    let (status, doc) = call(&app, &token, Method::POST, &format!("/organizations/{id}/settings"), hostile).await;
    assert_eq!((status, doc["version"].as_i64()), (200, Some(1)), "{doc}");
    let (status, e) = call(
        &app,
        &token,
        Method::POST,
        &format!("/organizations/{id}/settings"),
        json!({"settings": {}, "expected_version": 0}),
    )
    .await;
    assert_eq!((status, e["errors"][0]["meta"]["current_version"].as_i64()), (409, Some(1)), "{e}");
    for bad in [json!([1]), json!("x"), json!({"settings": 5})] {
        let (status, _) = call(&app, &token, Method::POST, &format!("/organizations/{id}/settings"), bad).await;
        assert_eq!(status, 400);
    }

    let (status, _, html) = app.page(&format!("/organizations/{id}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("</textarea><script>"), "the stored text must not end the editor");
    assert!(html.contains("&lt;/textarea&gt;&lt;script&gt;"), "escaped in the editor");
    assert!(html.contains("data-testid=\"settings-diff\""), "the history shows the change");

    // Without JavaScript the server checks the text and brings it back.
    let res = app.post_form(&format!("/organizations/{id}/settings"), &[("settings", "[1, 2"), ("version", "1")]).await;
    assert_eq!(res.status(), 303);
    let (_, _, html) = app.page(&format!("/organizations/{id}")).await;
    assert!(html.contains("This is not valid JSON"), "the error is beside the field");
    assert!(html.contains("[1, 2</textarea>"), "the text is kept");
    let res =
        app.post_form(&format!("/organizations/{id}/settings"), &[("settings", "{\"a\": 1}"), ("version", "1")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, &format!("SELECT settings_version FROM organizations WHERE id = {id}")).await, 2);
    let (_, _, html) = app.page(&format!("/organizations/{id}")).await;
    assert!(html.contains("Version 2"), "{html}");
}

async fn the_console_manages_organizations_without_javascript(b: Backend) {
    let (app, token) = admin_app(b).await;
    let (_, _, html) = app.page("/organizations").await;
    assert!(html.contains("Organizations are turned off in organization settings"), "says why nothing can be made");
    clerk(&app, &token, json!({"enabled": true, "admin_delete_enabled": true})).await;
    let res = app.post_form("/organizations", &[("name", "Acme"), ("slug", "")]).await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/organizations/"), "{to}");
    let (status, _, html) = app.page(&to).await;
    assert_eq!(status, 200);
    assert!(html.contains("Domains are turned off in organization settings"));
    app.db.create_user("bob", None).await;
    assert_eq!(app.post_form(&format!("{to}/members"), &[("user", "@bob"), ("role", "org:admin")]).await.status(), 303);
    assert_eq!(
        app.post_form(&format!("{to}/members"), &[("user", "nobody"), ("role", "org:admin")]).await.status(),
        303
    );
    let (_, _, html) = app.page(&to).await;
    assert!(html.contains("@bob") && html.contains("No user has that id or nickname"), "{html}");
    let res = app.post_form(&format!("{to}/tokens"), &[("label", "ci")]).await;
    assert_eq!(res.status(), 303);
    let (_, _, html) = app.page(&to).await;
    assert!(html.contains("data-testid=\"new-secret\""), "the secret is shown once");
    let res = app.post_form(&format!("{to}/delete"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM organizations").await, 1, "not without the confirmation");
    let res = app.post_form(&format!("{to}/delete"), &[("confirm", "yes")]).await;
    assert_eq!(res.headers()["location"], "/organizations");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM organizations").await, 0);
}

async fn sign_ups_join_the_default_and_verified_domain_organizations(b: Backend) {
    let (app, token) = enabled_app(b).await;
    clerk(
        &app,
        &token,
        json!({"domains_enabled": true, "max_allowed_memberships": 2,
            "domains_enrollment_modes": ["automatic_invitation", "automatic_suggestion"]}),
    )
    .await;
    let acme = create(&app, &token, "Acme").await;
    let globex = create(&app, &token, "Globex").await;
    let add = |org: &str, domain: &str, mode: &str| {
        let (app, token, path) = (&app, &token, format!("/organizations/{org}/domains"));
        let body = json!({"name": domain, "enrollment_mode": mode});
        async move {
            let (status, d) = call(app, token, Method::POST, &path, body).await;
            assert_eq!(status, 201, "{d}");
            let did = d["id"].as_str().unwrap().to_owned();
            call(app, token, Method::POST, &format!("{path}/{did}/verify"), json!({})).await;
        }
    };
    add(&acme, "acme.example", "automatic_invitation").await;
    add(&globex, "globex.example", "automatic_suggestion").await;
    let join = |uid: i64, email: &'static str, default: Option<i64>| {
        let db = app.db.db.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            let joined = service::join_on_sign_up(tx.conn(), uid, email, default).await.unwrap();
            tx.commit().await.unwrap();
            joined
        }
    };
    let (acme_id, globex_id): (i64, i64) = (acme.parse().unwrap(), globex.parse().unwrap());
    let carol = app.db.create_user("carol", None).await.id;
    assert_eq!(join(carol, "carol@acme.example", Some(globex_id)).await, vec![acme_id, globex_id]);
    let role = count(
        &app,
        &format!("SELECT COUNT(*) FROM organization_members WHERE user_id = {carol} AND role = 'org:member'"),
    )
    .await;
    assert_eq!(role, 2, "domains_default_role");
    // automatic_suggestion joins nothing.
    let dave = app.db.create_user("dave", None).await.id;
    assert!(join(dave, "dave@globex.example", None).await.is_empty());
    // Acme is full now (admin + carol): the sign-up goes on without it.
    let erin = app.db.create_user("erin", None).await.id;
    assert!(join(erin, "erin@acme.example", None).await.is_empty());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'organization.member_join'").await, 2);
    // Turned off, nothing is joined.
    clerk(&app, &token, json!({"enabled": false, "max_allowed_memberships": 0})).await;
    assert!(join(erin, "erin@acme.example", Some(acme_id)).await.is_empty());
}

async fn only_admins_reach_organizations(b: Backend) {
    let (app, token) = enabled_app(b).await;
    let id = create(&app, &token, "Acme").await;
    let moderator = app.db.create_user("mod", Some(Role::Moderator)).await;
    let mod_token = app.db.token_for(&moderator).await;
    for (method, path) in [
        (Method::GET, "/organizations".to_owned()),
        (Method::POST, "/organizations".to_owned()),
        (Method::GET, format!("/organizations/{id}/settings")),
        (Method::POST, format!("/organizations/{id}/tokens")),
    ] {
        let (status, _) = call(&app, &mod_token, method.clone(), &path, json!({"name": "x", "label": "x"})).await;
        assert_eq!(status, 403, "moderator {method} {path}");
        let res = reqwest::Client::new().request(method.clone(), app.url(&format!("/api/v1/admin{path}"))).send().await;
        assert_eq!(res.unwrap().status(), 401, "anonymous {method} {path}");
    }
    let (browser, res) = app.login_elsewhere("mod", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let page = browser.get(app.url(&format!("/organizations/{id}"))).send().await.unwrap();
    assert_eq!(page.status(), 403);
    let post = browser
        .post(app.url("/organizations"))
        .header("Origin", &app.base)
        .form(&[("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 403);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM organizations").await, 1);
}

both_backends!(
    organizations_are_created_listed_renamed_and_deleted,
    the_clerk_settings_bound_what_admins_may_do,
    a_crowd_of_adds_never_passes_the_membership_cap,
    an_organization_token_replaces_the_settings_document,
    concurrent_replacements_each_keep_a_version,
    admins_replace_settings_and_the_editor_keeps_hostile_text_as_text,
    the_console_manages_organizations_without_javascript,
    sign_ups_join_the_default_and_verified_domain_organizations,
    only_admins_reach_organizations,
);
