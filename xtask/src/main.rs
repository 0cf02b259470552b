//! `cargo xtask demo | test | dist | bench`: the project's commands. `demo` and `test` install
//! what they need and skip what is there, saying what they do; `dist` and `bench` check, and say
//! in one line what is missing and how to get it.

mod bench;
mod benchmarks;
mod dist;
mod sending;
mod setup;
mod site;
mod test;
mod unchanged;

use anyhow::{bail, Context as _};
pub(crate) use cargo_wasm_push::{total_sizes, SHIPPED_WORKER};
pub(crate) use dist::WINDOW_FILES;
pub(crate) use site::{site, site_variant};
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) type Result<T = ()> = anyhow::Result<T>;

/// The project's own commands: `demo` and `test` install what they need, saying so; `dist` and
/// `bench` check and say what is missing.
#[derive(clap::Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", styles = clap::builder::Styles::plain())]
enum Xtask {
    /// Build the wasm and serve www/ on http://127.0.0.1:8080
    Demo,
    /// Run every test: native, then the browser suites in headless Chromium and Firefox ESR
    Test,
    /// Build the release artefacts into target/dist and print their sizes
    Dist,
    /// Measure the shipped worker against a hand-written JavaScript one; writes BENCHMARKS.md
    Bench {
        /// DevTools traces of three cold pushes instead, for Perfetto
        #[arg(long, conflicts_with = "sending")]
        trace: bool,
        /// Only the sending benchmark (the fan-out against node web-push), its section rewritten
        #[arg(long)]
        sending: bool,
    },
}

fn main() {
    let result = match <Xtask as clap::Parser>::parse() {
        Xtask::Demo => site::demo(),
        Xtask::Test => test::all(),
        Xtask::Dist => setup::Setup::checking().wasm_tools().and_then(|tools| dist::dist(&tools)).map(|_| ()),
        Xtask::Bench { trace: true, .. } => bench::trace(),
        Xtask::Bench { sending: true, .. } => sending::only(),
        Xtask::Bench { .. } => bench::run(),
    };
    if let Err(error) = result {
        // The error and what the command was doing, on one line.
        eprintln!("xtask: {error:#}");
        std::process::exit(1);
    }
}

/// The workspace root (xtask lives one level below it).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_owned()
}

pub(crate) fn say(text: &str) {
    println!("[xtask] {text}");
}

/// Runs a command (in the workspace root unless it names a folder), streaming its output;
/// fails when it fails.
pub(crate) fn run(command: &mut Command) -> Result {
    let shown = format!("{command:?}").replace('"', "");
    if command.get_current_dir().is_none() {
        command.current_dir(root());
    }
    let status = command.status().with_context(|| format!("could not start {shown}"))?;
    if status.success() {
        Ok(())
    } else {
        bail!("{shown} failed ({status})")
    }
}

pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// `cargo build` for wasm32 with `cargo wasm-push`'s size-first profile and toolchain (the
/// worker, the pages, the examples the tests and the benchmark ship).
pub(crate) fn wasm_release_build() -> Command {
    cargo_wasm_push::Compiler::find().build(&root().join("target"))
}

/// Where [`wasm_release_build`] puts what it builds.
pub(crate) fn wasm_built() -> PathBuf {
    cargo_wasm_push::Compiler::find().built(&root().join("target"))
}
