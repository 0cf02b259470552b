//! The guard that keeps a push to exactly one notification while a hook runs: a notification a
//! hook shows itself is dropped.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::js::worker_scope;
use js_sys::{Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

/// While any is alive, `registration.showNotification` answers a resolved promise and shows
/// nothing (an own property shadowing the prototype's method); once the last is dropped, the
/// method is back. Counted, since an async hook's guard outlives the pushes that come meanwhile.
pub(super) struct ShowGuard(());

/// The stand-in for `showNotification`: it shows nothing.
type StandIn = Closure<dyn Fn() -> Promise>;

thread_local! {
    /// The guards alive, and the stand-in they share while there are any.
    static STAND_IN: std::cell::RefCell<(u32, Option<StandIn>)> = const { std::cell::RefCell::new((0, None)) };
}

impl ShowGuard {
    pub(super) fn install() -> ShowGuard {
        STAND_IN.with_borrow_mut(|(alive, stand_in)| {
            if *alive == 0 {
                let nothing = StandIn::new(|| Promise::resolve(&JsValue::UNDEFINED));
                let _ = Reflect::set(&worker_scope().registration(), &"showNotification".into(), nothing.as_ref());
                *stand_in = Some(nothing);
            }
            *alive += 1;
        });
        ShowGuard(())
    }
}

impl Drop for ShowGuard {
    fn drop(&mut self) {
        STAND_IN.with_borrow_mut(|(alive, stand_in)| {
            // Saturating: a guard of an instance that trapped and was started afresh may be
            // dropped into a count that started again from zero.
            *alive = alive.saturating_sub(1);
            if *alive == 0 {
                let _ = Reflect::delete_property(&worker_scope().registration(), &"showNotification".into());
                *stand_in = None;
            }
        });
    }
}
