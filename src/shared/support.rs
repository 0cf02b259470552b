//! What this browser can do, as one value a UI can branch on. Reading it off the browser is the
//! window side's (`window/support.rs`).

use super::error::Error;

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
}
