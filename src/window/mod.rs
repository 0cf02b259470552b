//! The window side: what a page does to get and keep a push subscription. Detect support,
//! register the worker, read and ask for permission, subscribe, keep the app server told, and
//! take the pushes the worker hands to a focused page. It compiles on every target; on the host
//! (server-side rendering, rust-analyzer) it is inert: every entry point answers
//! [`Error::Unsupported`](crate::Error::Unsupported)`("browser")` and calls no JavaScript.
//!
//! The whole flow, from `examples/subscribe.rs`:
//!
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml
#![doc = concat!("```no_run\n", include_str!("../../examples/subscribe.rs"), "```")]

mod app_server;
mod foreground;
#[cfg(any(feature = "yew", feature = "leptos", feature = "dioxus"))]
mod hooks;
mod permission;
mod registration;
mod support;

pub use app_server::{AppServer, Synced};
pub use foreground::{ForegroundMessage, ForegroundMessages};
#[cfg(feature = "dioxus")]
pub use hooks::dioxus;
#[cfg(feature = "leptos")]
pub use hooks::leptos;
#[cfg(feature = "yew")]
pub use hooks::yew::{use_push, UsePushHandle};
#[cfg(any(feature = "yew", feature = "leptos", feature = "dioxus"))]
pub use hooks::{PushState, UsePushOptions};
pub use permission::{permission, request_permission, PermissionWatch};
pub use registration::Registration;
