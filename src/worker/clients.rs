//! The site's windows, as the worker sees them: the one the user is looking at, and focusing or
//! opening one for a click.

use super::runtime::scope;
use crate::js::promise::{quietly, then};
use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::WindowClient;

/// The promise of the origin's windows (an array), controlled by this worker or not.
pub(super) fn windows() -> Promise {
    let query = web_sys::ClientQueryOptions::new();
    query.set_type(web_sys::ClientType::Window);
    query.set_include_uncontrolled(true);
    scope().clients().match_all_with_options(&query)
}

/// The windows in what [`windows`] fulfilled with (none in anything but an array).
fn found(windows: &JsValue) -> impl Iterator<Item = WindowClient> + '_ {
    windows.dyn_ref::<Array>().into_iter().flat_map(Array::iter).filter_map(|client| client.dyn_into().ok())
}

/// Of what [`windows`] fulfilled with, a window the user is looking at: focused and visible.
pub(super) fn focused_window(windows: &JsValue) -> Option<WindowClient> {
    found(windows).find(|window| window.focused() && window.visibility_state() == web_sys::VisibilityState::Visible)
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
            return Ok(scope().clients().open_window(&target).into());
        };
        Ok(then(&navigating, move |navigated| match navigated.map(JsCast::dyn_into::<WindowClient>) {
            // Focusing is a nicety once the window shows the target.
            Ok(Ok(window)) => Ok(window.focus().map_or(JsValue::UNDEFINED, |focusing| quietly(&focusing).into())),
            _ => Ok(scope().clients().open_window(&target).into()),
        })
        .into())
    })
}
