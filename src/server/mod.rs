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
//!
//! # Taking the page's saves safely
//!
//! The page's `AppServer` sends its saves and removals with the page's cookies, so an app server
//! takes them as it takes any state-changing request (the demo, `www/server`, does this, and
//! its `tests/api.rs` proves each refusal):
//!
//! 1. It gives the page a random token (per session, or per server start as the demo does) in
//!    `<meta name="csrf-token" content="…">`; `AppServer` sends it back in [`CSRF_HEADER`].
//! 2. It takes a save or a removal only when that header is the token (compared in constant
//!    time) and `Origin` is one of the site's own origins, which it knows from its settings and
//!    never from the request (a page on a rebound DNS name sends its own `Host`).
//! 3. The worker's save after `pushsubscriptionchange` has no token (a worker has no page): it
//!    is taken only when [`SaveSubscription::takes_without_token`] says so, that is when it names a
//!    stored endpoint as the one it replaces, and it never changes a stored row's keys.
//! 4. Every subscription is checked with [`Sender::check`] before it is stored: its endpoint is
//!    a URL the visitor chose, and its keys may be anything.
//! 5. A removal answered 2xx, 404 or 410 is done ([`RemoveSubscription`]); a save is taken only
//!    when answered 2xx ([`SaveSubscription`]), and a redirect is not an answer.

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
