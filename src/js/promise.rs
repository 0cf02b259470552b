//! Promise chains without an executor: a step runs when the promise before it settles, with
//! its value or why it was rejected, and what it returns (a value, a promise to follow, or an
//! error) settles the next. The worker's handlers are such chains rather than `async` blocks:
//! wasm-bindgen-futures' executor and the state machines of `async` were 4.9 KB of the worker's
//! 35.9 KB gzip. The window side, whose API is `async`, awaits the same promises.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::{get, sys};
use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

/// A promise's outcome: its value, or why it was rejected.
pub(crate) type Outcome = Result<JsValue, JsValue>;

/// Runs `step` once `promise` settles, whichever way; the promise answered settles as `step`'s
/// answer does: `Ok(value)` with that value (a promise is followed), `Err(reason)` rejected.
pub(crate) fn then(promise: &Promise, step: impl FnOnce(Outcome) -> Outcome + 'static) -> Promise {
    after(promise, Box::new(step))
}

/// [`then`] for every step: one closure type, so one set of wasm-bindgen's shims.
fn after(promise: &Promise, step: Box<dyn FnOnce(Outcome) -> Outcome>) -> Promise {
    // `allSettled` of one promise hands both outcomes to one function, which is called exactly
    // once (a `then(ok, rejected)` pair would leave one closure never called).
    let settled = sys::all_settled(&Array::of1(promise));
    settled.then_call(&once(step))
}

/// `step` as a JavaScript function to be called once, with `allSettled`'s outcomes of one
/// promise (anything else reads as a rejection with `undefined`); it answers `step`'s value,
/// or a promise rejected with its error. The one closure type of the crate's chains.
pub(crate) fn once(step: Box<dyn FnOnce(Outcome) -> Outcome>) -> JsValue {
    Closure::once_into_js(move |outcomes: JsValue| {
        let outcome = Reflect::get_u32(&outcomes, 0).unwrap_or_default();
        let given = match get(&outcome, "status").as_string().as_deref() {
            Some("fulfilled") => Ok(get(&outcome, "value")),
            _ => Err(get(&outcome, "reason")),
        };
        match step(given) {
            Ok(value) => value,
            Err(reason) => Promise::reject(&reason).into(),
        }
    })
}

/// A promise of `value`.
pub(crate) fn resolved(value: impl Into<JsValue>) -> Promise {
    Promise::resolve(&value.into())
}

/// `promise`, never rejected: its value, or `undefined` when it was rejected (for bookkeeping
/// and niceties that must not fail what they follow).
pub(crate) fn quietly(promise: &Promise) -> Promise {
    then(promise, |outcome| Ok(outcome.unwrap_or_default()))
}

/// Whichever of `work` and `deadline` settles first, settled as it did.
pub(crate) fn first(work: &Promise, deadline: &Promise) -> Promise {
    Promise::race(&Array::of2(work, deadline))
}

/// A promise that fulfils (with `undefined`) after `milliseconds`.
pub(crate) fn sleep(milliseconds: u32) -> Promise {
    Promise::new(&mut |resolve, _| {
        sys::set_timeout(&resolve, milliseconds);
    })
}
