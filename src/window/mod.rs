//! The window side: what a page does to get and keep a push subscription. Detect support,
//! register the worker, read and ask for permission, subscribe, keep the app server told, and
//! take the pushes the worker hands to a focused page.
//!
//! It compiles on every target. On the host (server-side rendering, rust-analyzer, `cargo
//! check`) it is inert: [`Support::detect`](crate::Support::detect) finds nothing, and every
//! entry point answers [`Error::Unsupported`](crate::Error::Unsupported)`("browser")` and calls
//! no JavaScript. No `#[cfg(target_arch = "wasm32")]` is needed around it.
//!
//! The whole flow, from `examples/subscribe.rs`:
//!
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml
#![doc = concat!("```no_run\n", include_str!("../../examples/subscribe.rs"), "```")]
//!
//! # Errors
//!
//! Every failure is one [`Error`](crate::Error) variant that says what happened: `Unsupported`
//! only when the browser lacks something (hide the button), `InsecureContext`,
//! `PermissionDenied`, `InvalidKey` (a bad key, with the reason), `MissingKey`, `NotReady` (the
//! worker is not registered and active), `NotSubscribed`, `Browser` (the browser's own
//! exception), `Server`, `Redirected` and `Network` (the app server), `Timeout`,
//! `UnexpectedValue`.
//!
//! # The hooks
//!
//! With the feature `yew`, `leptos` or `dioxus`, one hook, `use_push`, runs the whole flow in a
//! component: it registers the worker, reads the subscription, keeps the app server in step
//! ([`AppServer::sync`]) and the permission current, and gives `subscribe` and `unsubscribe`.
//! Its options, `UsePushOptions`, name the worker script and its scope, the app server's VAPID
//! public key (`subscribe` needs it) and where the subscription is POSTed and DELETEd
//! ([`AppServer`]). The three hooks are one flow; each hook's own docs show a component that
//! uses it.
//!
//! - Yew (feature `yew`): `use_push` returns support, permission, the subscription, loading and
//!   the last error, with `subscribe` and `unsubscribe` callbacks; its permission watch is
//!   dropped when the component unmounts.
//! - Leptos (feature `leptos`): `leptos::use_push` gives the state as a signal (`push.state()`),
//!   `push.subscribe()` and `push.unsubscribe()`; its watch is dropped with the component's
//!   owner.
//! - Dioxus 0.7 (feature `dioxus`): `dioxus::use_push` gives a `Copy` handle with the state as a
//!   signal, `subscribe()` and `unsubscribe()`; its watch is dropped with the component, and its
//!   work starts in an effect.
//!
//! A hook's state starts with nothing known yet (`loading`, no support) on the server and in
//! the browser alike, so a hydrated page matches what the server rendered; it reads what the
//! browser can do once the component is mounted. So the same component renders on the server
//! with no `cfg`: in Leptos (server-side rendering, cargo-leptos) the work starts once the page
//! is hydrated
//! ([`examples/leptos-ssr`](https://github.com/wasm-push/wasm-push/tree/main/examples/leptos-ssr)),
//! and a page that Dioxus fullstack renders on the server shows the same unknown state the
//! browser's first render does.
//!
//! # Keeping the app server in step
//!
//! The browser keeps, in Cache Storage, what the app server was last told: the subscription,
//! whether the server said yes, and the endpoint it held before. Call
//! [`AppServer::sync`]`(&registration)` on every page load (`use_push` does): it sends the
//! current subscription when the server never acknowledged it (it was down, or the browser
//! changed the subscription while no page was open), dropping the endpoint the server held, and
//! renews a subscription once half its `expirationTime` lifetime is gone. The worker reads the
//! same record: a `pushsubscriptionchange` without `oldSubscription` (Firefox before 137) still
//! tells the server which endpoint to drop, and a change the server could not take is sent
//! again after the next push. [`Registration::subscribe`] also keeps the application server
//! key it subscribed with, so a change event that carries no subscription at all (Chrome 138,
//! after permission is granted again) is answered by subscribing again with it;
//! [`Registration::unsubscribe`] and [`AppServer::remove`] forget it, so a user who turned
//! notifications off is not subscribed again. Every step of the window side that changes the
//! subscription or what the server was told (`subscribe`, `save`, `replace`, `remove`,
//! `unsubscribe`, `sync`) holds one Web Lock of the origin, so a page load finishing an opt-out
//! and a click that subscribes run one after the other, and the one the user made last stands
//! (a step waits 30 s at most for it, then runs unguarded). One record per origin: two
//! registrations on one origin that both use wasm-push would share it.
//!
//! What else `sync` puts right, so that no path loses a subscription or an opt-out:
//!
//! - **Only the app server's own 2xx counts.** Requests to the app server (the page's and the
//!   worker's) follow no redirect: a `302` to a login page, because the session expired, is
//!   `Error::Redirected`, and the subscription is sent again on the next page load.
//! - **A failed resubscribe is repaired.** When a `pushsubscriptionchange` or a renewal ended the
//!   old subscription and the new `subscribe` failed (offline, the push service down), the
//!   browser has none. If the user opted in (the key is kept) and permission is still granted,
//!   the next `sync` subscribes again and tells the server, with `oldEndpoint`:
//!   [`Synced::Resubscribed`].
//! - **Turning off is honoured, whatever fails.** [`AppServer::unsubscribe`]`(&registration)`
//!   (the hooks' `unsubscribe`) keeps the opt-out in the browser first, then unsubscribes the
//!   browser, then tells the server ([`AppServer::remove`], where a 404 or 410 is success too).
//!   If the server is down, the browser is already off, and the next `sync` sends the removal
//!   ([`Synced::TurnedOff`]); nothing subscribes the user again until
//!   [`Registration::subscribe`]. [`AppServer::remove`] alone (the server forgets, the browser
//!   stays subscribed) keeps the same opt-out: the next `sync` does not send the subscription
//!   again but ends it in the browser too (`Synced::TurnedOff`), so both sides say the user is
//!   off. A `pushsubscriptionchange` while an opt-out waits neither subscribes again nor tells
//!   the server; a subscription the browser made itself then ends with the opt-out, on both
//!   sides.
//! - **A site that clears every cache loses nothing.** The record, the key and the opt-out live
//!   in Cache Storage (cache `wasm-push`), where a worker's "delete every cache but the current
//!   one" step on `activate` reaches them too. wasm-push survives their loss rather than hiding
//!   from it: without a record the subscription is sent again (the server keeps one row per
//!   endpoint), and `sync` keeps the current subscription's key again. What a loss between two
//!   page loads can still cost: a subscription lost in that window is not repaired until the
//!   page subscribes again, and an opt-out whose server step failed leaves a row that the
//!   server's next send prunes (410). Leave `wasm-push` and `wasm-push-wasm-*` out of such a
//!   clean-up to keep them.
//!
//! # Messages while the page is open
//!
//! With the worker's `foreground=page`, a push that arrives while a window of the site is
//! focused and visible goes to that window instead of the notification tray (`both`: to the
//! window and the tray). Browsers allow skipping the notification only then, so without such a
//! window it shows as usual. The push is skipped only when the page answers that it took it:
//! [`ForegroundMessages`] answers after its callback ran, and without an answer within a second
//! (a page of the site that does not listen, a route that does not mount it, a page still
//! loading) the notification shows. In WebKit (Safari, and every browser on iOS) `page` shows
//! the notification too, as `both` does: WebKit revokes the subscriptions of sites whose pushes
//! skip `showNotification`.

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
