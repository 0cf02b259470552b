//! A push's payload encrypted for one subscription: RFC 8291's `aes128gcm` content encoding
//! (RFC 8188), over `ring` (the provider rustls uses here too). One record, padded to a multiple
//! of 128 bytes so a push service learns the payload's length only to that granularity.

use crate::Error;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use ring::agreement::{agree_ephemeral, EphemeralPrivateKey, UnparsedPublicKey, ECDH_P256};
use ring::hkdf::{KeyType, Salt, HKDF_SHA256};
use ring::rand::{SecureRandom, SystemRandom};
use std::sync::Arc;
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::task::JoinHandle;

/// The record size written in the header: one record holds any payload a push carries.
const RECORD_SIZE: u32 = 4096;
/// Plaintext and padding are made a multiple of this many bytes.
const PADDED_TO: usize = 128;
/// RFC 8291 §3.4's `key_info` starts with this; both public keys follow.
const KEY_INFO: &[u8; 14] = b"WebPush: info\0";
/// An uncompressed P-256 point, as `p256dh` and the header's key id are.
pub(super) const POINT: usize = 65;

/// `plaintext` encrypted for the browser key `p256dh` (65 bytes) and its `auth` secret (16
/// bytes) with a fresh ephemeral key and salt: the request body of a push.
pub(super) fn encrypt(p256dh: &[u8], auth: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    let random = SystemRandom::new();
    let failed = |what: &str| Error::PushServiceUnreachable {
        cause: crate::Unreachable::Other,
        detail: format!("the encryption could not {what}"),
    };
    let ephemeral = EphemeralPrivateKey::generate(&ECDH_P256, &random).map_err(|_| failed("make a key"))?;
    let public = ephemeral.compute_public_key().map_err(|_| failed("make a key"))?;
    let mut salt = [0u8; 16];
    random.fill(&mut salt).map_err(|_| failed("get randomness"))?;
    let browser = UnparsedPublicKey::new(&ECDH_P256, p256dh);
    let secret = agree_ephemeral(ephemeral, &browser, |shared| <[u8; 32]>::try_from(shared))
        .map_err(|_| Error::InvalidSubscriptionKeys("p256dh is not a P-256 public key".into()))?
        .map_err(|_| failed("agree on a secret"))?;
    let padding = PADDED_TO - plaintext.len() % PADDED_TO;
    seal(&secret, p256dh, public.as_ref(), auth, &salt, plaintext, padding)
}

/// [`encrypt`] for a push of a fan-out: on a task of its own when the fan-out is polled from
/// outside the runtime's tasks on tokio's multi-threaded runtime (`#[tokio::main]`'s body,
/// `Runtime::block_on`), so that the pushes under way are encrypted on the runtime's worker
/// threads. Encrypted on the thread that polls the fan-out, that thread did all the crypto, and
/// the workers, left to run the connections alone, each waited and was woken about once per
/// push (`cargo xtask bench`, BENCHMARKS.md's "Sending").
///
/// Here, as before, in three cases:
/// - on the current-thread runtime, where a task of its own only costs;
/// - from within a task: its worker would take the new task first into a slot that no other
///   worker takes from, so a task that blocks its worker (`futures::executor::block_on` in an
///   async fn) would wait forever on it;
/// - when the task is cancelled (the runtime shutting down).
///
/// The task panicking (ring returns its errors, so it should not) is an error, not a panic:
/// [`Error::PushServiceUnreachable`], that push's outcome
/// [`Verdict::RetryAfter`](super::Verdict::RetryAfter). Nothing was sent, so the fan-out counts
/// nothing against its push service. Encrypted here, the same panic would unwind through the
/// fan-out.
pub(super) async fn encrypt_spread(
    p256dh: &[u8; POINT],
    auth: [u8; 16],
    plaintext: &Arc<[u8]>,
) -> Result<Vec<u8>, Error> {
    let runtime = match Handle::try_current() {
        Ok(runtime) if runtime.runtime_flavor() != RuntimeFlavor::CurrentThread && tokio::task::try_id().is_none() => {
            runtime
        }
        _ => return encrypt(p256dh, &auth, plaintext),
    };
    let (key, body) = (*p256dh, plaintext.clone());
    let mut task = AbortOnDrop(runtime.spawn(async move { encrypt(&key, &auth, &body) }));
    match (&mut task.0).await {
        Ok(encrypted) => encrypted,
        Err(stopped) if stopped.is_cancelled() => encrypt(p256dh, &auth, plaintext),
        Err(_) => Err(Error::PushServiceUnreachable {
            cause: crate::Unreachable::Other,
            detail: "the encryption failed".into(),
        }),
    }
}

