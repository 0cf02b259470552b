//! `cargo xtask dist`: the release artefacts in `target/dist` (the worker, the window-side
//! package, the demo page), with their sizes. The worker is built as `cargo wasm-push build`
//! builds a user's: the same library (`sw/`), one pipeline.

use crate::{root, run, say, setup, wasm_release_build, Result};
use cargo_wasm_push::{print_sizes, Build, SHIPPED_WORKER};
use std::path::PathBuf;

/// Builds the worker (`sw.js`, `push.js`, `module/push.mjs`, its wasm), the window-side package
/// and the demo page into `target/dist`.
pub(crate) fn dist(tools: &setup::WasmTools) -> Result<Vec<PathBuf>> {
    let out = root().join("target/dist");
    let _ = std::fs::remove_dir_all(&out);

    say("building the ready-made worker as `cargo wasm-push build` does");
    let (worker, _) = Build { manifest_path: Some(root().join("Cargo.toml")), ..Build::new(&out) }.compile()?;
    let mut files = cargo_wasm_push::worker_folder(tools, &worker, &out)?;

    say("building the window-side package and the demo page for wasm32 (size-first profile)");
    run(wasm_release_build().args(["-p", "wasm-push-demo-app"]))?;
    // Its own build: features unify within one cargo invocation, and the window package must
    // not be measured with the demo's `yew` feature switched on.
    run(wasm_release_build().args(["-p", "wasm-push", "--example", "window_package"]))?;
    let built = crate::wasm_built();
    for (crate_file, name) in [("examples/window_package.wasm", "wasm_push_window"), ("wasm_push_demo_app.wasm", "app")]
    {
        tools.bindgen(&built.join(crate_file), "web", name, &out)?;
        tools.optimize(&out.join(format!("{name}_bg.wasm")), Some(&out.join(format!("{name}.js"))))?;
        // The glue as wasm-bindgen writes it is a third of the package; minified it is half that.
        tools.minify(&out.join(format!("{name}.js")))?;
        files.extend([out.join(format!("{name}.js")), out.join(format!("{name}_bg.wasm"))]);
    }
    files.sort();
    print_sizes(
        &out,
        &files,
        &[
            ("worker as shipped, all a push loads (2 files)", &SHIPPED_WORKER[..]),
            ("window-side package (2 files)", &WINDOW_FILES[..]),
        ],
    )?;
    Ok(files)
}

/// The files of the drop-in for a worker a site has, and of the window-side package.
pub(crate) const DROP_IN_FILES: [&str; 2] = ["push.js", "wasm_push_sw_bg.wasm"];
pub(crate) const WINDOW_FILES: [&str; 2] = ["wasm_push_window.js", "wasm_push_window_bg.wasm"];
