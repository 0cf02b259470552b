//! The service worker's own files: the JavaScript the platform forces (`shim/`: the listeners
//! and the three entry scripts' tails), the ready-made worker's Rust half (`ready-made/lib.rs`),
//! and how a worker folder's scripts are put together from them and wasm-bindgen's glue.
//!
//! ```
//! use cargo_wasm_push::shim;
//! let scripts = shim::scripts("let wasm_bindgen;", &shim::integrity(b"\0asm"));
//! assert_eq!(scripts[1].0, "sw.js");
//! ```

/// Adds the listeners synchronously and hands events to Rust (`self.wasmPushListen`).
///
/// ```
/// assert!(!cargo_wasm_push::shim::LISTENERS.is_empty());
/// ```
pub const LISTENERS: &str = include_str!("../shim/listeners.js");
/// The classic entry: imports the listeners and the glue when they are not in front of it.
///
/// ```
/// assert!(!cargo_wasm_push::shim::PUSH.is_empty());
/// ```
pub const PUSH: &str = include_str!("../shim/push.js");
/// The ready-made worker's own lines: `push.js`, then taking over at once.
///
/// ```
/// assert!(!cargo_wasm_push::shim::SW.is_empty());
/// ```
pub const SW: &str = include_str!("../shim/sw.js");
/// The module entry's tail (for a worker registered with `type: 'module'`).
///
/// ```
/// assert!(!cargo_wasm_push::shim::PUSH_MJS.is_empty());
/// ```
pub const PUSH_MJS: &str = include_str!("../shim/push.mjs");
/// The ready-made worker's Rust half: the runtime with its settings read from the worker
/// script's URL. `cargo wasm-push build` builds it as a crate of its own.
///
/// ```
/// assert!(cargo_wasm_push::shim::READY_MADE.contains("export_worker!"));
/// ```
pub const READY_MADE: &str = include_str!("../ready-made/lib.rs");
/// TypeScript declarations of `self.wasmPush` and the worker's settings, for JavaScript users;
/// written beside the scripts as `wasm-push.d.ts`.
///
/// ```
/// assert!(!cargo_wasm_push::shim::TYPES.is_empty());
/// ```
pub const TYPES: &str = include_str!("../shim/wasm-push.d.ts");

/// The scripts of a worker folder, from wasm-bindgen's no-modules glue and the [`integrity`] of
/// the wasm it was built with: `push.js` (the integrity, listeners, glue, push tail), `sw.js`
/// (that, and the worker's own lines) and `module/push.mjs` (the integrity, listeners, glue,
/// module tail). The glue goes in as `self.wasmPushGlue`, a function that makes a fresh copy of
/// it, so the listeners can start a fresh instance after a trap. Concatenation is enough: each
/// tail skips its imports when what they would import is already in front of it. The listeners
/// fetch, keep and run only the wasm of that integrity, under a cache named by it; and each
/// new wasm makes a new worker script, which browsers install.
///
/// ```
/// let scripts = cargo_wasm_push::shim::scripts("let wasm_bindgen;", "sha256-AAAA");
/// assert_eq!(scripts.iter().map(|(name, _)| *name).collect::<Vec<_>>(), ["push.js", "sw.js", "module/push.mjs"]);
/// assert!(scripts[1].1.ends_with(cargo_wasm_push::shim::SW));
/// assert!(scripts[0].1.starts_with("self.wasmPushVersion = 'sha256-AAAA';"));
/// assert!(scripts[2].1.starts_with("self.wasmPushVersion = 'sha256-AAAA';"));
/// assert!(scripts[0].1.contains("self.wasmPushGlue = () => {\nlet wasm_bindgen;\nreturn wasm_bindgen;\n};"));
/// ```
pub fn scripts(glue: &str, integrity: &str) -> [(&'static str, String); 3] {
    let version = format!("self.wasmPushVersion = '{integrity}';");
    // A function that makes a fresh copy of the glue, for a fresh instance after a trap.
    let glue = format!("self.wasmPushGlue = () => {{\n{glue}\nreturn wasm_bindgen;\n}};");
    let glue = glue.as_str();
    let push = [version.as_str(), LISTENERS, glue, PUSH].join("\n");
    let sw = [push.as_str(), SW].join("\n");
    let module = [version.as_str(), LISTENERS, glue, PUSH_MJS].join("\n");
    [("push.js", push), ("sw.js", sw), ("module/push.mjs", module)]
}

/// The subresource integrity of a built wasm, `sha256-` and the base64 of its SHA-256 digest: the
/// value the listeners give `fetch` as `integrity`, so the browser refuses any other bytes.
///
/// ```
/// // The digest of no bytes, as `openssl dgst -sha256 -binary | base64` gives it.
/// assert_eq!(cargo_wasm_push::shim::integrity(b""), "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
/// assert_ne!(cargo_wasm_push::shim::integrity(b"\0asm1"), cargo_wasm_push::shim::integrity(b"\0asm2"));
/// ```
pub fn integrity(wasm: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    format!("sha256-{}", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(wasm)))
}

/// The version of a built wasm: 16 hex digits of a 64-bit FNV-1a hash of its bytes, so the
/// same wasm always has the same version and any change gives another.
///
/// ```
/// assert_eq!(cargo_wasm_push::shim::version(b"\0asm"), cargo_wasm_push::shim::version(b"\0asm"));
/// assert_ne!(cargo_wasm_push::shim::version(b"\0asm1"), cargo_wasm_push::shim::version(b"\0asm2"));
/// assert_eq!(cargo_wasm_push::shim::version(b"").len(), 16);
/// ```
pub fn version(wasm: &[u8]) -> String {
    let hash = wasm
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

/// `push.js` without a glue inside: for a glue built some other way (a Trunk
/// `data-type="worker"` build, say), which it imports by the name in `self.wasmPush.glue`.
///
/// ```
/// assert!(cargo_wasm_push::shim::standalone_push().contains("wasmPushListen"));
/// ```
pub fn standalone_push() -> String {
    [LISTENERS, PUSH].join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_listeners_are_at_most_sixty_lines_of_code() {
        let code = super::LISTENERS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")).count();
        assert!(
            code <= 60,
            "sw/shim/listeners.js has {code} lines of code: the JavaScript is only what the platform forces"
        );
    }
}
