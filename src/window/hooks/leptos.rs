//! Leptos integration (feature `leptos`): the whole subscribe flow as one hook, the same shape as
//! the Yew one ([`use_push`](crate::window::use_push) with feature `yew`), on Leptos' signals.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::{self as hook, Change, PushState, UsePushOptions};
use crate::window::{PermissionWatch, Registration};
use ::leptos::prelude::*;

/// What [`use_push`] returns: the state as a signal, and the two actions. It is `Copy`, so
/// closures in a view take it as it is.
///
/// ```no_run
/// # use leptos::prelude::*;
/// # fn button(push: wasm_push::window::leptos::UsePush) {
/// if push.state().get().subscription.is_none() {
///     push.subscribe();
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct UsePush {
    state: RwSignal<PushState>,
    registration: StoredValue<Option<Registration>, LocalStorage>,
    options: StoredValue<UsePushOptions>,
}

impl UsePush {
    /// The state: support, permission, subscription, scope, loading, the last error.
    ///
    /// ```no_run
    /// # use leptos::prelude::*;
    /// # fn label(push: wasm_push::window::leptos::UsePush) -> bool {
    /// push.state().with(|state| state.loading)
    /// # }
    /// ```
    pub fn state(&self) -> ReadSignal<PushState> {
        self.state.read_only()
    }

    /// Asks permission (call it from a click), subscribes, and sends the subscription to the
    /// server URL when one is set.
    ///
    /// ```no_run
    /// # fn on_click(push: wasm_push::window::leptos::UsePush) {
    /// push.subscribe();
    /// # }
    /// ```
    pub fn subscribe(&self) {
        let (emit, options) = (self.emit(), self.options.get_value());
        hook::act(self.registered(), emit, move |registered| hook::subscribe(registered, options, emit));
    }

    /// Removes the subscription from the server and the browser.
    ///
    /// ```no_run
    /// # fn on_click(push: wasm_push::window::leptos::UsePush) {
    /// push.unsubscribe();
    /// # }
    /// ```
    pub fn unsubscribe(&self) {
        let options = self.options.get_value();
        hook::act(self.registered(), self.emit(), move |registered| hook::unsubscribe(registered, options));
    }

    fn registered(&self) -> Option<Registration> {
        self.registration.try_get_value().flatten()
    }

    /// Applies a change, unless the component is gone.
    fn emit(&self) -> impl Fn(Change) + Copy + 'static {
        let state = self.state;
        move |change| {
            state.try_update(|state| state.apply(change));
        }
    }
}

/// Push notifications for a Leptos component: registers the worker, reads the subscription,
/// brings the app server in step with it ([`AppServer::sync`](crate::window::AppServer::sync), when a
/// server URL is set), keeps the permission current, and gives `subscribe` / `unsubscribe`.
/// The permission watch is dropped when the component is cleaned up; nothing leaks.
///
/// ```no_run
/// use leptos::prelude::*;
/// use wasm_push::window::{leptos::use_push, UsePushOptions};
///
/// #[component]
/// fn NotificationsToggle() -> impl IntoView {
///     let push = use_push(UsePushOptions::new("/sw.js", "/")
///         .application_server_key("BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U")
///         .server_url("/api/push/subscription"));
///     let subscribed = move || push.state().with(|state| state.subscription.is_some());
///     view! {
///         <button
///             on:click=move |_| if subscribed() { push.unsubscribe() } else { push.subscribe() }
///             disabled=move || push.state().with(|state| state.loading || !state.support.can_push())
///         >
///             {move || if subscribed() { "Turn off notifications" } else { "Turn on notifications" }}
///         </button>
///     }
/// }
/// ```
pub fn use_push(options: UsePushOptions) -> UsePush {
    let push = UsePush {
        state: RwSignal::new(PushState::unknown()),
        registration: StoredValue::new_local(None),
        options: StoredValue::new(options.clone()),
    };
    // Dropped with the component's owner, which removes the watch's listener; one that starts
    // after that is dropped at once.
    let watch: StoredValue<Option<PermissionWatch>, LocalStorage> = StoredValue::new_local(None);
    on_cleanup(move || drop(watch.try_update_value(Option::take)));
    // Effects run only once mounted in a browser (after hydration), never on the server. This
    // one reads nothing reactive, so it runs once.
    Effect::new(move |_| {
        let (detected, can_push) = PushState::detect();
        let emit = push.emit();
        emit(detected);
        if can_push {
            let options = options.clone();
            ::leptos::task::spawn_local(async move {
                let keep = move |registered| drop(push.registration.try_set_value(Some(registered)));
                watch.try_set_value(hook::start(&options, keep, emit).await);
            });
        }
    });
    push
}
