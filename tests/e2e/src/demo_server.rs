//! The demo server serving a built site on a loopback port, as the end-to-end tests use it, and
//! what starting any of the servers they test takes: a free port, a fresh data folder, the
//! line saying where it listens, the endpoints it stored.

use crate::setting;
use std::path::PathBuf;
use tokio::process::{Child, Command};

/// The demo server (`WASM_PUSH_DEMO_SERVER`) serving the built site (`WASM_PUSH_SITE`) on a
/// free loopback port, with a fresh data directory; it stops when dropped.
pub struct DemoServer {
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    /// Its data directory (the SQLite file and the VAPID keys).
    pub data: PathBuf,
    _process: Child,
}

impl DemoServer {
    /// Starts it on the built site and waits for its "open http://…" line.
    pub async fn start(name: &str) -> DemoServer {
        DemoServer::serving(name, &PathBuf::from(setting("WASM_PUSH_SITE"))).await
    }

    /// Starts it on another copy of the site (the benchmark's JavaScript baseline).
    pub async fn serving(name: &str, site: &std::path::Path) -> DemoServer {
        DemoServer::serving_hosts(name, site, &[], &[]).await
    }

    /// The same, with more of the server's flags (`--delay-ms 100`: an origin far away).
    pub async fn serving_with(name: &str, site: &std::path::Path, flags: &[&str]) -> DemoServer {
        DemoServer::serving_hosts(name, site, &[], flags).await
    }

    /// Starts it on the built site, serving `hosts` too (names a browser maps to loopback with
    /// `--host-resolver-rules`) besides `127.0.0.1` and `localhost`: the server refuses any
    /// other `Host`, as a page on a rebound DNS name would send.
    pub async fn start_for_hosts(name: &str, hosts: &[&str]) -> DemoServer {
        DemoServer::serving_hosts(name, &PathBuf::from(setting("WASM_PUSH_SITE")), hosts, &[]).await
    }

    async fn serving_hosts(name: &str, site: &std::path::Path, hosts: &[&str], flags: &[&str]) -> DemoServer {
        // The origins name the port, so take a free one first.
        let port = free_port().await;
        let origins: Vec<String> =
            ["127.0.0.1", "localhost"].iter().chain(hosts).map(|host| format!("http://{host}:{port}")).collect();
        assert!(site.join("sw.js").exists(), "{} has no sw.js: build the site first", site.display());
        let data = fresh_data(name);
        let mut command = Command::new(setting("WASM_PUSH_DEMO_SERVER"));
        command
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--origin")
            .arg(origins.join(","))
            .arg("--data")
            .arg(&data)
            .arg("--root")
            .arg(site)
            // The loopback push service is the push service here.
            .args(["--endpoints", "loopback"])
            .args(flags);
        let (process, first) = start_server(command, "the demo server").await;
        let origin = first.split("open ").nth(1).unwrap().split('/').take(3).collect::<Vec<_>>().join("/");
        DemoServer { origin, data, _process: process }
    }

    /// The endpoints stored in its SQLite file.
    pub fn stored_endpoints(&self) -> Vec<String> {
        stored_endpoints(&self.data.join("subscriptions.sqlite3"))
    }
}

/// The endpoints in the `subscriptions` table of the SQLite file `database`: what the demo
/// server, and the recipes' servers, have stored.
pub fn stored_endpoints(database: &std::path::Path) -> Vec<String> {
    let db = rusqlite::Connection::open(database).unwrap();
    let mut statement = db.prepare("SELECT endpoint FROM subscriptions").unwrap();
    statement.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
}

/// A loopback port that is free now, for a server or driver about to start.
pub async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// An empty data folder for a server started by the test `name`, in this run's temp folder.
pub fn fresh_data(name: &str) -> PathBuf {
    let data = std::env::temp_dir().join(format!("wasm-push-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    data
}

/// Starts `command`, a server (`what`) that prints a line saying where it listens, stopped when
/// the child is dropped; answers the child and that line. The rest of its output is read, so
/// it never blocks on a full pipe.
pub async fn start_server(mut command: Command, what: &str) -> (Child, String) {
    use tokio::io::AsyncBufReadExt;
    let mut process = command
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{what} starts: {e}"));
    let mut lines = tokio::io::BufReader::new(process.stdout.take().expect("piped")).lines();
    let first = lines.next_line().await.unwrap().unwrap_or_else(|| panic!("{what} says where it listens"));
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (process, first)
}
