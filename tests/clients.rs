//! What Pleroma's admin-fe and Mastodon clients need before they can work:
//! nodeinfo, the instance, the token holder's account with its role, and
//! CORS for a configured origin, on both backends. Requests are sent the way
//! admin-fe sends them and the fields it reads are asserted.

mod common;

use common::content::{report, status};
use common::{Backend, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use steward::domain::Staff;
use steward::domain::{Role, Visibility};
use steward::server::storage::now;
use steward::server::storage::reports::{self, NewReport};

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

async fn peers_and_need_reboot_answer_what_every_admin_fe_page_asks(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    for (name, host) in [("carol", "Remote.Example"), ("dave", "remote.example"), ("erin", "other.example")] {
        let user = app.db.create_user(name, None).await;
        make_remote(&app, &user, host).await;
    }
    let (status, peers) = json(app.get("/api/v1/instance/peers").await).await;
    assert_eq!(status, 200);
    assert_eq!(peers, json!(["other.example", "remote.example"]), "each host once, any case");
    for staff in [&admin, &m] {
        let token = app.db.token_for(staff).await;
        let (status, body) = call(&app, &token, Method::GET, "/need_reboot", None).await;
        assert_eq!((status, body), (200, json!({"need_reboot": false, "pending": []})));
    }
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
    let app = common::spawn_app_with(b, |c| c.env.set("cors.allowed_origins", vec![ADMIN_FE])).await;
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

/// admin-fe's prefix for every admin call.
const ADMIN: &str = "/api/v1/pleroma/admin";

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = app.api(method, &format!("{ADMIN}{path}"), token).await;
    if let Some(b) = body {
        req = req.json(&b);
    }
    json(req.send().await.unwrap()).await
}

/// Makes an account remote (`name@host`), as federation would have stored it.
async fn make_remote(app: &TestApp, user: &Staff, host: &str) -> String {
    let nickname = format!("{}@{host}", user.nickname);
    let sql = format!("UPDATE users SET nickname = '{nickname}', local = false WHERE id = {}", user.id);
    app.db.db.exec(&sql).await.unwrap();
    nickname
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect()
}

async fn user_statuses_and_pages_read_as_admin_fe_reads_them(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    let bob = app.db.create_user("bob", None).await;
    for i in 0..5 {
        status(&app, bob.id, &format!("public {i}"), Visibility::Public).await;
    }
    status(&app, bob.id, "a secret", Visibility::Direct).await;
    // The user page: `{total, activities}`, as Pleroma answers and admin-fe reads it.
    let (code, page) =
        call(&app, &token, Method::GET, &format!("/users/{}/statuses?godmode=false", bob.id), None).await;
    assert_eq!(code, 200, "{page}");
    assert_eq!(page["total"], 5);
    assert_eq!(page["activities"].as_array().unwrap().len(), 5);
    assert_eq!(page["activities"][0]["account"]["nickname"], "bob");
    // The user page also lists chats: Steward keeps none.
    let (code, chats) = call(&app, &token, Method::GET, &format!("/users/{}/chats", bob.id), None).await;
    assert_eq!((code, chats), (200, json!([])));
    assert_eq!(call(&app, &token, Method::GET, "/users/nobody/chats", None).await.0, 404);
    let (_, page) = call(&app, &token, Method::GET, "/users/bob/statuses?godmode=true", None).await;
    assert_eq!(page["total"], 6, "godmode counts the direct status too");
    // `page` pages: page 2 continues page 1, page 4 is past the end.
    let list = |page: u32| format!("/statuses?godmode=false&local_only=false&page={page}&page_size=2");
    let (_, p1) = call(&app, &token, Method::GET, &list(1), None).await;
    let (_, p2) = call(&app, &token, Method::GET, &list(2), None).await;
    let (_, p4) = call(&app, &token, Method::GET, &list(4), None).await;
    let (p1, p2) = (ids(&p1), ids(&p2));
    assert_eq!((p1.len(), p2.len()), (2, 2));
    assert!(p1.iter().all(|id| !p2.contains(id)), "page 2 repeats page 1: {p1:?} {p2:?}");
    assert!(p1[1].parse::<i64>().unwrap() > p2[0].parse::<i64>().unwrap(), "newest first across pages");
    assert_eq!(p4.as_array().unwrap().len(), 0);
    let (code, err) = call(&app, &token, Method::GET, "/statuses?page=0", None).await;
    assert_eq!((code, err["errors"][0]["meta"]["param"].as_str()), (422, Some("page")));
    // One instance's statuses page the same way, and stay an array (admin-fe reads `data.length`).
    let carol = app.db.create_user("carol", None).await;
    make_remote(&app, &carol, "remote.example").await;
    for i in 0..3 {
        status(&app, carol.id, &format!("remote {i}"), Visibility::Public).await;
    }
    let by_instance = |page: u32| format!("/instances/remote.example/statuses?page={page}&page_size=2");
    let (code, r1) = call(&app, &token, Method::GET, &by_instance(1), None).await;
    let (_, r2) = call(&app, &token, Method::GET, &by_instance(2), None).await;
    assert_eq!(code, 200, "{r1}");
    assert_eq!((ids(&r1).len(), ids(&r2).len()), (2, 1));
    assert_eq!(r1[0]["account"]["nickname"], "carol@remote.example");
    assert_eq!(r1[0]["account"]["local"], false);
}

async fn stats_count_one_instance_when_asked(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    let bob = app.db.create_user("bob", None).await;
    let carol = app.db.create_user("carol", None).await;
    make_remote(&app, &carol, "remote.example").await;
    status(&app, bob.id, "here", Visibility::Public).await;
    status(&app, bob.id, "here, quietly", Visibility::Unlisted).await;
    status(&app, carol.id, "there", Visibility::Public).await;
    status(&app, carol.id, "there, privately", Visibility::Private).await;
    status(&app, carol.id, "there, directly", Visibility::Direct).await;
    let (code, all) = call(&app, &token, Method::GET, "/stats", None).await;
    assert_eq!(code, 200, "{all}");
    assert_eq!(all["status_visibility"], json!({"public": 2, "unlisted": 1, "private": 1, "direct": 1}));
    let (_, remote) = call(&app, &token, Method::GET, "/stats?instance=remote.example", None).await;
    assert_eq!(remote["status_visibility"], json!({"public": 1, "unlisted": 0, "private": 1, "direct": 1}));
    // admin-fe asks with its own host for this instance's statuses.
    let base = reqwest::Url::parse(&app.base).unwrap();
    let host = base.host_str().unwrap().to_owned();
    for own in [host.clone(), format!("{host}:{}", base.port().unwrap())] {
        let (_, local) = call(&app, &token, Method::GET, &format!("/stats?instance={own}"), None).await;
        assert_eq!(local["status_visibility"], json!({"public": 1, "unlisted": 1, "private": 0, "direct": 0}), "{own}");
    }
    let (_, none) = call(&app, &token, Method::GET, "/stats?instance=nowhere.example", None).await;
    assert_eq!(none["status_visibility"], json!({"public": 0, "unlisted": 0, "private": 0, "direct": 0}));
    let (code, err) = call(&app, &token, Method::GET, "/stats?instance=%25", None).await;
    assert_eq!((code, err["errors"][0]["meta"]["param"].as_str()), (422, Some("host")));
}

async fn report_cards_have_the_accounts_admin_fe_reads(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    let bob = app.db.create_user("bob", None).await;
    let reporter = app.db.create_user("ann", Some(Role::Moderator)).await;
    let sid = status(&app, bob.id, "the reported words", Visibility::Public).await;
    let (code, _) =
        call(&app, &token, Method::PUT, "/users/tag", Some(json!({"nicknames": ["bob"], "tags": ["force_nsfw"]})))
            .await;
    assert_eq!(code, 204);
    let by_ann = report(&app, Some(reporter.id), bob.id, &[sid], "spam").await;
    let anonymous = report(&app, None, bob.id, &[], "anonymous").await;
    let mut tx = app.db.db.begin().await.unwrap();
    let remote = NewReport {
        reporter_id: None,
        account_id: bob.id,
        comment: "forwarded",
        status_ids: &[],
        uri: Some("https://remote.example/reports/7"),
        created_at: now(),
    };
    let forwarded = reports::insert(tx.conn(), &remote).await.unwrap();
    tx.commit().await.unwrap();

    let (code, list) = call(&app, &token, Method::GET, "/reports?page=1&page_size=50", None).await;
    assert_eq!(code, 200, "{list}");
    let find = |id: i64| {
        list["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"].as_str() == Some(id.to_string().as_str()))
            .unwrap()
            .clone()
    };
    let card = find(by_ann);
    // The report title and the moderate-user menu read these.
    let account = &card["account"];
    assert_eq!(account["id"], bob.id.to_string());
    assert_eq!(account["nickname"], "bob");
    assert_eq!(account["roles"], json!({"admin": false, "moderator": false}));
    assert_eq!((account["is_active"].as_bool(), account["deactivated"].as_bool()), (Some(true), Some(false)));
    assert_eq!(account["local"], true);
    assert_eq!(account["tags"], json!(["force_nsfw"]));
    assert!(account["is_confirmed"].is_boolean() && account["is_approved"].is_boolean());
    assert_eq!(account["acct"], "bob", "the Mastodon fields stay");
    let avatar = account["avatar"].as_str().unwrap().to_owned();
    assert_eq!(avatar, format!("{}/assets/avatar.svg", app.base), "a default picture, not a broken one");
    assert_eq!(card["actor"]["nickname"], "ann");
    assert_eq!(card["actor"]["roles"]["moderator"], true);
    assert_eq!(card["statuses"][0]["account"]["nickname"], "bob");
    assert_eq!(card["statuses"][0]["deleted"], false);
    let media = card["statuses"][0]["media_attachments"][0]["url"].as_str().unwrap();
    assert!(media.starts_with(&format!("{}/", app.base)), "absolute, for a client on another origin: {media}");
    // Reporters not here are still objects: admin-fe reads fields of them unguarded.
    let anon = find(anonymous);
    assert!(anon["actor"].is_object(), "{anon}");
    assert!(anon["actor"].get("id").is_none(), "no user page to link to");
    let fwd = find(forwarded);
    assert_eq!(fwd["actor"]["nickname"], "remote.example");
    assert_eq!(fwd["actor"]["url"], "https://remote.example/actor");
    assert_eq!(fwd["actor"]["local"], false);
    // admin-fe sends both fields on every change: only the real change is logged.
    let entries = "SELECT COUNT(*) FROM moderation_log WHERE action LIKE 'status.%'";
    let before = app.db.count(entries).await;
    let change = json!({"sensitive": true, "visibility": "public"});
    let (code, st) = call(&app, &token, Method::PUT, &format!("/statuses/{sid}"), Some(change)).await;
    assert_eq!((code, st["sensitive"].as_bool()), (200, Some(true)), "{st}");
    assert_eq!(app.db.count(entries).await, before + 1, "one entry: visibility was already public");
    // A deleted status says so, in its report and on its own.
    let (code, _) = call(&app, &token, Method::DELETE, &format!("/statuses/{sid}"), None).await;
    assert_eq!(code, 200);
    let (_, one) = call(&app, &token, Method::GET, &format!("/reports/{by_ann}"), None).await;
    assert_eq!(one["statuses"][0]["deleted"], true, "{one}");
    let (_, st) = call(&app, &token, Method::GET, &format!("/statuses/{sid}"), None).await;
    assert_eq!(st["deleted"], true);
    let (_, grouped) = call(&app, &token, Method::GET, "/grouped_reports", None).await;
    assert_eq!(grouped["reports"][0]["account"]["nickname"], "bob", "{grouped}");
    // The log entry of a report names it as its subject, which admin-fe links.
    let change = json!({"reports": [{"id": by_ann.to_string(), "state": "resolved"}]});
    assert_eq!(call(&app, &token, Method::PATCH, "/reports", Some(change)).await.0, 204);
    let (_, log) = call(&app, &token, Method::GET, "/moderation_log?page=1", None).await;
    assert_eq!(log["items"][0]["data"]["subject"], json!({"type": "report", "id": by_ann.to_string()}), "{log}");
}

