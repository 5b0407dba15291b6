//! What Pleroma's admin-fe and Mastodon clients need before they can work:
//! nodeinfo, the instance, the token holder's account with its role, and
//! CORS for a configured origin, on both backends. Requests are sent the way
//! admin-fe sends them and the fields it reads are asserted.

mod common;

use common::{Backend, spawn_app};
use reqwest::Method;
use serde_json::Value;
use steward::domain::Role;

const ADMIN_FE: &str = "https://admin.example.org";

async fn json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn nodeinfo_tells_admin_fe_what_it_reads(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("admin", Some(Role::Admin)).await;
    app.db.create_user("bob", None).await;
    let (status, links) = json(app.get("/.well-known/nodeinfo").await).await;
    assert_eq!(status, 200);
    let href = links["links"][0]["href"].as_str().unwrap();
    assert!(href.ends_with("/nodeinfo/2.0.json"), "{links}");
    for version in ["2.0", "2.1"] {
        let (status, info) = json(app.get(&format!("/nodeinfo/{version}.json")).await).await;
        assert_eq!(status, 200, "{info}");
        assert_eq!(info["version"], version);
        assert_eq!(info["metadata"]["invitesEnabled"], false, "admin-fe's users page reads it");
        assert!(info["metadata"]["features"].as_array().unwrap().iter().any(|f| f == "pleroma_api"));
        assert_eq!(info["usage"]["users"]["total"], 2);
        assert_eq!(info["openRegistrations"], false);
    }
    let (status, body) = json(app.get("/nodeinfo/3.0.json").await).await;
    assert_eq!((status, body["errors"][0]["code"].as_str()), (404, Some("not_found")));
    let (status, instance) = json(app.get("/api/v1/instance").await).await;
    assert_eq!((status, instance["registrations"].as_bool()), (200, Some(false)));
}

async fn verify_credentials_says_who_holds_the_token_and_their_role(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    for (staff, is_admin) in [(&admin, true), (&m, false)] {
        let token = app.db.token_for(staff).await;
        let res = app.api(Method::GET, "/api/v1/accounts/verify_credentials", &token).await.send().await.unwrap();
        let (status, account) = json(res).await;
        assert_eq!(status, 200, "{account}");
        assert_eq!(account["acct"], staff.nickname.as_str());
        assert_eq!(account["pleroma"]["is_admin"], is_admin);
        assert_eq!(account["pleroma"]["is_moderator"], !is_admin);
        let privileges = account["pleroma"]["privileges"].as_array().unwrap();
        assert_eq!(privileges.iter().any(|p| p == "users_delete"), is_admin, "{privileges:?}");
        assert!(privileges.iter().any(|p| p == "reports_manage_reports"));
    }
    let res = reqwest::get(app.url("/api/v1/accounts/verify_credentials")).await.unwrap();
    assert_eq!(res.status(), 401, "no token, no account");
}

async fn a_configured_origin_may_call_the_api_from_a_browser(b: Backend) {
    let app = spawn_app(b).await;
    let http = reqwest::Client::new();
    let preflight = |origin: &'static str, path: &'static str| {
        http.request(Method::OPTIONS, app.url(path))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "PATCH")
            .header("Access-Control-Request-Headers", "authorization, content-type")
            .send()
    };
    // Answered before authentication: no token on a preflight.
    let res = preflight(ADMIN_FE, "/api/pleroma/admin/users/activate").await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], ADMIN_FE);
    assert!(h["access-control-allow-methods"].to_str().unwrap().contains("PATCH"));
    assert!(h["access-control-allow-headers"].to_str().unwrap().to_lowercase().contains("authorization"));
    assert!(!h.contains_key("access-control-allow-credentials"), "never with cookies");
    for path in ["/nodeinfo/2.0.json", "/api/v1/accounts/verify_credentials"] {
        let res = preflight(ADMIN_FE, path).await.unwrap();
        assert_eq!(res.headers()["access-control-allow-origin"], ADMIN_FE, "{path}");
    }
    // Other origins, and the console, get nothing.
    let res = preflight("https://evil.example", "/api/v1/admin/users").await.unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));
    let res = http.get(app.url("/login")).header("Origin", ADMIN_FE).send().await.unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));
    // A real call from the origin carries the header on refusals too, so the page can read them.
    let res = http.get(app.url("/api/v1/admin/users")).header("Origin", ADMIN_FE).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["access-control-allow-origin"], ADMIN_FE);
}

both_backends!(
    nodeinfo_tells_admin_fe_what_it_reads,
    verify_credentials_says_who_holds_the_token_and_their_role,
    a_configured_origin_may_call_the_api_from_a_browser,
);
