//! Dioxus integration (feature `dioxus`, Dioxus 0.7): the whole subscribe flow as one hook, the
//! same shape as the Yew and Leptos ones, on Dioxus' signals.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::{self as hook, Change, PushState, UsePushOptions};
use crate::window::{PermissionWatch, Registration};
use dioxus_core::{spawn, use_drop, use_hook};
use dioxus_hooks::{use_effect, use_signal};
use dioxus_signals::{CopyValue, ReadSignal, ReadableExt, Signal, WritableExt};

/// What [`use_push`] returns: the state as a signal, and the two actions. It is `Copy`, so event
/// handlers take it as it is.
///
/// ```no_run
/// # fn button(push: wasm_push::window::dioxus::UsePush) {
/// use dioxus::prelude::*;
/// if push.state().read().subscription.is_none() {
///     push.subscribe();
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsePush {
    state: Signal<PushState>,
    registration: CopyValue<Option<Registration>>,
    options: CopyValue<UsePushOptions>,
}

impl UsePush {
    /// The state: support, permission, subscription, scope, loading, the last error.
    ///
    /// ```no_run
    /// # fn label(push: wasm_push::window::dioxus::UsePush) -> bool {
    /// use dioxus::prelude::*;
    /// push.state().read().loading
    /// # }
    /// ```
    pub fn state(&self) -> ReadSignal<PushState> {
        ReadSignal::new(self.state)
    }

    /// Asks permission (call it from a click), subscribes, and sends the subscription to the
    /// server URL when one is set.
    ///
    /// ```no_run
    /// # fn on_click(push: wasm_push::window::dioxus::UsePush) {
    /// push.subscribe();
    /// # }
    /// ```
    pub fn subscribe(&self) {
        let (emit, options) = (self.emit(), self.options.cloned());
        hook::act(self.registered(), emit, move |registered| hook::subscribe(registered, options, emit));
    }

    /// Removes the subscription from the server and the browser.
    ///
    /// ```no_run
    /// # fn on_click(push: wasm_push::window::dioxus::UsePush) {
    /// push.unsubscribe();
    /// # }
    /// ```
    pub fn unsubscribe(&self) {
        let options = self.options.cloned();
        hook::act(self.registered(), self.emit(), move |registered| hook::unsubscribe(registered, options));
    }

    fn registered(&self) -> Option<Registration> {
        self.registration.try_read().ok().and_then(|registration| registration.clone())
    }

    /// Applies a change, unless the component is gone.
    fn emit(&self) -> impl Fn(Change) + Copy + 'static {
        let state = self.state;
        move |change| {
            // A copy of the handle to write through; the signal is the same.
            let mut state = state;
            if let Ok(mut state) = state.try_write() {
                state.apply(change);
            };
        }
    }
}

/// Push notifications for a Dioxus component: registers the worker, reads the subscription,
/// brings the app server in step with it ([`AppServer::sync`](crate::window::AppServer::sync), when a
/// server URL is set), keeps the permission current, and gives `subscribe` / `unsubscribe`.
/// The permission watch is dropped when the component is; nothing leaks. Rendered on a server
/// (Dioxus fullstack), the state stays as every first render has it: nothing known yet, loading.
/// The options are read on the first render, as Dioxus hooks take their initial values.
///
/// ```no_run
/// use dioxus::prelude::*;
/// use wasm_push::window::{dioxus::use_push, UsePushOptions};
///
/// #[component]
/// fn NotificationsToggle() -> Element {
///     let push = use_push(UsePushOptions::new("/sw.js", "/")
///         .application_server_key("BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U")
///         .server_url("/api/push/subscription"));
///     let state = push.state();
///     let subscribed = state.read().subscription.is_some();
///     rsx! {
///         button {
///             disabled: state.read().loading || !state.read().support.can_push(),
///             onclick: move |_| if subscribed { push.unsubscribe() } else { push.subscribe() },
///             if subscribed { "Turn off notifications" } else { "Turn on notifications" }
///         }
///     }
/// }
/// ```
pub fn use_push(options: UsePushOptions) -> UsePush {
    let state = use_signal(PushState::unknown);
    let push = use_hook(|| UsePush { state, registration: CopyValue::new(None), options: CopyValue::new(options) });
    // Dropping the watch removes its listener. use_drop runs on the server too, where the watch
    // was never made: taking an empty one does nothing.
    let mut watch = use_hook(|| CopyValue::new(None::<PermissionWatch>));
    use_drop(move || drop(watch.try_write().ok().and_then(|mut watch| watch.take())));
    // Effects run only once mounted in a browser (after hydration), never on the server. This
    // one reads no signal, so it runs once.
    use_effect(move || {
        let (detected, can_push) = PushState::detect();
        let emit = push.emit();
        emit(detected);
        if can_push {
            // A task of this component: dropped with it, so a late start keeps nothing.
            spawn(async move {
                let options = push.options.cloned();
                let mut registration = push.registration;
                let keep = move |registered| drop(registration.try_write().map(|mut kept| *kept = Some(registered)));
                let started = hook::start(&options, keep, emit).await;
                if let Ok(mut kept) = watch.try_write() {
                    *kept = started;
                }
            });
        }
    });
    push
}
