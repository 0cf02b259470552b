//! The service-worker runtime: push events in, notifications out.

use crate::{decode_push, Fallback, NotificationPayload};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{NotificationOptions, PushEvent, ServiceWorkerGlobalScope};

/// Decodes a push event and shows its notification; returns the promise to hand to
/// `event.waitUntil`. Never throws: a push that cannot be read shows the fallback.
///
/// It is separate from `waitUntil` because a script-built `PushEvent` (tests) throws
/// `InvalidStateError` from its own `waitUntil` in both Chromium and Firefox.
///
/// ```no_run
/// # fn run(event: web_sys::PushEvent) -> Result<(), wasm_bindgen::JsValue> {
/// let shown = wasm_push::worker::show_push(&event, &wasm_push::Fallback::default());
/// event.wait_until(&shown)?;
/// # Ok(()) }
/// ```
pub fn show_push(event: &PushEvent, fallback: &Fallback) -> js_sys::Promise {
    // `array_buffer()` cannot fail on a live event; if it ever does, the fallback shows.
    let bytes = event
        .data()
        .and_then(|data| data.array_buffer().ok())
        .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec());
    let payload = decode_push(bytes.as_deref(), fallback);
    show(&payload)
}

/// Shows a payload as a notification from this worker's registration.
///
/// ```no_run
/// let shown = wasm_push::worker::show(&wasm_push::NotificationPayload::new("Hello"));
/// ```
pub fn show(payload: &NotificationPayload) -> js_sys::Promise {
    let scope: ServiceWorkerGlobalScope = js_sys::global().unchecked_into();
    let options = NotificationOptions::new();
    if let Some(body) = &payload.body {
        options.set_body(body);
    }
    if let Some(tag) = &payload.tag {
        options.set_tag(tag);
    }
    let data = js_sys::Object::new();
    if let Some(url) = &payload.url {
        let _ = js_sys::Reflect::set(&data, &"url".into(), &JsValue::from_str(url));
    }
    if let Some(value) = &payload.data {
        if let Ok(parsed) = js_sys::JSON::parse(&value.to_string()) {
            let _ = js_sys::Reflect::set(&data, &"data".into(), &parsed);
        }
    }
    options.set_data(&data);
    match scope
        .registration()
        .show_notification_with_options(&payload.title, &options)
    {
        Ok(promise) => promise,
        Err(err) => js_sys::Promise::reject(&err),
    }
}
