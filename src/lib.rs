//! # wasm-push
//!
//! The browser's Push API for Rust web apps, and a service-worker runtime in Rust that
//! turns pushed messages into notifications. Three rooms, one per side
//! ([ARCHITECTURE.md](https://github.com/wasm-push/wasm-push/blob/main/ARCHITECTURE.md) has
//! the map):
//!
//! - [`window`] (every target, inert on the host): `Support::detect`, `Registration` (register, subscribe, get,
//!   unsubscribe), `permission`, `request_permission`, `PermissionWatch`, `AppServer` (send the
//!   subscription with a CSRF token), foreground messages, the Yew hook (feature `yew`), the
//!   Leptos one (feature `leptos`) and the Dioxus one (feature `dioxus`). Its docs have the whole
//!   flow of a page.
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
//! # Coming from Firebase Messaging or OneSignal
//!
//! | you wrote | with wasm-push |
//! | --- | --- |
//! | `getToken(messaging, { vapidKey, serviceWorkerRegistration })` | `registration.subscribe(&ApplicationServerKey::from_base64url(key)?)`, then `AppServer::new(url).save(&subscription)`: the subscription is the standard `toJSON()`, not a vendor token, and any Web Push library sends to it |
//! | `deleteToken(messaging)` | `AppServer::new(url).unsubscribe(&registration)`: the browser first, then the server, the opt-out kept until both are done |
//! | `Notification.requestPermission()` / `OneSignal.Notifications.requestPermission()` | `request_permission().await` (promise and callback browsers; a denial is `Error::PermissionDenied`) |
//! | `OneSignal.Notifications.permission`, permission change events | `permission()`, `PermissionWatch` (dropped = unsubscribed) |
//! | `firebase-messaging-sw.js` with `onBackgroundMessage` | the ready-made `sw.js`, or `export_worker!` with a `transform` hook in Rust; or `importScripts('/push/push.js')` in the worker you have |
//! | `notification: { title, body, icon, click_action }` in the send API | `NotificationPayload { title, body, icon, url, .. }`, serialised by your server with serde, sent with `wasm_push::server::Sender` |
//! | OneSignal's "confirmed delivery" and click events | `receipts_url`: the worker POSTs shown, clicked and closed |
//!
//! There is no vendor in between: your server sends with VAPID straight to the browser's push
//! service, with `wasm_push::server` (feature `server`) from Rust, or node `web-push` or
//! `pywebpush`.
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

/// The README's examples, compiled as doc tests.
#[cfg(all(doctest, feature = "server", not(target_arch = "wasm32")))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

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
