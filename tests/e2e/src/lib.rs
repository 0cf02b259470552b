//! Harness for the end-to-end tests: the demo server for the built site (`demo_server.rs`), a
//! small WebDriver client for chromedriver and geckodriver (`webdriver.rs`), and a DevTools
//! connection for Chromium (`devtools.rs`). (The app
//! server's key and sender are `wasm_push_service::testing`.)
//!
//! `cargo xtask test` builds the site into `target/www` and sets `WASM_PUSH_SITE`,
//! `CHROMEDRIVER` and `GECKODRIVER` before running these.

mod demo_server;
mod devtools;
mod webdriver;

pub use demo_server::{free_port, fresh_data, start_server, stored_endpoints, DemoServer};
pub use devtools::DevTools;
pub use webdriver::Browser;

use serde_json::json;
use std::time::{Duration, Instant};

/// A setting `cargo xtask test` provides; a clear panic when run otherwise.
pub fn setting(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run these tests through `cargo xtask test`"))
}

/// Tries `attempt` until it answers `Ok`, pausing `pause` between tries; once `within` has
/// passed, panics with what the last try said. Every wait for the browser goes through this.
pub async fn eventually<T, E: std::fmt::Display>(
    within: Duration,
    pause: Duration,
    mut attempt: impl AsyncFnMut() -> Result<T, E>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        match attempt().await {
            Ok(value) => return value,
            Err(why) if Instant::now() >= deadline => panic!("{why}"),
            Err(_) => tokio::time::sleep(pause).await,
        }
    }
}

/// A built site served by the demo server, open in headless Chromium with its worker active, and
/// a DevTools session that knows the worker's registration id (notifications granted, the
/// ServiceWorker domain on): what the Chromium end-to-end tests, the benchmark and the trace
/// start from.
pub async fn demo_serving(name: &str, site: &std::path::Path) -> (DemoServer, Browser, DevTools, String) {
    demo_serving_with(name, site, &[]).await
}

/// The same, the demo server started with more flags (`--delay-ms 100`).
pub async fn demo_serving_with(
    name: &str,
    site: &std::path::Path,
    flags: &[&str],
) -> (DemoServer, Browser, DevTools, String) {
    let server = DemoServer::serving_with(name, site, flags).await;
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
