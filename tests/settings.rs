//! The settings APIs (Fluxer's instance config, Clerk's instance settings,
//! restrictions, organization settings, allowlist/blocklist identifiers),
//! CORS from `allowed_origins`, and the settings pages, on both backends.

mod common;

use std::time::Duration;

use common::{Backend, PASSWORD, TestApp, admin_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::Role;
use steward::server::config::Clock;

const API: &str = "/api/v1/admin";

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = app.api(method, &format!("{API}{path}"), token).await;
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let (s, v) = call(app, token, Method::GET, path, None).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.count(sql).await
}

fn param(v: &Value) -> &str {
    v["errors"][0]["meta"]["param"].as_str().unwrap_or_default()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

async fn fluxer_config_has_the_seeds_shape(b: Backend) {
    let (app, token) = admin_app(b).await;
    let v = get(&app, &token, "/instance-config").await;
    assert_eq!(
        keys(&v),
        [
            "manual_review_active_now",
            "manual_review_enabled",
            "manual_review_schedule_enabled",
            "manual_review_schedule_end_hour_utc",
            "manual_review_schedule_start_hour_utc",
            "registration_alerts_webhook_url",
            "self_hosted",
            "sso",
            "system_alerts_webhook_url",
        ]
    );
    assert_eq!(v["self_hosted"], true);
    assert!(v["registration_alerts_webhook_url"].is_null());
    assert_eq!(
        keys(&v["sso"]),
        [
            "allowed_domains",
            "authorization_url",
            "auto_provision",
            "client_id",
            "client_secret_set",
            "display_name",
            "enabled",
            "issuer",
            "jwks_url",
            "redirect_uri",
            "scope",
            "token_url",
            "userinfo_url",
        ]
    );
    let body = json!({
        "manual_review_enabled": true,
        "manual_review_schedule_enabled": true,
        "manual_review_schedule_start_hour_utc": 22,
        "manual_review_schedule_end_hour_utc": 6,
        "registration_alerts_webhook_url": "https://hooks.example.org/reg",
        "system_alerts_webhook_url": "https://hooks.example.org/sys",
        "sso": {
            "enabled": true, "display_name": "Corp", "issuer": "https://id.example.org/",
            "authorization_url": "https://id.example.org/auth", "token_url": "https://id.example.org/token",
            "userinfo_url": "https://id.example.org/userinfo", "jwks_url": "https://id.example.org/jwks",
            "client_id": "steward", "client_secret": "s3cret", "scope": "openid email",
            "allowed_domains": ["Example.org", "example.org", "corp.example"], "auto_provision": true,
            "redirect_uri": "https://steward.example.org/sso/callback"
        }
    });
    let res =
        app.api(Method::POST, &format!("{API}/instance-config/update"), &token).await.json(&body).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["manual_review_schedule_start_hour_utc"], 22);
    assert_eq!(v["manual_review_schedule_end_hour_utc"], 6);
    assert_eq!(v["registration_alerts_webhook_url"], "https://hooks.example.org/reg");
    assert_eq!(v["sso"]["allowed_domains"], json!(["example.org", "corp.example"]));
    assert_eq!(v["sso"]["client_secret_set"], true);
    assert!(!v.to_string().contains("s3cret"));
    assert_eq!(v, get(&app, &token, "/instance-config").await, "the update answers what GET reads");
    // Absent fields stay; null clears a webhook.
    let (s, v) =
        call(&app, &token, Method::POST, "/instance-config/update", Some(json!({"system_alerts_webhook_url": null})))
            .await;
    assert_eq!(s, 200);
    assert!(v["system_alerts_webhook_url"].is_null());
    assert_eq!(v["registration_alerts_webhook_url"], "https://hooks.example.org/reg");
    assert_eq!(v["manual_review_schedule_start_hour_utc"], 22);
    assert_eq!(v["sso"]["client_id"], "steward");
}

