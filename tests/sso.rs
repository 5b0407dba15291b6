//! Single sign-on against a real OpenID provider (`oidc-provider`, started
//! from tests/support/oidc/provider.mjs), and against its "rogue" endpoints
//! whose ID tokens are wrong on purpose: wrong audience, expired, forged,
//! another sign-in's nonce.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{Backend, PASSWORD, TestApp, spawn_app};
use serde_json::{Value, json};
use steward::domain::settings::{InstanceConfig, Sso};
use steward::domain::{Role, Staff};
use steward::server::storage::audit::Actor;

const CLIENT_ID: &str = "steward";
const SECRET: &str = "sso-test-secret-d41d8cd98f00b204";

/// The provider process, killed when dropped.
struct Oidc {
    child: Child,
    base: String,
}

impl Drop for Oidc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn provider_for(app: &TestApp) -> Oidc {
    steward::server::telemetry::init_tracing();
    let callback = format!("{}/auth/sso/callback", app.base);
    let mut child = Command::new("node")
        .arg("tests/support/oidc/provider.mjs")
        .arg("0")
        .arg(&callback)
        .env("OIDC_CLIENT_ID", CLIENT_ID)
        .env("OIDC_CLIENT_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs tests/support/oidc/provider.mjs (npm install brings oidc-provider)");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("the provider prints its port").unwrap();
        if let Some(p) = line.strip_prefix("oidc-provider listening on ") {
            break p.trim().to_owned();
        }
    };
    // Keep draining its output: a closed pipe would end the provider.
    std::thread::spawn(move || for _ in lines {});
    Oidc { child, base: format!("http://127.0.0.1:{port}") }
}

fn sso_block(issuer: &str) -> Sso {
    Sso {
        enabled: true,
        display_name: Some("Example SSO".into()),
        issuer: Some(issuer.into()),
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(SECRET.into()),
        ..Sso::default()
    }
}

async fn configure(app: &TestApp, sso: Sso) {
    let admin = first_admin(app).await;
    steward::server::settings::change::<InstanceConfig>(
        &app.db.db,
        Actor { id: admin.id, nickname: &admin.nickname },
        None,
        |c| {
            c.sso = sso.clone();
            Ok(())
        },
    )
    .await
    .unwrap();
}

/// An admin to sign settings changes (the test's own, made if missing).
async fn first_admin(app: &TestApp) -> Staff {
    let n = app.db.count("SELECT COUNT(*) FROM users WHERE nickname = 'root'").await;
    if n == 0 {
        return app.db.create_user("root", Some(Role::Admin)).await;
    }
    let id = app.db.count("SELECT id FROM users WHERE nickname = 'root'").await;
    Staff { id, nickname: "root".into(), role: Role::Admin }
}

