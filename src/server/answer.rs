//! A push service's answer, read into what to do: its status and `Retry-After`, or, when no
//! answer came, what stood in the way.

use super::endpoint::ResolveError;
use crate::{Error, Unreachable};
use std::time::SystemTime;

/// A failed request, blamed on what stood in the way: an address the rules refuse (found by
/// the resolver), DNS, a refused connection, a timeout, TLS.
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
    if cause == Unreachable::Other
        && error.is_connect()
        && ["tls", "ssl", "certificate"].iter().any(|w| words.contains(w))
    {
        cause = Unreachable::Tls;
    }
    Error::PushServiceUnreachable { cause, detail: error.without_url().to_string() }
}

/// `Retry-After` in seconds from `now`: a number of seconds, or an HTTP date (RFC 9110 §10.2.3).
pub(super) fn retry_after_secs(value: &str, now: SystemTime) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse() {
        return Some(secs);
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).map_or(0, |wait| wait.as_secs()))
}

/// The push service's answer, read: 2xx is `Ok`, every refusal the variant that says what to do.
pub(super) fn answer(status: u16, retry_after_secs: Option<u64>, bytes: usize) -> Result<(), Error> {
    match status {
        200..=299 => Ok(()),
        404 | 410 => Err(Error::SubscriptionGone { status }),
        413 => Err(Error::PayloadTooLarge { bytes, max: None }),
        429 => Err(Error::RateLimited { retry_after_secs }),
        503 => Err(Error::PushServiceUnavailable { retry_after_secs }),
        401 | 403 => Err(Error::VapidRejected { status }),
        _ => Err(Error::PushServiceRefused { status }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_a_push_service_gives_is_read_into_what_to_do() {
        assert_eq!(answer(201, None, 10), Ok(()));
        assert_eq!(answer(410, None, 10), Err(Error::SubscriptionGone { status: 410 }));
        assert_eq!(answer(404, None, 10), Err(Error::SubscriptionGone { status: 404 }));
        assert_eq!(answer(413, None, 10), Err(Error::PayloadTooLarge { bytes: 10, max: None }));
        assert_eq!(answer(429, Some(120), 10), Err(Error::RateLimited { retry_after_secs: Some(120) }));
        assert_eq!(answer(429, None, 10), Err(Error::RateLimited { retry_after_secs: None }));
        assert_eq!(answer(503, Some(30), 10), Err(Error::PushServiceUnavailable { retry_after_secs: Some(30) }));
        assert_eq!(answer(403, None, 10), Err(Error::VapidRejected { status: 403 }));
        assert_eq!(answer(401, None, 10), Err(Error::VapidRejected { status: 401 }));
        assert_eq!(answer(500, None, 10), Err(Error::PushServiceRefused { status: 500 }));
        assert_eq!(answer(302, None, 10), Err(Error::PushServiceRefused { status: 302 }));
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2026 07:28:00 GMT").unwrap();
        assert_eq!(retry_after_secs(" 120", now), Some(120));
        assert_eq!(retry_after_secs("Wed, 21 Oct 2026 07:30:00 GMT", now), Some(120));
        // The obsolete forms RFC 9110 says to accept.
        assert_eq!(retry_after_secs("Wednesday, 21-Oct-26 07:29:00 GMT", now), Some(60));
        assert_eq!(retry_after_secs("Wed Oct 21 07:28:30 2026", now), Some(30));
        // A date gone by: retry now.
        assert_eq!(retry_after_secs("Wed, 21 Oct 2026 07:00:00 GMT", now), Some(0));
        assert_eq!(retry_after_secs("soon", now), None);
        assert_eq!(retry_after_secs("-5", now), None);
    }
}
