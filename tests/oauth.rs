//! OAuth as Pleroma's admin-fe and Mastodon apps use it, on both backends:
//! admin-fe's own sign-in (register an app, then the password grant, both as
//! JSON), the authorization-code grant with PKCE through the consent page,
//! refresh and revocation, scopes that narrow what a token may do, and the
//! refusals in OAuth's error format.

mod common;

use base64::Engine;
use common::{Backend, PASSWORD, TestApp, admin_app};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use steward::domain::Role;

const CALLBACK: &str = "https://admin.example.org/oauth-callback";

async fn post_json(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let res = reqwest::Client::new().post(app.url(path)).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Registers a client the way admin-fe does (a new one per sign-in).
async fn register(app: &TestApp, scopes: &str) -> (String, String) {
    let body = json!({ "client_name": "AdminFE_0.42", "redirect_uris": CALLBACK, "scopes": scopes });
    let (status, res) = post_json(app, "/api/v1/apps", body).await;
    assert_eq!(status, 200, "{res}");
    assert!(res["client_secret"].as_str().unwrap().len() > 20);
    (res["client_id"].as_str().unwrap().to_owned(), res["client_secret"].as_str().unwrap().to_owned())
}

async fn password_grant(app: &TestApp, client: &(String, String), user: &str, password: &str) -> (u16, Value) {
    let body = json!({ "client_id": client.0, "client_secret": client.1, "grant_type": "password", "username": user, "password": password });
    post_json(app, "/oauth/token", body).await
}

async fn api(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> u16 {
    let req = app.api(method, path, token).await;
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    req.send().await.unwrap().status().as_u16()
}

async fn admin_fe_signs_in_with_a_password_and_works(b: Backend) {
    let (app, _) = admin_app(b).await;
    app.db.create_user("bob", None).await;
    let client = register(&app, "read write follow push admin").await;
    let (status, tok) = password_grant(&app, &client, "admin", PASSWORD).await;
    assert_eq!(status, 200, "{tok}");
    assert_eq!(tok["token_type"], "Bearer");
    assert!(tok["scope"].as_str().unwrap().contains("admin"));
    let token = tok["access_token"].as_str().unwrap();
    assert_eq!(api(&app, token, Method::GET, "/api/v1/accounts/verify_credentials", None).await, 200);
    assert_eq!(api(&app, token, Method::GET, "/api/pleroma/admin/users?page_size=5", None).await, 200);
    let body = json!({ "nicknames": ["bob"] });
    assert_eq!(api(&app, token, Method::PATCH, "/api/pleroma/admin/users/deactivate", Some(body)).await, 200);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM moderation_log WHERE action = 'oauth.token'").await, 1);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM api_tokens WHERE app_id IS NOT NULL").await, 1, "listed as a token");

    // Refusals, in OAuth's format.
    let (status, e) = password_grant(&app, &client, "admin", "wrong password").await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    let (status, e) = password_grant(&app, &client, "bob", PASSWORD).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")), "plain users get no token");
    let (status, e) = password_grant(&app, &(client.0.clone(), "stw_wrong".into()), "admin", PASSWORD).await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    let body = json!({ "client_id": client.0, "client_secret": client.1, "grant_type": "implicit" });
    let (status, e) = post_json(&app, "/oauth/token", body).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("unsupported_grant_type")));
    assert!(e["error_description"].is_string());
}

