//! The push subscription as the app server sees it: `PushSubscription.toJSON()`. Reading it
//! off the browser's `PushSubscription` is in `js/subscription.rs`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A push subscription, shaped exactly like the browser's `PushSubscription.toJSON()`.
///
/// Serialises to `{"endpoint": …, "expirationTime": …, "keys": {"p256dh": …, "auth": …}}`,
/// which the `web-push` crate, node `web-push` and `pywebpush` all accept as they are.
///
/// The endpoint is a capability URL (whoever knows it can push to the user) and the keys
/// decrypt the user's messages, so [`Debug`](fmt::Debug) and [`Display`](fmt::Display)
/// redact all three.
///
/// ```
/// use wasm_push::Subscription;
/// let json = r#"{"endpoint":"https://push.example/abc","expirationTime":null,
///                "keys":{"p256dh":"BPk","auth":"c2VjcmV0"}}"#;
/// let sub: Subscription = serde_json::from_str(json).unwrap();
/// assert_eq!(sub.endpoint, "https://push.example/abc");
/// assert!(!format!("{sub:?}").contains("abc"));
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// The push service URL the app server POSTs messages to.
    pub endpoint: String,
    /// When the push service will expire the subscription, in milliseconds since the epoch.
    /// `None` (JSON `null`) when it does not expire, as in every current browser.
    #[serde(default)]
    pub expiration_time: Option<f64>,
    /// The keys the app server encrypts messages with (RFC 8291).
    pub keys: SubscriptionKeys,
}

/// The encryption keys of a [`Subscription`], base64url as the browser gives them.
///
/// ```
/// use wasm_push::SubscriptionKeys;
/// let keys = SubscriptionKeys { p256dh: "BPk".into(), auth: "c2VjcmV0".into() };
/// assert_eq!(format!("{keys:?}"), "SubscriptionKeys { p256dh: <redacted>, auth: <redacted> }");
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionKeys {
    /// The user agent's P-256 public key, base64url without padding.
    pub p256dh: String,
    /// The 16-byte authentication secret, base64url without padding.
    pub auth: String,
}

impl Subscription {
    /// The origin of the push service behind the endpoint (`scheme://host[:port]`), which is
    /// safe to log and is the `aud` of a VAPID token.
    ///
    /// ```
    /// # use wasm_push::{Subscription, SubscriptionKeys};
    /// let sub = Subscription {
    ///     endpoint: "https://fcm.googleapis.com/fcm/send/secret".into(),
    ///     expiration_time: None,
    ///     keys: SubscriptionKeys { p256dh: "BPk".into(), auth: "c2VjcmV0".into() },
    /// };
    /// assert_eq!(sub.push_service_origin(), "https://fcm.googleapis.com");
    /// ```
    pub fn push_service_origin(&self) -> &str {
        let after_scheme = self.endpoint.find("://").map_or(0, |i| i + 3);
        let end = self.endpoint[after_scheme..].find('/').map_or(self.endpoint.len(), |i| after_scheme + i);
        &self.endpoint[..end]
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("endpoint", &Redacted(self.push_service_origin()))
            .field("expiration_time", &self.expiration_time)
            .field("keys", &self.keys)
            .finish()
    }
}

impl fmt::Display for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "push subscription at {}/<redacted>", self.push_service_origin())
    }
}

impl fmt::Debug for SubscriptionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubscriptionKeys { p256dh: <redacted>, auth: <redacted> }")
    }
}

/// Shows the push service's origin and hides the capability part of the endpoint.
struct Redacted<'a>(&'a str);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}/<redacted>\"", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BROWSER_JSON: &str = r#"{"endpoint":"http://127.0.0.1:9/push/0c9f","expirationTime":null,"keys":{"auth":"x7aPzMh8OBZ3WDnsHjbBQQ","p256dh":"BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"}}"#;

    #[test]
    fn json_from_the_browser_round_trips_unchanged() {
        let sub: Subscription = serde_json::from_str(BROWSER_JSON).unwrap();
        let back: serde_json::Value = serde_json::to_value(&sub).unwrap();
        let original: serde_json::Value = serde_json::from_str(BROWSER_JSON).unwrap();
        assert_eq!(back, original);
    }

    #[test]
    fn missing_expiration_time_reads_as_none_and_writes_as_null() {
        let sub: Subscription =
            serde_json::from_str(r#"{"endpoint":"https://a.example/x","keys":{"p256dh":"B","auth":"A"}}"#).unwrap();
        assert_eq!(sub.expiration_time, None);
        assert!(serde_json::to_string(&sub).unwrap().contains(r#""expirationTime":null"#));
    }

    #[test]
    fn debug_and_display_never_show_endpoint_path_or_keys() {
        let sub: Subscription = serde_json::from_str(BROWSER_JSON).unwrap();
        for text in [format!("{sub:?}"), format!("{sub:#?}"), sub.to_string()] {
            assert!(!text.contains("0c9f"), "{text}");
            assert!(!text.contains("x7aPzMh8"), "{text}");
            assert!(!text.contains(&sub.keys.p256dh[..12]), "{text}");
            assert!(text.contains("http://127.0.0.1:9"), "{text}");
        }
    }

    #[test]
    fn push_service_origin_of_an_endpoint_without_path_is_the_endpoint() {
        let mut sub: Subscription = serde_json::from_str(BROWSER_JSON).unwrap();
        sub.endpoint = "https://push.example".into();
        assert_eq!(sub.push_service_origin(), "https://push.example");
    }
}
