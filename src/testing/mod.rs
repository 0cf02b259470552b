//! A test kit for your own browser tests (feature `testing`, wasm32): run your worker's
//! [`Runtime`](crate::worker::Runtime), with your hooks, inside a `wasm_bindgen_test` and see
//! what the user would see, and check what your page or worker sends an app server.
//!
//! - [`push`]`(&runtime, data)` takes bytes, text, JSON or a `&NotificationPayload`, and answers
//!   the notifications it showed (title, body, tag, icon, buttons, data, and the browser's
//!   object). It waits for the async transforms as the worker does.
//! - [`click`]`(&runtime, &shown, action)` answers where a click (`""`) or a button would go,
//!   after your `on_click` and `on_click_async` hooks and the same-origin rule; nothing is
//!   opened.
//! - [`subscription_change`]`(&runtime, old)` fires `pushsubscriptionchange` (it subscribes
//!   again, so it needs a browser that reaches a push service).
//! - [`RecordingAppServer::start`]`().await` answers and records what `AppServer` (in a page) or
//!   the worker's `subscription_url` and `receipts_url` send to `server.url("…")`, with no
//!   server: `requests()` gives method, path, headers and JSON body; `answer_with(403, body)`
//!   and `go_down()` make it refuse or vanish. Dropping it puts `fetch` back.
//!
//! In a crate of yours, with `wasm-push = { version = "…", features = ["testing"] }` under
//! `[dev-dependencies]` and run by `wasm-pack test --headless --chrome`
//! ([`examples/tested-worker`](https://github.com/wasm-push/wasm-push/tree/main/examples/tested-worker)
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
//!
//! The test browser must allow notifications: put the repository's
//! [`webdriver.json`](https://github.com/wasm-push/wasm-push/blob/main/webdriver.json) beside
//! your `Cargo.toml`. Without it, `push` answers an error that says so, rather than the
//! browser's refusal deep in a push.

mod app_server;
#[doc(hidden)]
pub mod fixtures;
mod worker;

pub use app_server::{RecordedRequest, RecordingAppServer};
pub use worker::{click, push, subscription_change, PushData, Shown};