/// Changes `auth.*` runtime settings through the config API, as an admin
/// would: its status and answer.
async fn runtime(app: &TestApp, values: Value) -> (u16, Value) {
    let root = first_admin(app).await;
    let token = app.db.token_for(&root).await;
    let body = json!({"configs": [{"group": ":steward", "key": ":auth", "value": values}]});
    let res = app.api(reqwest::Method::POST, "/api/v1/admin/config", &token).await.json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// Goes from `/auth/sso/start?…` through the provider as `who` and returns
/// the callback URL the provider sends the browser to.
async fn to_callback(app: &TestApp, client: &reqwest::Client, start: &str, who: &str) -> String {
    let res = client.get(app.url(start)).send().await.unwrap();
    assert_eq!(res.status(), 303, "start redirects to the provider");
    let mut url = url::Url::parse(&location(&res)).unwrap();
    url.query_pairs_mut().append_pair("login_hint", who);
    let mut next = url.to_string();
    for _ in 0..10 {
        if next.starts_with(&app.base) {
            return next;
        }
        let res = client.get(&next).send().await.unwrap();
        assert!(res.status().is_redirection(), "provider step {next}: {}", res.status());
        let loc = location(&res);
        next =
            if loc.starts_with("http") { loc } else { url::Url::parse(&next).unwrap().join(&loc).unwrap().to_string() };
    }
    panic!("the provider never sent the browser back");
}

/// A whole sign-in as `who`: the callback's answer (status, location, body).
async fn sign_in_as(app: &TestApp, client: &reqwest::Client, start: &str, who: &str) -> (u16, String, String) {
    let callback = to_callback(app, client, start, who).await;
    let res = client.get(&callback).header("Accept", "text/html").send().await.unwrap();
    let (status, loc) = (res.status().as_u16(), location(&res));
    let body = res.text().await.unwrap();
    assert!(!body.contains(SECRET), "the client secret leaks");
    (status, loc, body)
}

/// Whether `client` reaches the console (not sent to /login).
async fn in_console(app: &TestApp, client: &reqwest::Client) -> bool {
    let res = client.get(app.url("/users")).send().await.unwrap();
    res.status() == 200
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    app.db.count(&format!("SELECT COUNT(*) FROM moderation_log WHERE action = '{action}'")).await
}

async fn signs_in_end_to_end_and_links_by_verified_email(b: Backend) {
    let app = spawn_app(b).await;
    let alice = app.db.create_user("alice", Some(Role::Admin)).await;
    let op = provider_for(&app);
    configure(&app, sso_block(&op.base)).await;

    let (status, page) = {
        let res = app.client.get(app.url("/login?next=/users")).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(page.contains("Sign in with Example SSO"), "{page}");
    assert!(page.contains("href=\"/auth/sso/start?next=/users\""), "{page}");
    assert!(page.contains("name=\"password\""), "the password form stays while password sign-in is on");
    assert!(!page.contains(SECRET));

    let (status, loc, _) = sign_in_as(&app, &app.client, "/auth/sso/start?next=/users", "alice").await;
    assert_eq!((status, loc.as_str()), (303, "/users"));
    assert!(in_console(&app, &app.client).await);
    let linked = app
        .db
        .count(&format!("SELECT COUNT(*) FROM sso_identities WHERE user_id = {} AND subject = 'alice'", alice.id))
        .await;
    assert_eq!(linked, 1);
    assert_eq!(audit_count(&app, "sso.link").await, 1);
    assert_eq!(audit_count(&app, "session.sign_in").await, 1);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sso_logins").await, 0, "the state is spent");
    let (_, _, page) = app.page(&format!("/users/{}", alice.id)).await;
    assert!(page.contains("Signs in with SSO"), "the user page says so");

    // Again from another browser: the identity is linked now.
    let other = common::client();
    let (status, loc, _) = sign_in_as(&app, &other, "/auth/sso/start", "alice").await;
    assert_eq!((status, loc.as_str()), (303, "/"));
    assert!(in_console(&app, &other).await);
    assert_eq!(audit_count(&app, "sso.link").await, 1);
    assert_eq!(audit_count(&app, "session.sign_in").await, 2);
    let last = app.db.count("SELECT COALESCE(MAX(last_login_at), 0) FROM sso_identities").await;
    assert!(last > 0, "last_login_at is recorded");
}

async fn a_wrong_id_token_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    let op = provider_for(&app);
    for (mode, why) in [
        ("wrong_aud", "issued for another client"),
        ("expired", "expired"),
        ("forged", "signature does not verify"),
        ("bad_nonce", "another sign-in"),
    ] {
        configure(&app, sso_block(&format!("{}/rogue/{mode}", op.base))).await;
        let c = common::client();
        let (status, _, body) = sign_in_as(&app, &c, "/auth/sso/start", "alice").await;
        assert_eq!(status, 400, "{mode}: {body}");
        assert!(body.contains(why), "{mode}: {body}");
        assert!(!in_console(&app, &c).await, "{mode} let someone in");
    }
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sso_identities").await, 0);
    // The same endpoints with nothing wrong: the secret goes in the body
    // (client_secret_post, as their metadata asks) and the sign-in works.
    configure(&app, sso_block(&format!("{}/rogue/ok", op.base))).await;
    let c = common::client();
    let (status, loc, body) = sign_in_as(&app, &c, "/auth/sso/start", "alice").await;
    assert_eq!((status, loc.as_str()), (303, "/"), "{body}");
    assert!(in_console(&app, &c).await);
}

async fn allowed_domains_need_a_verified_email_in_them(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    app.db.create_user("bob", Some(Role::Admin)).await;
    let op = provider_for(&app);
    let mut sso = sso_block(&op.base);
    sso.allowed_domains = vec!["example.org".into()];
    sso.auto_provision = true;
    configure(&app, sso).await;
    assert_eq!(runtime(&app, json!({ "sso_provision_role": "moderator" })).await.0, 200);

    // bob@other.test has an account, but not in an allowed domain.
    let c = common::client();
    let (status, _, body) = sign_in_as(&app, &c, "/auth/sso/start", "bob").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("other.test"), "{body}");
    assert!(!in_console(&app, &c).await);
    // carol@example.org: the right domain, but the provider did not verify it.
    let c = common::client();
    let (status, _, body) = sign_in_as(&app, &c, "/auth/sso/start", "carol").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("verified"), "{body}");
    // dave@staff.example.org: a subdomain counts (and is provisioned).
    let c = common::client();
    let (status, _, body) = sign_in_as(&app, &c, "/auth/sso/start", "dave").await;
    assert_eq!(status, 303, "{body}");
    assert!(in_console(&app, &c).await);
    // Unverified email with allowed domains through the rogue endpoints too.
    let mut sso = sso_block(&format!("{}/rogue/unverified", op.base));
    sso.allowed_domains = vec!["example.org".into()];
    configure(&app, sso).await;
    let c = common::client();
    let (status, _, _) = sign_in_as(&app, &c, "/auth/sso/start", "alice").await;
    assert_eq!(status, 403);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM sso_identities").await, 1, "dave only");
}

