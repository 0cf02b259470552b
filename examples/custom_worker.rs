//! Your own push worker on the wasm-push runtime: the ready-made worker's behaviour plus two
//! hooks. Build it as a cdylib for wasm32, run `wasm-bindgen --target no-modules --out-name
//! wasm_push_sw`, and serve its output beside `sw/sw.js`, `sw/push.js` and `sw/listeners.js` as
//! they are in the repository, which import it (the shim calls the four entry points
//! `export_worker!` makes). The `sw.js` and `push.js` of `target/dist` carry the ready-made
//! worker's glue inside them, so they are not for a worker of one's own.
//!
//! `cargo xtask test` builds this example for wasm32, so it always compiles.

#[cfg(target_arch = "wasm32")]
wasm_push::export_worker!(wasm_push::worker::Runtime::from_location()
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
    .on_click(|click| (click.action == "mute").then(|| "/settings/notifications".to_owned())));
