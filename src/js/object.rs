//! Reading and building plain JavaScript objects, for the worker and the window side alike:
//! what `JSON.parse` made is read by the shared field reader through [`Js`], and what goes to
//! the browser is built member by member, keeping serde_json out of the wasm.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::shared::{JsonBuild, JsonView};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

/// A plain object with these members.
pub(crate) fn object(members: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (name, value) in members {
        let _ = Reflect::set(&object, &JsValue::from_str(name), value);
    }
    object
}

/// `value[name]`, or `undefined` when `value` is not an object or function, or has no such
/// member.
pub(crate) fn get(value: &JsValue, name: &str) -> JsValue {
    match value.is_object() || value.is_function() {
        true => Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED),
        false => JsValue::UNDEFINED,
    }
}

/// A JavaScript value read or written by the shared field code.
#[derive(Clone)]
pub(crate) struct Js(pub(crate) JsValue);

impl JsonView for Js {
    fn member(&self, name: &str) -> Option<Self> {
        if !self.is_object() {
            return None;
        }
        // JSON.parse makes plain objects: a member is an own property or nothing, since none of
        // the names the reader reads is inherited from Object.prototype.
        let value = get(&self.0, name);
        (!value.is_undefined()).then_some(Js(value))
    }
    fn elements(&self) -> Option<Vec<Self>> {
        Array::is_array(&self.0).then(|| Array::from(&self.0).iter().map(Js).collect())
    }
    fn text(&self) -> Option<String> {
        self.0.as_string()
    }
    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn is_object(&self) -> bool {
        self.0.is_object() && !Array::is_array(&self.0)
    }
}

impl JsonBuild for Js {
    fn text(text: &str) -> Self {
        Js(text.into())
    }
    fn flag(flag: bool) -> Self {
        Js(flag.into())
    }
    fn number(n: f64) -> Self {
        Js(n.into())
    }
    fn count(n: u64) -> Self {
        Js((n as f64).into())
    }
    fn list(items: Vec<Self>) -> Self {
        Js(items.into_iter().map(|Js(item)| item).collect::<Array>().into())
    }
    fn object(members: Vec<(&'static str, Self)>) -> Self {
        let members: Vec<(&str, JsValue)> = members.into_iter().map(|(name, Js(value))| (name, value)).collect();
        Js(object(&members).into())
    }
}
