//! The service-worker runtime: push events in, notifications out; clicks, closes and
//! subscription changes handled.
//!
//! The ready-made worker in `sw/` is this runtime with its settings read from the script URL.
//! Your own worker (a cdylib that depends on `wasm-bindgen`) uses it the same way, with hooks,
//! and `export_worker!` gives it the entry points the shim calls:
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! wasm_push::export_worker!(wasm_push::worker::Runtime::from_location()
//!     .transform(|mut payload| {
//!         payload.title = format!("Acme: {}", payload.title);
//!         payload
//!     })
//!     .on_click(|click| (click.action == "inbox").then(|| "/inbox".to_owned())));
//! ```
//!
//! One push, as the files read: the shim (`listeners.js`) calls `on_push` (`export.rs`),
//! which hands the event to `Runtime::push` (`push.rs`): the shared decoder, the hooks
//! (`runtime.rs`), the options (`options.rs`), `showNotification`, the receipt (`receipts.rs`)
//! and a pending subscription (`resubscribe.rs`). Clicks and closes are in `click.rs`.
//!
//! The settings ([`WorkerConfig`]) are plain Rust, compiled and tested natively; the rest runs
//! in a service worker only.

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
