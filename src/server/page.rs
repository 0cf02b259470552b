//! What the page's `AppServer` sends an app server, as types: the bodies of its save and its
//! removal, and the header its CSRF token comes in.

use crate::{Subscription, SubscriptionKeys};
use serde::{Deserialize, Serialize};

/// The header `AppServer` sends its CSRF token in (from `<meta name="csrf-token">`, or
/// `AppServer::csrf_token`), on every save and removal; `AppServer::csrf_header` renames it.
///
/// ```
/// assert_eq!(wasm_push::server::CSRF_HEADER, "X-CSRF-Token");
/// ```
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The body of a save: `POST` with `Content-Type: application/json`, from the page's
/// `AppServer::save`, `AppServer::sync` and the worker's `pushsubscriptionchange`. It is the
/// subscription's `toJSON()`, with `oldEndpoint` when this browser's earlier subscription is
/// still held by the server and is to be dropped (the worker sends no CSRF token: knowing a
/// stored endpoint, a capability URL, is its proof, for what
/// [`takes_without_token`](SaveSubscription::takes_without_token) allows). Answer 2xx once stored; anything else (a
/// redirect too) is not taken, and is sent again on the next page load.
///
/// ```
/// let body = r#"{"endpoint":"https://push.example/new","expirationTime":null,
///   "keys":{"p256dh":"BPk","auth":"c2VjcmV0"},"oldEndpoint":"https://push.example/old"}"#;
/// let save: wasm_push::server::SaveSubscription = serde_json::from_str(body).unwrap();
/// assert_eq!(save.subscription.endpoint, "https://push.example/new");
/// assert_eq!(save.old_endpoint.as_deref(), Some("https://push.example/old"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveSubscription {
    /// The subscription, exactly as `PushSubscription.toJSON()` gave it.
    #[serde(flatten)]
    pub subscription: Subscription,
    /// The endpoint this one replaces, to delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_endpoint: Option<String>,
}

impl SaveSubscription {
    /// Whether this save may be taken without the page's CSRF token, given the keys stored
    /// for an endpoint (`None`: not stored): only as the worker's `pushsubscriptionchange`
    /// sends it, the subscription in place of a stored one (`oldEndpoint`, a capability URL,
    /// is the proof). A tokenless save never changes a stored row's keys, which would have its
    /// pushes encrypted to someone else's: not with the same endpoint as old and new, and not
    /// with a new endpoint stored already under other keys.
    ///
    /// ```
    /// # use wasm_push::server::SaveSubscription;
    /// let keys = wasm_push::SubscriptionKeys { p256dh: "BPk".into(), auth: "c2VjcmV0".into() };
    /// let stored = |endpoint: &str| (endpoint == "https://push.example/old").then(|| keys.clone());
    /// let save = |new: &str, old: &str| -> SaveSubscription { serde_json::from_str(&format!(
    ///     r#"{{"endpoint":"{new}","keys":{{"p256dh":"BPk","auth":"c2VjcmV0"}},"oldEndpoint":"{old}"}}"#,
    /// )).unwrap() };
    /// assert!(save("https://push.example/new", "https://push.example/old").takes_without_token(stored));
    /// assert!(!save("https://push.example/old", "https://push.example/old").takes_without_token(stored));
    /// assert!(!save("https://push.example/new", "https://push.example/unknown").takes_without_token(stored));
    /// ```
    pub fn takes_without_token(&self, stored: impl Fn(&str) -> Option<SubscriptionKeys>) -> bool {
        let new = &self.subscription;
        self.old_endpoint.as_deref().is_some_and(|old| {
            old.trim() != new.endpoint.trim()
                && stored(old).is_some()
                && stored(&new.endpoint).is_none_or(|keys| keys == new.keys)
        })
    }
}

/// The body of a removal: `DELETE` (or `AppServer::remove_with`'s method and URL) with the
/// subscription's `toJSON()`, from `AppServer::remove` and `AppServer::unsubscribe`, with the
/// CSRF header. Answer 2xx once removed; 404 and 410 count as removed too (the page then
/// forgets its opt-out); anything else is sent again on the next page load.
///
/// ```
/// let body = r#"{"endpoint":"https://push.example/1","expirationTime":null,"keys":{"p256dh":"BPk","auth":"c2VjcmV0"}}"#;
/// let removal: wasm_push::server::RemoveSubscription = serde_json::from_str(body).unwrap();
/// assert_eq!(removal.endpoint, "https://push.example/1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveSubscription {
    /// The endpoint to delete (the rest of `toJSON()` is ignored).
    pub endpoint: String,
}
