//! The project a build is for, read with `cargo metadata`: where it builds, which `wasm-push` it
//! depends on, and its worker crates; and the lockfile's pinned versions.

use crate::Result;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A Cargo project, as `cargo metadata` describes it.
#[derive(Debug, Clone)]
pub(crate) struct Project {
    /// Its workspace root, where its `Cargo.lock` is.
    pub root: PathBuf,
    /// Where cargo builds.
    pub target_dir: PathBuf,
    /// The `wasm-push` it depends on: its version, and its folder unless it is crates.io's
    /// release of that version (a path, a git checkout, a `[patch]`, another registry).
    pub wasm_push: Option<(String, Option<PathBuf>)>,
    metadata: Value,
}

impl Project {
    /// `cargo metadata` of the project whose manifest is `manifest` (or the one around the
    /// current folder); `None` when there is no Cargo project (a plain site).
    pub fn read(manifest: Option<&Path>) -> Result<Option<Project>> {
        let mut command = Command::new(cargo());
        command.args(["metadata", "--format-version", "1"]);
        if let Some(manifest) = manifest {
            command.arg("--manifest-path").arg(manifest);
        } else if !Path::new("Cargo.toml").exists() && locate().is_none() {
            return Ok(None);
        }
        let out = command.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run cargo metadata: {e}"))?;
        if !out.status.success() {
            return Err("cargo metadata failed (above)".into());
        }
        let metadata: Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
        let path = |key: &str| metadata[key].as_str().map(PathBuf::from).ok_or(format!("cargo metadata has no {key}"));
        let wasm_push = wasm_push_of(&metadata);
        Ok(Some(Project { root: path("workspace_root")?, target_dir: path("target_directory")?, wasm_push, metadata }))
    }

    /// The library name of `package`'s `cdylib` target (what its `.wasm` is called).
    pub fn cdylib(&self, package: &str) -> Result<String> {
        let members = self.metadata["workspace_members"].as_array().cloned().unwrap_or_default();
        let found = self.metadata["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == package && members.contains(&p["id"]))
            .ok_or(format!("no package {package} in the workspace at {}", self.root.display()))?;
        found["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|target| target["crate_types"].as_array().is_some_and(|types| types.iter().any(|t| t == "cdylib")))
            .and_then(|target| target["name"].as_str())
            .map(|name| name.replace('-', "_"))
            .ok_or(format!("{package} has no cdylib target: add `[lib] crate-type = [\"cdylib\"]` to its Cargo.toml"))
    }
}

/// The `wasm-push` in `cargo metadata`'s packages: its version, and its folder unless it comes
/// from crates.io. A git dependency or a `[patch]` carries the version number of a release it
/// may differ from, so only crates.io's own package is named by its version.
fn wasm_push_of(metadata: &Value) -> Option<(String, Option<PathBuf>)> {
    const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";
    let package = metadata["packages"].as_array()?.iter().find(|p| p["name"] == "wasm-push")?;
    let version = package["version"].as_str().unwrap_or_default().to_owned();
    let folder = (package["source"].as_str() != Some(CRATES_IO))
        .then(|| package["manifest_path"].as_str().map(Path::new).and_then(Path::parent).map(Path::to_owned))
        .flatten();
    Some((version, folder))
}

/// `cargo locate-project`'s answer, when there is a project around the current folder.
fn locate() -> Option<String> {
    let out = Command::new(cargo()).arg("locate-project").stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The version of `name` that the lockfile at `lock` pins (the first, when it pins several).
///
/// ```
/// let lock = std::env::temp_dir().join("cargo-wasm-push-doc.lock");
/// std::fs::write(&lock, "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n").unwrap();
/// assert_eq!(cargo_wasm_push::locked_version(&lock, "wasm-bindgen").unwrap(), "0.2.130");
/// ```
pub fn locked_version(lock: &Path, name: &str) -> Result<String> {
    let text = std::fs::read_to_string(lock).map_err(|e| format!("{}: {e}", lock.display()))?;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{name}\"") {
            if let Some(version) = lines.next().and_then(|l| l.trim().strip_prefix("version = ")) {
                return Ok(version.trim_matches('"').to_owned());
            }
        }
    }
    Err(format!("{} pins no {name}", lock.display()))
}

/// The cargo that runs this command (`cargo wasm-push` sets `CARGO`), else the one on PATH.
pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_crates_ios_release_is_built_by_version_and_every_other_source_from_its_folder() {
        let metadata = |source: Value, manifest: &str| {
            serde_json::json!({"packages": [
                {"name": "serde", "version": "1.0.0", "source": "registry+https://github.com/rust-lang/crates.io-index", "manifest_path": "/r/serde/Cargo.toml"},
                {"name": "wasm-push", "version": "0.1.0", "source": source, "manifest_path": manifest},
            ]})
        };
        let crates_io =
            metadata("registry+https://github.com/rust-lang/crates.io-index".into(), "/r/wasm-push-0.1.0/Cargo.toml");
        assert_eq!(wasm_push_of(&crates_io), Some(("0.1.0".into(), None)));
        for (source, manifest, folder) in [
            (Value::Null, "/work/wasm-push/Cargo.toml", "/work/wasm-push"),
            (
                "git+https://github.com/someone/wasm-push?branch=fix#0123abcd".into(),
                "/g/checkouts/wasm-push-1/0123abc/Cargo.toml",
                "/g/checkouts/wasm-push-1/0123abc",
            ),
            ("sparse+https://registry.example/index/".into(), "/r2/wasm-push-0.1.0/Cargo.toml", "/r2/wasm-push-0.1.0"),
        ] {
            assert_eq!(
                wasm_push_of(&metadata(source.clone(), manifest)),
                Some(("0.1.0".into(), Some(folder.into()))),
                "{source}"
            );
        }
        assert_eq!(wasm_push_of(&serde_json::json!({"packages": []})), None);
    }
}
