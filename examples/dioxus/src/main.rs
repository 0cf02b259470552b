//! A Dioxus page that turns push notifications on and off with
//! `wasm_push::window::dioxus::use_push`. Its worker is the ready-made one, which
//! `cargo wasm-push build --out public` writes into `public/`, copied by `dx build` to the site's
//! root; its settings are in the worker's URL.

use dioxus::prelude::*;
use wasm_push::window::{dioxus::use_push, UsePushOptions};

/// Your app server's VAPID public key (`wasm_push::server::VapidKeys::public_key`). This one is
/// an example: push services accept only subscriptions made with the key you send with.
const VAPID_PUBLIC_KEY: &str =
    "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";

#[component]
fn App() -> Element {
    let push = use_push(
        UsePushOptions::new("/sw.js?title=Dioxus%20recipe", "/").application_server_key(VAPID_PUBLIC_KEY),
        // With an app server: .server_url("/api/push/subscription")
    );
    let state = push.state();
    let state = state.read();
    let (progress, status) = match (&state.scope, &state.error) {
        (_, Some(error)) => ("failed", error.to_string()),
        (Some(scope), None) => ("done", format!("Service worker registered and active for {scope}")),
        (None, None) => ("pending", "Registering the service worker…".to_owned()),
    };
    let subscribed = state.subscription.is_some();
    rsx! {
        // iOS and iPadOS offer push only to a site added to the Home Screen with this.
        document::Link { rel: "manifest", href: "/manifest.webmanifest" }
        main {
            p { id: "status", "data-state": progress, "{status}" }
            button {
                disabled: state.loading || !state.support.can_push(),
                onclick: move |_| if subscribed { push.unsubscribe() } else { push.subscribe() },
                if subscribed { "Turn off notifications" } else { "Turn on notifications" }
            }
            // iOS and iPadOS offer push only to a site opened from the Home Screen: say how.
            if state.support.home_screen {
                p { id: "hint", "{wasm_push::Error::NeedsHomeScreen}" }
            }
        }
    }
}

fn main() {
    dioxus::launch(App);
}
