//! The VAPID application server key, checked before the browser sees it.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::error::{decimal, Error};
use std::fmt;

/// A VAPID application server public key: a 65-byte uncompressed P-256 point.
///
/// Browsers answer a bad key with an opaque `InvalidAccessError` (or, in Chromium, a
/// `subscribe()` that never settles), so the key is checked here and a wrong one is an
/// [`Error::InvalidKey`] saying what is wrong.
///
/// ```
/// use wasm_push::ApplicationServerKey;
/// let key = ApplicationServerKey::from_base64url(
///     "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U",
/// ).unwrap();
/// assert_eq!(key.as_bytes()[0], 0x04);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApplicationServerKey([u8; 65]);

impl ApplicationServerKey {
    /// Parses base64url (the form `web-push generate-vapid-keys` prints), with or without
    /// `=` padding. Standard base64 (`+`, `/`) is accepted too, since keys get pasted from
    /// tools that use it.
    ///
    /// ```
    /// use wasm_push::ApplicationServerKey;
    /// let err = ApplicationServerKey::from_base64url("BEl6").unwrap_err();
    /// assert_eq!(err.to_string(), "invalid application server key: 3 bytes, expected 65");
    /// ```
    pub fn from_base64url(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::InvalidKey("it is empty".into()));
        }
        Self::from_bytes(&decode_base64url(text)?)
    }

    /// Takes the raw bytes of the public key.
    ///
    /// ```
    /// use wasm_push::ApplicationServerKey;
    /// let mut compressed = [0u8; 33];
    /// compressed[0] = 0x02;
    /// assert!(ApplicationServerKey::from_bytes(&compressed).is_err());
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let key: [u8; 65] =
            match (<[u8; 65]>::try_from(bytes), bytes.len()) {
                (Ok(key), _) => key,
                (_, 33) if matches!(bytes[0], 0x02 | 0x03) => return Err(Error::InvalidKey(
                    "a compressed P-256 point (33 bytes); push needs the uncompressed form (65 bytes, starting 0x04)"
                        .into(),
                )),
                (_, 32) => {
                    return Err(Error::InvalidKey(
                        "32 bytes: this looks like the private key; use the public key (65 bytes)".into(),
                    ))
                }
                (_, n) => return Err(Error::InvalidKey([&decimal(n as u64), " bytes, expected 65"].concat())),
            };
        if key[0] != 0x04 {
            return Err(Error::InvalidKey(
                ["starts with ", &hex_byte(key[0]), "; an uncompressed P-256 point starts with 0x04"].concat(),
            ));
        }
        Ok(Self(key))
    }

    /// The 65 bytes, as `PushManager.subscribe` takes them.
    ///
    /// ```
    /// # use wasm_push::ApplicationServerKey;
    /// # let mut raw = [7u8; 65]; raw[0] = 4;
    /// let key = ApplicationServerKey::from_bytes(&raw).unwrap();
    /// assert_eq!(key.as_bytes(), &raw);
    /// ```
    pub fn as_bytes(&self) -> &[u8; 65] {
        &self.0
    }

    /// The key as base64url without padding, the form browsers report it in.
    ///
    /// ```
    /// # use wasm_push::ApplicationServerKey;
    /// let text = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";
    /// assert_eq!(ApplicationServerKey::from_base64url(text).unwrap().to_base64url(), text);
    /// ```
    pub fn to_base64url(&self) -> String {
        encode_base64url(&self.0)
    }
}

// Debug is formatting by definition, and linked only where something formats the key.
#[allow(clippy::disallowed_macros)]
impl fmt::Debug for ApplicationServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A public key: safe to show, and handy when two keys are compared in a log.
        write!(f, "ApplicationServerKey({})", self.to_base64url())
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn sextet(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' | b'+' => 62,
        b'_' | b'/' => 63,
        _ => return None,
    } as u32)
}

/// Why text is not base64.
enum BadBase64 {
    Padding,
    Character { at: usize, found: u8 },
    Length,
}

