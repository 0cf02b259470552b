//! `cargo wasm-push build`: a deployable worker folder from the ready-made worker or a worker
//! crate of one's own. The same steps build `target/dist` in the wasm-push repository.

use crate::project::{locked_version, Project};
use crate::tools::run;
use crate::{read, say, shim, Compiler, Result, Tools};
use anyhow::{anyhow, Context as _};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The profile every shipped wasm is built with: size first, since every visitor downloads
/// the worker. Given to cargo as `--config`, so a project needs no profile of its own.
///
/// ```
/// // What it builds is in target/wasm32-unknown-unknown/wasm-push/.
/// assert_eq!(cargo_wasm_push::PROFILE, "wasm-push");
/// ```
pub const PROFILE: &str = "wasm-push";
pub(crate) const PROFILE_SETTINGS: [&str; 6] = [
    "inherits=\"release\"",
    "opt-level=\"z\"",
    "lto=true",
    "codegen-units=1",
    "panic=\"abort\"",
    "strip=\"debuginfo\"",
];

/// The base name of the worker's glue and wasm (`wasm_push_sw_bg.wasm`), which the shim loads
/// unless told another (`self.wasmPush.glue`).
///
/// ```
/// assert_eq!(format!("{}_bg.wasm", cargo_wasm_push::GLUE), "wasm_push_sw_bg.wasm");
/// ```
pub const GLUE: &str = "wasm_push_sw";

/// Which worker to build.
///
/// ```
/// let own = cargo_wasm_push::Worker::Package("my-worker".into());
/// assert_ne!(own, cargo_wasm_push::Worker::ReadyMade);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Worker {
    /// The ready-made worker: settings from its script URL, no hooks.
    ReadyMade,
    /// A package of the project that calls `wasm_push::export_worker!` (a `cdylib`).
    Package(String),
}

/// What `cargo wasm-push build` is asked for.
///
/// ```no_run
/// use cargo_wasm_push::{Build, Worker};
/// let build = Build { worker: Worker::Package("my-worker".into()), ..Build::new("dist") };
/// # let _ = build;
/// ```
#[derive(Debug, Clone)]
pub struct Build {
    /// The worker.
    pub worker: Worker,
    /// The folder the worker's files are written into (other files there are left alone).
    pub out: PathBuf,
    /// The project's `Cargo.toml` (default: the project around the current folder, if any).
    pub manifest_path: Option<PathBuf>,
    /// A `wasm-push` source folder to build the ready-made worker from (default: the project's
    /// `wasm-push`, else this command's own version from crates.io).
    pub wasm_push_path: Option<PathBuf>,
}

impl Build {
    /// The ready-made worker, into `out`.
    ///
    /// ```no_run
    /// let files = cargo_wasm_push::Build::new("dist").run()?;
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn new(out: impl Into<PathBuf>) -> Build {
        Build { worker: Worker::ReadyMade, out: out.into(), manifest_path: None, wasm_push_path: None }
    }

    /// Builds the worker for wasm32 with the size-first profile, finds the tools for the
    /// lockfile's wasm-bindgen, writes the worker folder and prints each file's size.
    ///
    /// ```no_run
    /// let files = cargo_wasm_push::Build::new("dist").run()?;
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn run(&self) -> Result<Vec<PathBuf>> {
        let (wasm, lock) = self.compile()?;
        let tools = Tools::find(&locked_version(&lock, "wasm-bindgen")?)?;
        let files = worker_folder(&tools, &wasm, &self.out)?;
        crate::print_sizes(&self.out, &files, &[("worker as shipped (2 files)", &SHIPPED_WORKER[..])])?;
        Ok(files)
    }

