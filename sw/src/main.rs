//! `cargo wasm-push build | shim | --version | --help`: see the crate's documentation.

use cargo_wasm_push::{say, shim, Build, Worker};
use std::path::PathBuf;

const BUILD: &str = "  build   build the worker into a folder: sw.js, push.js, module/push.mjs, wasm_push_sw_bg.wasm
            --out <dir>             where (default: dist); other files there are left alone
            --worker <package>      your worker crate (a cdylib calling wasm_push::export_worker!);
                                    default: the ready-made worker (settings from sw.js?title=…)
            --manifest-path <path>  the project's Cargo.toml (default: the one around here)
            --wasm-push-path <dir>  build the ready-made worker from this wasm-push source";
const SHIM: &str = "  shim    write push.js without a glue inside, for a glue built some other way (Trunk's
          data-type=\"worker\"): it imports <glue>.js named by self.wasmPush.glue
            --out <dir>             where (default: dist)";

/// The usage of one command, or of all (`None`).
fn usage(command: Option<&str>) -> String {
    let commands = match command {
        Some("build") => BUILD.to_owned(),
        Some("shim") => SHIM.to_owned(),
        _ => format!("{BUILD}\n{SHIM}\n  --version  this command's version (the wasm-push runtime it matches)"),
    };
    format!("usage: cargo wasm-push {} [options]\n\n{commands}", command.unwrap_or("<command>"))
}

fn main() {
    // `cargo wasm-push build` runs `cargo-wasm-push wasm-push build`.
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("wasm-push") {
        args.remove(0);
    }
    if let Err(message) = command(&args) {
        eprintln!("cargo-wasm-push: {message}");
        std::process::exit(1);
    }
}

fn command(args: &[String]) -> Result<(), String> {
    let (command, options) = args.split_first().ok_or_else(|| usage(None))?;
    match command.as_str() {
        "--version" | "-V" => {
            println!("cargo-wasm-push {}", env!("CARGO_PKG_VERSION"));
            return Ok(());
        }
        "--help" | "-h" | "help" => {
            println!("{}", usage(options.first().map(String::as_str)));
            return Ok(());
        }
        "build" | "shim" => {}
        other => return Err(format!("unknown command {other}\n\n{}", usage(None))),
    }
    let usage = || usage(Some(command));
    if options.iter().any(|option| option == "--help" || option == "-h") {
        println!("{}", usage());
        return Ok(());
    }
    let mut build = Build::new("dist");
    for pair in options.chunks(2) {
        let [flag, value] = pair else { return Err(format!("{} needs a value\n\n{}", pair[0], usage())) };
        match flag.as_str() {
            "--out" => build.out = PathBuf::from(value),
            "--worker" if command == "build" => build.worker = Worker::Package(value.clone()),
            "--manifest-path" if command == "build" => build.manifest_path = Some(value.into()),
            "--wasm-push-path" if command == "build" => build.wasm_push_path = Some(value.into()),
            _ => return Err(format!("unknown option {flag}\n\n{}", usage())),
        }
    }
    if command == "build" {
        return build.run().map(drop);
    }
    std::fs::create_dir_all(&build.out).map_err(|e| format!("cannot create {}: {e}", build.out.display()))?;
    let files = [("push.js", shim::standalone_push()), ("wasm-push.d.ts", shim::TYPES.to_owned())];
    for (name, text) in files {
        let path = build.out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        say(&format!("wrote {}", path.display()));
    }
    Ok(())
}
