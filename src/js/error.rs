//! The crate's [`Error`] at the JavaScript boundary: from what a browser call threw, and back
//! to a JavaScript `Error` for promises handed to the browser.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::Error;
use wasm_bindgen::JsValue;

impl From<JsValue> for Error {
    /// Reads `name` and `message` off whatever was thrown; a non-object becomes its string form.
    fn from(value: JsValue) -> Self {
        let read = |key: &str| super::get(&value, key).as_string();
        if value.is_object() {
            let name = read("name").unwrap_or_else(|| "Error".into());
            let message = read("message").unwrap_or_default();
            Error::Browser { name, message }
        } else {
            // Not through `{:?}`: JsValue's Debug is core's formatting machinery in every wasm.
            let message = value.as_string().or_else(|| js_sys::JSON::stringify(&value).ok()?.as_string());
            Error::Browser {
                name: "Error".into(),
                message: message.unwrap_or_else(|| "a value that is not an Error".into()),
            }
        }
    }
}

impl From<Error> for JsValue {
    /// A JavaScript `Error` with the message, for promises handed back to the browser.
    fn from(error: Error) -> Self {
        js_sys::Error::new(&error.message()).into()
    }
}