    /// Builds the worker's wasm; answers where it is and the lockfile it was built with.
    ///
    /// ```no_run
    /// let (wasm, lock) = cargo_wasm_push::Build::new("dist").compile()?;
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn compile(&self) -> Result<(PathBuf, PathBuf)> {
        let project = Project::read(self.manifest_path.as_deref())?;
        let own = env!("CARGO_PKG_VERSION");
        if let Some((version, _)) = project.as_ref().and_then(|p| p.wasm_push.as_ref()) {
            if version != own {
                say(&format!(
                    "warning: the project uses wasm-push {version}, this command is {own}: its shim may not match \
                     that runtime. `cargo install cargo-wasm-push --version {version}` gives the matching one"
                ));
            }
        }
        wasm32_target()?;
        let target_dir = project.as_ref().map_or_else(
            || std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from),
            |p| p.target_dir.clone(),
        );
        let compiler = Compiler::find();
        let built = compiler.built(&target_dir);
        match &self.worker {
            Worker::Package(package) => {
                let project = project.context("no Cargo project here: a worker crate needs one (--manifest-path)")?;
                let name = project.cdylib(package)?;
                say(&format!("building {package} for wasm32 (profile {PROFILE})"));
                run(compiler
                    .build(&target_dir)
                    .args(["--lib", "-p", package, "--manifest-path"])
                    .arg(project.root.join("Cargo.toml")))?;
                Ok((built.join(format!("{name}.wasm")), project.root.join("Cargo.lock")))
            }
            Worker::ReadyMade => {
                let source = match (&self.wasm_push_path, project.as_ref().and_then(|p| p.wasm_push.clone())) {
                    (Some(path), _) => Dependency::Path(std::path::absolute(path)?),
                    (None, Some((_, Some(path)))) => Dependency::Path(path),
                    (None, Some((version, None))) => Dependency::Version(version),
                    (None, None) => Dependency::Version(own.to_owned()),
                };
                let lock = project.as_ref().map(|p| p.root.join("Cargo.lock")).filter(|lock| lock.exists());
                say(&format!("building the ready-made worker for wasm32 (profile {PROFILE}) against {source}"));
                let dir = ready_made_crate(&target_dir, &source, lock.as_deref())?;
                run(compiler.build(&target_dir).arg("--manifest-path").arg(dir.join("Cargo.toml")))?;
                Ok((built.join("wasm_push_ready_made.wasm"), dir.join("Cargo.lock")))
            }
        }
    }
}

/// The files of the worker as shipped: what a visitor's browser downloads, and all a cold push
/// loads.
///
/// ```
/// assert_eq!(cargo_wasm_push::SHIPPED_WORKER, ["sw.js", "wasm_push_sw_bg.wasm"]);
/// ```
pub const SHIPPED_WORKER: [&str; 2] = ["sw.js", GLUE_WASM];

/// The worker folder from a built worker's wasm: `sw.js`, `push.js`, `module/push.mjs`,
/// `wasm_push_sw_bg.wasm` and `wasm-push.d.ts` (types for JavaScript users), written into `out` (other files there are left alone). Answers
/// the files written. The folder is kept beside the wasm, so the same wasm with the same tools
/// and shim is copied from there, no tool run.
///
/// ```no_run
/// let tools = cargo_wasm_push::Tools::find("0.2.130")?;
/// let files = cargo_wasm_push::worker_folder(&tools, "target/my_worker.wasm".as_ref(), "dist".as_ref())?;
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn worker_folder(tools: &Tools, wasm: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    // The same wasm with the same tools and shim gives the same folder: kept beside the wasm
    // under a key of all three, so a rebuild that changed nothing (`trunk serve`) skips
    // wasm-bindgen, wasm-opt and esbuild and costs only cargo's time.
    let (kept, stem) = kept_folder(tools, wasm)?;
    if kept.is_dir() {
        say(&format!("{} unchanged: the worker folder as built before ({})", wasm.display(), kept.display()));
        return copy_folder(&kept, out, &FOLDER_FILES);
    }
    let files = build_folder(tools, wasm, out)?;
    // One kept folder per wasm: the one of its last build.
    let prefix = format!("{stem}.wasm-push-");
    if let Some(entries) = wasm.parent().and_then(|dir| std::fs::read_dir(dir).ok()) {
        for entry in entries.flatten().filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with(&prefix))) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let partial = kept.with_extension("partial");
    copy_folder(out, &partial, &FOLDER_FILES)?;
    std::fs::rename(&partial, &kept).with_context(|| kept.display().to_string())?;
    Ok(files)
}

