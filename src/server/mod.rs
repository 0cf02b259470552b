//! The app server's side (feature `server`, native): send a [`NotificationPayload`](crate::NotificationPayload)
//! to a [`Subscription`](crate::Subscription): encrypted for it (RFC 8291, `aes128gcm`), signed
//! with the app server's VAPID key (RFC 8292), over `ring` and rustls, with no system library
//! (no OpenSSL) to install; with what Web Push needs checked before anything is sent and the push
//! service's answer read into the crate's [`Error`](crate::Error). With the feature `axum`,
//! `worker_routes(dir, at, scope)` serves the worker's files from an axum app with the headers
//! a service worker needs; the demo server serves its worker this way.
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
//! # Checked before anything is sent
//!
//! The payload's JSON fits in Web Push ([`MAX_PAYLOAD_BYTES`], 3052, else `PayloadTooLarge`),
//! the topic is 1 to 32 base64url characters (`InvalidTopic`, where [`Push::topic`] sets it),
//! the subject is a `mailto:` address or an `https:` URL that push services take
//! (`InvalidSubject`: see [`VapidSubject`]), and the subscription itself, which any visitor can
//! POST and so is hostile input:
//!
//! - its endpoint is an absolute URL with a host and no credentials (else `InvalidEndpoint`,
//!   safe to delete), and its keys are what a browser makes (`InvalidSubscriptionKeys`, safe to
//!   delete);
//! - by default the endpoint is `https://` on port 443, and its host is not, and does not
//!   resolve to, a loopback, private, link-local (cloud metadata) or otherwise non-public
//!   address, so a visitor cannot make the app server POST into its own network: else
//!   `EndpointNotAllowed` naming the rule, with nothing sent. The check runs again in the
//!   sender's DNS resolver, on every address a name resolves to.
//!
//! [`Sender::with_endpoints`]`(`[`Endpoints`]`)` says what else to take:
//! `Endpoints::default().allow_http()`, `.allow_any_port()` (a self-hosted push service),
//! `.allow_loopback()`, `.allow_internal()`, or narrower, `.only_hosts(`[`KNOWN_PUSH_SERVICES`]`)`
//! (FCM, Mozilla, Apple, Windows, with their subdomains); [`Endpoints::loopback_for_tests`]
//! takes a push service on this machine. [`Sender::check`]`(&subscription)` runs the same checks
//! (the endpoint rules and the keys) when a subscription is saved, so no row the sender would
//! refuse is stored. The demo, the Leptos recipe and the broadcast take only
//! `KNOWN_PUSH_SERVICES` unless told otherwise: any other public host is a server a visitor
//! chose, which can hold a send to it for the whole deadline (a fan-out then pauses it, and
//! if it fails again after the pause, hands its other pushes back at once).
//!
//! # The sender's HTTP client
//!
//! It follows no redirect (a `3xx` is `PushServiceRefused`), waits 5 s for a connection and
//! 10 s for a whole send ([`Sender::deadline`]), and uses no proxy. [`Sender::with_client`]
//! changes its settings; redirects stay off whatever it does. The VAPID audience is the endpoint's whole
//! origin, port included (RFC 8292), which some senders leave out.
//! Connections are kept per push service, over HTTP/2 where it offers it (TLS with ALPN `h2`):
//! a fan-out sends a push service's first push alone, then the rest share that one connection,
//! one stream each (`tests/http2.rs` counts them). The TLS is rustls over `ring`, with the Web
//! PKI's roots built in (not the system's store: a push service behind a private CA needs
//! `with_client(|c| c.add_root_certificate(…))`); nothing of the system's (no OpenSSL) is needed
//! to build or run it.
//!
//! # The push service's answer
//!
//! The push service is a visitor's choice, so its answer is read as hostile input too: whatever
//! its status, headers or timing, it comes back as one of these, never a panic or an endless
//! wait (a property test reads every status with arbitrary `Retry-After` bytes):
//! `SubscriptionGone`, `PayloadTooLarge`, `RateLimited` (429) and `PushServiceUnavailable` (503,
//! and 408, 500, 502 and 504, a load balancer's bad moment) with `Retry-After` read as seconds or
//! an HTTP date and held to a day at most ([`MAX_RETRY_AFTER_SECS`]), `VapidRejected` (the wrong
//! key pair), `PushServiceRefused`, and `PushServiceUnreachable` with its cause
//! ([`Unreachable`](crate::Unreachable)`::Dns`, `Refused`, `Timeout`, `Tls`, and `NoAnswer`: the
//! request went out and no answer came in time, so the push service may have taken it). The
//! demo server sends this way.
//!
//! # Sending to many
//!
//! [`Sender::fan_out`]`(pushes, `[`FanOut`]`)` takes a stream of `(id, subscription, push)` (one
//! [`Push`] for all, or one each) and yields each one's [`Outcome`]` { id, verdict }` as it
//! finishes: `Sent`, `Gone` and `Malformed` (delete the row), `NotAllowed(error)` (the sender's
//! endpoint rules refuse it: delete it if the rules are the ones meant; the recipes keep it, so
//! rules narrowed by mistake delete nothing), `RetryAfter(wait)` (queue it again),
//! `MaybeSent(error)` (no answer in time: it may have arrived, so sending it again may show it
//! twice), `Refused(error)` (keep it, look at the error). [`Sender::fan_out`] says how its
//! concurrency is bounded, how a push service that asks to wait, or gives no answer, is paused
//! alone, how the push services the app chose (the browsers', the hosts it names) keep half the
//! slots, rounded down, from the others, which visitors' endpoints may name, and what dropping
//! the stream stops.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use wasm_push::server::{FanOut, Push, Sender, Verdict};
//! use wasm_push::{Error, NotificationPayload, Subscription};
//!
//! /// Sends to every row, and answers the ids of the rows to delete.
//! async fn broadcast(sender: &Sender, rows: Vec<(i64, Subscription)>) -> Result<Vec<i64>, Error> {
//!     let payload = NotificationPayload::new("Breaking news");
//!     let push = Push::new(&payload).ttl(3600).topic("news")?;
//!     let pushes = futures_util::stream::iter(rows).map(|(id, subscription)| (id, subscription, push.clone()));
//!     let mut outcomes = std::pin::pin!(sender.fan_out(pushes, FanOut::default().concurrency(64).per_origin(16)));
//!     let mut gone = Vec::new();
//!     while let Some(outcome) = outcomes.next().await {
//!         if matches!(outcome.verdict, Verdict::Gone | Verdict::Malformed(_)) {
//!             gone.push(outcome.id);
//!         }
//!     }
//!     Ok(gone)
//! }
//! ```
//!
//! - What a fan-out holds is bounded by its concurrency, not by the number of subscriptions
//!   nor of push services (tests: 2,000 pushes read with a concurrency of 8; 200 push services
//!   each paused with its retries spent). The process's peak memory still grew in
//!   `cargo xtask bench`, ever more slowly: 13.0 MB at 10,000 pushes, 15.4 MB at 1,000,000,
//!   about half of it the allocator's per-thread arenas.
//! - One VAPID signature per push service (its origin, port included), kept by the sender and
//!   its clones while its own `exp` (wall-clock time, 12 hours ahead) is more than an hour away
//!   and no more than 12 hours ahead, so a suspend or a clock step never sends an expired or
//!   too-distant token. A token the push service refuses (401, 403) is dropped and the push sent
//!   once more with a new one. The push services in `KNOWN_PUSH_SERVICES` (and those given to
//!   `only_hosts`) keep theirs whatever other origins visitors choose, whose tokens are kept
//!   256 at most, and a send signs holding only its own push service's slot.
//! - [`Sender`] is `Clone + Send + Sync` and holds no global state: run a fan-out per job of
//!   your job queue.
//! - Its CPU is mostly the encryption each push needs (a P-256 key pair and agreement), and the
//!   rest depends on the runtime more than on HTTP/1.1 or HTTP/2: in `cargo xtask bench`
//!   (BENCHMARKS.md, "Sending"), a fan-out of 100,000 pushes to a push service on loopback,
//!   polled from `block_on` as `#[tokio::main]` does, took 97 µs of CPU a push on tokio's
//!   multi-threaded runtime on two cores (the pushes encrypted on its worker threads; the
//!   process's threads waited and were woken about 0.7 times a push), and 81 µs on the
//!   current-thread runtime. Polled from within a task, a fan-out encrypts on that task's
//!   thread.
//!
//! The demo server's "send to everyone" is one such fan-out. Beyond one process,
//! [`examples/broadcast`](https://github.com/wasm-push/wasm-push/tree/main/examples/broadcast)
//! runs a broadcast as jobs on apalis over PostgreSQL: any number of workers on any number of
//! machines share it. A worker killed mid-job loses no push, and sends again only what it had
//! in flight; one paused past its heartbeats stops when it wakes instead of sending its batch
//! again. A send that stopped half-way is resumed by its id, and retries end at the
//! broadcast's give-up time. Gone subscriptions are deleted. Its test runs two workers, one of
//! them killed, then paused.
//!
//! # What the page sends the app server
//!
//! The page's `AppServer` (and the worker's `subscription_url`) speaks JSON with same-origin
//! credentials, and never follows a redirect:
//!
//! | request | body | header | answer |
//! | --- | --- | --- | --- |
//! | save: `POST` the URL given to `AppServer::new` | [`SaveSubscription`]: the subscription's `toJSON()`, plus `oldEndpoint` when the server still holds this browser's earlier endpoint (delete that row) | `X-CSRF-Token` ([`CSRF_HEADER`]) from `<meta name="csrf-token">` or `csrf_token`; none from the worker, which proves itself by the stored `oldEndpoint` | 2xx once stored; anything else, a redirect too, is not taken and is sent again on the next page load |
//! | removal: `DELETE` the same URL (`remove_with` for another method or URL) | [`RemoveSubscription`]: the subscription's `toJSON()`, of which the server needs `endpoint` | `X-CSRF-Token` | 2xx once removed; 404 and 410 count as removed; anything else is sent again on the next page load |
//!
//! A refusal's body may be `{"error": {"id": "…", "message": "…"}}`: the page reads it into
//! [`Error::Server`](crate::Error::Server)` { status, id, message }`.
//!
//! # Taking the page's saves safely
//!
//! The page's `AppServer` sends its saves and removals with the page's cookies, so an app server
//! takes them as it takes any state-changing request (the demo's server,
//! [`www/server`](https://github.com/wasm-push/wasm-push/tree/main/www/server), does this, and
//! its [`tests/api.rs`](https://github.com/wasm-push/wasm-push/blob/main/www/server/tests/api.rs)
//! proves each refusal):
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
mod encrypt;
mod endpoint;
mod fan_out;
#[cfg(feature = "axum")]
mod files;
mod keys;
mod origin;
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
