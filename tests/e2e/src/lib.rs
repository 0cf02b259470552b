//! Harness for the end-to-end tests: a static server for the built site, a small WebDriver
//! client for chromedriver and geckodriver, and a DevTools connection for Chromium. (The app
//! server's key and sender are `push_service::testing`.)
//!
//! `cargo xtask test` builds the site into `target/www` and sets `WASM_PUSH_SITE`,
//! `CHROMEDRIVER` and `GECKODRIVER` before running these.

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

/// A setting `cargo xtask test` provides; a clear panic when run otherwise.
pub fn setting(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run these tests through `cargo xtask test`"))
}

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
        use tokio::io::AsyncBufReadExt;
        assert!(site.join("sw.js").exists(), "{} has no sw.js: build the site first", site.display());
        let data = std::env::temp_dir().join(format!("wasm-push-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let mut process = Command::new(setting("WASM_PUSH_DEMO_SERVER"))
            .args(["--addr", "127.0.0.1:0", "--data"])
            .arg(&data)
            .arg("--root")
            .arg(site)
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the demo server starts");
        let stdout = process.stdout.take().expect("piped");
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let first = lines.next_line().await.unwrap().expect("the demo server says where it listens");
        let origin = first.split("open ").nth(1).unwrap().split('/').take(3).collect::<Vec<_>>().join("/");
        // Keep reading so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        DemoServer { origin, data, _process: process }
    }

    /// The endpoints stored in its SQLite file.
    pub fn stored_endpoints(&self) -> Vec<String> {
        let db = rusqlite::Connection::open(self.data.join("subscriptions.sqlite3")).unwrap();
        let mut statement = db.prepare("SELECT endpoint FROM subscriptions").unwrap();
        statement.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
    }
}

async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A browser driven through WebDriver. Dropping it ends the session (which closes the browser)
/// and then the driver: killing only the driver would leave the browser running.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    base: String,
    capabilities: Value,
    driver: Child,
}

const CHROMIUM_ARGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
];

impl Browser {
    /// Headless Chromium with notifications allowed.
    pub async fn chromium() -> Browser {
        Browser::chromium_with(true, &[]).await
    }

    /// Headless Chromium; `notifications_allowed: false` leaves the permission at "default".
    pub async fn chromium_with(notifications_allowed: bool, extra_args: &[&str]) -> Browser {
        let mut args: Vec<&str> = CHROMIUM_ARGS.to_vec();
        args.extend_from_slice(extra_args);
        let mut options = json!({"args": args, "prefs": {}});
        if notifications_allowed {
            options["prefs"]["profile.default_content_setting_values.notifications"] = 1.into();
        }
        let capabilities = json!({"browserName": "chrome", "goog:chromeOptions": options});
        Browser::start(&setting("CHROMEDRIVER"), capabilities).await
    }

    /// Headless Firefox ESR with notifications allowed and push pointed at `push_service`.
    pub async fn firefox(push_service: &str) -> Browser {
        let capabilities = json!({
            "browserName": "firefox",
            "moz:firefoxOptions": {
                "binary": "/usr/bin/firefox-esr",
                "args": ["-headless"],
                "prefs": {
                    "permissions.default.desktop-notification": 1,
                    "alerts.useSystemBackend": false,
                    "dom.push.testing.ignorePermission": true,
                    "dom.push.enabled": true,
                    "dom.push.connection.enabled": true,
                    "dom.push.serverURL": push_service,
                    "dom.push.testing.allowInsecureServerURL": true,
                    // Reconnect soon after the push service drops the connection (default 5 s,
                    // doubling with each failure).
                    "dom.push.retryBaseInterval": 300
                }
            }
        });
        Browser::start(&setting("GECKODRIVER"), capabilities).await
    }