async fn tokens_do_only_what_their_role_and_scopes_allow(b: Backend) {
    let (app, _) = admin_app(b).await;
    app.db.create_user("mod", Some(Role::Moderator)).await;
    app.db.create_user("bob", None).await;
    let client = register(&app, "read write follow push admin").await;
    let (_, tok) = password_grant(&app, &client, "mod", PASSWORD).await;
    let moderator = tok["access_token"].as_str().unwrap();
    assert_eq!(api(&app, moderator, Method::GET, "/api/pleroma/admin/reports", None).await, 200);
    assert_eq!(api(&app, moderator, Method::GET, "/api/pleroma/admin/moderation_log", None).await, 403);
    let body = json!({ "nicknames": ["bob"] });
    assert_eq!(api(&app, moderator, Method::DELETE, "/api/pleroma/admin/users", Some(body)).await, 403);

    let reader = register(&app, "read admin:read").await;
    let (status, tok) = password_grant(&app, &reader, "admin", PASSWORD).await;
    assert_eq!(status, 200, "{tok}");
    let token = tok["access_token"].as_str().unwrap();
    assert_eq!(api(&app, token, Method::GET, "/api/pleroma/admin/users", None).await, 200);
    let body = json!({ "nicknames": ["bob"] });
    assert_eq!(api(&app, token, Method::PATCH, "/api/pleroma/admin/users/deactivate", Some(body)).await, 403);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users WHERE NOT is_active").await, 0);
    // A client cannot be granted more than it registered.
    let body = json!({ "client_id": reader.0, "client_secret": reader.1, "grant_type": "password", "username": "admin", "password": PASSWORD, "scope": "admin" });
    let (status, e) = post_json(&app, "/oauth/token", body).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_scope")));
}

