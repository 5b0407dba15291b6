//! Who may call what, generated rather than listed: every operation of the
//! OpenAPI document, every console page of the router and every server
//! function Leptos registered is called as {anonymous, intake token,
//! moderator, admin}. The test fails on any leak (a role gets through where it
//! must not) and on any wrong denial (a role is refused what it may do). The
//! only hand-written part is what moderators may do; anything not on that
//! list is taken to be admin-only, so a new route starts closed.

mod common;

use common::{Backend, PASSWORD, TestApp, client, spawn_app};
use reqwest::Method;
use serde_json::Value;
use steward::auth::tokens as codec;
use steward::domain::Role;
use steward::server::storage::tokens::Scope;

/// Admin API operations open to moderators (method, documented path).
const MODERATOR_API: &[(&str, &str)] = &[
    ("get", "/reports"),
    ("patch", "/reports"),
    ("get", "/grouped_reports"),
    ("get", "/reports/{id}"),
    ("post", "/reports/{id}/notes"),
    ("delete", "/reports/{report_id}/notes/{id}"),
    ("get", "/statuses"),
    ("get", "/statuses/{id}"),
    ("put", "/statuses/{id}"),
    ("delete", "/statuses/{id}"),
    ("get", "/users/{nickname}/statuses"),
    ("get", "/instances/{host}/statuses"),
    ("get", "/stats"),
    ("get", "/need_reboot"),
    ("get", "/users"),
    ("get", "/users/{nickname_or_id}"),
    ("get", "/users/{nickname_or_id}/chats"),
    ("patch", "/users/activate"),
    ("patch", "/users/deactivate"),
    ("patch", "/users/{nickname}/toggle_activation"),
    ("get", "/users/{nickname}/permission_group"),
    ("get", "/tokens"),
    ("post", "/tokens"),
    ("delete", "/tokens/{id}"),
];

/// Console pages only admins may open.
const ADMIN_PAGES: &[&str] = &[
    "/moderation-log",
    "/users/new",
    "/registrations",
    "/invites",
    "/organizations",
    "/organizations/{id}",
    "/apps",
    "/oauth-apps",
    "/apps/{id}",
    "/outbox",
    "/outbox/{id}",
    "/webhooks",
    "/webhooks/deliveries/{id}",
    "/settings/registration",
    "/settings/instance",
    "/config",
    "/config/history",
];

/// Server functions that answer anyone (the sign-in, setup and reset pages use
/// them; `sign_in_options` is what the sign-in page offers).
const PUBLIC_SERVER_FNS: &[&str] =
    &["load_page_session", "setup_allowed", "reset_link_valid", "register_info", "sign_in_options"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    Anonymous,
    Intake,
    Moderator,
    Admin,
}

struct World {
    app: TestApp,
    intake: String,
    moderator: String,
    admin: String,
    moderator_browser: reqwest::Client,
    admin_browser: reqwest::Client,
    user_id: i64,
}

async fn world(b: Backend) -> World {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    let user_id = app.db.create_user("bob", None).await.id;
    let intake = codec::issue(&app.db.db, &admin, "intake", Scope::Intake).await.unwrap().1;
    let (moderator, admin_token) = (app.db.token_for(&m).await, app.db.token_for(&admin).await);
    let (moderator_browser, _) = app.login_elsewhere("mod", PASSWORD).await;
    let (admin_browser, _) = app.login_elsewhere("admin", PASSWORD).await;
    World { app, intake, moderator, admin: admin_token, moderator_browser, admin_browser, user_id }
}

impl World {
    fn token(&self, who: Caller) -> Option<&str> {
        match who {
            Caller::Anonymous => None,
            Caller::Intake => Some(&self.intake),
            Caller::Moderator => Some(&self.moderator),
            Caller::Admin => Some(&self.admin),
        }
    }

