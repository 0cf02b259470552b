//! `cargo xtask bench`: sizes, latency, burst and memory of the shipped worker beside a
//! hand-written JavaScript worker (`bench/baseline-sw.js`), checked against the budgets, printed
//! and written to BENCHMARKS.md. Figures, never a pass/fail test: a slow machine prints slow
//! numbers.

use crate::{cargo, root, say, setup, site, site_variant, total_sizes, Result, WINDOW_FILES, WORKER_FILES};
use serde_json::Value;
use std::fmt::Write as _;
use std::process::Command;

const WORKER_BUDGET_GZIP: usize = 12 * 1024;
const WINDOW_BUDGET_GZIP: usize = 25 * 1024;
const WARM_BUDGET: f64 = 1.05;
const COLD_BUDGET: f64 = 1.15;
const BURST_BUDGET: f64 = 0.9;

pub fn run() -> Result {
    let browsers = setup::browsers()?;
    let site = site(&setup::wasm_tools()?)?;
    let baseline = site_variant(&site, "www-baseline")?;
    std::fs::copy(root().join("bench/baseline-sw.js"), baseline.join("sw.js")).map_err(|e| format!("baseline: {e}"))?;
    crate::run(cargo().args(["build", "--quiet", "-p", "wasm-push-demo-server", "-p", "e2e", "--bin", "bench"]))?;

    say("measuring in headless Chromium: 30 warm and 30 cold pushes, then a burst of 500, for each worker");
    let output = Command::new(root().join("target/debug/bench"))
        .env("WASM_PUSH_SITE", &site)
        .env("WASM_PUSH_BASELINE_SITE", &baseline)
        .env("WASM_PUSH_DEMO_SERVER", root().join("target/debug/wasm-push-demo-server"))
        .env("CHROMEDRIVER", &browsers.chromedriver)
        .output()
        .map_err(|e| format!("could not start the benchmark: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().find_map(|l| l.strip_prefix("BENCH ")).ok_or_else(|| {
        format!("the benchmark printed no figures:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr))
    })?;
    let figures: Value = serde_json::from_str(line).map_err(|e| format!("benchmark output: {e}"))?;

    let worker = total_sizes(&site, &WORKER_FILES)?;
    let js_worker = total_sizes(&baseline, &["sw.js"])?;
    let window = total_sizes(&site, &WINDOW_FILES)?;
    let table = table(&figures, worker, js_worker, window);
    println!("\n{table}");
    let report = report(&table);
    // The hand-written part (what was tried, and what it did) survives a new run.
    let path = root().join("BENCHMARKS.md");
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    let kept = kept.find(HISTORY).map_or("", |at| &kept[at..]);
    std::fs::write(&path, format!("{report}\n{kept}")).map_err(|e| format!("BENCHMARKS.md: {e}"))?;
    say("wrote BENCHMARKS.md");
    Ok(())
}

fn samples(figures: &Value, worker: &str, kind: &str) -> Vec<f64> {
    let mut list: Vec<f64> = figures[worker][kind].as_array().into_iter().flatten().filter_map(Value::as_f64).collect();
    list.sort_by(f64::total_cmp);
    list
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn p95(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[((n as f64 * 0.95).ceil() as usize).clamp(1, n) - 1],
    }
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "**not met**"
    }
}

