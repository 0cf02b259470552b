//! One push, top to bottom: read the bytes, decode them, let the hooks change the payload, show
//! it (or hand it to a focused page), set the badge, report it, and send a subscription the app
//! server still lacks.
//!
//! Size matters here more than anywhere: every visitor downloads the worker, and most pushes
//! start it cold. So the push path reads JSON with the browser's own `JSON.parse` (through the
//! shared decoder's `JsonView`), builds every object it hands the browser with `Reflect`, and
//! keeps `core::fmt`, serde_json and the window side's `Error` off its paths; the hooks that
//! need serde_json's `Value` bring it in only when a worker sets them.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::clients::{focused_window, hand_over, windows};
use super::options::options;
use super::runtime::{from_serde, to_serde, AsyncTransform, Inner, Runtime, Slot};
use super::show_guard::ShowGuard;
use super::Foreground;
use crate::js::promise::{first, quietly, resolved, sleep, then};
use crate::js::{get, message, sys, worker_scope, Js};
use crate::shared::{decode_proposal, decode_with};
use crate::NotificationPayload;
use js_sys::{Promise, Reflect, JSON};
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::PushEvent;

impl Runtime {
    /// Handles a `push` event: decode (a push without data, when `fetch_url` is set, first gets
    /// its content from there), transform, show (the fallback if showing fails), set the app
    /// badge, send the receipt.
    ///
    /// ```no_run
    /// # fn run(event: web_sys::PushEvent) -> Result<(), wasm_bindgen::JsValue> {
    /// let runtime = wasm_push::worker::Runtime::from_location();
    /// event.wait_until(&runtime.push(&event))?;
    /// # Ok(()) }
    /// ```
    pub fn push(&self, event: &PushEvent) -> Promise {
        // `array_buffer()` cannot fail on a live event; if it ever does, the fallback shows.
        let bytes = event
            .data()
            .and_then(|data| data.array_buffer().ok())
            .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
            .filter(|bytes| !bytes.is_empty());
        let inner = self.inner.clone();
        // Safari hands a mutable declarative message over as the notification it proposes: a
        // proposal the hooks may change, shown by this worker so its click routing and
        // receipts run.
        let declarative = event.unchecked_ref::<sys::DeclarativePushEvent>();
        let proposal = if bytes.is_none() { declarative.notification() } else { None };
        let app_badge = declarative.app_badge();
        // A push that carries nothing stands for content the app server keeps (`fetch_url`):
        // fetched, then read like any payload; with the setting, a push may also name where its
        // content is (`ContentAt`). Only such pushes read a URL.
        let named = bytes.as_deref().filter(|_| inner.config.fetch_url.is_some()).and_then(named_content);
        let fetch_url = match (&bytes, &proposal, &named) {
            (None, None, _) => inner.server_url(inner.config.fetch_url.as_deref()),
            (_, _, Some(url)) => inner.server_url(Some(url)),
            _ => None,
        };
        // A push naming a URL that is refused (another origin) is content not got: the fallback.
        let bytes = bytes.filter(|_| named.is_none() || fetch_url.is_some());
        let event: JsValue = event.clone().into();
        // What the push waits on (that content, the async transforms) shares one deadline.
        let Some(url) = fetch_url else {
            let deadline = || sleep(inner.deadline_ms);
            return inner.clone().push_bytes(event, bytes.as_deref(), proposal, app_badge, deadline);
        };
        let deadline = sleep(inner.deadline_ms);
        then(&content(&url, &deadline), move |content| {
            let bytes = content.ok().filter(|c| !c.is_undefined()).map(|c| js_sys::Uint8Array::new(&c).to_vec());
            Ok(inner.push_bytes(event, bytes.as_deref(), None, app_badge, || deadline).into())
        })
    }

