//! Mail leaving Steward: the outbox worker against a real SMTP server
//! (Python's aiosmtpd, writing a maildir), retries with backoff, several
//! workers on one database, test mode, "resend confirmation", "forgot
//! password" and the `/outbox` page, on both backends.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Backend, PASSWORD, TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::json;
use steward::domain::Role;
use steward::domain::settings::InstanceSettings;
use steward::mail::worker::{self, Mailer, Pace};
use steward::server::config::Config;
use steward::server::settings;
use steward::server::storage::Db;
use steward::server::storage::audit::Actor;
use steward::server::storage::outbox::{self, HELD, NewMail, QUEUED};

/// aiosmtpd on a free port, delivering into a maildir; killed on drop.
struct Smtp {
    child: Child,
    dir: PathBuf,
    port: u16,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Smtp {
    async fn start() -> Smtp {
        Smtp::start_on(free_port()).await
    }

    /// Fails loudly (never skips) when python3 or aiosmtpd is missing:
    /// `scripts/setup.sh` installs it.
    async fn start_on(port: u16) -> Smtp {
        let dir = std::env::temp_dir().join(format!("steward-maildir-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let check = Command::new("python3").args(["-c", "import aiosmtpd"]).status();
        assert!(
            matches!(check, Ok(s) if s.success()),
            "python3 with aiosmtpd is required for tests/mail.rs (CI={:?}): run scripts/setup.sh",
            std::env::var("CI").ok()
        );
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd starts");
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(15), "aiosmtpd did not listen on {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Smtp { child, dir, port }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The delivered messages, raw.
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else { return Vec::new() };
        entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
    }

    async fn wait_for(&self, n: usize) -> Vec<String> {
        let started = Instant::now();
        loop {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "expected {n} messages, have {}", m.len());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A header's value in a raw message.
fn header<'a>(msg: &'a str, name: &str) -> Option<&'a str> {
    msg.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The first link in `msg` starting with `prefix`. Long lines come
/// quoted-printable: soft line breaks undone, `=3D` decoded (links are ASCII).
fn link_after(msg: &str, prefix: &str) -> String {
    let msg = &msg.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let at = msg.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in {msg}"));
    msg[at..].split_whitespace().next().unwrap().to_owned()
}

fn fast_pace() -> Pace {
    Pace {
        poll: Duration::from_millis(100),
        backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(2),
        batch: 3,
        timeout: Duration::from_secs(5),
        ..Pace::default()
    }
}

fn mailer(url: &str) -> Mailer {
    Mailer::new(url, "Steward <steward@test.invalid>", Duration::from_secs(5)).unwrap()
}

/// An app (worker running when `smtp` is given) with an admin signed in on
/// `app.client`, and the admin's token.
async fn app_with(b: Backend, smtp: Option<&Smtp>, tweak: impl FnOnce(&mut Config)) -> (TestApp, String) {
    let url = smtp.map(Smtp::url);
    let app = spawn_app_with(b, |c| {
        if let Some(u) = url {
            c.env.set("email.smtp_url", u);
        }
        tweak(c);
    })
    .await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    assert_eq!(app.login("admin", PASSWORD).await.status(), 303);
    (app, token)
}

async fn unconfirmed(app: &TestApp, nick: &str) {
    app.db.create_user(nick, None).await;
    app.db.db.exec(&format!("UPDATE users SET is_confirmed = false WHERE nickname = '{nick}'")).await.unwrap();
}

async fn resend(app: &TestApp, token: &str, nicks: &[&str]) -> u16 {
    app.api(Method::PATCH, "/api/v1/pleroma/admin/users/resend_confirmation_email", token)
        .await
        .json(&json!({ "nicknames": nicks }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.count(sql).await
}

async fn queue_raw(db: &Db, to: &str, status: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = outbox::insert(tx.conn(), NewMail { kind: "invite", to, subject: "Hello", body: "Hi.\n", status })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn row(db: &Db, id: i64) -> outbox::OutboxRow {
    let mut c = db.conn().await.unwrap();
    outbox::get(c.as_ref(), id).await.unwrap().unwrap()
}

async fn wait_status(db: &Db, id: i64, status: &str) -> outbox::OutboxRow {
    let started = Instant::now();
    loop {
        let r = row(db, id).await;
        if r.status == status {
            return r;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "mail {id} stayed {}", r.status);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn resend_confirmation_delivers_a_confirm_link(b: Backend) {
    let smtp = Smtp::start().await;
    let (app, token) = app_with(b, Some(&smtp), |_| {}).await;
    settings::change::<InstanceSettings>(&app.db.db, Actor { id: 0, nickname: "test" }, None, |s| {
        s.support_email = Some("help@example.org".into());
        Ok(())
    })
    .await
    .unwrap();
    unconfirmed(&app, "newbie").await;
    app.db.create_user("settled", None).await;
    assert_eq!(resend(&app, &token, &["newbie", "settled"]).await, 200);
    // Only the unconfirmed user gets mail.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'confirmation'").await, 1);
    let msgs = smtp.wait_for(1).await;
    let m = &msgs[0];
    assert_eq!(header(m, "To"), Some("newbie@example.org"), "{m}");
    assert_eq!(header(m, "Subject"), Some("Confirm your email address"));
    assert_eq!(header(m, "Reply-To"), Some("help@example.org"));
    assert!(header(m, "From").unwrap().contains("steward@test.invalid"));
    let link = link_after(m, &format!("{}/confirm/", app.base));
    let started = Instant::now();
    while sent_rows(&app).await == 0 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sent = "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND sent_at IS NOT NULL AND attempts = 1";
    assert_eq!(count(&app, sent).await, 1);
    // The link works: confirming it confirms the user.
    let token = link.rsplit('/').next().unwrap();
    assert_eq!(app.post_form(&format!("/confirm/{token}"), &[]).await.status(), 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE nickname = 'newbie' AND is_confirmed").await, 1);
    assert_eq!(smtp.messages().len(), 1, "delivered once");
}

async fn sent_rows(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await
}

async fn an_unreachable_server_is_retried_with_backoff(b: Backend) {
    let app = spawn_app_with(b, |_| {}).await;
    let db = &app.db.db;
    let port = free_port();
    let mailer = mailer(&format!("smtp://127.0.0.1:{port}"));
    let pace = fast_pace();
    let id = queue_raw(db, "someone@example.org", QUEUED).await;
    let created = row(db, id).await.next_attempt_at;
    assert_eq!(worker::deliver_due(db, &mailer, &pace).await.unwrap(), 1);
    let r = row(db, id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("queued", 1));
    assert!(r.next_attempt_at > created, "next attempt moved: {} > {created}", r.next_attempt_at);
    let err = r.last_error.unwrap();
    assert!(!err.is_empty() && err.chars().count() <= 201, "{err}");
    // Not due yet: the next pass leaves it alone.
    assert_eq!(worker::deliver_due(db, &mailer, &pace).await.unwrap(), 0);
    assert_eq!(row(db, id).await.attempts, 1);
    // Still down when it falls due again: the wait grows.
    db.exec(&format!("UPDATE outbox SET next_attempt_at = 0 WHERE id = {id}")).await.unwrap();
    worker::deliver_due(db, &mailer, &pace).await.unwrap();
    assert_eq!(row(db, id).await.attempts, 2);
    // The server comes up: the worker delivers once the mail is due.
    let smtp = Smtp::start_on(port).await;
    let running = tokio::spawn(worker::run(db.clone(), mailer, pace));
    let r = wait_status(db, id, "sent").await;
    assert_eq!(r.attempts, 3);
    assert!(r.sent_at.is_some() && r.last_error.is_none());
    let msgs = smtp.wait_for(1).await;
    assert_eq!(header(&msgs[0], "To"), Some("someone@example.org"));
    running.abort();
    // The backoff doubles and is capped.
    let p = Pace::default();
    let (one, two, many) = (worker::backoff(&p, 1), worker::backoff(&p, 2), worker::backoff(&p, 30));
    assert!(one >= Duration::from_secs(30) && one <= Duration::from_millis(37_500), "{one:?}");
    assert!(two >= Duration::from_secs(60) && two <= Duration::from_secs(75), "{two:?}");
    assert!(many >= Duration::from_secs(3600) && many <= Duration::from_secs(4500), "{many:?}");
}

async fn mail_is_given_up_after_the_last_attempt_or_a_permanent_error(b: Backend) {
    let app = spawn_app_with(b, |_| {}).await;
    let db = &app.db.db;
    let mailer = mailer(&format!("smtp://127.0.0.1:{}", free_port()));
    let pace = Pace { max_attempts: 2, ..fast_pace() };
    let id = queue_raw(db, "someone@example.org", QUEUED).await;
    worker::deliver_due(db, &mailer, &pace).await.unwrap();
    db.exec(&format!("UPDATE outbox SET next_attempt_at = 0 WHERE id = {id}")).await.unwrap();
    worker::deliver_due(db, &mailer, &pace).await.unwrap();
    let r = row(db, id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("failed", 2));
    // A malformed recipient never gets better: failed at once.
    let bad = queue_raw(db, "not an address", QUEUED).await;
    worker::deliver_due(db, &mailer, &pace).await.unwrap();
    let r = row(db, bad).await;
    assert_eq!((r.status.as_str(), r.attempts), ("failed", 1));
    assert_eq!(r.last_error.as_deref(), Some("invalid recipient address"));
}

async fn two_workers_never_deliver_a_mail_twice(b: Backend) {
    let smtp = Smtp::start().await;
    let app = spawn_app_with(b, |_| {}).await;
    let n = 24;
    for i in 0..n {
        queue_raw(&app.db.db, &format!("u{i}@example.org"), QUEUED).await;
    }
    // Two processes' pools on one database, two workers each.
    let other = Db::connect(&app.db.url).await.unwrap();
    let pace = fast_pace();
    let mut workers = Vec::new();
    for db in [app.db.db.clone(), app.db.db.clone(), other.clone(), other] {
        let (mailer, pace) = (mailer(&smtp.url()), pace.clone());
        workers.push(tokio::spawn(async move {
            let mut claimed = 0;
            loop {
                let got = worker::deliver_due(&db, &mailer, &pace).await.unwrap();
                if got == 0 {
                    return claimed;
                }
                claimed += got;
            }
        }));
    }
    let mut total = 0;
    for w in workers {
        total += w.await.unwrap();
    }
    assert_eq!(total, n, "every mail claimed exactly once");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND attempts = 1").await, n as i64);
    let msgs = smtp.wait_for(n).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut to: Vec<String> = smtp.messages().iter().map(|m| header(m, "To").unwrap().to_owned()).collect();
    to.sort();
    to.dedup();
    assert_eq!((msgs.len(), smtp.messages().len(), to.len()), (n, n, n));
}

async fn test_mode_holds_mail_and_never_sends_it(b: Backend) {
    let smtp = Smtp::start().await;
    let (app, token) = app_with(b, Some(&smtp), |_| {}).await;
    settings::change::<InstanceSettings>(&app.db.db, Actor { id: 0, nickname: "test" }, None, |s| {
        s.test_mode = true;
        Ok(())
    })
    .await
    .unwrap();
    unconfirmed(&app, "newbie").await;
    assert_eq!(resend(&app, &token, &["newbie"]).await, 200);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE status = 'held'").await, 1);
    assert_eq!(worker::deliver_due(&app.db.db, &mailer(&smtp.url()), &fast_pace()).await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(smtp.messages().is_empty());
    // Held mail cannot be retried into sending either.
    let id = app.db.count("SELECT id FROM outbox WHERE status = 'held'").await;
    assert_eq!(app.post_form(&format!("/outbox/{id}/retry"), &[]).await.status(), 303);
    assert_eq!(row(&app.db.db, id).await.status, HELD);
    let (status, _, page) = app.page("/outbox?status=held").await;
    assert_eq!(status, 200);
    assert!(page.contains("Confirm your email address") && page.contains("held"), "{page}");
}

async fn forgot(app: &TestApp, body: serde_json::Value) -> u16 {
    let res = app.client.post(app.url("/api/v1/password_reset")).json(&body).send().await.unwrap();
    res.status().as_u16()
}

async fn forgot_password_answers_the_same_and_mails_only_a_match(b: Backend) {
    let smtp = Smtp::start().await;
    let (app, _) = app_with(b, Some(&smtp), |_| {}).await;
    // A stranger's browser from here on.
    assert_eq!(app.post_form("/logout", &[]).await.status(), 303);
    app.db.create_user("alice", None).await;
    // The same answer for a match and for nobody; only the match gets mail.
    let started = Instant::now();
    assert_eq!(forgot(&app, json!({"email": "nobody@example.org"})).await, 204);
    assert!(started.elapsed() >= Duration::from_millis(240), "the no-match path is not faster");
    assert_eq!(forgot(&app, json!({"email": "ALICE@example.org"})).await, 204);
    assert_eq!(forgot(&app, json!({"nickname": "ghost"})).await, 204);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM password_resets").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'").await, 1);
    let msgs = smtp.wait_for(1).await;
    assert_eq!(header(&msgs[0], "To"), Some("alice@example.org"));
    assert_eq!(header(&msgs[0], "Subject"), Some("Reset your password"));
    let link = link_after(&msgs[0], &format!("{}/password-reset/", app.base));
    // The mailed link opens the reset form and sets the password.
    let path = link.strip_prefix(&app.base).unwrap().to_owned();
    let (status, _, page) = app.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"name="password_confirmation""#), "{page}");
    let token = path.rsplit('/').next().unwrap();
    let new = "a brand new long password";
    let res =
        app.post_form("/password-reset", &[("token", token), ("password", new), ("password_confirmation", new)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM password_resets WHERE used_at IS NOT NULL").await, 1);
    // The form: the same redirect and message either way.
    for login in ["alice", "nobody", r#""><script>alert(1)</script>"#, "</textarea>"] {
        let res = app.post_form("/forgot-password", &[("login", login)]).await;
        assert_eq!(res.status(), 303, "{login}");
        assert_eq!(res.headers()["location"], "/forgot-password?sent=1", "{login}");
    }
    let (status, _, page) = app.page("/forgot-password?sent=1").await;
    assert_eq!(status, 200);
    assert!(page.contains("If an account matches, we sent a link"), "{page}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'").await, 2);
    // The sign-in page links here.
    let (status, _, login) = app.page("/login").await;
    assert_eq!(status, 200);
    assert!(login.contains(r#"href="/forgot-password""#), "{login}");
}

async fn forgot_password_rejects_hostile_input_and_is_throttled(b: Backend) {
    let (app, _) = app_with(b, None, |c| c.env.set("throttling.registrations_per_ip", 3)).await;
    assert_eq!(app.post_form("/logout", &[]).await.status(), 303);
    // Bad shapes: clear errors, never 500.
    assert_eq!(forgot(&app, json!({"email": "a\u{0}b"})).await, 422);
    assert_eq!(forgot(&app, json!({"email": "x".repeat(100_000)})).await, 422);
    assert_eq!(forgot(&app, json!({"email": 5})).await, 422);
    assert_eq!(forgot(&app, json!({})).await, 422);
    assert_eq!(forgot(&app, json!({"email": "a@b.c", "nickname": "a"})).await, 422);
    assert_eq!(forgot(&app, json!({"email": ""})).await, 422);
    // A NUL never reaches the handler: the form is refused as it is read.
    assert_eq!(app.post_form("/forgot-password", &[("login", "a\u{0}b")]).await.status(), 422);
    for bad in ["a\u{1}b", &"y".repeat(5_000)] {
        let res = app.post_form("/forgot-password", &[("login", bad)]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/forgot-password");
        let (status, _, page) = app.page("/forgot-password").await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("not an email address or nickname"));
    }
    // Three requests an hour from one address, then 429.
    for _ in 0..3 {
        assert_eq!(forgot(&app, json!({"nickname": "admin"})).await, 204);
    }
    assert_eq!(forgot(&app, json!({"nickname": "admin"})).await, 429);
    let res = app.post_form("/forgot-password", &[("login", "admin")]).await;
    assert_eq!(res.headers()["location"], "/forgot-password");
    let (status, _, page) = app.page("/forgot-password").await;
    assert_eq!(status, 429);
    assert!(page.contains("Too many attempts"), "{page}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox").await, 3);
}

async fn concurrent_forgot_requests_lose_nothing(b: Backend) {
    let (app, _) = app_with(b, None, |_| {}).await;
    app.db.create_user("alice", None).await;
    let mut calls = Vec::new();
    for i in 0..12 {
        let (client, url) = (app.client.clone(), app.url("/api/v1/password_reset"));
        let who = if i % 2 == 0 { "alice" } else { "nobody" };
        calls.push(tokio::spawn(async move {
            client.post(url).json(&json!({ "nickname": who })).send().await.unwrap().status().as_u16()
        }));
    }
    for c in calls {
        assert_eq!(c.await.unwrap(), 204);
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM password_resets").await, 6);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'").await, 6);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'user.password_reset_request'").await,
        6
    );
}

async fn the_outbox_page_is_for_admins(b: Backend) {
    let (app, _) = app_with(b, None, |_| {}).await;
    let failed = queue_raw(&app.db.db, "x@example.org", QUEUED).await;
    app.db
        .db
        .exec(&format!(
            "UPDATE outbox SET status = 'failed', attempts = 10, last_error = 'refused <b>', \
             body = 'link </pre><script>alert(1)</script>' WHERE id = {failed}"
        ))
        .await
        .unwrap();
    // Anonymous: sent to sign in; a moderator: 403, for the page, the mail and retry.
    let anon = common::client().get(app.url("/outbox")).send().await.unwrap();
    assert!(anon.status() == 401 || anon.headers()["location"].to_str().unwrap().starts_with("/login"));
    app.db.create_user("mod", Some(Role::Moderator)).await;
    let (moderator, _) = app.login_elsewhere("mod", PASSWORD).await;
    for path in ["/outbox", &format!("/outbox/{failed}")] {
        assert_eq!(moderator.get(app.url(path)).send().await.unwrap().status(), 403, "{path}");
    }
    let res =
        moderator.post(app.url(&format!("/outbox/{failed}/retry"))).header("Origin", &app.base).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(row(&app.db.db, failed).await.status, "failed");
    // The admin: the list, filters, the body escaped, and retry.
    let (status, _, page) = app.page("/outbox?status=failed").await;
    assert_eq!(status, 200);
    assert!(page.contains("x@example.org") && page.contains("refused &lt;b&gt;"), "{page}");
    assert!(page.contains(r#"href="/outbox""#), "the nav links the page");
    let (_, _, page) = app.page("/outbox?status=sent").await;
    assert!(!page.contains("x@example.org"));
    let (status, _, page) = app.page("/outbox?status=bogus&before=x").await;
    assert_eq!(status, 200);
    assert!(page.contains("Ignored status=") && page.contains("x@example.org"));
    let (status, _, page) = app.page(&format!("/outbox/{failed}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("&lt;/pre&gt;&lt;script&gt;") && !page.contains("</pre><script>alert"), "{page}");
    assert_eq!(app.page("/outbox/999999").await.0, 404);
    let res = app.post_form(&format!("/outbox/{failed}/retry"), &[]).await;
    assert_eq!(res.status(), 303);
    let r = row(&app.db.db, failed).await;
    assert_eq!(r.status, "queued");
    assert!(r.next_attempt_at <= steward::server::storage::now());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'outbox.retry'").await, 1);
    // A mail being sent right now (leased) is left alone.
    app.db.db.exec(&format!("UPDATE outbox SET locked_until = 99999999999 WHERE id = {failed}")).await.unwrap();
    app.post_form(&format!("/outbox/{failed}/retry"), &[]).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'outbox.retry'").await, 1);
    // Paging: 60 mails make two pages.
    for i in 0..60 {
        queue_raw(&app.db.db, &format!("p{i}@example.org"), HELD).await;
    }
    let (_, _, first) = app.page("/outbox").await;
    assert!(first.contains("p59@example.org") && !first.contains("p5@example.org"));
    let older = first.split(r#"rel="next" href=""#).nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let (_, _, second) = app.page(&older).await;
    assert!(second.contains("p5@example.org") && second.contains("x@example.org"), "{older}");
    assert!(second.contains(r#"rel="prev""#));
}

both_backends!(
    resend_confirmation_delivers_a_confirm_link,
    an_unreachable_server_is_retried_with_backoff,
    mail_is_given_up_after_the_last_attempt_or_a_permanent_error,
    two_workers_never_deliver_a_mail_twice,
    test_mode_holds_mail_and_never_sends_it,
    forgot_password_answers_the_same_and_mails_only_a_match,
    forgot_password_rejects_hostile_input_and_is_throttled,
    concurrent_forgot_requests_lose_nothing,
    the_outbox_page_is_for_admins,
);
