//! The JavaScript the platform forces, carried inside the command (`include_str!`): the
//! listeners, and the tails of the three entry scripts. Each script the command writes is these
//! pieces and the glue, put one after the other.

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
/// assert!(!cargo_wasm_push::shim::PUSH_MODULE.is_empty());
/// ```
pub const PUSH_MODULE: &str = include_str!("../shim/push.mjs");
/// TypeScript declarations of `self.wasmPush` and the worker's settings, for JavaScript users;
/// written beside the scripts as `wasm-push.d.ts`.
///
/// ```
/// assert!(!cargo_wasm_push::shim::TYPES.is_empty());
/// ```
pub const TYPES: &str = include_str!("../shim/wasm-push.d.ts");

/// The scripts of a worker folder, from wasm-bindgen's no-modules glue and the version of the
/// wasm beside them ([`version`]): `push.js` (the version, listeners, glue, push tail), `sw.js`
/// (that, and the worker's own lines) and `module/push.mjs` (the version, listeners, glue,
/// module tail). Concatenation is enough: each tail skips its imports when what they would
/// import is already in front of it. The version names the cache the wasm is kept in, and
/// makes each new wasm a new worker script, which browsers install.
///
/// ```
/// let scripts = cargo_wasm_push::scripts("let wasm_bindgen;", "0123abcd");
/// assert_eq!(scripts.iter().map(|(name, _)| *name).collect::<Vec<_>>(), ["push.js", "sw.js", "module/push.mjs"]);
/// assert!(scripts[1].1.ends_with(cargo_wasm_push::shim::SW));
/// assert!(scripts[0].1.starts_with("self.wasmPushVersion = '0123abcd';"));
/// ```
pub fn scripts(glue: &str, version: &str) -> [(&'static str, String); 3] {
    let version = format!("self.wasmPushVersion = '{version}';");
    let push = [version.as_str(), LISTENERS, glue, PUSH].join("\n");
    let sw = [push.as_str(), SW].join("\n");
    let module = [version.as_str(), LISTENERS, glue, PUSH_MODULE].join("\n");
    [("push.js", push), ("sw.js", sw), ("module/push.mjs", module)]
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
