//! Delivery receipts: what happened to a push (shown, handed to the page, clicked, closed),
//! POSTed to the configured `receipts_url`.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::runtime::Inner;
use crate::js::promise::{quietly, resolved};
use crate::js::{fetch, object};
use js_sys::{Promise, JSON};
use wasm_bindgen::JsValue;

impl Inner {
    /// Reports an event to the receipts URL, when configured. Never rejects: a receipt is
    /// bookkeeping and must not cost the user a notification.
    pub(super) fn receipt(&self, event: &str, tag: &str, action: &str, data: &JsValue) -> Promise {
        let Some(url) = self.server_url(self.config.receipts_url.as_deref()) else {
            return resolved(JsValue::UNDEFINED);
        };
        let body = object(&[
            ("event", event.into()),
            ("tag", tag.into()),
            ("action", action.into()),
            ("data", if data.is_undefined() { JsValue::NULL } else { data.clone() }),
        ]);
        match JSON::stringify(&body) {
            Ok(body) => quietly(&fetch(&url, "POST", &body, None)),
            Err(_) => resolved(JsValue::UNDEFINED),
        }
    }
}
