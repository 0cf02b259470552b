//! The app's push, end to end, as a CI job runs it: a visitor turns notifications on, the app
//! server stores the subscription, sends, and the visitor's browser shows exactly that.
//!
//! The app is `examples/leptos-ssr`, built as its README says; `APP_SERVER` is its server and
//! `APP_SITE` its site root. Firefox runs headless through `geckodriver` (on `PATH`, or
//! `GECKODRIVER`), with its push pointed at a push service on loopback that this test starts.

use fantoccini::{Client, ClientBuilder, Locator};
use wasm_push_service::PushService;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

#[tokio::test]
async fn a_visitor_turns_on_notifications_and_sees_exactly_what_the_app_server_sent() {
    let push_service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let app = App::start().await;
    let firefox = Firefox::start(&push_service).await;
    let page = &firefox.client.clone();

    page.goto(&app.origin).await.unwrap();
    wait_for_text(page, "#status", "Not subscribed").await;
    page.find(Locator::Css("#toggle")).await.unwrap().click().await.unwrap();
    wait_for_text(page, "#status", "Subscribed").await;
    // The app server stored the subscription, whose endpoint is at the push service.
    let stored = eventually(|| {
        let stored = app.stored_endpoints();
        (stored.len() == 1).then_some(stored)
    })
    .await;
    assert!(stored[0].starts_with(&format!("http://{}/push/", push_service.addr())), "{stored:?}");

    // The page's form asks the app server to send to every subscriber.
    page.find(Locator::Css("#title")).await.unwrap().send_keys("Your order has shipped").await.unwrap();
    page.find(Locator::Css("#body")).await.unwrap().send_keys("It arrives on Tuesday").await.unwrap();
    page.find(Locator::Css("#send")).await.unwrap().click().await.unwrap();
    wait_for_text(page, "#outcome", "Sent to 1; 0 gone and removed; 0 failed.").await;

    // What the visitor sees: the notification the service worker showed.
    let shown = eventually_async(async || {
        let shown = notifications(page).await;
        (!shown.is_empty()).then_some(shown)
    })
    .await;
    assert_eq!(shown, [json!(["Your order has shipped", "It arrives on Tuesday"])]);
    // The push service took exactly one push, and the browser took it in (its ack may come
    // just after the notification shows).
    assert_eq!(push_service.arrivals().len(), 1);
    let receipts = eventually(|| {
        let receipts: Vec<_> = push_service.receipts().iter().map(|r| (r.kind, r.code)).collect();
        (!receipts.is_empty()).then_some(receipts)
    })
    .await;
    assert_eq!(receipts, [("ack", 100)]);
    firefox.close().await;
}

/// The title and body of each notification the page's service worker shows.
async fn notifications(page: &Client) -> Vec<Value> {
    let script = "const done = arguments[arguments.length - 1];
        navigator.serviceWorker.ready.then(r => r.getNotifications())
            .then(shown => done(shown.map(n => [n.title, n.body])), e => done(String(e)));";
    match page.execute_async(script, vec![]).await.unwrap() {
        Value::Array(shown) => shown,
        other => panic!("getNotifications() failed: {other}"),
    }
}

async fn wait_for_text(page: &Client, selector: &str, expected: &str) {
    eventually_async(async || {
        let element = page.find(Locator::Css(selector)).await.ok()?;
        (element.text().await.ok()? == expected).then_some(())
    })
    .await;
}

/// Tries `check` every 100 ms for 15 s.
async fn eventually<T>(mut check: impl FnMut() -> Option<T>) -> T {
    eventually_async(async || check()).await
}

async fn eventually_async<T>(mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..150 {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within 15 s");
}

fn setting(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: see this recipe's README"))
}

/// The app's server on a free loopback port, with an empty data folder; stopped when dropped.
struct App {
    origin: String,
    data: PathBuf,
    _process: Child,
}

impl App {
    async fn start() -> App {
        let data = std::env::temp_dir().join(format!("ci-push-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let port = free_port().await;
        let mut process = Command::new(setting("APP_SERVER"))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", setting("APP_SITE"))
            .env("PUSH_DATA", &data)
            .env("VAPID_SUBJECT", "mailto:ci@your.site")
            // The app's sender takes endpoints on loopback: the push service of this test.
            .env("WASM_PUSH_ENDPOINTS", "loopback")
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("APP_SERVER starts");
        let mut lines = BufReader::new(process.stdout.take().expect("piped")).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the app says where it listens within 30 s")
            .unwrap()
            .expect("the app says where it listens");
        assert_eq!(first, format!("listening on http://127.0.0.1:{port}"));
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        App { origin: format!("http://127.0.0.1:{port}"), data, _process: process }
    }

    /// The endpoints in the app's `subscriptions` table.
    fn stored_endpoints(&self) -> Vec<String> {
        let Ok(db) = rusqlite::Connection::open(self.data.join("subscriptions.sqlite3")) else { return vec![] };
        let Ok(mut rows) = db.prepare("SELECT endpoint FROM subscriptions") else { return vec![] };
        rows.query_map([], |row| row.get(0)).map(|rows| rows.flatten().collect()).unwrap_or_default()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // The server first, then its data.
        let _ = self._process.start_kill();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// Headless Firefox through geckodriver, its push pointed at `push_service`; both end when
/// dropped.
struct Firefox {
    client: Client,
    _driver: Driver,
}

/// geckodriver, and the Firefox it started, in a process group of their own: the whole group
/// goes when this is dropped, after a failed test too. (A Ctrl-C in a terminal stops only the
/// test, which drops nothing: `pkill geckodriver` then.)
struct Driver(Child);

impl Firefox {
    async fn start(push_service: &PushService) -> Firefox {
        let port = free_port().await;
        let geckodriver = std::env::var("GECKODRIVER").unwrap_or_else(|_| "geckodriver".into());
        let driver = Driver(
            Command::new(&geckodriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("{geckodriver} starts: {e}")),
        );
        let mut options = json!({"args": ["-headless"], "prefs": push_service.firefox_prefs()});
        if let Ok(binary) = std::env::var("FIREFOX") {
            options["binary"] = binary.into();
        }
        let capabilities = json!({"moz:firefoxOptions": options});
        let url = format!("http://127.0.0.1:{port}");
        let client = eventually_async(async || {
            let mut builder = ClientBuilder::rustls().ok()?;
            builder.capabilities(capabilities.as_object()?.clone());
            builder.connect(&url).await.ok()
        })
        .await;
        Firefox { client, _driver: driver }
    }
}

impl Firefox {
    /// Ends the session, which closes Firefox.
    async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(group) = self.0.id() {
            let _ = std::process::Command::new("kill").args(["-KILL", "--", &format!("-{group}")]).status();
        }
    }
}

async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}
