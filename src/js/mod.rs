//! The JavaScript boundary that the window side and the worker share (crate-private):
//! plain objects, the bindings web-sys lacks, one `fetch`, the sync record in Cache Storage and
//! the one way a subscription is sent, reading a `PushSubscription`, and the message a worker
//! posts to a page. Nothing here is public, and neither side reaches into the other's room for
//! any of it.

// The worker's half of this room is used from wasm32 only, where the worker's entry points are.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod error;
mod fetch;
pub(crate) mod in_step;
pub(crate) mod lock;
pub(crate) mod message;
mod object;
pub(crate) mod promise;
pub(crate) mod subscription;
pub(crate) mod sys;
pub(crate) mod url;

pub(crate) use fetch::fetch;

/// Whether there is a browser to call: always in wasm32, never on the host. The window side
/// compiles on the host (server-side rendering, rust-analyzer, `cargo check`), where any call
/// into JavaScript would panic, so each of its entry points asks this first and answers
/// `Error::Unsupported("browser")` there.
pub(crate) fn browser() -> Result<(), crate::Error> {
    if cfg!(target_arch = "wasm32") {
        Ok(())
    } else {
        Err(crate::Error::Unsupported("browser"))
    }
}
pub(crate) use object::{get, object, Js};

/// The service worker's global scope: in a worker only (the worker runtime and the test kit).
pub(crate) fn worker_scope() -> web_sys::ServiceWorkerGlobalScope {
    wasm_bindgen::JsCast::unchecked_into(js_sys::global())
}
