//! A Yew page that turns push notifications on and off with `wasm_push::window::use_push`. Its
//! worker is the ready-made one, which `cargo wasm-push build` writes beside the page (see
//! Trunk.toml); its settings are in the worker's URL.

use wasm_push::window::{use_push, UsePushOptions};
use yew::prelude::*;

/// Your app server's VAPID public key (`wasm_push::server::VapidKeys::public_key`). This one is
/// an example: push services accept only subscriptions made with the key you send with.
const VAPID_PUBLIC_KEY: &str =
    "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";

#[function_component]
fn App() -> Html {
    let push = use_push(
        UsePushOptions::new("/sw.js?title=Yew%20recipe", "/").application_server_key(VAPID_PUBLIC_KEY),
        // With an app server: .server_url("/api/push/subscription")
    );
    let onclick = {
        let push = push.clone();
        Callback::from(move |_| if push.subscription.is_some() { push.unsubscribe.emit(()) } else { push.subscribe.emit(()) })
    };
    let (state, status) = match (&push.scope, &push.error) {
        (_, Some(error)) => ("failed", error.to_string()),
        (Some(scope), None) => ("done", format!("Service worker registered and active for {scope}")),
        (None, None) => ("pending", "Registering the service worker…".to_owned()),
    };
    html! {
        <main>
            <p id="status" data-state={state}>{ status }</p>
            <button {onclick} disabled={push.loading || !push.support.can_push()}>
                { if push.subscription.is_some() { "Turn off notifications" } else { "Turn on notifications" } }
            </button>
            // iOS and iPadOS offer push only to a site opened from the Home Screen: say how.
            if push.support.home_screen {
                <p id="hint">{ wasm_push::Error::NeedsHomeScreen.to_string() }</p>
            }
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