async fn auto_provision_creates_accounts_without_a_role_by_default(b: Backend) {
    let app = spawn_app(b).await;
    let op = provider_for(&app);
    let mut sso = sso_block(&op.base);
    sso.auto_provision = true;
    configure(&app, sso).await;

    let (status, _, body) = sign_in_as(&app, &app.client, "/auth/sso/start", "bob").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("an admin must make you a moderator or admin"), "{body}");
    assert!(!in_console(&app, &app.client).await);
    let made = "SELECT COUNT(*) FROM users WHERE nickname = 'bob' AND email = 'bob@other.test' \
                AND password_hash IS NULL AND NOT is_admin AND NOT is_moderator";
    assert_eq!(app.db.count(made).await, 1);
    assert_eq!(audit_count(&app, "user.create").await, 1);
    assert_eq!(audit_count(&app, "session.sign_in").await, 0);
    // The account has no password: the sign-in form does not let it in.
    assert_eq!(app.login("bob", "").await.status(), 303);
    assert!(!in_console(&app, &app.client).await);
    // Signing in again finds the same account (no second one).
    let (status, _, _) = sign_in_as(&app, &common::client(), "/auth/sso/start", "bob").await;
    assert_eq!(status, 403);
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users").await, 2, "root and bob");

    // With sso_provision_role = moderator, the next account enters the console.
    assert_eq!(runtime(&app, json!({ "sso_provision_role": "moderator" })).await.0, 200);
    let c = common::client();
    let (status, loc, _) = sign_in_as(&app, &c, "/auth/sso/start", "dave").await;
    assert_eq!((status, loc.as_str()), (303, "/"));
    assert!(in_console(&app, &c).await);
    let dave = "SELECT COUNT(*) FROM users WHERE nickname = 'dave' AND is_moderator AND NOT is_admin";
    assert_eq!(app.db.count(dave).await, 1);
    // A hostile preferred_username becomes a valid nickname, and is never echoed raw.
    let c = common::client();
    let (status, _, body) = sign_in_as(&app, &c, "/auth/sso/start", "erin").await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users WHERE nickname = 'script_x__script_'").await, 1);
    let (_, _, page) = app.page("/users").await;
    assert!(!page.contains("<script>x"), "hostile name rendered raw");
    // "Never admin" holds whatever the provider says.
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users WHERE is_admin").await, 1, "root only");
}

async fn without_auto_provision_an_unknown_person_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    let op = provider_for(&app);
    configure(&app, sso_block(&op.base)).await;
    let (status, _, body) = sign_in_as(&app, &app.client, "/auth/sso/start", "bob").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("There is no Steward account for bob@other.test"), "{body}");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM users WHERE nickname = 'bob'").await, 0);
    assert!(!in_console(&app, &app.client).await);
}