/// The consent form's answer, as the page posts it.
async fn consent(app: &TestApp, client_id: &str, challenge: &str, decision: &str) -> reqwest::Response {
    let form = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", CALLBACK),
        ("scope", "admin"),
        ("state", "xyz"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("decision", decision),
    ];
    app.post_form("/oauth/authorize", &form).await
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn query_value(url: &str, key: &str) -> Option<String> {
    url::Url::parse(url).unwrap().query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

async fn the_code_grant_with_pkce_goes_through_the_consent_page(b: Backend) {
    let (app, _) = admin_app(b).await;
    let client = register(&app, "read admin").await;
    let verifier = "dBjftJeZ4CVP-mJ92K9IeaWUfc9ALKNfUQEvFUrsNcg-a-longer-verifier";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&scope=admin&state=xyz&code_challenge={challenge}&code_challenge_method=S256",
        client.0,
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    // Signed out, the page first asks to sign in and comes back.
    let res = common::client().get(app.url(&format!("/oauth/authorize?{query}"))).send().await.unwrap();
    assert!(location(&res).starts_with("/login?next=%2Foauth%2Fauthorize"), "{}", location(&res));
    let (status, _, html) = app.page(&format!("/oauth/authorize?{query}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Allow “AdminFE_0.42”?") && html.contains("@admin"), "{html}");

    let denied = location(&consent(&app, &client.0, &challenge, "deny").await);
    assert!(denied.starts_with(CALLBACK) && query_value(&denied, "error").as_deref() == Some("access_denied"));
    let allowed = location(&consent(&app, &client.0, &challenge, "allow").await);
    assert!(allowed.starts_with(CALLBACK), "{allowed}");
    assert_eq!(query_value(&allowed, "state").as_deref(), Some("xyz"));
    let code = query_value(&allowed, "code").unwrap();

    let exchange = |code: String, verifier: &'static str| {
        let body = json!({ "grant_type": "authorization_code", "client_id": client.0, "code": code, "redirect_uri": CALLBACK, "code_verifier": verifier });
        post_json(&app, "/oauth/token", body)
    };
    let (status, e) = exchange(code.clone(), "not-the-verifier-that-made-this-challenge-at-all").await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")), "a wrong verifier uses the code up");
    let code = query_value(&location(&consent(&app, &client.0, &challenge, "allow").await), "code").unwrap();
    let (status, tok) = exchange(code.clone(), verifier).await;
    assert_eq!(status, 200, "{tok}");
    assert_eq!(tok["scope"], "admin");
    let (status, _) = exchange(code, verifier).await;
    assert_eq!(status, 400, "a code works once");

    // Refresh rotates the pair; revoke ends it.
    let token = tok["access_token"].as_str().unwrap().to_owned();
    let body = json!({ "grant_type": "refresh_token", "client_id": client.0, "client_secret": client.1, "refresh_token": tok["refresh_token"] });
    let (status, fresh) = post_json(&app, "/oauth/token", body.clone()).await;
    assert_eq!(status, 200, "{fresh}");
    assert_eq!(api(&app, &token, Method::GET, "/api/v1/admin/users", None).await, 401, "the old token ended");
    assert_eq!(post_json(&app, "/oauth/token", body).await.0, 400, "the old refresh token too");
    let fresh_token = fresh["access_token"].as_str().unwrap();
    assert_eq!(api(&app, fresh_token, Method::GET, "/api/v1/admin/users", None).await, 200);
    let body = json!({ "client_id": client.0, "client_secret": client.1, "token": fresh_token });
    assert_eq!(post_json(&app, "/oauth/revoke", body).await, (200, json!({})));
    assert_eq!(api(&app, fresh_token, Method::GET, "/api/v1/admin/users", None).await, 401);

    // A redirect URI the app did not register is refused on the page, never followed.
    let bad = query.replace("admin.example.org", "evil.example");
    let (status, _, html) = app.page(&format!("/oauth/authorize?{bad}")).await;
    assert_eq!(status, 400);
    assert!(html.contains("redirect_uri is not one this app registered"));
}

/// Racing clients: a refresh token is spent once however many send it at
/// once, and registrations from one IP stop at the throttle's limit exactly.
async fn racing_clients_get_one_answer_each_and_no_errors(b: Backend) {
    let (app, _) = admin_app(b).await;
    let client = register(&app, "read admin").await;
    let (_, tok) = password_grant(&app, &client, "admin", PASSWORD).await;
    let body = json!({ "grant_type": "refresh_token", "client_id": client.0, "client_secret": client.1, "refresh_token": tok["refresh_token"] });
    let app = std::sync::Arc::new(app);
    let mut race = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let (app, body) = (app.clone(), body.clone());
        race.spawn(async move { post_json(&app, "/oauth/token", body).await.0 });
    }
    let mut statuses = Vec::new();
    while let Some(s) = race.join_next().await {
        statuses.push(s.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| matches!(s, 200 | 400)), "{statuses:?}");
    assert_eq!(
        app.db.count("SELECT COUNT(*) FROM api_tokens WHERE app_id IS NOT NULL AND revoked_at IS NULL").await,
        1
    );

    // The test config allows 6 per IP per window; one was used above.
    let mut race = tokio::task::JoinSet::new();
    for i in 0..12 {
        let app = app.clone();
        race.spawn(async move {
            let body = json!({ "client_name": format!("racer {i}"), "redirect_uris": CALLBACK });
            post_json(&app, "/api/v1/apps", body).await.0
        });
    }
    let mut statuses = Vec::new();
    while let Some(s) = race.join_next().await {
        statuses.push(s.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
    assert!(statuses.iter().all(|s| matches!(s, 200 | 429)), "{statuses:?}");
}

/// Hostile names and redirect URIs: refused at registration, or shown as text.
async fn hostile_client_values_are_refused_or_inert(b: Backend) {
    let (app, _) = admin_app(b).await;
    for bad in ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "/relative", "https://x.example/#a"]
    {
        let body = json!({ "client_name": "x", "redirect_uris": bad });
        let (status, e) = post_json(&app, "/api/v1/apps", body).await;
        assert_eq!((status, e["errors"][0]["meta"]["param"].as_str()), (422, Some("redirect_uris")), "{bad}: {e}");
    }
    let body = json!({ "client_name": "x\u{0}y", "redirect_uris": CALLBACK });
    assert_eq!(post_json(&app, "/api/v1/apps", body).await.0, 422, "NUL is refused");
    let name = "</p><script>alert(1)</script>";
    let body = json!({ "client_name": name, "redirect_uris": CALLBACK, "website": "\"><img src=x onerror=alert(1)>" });
    let (status, res) = post_json(&app, "/api/v1/apps", body).await;
    assert_eq!(status, 200, "{res}");
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&state=%22%3E%3Cscript%3E",
        res["client_id"].as_str().unwrap(),
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let (status, _, html) = app.page(&format!("/oauth/authorize?{query}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(1)</script>") && !html.contains("<img src=x"), "{html}");
    assert!(html.contains("&lt;/p&gt;&lt;script&gt;"), "the name is shown as text");
}

both_backends!(
    racing_clients_get_one_answer_each_and_no_errors,
    hostile_client_values_are_refused_or_inert,
    admin_fe_signs_in_with_a_password_and_works,
    tokens_do_only_what_their_role_and_scopes_allow,
    the_code_grant_with_pkce_goes_through_the_consent_page,
);
