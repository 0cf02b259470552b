//! The ready-made push worker, wasm half: the wasm-push runtime with its settings read from the
//! script URL (`/sw.js?title=…`, see `WorkerConfig`). `sw/sw.js` adds the listeners and calls
//! these; each returns the promise for `event.waitUntil`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::*;
use wasm_push::worker::Runtime;

thread_local! {
    static RUNTIME: Runtime = Runtime::from_location();
}

/// `push`: shows the notification (the fallback for anything unreadable).
#[wasm_bindgen]
pub fn on_push(event: web_sys::PushEvent) -> js_sys::Promise {
    RUNTIME.with(|runtime| runtime.push(&event))
}

/// `notificationclick`: focuses or opens the notification's same-origin URL.
#[wasm_bindgen]
pub fn on_notification_click(event: web_sys::NotificationEvent) -> js_sys::Promise {
    RUNTIME.with(|runtime| runtime.notification_click(&event))
}

/// `notificationclose`: the "closed" receipt, when receipts are on.
#[wasm_bindgen]
pub fn on_notification_close(event: web_sys::NotificationEvent) -> js_sys::Promise {
    RUNTIME.with(|runtime| runtime.notification_close(&event))
}

/// `pushsubscriptionchange`: subscribes again if needed and tells the app server.
#[wasm_bindgen]
pub fn on_push_subscription_change(event: web_sys::ExtendableEvent) -> js_sys::Promise {
    RUNTIME.with(|runtime| runtime.subscription_change(&event))
}
