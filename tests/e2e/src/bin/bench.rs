//! The push benchmark, run by `cargo xtask bench`: the shipped Rust worker, the hand-written
//! JavaScript baseline (`xtask/bench/baseline-sw.js`), the wasm floor (`xtask/bench/floor`) and the true
//! floor (`xtask/bench/true-floor.wat`, no wasm-bindgen), each behind the demo page in headless
//! Chromium, fed real `push` events through the DevTools protocol.
//!
//! Latency is the notification's own `timestamp` (set by the browser when the worker creates
//! it) minus the moment the push was handed to DevTools, both read from this machine's clock
//! (whole milliseconds). Inside the worker, `xtask/bench/probe.js` also times each push from the
//! listener's entry to `showNotification`'s promise (`performance.now()`), read over DevTools.
//! Prints one line, `BENCH {json}`, for xtask to tabulate.

use e2e::{demo_serving_with, setting, Browser, DemoServer, DevTools};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SAMPLES: usize = 30;
const BURST: usize = 500;
const BURST_ROUNDS: usize = 3;
/// Bursts into one warm worker, for whether its memory stops growing.
const SOAK_ROUNDS: usize = 10;
/// How late the far origin answers: a site 100 ms away.
const FAR_MS: &str = "100";

fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

struct Page {
    _server: DemoServer,
    browser: Browser,
    devtools: DevTools,
    origin: String,
    registration: String,
}

impl Page {
    async fn open(name: &str, site: &std::path::Path) -> Page {
        Page::open_with(name, site, &[]).await
    }

    /// Served by a demo server started with `flags` (`--delay-ms`).
    async fn open_with(name: &str, site: &std::path::Path, flags: &[&str]) -> Page {
        let (server, browser, devtools, registration) = demo_serving_with(name, site, flags).await;
        let origin = server.origin.clone();
        Page { _server: server, browser, devtools, origin, registration }
    }

    async fn deliver(&mut self, tag: &str) -> f64 {
        let data = json!({"title": "Benchmark", "body": "a push to time", "tag": tag}).to_string();
        let params = json!({"origin": self.origin, "registrationId": self.registration, "data": data});
        let sent = now_ms();
        self.devtools.call("ServiceWorker.deliverPushMessage", params).await;
        sent
    }

    /// (tag, timestamp) of every notification shown, and closes them all.
    async fn take_notifications(&self) -> Vec<(String, f64)> {
        let list = self
            .browser
            .run_async(
                "navigator.serviceWorker.ready.then(r => r.getNotifications())
                   .then(ns => { const seen = ns.map(n => [n.tag, n.timestamp]); ns.forEach(n => n.close()); return seen; })",
            )
            .await;
        list.as_array()
            .map(|list| {
                list.iter().map(|n| (n[0].as_str().unwrap_or("").to_owned(), n[1].as_f64().unwrap_or(0.0))).collect()
            })
            .unwrap_or_default()
    }

    /// Latency of one push: delivered, then read once it has surely settled (headless Chromium
    /// loses a notification when the page reads while the worker is showing it). Answers the
    /// machine-clock latency and the probe's in-worker times (to the `showNotification` call,
    /// and to its promise resolving).
    async fn latency(&mut self, tag: &str, settle: Duration) -> (Option<f64>, Option<[f64; 2]>) {
        let sent = self.deliver(tag).await;
        tokio::time::sleep(settle).await;
        let shown = self.take_notifications().await;
        let inner = self.devtools.worker_evaluate(&self.origin, &format!("self.benchTimings.get({tag:?})")).await;
        let inner = inner.as_array().and_then(|pair| Some([pair.first()?.as_f64()?, pair.get(1)?.as_f64()?]));
        (shown.iter().find(|(t, _)| t == tag).map(|(_, at)| at - sent), inner)
    }

    async fn worker_memory(&mut self) -> Value {
        self.devtools.worker_memory(&self.origin).await
    }
}

/// One worker's latency samples: by the machine's clock, and inside the worker to the
/// `showNotification` call and to its promise, warm and cold.
#[derive(Default)]
struct Samples {
    warm: Vec<f64>,
    cold: Vec<f64>,
    warm_call: Vec<f64>,
    cold_call: Vec<f64>,
    warm_shown: Vec<f64>,
    cold_shown: Vec<f64>,
}

impl Samples {
    fn add(&mut self, cold: bool, (clock, inner): (Option<f64>, Option<[f64; 2]>)) {
        let (at, call, shown) = match cold {
            false => (&mut self.warm, &mut self.warm_call, &mut self.warm_shown),
            true => (&mut self.cold, &mut self.cold_call, &mut self.cold_shown),
        };
        at.extend(clock);
        call.extend(inner.map(|[call, _]| call));
        shown.extend(inner.map(|[_, shown]| shown));
    }
}

