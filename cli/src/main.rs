//! `cargo wasm-push build | shim`: see the crate's documentation.

use cargo_wasm_push::{say, shim, Build, Worker};
use std::path::PathBuf;

const USAGE: &str = "usage: cargo wasm-push <command> [options]

  build   build the worker into a folder: sw.js, push.js, module/push.mjs, wasm_push_sw_bg.wasm
            --out <dir>             where (default: dist); other files there are left alone
            --worker <package>      your worker crate (a cdylib calling wasm_push::export_worker!);
                                    default: the ready-made worker (settings from sw.js?title=…)
            --manifest-path <path>  the project's Cargo.toml (default: the one around here)
            --wasm-push-path <dir>  build the ready-made worker from this wasm-push source
  shim    write push.js without a glue inside, for a glue built some other way (Trunk's
          data-type=\"worker\"): it imports <glue>.js named by self.wasmPush.glue
            --out <dir>             where (default: dist)";

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
    let (command, options) = args.split_first().ok_or(USAGE)?;
    let mut build = Build::new("dist");
    for pair in options.chunks(2) {
        let [flag, value] = pair else { return Err(format!("{} needs a value\n\n{USAGE}", pair[0])) };
        match flag.as_str() {
            "--out" => build.out = PathBuf::from(value),
            "--worker" if command == "build" => build.worker = Worker::Package(value.clone()),
            "--manifest-path" if command == "build" => build.manifest_path = Some(value.into()),
            "--wasm-push-path" if command == "build" => build.wasm_push_path = Some(value.into()),
            _ => return Err(format!("unknown option {flag}\n\n{USAGE}")),
        }
    }
    match command.as_str() {
        "build" => build.run().map(drop),
        "shim" => {
            std::fs::create_dir_all(&build.out).map_err(|e| format!("cannot create {}: {e}", build.out.display()))?;
            let files = [("push.js", shim::standalone_push()), ("wasm-push.d.ts", shim::TYPES.to_owned())];
            for (name, text) in files {
                let path = build.out.join(name);
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
                say(&format!("wrote {}", path.display()));
            }
            Ok(())
        }
        "--help" | "-h" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}
