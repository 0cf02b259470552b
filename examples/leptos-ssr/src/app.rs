//! The page, rendered on the server and hydrated in the browser: the same component in both,
//! with no `cfg` (the hook is inert on the server, and starts once hydrated).

use leptos::prelude::*;
use wasm_push::window::{leptos::use_push, UsePushOptions};

/// Where the page and the worker send subscriptions: `POST` saves, `DELETE` removes.
pub const SUBSCRIPTION_URL: &str = "/api/push/subscription";

/// What the server writes into the page's head for the browser.
#[derive(Debug, Clone)]
pub struct Head {
    /// The app server's VAPID public key, which the page subscribes with.
    pub vapid_public_key: String,
    /// The token the page's saves and removals carry (`wasm_push::server::CSRF_HEADER`).
    pub csrf_token: String,
}

/// The whole document the server renders around [`App`].
pub fn shell(options: LeptosOptions, head: Head) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // AppServer reads its token from here.
                <meta name="csrf-token" content=head.csrf_token/>
                <meta name="vapid-public-key" content=head.vapid_public_key.clone()/>
                <title>"Push notifications with Leptos"</title>
                // iOS and iPadOS offer push only to a site added to the Home Screen with this.
                <link rel="manifest" href="/manifest.webmanifest"/>
                <HydrationScripts options/>
            </head>
            <body>
                <App vapid_public_key=head.vapid_public_key/>
            </body>
        </html>
    }
}

/// Turns notifications on and off, and sends one to every subscriber.
#[component]
pub fn App(vapid_public_key: String) -> impl IntoView {
    let push = use_push(
        // The worker's `subscription_url` setting: it saves a subscription the browser renews.
        UsePushOptions::new(format!("/sw.js?title=Leptos&subscription_url={SUBSCRIPTION_URL}"), "/")
            .application_server_key(vapid_public_key)
            .server_url(SUBSCRIPTION_URL),
    );
    let status = move || {
        push.state().with(|state| match (&state.scope, &state.error) {
            (_, Some(error)) => error.to_string(),
            (Some(_), None) if state.subscription.is_some() => "Subscribed".to_owned(),
            (Some(_), None) => "Not subscribed".to_owned(),
            (None, None) if state.loading => "Loading…".to_owned(),
            (None, None) => "Push notifications are not available in this browser".to_owned(),
        })
    };
    let subscribed = move || push.state().with(|state| state.subscription.is_some());
    let send = ServerAction::<SendToEveryone>::new();
    let outcome = move || match send.value().get() {
        Some(Ok(outcome)) => outcome,
        Some(Err(error)) => error.to_string(),
        None => String::new(),
    };
    view! {
        <main>
            <h1>"Push notifications with Leptos"</h1>
            <p id="status">{status}</p>
            <button
                id="toggle"
                on:click=move |_| if subscribed() { push.unsubscribe() } else { push.subscribe() }
                disabled=move || push.state().with(|state| state.loading || !state.support.can_push())
            >
                {move || if subscribed() { "Turn off notifications" } else { "Turn on notifications" }}
            </button>
            // iOS and iPadOS offer push only to a site opened from the Home Screen: say how.
            <Show when=move || push.state().with(|state| state.support.home_screen)>
                <p id="hint">{wasm_push::Error::NeedsHomeScreen.to_string()}</p>
            </Show>
            <ActionForm action=send>
                <input id="title" name="title" placeholder="Title" required/>
                <input id="body" name="body" placeholder="Body"/>
                <button id="send" type="submit">"Send to everyone"</button>
            </ActionForm>
            <p id="outcome">{outcome}</p>
        </main>
    }
}

/// Sends a notification to every stored subscription (one fan-out), deletes those gone, and
/// says how it went. Put it behind your own sign-in: here any page of the site may send.
#[server]
pub async fn send_to_everyone(title: String, body: String) -> Result<String, ServerFnError> {
    crate::server::send_to_everyone(title, body).await
}
