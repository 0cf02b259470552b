//! A full-stack Leptos app: the server renders the page (`ssr`), the browser hydrates it
//! (`hydrate`), and `cargo leptos build` builds both. The page subscribes with
//! `wasm_push::window::leptos::use_push`; the server keeps subscriptions in SQLite, serves the
//! worker with `wasm_push::server::worker_routes` and sends with `Sender::fan_out`.

pub mod app;
#[cfg(feature = "ssr")]
pub mod server;

/// The page's wasm entry: hydrates the page the server rendered, with the app server's VAPID
/// public key from its `<meta name="vapid-public-key">`.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let key = leptos::prelude::document()
        .query_selector("meta[name=\"vapid-public-key\"]")
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_default();
    leptos::mount::hydrate_body(move || leptos::view! { <app::App vapid_public_key=key.clone()/> });
}
