//! The one error type of the crate.

use super::fields::JsonView;
use std::fmt;

/// Everything that can go wrong, as a value: this crate never panics on browser input. The
/// variants a send makes (from `PayloadTooLarge` on) exist with the `server` feature only, so a
/// browser build carries none of their messages.
///
/// ```
/// use wasm_push::{ApplicationServerKey, Error};
/// let err = ApplicationServerKey::from_base64url("not a key").unwrap_err();
/// assert!(matches!(err, Error::InvalidKey(_)));
/// assert!(err.to_string().starts_with("invalid application server key"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The browser lacks something push needs; the field names it (`"PushManager"`, …). A UI
    /// reads it as "hide the button": nothing else is reported this way.
    Unsupported(&'static str),
    /// iOS or iPadOS 16.4 or later, in a browser tab: push works there only in a web app opened
    /// from the Home Screen. A UI shows this message as a hint instead of hiding the button's
    /// reason (see [`Support::home_screen`](crate::Support::home_screen)).
    NeedsHomeScreen,
    /// Push needs a secure context (HTTPS or localhost).
    InsecureContext,
    /// The user (or the browser's policy) denied notification permission.
    PermissionDenied,
    /// The application server key was rejected before the browser saw it; the field says why.
    InvalidKey(String),
    /// A URL this crate needs absolute (http or https) is not; the field is the URL.
    InvalidUrl(String),
    /// No application server key was there to subscribe with; the field says where one was
    /// looked for.
    MissingKey(&'static str),
    /// The service worker is not registered and active (yet); the field says what is missing.
    NotReady(&'static str),
    /// The browser has no push subscription to act on.
    NotSubscribed,
    /// The browser answered with a value of a shape this crate does not know; the field names it.
    UnexpectedValue(&'static str),
    /// The browser or its push service refused, with the DOMException's name and message
    /// (`AbortError`, `NotAllowedError`, `InvalidStateError`, …).
    Browser {
        /// The exception's `name`.
        name: String,
        /// The exception's `message`.
        message: String,
    },
    /// The app server answered with a status outside 2xx.
    Server {
        /// The HTTP status.
        status: u16,
        /// `error.id` when the body had the shape `{"error":{"id":…,"message":…}}`.
        id: Option<String>,
        /// `error.message` from the same shape.
        message: Option<String>,
    },
    /// The request did not reach the app server (offline, refused, CORS).
    Network(String),
    /// The app server answered with a redirect (to a login page, say, when the session
    /// expired). It is not followed, and not taken as the server's own 2xx: the subscription
    /// is sent again on the next page load.
    Redirected,
    /// A browser call did not settle in time (Chromium's `subscribe` can hang forever).
    Timeout(&'static str),
    /// A push payload is over what Web Push can carry: refused before anything was sent (`max`
    /// set), or by the push service (`max` unknown, HTTP 413).
    #[cfg(feature = "server")]
    PayloadTooLarge {
        /// The payload's size in bytes, as JSON.
        bytes: usize,
        /// The most this crate sends, when it refused.
        max: Option<usize>,
    },
    /// The VAPID subject is not one push services take; the field says why.
    #[cfg(feature = "server")]
    InvalidSubject(String),
    /// The push service says the subscription is gone (HTTP 404 or 410): delete it.
    #[cfg(feature = "server")]
    SubscriptionGone {
        /// The HTTP status.
        status: u16,
    },
    /// The push service asks to slow down (HTTP 429), for `retry_after_secs` when it says.
    #[cfg(feature = "server")]
    RateLimited {
        /// The `Retry-After` header (seconds, or an HTTP date), in seconds from now, at most a
        /// day (`server::MAX_RETRY_AFTER_SECS`).
        retry_after_secs: Option<u64>,
    },
    /// The push service refused the VAPID authorization (HTTP 401 or 403): a wrong key pair, or
    /// a subscription made with another application server key.
    #[cfg(feature = "server")]
    VapidRejected {
        /// The HTTP status.
        status: u16,
    },
    /// The push service answered with another status outside 2xx (a redirect among them:
    /// none is followed).
    #[cfg(feature = "server")]
    PushServiceRefused {
        /// The HTTP status.
        status: u16,
    },
    /// The push service failed for now (HTTP 503, and 408, 500, 502 and 504, which a load
    /// balancer's bad moment gives): send again later, after `retry_after_secs` when it says.
    #[cfg(feature = "server")]
    PushServiceUnavailable {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` header (seconds, or an HTTP date), in seconds from now, at most a
        /// day (`server::MAX_RETRY_AFTER_SECS`).
        retry_after_secs: Option<u64>,
    },
    /// The request did not reach the push service, or no answer came in time
    /// ([`Unreachable::NoAnswer`]: then the push service may have taken it).
    #[cfg(feature = "server")]
    PushServiceUnreachable {
        /// What stood in the way.
        cause: Unreachable,
        /// The HTTP client's own words.
        detail: String,
    },
    /// A subscription's endpoint is not an absolute http(s) URL with a host: the subscription
    /// is malformed, safe to delete. The field says why (never the endpoint, a secret).
    #[cfg(feature = "server")]
    InvalidEndpoint(String),
    /// A subscription's endpoint is a URL the sender's `server::Endpoints`
    /// rules refuse (`http://`, another port, an internal address, an unknown push service):
    /// nothing was sent. The field names the rule.
    #[cfg(feature = "server")]
    EndpointNotAllowed(String),
    /// A subscription's `p256dh` or `auth` key is not one a browser makes: it is malformed,
    /// safe to delete. The field says which and why.
    #[cfg(feature = "server")]
    InvalidSubscriptionKeys(String),
    /// A push's topic is not 1 to 32 base64url characters; the field says why.
    #[cfg(feature = "server")]
    InvalidTopic(String),
}

/// What kept a push from reaching the push service ([`Error::PushServiceUnreachable`]).
///
/// ```
/// use wasm_push::{Error, Unreachable};
/// let err = Error::PushServiceUnreachable { cause: Unreachable::Timeout, detail: "no connection".into() };
/// assert!(err.to_string().contains("timed out"));
/// ```
#[cfg(feature = "server")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unreachable {
    /// The host's name has no address (DNS).
    Dns,
    /// The connection was refused or reset.
    Refused,
    /// No connection within the sender's timeouts: nothing was sent.
    Timeout,
    /// The connection was made and the request went out, but no whole answer came (a timeout,
    /// a connection closed half-way): the push service may have taken the push, so sending it
    /// again may show it twice.
    NoAnswer,
    /// TLS failed (a certificate the client does not trust, say).
    Tls,
    /// Something else; the detail says what.
    Other,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl Error {
    /// The message `Display` shows, built by concatenation rather than `write!`, so that a wasm
    /// that hands errors to JavaScript (the window side's promises) keeps core's formatting
    /// machinery out: integer formatting and the `Arguments` runner are over a kilobyte gzip.
    pub(crate) fn message(&self) -> String {
        let status = |status: &u16| decimal(u64::from(*status));
        let of = |parts: &[&str]| parts.concat();
        match self {
            Error::Unsupported(what) => of(&["push is not supported here: no ", what]),
            Error::NeedsHomeScreen => {
                "push needs this site on the Home Screen: tap Share, then Add to Home Screen, and open it from there"
                    .into()
            }
            Error::InsecureContext => "push needs a secure context (https or localhost)".into(),
            Error::PermissionDenied => "notification permission was denied".into(),
            Error::InvalidKey(why) => of(&["invalid application server key: ", why]),
            // Quoted by hand: `{:?}` on a str brings core's Unicode tables into every wasm that shows errors.
            Error::InvalidUrl(url) => of(&["not an absolute http(s) URL: \"", url, "\""]),
            Error::MissingKey(where_) => of(&["no application server key: ", where_]),
            Error::NotReady(what) => of(&["the service worker is not ready: ", what]),
            Error::NotSubscribed => "there is no push subscription".into(),
            Error::UnexpectedValue(what) => of(&["the browser gave an unexpected ", what]),
            Error::Browser { name, message } => of(&["the browser refused: ", name, ": ", message]),
            Error::Server { status: code, id, message } => {
                let id = id.as_deref().map(|id| of(&[" (", id, ")"])).unwrap_or_default();
                let message = message.as_deref().map(|m| of(&[": ", m])).unwrap_or_default();
                of(&["the app server answered ", &status(code), &id, &message])
            }
            Error::Network(why) => of(&["could not reach the app server: ", why]),
            Error::Redirected => "the app server answered with a redirect, not a 2xx".into(),
            Error::Timeout(what) => of(&[what, " did not settle in time"]),
            #[cfg(feature = "server")]
            Error::PayloadTooLarge { bytes, max: Some(max) } => of(&[
                "the payload is ",
                &decimal(*bytes as u64),
                " bytes; Web Push carries at most ",
                &decimal(*max as u64),
            ]),
            #[cfg(feature = "server")]
            Error::PayloadTooLarge { bytes, max: None } => {
                of(&["the push service refused the ", &decimal(*bytes as u64), "-byte payload as too large"])
            }
            #[cfg(feature = "server")]
            Error::InvalidSubject(why) => of(&["invalid VAPID subject: ", why]),
            #[cfg(feature = "server")]
            Error::SubscriptionGone { status: code } => {
                of(&["the subscription is gone (the push service answered ", &status(code), ")"])
            }
            #[cfg(feature = "server")]
            Error::RateLimited { retry_after_secs: Some(secs) } => {
                of(&["rate limited by the push service: retry after ", &decimal(*secs), " s"])
            }
            #[cfg(feature = "server")]
            Error::RateLimited { retry_after_secs: None } => "rate limited by the push service".into(),
            #[cfg(feature = "server")]
            Error::VapidRejected { status: code } => {
                of(&["the push service refused the VAPID authorization (", &status(code), ")"])
            }
            #[cfg(feature = "server")]
            Error::PushServiceRefused { status: code } => of(&["the push service answered ", &status(code)]),
            #[cfg(feature = "server")]
            Error::PushServiceUnavailable { status: code, retry_after_secs: Some(secs) } => {
                of(&["the push service is unavailable (", &status(code), "): retry after ", &decimal(*secs), " s"])
            }
            #[cfg(feature = "server")]
            Error::PushServiceUnavailable { status: code, retry_after_secs: None } => {
                of(&["the push service is unavailable (", &status(code), ")"])
            }
            #[cfg(feature = "server")]
            Error::PushServiceUnreachable { cause, detail } => {
                let cause = match cause {
                    Unreachable::Dns => "DNS lookup failed",
                    Unreachable::Refused => "connection refused",
                    Unreachable::Timeout => "timed out",
                    Unreachable::NoAnswer => "no answer: it may have taken the push",
                    Unreachable::Tls => "TLS failed",
                    Unreachable::Other => "request failed",
                };
                of(&["could not reach the push service (", cause, "): ", detail])
            }
            #[cfg(feature = "server")]
            Error::InvalidEndpoint(why) => of(&["the subscription's endpoint is malformed: ", why]),
            #[cfg(feature = "server")]
            Error::EndpointNotAllowed(why) => of(&["the subscription's endpoint is not allowed: ", why]),
            #[cfg(feature = "server")]
            Error::InvalidSubscriptionKeys(why) => of(&["the subscription's keys are malformed: ", why]),
            #[cfg(feature = "server")]
            Error::InvalidTopic(why) => of(&["invalid topic: ", why]),
        }
    }
}

/// `n` in decimal, without core's integer formatting: for messages, and for a URL's port.
pub(crate) fn decimal(mut n: u64) -> String {
    let mut digits = Vec::with_capacity(20);
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

impl std::error::Error for Error {}

impl Error {
    /// The error for an app server's non-2xx answer, reading `id` and `message` from a body of
    /// the shape `{"error":{"id":…,"message":…}}` when it has it.
    ///
    /// ```
    /// use wasm_push::Error;
    /// let err = Error::from_server_answer(403, r#"{"error":{"id":"csrf","message":"bad token"}}"#);
    /// assert_eq!(err, Error::Server { status: 403, id: Some("csrf".into()), message: Some("bad token".into()) });
    /// ```
    pub fn from_server_answer(status: u16, body: &str) -> Error {
        Error::from_server_json(status, serde_json::from_str::<serde_json::Value>(body).ok())
    }

    /// [`Error::from_server_answer`] over any JSON reader: the window side parses with the
    /// browser's `JSON.parse`, keeping serde_json out of its wasm.
    pub(crate) fn from_server_json<V: JsonView>(status: u16, answer: Option<V>) -> Error {
        let error = answer.and_then(|answer| answer.member("error"));
        let field = |name: &str| error.as_ref().and_then(|e| e.member(name)).and_then(|v| v.text());
        Error::Server { status, id: field("id"), message: field("message") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_answers_keep_status_and_read_the_error_shape_when_present() {
        let cases = [
            (500, r#"{"error":{"id":"db","message":"down"}}"#, Some("db"), Some("down")),
            (403, r#"{"error":{"id":"csrf"}}"#, Some("csrf"), None),
            (502, "<html>Bad gateway</html>", None, None),
            (404, r#"{"error":"not found"}"#, None, None),
            (400, "", None, None),
        ];
        for (status, body, id, message) in cases {
            assert_eq!(
                Error::from_server_answer(status, body),
                Error::Server { status, id: id.map(Into::into), message: message.map(Into::into) },
                "{body}"
            );
        }
    }

    #[test]
    fn messages_with_numbers_read_as_write_would_have_written_them() {
        let cases = [
            (
                Error::Server { status: 403, id: Some("csrf".into()), message: Some("bad token".into()) },
                "the app server answered 403 (csrf): bad token",
            ),
            (Error::Server { status: 500, id: None, message: None }, "the app server answered 500"),
            (Error::InvalidUrl("a b".into()), "not an absolute http(s) URL: \"a b\""),
            (Error::Timeout("the worker"), "the worker did not settle in time"),
        ];
        assert_messages(cases);
    }

    #[cfg(feature = "server")]
    #[test]
    fn the_messages_of_sends_read_as_write_would_have_written_them() {
        assert_messages([
            (
                Error::PayloadTooLarge { bytes: 4097, max: Some(4096) },
                "the payload is 4097 bytes; Web Push carries at most 4096",
            ),
            (
                Error::PayloadTooLarge { bytes: 0, max: None },
                "the push service refused the 0-byte payload as too large",
            ),
            (
                Error::RateLimited { retry_after_secs: Some(u64::MAX) },
                "rate limited by the push service: retry after 18446744073709551615 s",
            ),
            (Error::SubscriptionGone { status: 410 }, "the subscription is gone (the push service answered 410)"),
        ]);
    }

    fn assert_messages<const N: usize>(cases: [(Error, &str); N]) {
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
            assert_eq!(error.message(), expected);
        }
    }
}
