//! RFC 8291 (`aes128gcm`) encryption and an RFC 8292 ES256 signature over `ring` and over
//! `aws-lc-rs`, whose APIs are the same: the two stacks the sender could be built on, measured
//! side by side (`ring-*` and `aws-lc-*` modes). The sender ships the `ring` one
//! (`src/server/encrypt.rs`); these copies are measurements only, each checked against `ece`'s
//! decryption before it is timed.

macro_rules! stack {
    ($name:ident, $crypto:ident, $agree:expr, $pair:expr) => {
        pub mod $name {
            use $crypto::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
            use $crypto::agreement::{EphemeralPrivateKey, UnparsedPublicKey, ECDH_P256};
            use $crypto::hkdf::{KeyType, Salt, HKDF_SHA256};
            use $crypto::rand::{SecureRandom, SystemRandom};
            use $crypto::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

            struct Length(usize);
            impl KeyType for Length {
                fn len(&self) -> usize {
                    self.0
                }
            }

            fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) {
                let info = [info];
                let prk = Salt::new(HKDF_SHA256, salt).extract(ikm);
                prk.expand(&info, Length(out.len())).unwrap().fill(out).unwrap();
            }

            /// The body of one push to the browser key `ua_public` (65 bytes) with its `auth`.
            pub fn encrypt(ua_public: &[u8], auth: &[u8], plaintext: &[u8]) -> Vec<u8> {
                let random = SystemRandom::new();
                let ephemeral = EphemeralPrivateKey::generate(&ECDH_P256, &random).unwrap();
                let as_public = ephemeral.compute_public_key().unwrap();
                let mut salt = [0u8; 16];
                random.fill(&mut salt).unwrap();
                let peer = UnparsedPublicKey::new(&ECDH_P256, ua_public);
                let secret: Vec<u8> = $agree(ephemeral, &peer);
                let mut info = [0u8; 14 + 65 + 65];
                info[..14].copy_from_slice(b"WebPush: info\0");
                info[14..79].copy_from_slice(ua_public);
                info[79..].copy_from_slice(as_public.as_ref());
                let mut ikm = [0u8; 32];
                hkdf(auth, &secret, &info, &mut ikm);
                let (mut key, mut nonce) = ([0u8; 16], [0u8; 12]);
                hkdf(&salt, &ikm, b"Content-Encoding: aes128gcm\0", &mut key);
                hkdf(&salt, &ikm, b"Content-Encoding: nonce\0", &mut nonce);
                // One allocation, the record sealed in place, as the sender does.
                let padded = plaintext.len() + 128 - plaintext.len() % 128;
                let mut body = Vec::with_capacity(86 + padded + 16);
                body.extend_from_slice(&salt);
                body.extend_from_slice(&4096u32.to_be_bytes());
                body.push(65);
                body.extend_from_slice(as_public.as_ref());
                body.extend_from_slice(plaintext);
                body.push(2);
                body.resize(86 + padded, 0);
                let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &key).unwrap());
                let tag = key
                    .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut body[86..])
                    .unwrap();
                body.extend_from_slice(tag.as_ref());
                body
            }

            /// A signing key of this stack.
            pub fn key() -> EcdsaKeyPair {
                let random = SystemRandom::new();
                let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random).unwrap();
                $pair(pkcs8.as_ref(), &random)
            }

            /// An ES256 JWT over `claims` (JSON), signed with `key`.
            pub fn sign(key: &EcdsaKeyPair, claims: &str) -> String {
                crate::jwt(claims, |signed| key.sign(&SystemRandom::new(), signed).unwrap().as_ref().to_vec())
            }
        }
    };
}

stack!(
    ring_stack,
    ring,
    |ephemeral, peer: &ring::agreement::UnparsedPublicKey<&[u8]>| {
        ring::agreement::agree_ephemeral(ephemeral, peer, |shared| shared.to_vec()).unwrap()
    },
    |pkcs8: &[u8], random: &ring::rand::SystemRandom| {
        ring::signature::EcdsaKeyPair::from_pkcs8(&ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, random)
            .unwrap()
    }
);
stack!(
    aws_lc_stack,
    aws_lc_rs,
    |ephemeral, peer: &aws_lc_rs::agreement::UnparsedPublicKey<&[u8]>| {
        aws_lc_rs::agreement::agree_ephemeral(ephemeral, peer, (), |shared| Ok(shared.to_vec())).unwrap()
    },
    |pkcs8: &[u8], _: &aws_lc_rs::rand::SystemRandom| {
        aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(&aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
            .unwrap()
    }
);
