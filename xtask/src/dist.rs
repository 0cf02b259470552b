//! `cargo xtask dist`: the release artefacts in `target/dist` (the worker, the window-side
//! package, the demo page), wasm-bindgen, wasm-opt and esbuild applied, with their sizes.

use crate::{root, run, say, setup, wasm_release_build, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) struct Artefact {
    path: PathBuf,
}

/// Builds the worker (shim, glue, wasm) and the window-side package into `target/dist`.
pub(crate) fn dist(tools: &setup::WasmTools) -> Result<Vec<Artefact>> {
    let out = root().join("target/dist");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    say("building the worker, the window-side package and the demo page for wasm32 (profile wasm-release)");
    run(wasm_release_build().args(["-p", "wasm-push-sw", "-p", "wasm-push-demo-app"]))?;
    // Its own build: features unify within one cargo invocation, and the window package must
    // not be measured with the demo's `yew` feature switched on.
    run(wasm_release_build().args(["-p", "wasm-push", "--example", "window_package"]))?;
    let built = root().join("target/wasm32-unknown-unknown/wasm-release");
    // The worker is a classic script (importScripts works in every browser) and, in `module/`,
    // an ES module for module workers; the pages are modules.
    // The worker's glue is only a part: it ships inside the bundles below.
    let parts = root().join("target/dist-parts");
    let _ = std::fs::remove_dir_all(&parts);
    let module = out.join("module");
    for (crate_file, target, name, glue_dir, wasm_dir) in [
        ("wasm_push_sw.wasm", "no-modules", "wasm_push_sw", parts.clone(), out.clone()),
        ("wasm_push_sw.wasm", "web", "wasm_push_sw", parts.join("module"), module.clone()),
        ("examples/window_package.wasm", "web", "wasm_push_window", out.clone(), out.clone()),
        ("wasm_push_demo_app.wasm", "web", "app", out.clone(), out.clone()),
    ] {
        say(&format!("wasm-bindgen --target {target} {crate_file}"));
        wasm_bindgen(tools, &built.join(crate_file), target, name, &glue_dir)?;
        let wasm = wasm_dir.join(format!("{name}_bg.wasm"));
        std::fs::create_dir_all(&wasm_dir).map_err(|e| e.to_string())?;
        std::fs::rename(glue_dir.join(format!("{name}_bg.wasm")), &wasm).map_err(|e| format!("{name}: {e}"))?;
        wasm_opt(tools, &wasm)?;
        // The glue as wasm-bindgen writes it is a third of the worker; minified it is half that.
        minify(tools, &glue_dir.join(format!("{name}.js")))?;
    }
    bundle_worker(tools, &parts.join("wasm_push_sw.js"), &out)?;
    say("esbuild --bundle module/push.mjs");
    std::fs::copy(root().join("sw/listeners.js"), parts.join("listeners.js"))
        .map_err(|e| format!("copy listeners.js: {e}"))?;
    std::fs::copy(root().join("sw/push.mjs"), parts.join("module/push.mjs"))
        .map_err(|e| format!("copy push.mjs: {e}"))?;
    run(Command::new(&tools.esbuild)
        .arg(parts.join("module/push.mjs"))
        .args(["--bundle", "--format=esm", "--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", module.join("push.mjs").display())))?;

    let mut artefacts: Vec<Artefact> = [&out, &module]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).into_iter().flatten().flatten())
        .map(|entry| Artefact { path: entry.path() })
        .filter(|artefact| artefact.path.is_file())
        .collect();
    artefacts.sort_by(|a, b| a.path.cmp(&b.path));
    print_sizes(&artefacts)?;
    Ok(artefacts)
}

/// `wasm-bindgen --target <target> --out-name <name>` of a built wasm32 file into `dir`.
pub(crate) fn wasm_bindgen(tools: &setup::WasmTools, built: &Path, target: &str, name: &str, dir: &Path) -> Result {
    run(Command::new(&tools.wasm_bindgen)
        .arg(built)
        .args(["--target", target, "--no-typescript", "--out-name", name, "--out-dir"])
        .arg(dir))
}

