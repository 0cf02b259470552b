//! The runtime a worker is built from: its settings and its synchronous hooks, and where the
//! async hooks are kept. Each event's file (`push.rs`, `click.rs`, `resubscribe.rs`) holds its
//! handler, the builder of its async hooks and the waiting for them; this file imports none of
//! them.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::WorkerConfig;
use crate::js::url::same_origin_url;
use crate::js::{get, worker_scope};
use crate::NotificationPayload;
use js_sys::Promise;
use js_sys::JSON;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// A payload with its `data` as the browser holds it.
pub(super) type Transform = dyn Fn(NotificationPayload, JsValue) -> (NotificationPayload, JsValue);
/// The click, and the notification's `data` as the browser holds it.
pub(super) type ClickHook = dyn Fn(&Click, &JsValue) -> Option<String>;
/// An async transform: the payload and its `data` in, and a slot that holds, from the call on,
/// the payload to show: a copy of the one given, replaced by what the hook made once it made
/// it. The promise settles once the hook is done.
pub(super) type AsyncTransform =
    dyn Fn(NotificationPayload, JsValue, Rc<Slot<(NotificationPayload, JsValue)>>) -> Promise;
/// An async click hook: the click and its `data` in; a promise that settles once it is done,
/// having put its answer in the slot.
pub(super) type AsyncClickHook = dyn Fn(&Click, &JsValue, Rc<Slot<Option<String>>>) -> Promise;
/// Where an async hook leaves what it made, for the push or click that waits for it.
pub(super) type Slot<T> = RefCell<Option<T>>;
/// What waits for the async transforms (`push.rs`): the push's event, bytes, proposal, badge
/// and deadline in, the push handled out.
pub(super) type WaitForTransforms =
    fn(Rc<Inner>, JsValue, Option<&[u8]>, Option<web_sys::Notification>, Option<f64>, Promise) -> Promise;
/// What a click goes on to once decided: focus or open its target (a real click), or answer it
/// (the test kit's).
pub(super) type AfterClick = fn(Rc<Inner>, Click, JsValue) -> Promise;
/// What waits for the async click hooks (`click.rs`): the click decided so far in, and what
/// it goes on to.
pub(super) type WaitForClickHooks = fn(Rc<Inner>, Click, JsValue, AfterClick) -> Promise;
/// Async hooks of one kind, and what waits for them. Set together by the method that adds the
/// first hook, so a worker without async hooks links none of the waiting.
pub(super) type Async<Hook, Wait> = Option<(Rc<Hook>, Wait)>;

/// How long, by default, a push or a click waits for what it waits on (the content
/// `fetch_url` answers, the async hooks): the browser gives an event about 30 s in all, and
/// showing the fallback takes some of it.
const DEADLINE_MS: u32 = 20_000;

/// The runtime of a push worker: one per worker, kept in a `thread_local!`.
///
/// Each method returns the promise to hand to `event.waitUntil`, and none of them throws.
/// Exactly one code path calls `showNotification` per push, whatever the hooks do.
///
/// ```no_run
/// let runtime = wasm_push::worker::Runtime::from_location();
/// ```
#[derive(Clone)]
pub struct Runtime {
    pub(super) inner: Rc<Inner>,
}

#[derive(Clone)]
pub(super) struct Inner {
    pub(super) config: WorkerConfig,
    /// The worker script's URL, which server URLs are resolved against.
    pub(super) location: String,
    pub(super) transform: Option<Rc<Transform>>,
    pub(super) on_click: Option<Rc<ClickHook>>,
    pub(super) transform_async: Async<AsyncTransform, WaitForTransforms>,
    pub(super) on_click_async: Async<AsyncClickHook, WaitForClickHooks>,
    /// How long a push or a click waits for what it waits on, in milliseconds.
    pub(super) deadline_ms: u32,
    /// Whether this instance knows the app server has the current subscription, so a push need
    /// not read the sync record again (a burst of pushes reads it once).
    pub(super) in_step: Rc<Cell<bool>>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("config", &self.inner.config)
            .field("transform", &self.inner.transform.is_some())
            .field("on_click", &self.inner.on_click.is_some())
            .field("transform_async", &self.inner.transform_async.is_some())
            .field("on_click_async", &self.inner.on_click_async.is_some())
            .field("deadline_ms", &self.inner.deadline_ms)
            .finish()
    }
}

