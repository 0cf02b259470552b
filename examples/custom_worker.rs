//! Your own push worker on the wasm-push runtime: the ready-made worker's behaviour plus two
//! hooks. Build it as a cdylib for wasm32, run `wasm-bindgen --target no-modules`, and load it
//! from a copy of `sw/sw.js` (the shim only needs the four exported names below).
//!
//! `cargo xtask test` builds this example for wasm32, so it always compiles.

#[cfg(target_arch = "wasm32")]
mod worker {
    use wasm_bindgen::prelude::*;
    use wasm_push::worker::Runtime;

    thread_local! {
        static RUNTIME: Runtime = Runtime::from_location()
            // Brand every title and group chat messages under one tag, so they replace each other.
            .transform(|mut payload| {
                payload.title = format!("Acme · {}", payload.title);
                if payload.data.as_ref().and_then(|d| d.get("chat")).is_some() {
                    payload.tag = Some("chat".into());
                    payload.renotify = true;
                }
                payload
            })
            // The "mute" button opens the settings page instead of the message.
            .on_click(|click| (click.action == "mute").then(|| "/settings/notifications".to_owned()));
    }

    #[wasm_bindgen]
    pub fn on_push(event: web_sys::PushEvent) -> js_sys::Promise {
        RUNTIME.with(|runtime| runtime.push(&event))
    }

    #[wasm_bindgen]
    pub fn on_notification_click(event: web_sys::NotificationEvent) -> js_sys::Promise {
        RUNTIME.with(|runtime| runtime.notification_click(&event))
    }

    #[wasm_bindgen]
    pub fn on_notification_close(event: web_sys::NotificationEvent) -> js_sys::Promise {
        RUNTIME.with(|runtime| runtime.notification_close(&event))
    }

    #[wasm_bindgen]
    pub fn on_push_subscription_change(event: web_sys::ExtendableEvent) -> js_sys::Promise {
        RUNTIME.with(|runtime| runtime.subscription_change(&event))
    }
}