/// `0x` and the byte's two hex digits, without core's formatting.
fn hex_byte(byte: u8) -> String {
    let digit = |d: u8| char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 });
    ['0', 'x', digit(byte >> 4), digit(byte & 0xf)].iter().collect()
}

/// Decodes base64url or base64, padded or not.
pub(crate) fn decode_base64url(text: &str) -> Result<Vec<u8>, Error> {
    decode(text).map_err(|bad| match bad {
        BadBase64::Padding => Error::InvalidKey("too much '=' padding".into()),
        BadBase64::Character { at, found } => {
            // Printable ASCII quoted, anything else as its byte: char's Debug would bring
            // core's Unicode tables (about 2 KB gzip) into every app for this one message.
            let found = match found {
                b' '..=b'~' => ['\'', char::from(found), '\''].iter().collect(),
                _ => ["byte ", &hex_byte(found)].concat(),
            };
            Error::InvalidKey(
                ["character ", &found, " at position ", &decimal(at as u64), " is not base64url"].concat(),
            )
        }
        BadBase64::Length => Error::InvalidKey("its length is not a valid base64 length".into()),
    })
}

/// Decodes base64url or base64, padded or not, without saying why it could not (and so without
/// the `core::fmt` the reasons take): what the worker reads its configured key with.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    decode(text).ok()
}

fn decode(text: &str) -> Result<Vec<u8>, BadBase64> {
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 {
        return Err(BadBase64::Padding);
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (at, found) in body.bytes().enumerate() {
        let v = sextet(found).ok_or(BadBase64::Character { at, found })?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return Err(BadBase64::Length);
    }
    Ok(out)
}

/// Encodes base64url without padding.
pub(crate) fn encode_base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| (n << 8) | b as u32) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::disallowed_macros, clippy::disallowed_methods)] // tests are not shipped
mod tests {
    use super::*;

    const VALID: &str = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";

    fn reason(text: &str) -> String {
        match ApplicationServerKey::from_base64url(text) {
            Err(Error::InvalidKey(why)) => why,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn key_parsing_table() {
        // (input, Ok(first byte) or Err(part of the reason))
        let padded = format!("{VALID}=");
        let standard = VALID.replace('-', "+").replace('_', "/");
        let compressed = encode_base64url(&[&[0x02u8][..], &[1; 32]].concat());
        let wrong_prefix = encode_base64url(&[&[0x05u8][..], &[1; 64]].concat());
        let private = encode_base64url(&[9; 32]);
        let cases: Vec<(&str, Result<(), &str>)> = vec![
            (VALID, Ok(())),
            (&padded, Ok(())),
            (&standard, Ok(())),
            ("  BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U\n", Ok(())),
            ("", Err("empty")),
            ("BEl6", Err("3 bytes, expected 65")),
            (&VALID[..80], Err("60 bytes, expected 65")),
            (&compressed, Err("compressed")),
            (&wrong_prefix, Err("starts with 0x05")),
            (&private, Err("private key")),
            (
                "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8!",
                Err("'!' at position 86"),
            ),
            ("BEl62iUY gUivx", Err("' ' at position 8")),
            ("BEl62iUY\tgUivx", Err("byte 0x09 at position 8")),
            ("A", Err("not a valid base64 length")),
            ("BEl6===", Err("padding")),
        ];
        for (input, expected) in cases {
            match expected {
                Ok(()) => {
                    let key = ApplicationServerKey::from_base64url(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
                    assert_eq!(key.to_base64url(), VALID, "{input:?}");
                }
                Err(part) => {
                    let why = reason(input);
                    assert!(why.contains(part), "{input:?}: {why:?} lacks {part:?}");
                }
            }
        }
    }

    #[test]
    fn base64url_round_trips_every_length() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        for n in 0..bytes.len() {
            let text = encode_base64url(&bytes[..n]);
            assert!(!text.contains('='));
            assert_eq!(decode_base64url(&text).unwrap(), &bytes[..n], "length {n}");
        }
    }
}