/// Where the worker folder of `wasm` built with `tools` is kept: beside it, named by a hash of
/// the wasm, the tools and the shim; and the wasm's file stem.
fn kept_folder(tools: &Tools, wasm: &Path) -> Result<(PathBuf, String)> {
    let built = read(wasm)?;
    let inputs = format!("{tools:?}{}{}{}{}{}", shim::LISTENERS, shim::PUSH, shim::SW, shim::PUSH_MJS, shim::TYPES);
    let key = shim::version(&[built.as_slice(), inputs.as_bytes()].concat());
    let stem = wasm.file_stem().and_then(|s| s.to_str()).unwrap_or("worker").to_owned();
    Ok((wasm.with_file_name(format!("{stem}.wasm-push-{key}")), stem))
}

/// The files [`worker_folder`] writes, relative to its folder.
const FOLDER_FILES: [&str; 5] = ["push.js", "sw.js", "module/push.mjs", GLUE_WASM, "wasm-push.d.ts"];
const GLUE_WASM: &str = "wasm_push_sw_bg.wasm";

/// `names` from `from` into `to` (made if needed); answers the files written.
fn copy_folder(from: &Path, to: &Path, names: &[&str]) -> Result<Vec<PathBuf>> {
    let mut files = vec![];
    for name in names {
        let (source, target) = (from.join(name), to.join(name));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::copy(&source, &target).with_context(|| format!("{} to {}", source.display(), target.display()))?;
        files.push(target);
    }
    Ok(files)
}

fn build_folder(tools: &Tools, wasm: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out.join("module")).with_context(|| format!("cannot create {}", out.display()))?;
    tools.bindgen(wasm, "no-modules", GLUE, out)?;
    let shipped = out.join(GLUE_WASM);
    let glue_file = out.join(format!("{GLUE}.js"));
    tools.optimize(&shipped, Some(&glue_file))?;
    // The glue ships inside each entry script, not beside them.
    let glue = std::fs::read_to_string(&glue_file).with_context(|| glue_file.display().to_string())?;
    exports_worker(&glue).map_err(|missing| {
        anyhow!(
            "{} exports no worker ({missing} is missing): its lib.rs must call wasm_push::export_worker!(…), \
             without which every push would show only the fallback",
            wasm.display()
        )
    })?;
    std::fs::remove_file(&glue_file).with_context(|| glue_file.display().to_string())?;
    // The scripts name the digest of these bytes, the last change made to them: they fetch,
    // keep and run no other.
    let integrity = shim::integrity(&read(&shipped)?);
    let mut files = vec![];
    for (name, text) in shim::scripts(&glue, &integrity) {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| path.display().to_string())?;
        tools.minify(&path)?;
        files.push(path);
    }
    files.push(shipped);
    let types = out.join("wasm-push.d.ts");
    std::fs::write(&types, shim::TYPES).with_context(|| types.display().to_string())?;
    files.push(types);
    Ok(files)
}

/// Whether wasm-bindgen's glue has every entry point the listeners call: `Err` names the first
/// one missing (a `cdylib` that never called `export_worker!` builds all the same, to nothing).
fn exports_worker(glue: &str) -> std::result::Result<(), &'static str> {
    let entries = ["on_push", "on_notification_click", "on_notification_close", "on_push_subscription_change"];
    match entries.into_iter().find(|entry| !glue.contains(&format!("function {entry}("))) {
        Some(missing) => Err(missing),
        None => Ok(()),
    }
}

/// Where the ready-made worker's `wasm-push` comes from.
enum Dependency {
    Path(PathBuf),
    Version(String),
}

impl std::fmt::Display for Dependency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dependency::Path(path) => write!(f, "wasm-push at {}", path.display()),
            Dependency::Version(version) => write!(f, "wasm-push {version}"),
        }
    }
}

