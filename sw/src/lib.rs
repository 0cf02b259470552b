//! `cargo wasm-push`: builds the service worker of a Rust web app that uses
//! [wasm-push](https://docs.rs/wasm-push), with no JavaScript tooling.
//!
//! ```text
//! cargo install cargo-wasm-push
//! cargo wasm-push build --out dist                       # the ready-made worker
//! cargo wasm-push build --worker my-worker --out dist    # your own (`export_worker!`)
//! ```
//!
//! `build` writes `sw.js` (the worker), `push.js` (for a worker a site has already, with
//! `importScripts`), `module/push.mjs` (for a module worker) and `wasm_push_sw_bg.wasm`, the one
//! wasm they all load and check against the digest written into them, and prints each file's
//! size. It builds with a size-first profile, runs wasm-bindgen at exactly
//! the version the project's `Cargo.lock` pins (found on `PATH`, else installed with
//! `cargo install`), then wasm-opt and esbuild when they are on `PATH` (saying so when not). The
//! JavaScript it puts around the glue travels inside it ([`shim`], the files of `shim/` beside
//! this crate's sources, `include_str!`'d), so the shim always matches the runtime of the same
//! version; it warns when the project's `wasm-push` is another version. The ready-made worker's
//! Rust half travels the same way ([`shim::READY_MADE`]).
//!
//! The same steps are a library, which the wasm-push repository's `cargo xtask dist` uses:
//!
//! ```no_run
//! let files = cargo_wasm_push::Build::new("dist").run()?;
//! # Ok::<(), anyhow::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use anyhow::Context as _;

mod build;
mod compiler;
mod names;
mod project;
pub mod shim;
mod sizes;
mod tools;

pub use build::{worker_folder, Build, Worker, GLUE, PROFILE, SHIPPED_WORKER};
pub use compiler::Compiler;
pub use names::rename_in_glue;
pub use project::locked_version;
pub use sizes::{print_sizes, sizes, total_sizes};
pub use tools::Tools;

/// What went wrong, with what the build was doing when it did (`{:#}` prints the chain on one
/// line).
///
/// ```
/// let failed: cargo_wasm_push::Result = Err(anyhow::anyhow!("wasm-bindgen failed"));
/// ```
pub type Result<T = ()> = anyhow::Result<T>;

/// One line of what the command does.
///
/// ```
/// cargo_wasm_push::say("building the ready-made worker");
/// ```
pub fn say(text: &str) {
    println!("[wasm-push] {text}");
}

/// The bytes of `path`, or an error naming it.
pub(crate) fn read(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| path.display().to_string())
}
