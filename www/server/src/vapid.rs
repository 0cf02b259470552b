//! The demo's VAPID key pair: made on first start, kept in the data directory.

use std::path::Path;
use wasm_push::server::VapidKeys;

/// Reads `vapid.json` in `dir`, or makes a new pair and writes it (readable by the owner only).
pub fn load_or_create(dir: &Path) -> std::io::Result<VapidKeys> {
    let path = dir.join("vapid.json");
    let other = |why: String| std::io::Error::other(format!("{}: {why}", path.display()));
    if let Ok(text) = std::fs::read_to_string(&path) {
        let saved: serde_json::Value = serde_json::from_str(&text).map_err(|e| other(e.to_string()))?;
        if let Some(private) = saved["private"].as_str() {
            return VapidKeys::from_private(private).map_err(|e| other(e.to_string()));
        }
    }
    let keys = VapidKeys::generate().map_err(|e| other(e.to_string()))?;
    let saved = serde_json::json!({"private": keys.private_base64url(), "public": keys.public_key().to_base64url()});
    std::fs::write(&path, saved.to_string())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(keys)
}
