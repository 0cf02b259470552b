//! Skipping a recipe's build when nothing it reads changed since it last built: a warm
//! `cargo xtask test` otherwise re-runs Trunk, dx and cargo-leptos (and their wasm-bindgen and
//! wasm-opt) on the same sources every time. A fresh clone has no fingerprints, so CI always
//! builds.

use crate::{root, Result};
use anyhow::Context as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

/// What a recipe's build reads, as one number: the contents of the tracked and new files of
/// its folder and of the crate it builds against (`src/`, `sw/`, the root's manifest and
/// lockfile), every step's command line and PATH, and the contents of each program on that PATH
/// that this repository built or installed (`target/`) and of each step's program. A new Rust
/// toolchain is not seen: after `rustup update`, remove `target/recipes/fingerprints`.
pub(crate) struct Fingerprint {
    recipe: String,
    value: String,
}

impl Fingerprint {
    pub(crate) fn of(recipe: &str, path: &std::ffi::OsStr, steps: &[(&Path, &[&str])]) -> Result<Fingerprint> {
        let mut hasher = DefaultHasher::new();
        let folder = format!("examples/{recipe}");
        let listed = std::process::Command::new("git")
            .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--"])
            .args([folder.as_str(), "src", "sw", "Cargo.toml", "Cargo.lock"])
            .current_dir(root())
            .output()
            .context("git ls-files")?;
        anyhow::ensure!(listed.status.success(), "git ls-files failed");
        for file in listed.stdout.split(|&b| b == 0).filter(|name| !name.is_empty()) {
            file.hash(&mut hasher);
            let name = String::from_utf8_lossy(file).into_owned();
            // A tracked file deleted in the working copy hashes as absent.
            std::fs::read(root().join(&name)).ok().hash(&mut hasher);
        }
        path.hash(&mut hasher);
        for (program, args) in steps {
            program.hash(&mut hasher);
            args.hash(&mut hasher);
            stamp(program).hash(&mut hasher);
            // `cargo wasm-push`, `cargo leptos`: the subcommand's program, as cargo finds it.
            if let Some(sub) = args.first().filter(|_| program == &Path::new("cargo")) {
                let found =
                    std::env::split_paths(path).map(|dir| dir.join(format!("cargo-{sub}"))).find(|p| p.exists());
                found.as_deref().and_then(stamp).hash(&mut hasher);
            }
        }
        for dir in std::env::split_paths(path).filter(|dir| dir.starts_with(root().join("target"))) {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|entries| entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect())
                .unwrap_or_default();
            entries.sort();
            for entry in entries {
                entry.hash(&mut hasher);
                stamp(&entry).hash(&mut hasher);
            }
        }
        Ok(Fingerprint { recipe: recipe.to_owned(), value: format!("{:016x}", hasher.finish()) })
    }

    /// Whether the recipe last built from exactly this, and each of `outputs` is still there.
    pub(crate) fn unchanged(&self, outputs: &[PathBuf]) -> bool {
        let last = std::fs::read_to_string(self.file()).unwrap_or_default();
        last == self.value && outputs.iter().all(|output| output.exists())
    }

    /// Forgets the recipe's last build: called before building, so a build that fails half-way
    /// is built again next time.
    pub(crate) fn forget(&self) -> Result {
        match std::fs::remove_file(self.file()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Notes that the recipe built from this.
    pub(crate) fn built(&self) -> Result {
        std::fs::create_dir_all(self.file().parent().unwrap_or(Path::new(".")))?;
        std::fs::write(self.file(), &self.value)?;
        Ok(())
    }

    fn file(&self) -> PathBuf {
        root().join("target/recipes/fingerprints").join(&self.recipe)
    }
}

/// A program's contents, as a number (nothing for a name found on PATH, like `cargo`, whose
/// PATH is hashed instead). Not its time: `cargo install` writes the same program anew on every
/// run.
fn stamp(program: &Path) -> Option<u64> {
    let bytes = std::fs::read(program).ok()?;
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    Some(hasher.finish())
}
