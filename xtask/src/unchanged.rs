//! Skipping a build when nothing it reads changed since it last built, and what it built is as
//! it left it: a warm `cargo xtask test` otherwise re-runs Trunk, dx and cargo-leptos for the
//! recipes, and cargo, wasm-bindgen, wasm-opt and esbuild for the end-to-end sites, on the same
//! sources every time. A fresh clone has no fingerprints, so it builds everything; so does a
//! checkout without git.

use crate::{root, say, Result};
use anyhow::Context as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

/// What a recipe's build reads from the repository: all of `examples/` (a recipe may build
/// another example: Trunk's worker builds `tested-worker`) and the crate it builds against.
pub(crate) const RECIPE_SOURCES: [&str; 6] = ["examples", "src", "sw", "Cargo.toml", "Cargo.lock", ".cargo"];
/// What the end-to-end sites read: the same, the demo (its page and app), the tests' fixtures,
/// and xtask, which puts each site together.
pub(crate) const SITE_SOURCES: [&str; 9] =
    ["examples", "src", "sw", "Cargo.toml", "Cargo.lock", ".cargo", "www", "tests/e2e/fixtures", "xtask"];

/// What a build reads, as one number:
/// - the contents of the tracked and new files of its sources (folders and files of the
///   repository);
/// - every step's command line, PATH, and the contents of each program on that PATH that this
///   repository built or installed (`target/`) and of each step's program;
/// - the environment variables cargo, rustc, `cargo wasm-push`, Trunk, dx and cargo-leptos read,
///   cargo's configuration files outside the repository, and the stable and nightly compilers'
///   versions.
struct Fingerprint {
    /// What is built, as the messages name it (`examples/yew-trunk`, `the end-to-end sites`).
    name: String,
    inputs: u64,
    /// What `inputs` was made from, to make it again once the build is done.
    sources: Vec<String>,
    path: std::ffi::OsString,
    steps: Vec<(PathBuf, Vec<String>)>,
}

/// Runs `build`, which makes `outputs`, unless nothing it reads changed since it last built
/// and `outputs` are as that build left them ([`Fingerprint`]); `name` names it in what is said.
pub(crate) fn build_unless_unchanged(
    name: &str,
    sources: &[&str],
    path: &std::ffi::OsStr,
    steps: &[(&Path, &[&str])],
    outputs: &[PathBuf],
    build: impl FnOnce() -> Result,
) -> Result {
    let fingerprint = Fingerprint::of(name, sources, path, steps);
    if fingerprint.as_ref().is_some_and(|fingerprint| fingerprint.unchanged(outputs)) {
        say(&format!("{name}: nothing it reads changed since it was built, so it is not built again"));
        return Ok(());
    }
    if let Some(fingerprint) = &fingerprint {
        fingerprint.forget()?;
    }
    build()?;
    fingerprint.map_or(Ok(()), |fingerprint| fingerprint.built(outputs))
}

impl Fingerprint {
    /// `None`, saying why, when the inputs cannot be listed (no git): then it is built.
    fn of(name: &str, sources: &[&str], path: &std::ffi::OsStr, steps: &[(&Path, &[&str])]) -> Option<Fingerprint> {
        let sources: Vec<String> = sources.iter().map(|source| source.to_string()).collect();
        let steps: Vec<(PathBuf, Vec<String>)> = steps
            .iter()
            .map(|(program, args)| (program.to_path_buf(), args.iter().map(|arg| arg.to_string()).collect()))
            .collect();
        let path = path.to_owned();
        match inputs(&sources, &path, &steps) {
            Ok(inputs) => Some(Fingerprint { name: name.to_owned(), inputs, sources, path, steps }),
            Err(why) => {
                say(&format!("{name}: built, since what it reads cannot be listed ({why:#})"));
                None
            }
        }
    }

    /// Whether it last built from exactly this, and `outputs` are as that build left them (not
    /// rebuilt by hand, say with `trunk serve`, nor by `cargo xtask bench` or `demo`).
    fn unchanged(&self, outputs: &[PathBuf]) -> bool {
        let last = std::fs::read_to_string(self.file()).unwrap_or_default();
        outputs.iter().all(|output| output.exists()) && last == self.line(outputs)
    }