/// A task aborted when its handle is dropped: a fan-out dropped mid-way drops the encryptions
/// not yet started (one under way runs to its end, a fraction of a millisecond, and is dropped).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// RFC 8291 §3.4 and RFC 8188 §2 from the ECDH secret on: the keys derived with HKDF-SHA-256,
/// the one record sealed with AES-128-GCM, the header in front. `padding` counts the delimiter
/// (at least 1).
fn seal(
    secret: &[u8; 32],
    browser: &[u8],
    server: &[u8],
    auth: &[u8],
    salt: &[u8; 16],
    plaintext: &[u8],
    padding: usize,
) -> Result<Vec<u8>, Error> {
    if browser.len() != POINT || server.len() != POINT {
        return Err(Error::InvalidSubscriptionKeys("p256dh is not an uncompressed P-256 point".into()));
    }
    let mut key_info = [0u8; KEY_INFO.len() + 2 * POINT];
    let (label, keys) = key_info.split_at_mut(KEY_INFO.len());
    let (browser_part, server_part) = keys.split_at_mut(POINT);
    label.copy_from_slice(KEY_INFO);
    browser_part.copy_from_slice(browser);
    server_part.copy_from_slice(server);
    let mut ikm = [0u8; 32];
    hkdf(auth, secret, &key_info, &mut ikm);
    let mut key = [0u8; 16];
    hkdf(salt, &ikm, b"Content-Encoding: aes128gcm\0", &mut key);
    let mut nonce = [0u8; 12];
    hkdf(salt, &ikm, b"Content-Encoding: nonce\0", &mut nonce);

    let mut body = Vec::with_capacity(16 + 4 + 1 + POINT + plaintext.len() + padding + 16);
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(POINT as u8);
    body.extend_from_slice(server);
    let header = body.len();
    body.extend_from_slice(plaintext);
    // The last (and only) record's delimiter, then zeros.
    body.push(2);
    body.resize(body.len() + padding.max(1) - 1, 0);
    // A fresh key per push, so the first record's nonce, as derived, is used once.
    let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &key).expect("16 bytes is an AES-128 key"));
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut body[header..])
        .expect("one record is within AES-GCM's limits");
    body.extend_from_slice(tag.as_ref());
    Ok(body)
}

