//! A Leptos page that turns push notifications on and off with
//! `wasm_push::window::leptos::use_push`. Its worker is the ready-made one, which
//! `cargo wasm-push build` writes beside the page (see Trunk.toml); its settings are in the
//! worker's URL.

use leptos::prelude::*;
use wasm_push::window::{leptos::use_push, UsePushOptions};

/// Your app server's VAPID public key (`wasm_push::server::VapidKeys::public_key`). This one is
/// an example: push services accept only subscriptions made with the key you send with.
const VAPID_PUBLIC_KEY: &str =
    "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";

#[component]
fn App() -> impl IntoView {
    let push = use_push(
        UsePushOptions::new("/sw.js?title=Leptos%20recipe", "/").application_server_key(VAPID_PUBLIC_KEY),
        // With an app server: .server_url("/api/push/subscription")
    );
    let status = move || {
        push.state().with(|state| match (&state.scope, &state.error) {
            (_, Some(error)) => ("failed", error.to_string()),
            (Some(scope), None) => ("done", format!("Service worker registered and active for {scope}")),
            (None, None) => ("pending", "Registering the service worker…".to_owned()),
        })
    };
    let subscribed = move || push.state().with(|state| state.subscription.is_some());
    view! {
        <main>
            <p id="status" data-state=move || status().0>{move || status().1}</p>
            <button
                on:click=move |_| if subscribed() { push.unsubscribe() } else { push.subscribe() }
                disabled=move || push.state().with(|state| state.loading || !state.support.can_push())
            >
                {move || if subscribed() { "Turn off notifications" } else { "Turn on notifications" }}
            </button>
            // iOS and iPadOS offer push only to a site opened from the Home Screen: say how.
            <Show when=move || push.state().with(|state| state.support.home_screen)>
                <p id="hint">{wasm_push::Error::NeedsHomeScreen.to_string()}</p>
            </Show>
        </main>
    }
}

fn main() {
    leptos::mount::mount_to_body(App);
}
