//! The demo page, in Rust with Yew: see whether push works here, turn notifications on from a
//! button, send yourself (or everyone) a notification, turn them off.
#![forbid(unsafe_code)]

use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_push::window::{use_push, ForegroundMessages, UsePushOptions};
use wasm_push::{Error, Permission};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Runs when the page loads the module.
#[wasm_bindgen(start)]
pub fn start() {
    let root = gloo_utils::document().get_element_by_id("app");
    match root {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => web_sys::console::error_1(&"the page has no #app element".into()),
    }
}

/// A `<meta name=… content=…>` the server filled in.
fn meta(name: &str) -> String {
    gloo_utils::document()
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_default()
}

fn describe(error: &Error) -> String {
    match error {
        Error::PermissionDenied => "Notifications are blocked for this site. Allow them in the site settings (the icon left of the address), then try again.".into(),
        other => other.to_string(),
    }
}

#[function_component]
fn App() -> Html {
    // The worker resubscribes with the key when the browser changes the subscription.
    let key = meta("vapid-key");
    let push = use_push(
        UsePushOptions::new(format!("/sw.js?subscription_url=/api/subscription&key={key}"), "/")
            .application_server_key(key)
            .server_url("/api/subscription"),
    );
    // A worker set to `foreground=page` (or `both`) hands pushes to this page while it is looked at.
    let in_page = use_state(|| None::<(String, String)>);
    {
        let in_page = in_page.clone();
        use_effect_with((), move |_| {
            let messages = ForegroundMessages::new(move |message| {
                in_page.set(Some((message.payload.title, message.payload.body.unwrap_or_default())));
            })
            .ok();
            // Dropping it removes the listener.
            move || drop(messages)
        });
    }

    // Before the page is mounted (and as a server would render it), nothing is known yet.
    let checking = push.loading && push.scope.is_none() && push.support == wasm_push::Support::default();
    let support_line = match push.support.check() {
        _ if checking => html! { <span>{ "Checking…" }</span> },
        Ok(()) => html! { <span class="ok">{ "Yes" }</span> },
        Err(error) => html! { <span class="bad">{ format!("No: {error}") }</span> },
    };
    // Where push cannot work, browsers report "denied" whatever the user chose: say so instead.
    let permission_line = match (push.support.can_push(), push.permission) {
        (false, _) => "Not available here",
        (true, Permission::Granted) => "Granted",
        (true, Permission::Denied) => "Denied (change it in the site settings)",
        (true, Permission::Default) => "Not asked yet",
    };
    let subscription_line = match &push.subscription {
        Some(subscription) => format!("Subscribed through {}", subscription.push_service_origin()),
        None => "Not subscribed".into(),
    };
    let (state, status) = match (&push.scope, push.support.can_push()) {
        _ if checking => ("loading", "Checking what this browser can do…".to_owned()),
        (Some(scope), _) => ("done", format!("Service worker registered and active for {scope}")),
        (None, false) => ("done", "Service worker not registered: push is not supported here".to_owned()),
        (None, true) if push.loading => ("loading", "Registering the service worker…".to_owned()),
        (None, true) => ("done", "Service worker not registered".to_owned()),
    };

    let toggle = {
        let push = push.clone();
        Callback::from(move |_: MouseEvent| {
            if push.subscription.is_some() {
                push.unsubscribe.emit(());
            } else {
                push.subscribe.emit(());
            }
        })
    };

    html! {
        <main>
            <h1>{ "wasm-push demo" }</h1>
            <p>{ "Push notifications let a site reach you while it is closed: a reply to your message, \
                  a delivery on its way. This page and its service worker are Rust compiled to wasm." }</p>

            <section aria-labelledby="state">
                <h2 id="state">{ "This browser" }</h2>
                <dl>
                    <dt>{ "Push supported" }</dt><dd id="support">{ support_line }</dd>
                    <dt>{ "Permission" }</dt><dd id="permission">{ permission_line }</dd>
                    <dt>{ "Subscription" }</dt><dd id="subscription">{ subscription_line }</dd>
                </dl>
                <p id="status" data-state={state}>{ status }</p>
                if push.support.can_push() {
                    <button id="toggle" class="primary" onclick={toggle} disabled={push.loading || push.scope.is_none()}>
                        { if push.subscription.is_some() { "Turn off notifications" } else { "Turn on notifications" } }
                    </button>
                } else {
                    <p>{ "Open this page over HTTPS (or on localhost) in a browser with service workers and the Push API." }</p>
                }
                if let Some(error) = &push.error {
                    <p id="error" class="bad" role="alert">{ describe(error) }</p>
                }
            </section>

            if let Some((title, body)) = &*in_page {
                <section id="foreground" aria-live="polite">
                    <h2>{ "Arrived while you were here" }</h2>
                    <p><strong id="foreground-title">{ title }</strong></p>
                    <p id="foreground-body">{ body }</p>
                </section>
            }

            <SendForm endpoint={push.subscription.as_ref().map(|s| AttrValue::from(s.endpoint.clone()))} />
        </main>
    }
}

