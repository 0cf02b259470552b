//! RFC 8291 (`aes128gcm`) encryption and an RFC 8292 ES256 signature over RustCrypto's `p256`,
//! `hkdf` and `aes-gcm`, for measuring the pure-Rust stack against the `web-push` crate's
//! (`ece` over OpenSSL, `jwt-simple`). A measurement only: the crate does not ship it. Checked
//! against `ece`'s decryption before it is timed.

use aes_gcm::aead::{Aead, KeyInit};
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sha2::Sha256;

/// The body of one push to the browser key `ua_public` (65 bytes) with its `auth` secret.
pub fn encrypt(ua_public: &[u8], auth: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let secret = p256::ecdh::EphemeralSecret::random(&mut rand_core::OsRng);
    let as_public = secret.public_key().to_encoded_point(false);
    let ua = p256::PublicKey::from_sec1_bytes(ua_public).expect("a P-256 point");
    let shared = secret.diffie_hellman(&ua);
    let mut info = b"WebPush: info\0".to_vec();
    info.extend_from_slice(ua_public);
    info.extend_from_slice(as_public.as_bytes());
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes()).expand(&info, &mut ikm).expect("32 bytes");
    let mut salt = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut salt);
    let content = Hkdf::<Sha256>::new(Some(&salt), &ikm);
    let (mut key, mut nonce) = ([0u8; 16], [0u8; 12]);
    content.expand(b"Content-Encoding: aes128gcm\0", &mut key).expect("16 bytes");
    content.expand(b"Content-Encoding: nonce\0", &mut nonce).expect("12 bytes");
    let mut record = plaintext.to_vec();
    record.push(2); // the last record's delimiter
    let sealed = aes_gcm::Aes128Gcm::new(&key.into()).encrypt(&nonce.into(), record.as_slice()).expect("sealed");
    let mut body = Vec::with_capacity(86 + sealed.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&4096u32.to_be_bytes());
    body.push(65);
    body.extend_from_slice(as_public.as_bytes());
    body.extend_from_slice(&sealed);
    body
}

/// An ES256 JWT over `claims` (JSON), signed with `key`.
pub fn sign(key: &p256::ecdsa::SigningKey, claims: &str) -> String {
    crate::jwt(claims, |signed| {
        let signature: p256::ecdsa::Signature = key.sign(signed);
        signature.to_bytes().to_vec()
    })
}
