//! A subscription's keys (`p256dh`, `auth`), decoded and checked as a browser makes them:
//! what a send encrypts for, and what an app server checks when it saves a subscription.

use super::encrypt::POINT;
use crate::{Error, Subscription};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The subscription's keys, checked as a browser makes them (`p256dh` an uncompressed P-256
/// point, on the curve when `on_curve` asks; `auth` 16 bytes). Either base64 alphabet is taken,
/// padded or not: `toJSON()` gives base64url, but app servers and libraries have stored the other.
pub(super) fn subscription_keys(to: &Subscription, on_curve: bool) -> Result<([u8; POINT], [u8; 16]), Error> {
    let decode = |name: &str, text: &str| {
        let url_safe: String = text.trim().trim_end_matches('=').replace('+', "-").replace('/', "_");
        URL_SAFE_NO_PAD.decode(url_safe).map_err(|_| Error::InvalidSubscriptionKeys(format!("{name} is not base64")))
    };
    let p256dh = decode("p256dh", &to.keys.p256dh)?;
    let not_a_point = || Error::InvalidSubscriptionKeys("p256dh is not an uncompressed P-256 public key".into());
    let p256dh = <[u8; POINT]>::try_from(p256dh.as_slice()).map_err(|_| not_a_point())?;
    if p256dh[0] != 4 || (on_curve && p256::PublicKey::from_sec1_bytes(&p256dh).is_err()) {
        return Err(not_a_point());
    }
    let auth = decode("auth", &to.keys.auth)?;
    let auth = <[u8; 16]>::try_from(auth.as_slice())
        .map_err(|_| Error::InvalidSubscriptionKeys(format!("auth is {} bytes; a browser makes 16", auth.len())))?;
    Ok((p256dh, auth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_subscription_keys_are_their_own_error_not_the_vapid_key() {
        let good: Subscription = serde_json::from_str(r#"{"endpoint":"https://push.example/x","keys":{"auth":"x7aPzMh8OBZ3WDnsHjbBQQ","p256dh":"BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"}}"#).unwrap();
        assert!(subscription_keys(&good, true).is_ok());
        let mut padded = good.clone();
        padded.keys.auth.push_str("==");
        assert_eq!(subscription_keys(&padded, true), subscription_keys(&good, true));
        // The standard alphabet, padded, as some app servers store the keys: the same keys.
        let mut standard = good.clone();
        standard.keys.p256dh = standard.keys.p256dh.replace('-', "+").replace('_', "/") + "=";
        standard.keys.auth = "x7aPzMh8OBZ3WDnsHjbBQQ==".into();
        assert!(standard.keys.p256dh.contains('+'), "the test key has no character the alphabets spell apart");
        assert_eq!(subscription_keys(&standard, true), subscription_keys(&good, true));
        let bad_keys = [
            ("x7aPzMh8OBZ3WDnsHjbBQQ", ""),
            ("x7aPzMh8OBZ3WDnsHjbBQQ", "not base64!"),
            ("x7aPzMh8OBZ3WDnsHjbBQQ", "BAAA"),
            // 65 bytes that are not a point on the curve.
            ("x7aPzMh8OBZ3WDnsHjbBQQ", &format!("B{}", "A".repeat(86))),
            ("", &good.keys.p256dh),
            ("x7aPzMh8OBZ3WDnsHjbB", &good.keys.p256dh),
        ];
        for (auth, p256dh) in bad_keys {
            let mut sub = good.clone();
            sub.keys.auth = auth.into();
            sub.keys.p256dh = p256dh.into();
            assert!(
                matches!(subscription_keys(&sub, true), Err(Error::InvalidSubscriptionKeys(_))),
                "{auth:?} {p256dh:?}"
            );
        }
    }
}
