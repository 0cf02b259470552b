//! The service-worker runtime: push events in, notifications out; clicks, closes and
//! subscription changes handled.
//!
//! # The ready-made worker
//!
//! `cargo wasm-push build --out dist` writes it; serve `sw.js` and `wasm_push_sw_bg.wasm` side
//! by side and register `sw.js`: one script, because each script a worker imports is one more
//! read from the browser's storage every time it starts cold, and one module, which is all a
//! visitor downloads and all a push loads. The script names the SHA-256 digest of the one wasm
//! it was built for (subresource integrity), and the worker fetches those bytes alone: past the
//! HTTP cache, never through a redirect, checked by the browser. Other bytes from the network
//! (a cache or a CDN still serving another deploy) are never kept or run. Install waits until
//! the wasm is kept in Cache Storage (cache `wasm-push <scope> <digest>`) and started, so a cold
//! start never waits for the network and a push shows its content while the site is down. An
//! update of a wasm-push worker whose wasm cannot be had yet fails to install: the running
//! worker stays, with its own wasm, and the browser tries the update again later. A first
//! install (or wasm-push added to a site's own worker) goes on without it, fetches it at first
//! use, and shows the fallback until it can; so does a storage past its quota, which only costs
//! the fetch. A new wasm is a new worker script, which the browser's own update check installs;
//! on activation it deletes its own scope's older versions, never another registration's.
//! (Cache Storage is the origin's: the origin's own pages can write there, as they can register
//! workers.)
//!
//! It is this runtime with its settings read from the script's URL, for example
//! `/sw.js?title=Acme&icon=/icon.png&subscription_url=/api/push/subscription`: [`WorkerConfig`]
//! lists them. Its source,
//! [`sw/ready-made/lib.rs`](https://github.com/wasm-push/wasm-push/blob/main/sw/ready-made/lib.rs),
//! travels inside the command, which builds it as a crate of its own against your `wasm-push`.
//!
//! # Your own worker
//!
//! A worker crate of your own (a `cdylib` that depends on `wasm-bindgen`) uses the same
//! runtime with hooks (`transform` a payload, decide a click's URL), and `export_worker!` gives
//! it the entry points the shim calls:
//!
//! ```no_run
//! wasm_push::export_worker!(wasm_push::worker::Runtime::from_location()
//!     .transform(|mut payload| {
//!         payload.title = format!("Acme: {}", payload.title);
//!         payload
//!     })
//!     .on_click(|click| (click.action == "inbox").then(|| "/inbox".to_owned())));
//! ```
//!
//! Build it with `cargo wasm-push build --worker <its package> --out dist`.
//! [`examples/tested-worker`](https://github.com/wasm-push/wasm-push/tree/main/examples/tested-worker)
//! is such a crate. A worker crate compiles on the host too (its `cargo test`, clippy and
//! rust-analyzer in a workspace beside the app server): its settings ([`WorkerConfig`]),
//! [`Runtime`] and hooks are built there without a browser, so a hook can be tested as a plain
//! function; only the events need a real worker.
//!
//! Hooks that wait (a `fetch` of the content a push stands for, the site's windows, Cache
//! Storage, IndexedDB) are async: [`Runtime::transform_async`] (its example reads the site's
//! windows) and [`Runtime::on_click_async`] take an `async` block and run after the synchronous
//! hooks, under a deadline ([`Runtime::deadline`], 20 s by default, shared with `fetch_url`'s
//! fetch). A push whose async transform answers `Err` or misses the deadline shows its own
//! payload; one that traps shows the fallback; a click whose hook is late goes where the
//! synchronous hooks sent it. While an async transform runs, a notification something else
//! shows is dropped, so a push still shows exactly one. A worker without async hooks carries
//! none of this (nor an async executor).
//! [`examples/cookbook`](https://github.com/wasm-push/wasm-push/tree/main/examples/cookbook)
//! does the push recipes of Mozilla's ServiceWorker Cookbook this way, with a table of how each
//! maps to wasm-push.
//!
//! The ready-made worker sets `lol_alloc`'s free-list allocator as its global allocator in
//! place of the standard library's dlmalloc: 3 KB less gzip, with cold starts and bursts of
//! pushes as fast within the benchmark's spread
//! ([BENCHMARKS.md](https://github.com/wasm-push/wasm-push/blob/main/BENCHMARKS.md)); a worker
//! of your own can do the same.
//!
//! A panic in a hook costs only its own push: that push shows the fallback, and the next event
//! gets a fresh wasm instance
//! ([`examples/panicking_hook.rs`](https://github.com/wasm-push/wasm-push/blob/main/examples/panicking_hook.rs),
//! proven end to end; see [`recover_after_panics`]).
//!
//! # A site that has a service worker already
//!
//! Two workers cannot share a scope, so a site's own worker (a Workbox precache, a PWA's offline
//! worker) imports `push.js` (a classic worker) or `module/push.mjs` (a module worker), served
//! from a folder with `wasm_push_sw_bg.wasm`. `push.js` adds only the `push`,
//! `notificationclick`, `notificationclose` and `pushsubscriptionchange` listeners (and, to keep
//! its wasm, an `install` and an `activate` step that touch only its own `wasm-push-wasm-*`
//! cache); installing, activating and fetching stay the worker's own. Clicks and closes of
//! notifications the site shows itself are left to the site: wasm-push marks what it shows
//! (`data.wasmPushShown`) and handles only those. A trap in another wasm module of the worker
//! never adds a fallback to a push wasm-push already showed. Without `self.wasmPush` the files
//! are looked for beside the worker script and the settings are read from its URL.
//!
//! `module/push.mjs` has the same listeners and glue, loading the same wasm from the folder
//! above. Its settings come from the worker script's query, or from `self.wasmPush.query` set
//! in a module imported before it (imports run before the importing module's own code). A
//! classic worker that loads a wasm-bindgen module of its own under the global name
//! `wasm_bindgen` clashes with ours.
//!
//! A glue built some other way (Trunk's `data-type="worker"` names it after its crate, such as
//! `my-worker.js` and `my-worker_bg.wasm`) is loaded by `push.js` as `cargo wasm-push shim`
//! writes it (the listeners, without a glue inside), when the worker names it with
//! `self.wasmPush = { glue: 'my-worker' }` before `importScripts('./push.js')`
//! ([`examples/trunk-worker`](https://github.com/wasm-push/wasm-push/tree/main/examples/trunk-worker)
//! does this with a `pre_build` hook). Such a glue has no digest: it fetches the wasm at every
//! cold start and checks no bytes.

mod config;

pub use config::{Foreground, WorkerConfig};

mod click;
mod clients;
mod export;
mod options;
mod push;
mod receipts;
mod resubscribe;
mod runtime;
mod show_guard;

/// Where a click goes, as the worker decides it: [`click_target`](crate::click_target)'s rule
/// with the browser's own URL parser. The browser suites hold it to `CLICK_TABLE` (through
/// `testing::fixtures`) as the native tests hold `click_target`.
pub(crate) fn click_target_in_worker(scope: &str, requested: Option<&str>) -> String {
    crate::shared::click_target_by(crate::js::url::same_origin_url, scope, requested)
}

pub use {
    export::recover_after_panics,
    runtime::{Click, Runtime},
};
