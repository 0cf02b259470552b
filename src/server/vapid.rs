//! The app server's VAPID identity: its key pair and the subject push services may contact.

use crate::{ApplicationServerKey, Error};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use std::fmt;

/// An app server's VAPID key pair (P-256). The public half is the `applicationServerKey`
/// browsers subscribe with; `Debug` shows only that half.
///
/// ```
/// let keys = wasm_push::server::VapidKeys::generate().unwrap();
/// let again = wasm_push::server::VapidKeys::from_private(keys.private_base64url()).unwrap();
/// assert_eq!(again.public_key(), keys.public_key());
/// ```
#[derive(Clone)]
pub struct VapidKeys {
    private: String,
    public: ApplicationServerKey,
}

impl VapidKeys {
    /// A new key pair from the system's randomness.
    ///
    /// ```
    /// let keys = wasm_push::server::VapidKeys::generate().unwrap();
    /// assert_eq!(keys.public_key().as_bytes()[0], 0x04);
    /// ```
    pub fn generate() -> Result<Self, Error> {
        loop {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| Error::InvalidKey(format!("no randomness: {e}")))?;
            // All but a vanishing share of 32-byte strings are valid scalars.
            if let Ok(keys) = Self::from_private(&URL_SAFE_NO_PAD.encode(bytes)) {
                return Ok(keys);
            }
        }
    }

    /// The key pair of a private key given as base64url (the 32-byte scalar, as
    /// `web-push generate-vapid-keys` prints it).
    ///
    /// ```
    /// assert!(wasm_push::server::VapidKeys::from_private("not a key").is_err());
    /// ```
    pub fn from_private(private: &str) -> Result<Self, Error> {
        let bytes = URL_SAFE_NO_PAD
            .decode(private.trim().trim_end_matches('='))
            .map_err(|_| Error::InvalidKey("the private key is not base64url".into()))?;
        let secret = p256::SecretKey::from_slice(&bytes)
            .map_err(|_| Error::InvalidKey("the private key is not a P-256 scalar (32 bytes)".into()))?;
        let public = ApplicationServerKey::from_bytes(secret.public_key().to_encoded_point(false).as_bytes())?;
        // The scalar as 32 bytes, whatever leading zeros the text left out: what signing takes.
        Ok(VapidKeys { private: URL_SAFE_NO_PAD.encode(secret.to_bytes()), public })
    }

    /// The private key, base64url: keep it secret, and keep it, since every subscription is
    /// bound to its public half.
    ///
    /// ```
    /// # let keys = wasm_push::server::VapidKeys::generate().unwrap();
    /// assert_eq!(keys.private_base64url().len(), 43);
    /// ```
    pub fn private_base64url(&self) -> &str {
        &self.private
    }

    /// The public key, which browsers subscribe with (`applicationServerKey`).
    ///
    /// ```
    /// # let keys = wasm_push::server::VapidKeys::generate().unwrap();
    /// let for_the_page: String = keys.public_key().to_base64url();
    /// ```
    pub fn public_key(&self) -> &ApplicationServerKey {
        &self.public
    }

    /// The `Authorization` header of a push to `audience` (a push service's origin) until
    /// `exp` (seconds since the Unix epoch), for `subject`: `vapid t=<JWT>, k=<public key>`, the
    /// JWT signed with ES256 (RFC 8292 §2, §3).
    pub(super) fn authorization(&self, audience: &str, subject: &VapidSubject, exp: u64) -> Result<String, Error> {
        use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
        let random = ring::rand::SystemRandom::new();
        let private =
            URL_SAFE_NO_PAD.decode(&self.private).map_err(|_| Error::InvalidKey("the VAPID private key".into()))?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &private,
            self.public.as_bytes(),
            &random,
        )
        .map_err(|e| Error::InvalidKey(format!("the VAPID private key: {e}")))?;
        // {"typ":"JWT","alg":"ES256"}, as every VAPID sender writes it.
        const HEADER: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9";
        let claims = serde_json::json!({"aud": audience, "exp": exp, "sub": subject.as_str()});
        let signed = format!("{HEADER}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = pair
            .sign(&random, signed.as_bytes())
            .map_err(|_| Error::InvalidKey("the VAPID private key could not sign".into()))?;
        Ok(format!("vapid t={signed}.{}, k={}", URL_SAFE_NO_PAD.encode(signature.as_ref()), self.public.to_base64url()))
    }
}

