//! Yew integration (feature `yew`): the whole subscribe flow as one hook.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::{self as hook, Change, PushState, UsePushOptions};
use crate::window::{PermissionWatch, Registration};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The reducer behind the hook; private, so its actions are too.
#[derive(PartialEq)]
struct Store(PushState);

impl Reducible for Store {
    type Action = Change;

    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        let mut next = self.0.clone();
        next.apply(change);
        Rc::new(Store(next))
    }
}

/// What [`use_push`] returns: the state (through `Deref`) and the two actions.
///
/// ```no_run
/// # use wasm_push::window::UsePushHandle;
/// # fn button(push: &UsePushHandle) {
/// if push.subscription.is_none() && !push.loading {
///     push.subscribe.emit(());
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct UsePushHandle {
    state: UseReducerHandle<Store>,
    /// Asks permission (call it from a click), subscribes, and sends the subscription to the
    /// server URL when one is set.
    pub subscribe: Callback<()>,
    /// Removes the subscription from the server and the browser.
    pub unsubscribe: Callback<()>,
}

impl std::fmt::Debug for UsePushHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("UsePushHandle").field(&self.state.0).finish()
    }
}

impl std::ops::Deref for UsePushHandle {
    type Target = PushState;

    fn deref(&self) -> &PushState {
        &self.state.0
    }
}

/// Push notifications for a Yew component: registers the worker, reads the subscription, brings
/// the app server in step with it ([`AppServer::sync`](crate::window::AppServer::sync), when a server
/// URL is set), keeps the permission current, and gives `subscribe` / `unsubscribe` callbacks.
/// The permission watch is dropped when the component unmounts; nothing leaks.
///
/// ```no_run
/// use yew::prelude::*;
/// use wasm_push::window::{use_push, UsePushOptions};
///
/// #[function_component]
/// fn NotificationsToggle() -> Html {
///     let push = use_push(UsePushOptions::new("/sw.js", "/")
///         .application_server_key("BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U")
///         .server_url("/api/push/subscription"));
///     let onclick = {
///         let push = push.clone();
///         Callback::from(move |_| if push.subscription.is_some() { push.unsubscribe.emit(()) } else { push.subscribe.emit(()) })
///     };
///     html! {
///         <button {onclick} disabled={push.loading || !push.support.can_push()}>
///             { if push.subscription.is_some() { "Turn off notifications" } else { "Turn on notifications" } }
///         </button>
///     }
/// }
/// ```
#[hook]
pub fn use_push(options: UsePushOptions) -> UsePushHandle {
    let state = use_reducer(|| Store(PushState::unknown()));
    let registration: Rc<RefCell<Option<Registration>>> = use_mut_ref(|| None);

    {
        let dispatcher = state.dispatcher();
        let registration = registration.clone();
        // Effects run only once mounted in a browser, never in server-side rendering.
        use_effect_with(options.clone(), move |options| {
            // Dropping the watch removes its listener; `alive` stops a late one from being kept.
            let watch: Rc<RefCell<Option<PermissionWatch>>> = Rc::default();
            let alive = Rc::new(std::cell::Cell::new(true));
            let (detected, can_push) = PushState::detect();
            dispatcher.dispatch(detected);
            if can_push {
                let (options, watch, alive) = (options.clone(), watch.clone(), alive.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let keep = move |registered| *registration.borrow_mut() = Some(registered);
                    let started = hook::start(&options, keep, move |change| dispatcher.dispatch(change)).await;
                    if alive.get() {
                        *watch.borrow_mut() = started;
                    }
                });
            }
            move || {
                alive.set(false);
                watch.borrow_mut().take();
            }
        });
    }

    let action = |subscribing: bool| {
        let (dispatcher, registration, options) = (state.dispatcher(), registration.clone(), options.clone());
        Callback::from(move |()| {
            let dispatcher = dispatcher.clone();
            let emit = move |change| dispatcher.dispatch(change);
            let options = options.clone();
            let on_permission = emit.clone();
            hook::act(registration.borrow().clone(), emit, move |registered| async move {
                if subscribing {
                    hook::subscribe(registered, options, on_permission).await
                } else {
                    hook::unsubscribe(registered, options).await
                }
            });
        })
    };
    UsePushHandle { subscribe: action(true), unsubscribe: action(false), state }
}
