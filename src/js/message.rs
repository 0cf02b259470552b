//! The message the worker posts to a focused page for a push (`foreground=page` or `both`), and
//! the page's reply that it took it, written and read here only: the worker writes the message
//! and reads the reply, `window/foreground.rs` reads the message and writes the reply.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::{get, Js};
use crate::shared::{read_fields, write_fields};
use crate::NotificationPayload;
use wasm_bindgen::JsValue;

/// The `type` that marks the message as ours among whatever else the page receives.
const MESSAGE_TYPE: &str = "wasm-push:push";
/// The `type` of the page's reply: it took the push, so the worker shows no notification.
const TAKEN_TYPE: &str = "wasm-push:taken";

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

/// The reply a page posts on the message's port once it took the push.
pub(crate) fn taken() -> JsValue {
    super::object(&[("type", TAKEN_TYPE.into())]).into()
}

/// Whether `reply` (a `MessageEvent` from the port, or anything else) is a page's [`taken`].
pub(crate) fn is_taken(reply: &JsValue) -> bool {
    get(&get(reply, "data"), "type").as_string().as_deref() == Some(TAKEN_TYPE)
}
