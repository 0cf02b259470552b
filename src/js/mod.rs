//! The JavaScript boundary that the window side and the worker share (wasm32, crate-private):
//! plain objects, the bindings web-sys lacks, one `fetch`, the sync record in Cache Storage and
//! the one way a subscription is sent, reading a `PushSubscription`, and the message a worker
//! posts to a page. Nothing here is public, and neither side reaches into the other's room for
//! any of it.

mod error;
mod fetch;
pub(crate) mod message;
mod object;
pub(crate) mod promise;
pub(crate) mod subscription;
pub(crate) mod sync;
pub(crate) mod sys;
pub(crate) mod url;

pub(crate) use fetch::fetch;
pub(crate) use object::{get, object, Js};
