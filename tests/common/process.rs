//! The real `steward` binary as a child process on a test database: what a
//! second process, a restart or `kill -9` really does.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// `steward serve` on a free port over `url`, with extra environment
    /// variables; returns once `/readyz` answers.
    pub async fn start(url: &str, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(env!("CARGO_BIN_EXE_steward"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        while reqwest::get(format!("{base}/readyz")).await.map(|r| r.status() != 200).unwrap_or(true) {
            assert!(Instant::now() < deadline, "steward did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Server { child, base }
    }

    /// `steward serve --reuse-port` on `port`, which other processes may
    /// share, with JSON logs (requests at debug) written to `log`. Returns
    /// once it logs that it listens: `/readyz` on a shared port may be
    /// answered by another process.
    pub async fn start_sharing(url: &str, port: u16, log: &std::path::Path) -> Server {
        let child = Command::new(env!("CARGO_BIN_EXE_steward"))
            .args(["serve", "--reuse-port", "--addr", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn,steward=info,tower_http=debug")
            .env("STEWARD_LOG_FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let mut server = Server { child, base: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !std::fs::read_to_string(log).unwrap_or_default().contains("steward listening") {
            // Exited (the address refused, say): say why now, not in a minute.
            let running = server.child.try_wait().unwrap().is_none();
            let log = || std::fs::read_to_string(log).unwrap();
            assert!(running && Instant::now() < deadline, "steward did not start listening: {}", log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    /// SIGKILL: no shutdown hook, no chance to roll anything back itself.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a `steward` subcommand over `url` to completion, feeding `stdin`.
pub fn steward(url: &str, args: &[&str], stdin: Option<&str>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .env("DATABASE_URL", url)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    assert!(child.wait().unwrap().success(), "steward {args:?}");
}
