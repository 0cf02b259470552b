//! What both browser suites use: the loopback push service `cargo xtask test` starts (which
//! also records what an app server is sent), a fetch that works in a page and in a worker, and
//! the Firefox-only guard. Each suite uses only some of it.
#![allow(dead_code)]

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A valid VAPID public key.
pub const KEY: &str = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";

fn global(name: &str) -> wasm_bindgen::JsValue {
    js_sys::Reflect::get(&js_sys::global(), &name.into()).unwrap()
}

/// A fetch from the page or the worker (the loopback service answers CORS), answering
/// (status, body as JSON or null).
pub async fn call(method: &str, url: &str, headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let request = web_sys::Request::new_with_str_and_init(url, &init).unwrap();
    for (name, value) in headers {
        request.headers().set(name, value).unwrap();
    }
    let fetch: js_sys::Function = global("fetch").unchecked_into();
    let response = fetch.call1(&js_sys::global(), &request).unwrap();
    let response: web_sys::Response = JsFuture::from(js_sys::Promise::from(response)).await.unwrap().unchecked_into();
    let text = JsFuture::from(response.text().unwrap()).await.unwrap().as_string().unwrap();
    (response.status(), serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// What `cargo xtask test` wrote about the loopback push service it started.
pub async fn loopback_push_service() -> serde_json::Value {
    let (status, service) = call("GET", "/target/browser-tests/push-service.json", &[]).await;
    assert_eq!(status, 200, "run through `cargo xtask test`, which writes target/browser-tests/push-service.json");
    service
}

/// Clears the recording app server, and what this origin remembers telling an app server, and
/// returns the server's base URL.
pub async fn fresh_app_server() -> String {
    let base = loopback_push_service().await["http"].as_str().unwrap().to_owned();
    call("DELETE", &format!("{base}/app/stored"), &[]).await;
    let caches: web_sys::CacheStorage = global("caches").unchecked_into();
    JsFuture::from(caches.delete("wasm-push")).await.unwrap();
    base
}

/// The endpoints the recording app server holds.
pub async fn stored_endpoints(base: &str) -> Vec<String> {
    let (_, stored) = call("GET", &format!("{base}/app/stored"), &[]).await;
    stored["subscriptions"].as_array().unwrap().iter().map(|s| s["endpoint"].as_str().unwrap().to_owned()).collect()
}

/// How many saves and removals the app server was asked for, taken or refused (it records each
/// request's CSRF header, `null` where there was none).
pub async fn requests_seen(base: &str) -> usize {
    let (_, stored) = call("GET", &format!("{base}/app/stored"), &[]).await;
    stored["csrf"].as_array().unwrap().len()
}

/// Whether this runs in Firefox.
fn is_firefox() -> bool {
    let agent = js_sys::Reflect::get(&global("navigator"), &"userAgent".into()).unwrap();
    agent.as_string().unwrap_or_default().contains("Firefox/")
}

/// Whether a test that subscribes for real can run here: in Firefox, with the loopback push
/// service `cargo xtask test` starts (and points Firefox at) running. Where not, it says so on
/// the console and the test returns: a bare `wasm-pack test` runs the rest of the suite, and
/// `cargo xtask test` filters the `loopback_push_service` modules out of Chromium and always
/// runs them in Firefox with the service.
pub async fn can_subscribe_here() -> bool {
    let skip = |why: &str| {
        web_sys::console::log_1(&format!("skipped: {why} (cargo xtask test runs it)").into());
        false
    };
    if !is_firefox() {
        return skip("needs Firefox pointed at the loopback push service");
    }
    // A file left by an earlier `cargo xtask test` names a service that is gone: ask it.
    let fetch: js_sys::Function = global("fetch").unchecked_into();
    let ask = |url: &str| JsFuture::from(js_sys::Promise::from(fetch.call1(&js_sys::global(), &url.into()).unwrap()));
    let service = match ask("/target/browser-tests/push-service.json").await {
        Ok(response) if response.unchecked_ref::<web_sys::Response>().ok() => {
            let text = JsFuture::from(response.unchecked_into::<web_sys::Response>().text().unwrap()).await.unwrap();
            serde_json::from_str::<serde_json::Value>(&text.as_string().unwrap()).unwrap()
        }
        _ => return skip("no loopback push service"),
    };
    match ask(&format!("{}/app/stored", service["http"].as_str().unwrap())).await {
        Ok(_) => true,
        Err(_) => skip("the loopback push service is not running"),
    }
}
