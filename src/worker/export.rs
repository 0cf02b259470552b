//! The entry points a worker crate exports for the shim (`sw/listeners.js`), and recovery from a
//! panic in a hook.

/// Makes a panic anywhere in the worker's wasm (a user's hook, say) cost only the push it
/// happened in: the panic hook asks wasm-bindgen for a fresh instance of the module before the
/// next event, since a trapped instance may hold broken state (a borrowed `RefCell`, a half-done
/// allocation). The shim shows the fallback for the push that trapped. Any hook set before is
/// still called. [`export_worker!`](crate::export_worker) calls this once.
///
/// ```no_run
/// wasm_push::worker::recover_after_panics();
/// ```
pub fn recover_after_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        wasm_bindgen::handler::schedule_reinit();
        previous(info);
    }));
}

/// Exports the four entry points the shim (`sw/listeners.js`) calls: `on_push`,
/// `on_notification_click`, `on_notification_close` and `on_push_subscription_change`, each
/// handing its event to the [`Runtime`] the expression builds (once, on first use). The crate
/// that calls it must depend on `wasm-bindgen`.
///
/// ```no_run
/// wasm_push::export_worker!(wasm_push::worker::Runtime::from_location());
/// ```
#[macro_export]
macro_rules! export_worker {
    ($runtime:expr) => {
        ::std::thread_local! {
            static WASM_PUSH_RUNTIME: $crate::worker::Runtime = {
                $crate::worker::recover_after_panics();
                $runtime
            };
        }

        /// `push`: shows the notification (the fallback for anything unreadable).
        #[::wasm_bindgen::prelude::wasm_bindgen]
        pub fn on_push(event: $crate::__private::web_sys::PushEvent) -> $crate::__private::js_sys::Promise {
            WASM_PUSH_RUNTIME.with(|runtime| runtime.push(&event))
        }

        /// `notificationclick`: focuses or opens the notification's same-origin URL.
        #[::wasm_bindgen::prelude::wasm_bindgen]
        pub fn on_notification_click(
            event: $crate::__private::web_sys::NotificationEvent,
        ) -> $crate::__private::js_sys::Promise {
            WASM_PUSH_RUNTIME.with(|runtime| runtime.notification_click(&event))
        }

        /// `notificationclose`: the "closed" receipt, when receipts are on.
        #[::wasm_bindgen::prelude::wasm_bindgen]
        pub fn on_notification_close(
            event: $crate::__private::web_sys::NotificationEvent,
        ) -> $crate::__private::js_sys::Promise {
            WASM_PUSH_RUNTIME.with(|runtime| runtime.notification_close(&event))
        }

        /// `pushsubscriptionchange`: subscribes again if needed and tells the app server.
        #[::wasm_bindgen::prelude::wasm_bindgen]
        pub fn on_push_subscription_change(
            event: $crate::__private::web_sys::ExtendableEvent,
        ) -> $crate::__private::js_sys::Promise {
            WASM_PUSH_RUNTIME.with(|runtime| runtime.subscription_change(&event))
        }
    };
}