    /// Forgets the last build: called before building, so a build that fails half-way
    /// is built again next time.
    fn forget(&self) -> Result {
        match std::fs::remove_file(self.file()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Notes that it built from this into `outputs`, unless what it reads changed while it was
    /// built (a file edited then): then nothing is noted, and the next run builds it again.
    fn built(&self, outputs: &[PathBuf]) -> Result {
        if inputs(&self.sources, &self.path, &self.steps).ok() != Some(self.inputs) {
            say(&format!("{}: what it reads changed while it was built, so the next run builds it again", self.name));
            return Ok(());
        }
        std::fs::create_dir_all(self.file().parent().unwrap_or(Path::new(".")))?;
        std::fs::write(self.file(), self.line(outputs))?;
        Ok(())
    }

    fn line(&self, outputs: &[PathBuf]) -> String {
        let mut hasher = DefaultHasher::new();
        for output in outputs {
            tree(output, &mut hasher);
        }
        format!("{:016x} {:016x}", self.inputs, hasher.finish())
    }

    fn file(&self) -> PathBuf {
        root().join("target/fingerprints").join(self.name.replace(['/', ' '], "-"))
    }
}

fn inputs(sources: &[String], path: &std::ffi::OsStr, steps: &[(PathBuf, Vec<String>)]) -> Result<u64> {
    let mut hasher = DefaultHasher::new();
    let listed = std::process::Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--"])
        .args(sources)
        .current_dir(root())
        .output()
        .context("git ls-files")?;
    anyhow::ensure!(listed.status.success(), "git ls-files: {}", String::from_utf8_lossy(&listed.stderr).trim());
    for file in listed.stdout.split(|&b| b == 0).filter(|name| !name.is_empty()) {
        file.hash(&mut hasher);
        // A tracked file deleted in the working copy hashes as absent.
        std::fs::read(root().join(String::from_utf8_lossy(file).as_ref())).ok().hash(&mut hasher);
    }
    path.hash(&mut hasher);
    for (program, args) in steps {
        (program, args, contents(program)).hash(&mut hasher);
        // `cargo wasm-push`, `cargo leptos`: the subcommand's program, as cargo finds it.
        if let Some(sub) = args.first().filter(|_| program == Path::new("cargo")) {
            let found = std::env::split_paths(path).map(|dir| dir.join(format!("cargo-{sub}"))).find(|p| p.exists());
            found.as_deref().and_then(contents).hash(&mut hasher);
        }
    }
    for dir in std::env::split_paths(path).filter(|dir| dir.starts_with(root().join("target"))) {
        for entry in sorted_entries(&dir) {
            (&entry, contents(&entry)).hash(&mut hasher);
        }
    }
    // The tools `cargo wasm-push` takes from the environment first (`WASM_BINDGEN`, `WASM_OPT`,
    // `ESBUILD`), besides cargo's, rustc's and the recipes' tools' own variables.
    let mut read: Vec<(std::ffi::OsString, std::ffi::OsString)> = std::env::vars_os()
        .filter(|(name, _)| {
            let name = name.to_string_lossy();
            ["CARGO", "RUST", "TRUNK", "DX", "LEPTOS", "WASM_", "ESBUILD"].iter().any(|p| name.starts_with(p))
        })
        .collect();
    read.sort();
    read.hash(&mut hasher);
    // And the programs those name, by their contents: a tool upgraded in place keeps its path.
    for tool in ["WASM_BINDGEN", "WASM_OPT", "ESBUILD"] {
        std::env::var_os(tool).and_then(|program| contents(Path::new(&program))).hash(&mut hasher);
    }
    // Cargo's configuration outside the repository: in every folder above it, and in cargo's home.
    let root = root();
    let configs = root.ancestors().skip(1).map(|dir| dir.join(".cargo")).chain([crate::setup::cargo_home()]);
    for dir in configs {
        for name in ["config.toml", "config"] {
            std::fs::read(dir.join(name)).ok().hash(&mut hasher);
        }
    }
    for toolchain in [&["rustc", "-vV"][..], &["rustup", "run", "nightly", "rustc", "-vV"]] {
        let version = std::process::Command::new(toolchain[0]).args(&toolchain[1..]).output().ok();
        version.map(|out| out.stdout).hash(&mut hasher);
    }
    Ok(hasher.finish())
}

/// A program's contents, as a number (nothing for a name found on PATH, like `cargo`, whose
/// PATH is hashed instead). Not its time: `cargo install` writes the same program anew on every
/// run.
fn contents(program: &Path) -> Option<u64> {
    let bytes = std::fs::read(program).ok()?;
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    Some(hasher.finish())
}

/// Each file under `path` (or `path` itself): its name, size and modification time.
fn tree(path: &Path, hasher: &mut DefaultHasher) {
    let Ok(metadata) = std::fs::metadata(path) else { return };
    if metadata.is_dir() {
        for entry in sorted_entries(path) {
            tree(&entry, hasher);
        }
    } else {
        (path, metadata.len(), metadata.modified().ok()).hash(hasher);
    }
}

/// The paths in `dir`, sorted (none when it cannot be read).
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}