#[derive(Properties, PartialEq)]
struct SendFormProps {
    /// The visitor's own endpoint, when subscribed.
    endpoint: Option<AttrValue>,
}

/// The form's fields, kept in state so a re-render never resets what the user typed.
#[derive(Clone, PartialEq)]
struct Draft {
    title: String,
    body: String,
    url: String,
    action: String,
    icon: String,
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            title: "Hello from wasm-push".into(),
            body: "Sent by the demo server, shown by a Rust service worker.".into(),
            url: String::new(),
            action: String::new(),
            icon: String::new(),
        }
    }
}

impl Draft {
    /// The notification as the server's `/api/send` takes it.
    fn notification(&self, tag: &str) -> serde_json::Value {
        let mut notification = json!({"title": self.title, "body": self.body, "tag": tag});
        let optional = |text: &str| (!text.trim().is_empty()).then(|| text.trim().to_owned());
        if let Some(url) = optional(&self.url) {
            notification["url"] = url.into();
        }
        if let Some(label) = optional(&self.action) {
            notification["actions"] = json!([{"action": "open", "title": label}]);
        }
        if let Some(icon) = optional(&self.icon) {
            notification["icon"] = icon.into();
        }
        notification
    }
}

#[function_component]
fn SendForm(props: &SendFormProps) -> Html {
    let draft = use_state(Draft::default);
    let outcome = use_state(|| None::<Result<String, String>>);

    let field = |id: &'static str,
                 label: &'static str,
                 placeholder: &'static str,
                 value: String,
                 set: fn(&mut Draft, String)| {
        let draft = draft.clone();
        let oninput = Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let mut next = (*draft).clone();
            set(&mut next, input.value());
            draft.set(next);
        });
        html! { <label>{ label }<input {id} {value} {placeholder} {oninput} /></label> }
    };

    let send = |to: &'static str| {
        let (draft, outcome, endpoint) = (draft.clone(), outcome.clone(), props.endpoint.clone());
        Callback::from(move |_: MouseEvent| {
            let request = json!({"to": to, "endpoint": endpoint.as_deref(), "notification": draft.notification(&format!("demo-{to}"))});
            let outcome = outcome.clone();
            wasm_bindgen_futures::spawn_local(async move {
                outcome.set(Some(post_send(&request).await));
            });
        })
    };

    let (send_me, send_all) = (send("me"), send("all"));
    html! {
        <section aria-labelledby="send">
            <h2 id="send">{ "Send a notification" }</h2>
            { field("title", "Title", "", draft.title.clone(), |d, v| d.title = v) }
            { field("body", "Body", "", draft.body.clone(), |d, v| d.body = v) }
            { field("url", "Opens (same-site URL, optional)", "/", draft.url.clone(), |d, v| d.url = v) }
            { field("action", "Button label (optional)", "Open", draft.action.clone(), |d, v| d.action = v) }
            { field("icon", "Icon URL (optional)", "/icon.png", draft.icon.clone(), |d, v| d.icon = v) }
            <div class="row">
                <button id="send-me" class="primary" onclick={send_me} disabled={props.endpoint.is_none()}>{ "Send to me" }</button>
                <button id="send-all" onclick={send_all}>{ "Send to everyone" }</button>
            </div>
            {
                match &*outcome {
                    Some(Ok(text)) => html! { <p id="outcome" class="ok">{ text }</p> },
                    Some(Err(text)) => html! { <p id="outcome" class="bad" role="alert">{ text }</p> },
                    None => html! {},
                }
            }
        </section>
    }
}

/// POSTs to the demo server's `/api/send` with the page's CSRF token.
async fn post_send(request: &serde_json::Value) -> Result<String, String> {
    let response = gloo_net::http::Request::post("/api/send")
        .header("X-CSRF-Token", &meta("csrf-token"))
        .json(request)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| format!("the server did not answer: {e}"))?;
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if !response.ok() {
        let message = body["error"]["message"].as_str().unwrap_or("the server refused");
        return Err(format!("{} ({})", message, response.status()));
    }
    let mut said = format!(
        "Sent to {} subscription(s); {} gone and removed; {} failed.",
        body["sent"], body["removed"], body["failed"]
    );
    if body["later"].as_u64().unwrap_or(0) > 0 {
        said += &format!(" {} to be sent again after the push service's wait.", body["later"]);
    }
    Ok(said)
}
