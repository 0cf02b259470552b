//! Your own push worker on the wasm-push runtime: the ready-made worker's behaviour plus two
//! hooks, and tests of those hooks (`tests/hooks.rs`) that run in a real service worker with
//! `wasm-pack test --headless --chrome` (or `--firefox`) in this folder.
//!
//! Build its worker folder with `cargo wasm-push build --worker tested-worker --out dist`: the
//! same `sw.js`, `push.js` and `module/push.mjs` as the ready-made worker's, around this crate's
//! glue (the shim calls the four entry points `export_worker!` makes).
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
