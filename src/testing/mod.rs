//! A test kit for your own browser tests (feature `testing`, wasm32): run your worker's
//! [`Runtime`](crate::worker::Runtime), with your hooks, inside a `wasm_bindgen_test` and see
//! what the user would see, and check what your page or worker sends an app server.
//!
//! - [`push`] delivers a payload (bytes, text, JSON or a `NotificationPayload`) and answers
//!   what was shown; [`click`] answers where a click or a button would go.
//! - [`subscription_change`] fires `pushsubscriptionchange` at the runtime.
//! - [`RecordingAppServer`] answers and records what `AppServer` (window) or the worker's
//!   `subscription_url` and `receipts_url` send, without a server.
//!
//! In a crate of yours, with `wasm-push = { version = "…", features = ["testing"] }` under
//! `[dev-dependencies]` and run by `wasm-pack test --headless --chrome` (`examples/tested-worker`
//! is such a crate):
//!
//! ```no_run
//! use wasm_bindgen_test::*;
//! use wasm_push::testing::{click, push};
//! use wasm_push::worker::{Runtime, WorkerConfig};
//!
//! wasm_bindgen_test_configure!(run_in_service_worker);
//!
//! #[wasm_bindgen_test]
//! async fn chat_messages_are_branded_and_open_the_chat() {
//!     let runtime = Runtime::new(WorkerConfig::default())
//!         .transform(|mut payload| { payload.title = format!("Acme: {}", payload.title); payload })
//!         .on_click(|click| (click.tag == "chat").then(|| "/chat".to_owned()));
//!     let shown = push(&runtime, r#"{"title":"Hi","tag":"chat"}"#).await.unwrap();
//!     assert_eq!(shown[0].title, "Acme: Hi");
//!     assert!(click(&runtime, &shown[0], "").await.unwrap().ends_with("/chat"));
//! }
//! ```

mod app_server;
#[doc(hidden)]
pub mod fixtures;
mod worker;

pub use app_server::{RecordedRequest, RecordingAppServer};
pub use worker::{click, push, subscription_change, PushData, Shown};