/// Warm and cold latency samples of every worker, taken in turns (Rust, JS, floor, true floor,
/// Rust, …) so that whatever else the machine does in a moment weighs on all alike.
async fn latencies<const N: usize>(pages: &mut [Page; N]) -> [Samples; N] {
    let mut samples: [Samples; N] = std::array::from_fn(|_| Samples::default());
    for page in pages.iter_mut() {
        // One push to start the worker and fill its caches.
        page.latency("prime", Duration::from_millis(500)).await;
    }
    for i in 0..SAMPLES {
        for (page, samples) in pages.iter_mut().zip(samples.iter_mut()) {
            samples.add(false, page.latency(&format!("warm-{i}"), Duration::from_millis(300)).await);
        }
    }
    for i in 0..SAMPLES {
        for (page, samples) in pages.iter_mut().zip(samples.iter_mut()) {
            page.devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            samples.add(true, page.latency(&format!("cold-{i}"), Duration::from_millis(700)).await);
        }
    }
    samples
}

/// A burst of pushes into one worker, labelled by `round` so rounds never share a tag: how
/// many distinct notifications showed and the time to the last, then closes them all.
async fn burst(page: &mut Page, round: usize) -> Value {
    let first = now_ms();
    for i in 0..BURST {
        page.deliver(&format!("burst-{round}-{i}")).await;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let shown = loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let list = page.browser.run_async("navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.map(n => [n.tag, n.timestamp]))").await;
        let shown = list.as_array().cloned().unwrap_or_default();
        if shown.len() >= BURST || std::time::Instant::now() > deadline {
            break shown;
        }
    };
    let prefix = format!("burst-{round}-");
    let distinct: std::collections::HashSet<&str> =
        shown.iter().filter_map(|n| n[0].as_str()).filter(|t| t.starts_with(&prefix)).collect();
    let last = shown.iter().filter_map(|n| n[1].as_f64()).fold(first, f64::max);
    page.take_notifications().await;
    json!({"sent": BURST, "shown": distinct.len(), "ms_to_last": last - first})
}

/// Bursts into the Rust and JS workers in turns, `BURST_ROUNDS` each (one burst's figure moved
/// by half from run to run), then each worker's memory.
async fn bursts(rust: &mut Page, js: &mut Page) -> [Value; 2] {
    let (mut rust_rounds, mut js_rounds) = (Vec::new(), Vec::new());
    for round in 0..BURST_ROUNDS {
        rust_rounds.push(burst(rust, round).await);
        js_rounds.push(burst(js, round).await);
    }
    let rust_memory = rust.worker_memory().await;
    let js_memory = js.worker_memory().await;
    [json!({"bursts": rust_rounds, "memory": rust_memory}), json!({"bursts": js_rounds, "memory": js_memory})]
}

/// `SOAK_ROUNDS` bursts into one warm worker, and its memory (after a garbage collection) after
/// each: whether it stops growing under load.
async fn soak(page: &mut Page) -> Vec<Value> {
    let mut memory = Vec::new();
    for round in 0..SOAK_ROUNDS {
        let shown = burst(page, BURST_ROUNDS + round).await;
        let mut after = page.worker_memory().await;
        after["shown"] = shown["shown"].clone();
        memory.push(after);
    }
    memory
}

#[tokio::main]
async fn main() {
    let mut pages = [
        Page::open("bench-rust", &PathBuf::from(setting("WASM_PUSH_SITE"))).await,
        Page::open("bench-js", &PathBuf::from(setting("WASM_PUSH_BASELINE_SITE"))).await,
        Page::open("bench-floor", &PathBuf::from(setting("WASM_PUSH_FLOOR_SITE"))).await,
        Page::open("bench-true-floor", &PathBuf::from(setting("WASM_PUSH_TRUE_FLOOR_SITE"))).await,
    ];
    let [rust, js, floor, true_floor] = latencies(&mut pages).await;
    // The Rust and JS workers again, their origin 100 ms away: a cold start that waited for the
    // network would show it here.
    let site = |name: &str| PathBuf::from(setting(name));
    let far_flags = ["--delay-ms", FAR_MS];
    let mut far = [
        Page::open_with("bench-rust-far", &site("WASM_PUSH_SITE"), &far_flags).await,
        Page::open_with("bench-js-far", &site("WASM_PUSH_BASELINE_SITE"), &far_flags).await,
    ];
    let [rust_far, js_far] = latencies(&mut far).await;
    drop(far);
    let [rust_page, js_page, ..] = &mut pages;
    let [rust_burst, js_burst] = bursts(rust_page, js_page).await;
    let rust_soak = soak(rust_page).await;
    let figures = |s: Samples| json!({"warm": s.warm, "cold": s.cold, "warm_call": s.warm_call, "cold_call": s.cold_call, "warm_shown": s.warm_shown, "cold_shown": s.cold_shown});
    let with_bursts = |s: Samples, burst: Value| {
        let mut figures = figures(s);
        figures["bursts"] = burst["bursts"].clone();
        figures["memory"] = burst["memory"].clone();
        figures
    };
    let mut rust = with_bursts(rust, rust_burst);
    rust["soak"] = rust_soak.into();
    let js = with_bursts(js, js_burst);
    let (floor, true_floor) = (figures(floor), figures(true_floor));
    let (rust_far, js_far) = (figures(rust_far), figures(js_far));
    let all = json!({"rust": rust, "js": js, "floor": floor, "true_floor": true_floor, "rust_far": rust_far, "js_far": js_far});
    println!("BENCH {all}");
}