async fn users_filter_by_actor_type_and_keep_tags_in_order(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    let bot = app.db.create_user("bot", None).await;
    app.db.create_user("person", None).await;
    app.db.db.exec(&format!("UPDATE users SET actor_type = 'Service' WHERE id = {}", bot.id)).await.unwrap();
    // admin-fe appends `&actor_types[]=…` unencoded.
    let (code, list) = call(&app, &token, Method::GET, "/users?page=1&filters=&actor_types[]=Service", None).await;
    assert_eq!(code, 200, "{list}");
    assert_eq!(list["count"], 1);
    assert_eq!(list["users"][0]["nickname"], "bot");
    assert_eq!(list["users"][0]["actor_type"], "Service");
    let both = "/users?page=1&filters=&actor_types[]=Service&actor_types[]=Person";
    let (_, list) = call(&app, &token, Method::GET, both, None).await;
    assert_eq!(list["count"], 3);
    let (code, err) = call(&app, &token, Method::GET, "/users?actor_types[]=Robot", None).await;
    assert_eq!((code, err["errors"][0]["meta"]["param"].as_str()), (422, Some("actor_types[]")));
    // Tags come back in the order they were added, as Pleroma keeps them.
    for tags in [json!(["zeta", "alpha"]), json!(["beta", "zeta"])] {
        let (code, _) =
            call(&app, &token, Method::PUT, "/users/tag", Some(json!({"nicknames": ["bot"], "tags": tags}))).await;
        assert_eq!(code, 204);
    }
    let (_, user) = call(&app, &token, Method::GET, "/users/bot", None).await;
    assert_eq!(user["tags"], json!(["zeta", "alpha", "beta"]));
}

both_backends!(
    nodeinfo_tells_admin_fe_what_it_reads,
    peers_and_need_reboot_answer_what_every_admin_fe_page_asks,
    verify_credentials_says_who_holds_the_token_and_their_role,
    a_configured_origin_may_call_the_api_from_a_browser,
    user_statuses_and_pages_read_as_admin_fe_reads_them,
    stats_count_one_instance_when_asked,
    report_cards_have_the_accounts_admin_fe_reads,
    users_filter_by_actor_type_and_keep_tags_in_order,
);
