//! Reading what the current browser can do.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::js::get;
use crate::Support;
use wasm_bindgen::JsValue;

impl Support {
    /// Reads the current browser's support (window or worker).
    ///
    /// ```no_run
    /// let support = wasm_push::Support::detect();
    /// if !support.can_push() {
    ///     // hide the "turn on notifications" button
    /// }
    /// ```
    pub fn detect() -> Self {
        // On the host (server-side rendering): nothing.
        if crate::js::browser().is_err() {
            return Support::default();
        }
        let global = js_sys::global();
        // `get` answers `undefined` for a missing member and for a missing object alike.
        let has = |target: &JsValue, key: &str| !get(target, key).is_undefined();
        let navigator = get(&global, "navigator");
        let registration_prototype = get(&get(&global, "ServiceWorkerRegistration"), "prototype");
        Support {
            secure_context: get(&global, "isSecureContext").as_bool().unwrap_or(false),
            service_worker: has(&navigator, "serviceWorker"),
            push_manager: has(&global, "PushManager"),
            notification: has(&global, "Notification"),
            show_notification: has(&registration_prototype, "showNotification"),
            permissions_api: has(&navigator, "permissions"),
            app_badge: has(&navigator, "setAppBadge"),
        }
    }
}
