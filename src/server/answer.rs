//! A push service's answer, read into what to do: its status and `Retry-After`, or, when no
//! answer came, what stood in the way. The push service is the visitor's choice, so every
//! answer is read as hostile input: whatever its status, header or timing, the reading is a
//! typed outcome with a bounded wait.

use super::endpoint::ResolveError;
use crate::{Error, Unreachable};
use std::time::SystemTime;

/// The longest wait a `Retry-After` is read as (a day): a larger one, a number as large as a
/// `u64` holds or a date years ahead, says no more than "not today".
pub const MAX_RETRY_AFTER_SECS: u64 = 24 * 3600;

/// A failed request, blamed on what stood in the way: an address the rules refuse (found by
/// the resolver), DNS, a refused connection, a timeout, TLS. A request that failed after its
/// connection was made may have been taken by the push service: that is
/// [`Unreachable::NoAnswer`], never a cause that says nothing was sent.
pub(super) fn unreachable(error: reqwest::Error) -> Error {
    let mut cause = if error.is_timeout() { Unreachable::Timeout } else { Unreachable::Other };
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    let mut words = String::new();
    while let Some(current) = source {
        if let Some(resolved) = current.downcast_ref::<ResolveError>() {
            match resolved {
                ResolveError::Refused(why) => return Error::EndpointNotAllowed((*why).to_owned()),
                ResolveError::Failed(_) => cause = Unreachable::Dns,
            }
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                ConnectionRefused | ConnectionReset | ConnectionAborted if cause == Unreachable::Other => {
                    cause = Unreachable::Refused
                }
                TimedOut => cause = Unreachable::Timeout,
                _ => {}
            }
        }
        words.push_str(&current.to_string().to_ascii_lowercase());
        source = current.source();
    }
    if !error.is_connect() && !error.is_builder() && cause != Unreachable::Dns {
        // The connection was made and the request went out, in part or whole: the push
        // service may have taken it.
        cause = Unreachable::NoAnswer;
    } else if cause == Unreachable::Other && ["tls", "ssl", "certificate"].iter().any(|w| words.contains(w)) {
        cause = Unreachable::Tls;
    }
    Error::PushServiceUnreachable { cause, detail: error.without_url().to_string() }
}

/// `Retry-After` in seconds from `now`: a number of seconds, or an HTTP date (RFC 9110
/// §10.2.3), at most [`MAX_RETRY_AFTER_SECS`]. `None` for a value that is neither.
pub(super) fn retry_after_secs(value: &[u8], now: SystemTime) -> Option<u64> {
    let value = std::str::from_utf8(value).ok()?.trim();
    let secs = if value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty() {
        // Digits beyond a u64 are a wait beyond the cap, not a malformed header.
        value.parse().unwrap_or(u64::MAX)
    } else {
        let when = httpdate::parse_http_date(value).ok()?;
        when.duration_since(now).map_or(0, |wait| wait.as_secs())
    };
    Some(secs.min(MAX_RETRY_AFTER_SECS))
}

