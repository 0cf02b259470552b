//! Delivery receipts: what happened to a push (shown, handed to the page, clicked, closed),
//! POSTed to the configured `receipts_url`.

use super::runtime::Inner;
use crate::js::{fetch, object};
use js_sys::JSON;
use wasm_bindgen::JsValue;

impl Inner {
    /// Reports an event to the receipts URL, when configured. Never fails: a receipt is
    /// bookkeeping and must not cost the user a notification.
    pub(super) async fn receipt(&self, event: &str, tag: &str, action: &str, data: &JsValue) {
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
            let _ = fetch(&url, "POST", &body, None).await;
        }
    }
}