    /// Changes every payload before it is shown, with work that waits: a `fetch` of the content
    /// a push stands for, the site's windows, Cache Storage, IndexedDB. It runs after the
    /// synchronous [`transform`](Self::transform)s, under the deadline (see
    /// [`deadline`](Self::deadline)); when the deadline passes first, or the hook answers `Err`,
    /// the push shows its own payload as the synchronous hooks left it; when it traps, the
    /// fallback. Still exactly one notification per push: while an async hook is under way, a
    /// notification something else in the worker shows is dropped (change the payload
    /// instead). Async transforms added one after another run in that order, each on what the
    /// one before made; when one fails, the push shows what the ones before it made, and the
    /// ones after do not run. A worker without one carries none of this (nor an async
    /// executor).
    ///
    /// ```no_run
    /// use wasm_bindgen_futures::JsFuture;
    ///
    /// let runtime = wasm_push::worker::Runtime::from_location().transform_async(|mut payload| async move {
    ///     // How many windows of the site are open, from the worker's `clients`.
    ///     let scope: web_sys::ServiceWorkerGlobalScope = wasm_bindgen::JsCast::unchecked_into(js_sys::global());
    ///     let open = JsFuture::from(scope.clients().match_all()).await?;
    ///     if js_sys::Array::from(&open).length() > 0 {
    ///         payload.body = Some("Open the tab to read it.".into());
    ///     }
    ///     Ok(payload)
    /// });
    /// ```
    pub fn transform_async<Hook, Done>(self, hook: Hook) -> Self
    where
        Hook: Fn(NotificationPayload) -> Done + 'static,
        Done: Future<Output = Result<NotificationPayload, JsValue>> + 'static,
    {
        let transform: Rc<AsyncTransform> = Rc::new(move |mut payload, data, slot| {
            // The payload as it came: what shows if the hook fails or is late. Copied here, so
            // only a worker with an async transform carries the copying.
            *slot.borrow_mut() = Some((payload.clone(), data.clone()));
            payload.data = to_serde(&data);
            let done = hook(payload);
            wasm_bindgen_futures::future_to_promise(async move {
                let mut payload = done.await?;
                let data = payload.data.take().map_or(JsValue::UNDEFINED, |value| from_serde(&value));
                *slot.borrow_mut() = Some((payload, data));
                Ok(JsValue::UNDEFINED)
            })
        });
        self.with(|inner| {
            let hooks: Rc<AsyncTransform> = match inner.transform_async.take() {
                Some((before, _)) => Rc::new(move |payload, data, slot: Rc<Slot<_>>| {
                    let first = before(payload, data, slot.clone());
                    let transform = transform.clone();
                    crate::js::promise::then(&first, move |done| {
                        done?;
                        let (payload, data) = slot.take().ok_or(JsValue::UNDEFINED)?;
                        Ok(transform(payload, data, slot).into())
                    })
                }),
                None => transform,
            };
            inner.transform_async = Some((hooks, Inner::wait_for_transforms));
        })
    }
}

/// The URL a push names as its content's ([`ContentAt`](crate::ContentAt)): the string
/// `fetch_url` of a JSON object.
fn named_content(bytes: &[u8]) -> Option<String> {
    if bytes.first() != Some(&b'{') {
        return None;
    }
    let json = JSON::parse(std::str::from_utf8(bytes).ok()?).ok()?;
    get(&json, "fetch_url").as_string()
}

/// The bytes `url` answers (`GET`, the site's cookies), as an `ArrayBuffer`, when the answer is
/// a 2xx; `undefined` for anything else: a redirect (not followed, so never taken for the
/// content), an error status, no answer, or none before `deadline`.
fn content(url: &str, deadline: &Promise) -> Promise {
    let answer = crate::js::fetch(url, "GET", &JsValue::UNDEFINED, None);
    let body = then(&answer, |answer| {
        let answer: web_sys::Response = answer?.dyn_into()?;
        Ok(if answer.ok() { answer.array_buffer()?.into() } else { JsValue::UNDEFINED })
    });
    first(&quietly(&body), deadline)
}

impl Inner {
    /// A push whose bytes (or the browser's proposal) are known: to the async transforms, with
    /// the push's `deadline`, when the worker has any; else straight on.
    fn push_bytes(
        self: Rc<Self>,
        event: JsValue,
        bytes: Option<&[u8]>,
        proposal: Option<web_sys::Notification>,
        app_badge: Option<f64>,
        deadline: impl FnOnce() -> Promise,
    ) -> Promise {
        match self.transform_async {
            Some((_, wait)) => wait(self.clone(), event, bytes, proposal, app_badge, deadline()),
            None => self.push_payload(event, bytes, proposal, app_badge),
        }
    }

    /// A push whose bytes (or the browser's proposal) are known, in a worker without async
    /// transforms: decode, transform, then [`deliver`](Self::deliver).
    fn push_payload(
        self: Rc<Self>,
        event: JsValue,
        bytes: Option<&[u8]>,
        proposal: Option<web_sys::Notification>,
        app_badge: Option<f64>,
    ) -> Promise {
        let (payload, data) = self.payload(bytes, proposal, app_badge);
        self.deliver(event, payload, data, true)
    }

