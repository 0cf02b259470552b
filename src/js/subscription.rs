//! The browser's `PushSubscription`, read into a [`Subscription`] and asked for, for the window
//! side and the worker alike.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::{get, object};
use crate::Subscription;
use crate::SubscriptionKeys;
use wasm_bindgen::JsValue;
use web_sys::PushSubscription;

impl Subscription {
    /// The subscription's own `toJSON()`, so the Rust value is exactly what the browser would
    /// hand an app server; read member by member rather than through serde_json, which would be
    /// most of the wasm. `None` when the browser's shape is not the expected one.
    pub(crate) fn from_raw(raw: &PushSubscription) -> Option<Subscription> {
        let json = raw.to_json().ok()?;
        Subscription::from_js(&json)
    }

    /// Reads the object `PushSubscription.toJSON()` returns.
    pub(crate) fn from_js(json: &JsValue) -> Option<Subscription> {
        let (keys, expiration) = (get(json, "keys"), get(json, "expirationTime"));
        Some(Subscription {
            endpoint: get(json, "endpoint").as_string()?,
            expiration_time: match expiration.is_null() || expiration.is_undefined() {
                true => None,
                false => Some(expiration.as_f64()?),
            },
            keys: SubscriptionKeys { p256dh: get(&keys, "p256dh").as_string()?, auth: get(&keys, "auth").as_string()? },
        })
    }

    /// The `toJSON()` shape as a JavaScript object, to hand to JavaScript code or
    /// `JSON.stringify` (without serde_json's code in the wasm).
    ///
    /// ```no_run
    /// # fn run(subscription: wasm_push::Subscription) {
    /// let text = js_sys::JSON::stringify(&subscription.to_js());
    /// # }
    /// ```
    pub fn to_js(&self) -> js_sys::Object {
        let keys = object(&[("p256dh", self.keys.p256dh.as_str().into()), ("auth", self.keys.auth.as_str().into())]);
        object(&[
            ("endpoint", self.endpoint.as_str().into()),
            ("expirationTime", self.expiration_time.map_or(JsValue::NULL, Into::into)),
            ("keys", keys.into()),
        ])
    }
}

/// The key a subscription was made with, as raw bytes.
pub(crate) fn subscription_key(raw: &PushSubscription) -> Option<Vec<u8>> {
    let buffer = raw.options().application_server_key().ok()??;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// What `PushManager.subscribe` is asked for: a notification for every push, and the key.
pub(crate) fn subscribe_options(key: &[u8]) -> web_sys::PushSubscriptionOptionsInit {
    let options = web_sys::PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    options.set_application_server_key(&js_sys::Uint8Array::from(key));
    options
}

/// The registration's `PushManager`, where the browser has one: Safari before 16 throws on
/// `registration.pushManager`, WebKitGTK answers `undefined`.
pub(crate) fn push_manager(registration: &web_sys::ServiceWorkerRegistration) -> Option<web_sys::PushManager> {
    let manager = registration.push_manager().ok()?;
    (!manager.is_undefined() && !manager.is_null()).then_some(manager)
}

/// The promise of the registration's current push subscription (`null` when it has none),
/// rejected where the browser has no `PushManager`.
pub(crate) fn current(registration: &web_sys::ServiceWorkerRegistration) -> js_sys::Promise {
    match push_manager(registration).map(|manager| manager.get_subscription()) {
        Some(Ok(promise)) => promise,
        Some(Err(reason)) => js_sys::Promise::reject(&reason),
        None => js_sys::Promise::reject(&"this browser has no PushManager".into()),
    }
}
