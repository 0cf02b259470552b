//! Your own push worker on the wasm-push runtime: the ready-made worker's behaviour plus two
//! hooks, and tests of those hooks (`tests/hooks.rs`) that run in a real service worker with
//! `wasm-pack test --headless --chrome` (or `--firefox`) in this folder.
//!
//! Build it as a cdylib for wasm32, run `wasm-bindgen --target no-modules --out-name
//! wasm_push_sw`, and serve its output beside `sw/sw.js`, `sw/push.js` and `sw/listeners.js` as
//! they are in the repository, which import it (the shim calls the four entry points
//! `export_worker!` makes). The `sw.js` and `push.js` of `target/dist` carry the ready-made
//! worker's glue inside them, so they are not for a worker of one's own.
//!
//! `cargo xtask test` runs its tests with `wasm-pack test`, as you would.

use wasm_push::worker::{Click, Runtime};
use wasm_push::NotificationPayload;

/// The worker's runtime: the settings in its script URL, and the two hooks. The tests build the
/// same one.
pub fn runtime() -> Runtime {
    Runtime::from_location().transform(brand_and_group_chats).on_click(mute_opens_the_settings)
}

/// Brands every title, and groups chat messages under one tag, so they replace each other and
/// alert again.
pub fn brand_and_group_chats(mut payload: NotificationPayload) -> NotificationPayload {
    payload.title = format!("Acme · {}", payload.title);
    if payload.data.as_ref().and_then(|data| data.get("chat")).is_some() {
        payload.tag = Some("chat".into());
        payload.renotify = true;
    }
    payload
}

/// The "mute" button opens the notification settings instead of the message.
pub fn mute_opens_the_settings(click: &Click) -> Option<String> {
    (click.action == "mute").then(|| "/settings/notifications".to_owned())
}

#[cfg(target_arch = "wasm32")]
wasm_push::export_worker!(runtime());