    /// Decodes and runs the sync transforms, then the async ones until `deadline`, and
    /// delivers what they made, or the payload as it came when they failed or were late.
    pub(super) fn wait_for_transforms(
        self: Rc<Self>,
        event: JsValue,
        bytes: Option<&[u8]>,
        proposal: Option<web_sys::Notification>,
        app_badge: Option<f64>,
        deadline: Promise,
    ) -> Promise {
        let (payload, data) = self.payload(bytes, proposal, app_badge);
        let Some((transform, _)) = self.transform_async.clone() else {
            return self.deliver(event, payload, data, true);
        };
        // A hook that shows a notification itself would make two: until it is done, the
        // registration's showNotification does nothing (wasm-push's own shows go around it).
        let only_ours = ShowGuard::install();
        let made: Rc<Slot<(NotificationPayload, JsValue)>> = Rc::default();
        let done = transform(payload, data, made.clone());
        let inner = self;
        then(&first(&quietly(&done), &deadline), move |_| {
            drop(only_ours);
            // What the hooks made, or, when they failed or were late, the payload as it came.
            let (mut payload, data) =
                made.take().unwrap_or_else(|| (inner.config.fallback.payload(), JsValue::UNDEFINED));
            inner.finish(&mut payload);
            Ok(inner.deliver(event, payload, data, false).into())
        })
    }

    /// A push whose payload is decided: show it (or hand it to a focused page), set the badge,
    /// send the receipt. `now`: called in the listener's own turn, where it starts showing at
    /// once. Inlined into its callers: the one without async hooks is the push path.
    #[inline(always)]
    fn deliver(self: Rc<Self>, event: JsValue, payload: NotificationPayload, data: JsValue, now: bool) -> Promise {
        let inner = self;
        // Shown from this call, not from a later step of the chain: the push's latency is the
        // browser's, not the promise queue's.
        let shows_now = now && inner.config.foreground == Foreground::Show;
        let shown_now = (shows_now && claim(&event)).then(|| inner.show_claimed(&event, &payload, &data));
        // With `foreground=page` or `both`, a focused, visible window of the site gets the push
        // as a message; only `page` with such a window skips the notification, and not in
        // WebKit, which revokes the subscriptions of sites that skip it.
        let windows = match inner.config.foreground {
            Foreground::Show => resolved(JsValue::UNDEFINED),
            Foreground::Page | Foreground::Both => windows(),
        };
        then(&windows, move |windows| {
            let page = windows.ok().as_ref().and_then(focused_window);
            let user_agent = || get(&get(&js_sys::global(), "navigator"), "userAgent").as_string();
            let shows_anyway = inner.config.foreground.shows_too(&user_agent().unwrap_or_default());
            // With `page`, only a page that answers that it took the push keeps it from showing
            // (one that does not listen, or is still loading, swallows nothing); with `both`,
            // the page is only told.
            let taken = match &page {
                Some(window) if !shows_anyway => hand_over(window, &message::write(&payload, &data)),
                Some(window) => {
                    let _ = window.post_message(&message::write(&payload, &data));
                    resolved(false)
                }
                None => resolved(false),
            };
            Ok(then(&taken, move |taken| {
                let taken = taken.is_ok_and(|taken| taken.is_truthy());
                // Handled here unless the shim already showed its fallback for this push.
                let ours = shown_now.is_some() || (!shows_now && claim(&event));
                let show = ours && !taken;
                let shown = match (show, shown_now) {
                    (true, Some(shown)) => shown,
                    (true, None) => inner.show_claimed(&event, &payload, &data),
                    (false, _) => {
                        if ours {
                            // A page took it: nothing for the shim to add after a trap.
                            let _ = Reflect::set(&event, &CLAIM.into(), &"page".into());
                        }
                        resolved(JsValue::UNDEFINED)
                    }
                };
                Ok(then(&shown, move |shown| {
                    shown?;
                    let event = if show { "shown" } else { "page" };
                    let receipt = match ours {
                        true => inner.receipt(event, payload.tag.as_deref().unwrap_or(""), "", &data),
                        false => resolved(JsValue::UNDEFINED),
                    };
                    Ok(then(&receipt, move |_| Ok(inner.retry_pending().into())).into())
                })
                .into())
            })
            .into())
        })
    }
}

