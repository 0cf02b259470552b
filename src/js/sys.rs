//! The few browser APIs web-sys lacks, bound once here; nothing else declares raw bindings.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `NotificationEvent` with its `action` (the id of the clicked button, or "").
    #[wasm_bindgen(extends = web_sys::NotificationEvent)]
    pub type NotificationEventWithAction;

    #[wasm_bindgen(method, getter)]
    pub fn action(this: &NotificationEventWithAction) -> Option<String>;

    /// `PushSubscriptionChangeEvent`: Firefox fires it with `oldSubscription` (from 137 on) and
    /// no `newSubscription`; Chromium does not fire it.
    #[wasm_bindgen(extends = web_sys::ExtendableEvent)]
    pub type PushSubscriptionChangeEvent;

    #[wasm_bindgen(method, getter, js_name = oldSubscription)]
    pub fn old_subscription(this: &PushSubscriptionChangeEvent) -> Option<web_sys::PushSubscription>;

    #[wasm_bindgen(method, getter, js_name = newSubscription)]
    pub fn new_subscription(this: &PushSubscriptionChangeEvent) -> Option<web_sys::PushSubscription>;

    /// `PushEvent` as Declarative Web Push has it (Safari 18.4+): for a mutable declarative
    /// message, `data` is null and `notification` holds the notification the browser proposes
    /// (a `Notification`, whose `navigate` is the click URL), `appBadge` the badge. Elsewhere
    /// both are undefined.
    #[wasm_bindgen(extends = web_sys::PushEvent)]
    pub type DeclarativePushEvent;

    #[wasm_bindgen(method, getter)]
    pub fn notification(this: &DeclarativePushEvent) -> Option<web_sys::Notification>;

    #[wasm_bindgen(method, getter, js_name = appBadge)]
    pub fn app_badge(this: &DeclarativePushEvent) -> Option<f64>;

    /// `ServiceWorkerContainer` with `startMessages()`, which delivers the messages workers
    /// posted to this page (queued until then, or until `onmessage` is set).
    #[wasm_bindgen(extends = web_sys::ServiceWorkerContainer, js_name = ServiceWorkerContainer)]
    pub type ServiceWorkerContainerWithMessages;

    #[wasm_bindgen(method, js_name = startMessages)]
    pub fn start_messages(this: &ServiceWorkerContainerWithMessages);

    /// `ServiceWorkerRegistration.prototype.showNotification`, called on `registration`: what
    /// wasm-push shows goes through the prototype's method, so the stand-in that keeps a hook
    /// from showing its own (an own property of the registration) never stops it.
    #[wasm_bindgen(catch, js_namespace = ["ServiceWorkerRegistration", "prototype", "showNotification"], js_name = call)]
    pub fn show_notification(
        registration: &web_sys::ServiceWorkerRegistration,
        title: &str,
        options: &web_sys::NotificationOptions,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// `ServiceWorkerRegistration.prototype.showNotification` itself, for a show bound to its
/// arguments (`Function::bind2`) that JavaScript alone runs.
pub fn show_notification_method() -> js_sys::Function {
    let class = super::get(&js_sys::global(), "ServiceWorkerRegistration");
    super::get(&super::get(&class, "prototype"), "showNotification").unchecked_into()
}

/// Calls `navigator.setAppBadge(count)` (or `clearAppBadge()` for 0) where the browser has it;
/// `None` where it does not.
pub fn set_app_badge(count: u64) -> Option<js_sys::Promise> {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let (name, argument) = match count {
        0 => ("clearAppBadge", JsValue::UNDEFINED),
        n => ("setAppBadge", JsValue::from_f64(n as f64)),
    };
    let function: js_sys::Function = js_sys::Reflect::get(&navigator, &name.into()).ok()?.dyn_into().ok()?;
    function.call1(&navigator, &argument).ok()?.dyn_into().ok()
}

#[wasm_bindgen]
extern "C" {
    /// What `Promise.allSettled` answers: a promise of each promise's outcome, never rejected.
    #[wasm_bindgen(extends = js_sys::Promise, js_name = Promise)]
    pub type Settling;

    /// `Promise.allSettled(promises)`.
    #[wasm_bindgen(js_namespace = Promise, js_name = allSettled)]
    pub fn all_settled(promises: &js_sys::Array) -> Settling;

    /// `settling.then(step)` with a function made on the Rust side (js-sys' `then` borrows a
    /// `Closure`, which a step that outlives its caller cannot be).
    #[wasm_bindgen(method, js_name = then)]
    pub fn then_call(this: &Settling, step: &JsValue) -> js_sys::Promise;

    /// `setTimeout(callback, milliseconds)` on the global, a window's or a worker's.
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(callback: &js_sys::Function, milliseconds: u32) -> JsValue;
}
