//! RFC 8292 VAPID: the app server proves it holds the key the subscription was made with.

use axum::http::HeaderMap;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use std::time::{SystemTime, UNIX_EPOCH};

/// Why a push was refused.
#[derive(Debug)]
pub enum Rejection {
    /// 401: no token, or one that does not verify.
    Unauthorized(String),
    /// 403: a valid token for another key than the subscription's.
    WrongKey,
}

/// Base64url with or without padding, as browsers and libraries send keys.
pub fn decode_key(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
        .filter(|k| k.len() == 65 && k[0] == 4)
}

/// Checks `Authorization: vapid t=<jwt>, k=<key>` (RFC 8292) or the older
/// `Authorization: WebPush <jwt>` with `Crypto-Key: p256ecdsa=<key>`.
pub fn verify(headers: &HeaderMap, subscription_key: &[u8], audience: &str) -> Result<(), Rejection> {
    let unauthorized = |why: &str| Rejection::Unauthorized(why.to_owned());
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("missing Authorization header"))?;
    let (token, key) = if let Some(params) = strip_scheme(authorization, "vapid") {
        let mut token = None;
        let mut key = None;
        for part in params.split(',') {
            match part.trim().split_once('=') {
                Some(("t", value)) => token = Some(value.trim()),
                Some(("k", value)) => key = Some(value.trim()),
                _ => {}
            }
        }
        (token, key)
    } else if let Some(token) = strip_scheme(authorization, "webpush") {
        let key = headers
            .get("crypto-key")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').find_map(|p| p.trim().strip_prefix("p256ecdsa=")));
        (Some(token.trim()), key)
    } else {
        return Err(unauthorized("Authorization is neither vapid nor WebPush"));
    };
    let token = token.ok_or_else(|| unauthorized("no token (t=)"))?;
    let key = key.and_then(decode_key).ok_or_else(|| unauthorized("no valid public key (k=)"))?;

    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(unauthorized("the token is not a JWS"));
    };
    let header: serde_json::Value = decode_json(header).ok_or_else(|| unauthorized("bad JWT header"))?;
    if header["alg"] != "ES256" {
        return Err(unauthorized("the token's alg is not ES256"));
    }
    let verifying_key = VerifyingKey::from_sec1_bytes(&key).map_err(|_| unauthorized("k is not a P-256 point"))?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .ok()
        .and_then(|s| Signature::from_slice(&s).ok())
        .ok_or_else(|| unauthorized("bad signature encoding"))?;
    let signed = &token[..token.rfind('.').unwrap_or(token.len())];
    verifying_key.verify(signed.as_bytes(), &signature).map_err(|_| unauthorized("the signature does not verify"))?;

    let claims: serde_json::Value = decode_json(claims).ok_or_else(|| unauthorized("bad JWT claims"))?;
    // Exactly the origin, port included, as Mozilla's service checks it (autopush-rs: the
    // endpoint URL's `origin().ascii_serialization()`).
    if claims["aud"] != audience {
        return Err(unauthorized("aud is not this push service's origin"));
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    match claims["exp"].as_u64() {
        Some(exp) if exp > now && exp <= now + 24 * 3600 => {}
        _ => return Err(unauthorized("exp is missing, past, or more than 24 hours ahead")),
    }
    if key != subscription_key {
        return Err(Rejection::WrongKey);
    }
    Ok(())
}

fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (name, rest) = value.trim().split_once(' ')?;
    name.eq_ignore_ascii_case(scheme).then_some(rest)
}

fn decode_json(part: &str) -> Option<serde_json::Value> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}