/// `wasm-opt -Oz`, in place.
pub(crate) fn wasm_opt(tools: &setup::WasmTools, wasm: &Path) -> Result {
    say(&format!("wasm-opt -Oz {}", wasm.display()));
    run(Command::new("node")
        .arg(&tools.wasm_opt)
        .arg(wasm)
        .arg("-Oz")
        // The features rustc emits for wasm32 by default; every current browser has them.
        .args([
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
            "-o",
        ])
        .arg(wasm))
}

/// `esbuild --minify`, in place.
pub(crate) fn minify(tools: &setup::WasmTools, script: &Path) -> Result {
    say(&format!("esbuild --minify {}", script.display()));
    run(Command::new(&tools.esbuild)
        .arg(script)
        .args(["--minify", "--log-level=warning", "--allow-overwrite"])
        .arg(format!("--outfile={}", script.display())))
}

/// The classic worker's two entry scripts, each one file: `push.js` is `listeners.js`, the glue
/// and `sw/push.js`; `sw.js` is that and `sw/sw.js`. Both sources skip their imports when the
/// glue is already there, so they work the same served apart (a worker of one's own).
fn bundle_worker(tools: &setup::WasmTools, glue: &Path, out: &Path) -> Result {
    let read = |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
    let push = [read(&root().join("sw/listeners.js"))?, read(glue)?, read(&root().join("sw/push.js"))?].join("\n");
    for (name, text) in [("push.js", push.clone()), ("sw.js", push + "\n" + &read(&root().join("sw/sw.js"))?)] {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{name}: {e}"))?;
        minify(tools, &path)?;
    }
    Ok(())
}

/// The files of the default worker as shipped, of the drop-in for a worker a site has, and of
/// the window-side package.
pub(crate) const WORKER_FILES: [&str; 2] = ["sw.js", "wasm_push_sw_bg.wasm"];
pub(crate) const DROP_IN_FILES: [&str; 2] = ["push.js", "wasm_push_sw_bg.wasm"];
pub(crate) const WINDOW_FILES: [&str; 2] = ["wasm_push_window.js", "wasm_push_window_bg.wasm"];

/// Raw, gzip (level 9) and brotli (quality 11) sizes of a file.
fn sizes(path: &Path) -> Result<[usize; 3]> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok([bytes.len(), gzip_len(&bytes), brotli_len(&bytes)])
}

/// The summed sizes of some files of `dir`.
pub(crate) fn total_sizes(dir: &Path, files: &[&str]) -> Result<[usize; 3]> {
    let mut total = [0usize; 3];
    for file in files {
        for (sum, size) in total.iter_mut().zip(sizes(&dir.join(file))?) {
            *sum += size;
        }
    }
    Ok(total)
}

fn print_sizes(artefacts: &[Artefact]) -> Result {
    println!("\n{:<32} {:>10} {:>10} {:>10}", "file (target/dist)", "raw", "gzip", "brotli");
    for artefact in artefacts {
        let [raw, gzip, brotli] = sizes(&artefact.path)?;
        let dist = root().join("target/dist");
        let name = artefact.path.strip_prefix(&dist).unwrap_or(&artefact.path).display().to_string();
        println!("{name:<32} {raw:>10} {gzip:>10} {brotli:>10}");
    }
    let dist = root().join("target/dist");
    for (label, files) in
        [("worker as shipped (2 files)", &WORKER_FILES[..]), ("window-side package (2 files)", &WINDOW_FILES[..])]
    {
        let [raw, gzip, brotli] = total_sizes(&dist, files)?;
        println!("{label:<32} {raw:>10} {gzip:>10} {brotli:>10}");
    }
    println!();
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory").len()
}

fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out.len()
}
