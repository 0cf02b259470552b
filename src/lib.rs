//! # wasm-push
//!
//! The browser's Push API for Rust web apps, and a service-worker runtime in Rust that
//! turns pushed messages into notifications. Three rooms, one per side (`ARCHITECTURE.md` has
//! the map):
//!
//! - `window` (every target, inert on the host): `Support::detect`, `Registration` (register, subscribe, get,
//!   unsubscribe), `permission`, `request_permission`, `PermissionWatch`, `AppServer` (send the
//!   subscription with a CSRF token), foreground messages, the Yew hook (feature `yew`), the
//!   Leptos one (feature `leptos`) and the Dioxus one (feature `dioxus`).
//! - [`worker`]: `Runtime` decodes a push and shows its notification, with a fallback for
//!   anything unreadable, and handles clicks, closes and subscription changes;
//!   `export_worker!` gives a worker crate the entry points the shim calls (`listeners.js`,
//!   which `cargo wasm-push build` puts around the glue).
//!   Its settings, [`worker::WorkerConfig`], compile on every target.
//! - Shared, at the root (every target): [`Subscription`] (exactly `PushSubscription.toJSON()`),
//!   [`NotificationPayload`] and [`decode_push`], [`ApplicationServerKey`], [`Error`], so a Rust
//!   app server builds the very payload the worker reads.
//!
//! - `server` (feature `server`, native): send a payload to a subscription with VAPID, with
//!   the push service's answer read into [`Error`].
//! - `testing` (feature `testing`, wasm32): a kit for your own browser tests: push into your
//!   `Runtime` and see what was shown, where a click goes, what an app server was sent.
//!
//! The whole window-side flow, from `examples/subscribe.rs`:
//!
#![doc = concat!("```no_run\n", include_str!("../examples/subscribe.rs"), "```")]
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

mod shared;
pub mod worker;

mod js;
pub mod window;

#[cfg(all(target_arch = "wasm32", feature = "testing"))]
pub mod testing;

#[cfg(all(not(target_arch = "wasm32"), feature = "server"))]
pub mod server;

/// What `export_worker!` expands to needs; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use js_sys;
    pub use web_sys;
}

/// With the `server` feature, whose sends are what fail this way.
#[cfg(feature = "server")]
pub use shared::Unreachable;
pub use shared::{
    click_target, decode_push, same_origin_url, Action, ApplicationServerKey, ContentAt, Direction, Error, Fallback,
    NotificationPayload, Permission, Subscription, SubscriptionKeys, Support, MAX_ACTIONS, MAX_BODY_CHARS,
    MAX_TITLE_CHARS, MAX_VIBRATE_ENTRIES, MAX_VIBRATE_MS,
};
