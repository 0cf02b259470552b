//! The entry points a worker crate exports for the shim (`listeners.js`, which `cargo wasm-push
//! build` puts around the glue), and recovery from a panic in a hook.

/// Makes a panic anywhere in the worker's wasm (a user's hook, say) cost only the push it
/// happened in, for a glue built without `__wbg_reset_state`: the panic hook asks wasm-bindgen
/// for a fresh instance of the module before the next event, since a trapped instance may hold
/// broken state (a borrowed `RefCell`, a half-done allocation). The shim shows the fallback for
/// the push that trapped, and starts the fresh instance itself when the glue can (as
/// `cargo wasm-push build` makes it), which is what recovers a wasm built with
/// `-Cpanic=immediate-abort`: that one runs no panic hook. Any hook set before is still called.
/// [`export_worker!`](crate::export_worker) calls this once.
///
/// ```no_run
/// wasm_push::worker::recover_after_panics();
/// ```
pub fn recover_after_panics() {
    // Built with -Cpanic=immediate-abort, a panic runs no hook, and taking the hook here would
    // keep std's default one (its formatting, the message printing) in the wasm for nothing.
    #[cfg(not(panic = "immediate-abort"))]
    {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            wasm_bindgen::handler::schedule_reinit();
            previous(info);
        }));
    }
}

/// Exports the entry points the shim (`listeners.js`) calls: `on_push`,
/// `on_notification_click`, `on_notification_close` and `on_push_subscription_change`, each
/// handing its event to the `Runtime` the expression builds (once, on first use). The crate
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
        $crate::export_worker!(@entry on_push, PushEvent, push,
            "`push`: shows the notification (the fallback for anything unreadable).");
        $crate::export_worker!(@entry on_notification_click, NotificationEvent, notification_click,
            "`notificationclick`: focuses or opens the notification's same-origin URL.");
        $crate::export_worker!(@entry on_notification_close, NotificationEvent, notification_close,
            "`notificationclose`: the \"closed\" receipt, when receipts are on.");
        $crate::export_worker!(@entry on_push_subscription_change, ExtendableEvent, subscription_change,
            "`pushsubscriptionchange`: subscribes again if needed and tells the app server.");
    };
    // One entry point: the event, handed to the runtime's method of the same concern.
    (@entry $name:ident, $event:ident, $method:ident, $doc:literal) => {
        #[doc = $doc]
        #[::wasm_bindgen::prelude::wasm_bindgen]
        pub fn $name(event: $crate::__private::web_sys::$event) -> $crate::__private::js_sys::Promise {
            WASM_PUSH_RUNTIME.with(|runtime| runtime.$method(&event))
        }
    };
}
