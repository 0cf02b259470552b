//! The app server's side (feature `server`, native): send a [`NotificationPayload`](crate::NotificationPayload)
//! to a [`Subscription`](crate::Subscription) with the `web-push` crate (RFC 8291 encryption,
//! RFC 8292 VAPID), with what Web Push needs checked before anything is sent and the push
//! service's answer read into the crate's [`Error`](crate::Error). With the feature `axum`,
//! `worker_routes` serves the worker's files with the headers a service worker needs.
//!
//! ```no_run
//! # async fn run(subscription: wasm_push::Subscription, private_key: &str) -> Result<(), wasm_push::Error> {
//! use wasm_push::server::{Push, Sender, VapidKeys, VapidSubject};
//! let sender = Sender::new(VapidKeys::from_private(private_key)?, VapidSubject::new("mailto:ops@your.site")?);
//! let payload = wasm_push::NotificationPayload::new("Your order shipped");
//! match sender.send(&subscription, &Push::new(&payload).ttl(3600).topic("order-42")?).await {
//!     Ok(()) => {}
//!     Err(wasm_push::Error::SubscriptionGone { .. }) => { /* delete it */ }
//!     Err(other) => return Err(other),
//! }
//! # Ok(()) }
//! ```

mod address;
mod answer;
mod endpoint;
mod fan_out;
#[cfg(feature = "axum")]
mod files;
mod page;
mod push;
mod schedule;
mod send;
mod signatures;
mod vapid;

pub use answer::MAX_RETRY_AFTER_SECS;
pub use endpoint::{Endpoints, KNOWN_PUSH_SERVICES};
pub use fan_out::{FanOut, Outcome, Verdict, MAX_PAUSE};
#[cfg(feature = "axum")]
pub use files::{worker_routes, WORKER_FILES};
pub use page::{RemoveSubscription, SaveSubscription, CSRF_HEADER};
pub use push::{Push, Urgency, MAX_PAYLOAD_BYTES};
pub use send::Sender;
pub use vapid::{VapidKeys, VapidSubject};
