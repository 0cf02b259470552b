//! Reading, asking for and watching notification permission.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::js::get;
use crate::{Error, Permission};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

/// Reads `Notification.permission` now.
///
/// ```no_run
/// if wasm_push::window::permission()? == wasm_push::Permission::Granted {
///     // subscribe straight away
/// }
/// # Ok::<(), wasm_push::Error>(())
/// ```
pub fn permission() -> Result<Permission, Error> {
    crate::js::browser()?;
    let notification = get(&js_sys::global(), "Notification");
    if notification.is_undefined() {
        return Err(Error::Unsupported("Notification"));
    }
    Ok(match web_sys::Notification::permission() {
        web_sys::NotificationPermission::Granted => Permission::Granted,
        web_sys::NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Default,
    })
}

/// Asks for notification permission. Call it from a user gesture (a click): browsers ignore
/// or penalise prompts on page load.
///
/// Works where `Notification.requestPermission()` returns a promise and where it only takes
/// a callback (Safari before 15). A dismissed prompt is `Ok(Permission::Default)`, not an
/// error; a denial is [`Error::PermissionDenied`](Error::PermissionDenied).
///
/// ```no_run
/// # async fn on_click() -> Result<(), wasm_push::Error> {
/// match wasm_push::window::request_permission().await? {
///     wasm_push::Permission::Granted => { /* subscribe */ }
///     _ => { /* dismissed: offer the button again later */ }
/// }
/// # Ok(()) }
/// ```
pub async fn request_permission() -> Result<Permission, Error> {
    crate::js::browser()?;
    let notification = get(&js_sys::global(), "Notification");
    let request = get(&notification, "requestPermission");
    let Some(request) = request.dyn_ref::<js_sys::Function>() else {
        return Err(Error::Unsupported("Notification.requestPermission"));
    };
    let (sender, answered) = futures_channel::oneshot::channel::<JsValue>();
    let mut sender = Some(sender);
    // Owned here and dropped when this function returns: nothing leaks.
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |state: JsValue| {
        if let Some(sender) = sender.take() {
            let _ = sender.send(state);
        }
    });
    let returned = request.call1(&notification, callback.as_ref().unchecked_ref()).map_err(Error::from)?;
    let state = match returned.dyn_into::<js_sys::Promise>() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await?,
        // Callback-only browsers return undefined and answer through the callback.
        Err(_) => answered.await.unwrap_or(JsValue::UNDEFINED),
    };
    drop(callback);
    match Permission::from_str_lossy(&state.as_string().unwrap_or_default()) {
        Permission::Denied => Err(Error::PermissionDenied),
        other => Ok(other),
    }
}

/// Calls a function whenever notification permission changes, through the Permissions API,
/// until the returned guard is dropped.
///
/// ```no_run
/// # async fn run() -> Result<(), wasm_push::Error> {
/// let watch = wasm_push::window::PermissionWatch::new(|permission| {
///     web_sys::console::log_1(&format!("now {permission:?}").into());
/// }).await?;
/// // … keep `watch` as long as the page cares; dropping it removes the listener.
/// # Ok(()) }
/// ```
#[must_use = "the watch stops when dropped"]
#[derive(Debug)]
pub struct PermissionWatch {
    status: web_sys::PermissionStatus,
    _listener: gloo_events::EventListener,
}

impl PermissionWatch {
    /// Starts watching; fails with [`Error::Unsupported`](Error::Unsupported) where
    /// the Permissions API is missing.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), wasm_push::Error> {
    /// let _watch = wasm_push::window::PermissionWatch::new(|_| {}).await?;
    /// # Ok(()) }
    /// ```
    pub async fn new(mut on_change: impl FnMut(Permission) + 'static) -> Result<Self, Error> {
        crate::js::browser()?;
        let navigator = get(&js_sys::global(), "navigator");
        let permissions = get(&navigator, "permissions");
        if permissions.is_undefined() {
            return Err(Error::Unsupported("navigator.permissions"));
        }
        let permissions: web_sys::Permissions = permissions.unchecked_into();
        let query = web_sys::PermissionDescriptor::new(web_sys::PermissionName::Notifications);
        let status = wasm_bindgen_futures::JsFuture::from(permissions.query(&query).map_err(Error::from)?).await?;
        let status: web_sys::PermissionStatus = status.dyn_into().map_err(Error::from)?;
        let target = status.clone();
        let listener = gloo_events::EventListener::new(&status, "change", move |_| {
            on_change(state_of(&target));
        });
        Ok(Self { status, _listener: listener })
    }

    /// The state now.
    ///
    /// ```no_run
    /// # fn run(watch: &wasm_push::window::PermissionWatch) {
    /// let now = watch.current();
    /// # }
    /// ```
    pub fn current(&self) -> Permission {
        state_of(&self.status)
    }
}

fn state_of(status: &web_sys::PermissionStatus) -> Permission {
    match status.state() {
        web_sys::PermissionState::Granted => Permission::Granted,
        web_sys::PermissionState::Denied => Permission::Denied,
        _ => Permission::Default,
    }
}
