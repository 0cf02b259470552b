//! The service-worker runtime: push events in, notifications out; clicks, closes and
//! subscription changes handled.
//!
//! The ready-made worker in `sw/` is this runtime with its settings read from the script URL.
//! Your own worker (a cdylib that depends on `wasm-bindgen`) uses it the same way, with hooks,
//! and [`export_worker!`](crate::export_worker) gives it the entry points the shim calls:
//!
//! ```no_run
//! wasm_push::export_worker!(wasm_push::worker::Runtime::from_location()
//!     .transform(|mut payload| {
//!         payload.title = format!("Acme: {}", payload.title);
//!         payload
//!     })
//!     .on_click(|click| (click.action == "inbox").then(|| "/inbox".to_owned())));
//! ```

//! Size matters here more than anywhere: every visitor downloads the worker, and most pushes
//! start it cold. So the push path reads JSON with the browser's own `JSON.parse` (through the
//! shared decoder's `JsonView`), builds every object it hands the browser with `Reflect`, and
//! keeps `core::fmt`, serde_json and the window side's `Error` off its paths; the hooks that
//! need serde_json's `Value` bring it in only when a worker sets them.

use crate::js::{get, object, Js};
use crate::payload::decode_with;
use crate::sync::{next_step, store, Step, SyncRecord};
use crate::foreground::MESSAGE_TYPE;
use crate::{click_target, sys, Foreground, NotificationPayload, Subscription, WorkerConfig};
use js_sys::{Array, Object, Reflect, JSON};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{NotificationEvent, NotificationOptions, PushEvent, ServiceWorkerGlobalScope};

/// How often a changed subscription is offered to the app server before the event gives up,
/// and the first wait between tries (doubled each time).
const SYNC_TRIES: u32 = 4;
const SYNC_FIRST_WAIT_MS: u32 = 1_000;

/// A payload with its `data` as the browser holds it.
type Transform = dyn Fn(NotificationPayload, JsValue) -> (NotificationPayload, JsValue);
/// The click, and the notification's `data` as the browser holds it.
type ClickHook = dyn Fn(&Click, &JsValue) -> Option<String>;

/// The runtime of a push worker: one per worker, kept in a `thread_local!`.
///
/// Each method returns the promise to hand to `event.waitUntil`, and none of them throws.
/// Exactly one code path calls `showNotification` per push, whatever the hooks do.
#[derive(Clone)]
pub struct Runtime {
    inner: Rc<Inner>,
}

#[derive(Clone)]
struct Inner {
    config: WorkerConfig,
    /// The worker script's URL, which server URLs are resolved against.
    location: String,
    transform: Option<Rc<Transform>>,
    on_click: Option<Rc<ClickHook>>,
    /// Whether this instance knows the app server has the current subscription, so a push need
    /// not read the sync record again (a burst of pushes reads it once).
    in_step: Rc<std::cell::Cell<bool>>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("config", &self.inner.config)
            .field("transform", &self.inner.transform.is_some())
            .field("on_click", &self.inner.on_click.is_some())
            .finish()
    }
}

/// What a click hook is told.
#[derive(Debug, Clone, PartialEq)]
pub struct Click {
    /// The clicked button's id, or "" for the notification itself.
    pub action: String,
    /// The notification's tag, or "".
    pub tag: String,
    /// Where the click will go unless the hook says otherwise (already same-origin).
    pub target: String,
    /// The payload's `data`.
    pub data: serde_json::Value,
}

fn scope() -> ServiceWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

impl Runtime {
    /// A runtime with these settings.
    ///
    /// ```no_run
    /// let runtime = wasm_push::worker::Runtime::new(wasm_push::WorkerConfig::default());
    /// ```
    pub fn new(config: WorkerConfig) -> Self {
        let location = scope().location().href();
        Self { inner: Rc::new(Inner { config, location, transform: None, on_click: None, in_step: Rc::default() }) }
    }

