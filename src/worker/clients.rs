//! The site's windows, as the worker sees them: the one the user is looking at, and focusing or
//! opening one for a click.

use super::runtime::scope;
use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::WindowClient;

/// The origin's windows, controlled by this worker or not.
async fn windows() -> Result<Vec<WindowClient>, JsValue> {
    let query = web_sys::ClientQueryOptions::new();
    query.set_type(web_sys::ClientType::Window);
    query.set_include_uncontrolled(true);
    let found = JsFuture::from(scope().clients().match_all_with_options(&query)).await?;
    Ok(Array::from(&found).iter().filter_map(|client| client.dyn_into().ok()).collect())
}

/// A window of the site the user is looking at: focused and visible.
pub(super) async fn focused_window() -> Option<WindowClient> {
    windows()
        .await
        .ok()?
        .into_iter()
        .find(|window| window.focused() && window.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Focuses a window already on `target`, else navigates an open window of the origin there,
/// else opens a new one.
pub(super) async fn open_or_focus(target: &str) -> Result<(), JsValue> {
    let windows = windows().await?;
    if let Some(window) = windows.iter().find(|window| window.url() == target) {
        JsFuture::from(window.focus()?).await?;
        return Ok(());
    }
    if let Some(window) = windows.first() {
        // navigate() rejects for a window this worker does not control: open one instead.
        if let Ok(navigating) = window.navigate(target) {
            if let Ok(navigated) = JsFuture::from(navigating).await {
                if let Ok(navigated) = navigated.dyn_into::<WindowClient>() {
                    if let Ok(focusing) = navigated.focus() {
                        let _ = JsFuture::from(focusing).await;
                    }
                    return Ok(());
                }
            }
        }
    }
    JsFuture::from(scope().clients().open_window(target)).await.map(|_| ())
}