    async fn call(&self, who: Caller, method: &str, path: &str) -> (u16, Value) {
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut req = reqwest::Client::new().request(method.clone(), self.app.url(path));
        if let Some(t) = self.token(who) {
            req = req.bearer_auth(t);
        }
        if method != Method::GET {
            req = req.json(&serde_json::json!({}));
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

/// A documented path with its parameters filled by values that name nothing
/// (so an admin's call cannot delete anything of the test's own).
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) if name.contains("nickname") => "nobody",
            Some("host") => "example.org",
            Some("group") => "moderator",
            Some(_) => "999999",
            None => segment,
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn every_api_operation_admits_exactly_its_roles(b: Backend) {
    let w = world(b).await;
    let doc: Value = reqwest::get(w.app.url("/api/v1/openapi.json")).await.unwrap().json().await.unwrap();
    let mut walked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys().filter(|m| m.as_str() != "parameters") {
            walked += 1;
            let url = concrete(path);
            let intake_route = path.starts_with("/api/v1/intake");
            let relative = path.strip_prefix("/api/v1/admin").unwrap_or(path);
            let for_moderators = MODERATOR_API.contains(&(method.as_str(), relative));
            for who in [Caller::Anonymous, Caller::Intake, Caller::Moderator, Caller::Admin] {
                let (status, body) = w.call(who, method, &url).await;
                let want_denied = match who {
                    Caller::Anonymous => Some(401),
                    Caller::Intake if intake_route => None,
                    Caller::Intake => Some(403),
                    Caller::Moderator | Caller::Admin if intake_route => Some(403),
                    Caller::Moderator if !for_moderators => Some(403),
                    Caller::Moderator | Caller::Admin => None,
                };
                match want_denied {
                    Some(code) => assert_eq!(status, code, "{who:?} {method} {url} must be refused: {body}"),
                    None => assert!(
                        !matches!(status, 401 | 403) && status < 500,
                        "{who:?} {method} {url} is wrongly refused or fails: {status} {body}"
                    ),
                }
            }
        }
    }
    assert!(walked >= 40, "the document lists the API ({walked} operations)");
}

async fn every_console_page_admits_exactly_its_roles(b: Backend) {
    let w = world(b).await;
    let report = common::content::report(&w.app, None, w.user_id, &[], "spam").await;
    let mail = w
        .app
        .db
        .db
        .exec(
            "INSERT INTO outbox (kind, to_address, subject, body, status, next_attempt_at, created_at) \
        VALUES ('invite', 'a@example.org', 's', 'b', 'held', 0, 0)",
        )
        .await
        .unwrap();
    assert_eq!(mail, 1);
    let mail_id = w.app.db.count("SELECT MAX(id) FROM outbox").await;
    for sql in [
        "INSERT INTO webhook_endpoints (kind, url, secret, created_at, updated_at) \
         VALUES ('system_alerts', 'http://127.0.0.1:9/hook', 's', 0, 0)",
        "INSERT INTO webhook_deliveries (endpoint_id, url, event, payload, status, next_attempt_at, created_at) \
         SELECT MAX(id), 'http://127.0.0.1:9/hook', 'settings.updated', '{}', 'failed', 0, 0 FROM webhook_endpoints",
    ] {
        w.app.db.db.exec(sql).await.unwrap();
    }
    let delivery_id = w.app.db.count("SELECT MAX(id) FROM webhook_deliveries").await;
    w.app
        .db
        .db
        .exec("INSERT INTO organizations (name, slug, created_at, updated_at) VALUES ('Acme', 'acme', 0, 0)")
        .await
        .unwrap();
    let org_id = w.app.db.count("SELECT MAX(id) FROM organizations").await;
    w.app.db.db.exec("INSERT INTO apps (name, created_at, updated_at) VALUES ('App', 0, 0)").await.unwrap();
    let app_id = w.app.db.count("SELECT MAX(id) FROM apps").await;
    let paths: Vec<String> = leptos_axum::generate_route_list(steward::app::App)
        .iter()
        .map(|r| r.path().to_owned())
        .filter(|p| !p.contains('*'))
        .collect();
    assert!(paths.len() >= 10, "{paths:?}");
    for path in paths {
        let url = if path.starts_with("/reports/") {
            path.replace("{id}", &report.to_string())
        } else if path.starts_with("/outbox/") {
            path.replace("{id}", &mail_id.to_string())
        } else if path.starts_with("/webhooks/") {
            path.replace("{id}", &delivery_id.to_string())
        } else if path.starts_with("/organizations/") {
            path.replace("{id}", &org_id.to_string())
        } else if path.starts_with("/apps/") {
            path.replace("{id}", &app_id.to_string())
        } else {
            path.replace("{id}", &w.user_id.to_string())
        };
        let public =
            ["/login", "/setup", "/password-reset", "/password-reset/{token}", "/forgot-password", "/register"]
                .contains(&url.as_str())
                || url.starts_with("/invite/")
                || url.starts_with("/confirm/");
        let anonymous = client().get(w.app.url(&url)).send().await.unwrap();
        if public {
            assert!(anonymous.status().as_u16() < 500, "{url}");
            continue;
        }
        assert_eq!(anonymous.status(), 303, "anonymous {url} goes to sign in");
        assert!(anonymous.headers()["location"].to_str().unwrap().starts_with("/login?next="));
        let as_mod = w.moderator_browser.get(w.app.url(&url)).send().await.unwrap().status().as_u16();
        let as_admin = w.admin_browser.get(w.app.url(&url)).send().await.unwrap().status().as_u16();
        assert_eq!(as_admin, 200, "admin {url}");
        let want = if ADMIN_PAGES.contains(&path.as_str()) { 403 } else { 200 };
        assert_eq!(as_mod, want, "moderator {url}");
    }
}

async fn every_server_function_refuses_anonymous_callers(b: Backend) {
    let w = world(b).await;
    let fns: Vec<(&str, String)> =
        leptos::server_fn::axum::server_fn_paths().map(|(p, m)| (p, m.to_string())).collect();
    assert!(fns.len() >= 10, "{fns:?}");
    for (path, method) in fns {
        let name = path.trim_start_matches("/api/");
        let public = PUBLIC_SERVER_FNS.iter().any(|f| name.starts_with(f));
        let req = client().request(Method::from_bytes(method.as_bytes()).unwrap(), w.app.url(path));
        let res = req.header("Origin", &w.app.base).send().await.unwrap();
        let status = res.status().as_u16();
        assert!(status < 500, "{path} answers {status} to an anonymous caller");
        if !public {
            assert!(matches!(status, 400 | 401), "{path} must refuse an anonymous caller, got {status}");
        }
    }
}

both_backends!(
    every_api_operation_admits_exactly_its_roles,
    every_console_page_admits_exactly_its_roles,
    every_server_function_refuses_anonymous_callers,
);
