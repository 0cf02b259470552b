//! What an app server pushes and what the worker shows: shared by both, compiled natively too.

use serde::{Deserialize, Serialize};

/// The notification an app server sends, as JSON in the push message body.
///
/// The app server serialises this very type; the worker reads it back. Every field but
/// `title` may be left out.
///
/// ```
/// use wasm_push::NotificationPayload;
/// let payload = NotificationPayload {
///     body: Some("Your order has shipped".into()),
///     url: Some("/orders/42".into()),
///     ..NotificationPayload::new("Order #42")
/// };
/// let json = serde_json::to_string(&payload).unwrap();
/// assert_eq!(json, r#"{"title":"Order #42","body":"Your order has shipped","url":"/orders/42"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationPayload {
    /// The notification's title.
    pub title: String,
    /// The text under the title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// A notification with the same tag replaces the earlier one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The URL a click opens (same origin as the worker; anything else opens the scope).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Any JSON, handed back on click as `notification.data.data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl NotificationPayload {
    /// A payload with only a title.
    ///
    /// ```
    /// let p = wasm_push::NotificationPayload::new("Hello");
    /// assert_eq!(p.title, "Hello");
    /// assert_eq!(p.body, None);
    /// ```
    pub fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), ..Self::default() }
    }
}

/// What the worker shows when a push carries nothing it can read.
///
/// ```
/// let fallback = wasm_push::Fallback::default();
/// assert_eq!(fallback.title, "New notification");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fallback {
    /// The title of a push without a readable title.
    pub title: String,
    /// The body of a push with no readable content at all.
    pub body: String,
}

impl Default for Fallback {
    fn default() -> Self {
        Self { title: "New notification".into(), body: "Open the site to see what is new.".into() }
    }
}

/// The longest title the worker shows, in characters; longer ones are cut.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest body the worker shows, in characters; longer ones are cut.
pub const MAX_BODY_CHARS: usize = 1000;

/// Turns the bytes of a push message into the notification to show. Never fails: empty,
/// non-UTF-8 or malformed data gives the [`Fallback`], plain text becomes the body under the
/// fallback title, and a JSON object without a usable title gets the fallback title.
///
/// ```
/// use wasm_push::{decode_push, Fallback};
/// let fallback = Fallback::default();
/// assert_eq!(decode_push(Some(br#"{"title":"Hi"}"#), &fallback).title, "Hi");
/// assert_eq!(decode_push(Some(b"plain words"), &fallback).body.as_deref(), Some("plain words"));
/// assert_eq!(decode_push(None, &fallback).title, fallback.title);
/// ```
pub fn decode_push(data: Option<&[u8]>, fallback: &Fallback) -> NotificationPayload {
    let text = match data.map(std::str::from_utf8) {
        Some(Ok(text)) if !text.trim().is_empty() => text,
        _ => return fallback_payload(fallback),
    };
    let mut payload = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(object)) => {
            serde_json::from_value::<NotificationPayload>(serde_json::Value::Object(object))
                .unwrap_or_else(|_| fallback_payload(fallback))
        }
        // Not a JSON object: the text itself is the message.
        _ => NotificationPayload { body: Some(text.trim().to_owned()), ..NotificationPayload::default() },
    };
    if payload.title.trim().is_empty() {
        payload.title = fallback.title.clone();
    }
    payload.title = cut(&payload.title, MAX_TITLE_CHARS);
    payload.body = payload.body.map(|body| cut(&body, MAX_BODY_CHARS));
    payload
}

fn fallback_payload(fallback: &Fallback) -> NotificationPayload {
    NotificationPayload { body: Some(fallback.body.clone()), ..NotificationPayload::new(fallback.title.clone()) }
}

fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> NotificationPayload {
        decode_push(Some(bytes), &Fallback::default())
    }

    #[test]
    fn a_payload_the_server_serialises_is_what_the_worker_reads() {
        let sent = NotificationPayload {
            body: Some("Body".into()),
            tag: Some("t1".into()),
            url: Some("/x".into()),
            data: Some(serde_json::json!({"id": 7})),
            ..NotificationPayload::new("Title")
        };
        let bytes = serde_json::to_vec(&sent).unwrap();
        assert_eq!(decode(&bytes), sent);
    }

    #[test]
    fn empty_and_missing_data_show_the_fallback() {
        for data in [None, Some(&b""[..]), Some(&b"  \n"[..])] {
            let shown = decode_push(data, &Fallback::default());
            assert_eq!(shown.title, "New notification");
            assert_eq!(shown.body.as_deref(), Some("Open the site to see what is new."));
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_show_the_fallback() {
        assert_eq!(decode(&[0xff, 0xfe, 0x00]).title, "New notification");
    }

    #[test]
    fn plain_text_is_the_body_under_the_fallback_title() {
        let shown = decode(b"Lunch is ready");
        assert_eq!(shown.title, "New notification");
        assert_eq!(shown.body.as_deref(), Some("Lunch is ready"));
    }

    #[test]
    fn malformed_json_still_shows_a_notification() {
        let shown = decode(br#"{"title": "#);
        assert_eq!(shown.title, "New notification");
        assert_eq!(shown.body.as_deref(), Some(r#"{"title":"#));
    }

    #[test]
    fn json_of_the_wrong_types_shows_the_fallback() {
        let shown = decode(br#"{"title": 5, "body": ["x"]}"#);
        assert_eq!(shown, fallback_payload(&Fallback::default()));
    }

    #[test]
    fn a_missing_title_gets_the_fallback_title_and_keeps_the_body() {
        let shown = decode(br#"{"body": "only a body"}"#);
        assert_eq!(shown.title, "New notification");
        assert_eq!(shown.body.as_deref(), Some("only a body"));
    }

    #[test]
    fn over_long_texts_are_cut_on_a_character_boundary() {
        let title = "é".repeat(MAX_TITLE_CHARS + 50);
        let shown = decode(format!(r#"{{"title":"{title}"}}"#).as_bytes());
        assert_eq!(shown.title.chars().count(), MAX_TITLE_CHARS + 1);
        assert!(shown.title.ends_with('…'));
    }
}
