//! `spawn_app`: the real Steward on a random port, over a fresh SQLite file or
//! a fresh PostgreSQL database (created here, dropped when the app drops).

#![allow(dead_code)]

pub mod content;
pub mod process;

use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::redirect::Policy;
use steward::auth::{password, tokens as codec};
use steward::domain::Staff;
use steward::domain::{Email, Nickname, Password, Role};
use steward::server::config::Config;
use steward::server::live::Overrides;
use steward::server::startup;
use steward::server::storage::{Db, tokens, users};

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one async test body against both backends as two `#[tokio::test]`s.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::common::Backend::Sqlite).await } )* }
        mod postgres { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::common::Backend::Postgres).await } )* }
    };
}

pub struct TestDb {
    pub db: Db,
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<tempdir::Dir>,
}

mod tempdir {
    /// A temporary folder removed on drop.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique() -> String {
    format!("{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), steward::server::storage::now())
}

impl TestDb {
    /// A fresh, migrated database. PostgreSQL must be reachable: these tests
    /// fail (never skip) without it.
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("steward-test-{}", unique()));
                let url = format!("sqlite://{}/steward.db", dir.display());
                let db = Db::connect(&url).await.expect("sqlite opens");
                TestDb { db, url, pg_name: None, _dir: Some(tempdir::Dir(dir)) }
            }
            Backend::Postgres => {
                let name = format!("steward_test_{}", unique());
                let admin = Db::connect_admin(PG_ADMIN_URL).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL at {PG_ADMIN_URL} is required for the PostgreSQL half of the suite: {e:?}")
                });
                admin.exec(&format!("CREATE DATABASE {name}")).await.expect("create test database");
                let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
                let db = Db::connect(&url).await.expect("postgres opens");
                TestDb { db, url, pg_name: Some(name), _dir: None }
            }
        }
    }

    /// Inserts a staff account (or a plain user with `role: None`) with [`PASSWORD`].
    pub async fn create_user(&self, nickname: &str, role: Option<Role>) -> Staff {
        let hash = password::hash(&Password::parse(PASSWORD, "p").unwrap()).await.unwrap();
        let nick = Nickname::parse(nickname).unwrap();
        let email = Email::parse(&format!("{nickname}@example.org")).unwrap();
        let mut tx = self.db.begin().await.unwrap();
        let new = users::NewUser { nickname: &nick, email: &email, display_name: nickname, password_hash: &hash, role };
        let id = users::insert(tx.conn(), &new).await.unwrap();
        tx.commit().await.unwrap();
        Staff { id, nickname: nickname.into(), role: role.unwrap_or(Role::Moderator) }
    }

    pub async fn token_for(&self, staff: &Staff) -> String {
        codec::issue(&self.db, staff, "test", tokens::Scope::Admin).await.unwrap().1
    }

    pub async fn count(&self, sql: &str) -> i64 {
        self.db.scalar_i64(sql).await.unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else { return };
        let db = self.db.clone();
        // Drop runs inside the test's runtime: use a thread with its own.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                // Bounded: a connection the test still held goes back to the
                // pool through the test's runtime, which is blocked in this
                // drop, so an unbounded close could wait forever. The FORCE
                // below ends whatever is left open.
                let _ = tokio::time::timeout(std::time::Duration::from_secs(2), db.close()).await;
                if let Ok(admin) = Db::connect_admin(PG_ADMIN_URL).await {
                    let _ = admin.exec(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                }
            });
        })
        .join()
        .unwrap();
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

pub fn config_for(addr: std::net::SocketAddr) -> Config {
    Config {
        addr,
        public_url: None,
        secure_cookies: false,
        env: test_overrides(),
        clock: Default::default(),
        webhook_pace: Default::default(),
    }
}

/// What the test apps are started with, as an operator would set it in the
/// environment (so it wins over stored settings): tight sign-in limits, loose
/// public-form limits, no network.
pub fn test_overrides() -> Overrides {
    let mut o = Overrides::default();
    o.set("throttling.login_failures_per_account", 3);
    o.set("throttling.login_failures_per_ip", 6);
    o.set("throttling.login_window_minutes", 15);
    o.set("throttling.registrations_per_ip", 1000);
    o.set("limits.read_concurrency", 4);
    // Nothing listens there: a test that turns `hibp` on starts its own range server.
    o.set("registration.hibp_url", "http://127.0.0.1:9/");
    o.set("email.from", "Steward <steward@test.invalid>");
    o
}

/// An app with an admin signed in on `app.client`, and the admin's API token.
pub async fn admin_app(backend: Backend) -> (TestApp, String) {
    let app = spawn_app(backend).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    assert_eq!(app.login("admin", PASSWORD).await.status(), 303);
    (app, token)
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::new(backend).await;
    serve_db(db, tweak).await
}

/// A second Steward process on the same database: its own pool, its own port.
pub async fn spawn_peer(of: &TestApp) -> TestApp {
    let db = TestDb { db: Db::connect(&of.db.url).await.unwrap(), url: of.db.url.clone(), pg_name: None, _dir: None };
    serve_db(db, |_| {}).await
}

async fn serve_db(db: TestDb, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = config_for(addr);
    tweak(&mut config);
    let options = leptos::config::LeptosOptions::builder().output_name("steward").site_root("target/site").build();
    let router = startup::build(db.db.clone(), config, options).await.expect("app builds");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(startup::serve_on(listener, router, async move {
        let _ = rx.await;
    }));
    let base = format!("http://{addr}");
    TestApp { client: client(), base, db, shutdown: Some(tx) }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests assert them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A same-origin form post, as a browser on our pages sends it.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(self.url(path)).header("Origin", &self.base).form(form).send().await.unwrap()
    }

    pub async fn login(&self, nickname: &str, password: &str) -> reqwest::Response {
        self.post_form("/login", &[("nickname", nickname), ("password", password)]).await
    }

    /// Signs in from another browser (its own cookie jar): the browser and
    /// the sign-in's answer.
    pub async fn login_elsewhere(&self, nickname: &str, password: &str) -> (reqwest::Client, reqwest::Response) {
        let c = client();
        let res = c
            .post(self.url("/login"))
            .header("Origin", &self.base)
            .form(&[("nickname", nickname), ("password", password)])
            .send()
            .await
            .unwrap();
        (c, res)
    }

    /// GET with redirects followed, returning (final status, final path, body).
    pub async fn page(&self, path: &str) -> (u16, String, String) {
        let mut url = self.url(path);
        for _ in 0..5 {
            let res = self.client.get(&url).send().await.unwrap();
            if res.status().is_redirection() {
                let loc = res.headers()["location"].to_str().unwrap().to_owned();
                url = if loc.starts_with("http") { loc } else { self.url(&loc) };
                continue;
            }
            let status = res.status().as_u16();
            let path = res.url().path().to_owned();
            return (status, path, res.text().await.unwrap());
        }
        panic!("redirect loop at {url}");
    }

    pub async fn api(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new().request(method, self.url(path)).bearer_auth(token)
    }
}

/// A GET carrying only the given session cookie (a replayed or stolen cookie).
pub async fn get_with_session(base_url: &str, path: &str, cookie: &str) -> reqwest::Response {
    client()
        .get(format!("{base_url}{path}"))
        .header("Cookie", format!("{}={cookie}", startup::SESSION_COOKIE))
        .send()
        .await
        .unwrap()
}

/// The value of `steward_session` in a response's Set-Cookie, if any.
pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers().get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let pair = v.split(';').next()?;
        pair.strip_prefix(&format!("{}=", startup::SESSION_COOKIE)).map(str::to_owned)
    })
}
