//! The project a build is for, read with `cargo metadata`: where it builds, which `wasm-push` it
//! depends on, and its worker crates; and the lockfile's pinned versions.

use crate::Result;
use anyhow::{bail, Context as _};
use cargo_metadata::{Metadata, MetadataCommand, Package};
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
    metadata: Metadata,
}

impl Project {
    /// `cargo metadata` of the project whose manifest is `manifest` (or the one around the
    /// current folder); `None` when there is no Cargo project (a plain site).
    pub fn read(manifest: Option<&Path>) -> Result<Option<Project>> {
        let mut command = MetadataCommand::new();
        command.cargo_path(cargo());
        if let Some(manifest) = manifest {
            command.manifest_path(manifest);
        } else if !Path::new("Cargo.toml").exists() && locate().is_none() {
            return Ok(None);
        }
        let metadata = command.exec().context("cargo metadata")?;
        let wasm_push = metadata.packages.iter().find(|p| p.name.as_str() == "wasm-push").map(wasm_push_of);
        Ok(Some(Project {
            root: metadata.workspace_root.clone().into(),
            target_dir: metadata.target_directory.clone().into(),
            wasm_push,
            metadata,
        }))
    }

    /// The library name of `package`'s `cdylib` target (what its `.wasm` is called).
    pub fn cdylib(&self, package: &str) -> Result<String> {
        let found = self
            .metadata
            .workspace_packages()
            .into_iter()
            .find(|p| p.name.as_str() == package)
            .with_context(|| format!("no package {package} in the workspace at {}", self.root.display()))?;
        found
            .targets
            .iter()
            .find(|target| target.crate_types.iter().any(|kind| kind.to_string() == "cdylib"))
            .map(|target| target.name.replace('-', "_"))
            .with_context(|| {
                format!("{package} has no cdylib target: add `[lib] crate-type = [\"cdylib\"]` to its Cargo.toml")
            })
    }
}

/// The `wasm-push` package's version, and its folder unless it comes from crates.io. A git
/// dependency or a `[patch]` carries the version number of a release it may differ from, so
/// only crates.io's own package is named by its version.
fn wasm_push_of(package: &Package) -> (String, Option<PathBuf>) {
    let source = package.source.as_ref().map(|source| source.repr.as_str());
    let folder = package.manifest_path.parent().map(|folder| folder.as_std_path());
    release_or_folder(package.version.to_string(), source, folder)
}

/// A version from crates.io alone is its release; from anywhere else, it is its folder's source.
fn release_or_folder(version: String, source: Option<&str>, folder: Option<&Path>) -> (String, Option<PathBuf>) {
    const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";
    let folder = (source != Some(CRATES_IO)).then(|| folder.map(Path::to_owned)).flatten();
    (version, folder)
}

/// `cargo locate-project`'s answer, when there is a project around the current folder.
fn locate() -> Option<String> {
    let out = Command::new(cargo()).arg("locate-project").stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A lockfile, as far as this command reads it.
#[derive(serde::Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<Locked>,
}

/// One package a lockfile pins.
#[derive(serde::Deserialize)]
struct Locked {
    name: String,
    version: String,
}

/// The version of `name` that the lockfile at `lock` pins (the first, when it pins several).
///
/// ```
/// let lock = std::env::temp_dir().join("cargo-wasm-push-doc.lock");
/// std::fs::write(&lock, "version = 4\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n").unwrap();
/// assert_eq!(cargo_wasm_push::locked_version(&lock, "wasm-bindgen").unwrap(), "0.2.130");
/// ```
pub fn locked_version(lock: &Path, name: &str) -> Result<String> {
    let text = std::fs::read_to_string(lock).with_context(|| lock.display().to_string())?;
    let lockfile: Lockfile = toml::from_str(&text).with_context(|| lock.display().to_string())?;
    match lockfile.package.into_iter().find(|package| package.name == name) {
        Some(package) => Ok(package.version),
        None => bail!("{} pins no {name}", lock.display()),
    }
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
        let crates_io = Some("registry+https://github.com/rust-lang/crates.io-index");
        let folder = Path::new("/r/wasm-push-0.1.0");
        assert_eq!(release_or_folder("0.1.0".into(), crates_io, Some(folder)), ("0.1.0".into(), None));
        for (source, folder) in [
            (None, "/work/wasm-push"),
            (Some("git+https://github.com/someone/wasm-push?branch=fix#0123abcd"), "/g/checkouts/wasm-push-1/0123abc"),
            (Some("sparse+https://registry.example/index/"), "/r2/wasm-push-0.1.0"),
        ] {
            let read = release_or_folder("0.1.0".into(), source, Some(Path::new(folder)));
            assert_eq!(read, ("0.1.0".into(), Some(folder.into())), "{source:?}");
        }
    }

    #[test]
    fn a_lockfile_that_pins_no_such_package_or_is_not_toml_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join(format!("cargo-wasm-push-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lock = dir.join("Cargo.lock");
        std::fs::write(&lock, "version = 4\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\n").unwrap();
        let error = locked_version(&lock, "wasm-bindgen").unwrap_err().to_string();
        assert!(error.contains("pins no wasm-bindgen"), "{error}");
        std::fs::write(&lock, "name = \"wasm-bindgen\"\nversion = ").unwrap();
        let error = format!("{:#}", locked_version(&lock, "wasm-bindgen").unwrap_err());
        assert!(error.contains("Cargo.lock"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
