//! One push to send: its payload, checked for size, and the headers an app server may set
//! (TTL, urgency, a topic checked where it is set).

use crate::{Error, NotificationPayload};

/// How soon the browser should be woken for a push (RFC 8030 §5.3): a phone on battery may
/// hold back the lower ones. Sent as the `Urgency` header; none sent means `normal`.
///
/// ```
/// let urgency: wasm_push::server::Urgency = serde_json::from_str(r#""very-low""#).unwrap();
/// assert_eq!(urgency.as_str(), "very-low");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    /// Only when the device is on power and wifi.
    VeryLow,
    /// When on power or wifi.
    Low,
    /// When not on low battery.
    #[default]
    Normal,
    /// At once, low battery too.
    High,
}

impl std::fmt::Display for Urgency {
    /// The header's value, as `as_str` gives it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Urgency {
    /// The header's value.
    ///
    /// ```
    /// assert_eq!(wasm_push::server::Urgency::High.as_str(), "high");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::VeryLow => "very-low",
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

/// The most payload JSON, in bytes, that Web Push carries (4096 bytes of record less
/// aes128gcm's header and padding, as the senders of every language count it). Larger payloads are
/// refused before anything is sent.
///
/// ```
/// assert_eq!(wasm_push::server::MAX_PAYLOAD_BYTES, 3052);
/// ```
pub const MAX_PAYLOAD_BYTES: usize = 3052;

/// One push to send: the payload and the headers an app server may set.
///
/// ```
/// let payload = wasm_push::NotificationPayload::new("Flash sale");
/// let push = wasm_push::server::Push::new(&payload)
///     .ttl(600)
///     .urgency(wasm_push::server::Urgency::High)
///     .topic("sale")?;
/// # Ok::<(), wasm_push::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Push<'a> {
    payload: &'a NotificationPayload,
    /// The payload's JSON, made once however many times the push is cloned and sent, or why
    /// no push service can take it.
    body: Result<std::sync::Arc<[u8]>, Error>,
    pub(super) ttl: u32,
    pub(super) urgency: Option<Urgency>,
    pub(super) topic: Option<String>,
}

impl<'a> Push<'a> {
    /// The payload, kept by the push service for a day while the browser is offline.
    ///
    /// ```
    /// let payload = wasm_push::NotificationPayload::new("Hi");
    /// let push = wasm_push::server::Push::new(&payload);
    /// ```
    pub fn new(payload: &'a NotificationPayload) -> Self {
        Push { payload, body: encode(payload), ttl: 24 * 3600, urgency: None, topic: None }
    }

    /// What every send of this push would refuse before sending, once: a payload whose JSON is
    /// over [`MAX_PAYLOAD_BYTES`] ([`Error::PayloadTooLarge`]). A fan-out of a push that fails
    /// it would answer each subscription with the same refusal; check it before.
    ///
    /// ```
    /// let long = wasm_push::NotificationPayload { body: Some("x".repeat(4000)), ..wasm_push::NotificationPayload::new("Hi") };
    /// assert!(wasm_push::server::Push::new(&long).check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), Error> {
        self.body.as_ref().map(drop).map_err(Clone::clone)
    }

    /// The payload it carries.
    ///
    /// ```
    /// let payload = wasm_push::NotificationPayload::new("Hi");
    /// assert_eq!(wasm_push::server::Push::new(&payload).payload().title, "Hi");
    /// ```
    pub fn payload(&self) -> &'a NotificationPayload {
        self.payload
    }

    /// How long, in seconds, the push service keeps it for a browser that is offline (0: only
    /// if the browser is there now).
    ///
    /// ```
    /// # let payload = wasm_push::NotificationPayload::new("Hi");
    /// let push = wasm_push::server::Push::new(&payload).ttl(0);
    /// ```
    pub fn ttl(mut self, seconds: u32) -> Self {
        self.ttl = seconds;
        self
    }

    /// How urgent it is: push services may hold back `VeryLow` and `Low` on a device saving
    /// battery.
    ///
    /// ```
    /// # let payload = wasm_push::NotificationPayload::new("Hi");
    /// let push = wasm_push::server::Push::new(&payload).urgency(wasm_push::server::Urgency::Low);
    /// ```
    pub fn urgency(mut self, urgency: Urgency) -> Self {
        self.urgency = Some(urgency);
        self
    }

    /// A topic: a later push with the same topic replaces this one while it waits for an
    /// offline browser. [`Error::InvalidTopic`] unless it is 1 to 32 base64url characters
    /// (`A-Z a-z 0-9 - _`), the most RFC 8030 allows.
    ///
    /// ```
    /// # let payload = wasm_push::NotificationPayload::new("Hi");
    /// let push = wasm_push::server::Push::new(&payload).topic("score")?;
    /// assert!(wasm_push::server::Push::new(&payload).topic("the score").is_err());
    /// # Ok::<(), wasm_push::Error>(())
    /// ```
    pub fn topic(mut self, topic: impl Into<String>) -> Result<Self, Error> {
        let topic = topic.into();
        if topic.is_empty() || topic.len() > 32 {
            return Err(Error::InvalidTopic(format!("{} characters; a topic has 1 to 32", topic.chars().count())));
        }
        if !topic.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(Error::InvalidTopic("only base64url characters (A-Z a-z 0-9 - _)".into()));
        }
        self.topic = Some(topic);
        Ok(self)
    }
}

/// The push's payload JSON, refused when it is over [`MAX_PAYLOAD_BYTES`].
pub(super) fn body(push: &Push<'_>) -> Result<std::sync::Arc<[u8]>, Error> {
    push.body.clone()
}

/// The payload's JSON, refused when it is over [`MAX_PAYLOAD_BYTES`].
fn encode(payload: &NotificationPayload) -> Result<std::sync::Arc<[u8]>, Error> {
    // serde_json cannot fail on a payload: string keys only, and a non-finite number is null.
    let body = serde_json::to_vec(payload).unwrap_or_default();
    if body.len() > MAX_PAYLOAD_BYTES {
        return Err(Error::PayloadTooLarge { bytes: body.len(), max: Some(MAX_PAYLOAD_BYTES) });
    }
    Ok(body.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_is_checked_where_it_is_set() {
        let payload = NotificationPayload::new("Hi");
        for good in ["a", "order-42", "A_b-C", &"x".repeat(32)] {
            assert!(Push::new(&payload).topic(good).is_ok(), "{good}");
        }
        for bad in ["", "the score", "score!", "résumé", &"x".repeat(33), "a=b", "a/b", "a+b"] {
            assert!(matches!(Push::new(&payload).topic(bad), Err(Error::InvalidTopic(_))), "{bad}");
        }
    }
}
