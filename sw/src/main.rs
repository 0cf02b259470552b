//! `cargo wasm-push build | shim`: see the crate's documentation.

use cargo_wasm_push::{say, shim, Build, Worker};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// `cargo wasm-push …` runs `cargo-wasm-push wasm-push …`: cargo's own name comes first.
#[derive(Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::Styles::plain())]
enum Cargo {
    WasmPush(WasmPush),
}

/// Builds the push service worker of a Rust web app that uses wasm-push.
#[derive(Args)]
#[command(version, name = "cargo-wasm-push", bin_name = "cargo wasm-push")]
struct WasmPush {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the worker into a folder: sw.js, push.js, module/push.mjs, wasm_push_sw_bg.wasm
    Build {
        /// Where (other files there are left alone)
        #[arg(long, value_name = "dir", default_value = "dist")]
        out: PathBuf,
        /// Your worker crate (a cdylib calling wasm_push::export_worker!); default: the
        /// ready-made worker (settings from sw.js?title=…)
        #[arg(long, value_name = "package")]
        worker: Option<String>,
        /// The project's Cargo.toml (default: the one around here)
        #[arg(long, value_name = "path")]
        manifest_path: Option<PathBuf>,
        /// Build the ready-made worker from this wasm-push source
        #[arg(long, value_name = "dir")]
        wasm_push_path: Option<PathBuf>,
    },
    /// Write push.js without a glue inside, for a glue built some other way (Trunk's
    /// data-type="worker"): it imports <glue>.js named by self.wasmPush.glue
    Shim {
        /// Where
        #[arg(long, value_name = "dir", default_value = "dist")]
        out: PathBuf,
    },
}

fn main() {
    if let Err(error) = run() {
        // The error and what the build was doing, on one line.
        eprintln!("cargo-wasm-push: {error:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    // Run as `cargo-wasm-push build` too, without cargo in front.
    let mut args: Vec<_> = std::env::args_os().collect();
    if args.get(1).is_none_or(|first| first != "wasm-push") {
        args.insert(1, "wasm-push".into());
    }
    let Cargo::WasmPush(WasmPush { command }) = Cargo::parse_from(args);
    match command {
        Command::Build { out, worker, manifest_path, wasm_push_path } => {
            let mut build = Build::new(out);
            build.worker = worker.map_or(Worker::ReadyMade, Worker::Package);
            build.manifest_path = manifest_path;
            build.wasm_push_path = wasm_push_path;
            build.run().map(drop)
        }
        Command::Shim { out } => {
            std::fs::create_dir_all(&out).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
            for (name, text) in [("push.js", shim::standalone_push()), ("wasm-push.d.ts", shim::TYPES.to_owned())] {
                let path = out.join(name);
                std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                say(&format!("wrote {}", path.display()));
            }
            Ok(())
        }
    }
}
