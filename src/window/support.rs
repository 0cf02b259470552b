//! Reading what the current browser can do.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::js::get;
use crate::Support;
use wasm_bindgen::{JsCast as _, JsValue};

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
        let push_manager = has(&global, "PushManager");
        Support {
            secure_context: get(&global, "isSecureContext").as_bool().unwrap_or(false),
            service_worker: has(&navigator, "serviceWorker"),
            push_manager,
            notification: has(&global, "Notification"),
            show_notification: has(&registration_prototype, "showNotification"),
            permissions_api: has(&navigator, "permissions"),
            app_badge: has(&navigator, "setAppBadge"),
            home_screen: !push_manager
                && Support::home_screen_would_push(
                    &get(&navigator, "userAgent").as_string().unwrap_or_default(),
                    get(&navigator, "maxTouchPoints").as_f64().unwrap_or(0.0) as u32,
                    standalone(&navigator),
                )
                && has_manifest(&global),
        }
    }
}

/// Whether the page links a web app manifest: without one, a site opened from the Home Screen
/// is a Safari tab still, without push, and the hint would send the user round in a circle.
fn has_manifest(global: &JsValue) -> bool {
    let document = get(global, "document");
    let Ok(query) = get(&document, "querySelector").dyn_into::<js_sys::Function>() else { return false };
    query.call1(&document, &JsValue::from_str("link[rel~=manifest]")).is_ok_and(|link| link.is_object())
}

/// Opened from the Home Screen: Safari's own `navigator.standalone` (iOS and iPadOS set it
/// in every web app opened from there).
fn standalone(navigator: &JsValue) -> bool {
    get(navigator, "standalone").as_bool() == Some(true)
}
