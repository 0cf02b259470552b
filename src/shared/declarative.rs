//! A payload as a Declarative Web Push message, for app servers: browsers that know the format
//! (Safari 18.4+) show it without running the worker; the others deliver it to the worker, which
//! reads it like any other payload (`decode.rs`).
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::error::Error;
use super::fields::{write_fields, JsonBuild};
use super::payload::NotificationPayload;
use super::url::same_origin_url;
use serde_json::{Map, Value};

/// The `web_push` member that marks a Declarative Web Push message (Push API spec).
pub(super) const DECLARATIVE_MAGIC: u64 = 8030;

impl NotificationPayload {
    /// This payload as a Declarative Web Push message, for the site at `site` (an absolute
    /// http(s) URL: the click URL, which the browser opens itself, is made absolute against it,
    /// and one off the site's origin becomes `site`).
    ///
    /// The notification's members take `NotificationOptions`' names (`requireInteraction`,
    /// `navigate`), as the spec's parser reads them. `mutable` (the worker may change what is
    /// shown) and `app_badge` are written both inside `notification`, where Safari and Firefox
    /// read them, and beside it, where the current spec puts them.
    ///
    /// A server that wants browsers with Declarative Web Push to show a push without running
    /// the worker sends this message (serde JSON) instead of the payload:
    ///
    /// | browser | what happens |
    /// | --- | --- |
    /// | Safari 18.4+, not `mutable` | the browser shows it and opens `navigate` itself; the worker does not run, so no hook, no receipt, no click routing |
    /// | Safari 18.4+, `mutable` | a `push` event with no data and the proposed notification: the worker reads it like a payload, the hooks may change it, and the worker shows it (no `navigate` handed to `showNotification`, so its own click routing and receipts run) |
    /// | Chromium, Firefox | an ordinary push whose data is the message: the worker reads it (either place for `mutable` and `app_badge`) and shows it, as with any payload |
    ///
    /// ```
    /// let payload = wasm_push::NotificationPayload { url: Some("/orders/42".into()),
    ///     app_badge: Some(3), ..wasm_push::NotificationPayload::new("Shipped") };
    /// let message = payload.to_declarative("https://shop.example/", true).unwrap();
    /// assert_eq!(message["web_push"], 8030);
    /// assert_eq!(message["notification"]["navigate"], "https://shop.example/orders/42");
    /// assert_eq!((message["mutable"].clone(), message["notification"]["mutable"].clone()), (true.into(), true.into()));
    /// ```
    pub fn to_declarative(&self, site: &str, mutable: bool) -> Result<Value, Error> {
        let absolute = |url: Option<&str>| match url {
            Some(url) => same_origin_url(site, url).unwrap_or_else(|| site.to_owned()),
            None => site.to_owned(),
        };
        same_origin_url(site, site).ok_or_else(|| Error::InvalidUrl(site.to_owned()))?;
        let mut notification = match write_fields(self, self.data.as_ref()) {
            Value::Object(notification) => notification,
            _ => Map::new(),
        };
        // serde's names to NotificationOptions' (only one differs); `url` to `navigate`, absolute.
        if let Some(value) = notification.remove("require_interaction") {
            notification.insert("requireInteraction".into(), value);
        }
        notification.remove("url");
        notification.insert("navigate".into(), absolute(self.url.as_deref()).into());
        if let Some(Value::Array(actions)) = notification.get_mut("actions") {
            for (button, action) in actions.iter_mut().zip(&self.actions) {
                if let Value::Object(button) = button {
                    button.remove("url");
                    if action.url.is_some() {
                        button.insert("navigate".into(), absolute(action.url.as_deref()).into());
                    }
                }
            }
        }
        notification.insert("mutable".into(), mutable.into());
        let mut message = Map::new();
        message.insert("web_push".into(), DECLARATIVE_MAGIC.into());
        if let Some(badge) = self.app_badge {
            message.insert("app_badge".into(), Value::count(badge));
        }
        message.insert("mutable".into(), mutable.into());
        message.insert("notification".into(), Value::Object(notification));
        Ok(Value::Object(message))
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_macros, clippy::disallowed_methods)] // tests are not shipped
mod tests {
    use crate::shared::payload::tests::full_payload;
    use crate::{decode_push, Fallback};

    #[test]
    fn the_declarative_form_is_read_back_by_the_worker_as_the_same_notification() {
        let payload = full_payload();
        let message = payload.to_declarative("https://app.example/", false).unwrap();
        let read = decode_push(Some(message.to_string().as_bytes()), &Fallback::default());
        let absolute = |path: &str| Some(format!("https://app.example{path}"));
        assert_eq!(read.url, absolute("/x"));
        assert_eq!(read.actions[0].url, absolute("/a"));
        assert_eq!(read.actions[1].url, None);
        let as_sent = crate::NotificationPayload { url: read.url.clone(), actions: read.actions.clone(), ..payload };
        assert_eq!(read, as_sent, "every other field survives the trip");
    }

    #[test]
    fn mutable_and_the_badge_go_in_both_places_and_navigate_is_absolute_and_same_origin() {
        let payload = crate::NotificationPayload {
            url: Some("https://evil.example/".into()),
            require_interaction: true,
            app_badge: Some(2),
            ..crate::NotificationPayload::new("T")
        };
        let message = payload.to_declarative("https://app.example/news/", true).unwrap();
        let notification = &message["notification"];
        assert_eq!(notification["navigate"], "https://app.example/news/", "off-site URLs open the site");
        assert_eq!((&message["mutable"], &notification["mutable"]), (&true.into(), &true.into()));
        assert_eq!((&message["app_badge"], &notification["app_badge"]), (&2.into(), &2.into()));
        assert_eq!(notification["requireInteraction"], true);
        assert!(notification.get("url").is_none() && notification.get("require_interaction").is_none());
        let without_url = crate::NotificationPayload::new("T").to_declarative("https://app.example/", false).unwrap();
        assert_eq!(without_url["notification"]["navigate"], "https://app.example/", "navigate is required");
    }

    #[test]
    fn a_site_that_is_not_an_absolute_url_is_refused() {
        let refused = crate::NotificationPayload::new("T").to_declarative("/relative", true);
        assert_eq!(refused, Err(crate::Error::InvalidUrl("/relative".into())));
    }
}
