//! The programs a build runs: wasm-bindgen at exactly the version the lockfile pins, wasm-opt
//! when there is one new enough, and esbuild to minify when there is one. Each is looked for
//! first; only wasm-bindgen, which cannot be done without, is installed (`cargo install`).

use crate::{say, Result};
use anyhow::{anyhow, bail, Context as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The oldest wasm-opt that reads what rustc 1.82 and later write (Debian 12's 111 does not).
const OLDEST_WASM_OPT: u32 = 117;

/// The programs a build runs.
///
/// ```no_run
/// // What `cargo wasm-push build` does: look for each, installing wasm-bindgen when missing.
/// let tools = cargo_wasm_push::Tools::find("0.2.130")?;
/// # Ok::<(), anyhow::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Tools {
    /// `wasm-bindgen`, at the lockfile's version.
    pub wasm_bindgen: PathBuf,
    /// `wasm-opt`, when there is one new enough; without it the wasm ships as rustc made it.
    pub wasm_opt: Option<PathBuf>,
    /// `esbuild`, when there is one; without it the scripts are concatenated, not minified.
    pub minifier: Option<PathBuf>,
}

impl Tools {
    /// Finds the tools (`WASM_BINDGEN`, `WASM_OPT` and `ESBUILD` name them, else `PATH` and
    /// cargo's bin folder), installing wasm-bindgen-cli `version` with `cargo install` into
    /// `$CARGO_HOME/wasm-push/wasm-bindgen-<version>` when no wasm-bindgen of that version is
    /// found. Each finding is said in one line.
    ///
    /// ```no_run
    /// let tools = cargo_wasm_push::Tools::find("0.2.130")?;
    /// assert!(tools.wasm_bindgen.exists());
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn find(version: &str) -> Result<Tools> {
        let installed = cargo_home().join("wasm-push").join(format!("wasm-bindgen-{version}"));
        let candidates = named("WASM_BINDGEN", "wasm-bindgen").chain([installed.join("bin/wasm-bindgen")]);
        let wasm_bindgen = match candidates.into_iter().find(|path| version_of(path).as_deref() == Some(version)) {
            Some(found) => {
                say(&format!("wasm-bindgen {version}: {}", found.display()));
                found
            }
            None => {
                say(&format!(
                    "installing wasm-bindgen-cli {version}, the version the lockfile pins (cargo install --root {}, about 2 minutes)",
                    installed.display()
                ));
                let status = Command::new("cargo")
                    .args(["install", "wasm-bindgen-cli", "--version", version, "--root"])
                    .arg(&installed)
                    .status()
                    .context("cannot run cargo install")?;
                if !status.success() {
                    bail!("could not install wasm-bindgen-cli {version}: cargo install failed ({status})");
                }
                say("(this command runs it from there: that folder need not be on PATH, whatever cargo says)");
                installed.join("bin/wasm-bindgen")
            }
        };

        let wasm_opt = named("WASM_OPT", "wasm-opt").find_map(|path| {
            let number = version_of(&path)?.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u32>().ok()?;
            if number < OLDEST_WASM_OPT {
                say(&format!(
                    "{} is wasm-opt {number}, older than {OLDEST_WASM_OPT}: not used (npm's `binaryen` package has a newer one)",
                    path.display()
                ));
                return None;
            }
            Some(path)
        });
        match &wasm_opt {
            Some(path) => say(&format!("wasm-opt: {}", path.display())),
            None => say("no wasm-opt on PATH: the wasm ships as rustc made it, with its long import names (the ready-made worker's is nearly twice as large gzipped). `npm i -g binaryen` gives one"),
        }
        let minifier = named("ESBUILD", "esbuild").find(|path| version_of(path).is_some());
        match &minifier {
            Some(path) => say(&format!("esbuild: {}", path.display())),
            None => {
                say("no esbuild on PATH: the scripts are put together but not minified. `npm i -g esbuild` gives one")
            }
        }
        Ok(Tools { wasm_bindgen, wasm_opt, minifier })
    }

    /// `wasm-bindgen --target <target> --out-name <name>` of a built wasm32 file into `dir`.
    ///
    /// ```no_run
    /// # let tools = cargo_wasm_push::Tools::find("0.2.130")?;
    /// tools.bindgen("target/wasm32-unknown-unknown/release/app.wasm".as_ref(), "web", "app", "dist".as_ref())?;
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn bindgen(&self, built: &Path, target: &str, name: &str, dir: &Path) -> Result {
        say(&format!("wasm-bindgen --target {target} {}", built.display()));
        run(Command::new(&self.wasm_bindgen)
            .arg(built)
            .args(["--target", target, "--no-typescript", "--out-name", name, "--out-dir"])
            .arg(dir))
    }

    /// `wasm-opt -Oz`, in place, when there is a wasm-opt; then, when `glue` (wasm-bindgen's
    /// script for it) is given, short import, export and module names in both, and the wasm's
    /// `producers` and `target_features` sections dropped.
    ///
    /// ```no_run
    /// # let tools = cargo_wasm_push::Tools::find("0.2.130")?;
    /// tools.optimize("dist/app_bg.wasm".as_ref(), Some("dist/app.js".as_ref()))?;
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn optimize(&self, wasm: &Path, glue: Option<&Path>) -> Result {
        let Some(wasm_opt) = &self.wasm_opt else { return Ok(()) };
        say(&format!("wasm-opt -Oz {}", wasm.display()));
        let wasm_opt = |to: &Path| wasm_opt_into(wasm_opt, wasm, to);
        run(wasm_opt(wasm).arg("-Oz"))?;
        let Some(glue) = glue else { return Ok(()) };
        say(&format!(
            "wasm-opt --minify-imports-and-exports-and-modules {}, and the names in its glue",
            wasm.display()
        ));
        let text = std::fs::read_to_string(glue).with_context(|| glue.display().to_string())?;
        // Into a file beside it: the wasm changes only once the glue has changed to match.
        let minified = wasm.with_extension("minified.wasm");
        let out = wasm_opt(&minified)
            .arg("--minify-imports-and-exports-and-modules")
            .args(STRIPPED)
            .stderr(Stdio::inherit())
            .output()
            .context("could not start wasm-opt")?;
        if !out.status.success() {
            bail!("wasm-opt --minify-imports-and-exports-and-modules failed ({})", out.status);
        }
        let mapping = String::from_utf8_lossy(&out.stdout).into_owned();
        let renamed = crate::rename_in_glue(&text, &mapping)?;
        std::fs::write(glue, renamed).with_context(|| glue.display().to_string())?;
        std::fs::rename(&minified, wasm).with_context(|| wasm.display().to_string())
    }

    /// `esbuild --minify`, in place, when there is an esbuild.
    ///
    /// ```no_run
    /// # let tools = cargo_wasm_push::Tools::find("0.2.130")?;
    /// tools.minify("dist/app.js".as_ref())?;
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn minify(&self, script: &Path) -> Result {
        let Some(esbuild) = &self.minifier else { return Ok(()) };
        say(&format!("esbuild --minify {}", script.display()));
        run(Command::new(esbuild)
            .arg(script)
            .args(["--minify", "--log-level=warning", "--allow-overwrite"])
            .arg(format!("--outfile={}", script.display())))
    }
}

/// The program an environment variable names, then `program` on PATH and in cargo's bin folder.
fn named(variable: &str, program: &str) -> impl Iterator<Item = PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path: Vec<PathBuf> = std::env::split_paths(&path).map(|dir| dir.join(program)).collect();
    std::env::var_os(variable)
        .map(PathBuf::from)
        .into_iter()
        .chain(on_path)
        .chain([cargo_home().join("bin").join(program)])
}

