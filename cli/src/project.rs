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
    /// The `wasm-push` it depends on: its version, and its folder when a path dependency.
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
        let wasm_push =
            metadata["packages"].as_array().into_iter().flatten().find(|p| p["name"] == "wasm-push").map(|p| {
                let version = p["version"].as_str().unwrap_or_default().to_owned();
                // A path dependency has no source; its folder is its manifest's.
                let folder = p["source"].is_null().then(|| p["manifest_path"].as_str().map(Path::new)).flatten();
                (version, folder.and_then(Path::parent).map(Path::to_owned))
            });
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
