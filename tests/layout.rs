//! The rules ARCHITECTURE.md states about `src/`, checked so they stay true: the window side and
//! the worker import nothing from each other, `shared/` touches no browser, target gates stand
//! only in `lib.rs` and the `mod.rs` files, and the map names every file in its room's row; and
//! the top level is the design's folders, with
//! the worker's deliverable (its command and shim) in `sw/`.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

/// Every Rust file of a room, its subfolders' too.
fn sources(room: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, files: &mut Vec<(PathBuf, String)>) {
        for path in std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().path()) {
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(room), &mut files);
    files.sort();
    files
}

/// The lines of code (not comments) that mention `needle`.
fn mentions(files: &[(PathBuf, String)], needle: &str) -> Vec<String> {
    files
        .iter()
        .flat_map(|(path, text)| {
            text.lines()
                .filter(|line| !line.trim_start().starts_with("//") && line.contains(needle))
                .map(move |line| format!("{}: {}", path.display(), line.trim()))
        })
        .collect()
}

#[test]
fn every_source_file_is_on_the_architecture_map_in_its_rooms_row() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut rooms: Vec<String> = std::fs::read_dir(root.join("src"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    rooms.sort();
    let mut missing = Vec::new();
    for room in &rooms {
        let row_start = format!("| `{room}/` |");
        let row = map.lines().find(|line| line.starts_with(&row_start)).unwrap_or_else(|| panic!("no row for {room}/"));
        // The row's own files, and each subfolder's: "`hooks/` (… `yew.rs` …)".
        let (mut own, mut folders) = (String::new(), Vec::new());
        let mut rest = row;
        while let Some(at) = rest.find("/` (") {
            let name_start = rest[..at].rfind('`').unwrap() + 1;
            own.push_str(&rest[..name_start]);
            let inside = &rest[at + 4..];
            let mut depth = 1;
            let close = inside
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(inside.len(), |(i, _)| i);
            folders.push((rest[name_start..at].to_owned(), &inside[..close]));
            rest = &inside[close..];
        }
        own.push_str(rest);
        for (path, _) in sources(room) {
            let relative = path.strip_prefix(root.join("src").join(room)).unwrap();
            let name = format!("`{}`", relative.file_name().unwrap().to_string_lossy());
            let named = match relative.parent().and_then(Path::to_str).filter(|folder| !folder.is_empty()) {
                Some(folder) => folders.iter().any(|(f, text)| f == folder && text.contains(&name)),
                // A room's `mod.rs` is the room itself.
                None => name == "`mod.rs`" || own.contains(&name),
            };
            if !named {
                missing.push(path.display().to_string());
            }
        }
    }
    assert_eq!(missing, Vec::<String>::new(), "files ARCHITECTURE.md's map does not name in their room's row");
}

#[test]
fn the_window_side_and_the_worker_import_nothing_from_each_other() {
    assert_eq!(mentions(&sources("worker"), "window::"), Vec::<String>::new());
    assert_eq!(mentions(&sources("window"), "worker::"), Vec::<String>::new());
}

#[test]
fn the_server_side_touches_no_browser_and_neither_side_reaches_into_it() {
    for browser in ["wasm_bindgen", "web_sys", "js_sys", "crate::js", "crate::window", "crate::worker"] {
        assert_eq!(mentions(&sources("server"), browser), Vec::<String>::new(), "{browser}");
    }
    for room in ["window", "worker", "js", "shared"] {
        assert_eq!(mentions(&sources(room), "crate::server"), Vec::<String>::new(), "{room}");
    }
}

#[test]
fn shared_types_touch_no_browser() {
    for browser in ["wasm_bindgen", "web_sys", "js_sys", "crate::js", "crate::window", "crate::worker"] {
        assert_eq!(mentions(&sources("shared"), browser), Vec::<String>::new(), "{browser}");
    }
}

#[test]
fn target_gates_stand_only_in_lib_rs_and_mod_rs() {
    for room in ["", "shared", "js", "window", "worker", "testing", "server"] {
        let files = sources(room);
        let gated: Vec<String> = mentions(&files, "cfg(target_arch")
            .into_iter()
            .chain(mentions(&files, "cfg(not(target_arch"))
            .chain(mentions(&files, "cfg(all(target_arch"))
            .filter(|line| !line.contains("lib.rs:") && !line.contains("mod.rs:"))
            .collect();
        assert_eq!(gated, Vec::<String>::new());
    }
}

#[test]
fn the_top_level_folders_are_the_designs_rooms() {
    // The folders with files in the repository: what a run leaves behind (`target`, the demo's
    // `wasm-push-data`) is not the design's.
    let out = std::process::Command::new("git")
        .args(["ls-files"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git, to list the repository's files");
    let files = String::from_utf8_lossy(&out.stdout);
    let mut folders: Vec<&str> = files
        .lines()
        .filter_map(|path| path.split_once('/').map(|(folder, _)| folder))
        .filter(|folder| !folder.starts_with('.'))
        .collect();
    folders.sort();
    folders.dedup();
    // The crate (src), the worker's deliverable (sw), the demo (www), the tests; the recipes and
    // the project's own commands.
    assert_eq!(folders, ["examples", "src", "sw", "tests", "www", "xtask"]);
}

#[test]
fn the_worker_deliverable_holds_its_shim_and_the_command() {
    let sw = Path::new(env!("CARGO_MANIFEST_DIR")).join("sw");
    let manifest = std::fs::read_to_string(sw.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"cargo-wasm-push\""), "sw/ is the crate cargo-wasm-push");
    let shim = std::fs::read_to_string(sw.join("src/shim.rs")).unwrap();
    for file in ["../shim/listeners.js", "../shim/push.js", "../shim/sw.js", "../shim/push.mjs", "../ready-made/lib.rs"]
    {
        assert!(shim.contains(&format!("include_str!(\"{file}\")")), "sw/src/shim.rs embeds {file}");
    }
}

#[test]
fn the_worker_runtime_imports_no_event_file() {
    let runtime = sources("worker").into_iter().filter(|(path, _)| path.ends_with("runtime.rs")).collect::<Vec<_>>();
    for event in ["push::", "click::", "resubscribe::", "receipts::", "clients::"] {
        assert_eq!(mentions(&runtime, event), Vec::<String>::new(), "runtime.rs reaches into an event's file");
    }
    // One way to the worker's global scope, `js::worker_scope`.
    let everywhere: Vec<_> = ["worker", "testing", "js"].into_iter().flat_map(sources).collect();
    let casts: Vec<_> =
        mentions(&everywhere, "fn scope()").into_iter().chain(mentions(&everywhere, "fn worker_scope()")).collect();
    assert_eq!(casts.len(), 1, "{casts:?}");
}

#[test]
fn the_framework_hooks_live_together_under_window_hooks() {
    let all = sources("");
    for framework in ["yew::", "leptos::", "dioxus_core::", "dioxus_hooks::", "dioxus_signals::"] {
        let outside: Vec<_> = mentions(&all, framework)
            .into_iter()
            .filter(|line| {
                !line.contains("src/window/hooks/") && !line.contains("lib.rs:") && !line.contains("window/mod.rs:")
            })
            .collect();
        assert_eq!(outside, Vec::<String>::new(), "{framework}");
    }
}

#[test]
fn the_sender_builds_without_openssl_native_tls_or_pkg_config() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["tree", "-p", "wasm-push", "--features", "server,axum", "-e", "normal,build", "--prefix", "none"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.lines().any(|line| line.starts_with("rustls ")), "the sender's TLS is rustls:\n{tree}");
    for system in ["openssl", "openssl-sys", "native-tls", "pkg-config"] {
        let found: Vec<&str> = tree.lines().filter(|line| line.split(' ').next() == Some(system)).collect();
        assert_eq!(found, Vec::<&str>::new(), "{system} is back in the sender's dependencies");
    }
}