async fn a_state_works_once_and_in_its_own_browser(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Moderator)).await;
    let op = provider_for(&app);
    configure(&app, sso_block(&op.base)).await;

    let callback = to_callback(&app, &app.client, "/auth/sso/start", "alice").await;
    let res = app.client.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 303);
    // The same callback again (a replay): refused.
    let replay = common::client();
    let res = replay.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let res = app.client.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let body = res.text().await.unwrap();
    assert!(body.contains("Start again"), "{body}");

    // A state started in another browser (login CSRF): refused, and spent.
    let attacker = common::client();
    let stolen = to_callback(&app, &attacker, "/auth/sso/start", "alice").await;
    let victim = common::client();
    assert_eq!(victim.get(&stolen).send().await.unwrap().status(), 400);
    assert_eq!(attacker.get(&stolen).send().await.unwrap().status(), 400, "the state was spent");
    // Unknown, empty and hostile states.
    for q in ["?code=x&state=nope", "?code=x", "?state=x&code=%3Cscript%3E", "?error=access_denied&state=x"] {
        let res = app.client.get(app.url(&format!("/auth/sso/callback{q}"))).send().await.unwrap();
        assert_eq!(res.status(), 400, "{q}");
        assert!(!res.text().await.unwrap().contains("<script>"), "{q}");
    }
    // NUL is refused before any handler, as everywhere.
    let res = app.client.get(app.url("/auth/sso/callback?state=%00&code=x")).send().await.unwrap();
    assert_eq!(res.status(), 422);
    // An expired state (older than ten minutes) is refused too.
    let c = common::client();
    let expired = to_callback(&app, &c, "/auth/sso/start", "alice").await;
    let old = steward::server::storage::now() - 601;
    app.db.db.exec(&format!("UPDATE sso_logins SET created_at = {old}")).await.unwrap();
    assert_eq!(c.get(&expired).send().await.unwrap().status(), 400);
}

