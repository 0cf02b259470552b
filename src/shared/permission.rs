//! Notification permission as a value. Reading and asking for it is the window side's
//! (`window/permission.rs`).

/// The state of notification permission, as `Notification.permission` reports it.
///
/// ```
/// use wasm_push::Permission;
/// assert_eq!(Permission::from_str_lossy("granted"), Permission::Granted);
/// assert_eq!(Permission::from_str_lossy("prompt"), Permission::Default);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Not asked yet, or the prompt was dismissed (`"default"`, or `"prompt"` in the
    /// Permissions API): asking again may show the prompt.
    Default,
    /// Notifications may be shown and push subscribed.
    Granted,
    /// The user or the browser said no; only the user can undo it in the site settings.
    Denied,
}

impl Permission {
    /// Maps the browser's strings (`Notification.permission`, `PermissionStatus.state`,
    /// `PushManager.permissionState`); anything unknown reads as [`Permission::Default`].
    ///
    /// ```
    /// # use wasm_push::Permission;
    /// assert_eq!(Permission::from_str_lossy("denied"), Permission::Denied);
    /// assert_eq!(Permission::from_str_lossy("something new"), Permission::Default);
    /// ```
    pub fn from_str_lossy(state: &str) -> Self {
        match state {
            "granted" => Permission::Granted,
            "denied" => Permission::Denied,
            _ => Permission::Default,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_permission_strings_map_to_the_enum() {
        for (text, expected) in [
            ("granted", Permission::Granted),
            ("denied", Permission::Denied),
            ("default", Permission::Default),
            ("prompt", Permission::Default),
            ("", Permission::Default),
        ] {
            assert_eq!(Permission::from_str_lossy(text), expected, "{text:?}");
        }
    }
}