/// The ready-made worker as a crate of its own, in `<target>/wasm-push/ready-made`: its source
/// travels in this command,
/// its `wasm-push` is the project's, and it starts from the project's lockfile, so it builds with
/// the same versions (wasm-bindgen's above all).
fn ready_made_crate(target_dir: &Path, source: &Dependency, lock: Option<&Path>) -> Result<PathBuf> {
    let dir = target_dir.join("wasm-push").join("ready-made");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let wasm_push = match source {
        Dependency::Path(path) => format!("{{ path = {:?} }}", path.display().to_string()),
        Dependency::Version(version) => format!("{{ version = \"={version}\" }}"),
    };
    let manifest = format!(
        "# Written by cargo-wasm-push {}: the ready-made worker, built as its own crate.\n\
         [package]\nname = \"wasm-push-ready-made\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [lib]\ncrate-type = [\"cdylib\"]\npath = \"lib.rs\"\n\n\
         [dependencies]\nwasm-push = {wasm_push}\nwasm-bindgen = \"0.2\"\nlol_alloc = \"0.4\"\n\n\
         # Its own workspace, even inside another's target folder.\n[workspace]\n",
        env!("CARGO_PKG_VERSION")
    );
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        // Unchanged files keep their times, so cargo sees nothing new.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            std::fs::write(&path, text).with_context(|| path.display().to_string())?;
        }
        anyhow::Ok(())
    };
    write("Cargo.toml", &manifest)?;
    write("lib.rs", shim::READY_MADE)?;
    if let Some(lock) = lock {
        let text = std::fs::read_to_string(lock).with_context(|| lock.display().to_string())?;
        write("Cargo.lock", &text)?;
    }
    Ok(dir)
}

/// Adds the wasm32 target with rustup when it is missing, saying so.
fn wasm32_target() -> Result {
    let Ok(out) = Command::new("rustup").args(["target", "list", "--installed"]).output() else {
        return Ok(()); // No rustup: cargo will say if the target is missing.
    };
    if String::from_utf8_lossy(&out.stdout).lines().any(|line| line.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    say("installing the wasm32-unknown-unknown target (rustup target add)");
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_crate_that_never_called_export_worker_is_refused_naming_what_is_missing() {
        let worker = ["on_push", "on_notification_click", "on_notification_close", "on_push_subscription_change"]
            .map(|entry| {
                format!("function {entry}(event) {{ return wasm.{entry}(event); }}\n__exports.{entry} = {entry};")
            })
            .join("\n");
        assert_eq!(exports_worker(&worker), Ok(()));
        // A crate with other exports only: `on_push_subscription_change` alone does not pass for `on_push`.
        let other = "function greet() {}\n__exports.greet = greet;\nfunction on_push_subscription_change(e) {}";
        assert_eq!(exports_worker(other), Err("on_push"));
        assert_eq!(exports_worker(""), Err("on_push"));
    }

    #[test]
    fn the_glues_wasm_has_the_glues_name() {
        assert_eq!(GLUE_WASM, format!("{GLUE}_bg.wasm"));
    }

    #[test]
    fn an_unchanged_wasm_gets_its_kept_folder_without_running_a_tool_and_a_changed_one_is_built() {
        let dir = std::env::temp_dir().join(format!("wasm-push-kept-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let wasm = dir.join("worker.wasm");
        std::fs::write(&wasm, b"\0asm one").unwrap();
        // No such tools: any step that runs one fails.
        let tools = Tools { wasm_bindgen: dir.join("no-wasm-bindgen"), wasm_opt: None, minifier: None };
        assert!(worker_folder(&tools, &wasm, &dir.join("out")).is_err(), "nothing kept yet: it builds");
        let (kept, _) = kept_folder(&tools, &wasm).unwrap();
        for name in FOLDER_FILES {
            std::fs::create_dir_all(kept.join(name).parent().unwrap()).unwrap();
            std::fs::write(kept.join(name), format!("kept {name}")).unwrap();
        }
        let files = worker_folder(&tools, &wasm, &dir.join("out")).unwrap();
        assert_eq!(files.len(), FOLDER_FILES.len());
        assert_eq!(std::fs::read_to_string(dir.join("out/module/push.mjs")).unwrap(), "kept module/push.mjs");
        std::fs::write(&wasm, b"\0asm two").unwrap();
        assert!(worker_folder(&tools, &wasm, &dir.join("out")).is_err(), "a changed wasm is built again");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
