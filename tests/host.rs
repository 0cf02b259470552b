//! The window side and both hooks on the host, where server-side rendering, rust-analyzer and
//! `cargo check` compile them: every entry point answers that there is no browser, nothing
//! calls into JavaScript (which would panic here), and the hooks render the state every render
//! starts from, in the browser too, so a hydrated page matches: nothing known yet, loading.
#![cfg(not(target_arch = "wasm32"))]

use wasm_push::window::{
    request_permission, AppServer, ForegroundMessages, PermissionWatch, Registration, UsePushOptions,
};
use wasm_push::{Error, Subscription, Support};

const KEY: &str = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";
const NO_BROWSER: Error = Error::Unsupported("browser");

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
}

#[test]
fn on_the_host_every_window_entry_point_answers_that_there_is_no_browser() {
    assert_eq!(Support::detect(), Support::default());
    assert_eq!(Support::detect().check(), Err(Error::InsecureContext));
    assert_eq!(wasm_push::window::permission(), Err(NO_BROWSER));
    assert_eq!(block_on(request_permission()), Err(NO_BROWSER));
    assert_eq!(block_on(PermissionWatch::new(|_| {})).err(), Some(NO_BROWSER));
    assert_eq!(ForegroundMessages::new(|_| {}).err(), Some(NO_BROWSER));
    assert_eq!(block_on(Registration::register("/sw.js", "/")).err(), Some(NO_BROWSER));
    assert_eq!(block_on(Registration::register_module("/sw.mjs", "/")).err(), Some(NO_BROWSER));
    assert_eq!(block_on(Registration::existing("/")).err(), Some(NO_BROWSER));
    let subscription: Subscription = serde_json::from_str(
        r#"{"endpoint":"https://push.example/x","keys":{"auth":"x7aPzMh8OBZ3WDnsHjbBQQ","p256dh":"BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"}}"#,
    )
    .unwrap();
    let server = AppServer::new("/api/push/subscription").csrf_token("token");
    assert_eq!(block_on(server.save(&subscription)), Err(NO_BROWSER));
    assert_eq!(block_on(server.remove(&subscription)), Err(NO_BROWSER));
    assert_eq!(block_on(server.replace(None, &subscription)), Err(NO_BROWSER));
}

#[test]
fn the_yew_hook_rendered_on_the_server_says_nothing_is_known_yet_as_the_browsers_first_render_does() {
    use yew::prelude::*;

    #[function_component]
    fn Toggle() -> Html {
        let push = wasm_push::window::use_push(
            UsePushOptions::new("/sw.js", "/").application_server_key(KEY).server_url("/api/push/subscription"),
        );
        let text = match (push.support, push.loading, &push.error, &push.subscription) {
            (support, true, None, None) if support == wasm_push::Support::default() => "checking for push",
            _ => "something else",
        };
        html! { <p>{ text }</p> }
    }

    let html = block_on(yew::ServerRenderer::<Toggle>::new().render());
    assert!(html.contains("<p>checking for push</p>"), "{html}");
}

#[test]
fn the_leptos_hook_on_the_server_says_nothing_is_known_yet_and_starts_nothing() {
    use leptos::prelude::*;

    let owner = Owner::new();
    let state = owner.with(|| {
        let push = wasm_push::window::leptos::use_push(
            UsePushOptions::new("/sw.js", "/").application_server_key(KEY).server_url("/api/push/subscription"),
        );
        push.state().get_untracked()
    });
    // Its effect, which detects and starts, never ran: effects run only in a browser.
    assert!(state.support == Support::default() && state.loading, "{state:?}");
    assert_eq!((state.subscription, state.error, state.scope), (None, None, None));
    drop(owner);
}

#[test]
fn the_dioxus_hook_rendered_on_the_server_says_nothing_is_known_yet_and_its_drop_runs_without_a_browser() {
    use dioxus_core::{Element, VNode, VirtualDom};
    use std::cell::RefCell;

    thread_local! {
        static RENDERED: RefCell<Vec<wasm_push::window::PushState>> = const { RefCell::new(Vec::new()) };
    }
    fn toggle() -> Element {
        let push = wasm_push::window::dioxus::use_push(
            UsePushOptions::new("/sw.js", "/").application_server_key(KEY).server_url("/api/push/subscription"),
        );
        RENDERED.with(|rendered| rendered.borrow_mut().push(push.state().cloned()));
        VNode::empty()
    }
    use dioxus_signals::ReadableExt;

    // What Dioxus' server-side rendering does: one render in place, the page written from it.
    let mut dom = VirtualDom::new(toggle);
    dom.rebuild_in_place();
    let rendered = RENDERED.with(|rendered| rendered.take());
    let [state] = rendered.as_slice() else { panic!("rendered {} times: {rendered:?}", rendered.len()) };
    assert!(state.support == Support::default() && state.loading, "{state:?}");
    assert_eq!((&state.subscription, &state.error, &state.scope), (&None, &None, &None));
    // use_drop runs on the server too: with no watch made, it has nothing to remove.
    drop(dom);
}

#[test]
fn a_worker_runtime_with_its_hooks_is_built_on_the_host_where_it_stays_inert() {
    // A worker crate beside an app server: `cargo test`, clippy and rust-analyzer compile it for
    // the host, and building its runtime calls into no JavaScript (which would panic here).
    use wasm_push::worker::{Runtime, WorkerConfig};
    let runtime = Runtime::from_location()
        .transform(|mut payload| {
            payload.title.insert_str(0, "Acme: ");
            payload
        })
        .on_click(|click| click.action.is_empty().then(|| "/inbox".to_owned()))
        .deadline(5_000);
    let _ = runtime;
    let _ = Runtime::new(WorkerConfig::from_query("title=Acme"));
}