    async fn start(driver: &str, capabilities: Value) -> Browser {
        let port = free_port().await;
        let process = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            // Its own process group, which the browser it starts joins: see `Drop`.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver}: {e}"));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "{driver} did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = json!({"capabilities": {"alwaysMatch": capabilities}});
        let answer: Value =
            http.post(format!("{base}/session")).json(&body).send().await.unwrap().json().await.unwrap();
        let session =
            answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}")).to_owned();
        let capabilities = answer["value"]["capabilities"].clone();
        Browser { http, session, base, capabilities, driver: process }
    }

    /// `DELETE /session/{id}` over a plain blocking socket: `Drop` cannot await.
    fn end_session(&self) {
        use std::io::{Read, Write};
        let Some(authority) = self.base.strip_prefix("http://") else { return };
        let Ok(mut stream) = std::net::TcpStream::connect(authority) else { return };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
        let request = format!(
            "DELETE /session/{} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.session
        );
        if stream.write_all(request.as_bytes()).is_ok() {
            // The answer comes once the browser has quit.
            let _ = stream.read(&mut [0u8; 1024]);
        }
    }

    async fn command(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}/{path}", self.base, self.session);
        let answer: Value = self.http.post(url).json(&body).send().await.unwrap().json().await.unwrap();
        if answer["value"]["error"].is_string() {
            panic!("WebDriver {path} failed: {}", answer["value"]);
        }
        answer["value"].clone()
    }

    /// Opens a page.
    pub async fn goto(&self, url: &str) {
        self.command("url", json!({"url": url})).await;
    }

    /// Clicks the element `css` selects.
    pub async fn click(&self, css: &str) {
        let element = self.element(css).await;
        self.command(&format!("element/{element}/click"), json!({})).await;
    }

    /// Replaces the text of the input `css` selects.
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.element(css).await;
        self.command(&format!("element/{element}/clear"), json!({})).await;
        self.command(&format!("element/{element}/value"), json!({"text": text})).await;
    }

    async fn element(&self, css: &str) -> String {
        let found = self.command("element", json!({"using": "css selector", "value": css})).await;
        found.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).expect("an element id").to_owned()
    }

    /// The text of the element `css` selects, or `None` when there is none.
    pub async fn text_of(&self, css: &str) -> Option<String> {
        let script = format!("const e = document.querySelector({css:?}); return e ? e.textContent : null");
        self.run(&script).await.as_str().map(str::to_owned)
    }

    /// Polls until the element `css` selects has text containing `part`; returns the text.
    pub async fn wait_for_text(&self, css: &str, part: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text_of(css).await;
            if let Some(text) = text.as_ref().filter(|t| t.contains(part)) {
                return text.clone();
            }
            assert!(Instant::now() < deadline, "{css} never said {part:?}; it says {text:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the page as `name.png` in `WASM_PUSH_SCREENSHOTS` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        let dir = PathBuf::from(setting("WASM_PUSH_SCREENSHOTS"));
        std::fs::create_dir_all(&dir).unwrap();
        self.run("window.scrollTo(0, 0)").await;
        let url = format!("{}/session/{}/screenshot", self.base, self.session);
        let answer: Value = self.http.get(url).send().await.unwrap().json().await.unwrap();
        let png = base64::engine::general_purpose::STANDARD.decode(answer["value"].as_str().unwrap()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Runs a script in the page and returns its value.
    pub async fn run(&self, script: &str) -> Value {
        self.command("execute/sync", json!({"script": script, "args": []})).await
    }

    /// Runs a script in the page that awaits a promise and returns its value.
    pub async fn run_async(&self, promise_expression: &str) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             Promise.resolve().then(() => {promise_expression}).then(done, e => done({{error: String(e)}}));"
        );
        self.command("execute/async", json!({"script": script, "args": []})).await
    }

    /// Waits until the demo page says how registering its worker went; returns what it said.
    pub async fn wait_for_worker(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let status = self.run("const s = document.getElementById('status'); return s && s.dataset.state === 'done' ? s.textContent : null").await;
            if let Some(text) = status.as_str() {
                return text.to_owned();
            }
            assert!(Instant::now() < deadline, "the page never said how registration went");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What the page's worker registration shows now: (title, body, tag) of each notification.
    pub async fn notifications(&self) -> Vec<(String, String, String)> {
        let list = self
            .run_async("navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.map(n => [n.title, n.body, n.tag]))")
            .await;
        let list = list.as_array().unwrap_or_else(|| panic!("getNotifications failed: {list}"));
        list.iter()
            .map(|n| {
                let text = |i: usize| n[i].as_str().unwrap_or_default().to_owned();
                (text(0), text(1), text(2))
            })
            .collect()
    }

    /// Polls until a notification with `tag` is shown; returns its (title, body).
    pub async fn wait_for_notification(&self, tag: &str) -> (String, String) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let shown = self.notifications().await;
            if let Some((title, body, _)) = shown.iter().find(|(_, _, t)| t == tag) {
                return (title.clone(), body.clone());
            }
            assert!(Instant::now() < deadline, "no notification tagged {tag:?}; shown: {shown:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A DevTools connection to the current page (Chromium only).
    pub async fn devtools(&self) -> DevTools {
        let address = self.capabilities["goog:chromeOptions"]["debuggerAddress"]
            .as_str()
            .expect("chromedriver reports the DevTools address");
        let targets: Value =
            self.http.get(format!("http://{address}/json/list")).send().await.unwrap().json().await.unwrap();
        let page = targets.as_array().and_then(|t| t.iter().find(|t| t["type"] == "page")).expect("a page target");
        let url = page["webSocketDebuggerUrl"].as_str().unwrap();
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        DevTools { socket, next_id: 0, events: Vec::new() }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.end_session();
        // The driver can answer the DELETE before the browser has quit, and a browser whose
        // driver is gone stays behind: whatever is left of the group goes now.
        if let Some(group) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

/// A Chrome DevTools Protocol session on one page.
pub struct DevTools {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    next_id: u64,
    /// Events seen so far, oldest first.
    pub events: Vec<Value>,
}

impl DevTools {
    /// Sends a command and waits for its result, keeping the events that arrive meanwhile.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.call_in(None, method, params).await
    }

    /// The same, in a session attached with `Target.attachToTarget` (`flatten: true`).
    pub async fn call_in(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut request = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            request["sessionId"] = session.into();
        }
        self.socket.send(Message::text(request.to_string())).await.unwrap();
        loop {
            let message = self.next().await;
            if message["id"] == id {
                if message["error"].is_object() {
                    panic!("{method} failed: {}", message["error"]);
                }
                return message["result"].clone();
            }
            self.events.push(message);
        }
    }

    /// Waits for the next event named one of `methods`: (its name, its params).
    pub async fn next_event_any(&mut self, methods: &[&str]) -> (String, Value) {
        loop {
            let message = self.next().await;
            if let Some(method) = message["method"].as_str().filter(|m| methods.contains(m)) {
                return (method.to_owned(), message["params"].clone());
            }
            self.events.push(message);
        }
    }

    async fn next(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(15), self.socket.next())
                .await
                .expect("DevTools answered within 15 s")
                .expect("DevTools connection open")
                .unwrap();
            if let Message::Text(text) = frame {
                return serde_json::from_str(&text).unwrap();
            }
        }
    }

    /// The id of the service-worker registration for `scope_url`, from the
    /// `ServiceWorker.workerRegistrationUpdated` events (the domain must be enabled).
    pub async fn registration_id(&mut self, scope_url: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let found = self.events.iter().rev().find_map(|event| {
                (event["method"] == "ServiceWorker.workerRegistrationUpdated").then_some(())?;
                event["params"]["registrations"].as_array()?.iter().find_map(|r| {
                    (r["scopeURL"] == scope_url && r["isDeleted"] != true)
                        .then(|| r["registrationId"].as_str().map(str::to_owned))?
                })
            });
            if let Some(id) = found {
                return id;
            }
            assert!(Instant::now() < deadline, "no registration for {scope_url} in {:?}", self.events);
            let event = self.next().await;
            self.events.push(event);
        }
    }
}

/// A built site served by the demo server, open in headless Chromium with its worker active, and
/// a DevTools session that knows the worker's registration id (notifications granted, the
/// ServiceWorker domain on): what the Chromium end-to-end tests, the benchmark and the trace
/// start from.
pub async fn demo_serving(name: &str, site: &std::path::Path) -> (DemoServer, Browser, DevTools, String) {
    let server = DemoServer::serving(name, site).await;
    let origin = server.origin.clone();
    let browser = Browser::chromium().await;
    browser.goto(&format!("{origin}/")).await;
    let status = browser.wait_for_worker().await;
    assert_eq!(status, format!("Service worker registered and active for {origin}/"));
    let mut devtools = browser.devtools().await;
    // The profile preference allows notifications already; granting here keeps the callers
    // independent of how the profile is set up.
    devtools.call("Browser.grantPermissions", json!({"permissions": ["notifications"], "origin": origin})).await;
    devtools.call("ServiceWorker.enable", json!({})).await;
    let registration = devtools.registration_id(&format!("{origin}/")).await;
    (server, browser, devtools, registration)
}
