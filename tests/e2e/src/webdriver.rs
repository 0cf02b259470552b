//! A small WebDriver client for chromedriver and geckodriver: start a headless browser, open
//! pages, click and type, run scripts, read notifications, take screenshots.

use crate::devtools::DevTools;
use crate::{eventually, free_port, setting};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use tokio::process::{Child, Command};

/// A browser driven through WebDriver. Dropping it ends the session (which closes the browser)
/// and then the driver: killing only the driver would leave the browser running.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    base: String,
    capabilities: Value,
    driver: Child,
    /// The driver's and the browser's `TMPDIR`: chromedriver leaves each profile it made there
    /// (about 20 MB) even after a clean `DELETE /session`, so the directory goes with the browser.
    temporary: PathBuf,
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

    /// WebKitGTK's MiniBrowser (`WEBKITDRIVER`) on the display `cargo xtask test` started
    /// (`DISPLAY`): service workers and notifications, but no Push API, as in many embedded and
    /// older browsers.
    pub async fn webkit() -> Browser {
        Browser::start(&setting("WEBKITDRIVER"), json!({})).await
    }

    /// WebKitGTK's MiniBrowser saying `user_agent`: with an iPhone's, a page sees what Safari
    /// shows a tab on iOS (WebKit, no `PushManager`, not opened from the Home Screen).
    pub async fn webkit_as(user_agent: &str) -> Browser {
        // The driver takes arguments for the browser only beside the browser's path.
        let binary = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/libexec"]
            .iter()
            .flat_map(|lib| ["webkit2gtk-4.1", "webkit2gtk-4.0"].map(|api| format!("{lib}/{api}/MiniBrowser")))
            .find(|path| std::path::Path::new(path).exists())
            .expect("WebKitGTK's MiniBrowser (Debian's webkit2gtk-driver)");
        let options = json!({"binary": binary, "args": ["--automation", format!("--user-agent={user_agent}")]});
        Browser::start(&setting("WEBKITDRIVER"), json!({"webkitgtk:browserOptions": options})).await
    }

    /// Headless Firefox ESR with notifications allowed and push pointed at `push_service`.
    pub async fn firefox(push_service: &wasm_push_service::PushService) -> Browser {
        let capabilities = json!({
            "browserName": "firefox",
            "moz:firefoxOptions": {
                "binary": "/usr/bin/firefox-esr",
                "args": ["-headless"],
                "prefs": push_service.firefox_prefs(),
            }
        });
        Browser::start(&setting("GECKODRIVER"), capabilities).await
    }

    async fn start(driver: &str, capabilities: Value) -> Browser {
        let port = free_port().await;
        // Short: Chromium's `SingletonSocket` goes two levels under it, and a Unix socket's
        // path holds 107 bytes at most. Under a deep checkout's TMPDIR, `/tmp` instead.
        let base = Some(std::env::temp_dir()).filter(|dir| dir.as_os_str().len() <= 40);
        let temporary = base.unwrap_or_else(|| "/tmp".into()).join(format!("wpb-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&temporary).unwrap_or_else(|e| panic!("cannot create {}: {e}", temporary.display()));
        let process = Command::new(driver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &temporary)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            // Its own process group, which the browser it starts joins: see `Drop`.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver}: {e}"));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        eventually(Duration::from_secs(20), Duration::from_millis(100), async || {
            http.get(format!("{base}/status")).send().await.map_err(|_| format!("{driver} did not start"))
        })
        .await;
        let body = json!({"capabilities": {"alwaysMatch": capabilities}});
        let answer: Value =
            http.post(format!("{base}/session")).json(&body).send().await.unwrap().json().await.unwrap();
        let session =
            answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}")).to_owned();
        let capabilities = answer["value"]["capabilities"].clone();
        Browser { http, session, base, capabilities, driver: process, temporary }
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
        eventually(Duration::from_secs(20), Duration::from_millis(100), async || {
            let text = self.text_of(css).await;
            text.clone()
                .filter(|t| t.contains(part))
                .ok_or_else(|| format!("{css} never said {part:?}; it says {text:?}"))
        })
        .await
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
        let script = "const s = document.getElementById('status'); return s && s.dataset.state === 'done' ? s.textContent : null";
        eventually(Duration::from_secs(20), Duration::from_millis(100), async || {
            let status = self.run(script).await;
            status.as_str().map(str::to_owned).ok_or_else(|| "the page never said how registration went".to_owned())
        })
        .await
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
        eventually(Duration::from_secs(15), Duration::from_millis(50), async || {
            let shown = self.notifications().await;
            let found = shown.iter().find(|(_, _, t)| t == tag).map(|(title, body, _)| (title.clone(), body.clone()));
            found.ok_or_else(|| format!("no notification tagged {tag:?}; shown: {shown:?}"))
        })
        .await
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
        DevTools::connect(url).await
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
        // A killed process can still be writing for a moment.
        if std::fs::remove_dir_all(&self.temporary).is_err() {
            std::thread::sleep(Duration::from_millis(300));
            let _ = std::fs::remove_dir_all(&self.temporary);
        }
    }
}
