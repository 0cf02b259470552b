//! The message the worker posts to a focused page for a push (`foreground=page` or `both`),
//! written and read here only: the worker writes it, `window/foreground.rs` reads it.

use super::{get, Js};
use crate::shared::{read_fields, write_fields};
use crate::NotificationPayload;
use wasm_bindgen::JsValue;

/// The `type` that marks the message as ours among whatever else the page receives.
const MESSAGE_TYPE: &str = "wasm-push:push";

/// `{type, payload}`, the payload with the names an app server's JSON has and its `data` as
/// the browser holds it.
pub(crate) fn write(payload: &NotificationPayload, data: &JsValue) -> JsValue {
    let data = (!data.is_undefined()).then(|| Js(data.clone()));
    let Js(payload) = write_fields(payload, data.as_ref());
    super::object(&[("type", MESSAGE_TYPE.into()), ("payload", payload)]).into()
}

/// The payload and its `data` (`undefined` when there is none), when `message` is ours.
pub(crate) fn read(message: &JsValue) -> Option<(NotificationPayload, JsValue)> {
    if get(message, "type").as_string().as_deref() != Some(MESSAGE_TYPE) {
        return None;
    }
    let (payload, data) = read_fields(&Js(get(message, "payload")), "url");
    Some((payload, data.map_or(JsValue::UNDEFINED, |Js(data)| data)))
}
