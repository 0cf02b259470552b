//! The one `fetch`: a JSON body with same-origin credentials, from a window or a worker.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};

/// `fetch(url, {method, body, credentials: "same-origin", redirect: "manual"})` with a JSON
/// content type when there is a body (a GET without one carries none, which would make a
/// cross-origin GET wait for a CORS preflight) and one optional header (the window side's CSRF token): the promise of its
/// `Response`, rejected only when no answer came back (or the request could not be made). A
/// redirect is not followed: its answer is an opaque one with status 0, never `ok`, so a `302`
/// to a login page is not taken for the app server's own 2xx. It takes and gives `JsValue`s,
/// so the worker calls it without the crate's `Error`.
pub(crate) fn fetch(url: &str, method: &str, body: &JsValue, header: Option<(&str, &str)>) -> Promise {
    request(url, method, body, header).unwrap_or_else(|reason| Promise::reject(&reason))
}

fn request(url: &str, method: &str, body: &JsValue, header: Option<(&str, &str)>) -> Result<Promise, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    init.set_redirect(web_sys::RequestRedirect::Manual);
    init.set_body(body);
    let headers = web_sys::Headers::new()?;
    if !body.is_undefined() && !body.is_null() {
        headers.set("Content-Type", "application/json")?;
    }
    if let Some((name, value)) = header {
        headers.set(name, value)?;
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    // `fetch` lives on Window and on WorkerGlobalScope: call whichever this global is.
    let global = js_sys::global();
    let fetch: js_sys::Function = super::get(&global, "fetch").dyn_into()?;
    Ok(fetch.call1(&global, &request)?.unchecked_into())
}
