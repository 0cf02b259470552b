//! The ServiceWorker Cookbook's push recipes that a setting of the ready-made worker cannot do,
//! as one worker crate: the ready-made worker's behaviour plus an async transform that does what
//! `push-clients` and `push-quota` do, picked by the push's `data.recipe`. The other recipes
//! need no code (README.md has the table).
//!
//! Build its worker folder with `cargo wasm-push build --worker cookbook-worker --out dist`.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_push::worker::Runtime;
use wasm_push::NotificationPayload;
use web_sys::{Cache, ClientQueryOptions, ClientType, ServiceWorkerGlobalScope, WindowClient};

/// The worker's runtime: the settings in its script URL (or `self.wasmPush.query`), and the
/// async transform. A push whose `data.recipe` is neither recipe's shows as the ready-made
/// worker would show it.
pub fn runtime() -> Runtime {
    Runtime::from_location().transform_async(|payload| async move {
        match payload.data.as_ref().and_then(|data| data["recipe"].as_str()) {
            Some("clients") => say_where_the_reader_is(payload).await,
            Some("quota") => count_what_was_shown(payload).await,
            _ => Ok(payload),
        }
    })
}

fn scope() -> ServiceWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// `push-clients`: the text says whether a window of the site is focused, open, or closed. The
/// click needs no code: wasm-push focuses the window already on the notification's URL, else
/// sends an open one there, else opens one.
pub async fn say_where_the_reader_is(mut payload: NotificationPayload) -> Result<NotificationPayload, JsValue> {
    let options = ClientQueryOptions::new();
    options.set_type(ClientType::Window);
    options.set_include_uncontrolled(true);
    let windows = JsFuture::from(scope().clients().match_all_with_options(&options)).await?;
    let windows: Vec<WindowClient> = js_sys::Array::from(&windows).iter().map(JsCast::unchecked_into).collect();
    let body = match (windows.iter().any(WindowClient::focused), windows.len()) {
        (true, _) => "You're still here, thanks!",
        (false, 0) => "You have closed the page, click here to re-open it!",
        (false, _) => "You haven't closed the page, click here to focus it!",
    };
    payload.body = Some(body.to_owned());
    Ok(payload)
}

/// `push-quota`: a count of the pushes shown, kept in Cache Storage, so it survives the worker
/// being stopped between pushes. (The recipe also shows what an invisible push costs; with
/// wasm-push every push shows a notification, so none does.)
pub async fn count_what_was_shown(mut payload: NotificationPayload) -> Result<NotificationPayload, JsValue> {
    let cache: Cache = JsFuture::from(scope().caches()?.open("notifications")).await?.unchecked_into();
    let kept = JsFuture::from(cache.match_with_str("visible")).await?;
    let before = match kept.dyn_into::<web_sys::Response>() {
        Ok(kept) => JsFuture::from(kept.text()?).await?.as_string().and_then(|n| n.parse().ok()).unwrap_or(0),
        Err(_) => 0u64,
    };
    let count = before + 1;
    let stored = web_sys::Response::new_with_opt_str(Some(&count.to_string()))?;
    JsFuture::from(cache.put_with_str("visible", &stored)).await?;
    payload.body = Some(format!("Received {count} visible notifications"));
    Ok(payload)
}

#[cfg(target_arch = "wasm32")]
wasm_push::export_worker!(runtime());
