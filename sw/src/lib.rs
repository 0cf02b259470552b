//! The ready-made push worker: the wasm half. `sw/sw.js` adds the listeners and calls these.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::*;
use wasm_push::Fallback;

/// Shows the notification for a push; the shim passes the returned promise to `waitUntil`.
#[wasm_bindgen]
pub fn on_push(event: web_sys::PushEvent) -> js_sys::Promise {
    wasm_push::worker::show_push(&event, &Fallback::default())
}