/// Whether a status means "not now" (a timeout, a rate limit, a server or gateway that failed
/// for now): the push is sent again later, never given up on as refused.
fn for_now(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// The push service's answer, read: 2xx is `Ok`, every refusal the variant that says what to
/// do. `retry_after` is the header's bytes, if any; `bytes` the size of the body sent.
pub(super) fn answer(status: u16, retry_after: Option<&[u8]>, bytes: usize, now: SystemTime) -> Result<(), Error> {
    let retry_after_secs = || retry_after.and_then(|value| retry_after_secs(value, now));
    match status {
        200..=299 => Ok(()),
        404 | 410 => Err(Error::SubscriptionGone { status }),
        413 => Err(Error::PayloadTooLarge { bytes, max: None }),
        429 => Err(Error::RateLimited { retry_after_secs: retry_after_secs() }),
        status if for_now(status) => {
            Err(Error::PushServiceUnavailable { status, retry_after_secs: retry_after_secs() })
        }
        401 | 403 => Err(Error::VapidRejected { status }),
        _ => Err(Error::PushServiceRefused { status }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(date: &str) -> SystemTime {
        httpdate::parse_http_date(date).unwrap()
    }

    #[test]
    fn every_answer_a_push_service_gives_is_read_into_what_to_do() {
        let now = SystemTime::now();
        let read = |status, retry_after: Option<&str>| answer(status, retry_after.map(str::as_bytes), 10, now);
        assert_eq!(read(201, None), Ok(()));
        assert_eq!(read(410, None), Err(Error::SubscriptionGone { status: 410 }));
        assert_eq!(read(404, None), Err(Error::SubscriptionGone { status: 404 }));
        assert_eq!(read(413, None), Err(Error::PayloadTooLarge { bytes: 10, max: None }));
        assert_eq!(read(429, Some("120")), Err(Error::RateLimited { retry_after_secs: Some(120) }));
        assert_eq!(read(429, None), Err(Error::RateLimited { retry_after_secs: None }));
        assert_eq!(read(403, None), Err(Error::VapidRejected { status: 403 }));
        assert_eq!(read(401, None), Err(Error::VapidRejected { status: 401 }));
        assert_eq!(read(302, None), Err(Error::PushServiceRefused { status: 302 }));
        assert_eq!(read(400, None), Err(Error::PushServiceRefused { status: 400 }));
    }

    #[test]
    fn a_gateway_or_server_that_failed_for_now_is_retried_later_not_refused() {
        let now = SystemTime::now();
        for status in [408, 500, 502, 503, 504] {
            assert_eq!(
                answer(status, Some(b"30"), 10, now),
                Err(Error::PushServiceUnavailable { status, retry_after_secs: Some(30) })
            );
            assert_eq!(
                answer(status, None, 10, now),
                Err(Error::PushServiceUnavailable { status, retry_after_secs: None })
            );
        }
        // Not for now: a server that says it will never do it.
        assert_eq!(answer(501, None, 10, now), Err(Error::PushServiceRefused { status: 501 }));
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date() {
        let now = at("Wed, 21 Oct 2026 07:28:00 GMT");
        let read = |value: &str| retry_after_secs(value.as_bytes(), now);
        assert_eq!(read(" 120"), Some(120));
        assert_eq!(read("Wed, 21 Oct 2026 07:30:00 GMT"), Some(120));
        // The obsolete forms RFC 9110 says to accept.
        assert_eq!(read("Wednesday, 21-Oct-26 07:29:00 GMT"), Some(60));
        assert_eq!(read("Wed Oct 21 07:28:30 2026"), Some(30));
        // A date gone by: retry now.
        assert_eq!(read("Wed, 21 Oct 2026 07:00:00 GMT"), Some(0));
        assert_eq!(read("soon"), None);
        assert_eq!(read("-5"), None);
        assert_eq!(read(""), None);
        assert_eq!(retry_after_secs(b"\xff\xfe", now), None);
    }

    #[test]
    fn a_retry_after_years_ahead_or_beyond_a_u64_is_read_as_the_longest_wait() {
        let now = at("Wed, 21 Oct 2026 07:28:00 GMT");
        for huge in [
            u64::MAX.to_string(),
            "99999999999999999999999999999".to_owned(),
            "Fri, 31 Dec 9999 23:59:59 GMT".to_owned(),
            (MAX_RETRY_AFTER_SECS + 1).to_string(),
        ] {
            assert_eq!(retry_after_secs(huge.as_bytes(), now), Some(MAX_RETRY_AFTER_SECS), "{huge}");
        }
    }

    proptest! {
        #[test]
        fn any_status_and_retry_after_reads_into_a_bounded_typed_outcome(
            status in any::<u16>(),
            retry_after in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
            digits in proptest::option::of("[0-9]{1,30}"),
            clock in any::<u64>(),
        ) {
            let now = SystemTime::UNIX_EPOCH
                .checked_add(std::time::Duration::from_secs(clock))
                .unwrap_or(SystemTime::UNIX_EPOCH);
            for value in [retry_after.as_deref(), digits.as_deref().map(str::as_bytes)] {
                let read = answer(status, value, 4096, now);
                prop_assert_eq!(read.is_ok(), (200..300).contains(&status));
                match read {
                    Err(Error::RateLimited { retry_after_secs } | Error::PushServiceUnavailable { retry_after_secs, .. }) => {
                        prop_assert!(for_now(status));
                        prop_assert!(retry_after_secs.unwrap_or(0) <= MAX_RETRY_AFTER_SECS);
                    }
                    other => prop_assert!(!for_now(status), "{} read as {:?}", status, other),
                }
            }
        }
    }
}