/// What a click hook is told.
///
/// ```no_run
/// let runtime = wasm_push::worker::Runtime::from_location()
///     .on_click(|click: &wasm_push::worker::Click| (click.tag == "chat").then(|| "/chat".to_owned()));
/// ```
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

impl Inner {
    /// A server URL from the settings, as [`WorkerConfig::server_url`] decides it, read by the
    /// browser's URL parser against the worker script's URL.
    pub(super) fn server_url(&self, url: Option<&str>) -> Option<String> {
        self.config.server_url_by(same_origin_url, &self.location, url)
    }
}

impl Runtime {
    /// A runtime with these settings.
    ///
    /// ```no_run
    /// let runtime = wasm_push::worker::Runtime::new(wasm_push::worker::WorkerConfig::default());
    /// ```
    pub fn new(config: WorkerConfig) -> Self {
        // On the host (a workspace's `cargo test`, rust-analyzer) there is no worker: the runtime
        // is built, inert, and its hooks can be tested as plain functions.
        let location = match crate::js::browser() {
            Ok(()) => worker_scope().location().href(),
            Err(_) => String::new(),
        };
        Self {
            inner: Rc::new(Inner {
                config,
                location,
                transform: None,
                on_click: None,
                transform_async: None,
                on_click_async: None,
                deadline_ms: DEADLINE_MS,
                in_step: Rc::default(),
            }),
        }
    }

    /// A runtime with the settings in the worker script's URL (see [`WorkerConfig`]), or in
    /// `self.wasmPush.query` when a worker that imports `push.js` sets it.
    ///
    /// ```no_run
    /// // registered as /sw.js?title=Acme&receipts_url=/push/receipts
    /// let runtime = wasm_push::worker::Runtime::from_location();
    /// ```
    pub fn from_location() -> Self {
        if crate::js::browser().is_err() {
            return Self::new(WorkerConfig::default());
        }
        // A worker that imports push.js may give the settings in `self.wasmPush.query`.
        let given = get(&get(&js_sys::global(), "wasmPush"), "query").as_string();
        Self::new(WorkerConfig::from_query(&given.unwrap_or_else(|| worker_scope().location().search())))
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
            // A hook that shows a notification itself would make two: while it runs, the
            // registration's showNotification does nothing.
            let _only_ours = super::show_guard::ShowGuard::install();
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

    /// How long a push waits for what it waits on (the content `fetch_url` answers, the async
    /// transforms) and a click for its async hooks, in milliseconds: 20,000 by default, since
    /// the browser gives an event about 30 s in all.
    ///
    /// ```no_run
    /// let runtime = wasm_push::worker::Runtime::from_location().deadline(5_000);
    /// ```
    pub fn deadline(self, milliseconds: u32) -> Self {
        self.with(|inner| inner.deadline_ms = milliseconds)
    }

    /// A runtime like this one with one thing changed; a clone keeps its hooks.
    pub(super) fn with(self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Rc::unwrap_or_clone(self.inner);
        change(&mut inner);
        Self { inner: Rc::new(inner) }
    }
}

/// A browser value as serde_json's (for the hooks), through JSON text.
pub(super) fn to_serde(value: &JsValue) -> Option<serde_json::Value> {
    let text = JSON::stringify(value).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// A serde_json value as the browser's: only in a worker whose hooks take serde_json's `Value`,
/// which brings serde_json (and core::fmt) in anyway.
#[allow(clippy::disallowed_methods)]
pub(super) fn from_serde(value: &serde_json::Value) -> JsValue {
    JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}