async fn bad_hours_and_urls_are_refused_by_name(b: Backend) {
    let (app, token) = admin_app(b).await;
    for field in ["manual_review_schedule_start_hour_utc", "manual_review_schedule_end_hour_utc"] {
        for bad in [json!(-1), json!(24), json!("x"), json!(1.5), json!(1e30)] {
            let (s, v) = call(&app, &token, Method::POST, "/instance-config/update", Some(json!({ field: bad }))).await;
            assert_eq!((s, param(&v)), (422, field), "{field} = {bad}: {v}");
        }
    }
    for field in ["registration_alerts_webhook_url", "system_alerts_webhook_url"] {
        for bad in ["javascript:alert(1)", "//evil", "not a url", "ftp://x.org/", "</textarea>", "https://x.org/a\nb"] {
            let (s, v) = call(&app, &token, Method::POST, "/instance-config/update", Some(json!({ field: bad }))).await;
            assert_eq!((s, param(&v)), (422, field), "{field} = {bad:?}: {v}");
        }
    }
    // NUL anywhere in a body is refused before any handler (422, `body`).
    let (s, _) = call(
        &app,
        &token,
        Method::POST,
        "/instance-config/update",
        Some(json!({"system_alerts_webhook_url": "https://x.org/\u{0}"})),
    )
    .await;
    assert_eq!(s, 422);
    let huge = format!("https://x.org/{}", "a".repeat(5000));
    let (s, v) =
        call(&app, &token, Method::POST, "/instance-config/update", Some(json!({"sso": {"token_url": huge}}))).await;
    assert_eq!((s, param(&v)), (422, "sso.token_url"));
    let (s, v) = call(&app, &token, Method::POST, "/instance-config/update", Some(json!({"sso": {"nope": 1}}))).await;
    assert_eq!((s, param(&v)), (422, "sso.nope"));
    let (s, v) = call(&app, &token, Method::POST, "/instance-config/update", Some(json!([1]))).await;
    assert_eq!((s, param(&v)), (422, "body"));
    let res = app
        .api(Method::POST, &format!("{API}/instance-config/update"), &token)
        .await
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM settings_versions").await, 0, "nothing was changed");
}

async fn the_sso_secret_is_write_only(b: Backend) {
    let (app, token) = admin_app(b).await;
    let secret = "very-secret-value-42";
    let (s, v) = call(
        &app,
        &token,
        Method::POST,
        "/instance-config/update",
        Some(json!({"sso": {"client_secret": secret, "client_id": "c"}})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["sso"]["client_secret_set"], true);
    assert!(v["sso"].get("client_secret").is_none());
    // Omitting it keeps it.
    let (_, v) =
        call(&app, &token, Method::POST, "/instance-config/update", Some(json!({"sso": {"client_id": "d"}}))).await;
    assert_eq!(v["sso"]["client_secret_set"], true);
    let (_, v) =
        call(&app, &token, Method::POST, "/instance-config/update", Some(json!({"manual_review_enabled": true}))).await;
    assert_eq!(v["sso"]["client_secret_set"], true);
    // Never in a response, the history or the moderation log.
    let all = get(&app, &token, "/instance-config").await.to_string()
        + &get(&app, &token, "/moderation_log").await.to_string();
    assert!(!all.contains(secret));
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM settings_versions WHERE after LIKE '%{secret}%' OR before LIKE '%{secret}%'"
            )
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM moderation_log WHERE data LIKE '%{secret}%' OR message LIKE '%{secret}%'")
        )
        .await,
        0
    );
    let (_, _, page) = app.page("/settings/instance").await;
    assert!(!page.contains(secret));
    // "" clears; so does null.
    let (_, v) =
        call(&app, &token, Method::POST, "/instance-config/update", Some(json!({"sso": {"client_secret": ""}}))).await;
    assert_eq!(v["sso"]["client_secret_set"], false);
    call(&app, &token, Method::POST, "/instance-config/update", Some(json!({"sso": {"client_secret": "x"}}))).await;
    let (_, v) =
        call(&app, &token, Method::POST, "/instance-config/update", Some(json!({"sso": {"client_secret": null}})))
            .await;
    assert_eq!(v["sso"]["client_secret_set"], false);
}

/// 2026-01-01 00:00 UTC plus `hour` hours.
fn at(hour: i64) -> i64 {
    1_767_225_600 + hour * 3600
}

async fn review_is_active_now_by_the_window_and_the_clock(b: Backend) {
    let clock = Clock::fixed(at(0));
    let handle = clock.clone();
    let app = spawn_app_with(b, move |c| c.clock = handle).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    let set = async |start: i64, end: i64, scheduled: bool, enabled: bool| {
        let (s, _) = call(
            &app,
            &token,
            Method::POST,
            "/instance-config/update",
            Some(json!({
            "manual_review_enabled": enabled, "manual_review_schedule_enabled": scheduled,
            "manual_review_schedule_start_hour_utc": start, "manual_review_schedule_end_hour_utc": end})),
        )
        .await;
        assert_eq!(s, 200);
    };
    let active = async |hour: i64| {
        clock.set(at(hour));
        get(&app, &token, "/instance-config").await["manual_review_active_now"].as_bool().unwrap()
    };
    set(9, 17, false, false).await;
    assert!(!active(12).await, "off");
    set(9, 17, false, true).await;
    assert!(active(3).await, "on, unscheduled: always");
    set(9, 17, true, true).await;
    assert!((!active(8).await, active(9).await, active(16).await, !active(17).await) == (true, true, true, true));
    set(11, 11, true, true).await;
    for h in [0, 11, 23] {
        assert!(active(h).await, "start = end is all day ({h})");
    }
    set(22, 6, true, true).await;
    assert!(active(22).await && active(23).await && active(0).await && active(5).await);
    assert!(!active(6).await && !active(21).await, "wraps past midnight");
    set(23, 0, true, true).await;
    assert!(active(23).await && !active(0).await, "23 → 0");
}

