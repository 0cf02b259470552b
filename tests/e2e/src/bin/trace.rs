//! `cargo xtask bench --trace`: where a cold start of the shipped worker goes. Three cold pushes
//! (after `ServiceWorker.stopAllWorkers`) into the worker of `WASM_PUSH_SITE` in headless
//! Chromium, each recorded with the DevTools `Tracing` domain (V8's compile and run events, the
//! wasm compiler's, script loading, mojo messages) and written to
//! `target/cold-trace-N.json`, which Perfetto (ui.perfetto.dev) or `chrome://tracing` opens.
//! The worker's thread is "ServiceWorker thread"; the push is
//! `ServiceWorkerGlobalScope::DispatchPushEvent`, and the notification leaves when the browser
//! process receives `blink.mojom.NotificationService`'s second message.
//!
//! This is how BENCHMARKS.md's account of the cold start was found: the scripts the worker
//! imported, the wasm fetch, its streaming compile and the lazy compiles before the
//! notification.

use e2e::{demo_serving, setting};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

const RUNS: usize = 3;
/// Without `disabled-by-default-v8.cpu_profiler`: a profile says which functions run, but the
/// sampling slows the start it samples by about half.
const CATEGORIES: [&str; 8] =
    ["devtools.timeline", "v8", "v8.execute", "v8.wasm", "ServiceWorker", "mojom", "toplevel", "loading"];

#[tokio::main]
async fn main() {
    let site = PathBuf::from(setting("WASM_PUSH_SITE"));
    let out = PathBuf::from(setting("WASM_PUSH_TRACE_DIR"));
    let (server, _browser, mut devtools, registration) = demo_serving("trace", &site).await;
    let origin = server.origin.clone();
    let push = |tag: &str| {
        let data = json!({"title": "Trace", "body": "a cold push", "tag": tag}).to_string();
        json!({"origin": origin, "registrationId": registration, "data": data})
    };
    // One push first, so the wasm is in the browser's caches as it would be for a visitor.
    devtools.call("ServiceWorker.deliverPushMessage", push("prime")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    for run in 0..RUNS {
        devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        devtools.call("Tracing.start", json!({"traceConfig": {"includedCategories": CATEGORIES}})).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        devtools.call("ServiceWorker.deliverPushMessage", push(&format!("cold-{run}"))).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        devtools.call("Tracing.end", json!({})).await;
        let mut events: Vec<Value> = Vec::new();
        loop {
            let (method, params) = devtools.next_event_any(&["Tracing.dataCollected", "Tracing.tracingComplete"]).await;
            if method == "Tracing.tracingComplete" {
                break;
            }
            events.extend(params["value"].as_array().cloned().unwrap_or_default());
        }
        let path = out.join(format!("cold-trace-{run}.json"));
        std::fs::write(&path, json!({"traceEvents": events}).to_string()).expect("the trace is written");
        println!("{}", path.display());
    }
}