/// The second word of `program --version` (`wasm-bindgen 0.2.130`, `wasm-opt version 132`,
/// esbuild's bare `0.25.12`).
fn version_of(program: &Path) -> Option<String> {
    let out = Command::new(program).arg("--version").stderr(Stdio::null()).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut words = text.split_whitespace().filter(|word| word.starts_with(|c: char| c.is_ascii_digit()));
    out.status.success().then(|| words.next().unwrap_or_default().to_owned())
}

/// `$CARGO_HOME`, else `~/.cargo`.
pub(crate) fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// Runs a command, streaming its output; fails when it fails.
/// The features rustc emits for wasm32 by default, for wasm-opt; every current browser has them.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The sections a shipped wasm drops: who built it, and which features it was built for.
const STRIPPED: [&str; 2] = ["--strip-producers", "--strip-target-features"];

/// wasm-opt reading `wasm` and writing `to`, with the features; passes still to be added.
fn wasm_opt_into(wasm_opt: &Path, wasm: &Path, to: &Path) -> Command {
    let mut command = Command::new(wasm_opt);
    command.arg(wasm).args(WASM_FEATURES).arg("-o").arg(to);
    command
}

pub(crate) fn run(command: &mut Command) -> Result {
    let shown = format!("{command:?}").replace('"', "");
    let status = command.status().with_context(|| format!("could not start {shown}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(anyhow!("{shown} failed ({status})"))
    }
}