    /// A runtime with the settings in the worker script's URL (see [`WorkerConfig`]), or in
    /// `self.wasmPush.query` when a worker that imports `push.js` sets it.
    ///
    /// ```no_run
    /// // registered as /sw.js?title=Acme&receipts_url=/push/receipts
    /// let runtime = wasm_push::worker::Runtime::from_location();
    /// ```
    pub fn from_location() -> Self {
        // A worker that imports push.js may give the settings in `self.wasmPush.query`.
        let given = get(&get(&js_sys::global(), "wasmPush"), "query").as_string();
        Self::new(WorkerConfig::from_query(&given.unwrap_or_else(|| scope().location().search())))
    }

    /// Changes every payload before it is shown. What it returns is shown, once; an empty
    /// title becomes the fallback title. Transforms added one after another run in that order,
    /// each once per push, and the push still shows exactly one notification: a notification
    /// the hook shows itself (as code moved from `onBackgroundMessage` might) is dropped, so
    /// change the payload instead.
    ///
    /// ```no_run
    /// let runtime = wasm_push::worker::Runtime::from_location().transform(|mut payload| {
    ///     payload.tag.get_or_insert_with(|| "news".into());
    ///     payload
    /// });
    /// ```
    pub fn transform(self, transform: impl Fn(NotificationPayload) -> NotificationPayload + 'static) -> Self {
        // The conversions to and from serde_json live in this closure, so only a worker that
        // sets a transform carries them.
        let transform = move |mut payload: NotificationPayload, data: JsValue| {
            payload.data = to_serde(&data);
            let mut payload = transform(payload);
            let data = payload.data.take().map_or(JsValue::UNDEFINED, |value| from_serde(&value));
            (payload, data)
        };
        self.with(|inner| {
            inner.transform = Some(match inner.transform.take() {
                Some(before) => Rc::new(move |payload, data| {
                    let (payload, data) = before(payload, data);
                    transform(payload, data)
                }),
                None => Rc::new(transform),
            })
        })
    }

    /// Decides where a click goes: `Some(url)` replaces the target (still held to the worker's
    /// origin), `None` keeps it. With several, the one added last that answers `Some` decides.
    ///
    /// ```no_run
    /// let runtime = wasm_push::worker::Runtime::from_location()
    ///     .on_click(|click| (click.action == "settings").then(|| "/settings".into()));
    /// ```
    pub fn on_click(self, hook: impl Fn(&Click) -> Option<String> + 'static) -> Self {
        let hook = move |click: &Click, data: &JsValue| {
            let click = Click { data: to_serde(data).unwrap_or_default(), ..click.clone() };
            hook(&click)
        };
        self.with(|inner| {
            inner.on_click = Some(match inner.on_click.take() {
                Some(before) => Rc::new(move |click, data| hook(click, data).or_else(|| before(click, data))),
                None => Rc::new(hook),
            })
        })
    }

    /// A runtime like this one with one thing changed; a clone keeps its hooks.
    fn with(self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Rc::unwrap_or_clone(self.inner);
        change(&mut inner);
        Self { inner: Rc::new(inner) }
    }