impl fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapidKeys").field("public", &self.public).field("private", &"<redacted>").finish()
    }
}

/// Who the push service may contact about this app server (the VAPID `sub` claim): a
/// `mailto:` address or an `https:` URL at a name that can exist. Push services refuse others:
/// Apple's answers `BadJwtToken` for a contact at `localhost` or at a name reserved never to
/// exist (`.invalid`, `.test`, `.example`, `.local`, `.localhost`, `example.com`, `.net`,
/// `.org`), while FCM and Mozilla's take it, so such a subject is refused here, before
/// anything is sent.
///
/// ```
/// use wasm_push::server::VapidSubject;
/// assert!(VapidSubject::new("mailto:ops@your.site").is_ok());
/// assert!(VapidSubject::new("https://your.site/contact").is_ok());
/// assert!(VapidSubject::new("mailto:me@localhost").is_err());
/// assert!(VapidSubject::new("mailto:ops@shop.example").is_err());
/// assert!(VapidSubject::new("ops@your.site").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VapidSubject(String);

impl VapidSubject {
    /// Checks and keeps a subject.
    ///
    /// ```
    /// let subject = wasm_push::server::VapidSubject::new("mailto:ops@your.site").unwrap();
    /// assert_eq!(subject.as_str(), "mailto:ops@your.site");
    /// ```
    pub fn new(subject: &str) -> Result<Self, Error> {
        let subject = subject.trim();
        let invalid = |why: &str| Err(Error::InvalidSubject(why.to_owned()));
        let host = if let Some(address) = subject.strip_prefix("mailto:") {
            let address = address.split('?').next().unwrap_or_default();
            let Some((local, host)) = address.rsplit_once('@') else {
                return invalid("a mailto: subject needs an address with @");
            };
            if local.is_empty() {
                return invalid("a mailto: subject needs a mailbox before the @");
            }
            host
        } else if let Some(rest) = subject.strip_prefix("https://") {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
            if host.starts_with('[') {
                host
            } else {
                host.split(':').next().unwrap_or_default()
            }
        } else {
            return invalid("a subject is a mailto: address or an https: URL");
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if !host.contains('.') || host.starts_with('[') || reserved(&host) {
            return invalid(
                "a subject needs a contact at a public name of your own: Apple's push service refuses \
                 localhost and the names reserved never to exist (.invalid, .test, .example, .local, \
                 .localhost, example.com/.net/.org)",
            );
        }
        Ok(VapidSubject(subject.to_owned()))
    }

    /// The subject as sent.
    ///
    /// ```
    /// # let subject = wasm_push::server::VapidSubject::new("https://your.site").unwrap();
    /// assert!(subject.as_str().starts_with("https://"));
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `host` (lowercase) is an address rather than a name, or a name reserved never to
/// resolve on the internet (RFC 2606, RFC 6761, and `.local` for multicast DNS, RFC 6762).
fn reserved(host: &str) -> bool {
    let top = host.rsplit('.').next().unwrap_or_default();
    let second = host.rsplitn(3, '.').take(2).collect::<Vec<_>>();
    top.bytes().all(|b| b.is_ascii_digit())
        || matches!(top, "invalid" | "test" | "example" | "local" | "localhost")
        || matches!(second.as_slice(), ["com" | "net" | "org", "example"])
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_private_key_written_without_its_leading_zero_byte_still_signs() {
        // A scalar whose first byte is zero, as some generators print it: 31 bytes.
        let mut scalar = [0u8; 32];
        scalar[1..].copy_from_slice(&[0x5a; 31]);
        let short = URL_SAFE_NO_PAD.encode(&scalar[1..]);
        let keys = VapidKeys::from_private(&short).unwrap();
        assert_eq!(keys.public_key(), VapidKeys::from_private(&URL_SAFE_NO_PAD.encode(scalar)).unwrap().public_key());
        let subject = VapidSubject::new("mailto:ops@your.site").unwrap();
        assert!(keys.authorization("https://push.services.mozilla.com", &subject, 1_800_000_000).is_ok());
    }

    #[test]
    fn the_authorization_is_an_es256_jwt_for_the_audience_that_the_public_key_verifies() {
        use p256::ecdsa::signature::Verifier as _;
        let keys = VapidKeys::generate().unwrap();
        let subject = VapidSubject::new("mailto:ops@your.site").unwrap();
        let header = keys.authorization("https://push.services.mozilla.com", &subject, 1_800_000_000).unwrap();
        let (token, key) = header.strip_prefix("vapid t=").unwrap().split_once(", k=").unwrap();
        assert_eq!(key, keys.public_key().to_base64url());
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let (head, claims) = signed.split_once('.').unwrap();
        let json =
            |part: &str| serde_json::from_slice::<serde_json::Value>(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap();
        assert_eq!(json(head), serde_json::json!({"typ": "JWT", "alg": "ES256"}));
        assert_eq!(
            json(claims),
            serde_json::json!({"aud": "https://push.services.mozilla.com", "exp": 1_800_000_000u64, "sub": "mailto:ops@your.site"})
        );
        let verifying = p256::ecdsa::VerifyingKey::from_sec1_bytes(keys.public_key().as_bytes()).unwrap();
        let signature = p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
        assert!(verifying.verify(signed.as_bytes(), &signature).is_ok());
        let mut tampered = signed.to_owned();
        tampered.push('x');
        assert!(verifying.verify(tampered.as_bytes(), &signature).is_err());
    }

    use super::*;

    #[test]
    fn subjects_push_services_refuse_are_refused_here() {
        for bad in [
            "",
            "ops@your.site",
            "mailto:",
            "mailto:me@localhost",
            "mailto:me@app.localhost",
            "mailto:@your.site",
            "https://",
            "https://localhost:8080/",
            "http://your.site",
            "https://127.0.0.1/",
            "https://[::1]:443/",
            "mailto:ops@10.0.0.1",
            "mailto:ops@[127.0.0.1]",
            "https://[::ffff:1.2.3.4]/",
        ] {
            assert!(matches!(VapidSubject::new(bad), Err(Error::InvalidSubject(_))), "{bad:?}");
        }
        for good in [
            "mailto:ops@your.site",
            " mailto:Ops@Your.Site ",
            "mailto:ops@your.site?subject=push",
            "https://your.site",
            "https://your.site./contact?x=1",
            "https://ops@your.site:8443/contact",
            "https://github.com/example/project",
        ] {
            assert!(VapidSubject::new(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn subjects_at_names_reserved_never_to_exist_are_refused_as_apple_refuses_them() {
        for tail in ["invalid", "test", "example", "local", "localhost", "example.com", "example.net", "example.org"] {
            for host in [
                tail.to_owned(),
                format!("shop.{tail}"),
                format!("a.b.{}", tail.to_uppercase()),
                format!("shop.{tail}."),
            ] {
                for subject in
                    [format!("mailto:ops@{host}"), format!("https://{host}/contact"), format!("https://{host}:8443")]
                {
                    let refused = VapidSubject::new(&subject);
                    assert!(
                        matches!(&refused, Err(Error::InvalidSubject(why)) if why.contains("reserved")),
                        "{subject:?}: {refused:?}"
                    );
                }
            }
        }
        for near in ["mailto:ops@example.co", "mailto:ops@myexample.com", "https://testing.site", "https://local.dev"] {
            assert!(VapidSubject::new(near).is_ok(), "{near:?}");
        }
    }

    #[test]
    fn a_key_pair_reads_back_from_its_private_half_and_debug_hides_it() {
        let keys = VapidKeys::generate().unwrap();
        let again = VapidKeys::from_private(keys.private_base64url()).unwrap();
        assert_eq!(again.public_key(), keys.public_key());
        assert!(!format!("{keys:?}").contains(keys.private_base64url()));
        assert!(matches!(VapidKeys::from_private("AAAA"), Err(Error::InvalidKey(_))));
    }
}
