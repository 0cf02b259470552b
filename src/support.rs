//! What this browser can do, as one value a UI can branch on.

use crate::Error;

/// The push-related features of the current browser. Reading it never throws.
///
/// ```
/// use wasm_push::Support;
/// let none = Support::default();
/// assert!(!none.can_push());
/// assert_eq!(none.check(), Err(wasm_push::Error::InsecureContext));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Support {
    /// HTTPS or localhost: everything below needs it.
    pub secure_context: bool,
    /// `navigator.serviceWorker`.
    pub service_worker: bool,
    /// `PushManager`.
    pub push_manager: bool,
    /// `Notification`.
    pub notification: bool,
    /// `ServiceWorkerRegistration.prototype.showNotification`.
    pub show_notification: bool,
    /// `navigator.permissions` (for watching permission changes).
    pub permissions_api: bool,
    /// `navigator.setAppBadge`.
    pub app_badge: bool,
}

impl Support {
    /// Whether subscribing and showing notifications can work at all.
    ///
    /// ```
    /// let all = wasm_push::Support { secure_context: true, service_worker: true, push_manager: true,
    ///     notification: true, show_notification: true, ..Default::default() };
    /// assert!(all.can_push());
    /// ```
    pub fn can_push(&self) -> bool {
        self.check().is_ok()
    }

    /// The first missing requirement as an error, or `Ok(())`.
    ///
    /// ```
    /// let no_push = wasm_push::Support { secure_context: true, service_worker: true,
    ///     notification: true, show_notification: true, ..Default::default() };
    /// assert_eq!(no_push.check(), Err(wasm_push::Error::Unsupported("PushManager")));
    /// ```
    pub fn check(&self) -> Result<(), Error> {
        let required = [
            (self.service_worker, "navigator.serviceWorker"),
            (self.push_manager, "PushManager"),
            (self.notification, "Notification"),
            (self.show_notification, "ServiceWorkerRegistration.showNotification"),
        ];
        if !self.secure_context {
            return Err(Error::InsecureContext);
        }
        match required.iter().find(|(present, _)| !present) {
            Some((_, name)) => Err(Error::Unsupported(name)),
            None => Ok(()),
        }
    }

    /// Reads the current browser's support (window or worker).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let support = wasm_push::Support::detect();
    /// if !support.can_push() {
    ///     // hide the "turn on notifications" button
    /// }
    /// # }
    /// ```
    #[cfg(target_arch = "wasm32")]
    pub fn detect() -> Self {
        use wasm_bindgen::JsValue;
        let global = js_sys::global();
        let get = |target: &JsValue, key: &str| {
            js_sys::Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
        };
        let has = |target: &JsValue, key: &str| {
            !target.is_undefined() && !target.is_null() && !get(target, key).is_undefined()
        };
        let navigator = get(&global, "navigator");
        let registration_prototype = get(&get(&global, "ServiceWorkerRegistration"), "prototype");
        Support {
            secure_context: get(&global, "isSecureContext").as_bool().unwrap_or(false),
            service_worker: has(&navigator, "serviceWorker"),
            push_manager: has(&global, "PushManager"),
            notification: has(&global, "Notification"),
            show_notification: has(&registration_prototype, "showNotification"),
            permissions_api: has(&navigator, "permissions"),
            app_badge: has(&navigator, "setAppBadge"),
        }
    }
}
