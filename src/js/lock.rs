//! The one lock of the window side (the Web Locks API, shared by the origin's pages): each
//! step that changes the browser's subscription or what the app server was told holds it, so
//! a page load finishing an opt-out and a click that subscribes never interleave.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::get;
use super::promise::{once, sleep};
use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The lock's name among the origin's Web Locks.
const NAME: &str = "wasm-push";
/// How long a step waits for the lock (another tab's step may wait on an app server that does
/// not answer) before it runs unguarded.
const PATIENCE_MS: u32 = 30_000;

/// The lock, held until dropped; dropped before it was granted, it is let go the moment it is.
pub(crate) struct Held {
    release: Function,
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}

/// Waits for the lock. `None` where the browser has no Web Locks (every browser with push has
/// them), refuses the request, or has not granted it within [`PATIENCE_MS`]: the step then
/// runs unguarded, as it would have without it.
pub(crate) async fn hold() -> Option<Held> {
    let locks = get(&get(&js_sys::global(), "navigator"), "locks");
    let request: Function = get(&locks, "request").dyn_into().ok()?;
    let (mut release, mut granted) = (None, None);
    // Pending until `release` settles it: the lock is held that long.
    let held = Promise::new(&mut |resolve, _| release = Some(resolve));
    let acquired = Promise::new(&mut |resolve, _| granted = Some(resolve));
    let (held_until, granted) = (Held { release: release? }, granted?);
    // Called once, when the lock is granted: says so, and holds the lock until `held` settles.
    let callback = once(Box::new(move |_| {
        let _ = granted.call1(&JsValue::UNDEFINED, &JsValue::TRUE);
        Ok(held.into())
    }));
    let requested = request.call2(&locks, &NAME.into(), &callback).ok()?;
    // The request's own promise settles only after the release, or rejects when refused; the
    // sleep fulfils with `undefined`, the grant with `true`.
    let waiting = Promise::race(&Array::of3(&acquired, &requested, &sleep(PATIENCE_MS)));
    let granted_in_time = JsFuture::from(waiting).await.ok()? == JsValue::TRUE;
    granted_in_time.then_some(held_until)
}
