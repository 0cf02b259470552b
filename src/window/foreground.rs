//! Pushes handed to the page: with the worker's `foreground=page` (or `both`), a push that
//! arrives while a window of the site is focused and visible goes to that window as a message,
//! and [`ForegroundMessages`] hands it to Rust and answers that the page took it. With
//! `foreground=page` the worker shows the notification unless that answer comes within a
//! second: a page that does not listen (another route, a page still loading) swallows nothing.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::js::{get, message, sys};
use crate::{Error, NotificationPayload};
use wasm_bindgen::{JsCast, JsValue};

/// A push the worker handed to this page.
///
/// ```no_run
/// let messages = wasm_push::window::ForegroundMessages::new(|message: wasm_push::window::ForegroundMessage| {
///     web_sys::console::log_1(&message.payload.title.into());
/// });
/// ```
#[derive(Debug, Clone)]
pub struct ForegroundMessage {
    /// The notification the push carried, after the worker's `transform` hook; its `data` is
    /// left out (see `data`).
    pub payload: NotificationPayload,
    /// The payload's `data`, as the browser holds it (`undefined` when there is none).
    pub data: JsValue,
}

/// Calls a function for every push the worker hands to this page, until dropped (the listener
/// goes with it).
///
/// ```no_run
/// # fn run() -> Result<(), wasm_push::Error> {
/// let inbox = wasm_push::window::ForegroundMessages::new(|message| {
///     web_sys::console::log_1(&message.payload.title.as_str().into());
/// })?;
/// // … keep `inbox` alive as long as the page wants the messages.
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ForegroundMessages {
    _listener: gloo_events::EventListener,
}

impl ForegroundMessages {
    /// Starts listening on `navigator.serviceWorker` (and starts its message queue, so a
    /// message posted before this call is delivered too).
    ///
    /// ```no_run
    /// # fn run() -> Result<(), wasm_push::Error> {
    /// let messages = wasm_push::window::ForegroundMessages::new(|message| drop(message))?;
    /// drop(messages); // no more calls
    /// # Ok(()) }
    /// ```
    pub fn new(mut on_message: impl FnMut(ForegroundMessage) + 'static) -> Result<Self, Error> {
        let container = super::registration::container()?;
        let listener = gloo_events::EventListener::new(&container, "message", move |event| {
            if let Some((payload, data)) = message::read(&get(event, "data")) {
                on_message(ForegroundMessage { payload, data });
                // The worker waits for this before it would show the push as a notification.
                let port = js_sys::Reflect::get_u32(&get(event, "ports"), 0).unwrap_or_default();
                if let Ok(post) = get(&port, "postMessage").dyn_into::<js_sys::Function>() {
                    let _ = post.call1(&port, &message::taken());
                }
            }
        });
        container.unchecked_ref::<sys::ServiceWorkerContainerWithMessages>().start_messages();
        Ok(Self { _listener: listener })
    }
}
