//! The benchmark's floor: a push worker in Rust that does the least any can (the push's JSON
//! handed to `showNotification` as it is: no checks, no caps, no fallback), loaded the way
//! wasm-push's worker is. What it costs beside the JavaScript baseline is what loading and
//! starting a wasm module costs; what wasm-push's worker costs beyond it is wasm-push's own.
//! Not shipped.
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
mod worker {
    use js_sys::{Object, Promise, Reflect};
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsCast;
    use web_sys::{PushEvent, ServiceWorkerGlobalScope};

    /// Shows the push's JSON as the notification's options, its `title` as the title; the
    /// promise is for `waitUntil`.
    #[wasm_bindgen]
    pub fn on_push(event: PushEvent) -> Promise {
        let payload = event.data().and_then(|data| data.json().ok()).unwrap_or_else(|| Object::new().into());
        let title = Reflect::get(&payload, &"title".into()).ok().and_then(|t| t.as_string()).unwrap_or_default();
        let scope: ServiceWorkerGlobalScope = js_sys::global().unchecked_into();
        scope
            .registration()
            .show_notification_with_options(&title, payload.unchecked_ref())
            .unwrap_or_else(|error| Promise::reject(&error))
    }
}