async fn clerk_instance_leaves_nulls_and_refuses_unknown_keys(b: Backend) {
    let (app, token) = admin_app(b).await;
    let v = get(&app, &token, "/instance").await;
    assert_eq!(v["object"], "instance");
    let (s, v) = call(
        &app,
        &token,
        Method::PATCH,
        "/instance",
        Some(json!({
        "test_mode": true, "hibp": true, "support_email": "help@example.org", "clerk_js_version": "5",
        "development_origin": "http://localhost:3000",
        "allowed_origins": ["https://App.example.org/", "chrome-extension://abcdef", "capacitor://localhost"],
        "url_based_session_syncing": true})),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    assert_eq!(
        v["allowed_origins"],
        json!(["https://app.example.org", "chrome-extension://abcdef", "capacitor://localhost"])
    );
    let (s, v) = call(
        &app,
        &token,
        Method::PATCH,
        "/instance",
        Some(json!({
        "test_mode": null, "hibp": false, "support_email": null, "allowed_origins": null})),
    )
    .await;
    assert_eq!(s, 202);
    assert_eq!((v["test_mode"].as_bool(), v["hibp"].as_bool()), (Some(true), Some(false)));
    assert_eq!(v["support_email"], "help@example.org");
    assert_eq!(v["allowed_origins"].as_array().unwrap().len(), 3);
    assert_eq!(v["development_origin"], "http://localhost:3000");
    let version = v["version"].as_i64().unwrap();
    for (body, p) in [
        (json!({"nope": true}), "nope"),
        (json!({"hibp": "yes"}), "hibp"),
        (json!({"support_email": "\"><script>"}), "support_email"),
        (json!({"support_email": 5}), "support_email"),
        (json!({"allowed_origins": ["https://a.org/path"]}), "allowed_origins"),
        (json!({"allowed_origins": ["*"]}), "allowed_origins"),
        (json!({"allowed_origins": "https://a.org"}), "allowed_origins"),
        (json!({"development_origin": "javascript:alert(1)"}), "development_origin"),
        (json!({"clerk_js_version": "a\n</textarea>"}), "clerk_js_version"),
        (json!({"hibp": true, "expected_version": "x"}), "expected_version"),
    ] {
        let (s, v) = call(&app, &token, Method::PATCH, "/instance", Some(body.clone())).await;
        assert_eq!((s, param(&v)), (422, p), "{body}: {v}");
    }
    assert_eq!(get(&app, &token, "/instance").await["version"].as_i64(), Some(version), "nothing changed");
    // "" clears a text field.
    let (_, v) = call(&app, &token, Method::PATCH, "/instance", Some(json!({"support_email": ""}))).await;
    assert!(v["support_email"].is_null());
}

async fn restrictions_and_organization_settings_have_clerks_shapes(b: Backend) {
    let (app, token) = admin_app(b).await;
    let (s, v) = call(
        &app,
        &token,
        Method::PATCH,
        "/instance/restrictions",
        Some(json!({"blocklist": true, "block_email_subaddresses": true, "allowlist": null})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        json!({"object": "instance_restrictions", "allowlist": false, "blocklist": true,
        "block_email_subaddresses": true, "block_disposable_email_domains": false,
        "ignore_dots_for_gmail_addresses": false, "version": 1})
    );
    assert_eq!(get(&app, &token, "/instance/restrictions").await, v);
    let (s, v) = call(&app, &token, Method::PATCH, "/instance/restrictions", Some(json!({"blocklist": 1}))).await;
    assert_eq!((s, param(&v)), (422, "blocklist"));

    let (s, v) = call(
        &app,
        &token,
        Method::PATCH,
        "/instance/organization_settings",
        Some(json!({
        "enabled": true, "max_allowed_memberships": 0, "domains_enabled": true,
        "domains_enrollment_modes": ["manual_invitation", "automatic_suggestion"],
        "creator_role_id": "org:owner", "domains_default_role_id": "org:viewer"})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["object"], "organization_settings");
    assert_eq!(v["creator_role"], "org:owner");
    assert_eq!(v["domains_default_role"], "org:viewer");
    assert_eq!(v["max_allowed_memberships"], 0);
    assert_eq!(v["max_allowed_roles"], 10);
    assert_eq!(v["domains_enrollment_modes"], json!(["manual_invitation", "automatic_suggestion"]));
    assert!(v.get("creator_role_id").is_none());
    assert_eq!(get(&app, &token, "/instance/organization_settings").await, v);
    for (body, p) in [
        (json!({"max_allowed_memberships": -1}), "max_allowed_memberships"),
        (json!({"domains_enrollment_modes": ["everyone"]}), "domains_enrollment_modes"),
        (json!({"creator_role_id": ""}), "creator_role_id"),
        (json!({"creator_role": "org:x"}), "creator_role"),
        (json!({"max_allowed_roles": 3}), "max_allowed_roles"),
    ] {
        let (s, v) = call(&app, &token, Method::PATCH, "/instance/organization_settings", Some(body.clone())).await;
        assert_eq!((s, param(&v)), (422, p), "{body}: {v}");
    }
}

async fn identifiers_are_added_listed_and_removed(b: Backend) {
    let (app, token) = admin_app(b).await;
    for (list, object) in [("allowlist", "allowlist_identifier"), ("blocklist", "blocklist_identifier")] {
        let path = format!("/{list}_identifiers");
        let (s, v) = call(&app, &token, Method::POST, &path, Some(json!({"identifier": "  Spam.Example  "}))).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(
            (v["object"].as_str(), v["identifier"].as_str(), v["identifier_type"].as_str()),
            (Some(object), Some("spam.example"), Some("domain"))
        );
        assert!(v["created_at"].as_i64().unwrap() > 1_000_000_000_000, "milliseconds, like Clerk");
        let (s, e) =
            call(&app, &token, Method::POST, &path, Some(json!({"identifier": "Bob@Example.org", "notify": false})))
                .await;
        assert_eq!((s, e["identifier_type"].as_str()), (200, Some("email_address")));
        assert_eq!(e["identifier"], "bob@example.org");
        let (s, d) = call(&app, &token, Method::POST, &path, Some(json!({"identifier": "spam.example"}))).await;
        assert_eq!((s, param(&d)), (409, "identifier"), "duplicate");
        for bad in [
            "",
            "a b.org",
            "a@",
            "@example.org",
            "exa\tmple.org",
            "</textarea>",
            "\"><script>",
            "localhost",
            &"a".repeat(300),
        ] {
            let (s, d) = call(&app, &token, Method::POST, &path, Some(json!({"identifier": bad}))).await;
            assert_eq!((s, param(&d)), (422, "identifier"), "{bad:?}: {d}");
        }
        let (s, d) = call(&app, &token, Method::POST, &path, Some(json!({"identifier": 5}))).await;
        assert_eq!((s, param(&d)), (422, "identifier"));
        let listed = get(&app, &token, &path).await;
        assert_eq!(listed.as_array().unwrap().len(), 2);
        let id = v["id"].as_str().unwrap();
        let (s, d) = call(&app, &token, Method::DELETE, &format!("{path}/{id}"), None).await;
        assert_eq!((s, d["deleted"].as_bool(), d["object"].as_str()), (200, Some(true), Some(object)));
        let (s, _) = call(&app, &token, Method::DELETE, &format!("{path}/{id}"), None).await;
        assert_eq!(s, 404);
        let (s, _) = call(&app, &token, Method::DELETE, &format!("{path}/nope"), None).await;
        assert_eq!(s, 404);
        assert_eq!(get(&app, &token, &path).await.as_array().unwrap().len(), 1);
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'restriction.add'").await, 4);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'restriction.remove'").await, 2);
}

async fn a_stale_edit_is_refused_with_the_current_version(b: Backend) {
    let (app, token) = admin_app(b).await;
    let (_, v) =
        call(&app, &token, Method::PATCH, "/instance", Some(json!({"hibp": true, "expected_version": 0}))).await;
    assert_eq!(v["version"], 1);
    let (s, e) =
        call(&app, &token, Method::PATCH, "/instance", Some(json!({"test_mode": true, "expected_version": 0}))).await;
    assert_eq!(s, 409);
    assert_eq!(e["errors"][0]["meta"]["current_version"], 1);
    assert_eq!(get(&app, &token, "/instance").await["test_mode"], false, "nothing changed");
    let (s, e) = call(
        &app,
        &token,
        Method::POST,
        "/instance-config/update",
        Some(json!({"manual_review_enabled": true, "expected_version": 3})),
    )
    .await;
    assert_eq!((s, e["errors"][0]["meta"]["current_version"].as_i64()), (409, Some(0)));
    let (s, _) =
        call(&app, &token, Method::PATCH, "/instance", Some(json!({"test_mode": true, "expected_version": 1}))).await;
    assert_eq!(s, 202);
}

async fn a_crowd_of_edits_keeps_every_change(b: Backend) {
    let (app, token) = admin_app(b).await;
    // 20 different fields over the instance config (and its SSO block).
    let mut bodies: Vec<Value> = vec![
        json!({"manual_review_enabled": true}),
        json!({"manual_review_schedule_enabled": true}),
        json!({"manual_review_schedule_start_hour_utc": 7}),
        json!({"manual_review_schedule_end_hour_utc": 19}),
        json!({"registration_alerts_webhook_url": "https://hooks.example.org/r"}),
        json!({"system_alerts_webhook_url": "https://hooks.example.org/s"}),
    ];
    for (k, v) in [
        ("enabled", json!(true)),
        ("display_name", json!("Corp")),
        ("issuer", json!("https://id.example.org/")),
        ("authorization_url", json!("https://id.example.org/a")),
        ("token_url", json!("https://id.example.org/t")),
        ("userinfo_url", json!("https://id.example.org/u")),
        ("jwks_url", json!("https://id.example.org/j")),
        ("client_id", json!("cid")),
        ("client_secret", json!("sec")),
        ("scope", json!("openid")),
        ("allowed_domains", json!(["example.org"])),
        ("auto_provision", json!(true)),
        ("redirect_uri", json!("https://s.example.org/cb")),
    ] {
        bodies.push(json!({"sso": { k: v }}));
    }
    bodies.push(json!({"sso": {"enabled": true, "client_id": "cid"}}));
    assert_eq!(bodies.len(), 20);
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let (url, token) = (app.url(&format!("{API}/instance-config/update")), token.clone());
            tokio::spawn(async move {
                reqwest::Client::new().post(url).bearer_auth(token).json(&body).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let v = get(&app, &token, "/instance-config").await;
    assert_eq!(
        (v["manual_review_enabled"].as_bool(), v["manual_review_schedule_enabled"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(
        (v["manual_review_schedule_start_hour_utc"].as_i64(), v["manual_review_schedule_end_hour_utc"].as_i64()),
        (Some(7), Some(19))
    );
    assert_eq!(v["system_alerts_webhook_url"], "https://hooks.example.org/s");
    assert_eq!(v["registration_alerts_webhook_url"], "https://hooks.example.org/r");
    let sso = &v["sso"];
    assert_eq!(
        (sso["enabled"].as_bool(), sso["auto_provision"].as_bool(), sso["client_secret_set"].as_bool()),
        (Some(true), Some(true), Some(true))
    );
    for (k, want) in [
        ("display_name", "Corp"),
        ("issuer", "https://id.example.org/"),
        ("authorization_url", "https://id.example.org/a"),
        ("token_url", "https://id.example.org/t"),
        ("userinfo_url", "https://id.example.org/u"),
        ("jwks_url", "https://id.example.org/j"),
        ("client_id", "cid"),
        ("scope", "openid"),
        ("redirect_uri", "https://s.example.org/cb"),
    ] {
        assert_eq!(sso[k], want, "{k}");
    }
    assert_eq!(sso["allowed_domains"], json!(["example.org"]));
    // One version per change that changed something: the last body repeats
    // two fields, so 18 to 20 changes, depending on the order they landed in.
    let versions = count(&app, "SELECT COUNT(*) FROM settings_versions WHERE key = 'instance_config'").await;
    let stored = count(&app, "SELECT version FROM settings WHERE key = 'instance_config'").await;
    assert_eq!(versions, stored);
    assert!((18..=20).contains(&versions), "{versions}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'settings.update'").await, versions);
}

const ENDPOINTS: [(&str, &str); 16] = [
    ("GET", "/instance-config"),
    ("POST", "/instance-config/update"),
    ("GET", "/instance"),
    ("PATCH", "/instance"),
    ("GET", "/instance/restrictions"),
    ("PATCH", "/instance/restrictions"),
    ("GET", "/instance/organization_settings"),
    ("PATCH", "/instance/organization_settings"),
    ("GET", "/allowlist_identifiers"),
    ("POST", "/allowlist_identifiers"),
    ("DELETE", "/allowlist_identifiers/1"),
    ("GET", "/blocklist_identifiers"),
    ("POST", "/blocklist_identifiers"),
    ("DELETE", "/blocklist_identifiers/1"),
    ("GET", "/instance-config"),
    ("POST", "/instance-config/update"),
];

async fn only_admins_may_read_or_change_settings(b: Backend) {
    let (app, _) = admin_app(b).await;
    let moderator = app.db.create_user("mod", Some(Role::Moderator)).await;
    let mod_token = app.db.token_for(&moderator).await;
    for (m, path) in ENDPOINTS {
        let m = Method::from_bytes(m.as_bytes()).unwrap();
        let body = json!({"hibp": true, "identifier": "x.org", "manual_review_enabled": true});
        let (s, _) = call(&app, &mod_token, m.clone(), path, Some(body.clone())).await;
        assert_eq!(s, 403, "moderator {m} {path}");
        let res = reqwest::Client::new()
            .request(m.clone(), app.url(&format!("{API}{path}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "anonymous {m} {path}");
    }
    // `Authorization: Admin <token>` works like Bearer.
    let admin = app.db.create_user("admin2", Some(Role::Admin)).await;
    let t = app.db.token_for(&admin).await;
    let res = reqwest::Client::new()
        .get(app.url(&format!("{API}/instance-config")))
        .header("Authorization", format!("Admin {t}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM settings_versions").await, 0);
    // The pages: moderators 403, anonymous to /login.
    let (mc, res) = app.login_elsewhere("mod", PASSWORD).await;
    assert_eq!(res.status(), 303);
    for page in ["/settings/registration", "/settings/instance"] {
        let res = mc.get(app.url(page)).send().await.unwrap();
        assert_eq!(res.status(), 403, "{page}");
        let res = common::client().get(app.url(page)).send().await.unwrap();
        assert!(
            res.status().is_redirection() && res.headers()["location"].to_str().unwrap().starts_with("/login"),
            "{page}"
        );
    }
}

async fn every_change_is_logged_with_before_and_after(b: Backend) {
    let (app, token) = admin_app(b).await;
    call(&app, &token, Method::PATCH, "/instance/restrictions", Some(json!({"blocklist": true}))).await;
    call(&app, &token, Method::PATCH, "/instance", Some(json!({"allowed_origins": ["https://a.example.org"]}))).await;
    call(&app, &token, Method::PATCH, "/instance/organization_settings", Some(json!({"enabled": true}))).await;
    call(&app, &token, Method::POST, "/instance-config/update", Some(json!({"manual_review_enabled": true}))).await;
    let log = get(&app, &token, "/moderation_log").await.to_string();
    for text in
        ["blocklist false → true", "allowed_origins", "enabled false → true", "manual_review_enabled false → true"]
    {
        assert!(log.contains(text), "{text} in {log}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'settings.update' AND data LIKE '%\"before\"%' AND data LIKE '%\"after\"%'").await, 4);
    // An edit that changes nothing writes nothing.
    call(&app, &token, Method::PATCH, "/instance/restrictions", Some(json!({"blocklist": true}))).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'settings.update'").await, 4);
}

async fn preflight(app: &TestApp, origin: &str) -> Option<String> {
    let res = reqwest::Client::new()
        .request(Method::OPTIONS, app.url(&format!("{API}/instance")))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "PATCH")
        .send()
        .await
        .unwrap();
    res.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_owned())
}

async fn cors_follows_allowed_origins(b: Backend) {
    let (app, token) = admin_app(b).await;
    let peer = common::spawn_peer(&app).await;
    let origin = "chrome-extension://abcdefgh";
    assert_eq!(preflight(&app, origin).await, None);
    call(&app, &token, Method::PATCH, "/instance", Some(json!({"allowed_origins": [origin]}))).await;
    // Within the cache's lifetime, in this process and in another one.
    let wait = steward::server::live::WATCH_EVERY + Duration::from_millis(300);
    tokio::time::sleep(wait).await;
    for a in [&app, &peer] {
        assert_eq!(preflight(a, origin).await.as_deref(), Some(origin));
        let res = reqwest::Client::new()
            .get(a.url(&format!("{API}/instance")))
            .bearer_auth(&token)
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap()), Some(origin));
        assert_eq!(preflight(a, "https://other.example.org").await, None, "an origin not listed");
    }
    call(&app, &token, Method::PATCH, "/instance", Some(json!({"allowed_origins": []}))).await;
    tokio::time::sleep(wait).await;
    for a in [&app, &peer] {
        assert_eq!(preflight(a, origin).await, None, "removed");
    }
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn stored(app: &TestApp, key: &str) -> Value {
    use steward::server::storage::ConnRef;
    let mut c = app.db.db.conn().await.unwrap();
    let sql = format!("SELECT value FROM settings WHERE key = '{key}'");
    let v: String = match c.as_ref() {
        ConnRef::Sqlite(x) => sqlx::query_scalar(&sql).fetch_one(&mut *x).await.unwrap(),
        ConnRef::Postgres(x) => sqlx::query_scalar(&sql).fetch_one(&mut *x).await.unwrap(),
    };
    serde_json::from_str(&v).unwrap()
}

async fn the_registration_page_edits_policy_window_restrictions_and_lists(b: Backend) {
    let clock = Clock::fixed(at(12));
    let handle = clock.clone();
    let app = spawn_app_with(b, move |c| c.clock = handle).await;
    app.db.create_user("admin", Some(Role::Admin)).await;
    assert_eq!(app.login("admin", PASSWORD).await.status(), 303);
    let (s, _, page) = app.page("/settings/registration").await;
    assert_eq!(s, 200);
    assert!(
        page.contains("href=\"/settings/registration\"") && page.contains("href=\"/settings/instance\""),
        "nav and tabs"
    );
    assert!(page.contains("Review window not active now · no change scheduled"));

    let res = app
        .post_form(
            "/settings/registration/policy",
            &[("mode", "open"), ("approval_required", "on"), ("expected_version", "0")],
        )
        .await;
    assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/settings/registration"));
    let p = stored(&app, "registration").await;
    assert_eq!(
        (p["mode"].as_str(), p["approval_required"].as_bool(), p["confirmation_required"].as_bool()),
        (Some("open"), Some(true), Some(false))
    );

    app.post_form(
        "/settings/registration/review",
        &[
            ("manual_review_enabled", "on"),
            ("manual_review_schedule_enabled", "on"),
            ("manual_review_schedule_start_hour_utc", "9"),
            ("manual_review_schedule_end_hour_utc", "17"),
            ("expected_version", "0"),
        ],
    )
    .await;
    let (_, _, page) = app.page("/settings/registration").await;
    assert!(page.contains("Review window active now · next change at 17:00 UTC"), "the live line");
    // A bad hour comes back with the value kept and the message by the field.
    app.post_form(
        "/settings/registration/review",
        &[
            ("manual_review_enabled", "on"),
            ("manual_review_schedule_start_hour_utc", "25"),
            ("manual_review_schedule_end_hour_utc", "x"),
            ("expected_version", "1"),
        ],
    )
    .await;
    let (s, _, page) = app.page("/settings/registration").await;
    assert_eq!(s, 422);
    assert!(page.contains("Enter a whole hour from 0 to 23.") && page.contains("value=\"x\""), "kept with its error");
    assert_eq!(stored(&app, "instance_config").await["manual_review_schedule_end_hour_utc"], 17, "nothing changed");
    // A stale page: 409 message above the form, the current values shown.
    app.post_form("/settings/registration/restrictions", &[("blocklist", "on"), ("expected_version", "0")]).await;
    app.post_form("/settings/registration/restrictions", &[("allowlist", "on"), ("expected_version", "0")]).await;
    let (s, _, page) = app.page("/settings/registration").await;
    assert_eq!(s, 409);
    assert!(page.contains("Someone changed these settings after you opened this page"));
    let r = stored(&app, "restrictions").await;
    assert_eq!((r["blocklist"].as_bool(), r["allowlist"].as_bool()), (Some(true), Some(false)));

    app.post_form("/settings/registration/identifiers", &[("list", "blocklist"), ("identifier", " Spam.Example ")])
        .await;
    let (_, _, page) = app.page("/settings/registration").await;
    assert!(page.contains("spam.example"));
    app.post_form("/settings/registration/identifiers", &[("list", "allowlist"), ("identifier", "\"><script>x")]).await;
    let (s, _, page) = app.page("/settings/registration").await;
    assert_eq!(s, 422);
    assert!(!page.contains("\"><script>x") && page.contains("&quot;&gt;&lt;script&gt;x"), "kept, escaped");
    let id = count(&app, "SELECT id FROM restriction_identifiers").await;
    app.post_form(&format!("/settings/registration/identifiers/{id}/delete"), &[("list", "blocklist")]).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM restriction_identifiers").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action LIKE 'restriction.%'").await, 2);
}

async fn the_instance_page_keeps_the_secret_and_escapes_stored_values(b: Backend) {
    let (app, token) = admin_app(b).await;
    let hostile = "\"><script>alert(1)</script>";
    let form = |secret: &'static str, clear: bool| {
        let mut f = vec![
            ("sso.enabled", "on"),
            ("sso.display_name", hostile),
            ("sso.issuer", "https://id.example.org/"),
            ("sso.client_secret", secret),
            ("registration_alerts_webhook_url", "https://hooks.example.org/r"),
        ];
        if clear {
            f.push(("sso.clear_secret", "on"));
        }
        f
    };
    let res = app.post_form("/settings/instance/config", &form("topsecret-1", false)).await;
    assert_eq!(location(&res), "/settings/instance");
    let (s, _, page) = app.page("/settings/instance").await;
    assert_eq!(s, 200);
    assert!(!page.contains(hostile) && page.contains("&lt;script&gt;"), "stored hostile text renders escaped");
    assert!(page.contains("Client secret: set") && !page.contains("topsecret-1"));
    app.post_form("/settings/instance/config", &form("", false)).await;
    assert_eq!(get(&app, &token, "/instance-config").await["sso"]["client_secret_set"], true, "empty keeps it");
    app.post_form("/settings/instance/config", &form("", true)).await;
    assert_eq!(
        get(&app, &token, "/instance-config").await["sso"]["client_secret_set"],
        false,
        "the checkbox clears it"
    );
    let (_, _, page) = app.page("/settings/instance").await;
    assert!(page.contains("Client secret: not set"));

    app.post_form(
        "/settings/instance/instance",
        &[
            ("hibp", "on"),
            ("support_email", hostile),
            ("allowed_origins", "https://a.example.org\r\ncapacitor://localhost\r\n"),
        ],
    )
    .await;
    let (s, _, page) = app.page("/settings/instance").await;
    assert_eq!(s, 422);
    assert!(page.contains("Enter a valid email address") && !page.contains(hostile), "refused, kept escaped");
    assert_eq!(get(&app, &token, "/instance").await["hibp"], false, "nothing changed");
    app.post_form(
        "/settings/instance/instance",
        &[
            ("hibp", "on"),
            ("support_email", "help@example.org"),
            ("allowed_origins", "https://a.example.org\r\ncapacitor://localhost\r\n"),
        ],
    )
    .await;
    let v = get(&app, &token, "/instance").await;
    assert_eq!(v["allowed_origins"], json!(["https://a.example.org", "capacitor://localhost"]));
    assert_eq!(v["hibp"], true);

    app.post_form(
        "/settings/instance/organization",
        &[
            ("enabled", "on"),
            ("max_allowed_memberships", "3"),
            ("domains_enrollment_modes", "manual_invitation"),
            ("domains_enrollment_modes", "automatic_invitation"),
            ("creator_role_id", "org:admin"),
            ("domains_default_role_id", "org:member"),
        ],
    )
    .await;
    let v = get(&app, &token, "/instance/organization_settings").await;
    assert_eq!(v["domains_enrollment_modes"], json!(["manual_invitation", "automatic_invitation"]));
    assert_eq!(v["max_allowed_memberships"], 3);
    app.post_form(
        "/settings/instance/organization",
        &[
            ("max_allowed_memberships", "-2"),
            ("creator_role_id", "org:admin"),
            ("domains_default_role_id", "org:member"),
        ],
    )
    .await;
    let (s, _, page) = app.page("/settings/instance").await;
    assert_eq!(s, 422);
    assert!(page.contains("max_allowed_memberships must be from 0"));
}

both_backends!(
    the_registration_page_edits_policy_window_restrictions_and_lists,
    the_instance_page_keeps_the_secret_and_escapes_stored_values,
    fluxer_config_has_the_seeds_shape,
    bad_hours_and_urls_are_refused_by_name,
    the_sso_secret_is_write_only,
    review_is_active_now_by_the_window_and_the_clock,
    clerk_instance_leaves_nulls_and_refuses_unknown_keys,
    restrictions_and_organization_settings_have_clerks_shapes,
    identifiers_are_added_listed_and_removed,
    a_stale_edit_is_refused_with_the_current_version,
    a_crowd_of_edits_keeps_every_change,
    only_admins_may_read_or_change_settings,
    every_change_is_logged_with_before_and_after,
    cors_follows_allowed_origins,
);