async fn next_must_be_a_local_path(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    let op = provider_for(&app);
    configure(&app, sso_block(&op.base)).await;
    for (next, want) in [
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/%5Cevil.example", "/%5Cevil.example"),
        ("/reports?state=open", "/reports?state=open"),
    ] {
        let c = common::client();
        let start = format!(
            "/auth/sso/start?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        let (status, loc, _) = sign_in_as(&app, &c, &start, "alice").await;
        assert_eq!((status, loc.as_str()), (303, want), "{next}");
    }
}

async fn sso_off_or_unconfigured_has_no_button_and_no_start(b: Backend) {
    let app = spawn_app(b).await;
    let (_, _, page) = app.page("/login").await;
    assert!(!page.contains("Sign in with"), "{page}");
    let res = app.get("/auth/sso/start").await;
    assert_eq!(res.status(), 400);
    let mut sso = sso_block("http://127.0.0.1:9");
    sso.enabled = false;
    configure(&app, sso).await;
    assert_eq!(app.get("/auth/sso/start").await.status(), 400);
    let (_, _, page) = app.page("/login").await;
    assert!(!page.contains("Sign in with"));
    // On, but the provider is unreachable: 503, no secret in the answer.
    configure(&app, sso_block("http://127.0.0.1:9")).await;
    let res = app.get("/auth/sso/start").await;
    assert_eq!(res.status(), 503);
    assert!(!res.text().await.unwrap().contains(SECRET));
}

async fn the_guard_wants_a_linked_active_admin(b: Backend) {
    use steward::features::sso::guard::password_sign_in_may_be_turned_off as guard;
    let app = spawn_app(b).await;
    let alice = app.db.create_user("alice", Some(Role::Admin)).await;
    let op = provider_for(&app);
    let check = |sso: Sso| {
        let db = app.db.db.clone();
        async move {
            let mut c = db.conn().await.unwrap();
            guard(c.as_ref(), &sso).await
        }
    };
    let off = Sso { enabled: false, ..sso_block(&op.base) };
    let e = check(off).await.unwrap_err();
    assert_eq!((e.status(), e.param()), (422, Some("auth.password_sign_in")));
    let no_client = Sso { client_id: None, ..sso_block(&op.base) };
    assert_eq!(check(no_client).await.unwrap_err().status(), 422);
    let e = check(sso_block(&op.base)).await.unwrap_err();
    assert_eq!(e.status(), 422);
    assert!(e.to_string().contains("admin"), "{e}");

    // A linked moderator does not count.
    configure(&app, sso_block(&op.base)).await;
    app.db.create_user("dave", Some(Role::Moderator)).await;
    app.db.db.exec("UPDATE users SET email = 'dave@staff.example.org' WHERE nickname = 'dave'").await.unwrap();
    let (status, _, _) = sign_in_as(&app, &common::client(), "/auth/sso/start", "dave").await;
    assert_eq!(status, 303);
    assert_eq!(check(sso_block(&op.base)).await.unwrap_err().status(), 422);
    // Alice (admin) signs in with single sign-on once: now it may be turned off.
    let (status, _, _) = sign_in_as(&app, &common::client(), "/auth/sso/start", "alice").await;
    assert_eq!(status, 303);
    check(sso_block(&op.base)).await.expect("a linked admin allows it");
    // Unless that admin is deactivated.
    app.db.db.exec(&format!("UPDATE users SET is_active = FALSE WHERE id = {}", alice.id)).await.unwrap();
    assert_eq!(check(sso_block(&op.base)).await.unwrap_err().status(), 422);
}

async fn password_sign_in_off_is_refused_everywhere(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    let op = provider_for(&app);
    configure(&app, sso_block(&op.base)).await;
    // No admin has signed in with single sign-on yet: the guard refuses.
    let (status, e) = runtime(&app, json!({ "password_sign_in": false })).await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["errors"][0]["meta"]["param"], "auth.password_sign_in");
    let (status, _, _) = sign_in_as(&app, &common::client(), "/auth/sso/start", "alice").await;
    assert_eq!(status, 303);
    let (status, e) = runtime(&app, json!({ "password_sign_in": false })).await;
    assert_eq!(status, 200, "{e}");

    let (status, _, page) = app.page("/login").await;
    assert_eq!(status, 200);
    assert!(!page.contains("name=\"password\""), "the password form is hidden");
    assert!(page.contains("Password sign-in is turned off"), "{page}");
    assert!(page.contains("Sign in with Example SSO"));

    let res = app.login("alice", PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert!(!in_console(&app, &app.client).await, "the form post was refused");
    let res = app.client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("Password sign-in is turned off"));

    // The OAuth password grant is refused the same way.
    let (status, reg) = {
        let body = json!({ "client_name": "AdminFE", "redirect_uris": "https://admin.example.org/cb", "scopes": "read admin" });
        let res = reqwest::Client::new().post(app.url("/api/v1/apps")).json(&body).send().await.unwrap();
        (res.status().as_u16(), res.json::<Value>().await.unwrap())
    };
    assert_eq!(status, 200);
    let body = json!({ "client_id": reg["client_id"], "client_secret": reg["client_secret"], "grant_type": "password", "username": "alice", "password": PASSWORD });
    let res = reqwest::Client::new().post(app.url("/oauth/token")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let e: Value = res.json().await.unwrap();
    assert!(e.to_string().contains("Password sign-in is turned off"), "{e}");
    assert!(e.get("access_token").is_none());

    // Back on: the same password works.
    assert_eq!(runtime(&app, json!({ "password_sign_in": true })).await.0, 200);
    assert_eq!(app.login("alice", PASSWORD).await.status(), 303);
    assert!(in_console(&app, &app.client).await);
}

/// The escape hatch: STEWARD_PASSWORD_SIGN_IN=true wins over a stored `false`.
async fn the_environment_turns_password_sign_in_back_on(b: Backend) {
    let app = common::spawn_app_with(b, |c| c.env.set("auth.password_sign_in", true)).await;
    app.db.create_user("alice", Some(Role::Admin)).await;
    let op = provider_for(&app);
    configure(&app, sso_block(&op.base)).await;
    let (status, _, _) = sign_in_as(&app, &common::client(), "/auth/sso/start", "alice").await;
    assert_eq!(status, 303);
    let (status, e) = runtime(&app, json!({ "password_sign_in": false })).await;
    assert_eq!(status, 200, "{e}");
    let (_, _, page) = app.page("/login").await;
    assert!(page.contains("name=\"password\""), "the environment keeps the form");
    assert_eq!(app.login("alice", PASSWORD).await.status(), 303);
    assert!(in_console(&app, &app.client).await);
}

both_backends!(
    signs_in_end_to_end_and_links_by_verified_email,
    a_wrong_id_token_is_refused,
    allowed_domains_need_a_verified_email_in_them,
    auto_provision_creates_accounts_without_a_role_by_default,
    without_auto_provision_an_unknown_person_is_refused,
    a_state_works_once_and_in_its_own_browser,
    next_must_be_a_local_path,
    sso_off_or_unconfigured_has_no_button_and_no_start,
    the_guard_wants_a_linked_active_admin,
    password_sign_in_off_is_refused_everywhere,
    the_environment_turns_password_sign_in_back_on,
);
