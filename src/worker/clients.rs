//! The site's windows, as the worker sees them: the one the user is looking at, and focusing or
//! opening one for a click.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::js::message;
use crate::js::promise::{quietly, resolved, sleep, then};
use crate::js::worker_scope;
use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::WindowClient;

/// The promise of the origin's windows (an array), controlled by this worker or not.
pub(super) fn windows() -> Promise {
    let query = web_sys::ClientQueryOptions::new();
    query.set_type(web_sys::ClientType::Window);
    query.set_include_uncontrolled(true);
    worker_scope().clients().match_all_with_options(&query)
}

/// The windows in what [`windows`] fulfilled with (none in anything but an array).
fn found(windows: &JsValue) -> impl Iterator<Item = WindowClient> + '_ {
    windows.dyn_ref::<Array>().into_iter().flat_map(Array::iter).filter_map(|client| client.dyn_into().ok())
}

/// Of what [`windows`] fulfilled with, a window the user is looking at: focused and visible.
pub(super) fn focused_window(windows: &JsValue) -> Option<WindowClient> {
    found(windows).find(|window| window.focused() && window.visibility_state() == web_sys::VisibilityState::Visible)
}

/// How long the worker waits for a page to answer that it took a push (`foreground=page`).
const PAGE_DEADLINE_MS: u32 = 1_000;

/// Posts `message` to `window` with a port for the reply, and answers the promise of whether
/// the page said it took the push (`true`) within [`PAGE_DEADLINE_MS`]; `false` when it did not
/// answer in time, or the message could not be posted. The page's listener is
/// `window/foreground.rs`'s.
pub(super) fn hand_over(window: &WindowClient, message: &JsValue) -> Promise {
    let Ok(channel) = web_sys::MessageChannel::new() else { return resolved(false) };
    let reply_port = channel.port1();
    // The promise's own `resolve` is the port's handler: no closure to keep.
    let replied = Promise::new(&mut |resolve, _| reply_port.set_onmessage(Some(&resolve)));
    if window.post_message_with_transfer(message, &Array::of1(&channel.port2())).is_err() {
        return resolved(false);
    }
    let answered = Promise::race(&Array::of2(&replied, &sleep(PAGE_DEADLINE_MS)));
    then(&answered, move |reply| {
        reply_port.close();
        Ok(message::is_taken(&reply.unwrap_or_default()).into())
    })
}

/// Focuses a window already on `target`, else navigates an open window of the origin there,
/// else opens a new one.
pub(super) fn open_or_focus(target: String) -> Promise {
    then(&windows(), move |windows| {
        let windows: Vec<WindowClient> = found(&windows?).collect();
        if let Some(window) = windows.iter().find(|window| window.url() == target) {
            return Ok(window.focus()?.into());
        }
        // navigate() rejects for a window this worker does not control: open one instead.
        let Some(navigating) = windows.first().and_then(|window| window.navigate(&target).ok()) else {
            return Ok(worker_scope().clients().open_window(&target).into());
        };
        Ok(then(&navigating, move |navigated| match navigated.map(JsCast::dyn_into::<WindowClient>) {
            // Focusing is a nicety once the window shows the target.
            Ok(Ok(window)) => Ok(window.focus().map_or(JsValue::UNDEFINED, |focusing| quietly(&focusing).into())),
            _ => Ok(worker_scope().clients().open_window(&target).into()),
        })
        .into())
    })
}