fn table(figures: &Value, worker: [usize; 3], js_worker: [usize; 3], window: [usize; 3]) -> String {
    let mut out = String::from("| figure | Rust worker | JS baseline | Rust/JS | budget | |\n|---|---|---|---|---|---|\n");
    let mut row = |figure: &str, rust: String, js: String, ratio: Option<f64>, budget: &str, met: Option<bool>| {
        let ratio = ratio.map_or(String::new(), |r| format!("{r:.2}×"));
        let met = met.map_or("", verdict);
        let _ = writeln!(out, "| {figure} | {rust} | {js} | {ratio} | {budget} | {met} |");
    };
    let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
    row("worker size, gzip (shim + glue + wasm)", kb(worker[1]), kb(js_worker[1]), ratio(worker[1] as f64, js_worker[1] as f64), "≤ 12 KB", Some(worker[1] <= WORKER_BUDGET_GZIP));
    row("worker size, raw", kb(worker[0]), kb(js_worker[0]), ratio(worker[0] as f64, js_worker[0] as f64), "", None);
    row("worker size, brotli", kb(worker[2]), kb(js_worker[2]), ratio(worker[2] as f64, js_worker[2] as f64), "", None);
    for (kind, label, budget, limit) in [("warm", "warm", "≤ 1.05× JS", WARM_BUDGET), ("cold", "cold (after stopAllWorkers)", "≤ 1.15× JS", COLD_BUDGET)] {
        let (rust, js) = (samples(figures, "rust", kind), samples(figures, "js", kind));
        let r = ratio(median(&rust), median(&js));
        row(
            &format!("push → notification, {label}, median (n = {}/{})", rust.len(), js.len()),
            format!("{:.1} ms", median(&rust)),
            format!("{:.1} ms", median(&js)),
            r,
            budget,
            r.map(|r| r <= limit),
        );
        row(&format!("push → notification, {label}, p95"), format!("{:.1} ms", p95(&rust)), format!("{:.1} ms", p95(&js)), ratio(p95(&rust), p95(&js)), "", None);
    }
    let burst = |worker: &str| {
        let b = &figures[worker]["burst"];
        let shown = b["shown"].as_u64().unwrap_or(0);
        let ms = b["ms_to_last"].as_f64().unwrap_or(f64::NAN);
        (shown, ms, shown as f64 / (ms / 1000.0))
    };
    let (rust_shown, rust_ms, rust_rate) = burst("rust");
    let (js_shown, js_ms, js_rate) = burst("js");
    row("burst of 500: notifications shown (distinct tags)", rust_shown.to_string(), js_shown.to_string(), None, "500", Some(rust_shown == 500));
    row("burst of 500: first push → last notification", format!("{rust_ms:.0} ms"), format!("{js_ms:.0} ms"), ratio(rust_ms, js_ms), "", None);
    let r = ratio(rust_rate, js_rate);
    row("burst throughput", format!("{rust_rate:.0}/s"), format!("{js_rate:.0}/s"), r, "≥ 0.9× JS", r.map(|r| r >= BURST_BUDGET));
    let memory = |worker: &str, key: &str| figures[worker]["memory"][key].as_u64().map_or("n/a".into(), |b| kb(b as usize));
    row("worker JS heap after the burst", memory("rust", "js_heap"), memory("js", "js_heap"), None, "", None);
    row("worker wasm memory after the burst", memory("rust", "wasm_memory"), "none".into(), None, "", None);
    row("window-side package, gzip (glue + wasm)", kb(window[1]), String::new(), None, "≤ 25 KB", Some(window[1] <= WINDOW_BUDGET_GZIP));
    out
}

/// The heading of BENCHMARKS.md's hand-written part, kept from one run to the next.
const HISTORY: &str = "## What was tried";

fn report(table: &str) -> String {
    let chromium = Command::new("chromium").arg("--version").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()).unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let date = Command::new("date").arg("-u").arg("+%Y-%m-%d").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()).unwrap_or_default();
    format!(
        "# Benchmarks\n\n\
         Written by `cargo xtask bench` on {date}: {chromium}, headless, on a {cores}-core machine.\n\n\
         ## Method\n\n\
         - **Sizes**: the files a browser downloads, after `wasm-opt -Oz`; gzip at level 9, brotli at quality 11. \
           The Rust worker is `sw.js` + `push.js` + `wasm_push_sw.js` (the glue, minified by esbuild) + `wasm_push_sw_bg.wasm`; the baseline is `bench/baseline-sw.js`, \
           a hand-written JavaScript worker doing the same job (same payload shapes, options, guards and fallback). \
           The window-side package is `examples/window_package.rs` (support, register, permission, subscribe, server sync).\n\
         - **Latency**: each worker behind the demo page, served by the demo server, in headless Chromium; a real `push` event \
           through the DevTools protocol (`ServiceWorker.deliverPushMessage`); latency is the notification's own `timestamp` \
           (set when the worker creates it) minus the moment the push was handed to DevTools. Warm: the worker running. \
           Cold: after `ServiceWorker.stopAllWorkers`, so the worker starts (and loads its wasm) for the push. 30 samples each, \
           taken in turns (Rust, JS, Rust, …, each worker in its own browser) so that a busy moment of the machine weighs on both.\n\
         - **Burst**: 500 pushes with distinct tags delivered back to back; shown is what `getNotifications()` lists, \
           time is the first push to the last notification's timestamp.\n\
         - **Memory**: `Runtime.getHeapUsage` in the worker after the burst, and the size of the wasm memory.\n\n\
         ## Results\n\n{table}\n\
         Budgets (issue 6): worker ≤ 12 KB gzip; cold ≤ 1.15× and warm ≤ 1.05× the JS baseline; burst throughput ≥ 0.9× \
         with nothing lost; window-side package ≤ 25 KB gzip.\n"
    )
}