/// The member of the push event through which Rust and the shim (`sw/shim/listeners.js`) agree
/// on who shows its notification, so that exactly one shows. Rust sets, in one synchronous run:
/// `"claimed"` once it will show the push (unless the shim set `"fallback"` first), `"showing"`
/// just before it calls `showNotification`, then the promise of that show (the browser's, with
/// the fallback shown should the browser refuse the payload: JavaScript alone, no Rust left in
/// it); or `"page"` when a focused page took the push. After a trap (Rust's or another module's
/// in the same worker) the shim waits for a promise and shows its fallback only if it rejects,
/// adds nothing to `"showing"` or `"page"`, and shows its fallback for `"claimed"` (Rust
/// stopped before asking for anything) or nothing at all.
const CLAIM: &str = "wasmPushClaim";

/// Claims `event`'s notification for Rust: `false` when the shim showed its fallback already.
fn claim(event: &JsValue) -> bool {
    if get(event, CLAIM).as_string().as_deref() == Some("fallback") {
        return false;
    }
    let _ = Reflect::set(event, &CLAIM.into(), &"claimed".into());
    true
}

impl Inner {
    /// What a push shows: its bytes decoded (or the browser's proposal read), changed by the
    /// transform hooks, with the default icon; its `data` as the browser holds it (`undefined`
    /// when there is none).
    fn payload(
        &self,
        bytes: Option<&[u8]>,
        proposal: Option<web_sys::Notification>,
        app_badge: Option<f64>,
    ) -> (NotificationPayload, JsValue) {
        let fallback = &self.config.fallback;
        let (mut payload, data) = match proposal {
            Some(proposal) => {
                let app_badge = app_badge.filter(|n| *n >= 0.0 && n.fract() == 0.0).map(|n| n as u64);
                decode_proposal(&Js(proposal.into()), app_badge, fallback)
            }
            None => decode_with(bytes, fallback, |text| JSON::parse(text).ok().map(Js)),
        };
        let mut data = data.map_or(JsValue::UNDEFINED, |Js(data)| data);
        match &self.transform {
            Some(transform) => {
                (payload, data) = transform(payload, data);
                self.finish(&mut payload);
            }
            None if payload.icon.is_none() => payload.icon = self.config.default_icon.clone(),
            None => {}
        }
        (payload, data)
    }

    /// What a hook made, made showable: an empty title becomes the fallback's, blank fields
    /// go, and the default icon is set when it has none.
    fn finish(&self, payload: &mut NotificationPayload) {
        self.config.fallback.fill_title(payload);
        payload.drop_blank_fields();
        if payload.icon.is_none() {
            payload.icon = self.config.default_icon.clone();
        }
    }

    /// Shows a push Rust [`claim`]ed, the one place that calls `showNotification` with a payload,
    /// then sets the app badge. A payload the browser refuses (Chromium throws on `renotify`
    /// without a tag, for instance) shows the fallback instead, under the payload's tag. The
    /// promise of the show and of that fallback, built in JavaScript alone, is left on the event
    /// ([`CLAIM`]), where the shim waits for it after a trap: "shown" means the browser's
    /// `showNotification` resolved. The promise rejects only when the fallback failed too.
    fn show_claimed(self: &Rc<Self>, event: &JsValue, payload: &NotificationPayload, data: &JsValue) -> Promise {
        let registration = worker_scope().registration();
        let fallback = NotificationPayload { tag: payload.tag.clone(), ..self.config.fallback.payload() };
        let fallback_options = options(&fallback, &JsValue::UNDEFINED);
        let options = options(payload, data);
        // `showNotification` bound to the fallback's arguments: `catch` calls it with the reason
        // as a third argument, which it ignores.
        let show_fallback =
            sys::show_notification_method().bind2(&registration, &fallback.title.into(), &fallback_options);
        let _ = Reflect::set(event, &CLAIM.into(), &"showing".into());
        let shown = match sys::show_notification(&registration, &payload.title, &options) {
            Ok(showing) => {
                let catch: js_sys::Function = get(&showing, "catch").unchecked_into();
                catch.call1(&showing, &show_fallback).map_or_else(|e| Promise::reject(&e), JsCast::unchecked_into)
            }
            Err(_) => show_fallback.call0(&registration).map_or_else(|e| Promise::reject(&e), JsCast::unchecked_into),
        };
        let _ = Reflect::set(event, &CLAIM.into(), &shown);
        let badge = payload.app_badge;
        then(&shown, move |shown| {
            shown?;
            // The badge is a nicety: a browser that refuses it does not fail the push.
            Ok(badge.and_then(sys::set_app_badge).map_or(JsValue::UNDEFINED, |badge| quietly(&badge).into()))
        })
    }
}