/// HKDF-SHA-256 of `ikm` under `salt`, expanded for `info` into `out` (at most 32 bytes).
fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) {
    /// A length for ring's HKDF.
    struct Length(usize);
    impl KeyType for Length {
        fn len(&self) -> usize {
            self.0
        }
    }
    let prk = Salt::new(HKDF_SHA256, salt).extract(ikm);
    let info = [info];
    let okm = prk.expand(&info, Length(out.len())).expect("at most 32 bytes, far below HKDF's limit");
    okm.fill(out).expect("the length asked for");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }

    /// RFC 8291, Appendix A, in hex.
    const SERVER_PRIVATE: &str = "c9f58f89813e9f8e872e71f42aa64e1757c9254dcc62b72ddc010bb4043ea11c";
    const SERVER_PUBLIC: &str = "04fe33f4ab0dea71914db55823f73b54948f41306d920732dbb9a59a53286482200e597a7b7bc260ba1c227998580992e93973002f3012a28ae8f06bbb78e5ec0f";
    const BROWSER_PUBLIC: &str = "042571b2becdfde360551aaf1ed0f4cd366c11cebe555f89bcb7b186a53339173168ece2ebe018597bd30479b86e3c8f8eced577ca59187e9246990db682008b0e";
    const AUTH: &str = "05305932a1c7eabe13b6cec9fda48882";
    const SALT: &str = "0c6bfaadad67958803092d454676f397";
    const MESSAGE: &str = "0c6bfaadad67958803092d454676f397000010004104fe33f4ab0dea71914db55823f73b54948f41306d920732dbb9a59a53286482200e597a7b7bc260ba1c227998580992e93973002f3012a28ae8f06bbb78e5ec0ff297de5b429bba7153d3a4ae0caa091fd425f3b4b5414add8ab37a19c1bbb05cf5cb5b2a2e0562d558635641ec52812c6c8ff42e95ccb86be7cd";

    #[test]
    fn the_rfc_8291_example_encrypts_to_the_rfcs_own_message() {
        // The ECDH secret of the RFC's keys (ring takes no fixed ephemeral key; the agreement
        // is the curve's, checked here with RustCrypto's p256).
        let server = p256::SecretKey::from_slice(&hex(SERVER_PRIVATE)).unwrap();
        let browser = p256::PublicKey::from_sec1_bytes(&hex(BROWSER_PUBLIC)).unwrap();
        let shared = p256::ecdh::diffie_hellman(server.to_nonzero_scalar(), browser.as_affine());
        let secret: [u8; 32] = shared.raw_secret_bytes()[..].try_into().unwrap();
        let salt: [u8; 16] = hex(SALT).try_into().unwrap();
        let plaintext = b"When I grow up, I want to be a watermelon";
        let body = seal(&secret, &hex(BROWSER_PUBLIC), &hex(SERVER_PUBLIC), &hex(AUTH), &salt, plaintext, 1).unwrap();
        assert_eq!(body, hex(MESSAGE));
    }

    #[test]
    fn each_push_has_its_own_key_and_salt_and_hides_its_length_to_128_bytes() {
        let browser = p256::SecretKey::from_slice(&[7; 32]).unwrap();
        let public = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&browser.public_key(), false);
        let (one, two) = (
            encrypt(public.as_bytes(), &[1; 16], b"hi").unwrap(),
            encrypt(public.as_bytes(), &[1; 16], b"hi").unwrap(),
        );
        assert_ne!(one[..16], two[..16], "the salt");
        assert_ne!(one[21..86], two[21..86], "the ephemeral key");
        for length in [0, 1, 127, 128, 129, 3052] {
            let body = encrypt(public.as_bytes(), &[1; 16], &vec![b'x'; length]).unwrap();
            let record = body.len() - 86 - 16;
            assert_eq!(record % PADDED_TO, 0, "{length}");
            assert!(record > length && record <= length + PADDED_TO, "{length}: {record}");
            assert!(body.len() - 86 <= RECORD_SIZE as usize, "one record");
        }
    }

    #[test]
    fn a_push_whose_encrypting_task_is_cancelled_is_encrypted_here_not_lost() {
        // A multi-threaded runtime shut down: a task spawned on it is cancelled, never run.
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
        let handle = runtime.handle().clone();
        drop(runtime);
        let browser = p256::SecretKey::from_slice(&[7; 32]).unwrap();
        let public = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&browser.public_key(), false);
        let public = <[u8; POINT]>::try_from(public.as_bytes()).unwrap();
        // On a thread of its own, so a wait for a task that never runs fails the test, not hangs it.
        let (done, outcome) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let plaintext: Arc<[u8]> = Arc::from(&b"hi"[..]);
            let _ = done.send(handle.block_on(encrypt_spread(&public, [1; 16], &plaintext)));
        });
        let body = outcome.recv_timeout(std::time::Duration::from_secs(10)).expect("no wait for a task never run");
        let body = body.expect("encrypted here");
        assert_eq!(body.len(), 86 + PADDED_TO + 16, "the header, one padded record and its tag");
    }

    #[test]
    fn a_browser_key_off_the_curve_is_the_subscriptions_fault() {
        let mut off = vec![4u8];
        off.extend([1u8; 64]);
        assert!(matches!(encrypt(&off, &[1; 16], b"hi"), Err(Error::InvalidSubscriptionKeys(_))));
        assert!(matches!(encrypt(&[4; 10], &[1; 16], b"hi"), Err(Error::InvalidSubscriptionKeys(_))));
    }
}
