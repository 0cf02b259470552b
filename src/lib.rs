//! # wasm-push
//!
//! The browser's Push API for Rust web apps, and a service-worker runtime in Rust that
//! turns pushed messages into notifications.
//!
//! - Window side (wasm32): `Support::detect`, `Registration` (register, subscribe, get,
//!   unsubscribe), `permission`, `request_permission`, `PermissionWatch`, `AppServer` (send the
//!   subscription with a CSRF token), and an [`ApplicationServerKey`] checked before the browser
//!   sees it.
//! - Worker side (wasm32): `worker::Runtime` decodes a push and shows its notification, with
//!   a fallback for anything unreadable, and handles clicks, closes and subscription changes;
//!   `export_worker!` gives a worker crate the entry points the shim (`sw/listeners.js`) calls.
//! - Shared (every target): [`Subscription`] (exactly `PushSubscription.toJSON()`),
//!   [`NotificationPayload`] and [`decode_push`], so a Rust app server builds the very
//!   payload the worker reads.
//!
//! The whole window-side flow, from `examples/subscribe.rs`:
//!
#![doc = concat!("```no_run\n", include_str!("../examples/subscribe.rs"), "```")]
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

mod config;
mod error;
mod key;
mod payload;
mod permission;
mod subscription;
mod support;
mod sync;
mod url;

#[cfg(target_arch = "wasm32")]
mod foreground;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod registration;
#[cfg(target_arch = "wasm32")]
mod server;
#[cfg(target_arch = "wasm32")]
mod sys;
#[cfg(target_arch = "wasm32")]
pub mod worker;
#[cfg(all(target_arch = "wasm32", feature = "yew"))]
mod yew_hook;

/// What `export_worker!` expands to needs; not a public API.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod __private {
    pub use js_sys;
    pub use web_sys;
}

pub use config::{Foreground, WorkerConfig};
pub use error::Error;
pub use key::ApplicationServerKey;
pub use payload::{
    decode_push, Action, Direction, Fallback, NotificationPayload, MAX_ACTIONS, MAX_BODY_CHARS, MAX_TITLE_CHARS,
    MAX_VIBRATE_ENTRIES,
};
#[cfg(target_arch = "wasm32")]
pub use permission::{permission, request_permission, PermissionWatch};
pub use permission::Permission;
#[cfg(target_arch = "wasm32")]
pub use foreground::{ForegroundMessage, ForegroundMessages};
#[cfg(target_arch = "wasm32")]
pub use registration::Registration;
#[cfg(target_arch = "wasm32")]
pub use server::{AppServer, Synced};
#[cfg(all(target_arch = "wasm32", feature = "yew"))]
pub use yew_hook::{use_push, PushState, UsePushHandle, UsePushOptions};
pub use subscription::{Subscription, SubscriptionKeys};
pub use support::Support;
#[doc(hidden)]
pub use url::{CLICK_TABLE, TABLE_SCOPE};
pub use url::{click_target, same_origin_url};