    /// Handles a `push` event: decode, transform, show (the fallback if showing fails), set
    /// the app badge, send the receipt.
    ///
    /// ```no_run
    /// # fn run(event: web_sys::PushEvent) -> Result<(), wasm_bindgen::JsValue> {
    /// let runtime = wasm_push::worker::Runtime::from_location();
    /// event.wait_until(&runtime.push(&event))?;
    /// # Ok(()) }
    /// ```
    pub fn push(&self, event: &PushEvent) -> js_sys::Promise {
        // `array_buffer()` cannot fail on a live event; if it ever does, the fallback shows.
        let bytes = event
            .data()
            .and_then(|data| data.array_buffer().ok())
            .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec());
        let inner = self.inner.clone();
        let fallback = &inner.config.fallback;
        let (mut payload, data) = decode_with(bytes.as_deref(), fallback, |text| JSON::parse(text).ok().map(Js));
        let mut data = data.map_or(JsValue::UNDEFINED, |Js(data)| data);
        if let Some(transform) = &inner.transform {
            // A hook that shows a notification itself would make two: while it runs, the
            // registration's showNotification does nothing.
            let _only_ours = ShowGuard::install();
            (payload, data) = transform(payload, data);
            if payload.title.trim().is_empty() {
                payload.title = fallback.title.clone();
            }
        }
        if payload.icon.is_none() {
            payload.icon = inner.config.default_icon.clone();
        }
        // Shown from this call, not from a later turn of the async executor: the push's latency
        // is the browser's, not the executor's.
        let showing = (inner.config.foreground == Foreground::Show).then(|| inner.start_show(&payload, &data));
        future_to_promise(async move {
            // With `foreground=page` or `both`, a focused, visible window of the site gets the
            // push as a message; only `page` with such a window skips the notification.
            let page = match inner.config.foreground {
                Foreground::Show => None,
                Foreground::Page | Foreground::Both => focused_window().await,
            };
            if let Some(window) = &page {
                let message = object(&[("type", MESSAGE_TYPE.into()), ("payload", payload_object(&payload, &data).into())]);
                let _ = window.post_message(&message);
            }
            let show = page.is_none() || inner.config.foreground == Foreground::Both;
            if show {
                let showing = showing.unwrap_or_else(|| inner.start_show(&payload, &data));
                inner.finish_show(showing, &payload).await?;
                if let Some(badge) = payload.app_badge.and_then(sys::set_app_badge) {
                    // The badge is a nicety: a browser that refuses it does not fail the push.
                    let _ = JsFuture::from(badge).await;
                }
            }
            let event = if show { "shown" } else { "page" };
            inner.receipt(event, payload.tag.as_deref().unwrap_or(""), "", &data).await;
            inner.retry_pending().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Handles `notificationclick`: closes the notification, then focuses a window already on
    /// the target URL, else navigates an open window there, else opens one. The target is the
    /// clicked button's URL or the notification's, held to the worker's origin.
    ///
    /// ```no_run
    /// # fn run(event: web_sys::NotificationEvent) -> Result<(), wasm_bindgen::JsValue> {
    /// let runtime = wasm_push::worker::Runtime::from_location();
    /// event.wait_until(&runtime.notification_click(&event))?;
    /// # Ok(()) }
    /// ```
    pub fn notification_click(&self, event: &NotificationEvent) -> js_sys::Promise {
        let notification = event.notification();
        notification.close();
        let action = event.unchecked_ref::<sys::NotificationEventWithAction>().action().unwrap_or_default();
        let meta = notification.data();
        let requested = match action.is_empty() {
            true => None,
            false => get(&get(&meta, "actions"), &action).as_string(),
        };
        let requested = requested.or_else(|| get(&meta, "url").as_string());
        let data = get(&meta, "data");
        let scope_url = scope().registration().scope();
        let mut click = Click {
            target: click_target(&scope_url, requested.as_deref()),
            tag: notification.tag().unwrap_or_default(),
            data: serde_json::Value::Null,
            action,
        };
        if let Some(url) = self.inner.on_click.as_ref().and_then(|hook| hook(&click, &data)) {
            click.target = click_target(&scope_url, Some(&url));
        }
        let inner = self.inner.clone();
        future_to_promise(async move {
            open_or_focus(&click.target).await?;
            inner.receipt("clicked", &click.tag, &click.action, &data).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Handles `notificationclose`: sends the "closed" receipt when receipts are on.
    ///
    /// ```no_run
    /// # fn run(event: web_sys::NotificationEvent) -> Result<(), wasm_bindgen::JsValue> {
    /// let runtime = wasm_push::worker::Runtime::from_location();
    /// event.wait_until(&runtime.notification_close(&event))?;
    /// # Ok(()) }
    /// ```
    pub fn notification_close(&self, event: &NotificationEvent) -> js_sys::Promise {
        let notification = event.notification();
        let data = get(&notification.data(), "data");
        let (tag, inner) = (notification.tag().unwrap_or_default(), self.inner.clone());
        future_to_promise(async move {
            inner.receipt("closed", &tag, "", &data).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Handles `pushsubscriptionchange`: takes the new subscription (or subscribes again with
    /// the old one's key, or the configured key) and sends it, with the old endpoint, to the
    /// configured `subscription_url`, trying again with growing waits until it lands.
    ///
    /// ```no_run
    /// # fn run(event: web_sys::ExtendableEvent) -> Result<(), wasm_bindgen::JsValue> {
    /// let runtime = wasm_push::worker::Runtime::from_location();
    /// event.wait_until(&runtime.subscription_change(&event))?;
    /// # Ok(()) }
    /// ```
    pub fn subscription_change(&self, event: &web_sys::ExtendableEvent) -> js_sys::Promise {
        let event: &sys::PushSubscriptionChangeEvent = event.unchecked_ref();
        let (old, new) = (event.old_subscription(), event.new_subscription());
        let inner = self.inner.clone();
        future_to_promise(async move {
            let subscription = match new {
                Some(new) => new,
                None => {
                    let key = old
                        .as_ref()
                        .and_then(crate::registration::subscription_key)
                        .or_else(|| inner.config.application_server_key.as_deref().and_then(crate::key::key_bytes).map(Vec::from))
                        .ok_or("no application server key to subscribe again with")?;
                    let options = crate::registration::subscribe_options(&key);
                    let manager = scope().registration().push_manager()?;
                    JsFuture::from(manager.subscribe_with_options(&options)?).await?.unchecked_into()
                }
            };
            let subscription = Subscription::from_raw(&subscription).ok_or("PushSubscription.toJSON() had an unexpected shape")?;
            // Firefox before 137 gives no oldSubscription: the endpoint the server holds is in
            // the record the window side or this worker kept.
            let record = store::load().await;
            let old_endpoint = match old {
                Some(old) => Some(old.endpoint()),
                None => record.as_ref().and_then(SyncRecord::server_endpoint).map(str::to_owned),
            };
            match inner.send_subscription(&subscription, old_endpoint.as_deref(), record, SYNC_TRIES).await {
                Some(false) => Err("the app server did not take the new subscription".into()),
                _ => Ok(JsValue::UNDEFINED),
            }
        })
    }
}

impl Inner {
    /// The one place that calls `showNotification` with a payload: the browser's promise, or
    /// `None` when it refused the options at once.
    fn start_show(&self, payload: &NotificationPayload, data: &JsValue) -> Option<js_sys::Promise> {
        scope().registration().show_notification_with_options(&payload.title, &options(payload, data)).ok()
    }

    /// Waits for a notification [`Inner::start_show`] started. A payload the browser refuses
    /// (Chromium throws on `renotify` without a tag, for instance) shows the fallback instead.
    async fn finish_show(&self, showing: Option<js_sys::Promise>, payload: &NotificationPayload) -> Result<(), JsValue> {
        let shown = match showing {
            Some(promise) => JsFuture::from(promise).await.is_ok(),
            None => false,
        };
        let registration = scope().registration();
        match shown {
            true => Ok(()),
            false => {
                let fallback = NotificationPayload {
                    body: Some(self.config.fallback.body.clone()),
                    tag: payload.tag.clone(),
                    ..NotificationPayload::new(self.config.fallback.title.clone())
                };
                let options = options(&fallback, &JsValue::UNDEFINED);
                let promise = registration.show_notification_with_options(&fallback.title, &options)?;
                JsFuture::from(promise).await.map(|_| ())
            }
        }
    }

    /// Sends a subscription to the configured `subscription_url` (with the endpoint it replaces),
    /// trying `tries` times with growing waits, and keeps the outcome in the sync record for the
    /// next page load or push. `None` when no URL is configured.
    async fn send_subscription(
        &self,
        subscription: &Subscription,
        old_endpoint: Option<&str>,
        record: Option<SyncRecord>,
        tries: u32,
    ) -> Option<bool> {
        let url = self.config.server_url(&self.location, self.config.subscription_url.as_deref())?;
        // `toJSON()` plus `oldEndpoint`: what `AppServer::replace` sends from a window.
        let body = subscription.to_js();
        if let Some(old_endpoint) = old_endpoint {
            let _ = Reflect::set(&body, &"oldEndpoint".into(), &old_endpoint.into());
        }
        let body = JSON::stringify(&body).ok()?;
        let mut wait = SYNC_FIRST_WAIT_MS;
        let mut sent = false;
        for attempt in 1..=tries {
            sent = matches!(post_json(&url, &body).await, Ok(true));
            if sent || attempt == tries {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(wait).await;
            wait *= 2;
        }
        store::keep(&SyncRecord::after_send(record.as_ref(), subscription, sent, store::now())).await;
        self.in_step.set(sent);
        Some(sent)
    }

    /// After a push: if the record says the app server never took the current subscription (it
    /// was down when a page or `pushsubscriptionchange` sent it), tries once more.
    async fn retry_pending(&self) {
        // Without a subscription URL there is nowhere to send it: the pages will.
        if self.in_step.get() || self.config.subscription_url.is_none() {
            return;
        }
        let Some(record) = store::load().await.filter(|record| !record.acknowledged) else {
            self.in_step.set(true);
            return;
        };
        let Ok(manager) = scope().registration().push_manager() else { return };
        let Ok(current) = manager.get_subscription() else { return };
        let current = match JsFuture::from(current).await {
            Ok(raw) if !raw.is_null() => raw.unchecked_into::<web_sys::PushSubscription>(),
            _ => return,
        };
        let Some(current) = Subscription::from_raw(&current) else { return };
        if let Step::Send { old_endpoint } = next_step(&current, Some(&record), store::now()) {
            self.send_subscription(&current, old_endpoint.as_deref(), Some(record), 1).await;
        }
    }

    /// Reports an event to the receipts URL, when configured. Never fails: a receipt is
    /// bookkeeping and must not cost the user a notification.
    async fn receipt(&self, event: &str, tag: &str, action: &str, data: &JsValue) {
        let Some(url) = self.config.server_url(&self.location, self.config.receipts_url.as_deref()) else {
            return;
        };
        let body = object(&[
            ("event", event.into()),
            ("tag", tag.into()),
            ("action", action.into()),
            ("data", if data.is_undefined() { JsValue::NULL } else { data.clone() }),
        ]);
        if let Ok(body) = JSON::stringify(&body) {
            let _ = post_json(&url, &body).await;
        }
    }
}

/// The options for `showNotification`, with what a browser would refuse left out.
fn options(payload: &NotificationPayload, data: &JsValue) -> NotificationOptions {
    let options = NotificationOptions::new();
    let set = |value: &Option<String>, setter: fn(&NotificationOptions, &str)| {
        if let Some(value) = value {
            setter(&options, value);
        }
    };
    set(&payload.body, NotificationOptions::set_body);
    set(&payload.icon, NotificationOptions::set_icon);
    set(&payload.badge, NotificationOptions::set_badge);
    set(&payload.image, NotificationOptions::set_image);
    set(&payload.tag, NotificationOptions::set_tag);
    set(&payload.lang, NotificationOptions::set_lang);
    // Chromium throws a TypeError for renotify without a tag, and for vibration when silent.
    options.set_renotify(payload.renotify && payload.tag.is_some());
    options.set_require_interaction(payload.require_interaction);
    options.set_silent(Some(payload.silent));
    if !payload.vibrate.is_empty() && !payload.silent {
        let pattern: js_sys::Array = payload.vibrate.iter().map(|ms| JsValue::from(*ms)).collect();
        options.set_vibrate(&pattern);
    }
    if let Some(timestamp) = payload.timestamp {
        options.set_timestamp(timestamp);
    }
    if let Some(dir) = payload.dir {
        options.set_dir(match dir {
            crate::Direction::Auto => web_sys::NotificationDirection::Auto,
            crate::Direction::Ltr => web_sys::NotificationDirection::Ltr,
            crate::Direction::Rtl => web_sys::NotificationDirection::Rtl,
        });
    }
    // Only the buttons this browser shows (`Notification.maxActions`: 2 in Chromium), so the
    // URLs kept for clicks are those of buttons the user can press.
    let shown_actions = &payload.actions[..payload.actions.len().min(max_actions())];
    if !shown_actions.is_empty() {
        let actions: Array = shown_actions
            .iter()
            .map(|action| {
                let button = object(&[("action", action.action.as_str().into()), ("title", action.title.as_str().into())]);
                if let Some(icon) = &action.icon {
                    let _ = Reflect::set(&button, &"icon".into(), &icon.as_str().into());
                }
                JsValue::from(button)
            })
            .collect();
        options.set_actions(&actions);
    }
    // What a click needs later travels with the notification: its URL, each button's URL, and
    // the payload's own data.
    let action_urls = Object::new();
    for action in shown_actions {
        if let Some(url) = &action.url {
            let _ = Reflect::set(&action_urls, &action.action.as_str().into(), &url.as_str().into());
        }
    }
    let url = payload.url.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    let data = if data.is_undefined() { JsValue::NULL } else { data.clone() };
    options.set_data(&object(&[("url", url), ("actions", action_urls.into()), ("data", data)]));
    options
}

/// `Notification.maxActions` where the browser has it, else [`crate::MAX_ACTIONS`].
fn max_actions() -> usize {
    // `Notification` is a function, which `get` (objects only) would not look into.
    let notification = get(&js_sys::global(), "Notification");
    let max = Reflect::get(&notification, &"maxActions".into()).ok().and_then(|max| max.as_f64());
    max.map_or(crate::MAX_ACTIONS, |max| max.max(0.0) as usize)
}

/// A browser value as serde_json's (for the hooks), through JSON text.
fn to_serde(value: &JsValue) -> Option<serde_json::Value> {
    let text = JSON::stringify(value).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// A serde_json value as the browser's.
fn from_serde(value: &serde_json::Value) -> JsValue {
    JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// POSTs JSON with same-origin credentials; whether the server answered 2xx.
async fn post_json(url: &str, body: &JsValue) -> Result<bool, JsValue> {
    let response = crate::server::fetch(url, "POST", body, None).await?;
    Ok(response.ok())
}

/// While alive, `registration.showNotification` answers a resolved promise and shows nothing
/// (an own property shadowing the prototype's method); dropped, the method is back.
struct ShowGuard {
    registration: web_sys::ServiceWorkerRegistration,
    _nothing: wasm_bindgen::closure::Closure<dyn Fn() -> js_sys::Promise>,
}

impl ShowGuard {
    fn install() -> Option<ShowGuard> {
        let registration = scope().registration();
        let nothing = wasm_bindgen::closure::Closure::<dyn Fn() -> js_sys::Promise>::new(|| {
            js_sys::Promise::resolve(&JsValue::UNDEFINED)
        });
        Reflect::set(&registration, &"showNotification".into(), nothing.as_ref()).ok()?;
        Some(ShowGuard { registration, _nothing: nothing })
    }
}

impl Drop for ShowGuard {
    fn drop(&mut self) {
        let _ = Reflect::delete_property(&self.registration, &"showNotification".into());
    }
}

/// The origin's windows, controlled by this worker or not.
async fn windows() -> Result<Vec<web_sys::WindowClient>, JsValue> {
    let query = web_sys::ClientQueryOptions::new();
    query.set_type(web_sys::ClientType::Window);
    query.set_include_uncontrolled(true);
    let found = JsFuture::from(scope().clients().match_all_with_options(&query)).await?;
    Ok(Array::from(&found).iter().filter_map(|client| client.dyn_into().ok()).collect())
}

/// A window of the site the user is looking at: focused and visible.
async fn focused_window() -> Option<web_sys::WindowClient> {
    windows()
        .await
        .ok()?
        .into_iter()
        .find(|window| window.focused() && window.visibility_state() == web_sys::VisibilityState::Visible)
}

/// The payload as a plain object with its JSON names, as a page's `ForegroundMessages` reads it.
fn payload_object(payload: &NotificationPayload, data: &JsValue) -> Object {
    let text = |value: &Option<String>| value.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str);
    let actions: Array = payload
        .actions
        .iter()
        .map(|action| {
            let (id, title) = (action.action.as_str().into(), action.title.as_str().into());
            JsValue::from(object(&[("action", id), ("title", title), ("icon", text(&action.icon)), ("url", text(&action.url))]))
        })
        .collect();
    let vibrate: Array = payload.vibrate.iter().map(|ms| JsValue::from(*ms)).collect();
    object(&[
        ("title", payload.title.as_str().into()),
        ("body", text(&payload.body)),
        ("icon", text(&payload.icon)),
        ("badge", text(&payload.badge)),
        ("image", text(&payload.image)),
        ("tag", text(&payload.tag)),
        ("renotify", payload.renotify.into()),
        ("requireInteraction", payload.require_interaction.into()),
        ("silent", payload.silent.into()),
        ("vibrate", vibrate.into()),
        ("timestamp", payload.timestamp.map_or(JsValue::UNDEFINED, JsValue::from)),
        ("lang", text(&payload.lang)),
        ("dir", payload.dir.map_or(JsValue::UNDEFINED, |dir| dir.as_str().into())),
        ("data", data.clone()),
        ("actions", actions.into()),
        ("url", text(&payload.url)),
        ("appBadge", payload.app_badge.map_or(JsValue::UNDEFINED, |n| JsValue::from(n as f64))),
    ])
}

/// Focuses a window already on `target`, else navigates an open window of the origin there,
/// else opens a new one.
async fn open_or_focus(target: &str) -> Result<(), JsValue> {
    let clients = scope().clients();
    let windows = windows().await?;
    if let Some(window) = windows.iter().find(|window| window.url() == target) {
        JsFuture::from(window.focus()?).await?;
        return Ok(());
    }
    if let Some(window) = windows.first() {
        // navigate() rejects for a window this worker does not control: open one instead.
        if let Ok(navigating) = window.navigate(target) {
            if let Ok(navigated) = JsFuture::from(navigating).await {
                if let Ok(navigated) = navigated.dyn_into::<web_sys::WindowClient>() {
                    if let Ok(focusing) = navigated.focus() {
                        let _ = JsFuture::from(focusing).await;
                    }
                    return Ok(());
                }
            }
        }
    }
    JsFuture::from(clients.open_window(target)).await.map(|_| ())
}

/// Makes a panic anywhere in the worker's wasm (a user's hook, say) cost only the push it
/// happened in: the panic hook asks wasm-bindgen for a fresh instance of the module before the
/// next event, since a trapped instance may hold broken state (a borrowed `RefCell`, a half-done
/// allocation). The shim shows the fallback for the push that trapped. Any hook set before is
/// still called. [`export_worker!`](crate::export_worker) calls this once.
///
/// ```no_run
/// wasm_push::worker::recover_after_panics();
/// ```
pub fn recover_after_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        wasm_bindgen::handler::schedule_reinit();
        previous(info);
    }));
}

/// Exports the four entry points the shim (`sw/listeners.js`) calls: `on_push`,
/// `on_notification_click`, `on_notification_close` and `on_push_subscription_change`, each
/// handing its event to the [`Runtime`] the expression builds (once, on first use). The crate
/// that calls it must depend on `wasm-bindgen`.
///
/// ```no_run
/// wasm_push::export_worker!(wasm_push::worker::Runtime::from_location());
/// ```
#[macro_export]
macro_rules! export_worker {
    ($runtime:expr) => {
        ::std::thread_local! {
            static WASM_PUSH_RUNTIME: $crate::worker::Runtime = {
                $crate::worker::recover_after_panics();
                $runtime
            };
        }

        /// `push`: shows the notification (the fallback for anything unreadable).
        #[::wasm_bindgen::prelude::wasm_bindgen]
        pub fn on_push(event: $crate::__private::web_sys::PushEvent) -> $crate::__private::js_sys::Promise {
            WASM_PUSH_RUNTIME.with(|runtime| runtime.push(&event))
        }

        /// `notificationclick`: focuses or opens the notification's same-origin URL.
        #[::wasm_bindgen::prelude::wasm_bindgen]
        pub fn on_notification_click(
            event: $crate::__private::web_sys::NotificationEvent,
        ) -> $crate::__private::js_sys::Promise {
            WASM_PUSH_RUNTIME.with(|runtime| runtime.notification_click(&event))
        }

        /// `notificationclose`: the "closed" receipt, when receipts are on.
        #[::wasm_bindgen::prelude::wasm_bindgen]
        pub fn on_notification_close(
            event: $crate::__private::web_sys::NotificationEvent,
        ) -> $crate::__private::js_sys::Promise {
            WASM_PUSH_RUNTIME.with(|runtime| runtime.notification_close(&event))
        }

        /// `pushsubscriptionchange`: subscribes again if needed and tells the app server.
        #[::wasm_bindgen::prelude::wasm_bindgen]
        pub fn on_push_subscription_change(
            event: $crate::__private::web_sys::ExtendableEvent,
        ) -> $crate::__private::js_sys::Promise {
            WASM_PUSH_RUNTIME.with(|runtime| runtime.subscription_change(&event))
        }
    };
}
