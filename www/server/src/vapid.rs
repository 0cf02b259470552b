//! The server's VAPID key pair: made on first start, kept in the data directory.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use std::path::Path;

pub struct Vapid {
    /// base64url of the 32-byte private scalar, as the `web-push` crate takes it.
    pub private: String,
    /// base64url of the 65-byte public point: the browsers' `applicationServerKey`.
    pub public: String,
}

impl Vapid {
    /// Reads `vapid.json` in `dir`, or makes a new pair and writes it (readable by the owner only).
    pub fn load_or_create(dir: &Path) -> std::io::Result<Vapid> {
        let path = dir.join("vapid.json");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let saved: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
            if let Some(private) = saved["private"].as_str() {
                return Self::from_private(private)
                    .ok_or_else(|| std::io::Error::other(format!("{}: not a P-256 private key", path.display())));
            }
        }
        let vapid = loop {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
            // All but a vanishing share of 32-byte strings are valid scalars.
            if let Some(vapid) = Self::from_private(&URL_SAFE_NO_PAD.encode(bytes)) {
                break vapid;
            }
        };
        let saved = serde_json::json!({"private": vapid.private, "public": vapid.public});
        std::fs::write(&path, saved.to_string())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(vapid)
    }

    fn from_private(private: &str) -> Option<Vapid> {
        let secret = p256::SecretKey::from_slice(&URL_SAFE_NO_PAD.decode(private).ok()?).ok()?;
        let public = URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes());
        Some(Vapid { private: private.to_owned(), public })
    }
}
