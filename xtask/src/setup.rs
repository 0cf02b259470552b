//! The one installer: what the commands need, each step checked first and said. `cargo xtask
//! test` and `cargo xtask demo` install what is missing ([`Setup::installing`]); every other
//! command checks ([`Setup::checking`]) and says in one line what is missing and how to get it.

use crate::{root, say, Result};
use anyhow::{anyhow, bail, Context as _};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};

/// The npm package that brings wasm-opt (Debian's binaryen is too old for rustc's wasm).
const BINARYEN: &str = "binaryen@132";
/// The npm package that minifies wasm-bindgen's JavaScript glue (a third of the worker's bytes
/// unminified).
const ESBUILD: &str = "esbuild@0.25.12";
/// The wasm-pack `cargo xtask test` runs, as users of the crate test theirs.
const WASM_PACK: &str = "0.15.1";

/// The tools `cargo wasm-push build` runs, as this repository installs them: wasm-bindgen in
/// cargo's bin folder (beside its test runner), wasm-opt and esbuild from npm in `target/tools`.
pub type WasmTools = cargo_wasm_push::Tools;

/// PATH with cargo's bin folder first (cargo finds `wasm-bindgen-test-runner`, Trunk its
/// `wasm-bindgen`), then the npm tools (Trunk's `wasm-opt`).
pub fn path_with_tools(tools: &WasmTools) -> std::ffi::OsString {
    let mut paths: Vec<PathBuf> = [Some(&tools.wasm_bindgen), tools.wasm_opt.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|tool| tool.parent().map(PathBuf::from))
        .collect();
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(paths).unwrap_or_default()
}

pub struct Browsers {
    pub chromedriver: PathBuf,
    pub geckodriver: PathBuf,
    pub webkitdriver: PathBuf,
}

fn cargo_bin() -> PathBuf {
    cargo_home().join("bin")
}

/// Cargo's home: `CARGO_HOME`, else `~/.cargo`.
pub(crate) fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// A `cargo install` of a tool that only drives other programs (cargo, a browser, wasm-bindgen,
/// wasm-opt) and does little work itself: at `opt-level = 0`, without its own `lto` and
/// `codegen-units = 1`, which cost minutes on a fresh machine and gain nothing measurable here.
/// Measured here, alone: geckodriver built in 96 s as released and in 50 s so; wasm-pack in
/// 108 s and 54 s; dioxus-cli in 629 s at `opt-level = 1` and 246 s at 0. Each recipe tool
/// built its recipe as fast either way (cargo-leptos 22.6 s against 22.5, dx 12.6 against
/// 12.3, Trunk 8.8 against 9.0). wasm-bindgen-cli is not one: it rewrites every wasm file.
fn unoptimized(install: &mut Command) -> &mut Command {
    install
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
}

/// `command`'s standard output, when it ran and succeeded.
pub(crate) fn output(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether a command installs what is missing, or only checks.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    install: bool,
}

impl Setup {
    /// Installs what is missing (`cargo xtask test`, `cargo xtask demo`).
    pub fn installing() -> Setup {
        Setup { install: true }
    }

    /// Checks only: what is missing is an error naming it and how to get it.
    pub fn checking() -> Setup {
        Setup { install: false }
    }

    /// The one place anything is installed: says so, runs `command`, and fails naming
    /// `by_hand`; when only checking, fails at once with the same line.
    fn install(self, what: &str, how_long: &str, command: &mut Command, by_hand: &str) -> Result {
        self.install_by(what, how_long, by_hand, || command.status())
    }

    /// [`Setup::install`], the command run by `run` (for the recipes' tools, [`Installs::run`]).
    fn install_by(
        self,
        what: &str,
        how_long: &str,
        by_hand: &str,
        run: impl FnOnce() -> std::io::Result<ExitStatus>,
    ) -> Result {
        if !self.install {
            bail!("{what} is missing: `cargo xtask test` installs it, or by hand: {by_hand}");
        }
        say(&format!("installing {what}{how_long}"));
        let status = run().map_err(|e| anyhow!("could not install {what}: {e}. By hand: {by_hand}"))?;
        if !status.success() {
            bail!("could not install {what}. By hand: {by_hand}");
        }
        Ok(())
    }

    /// A rustup target or component (`kind`) of the default toolchain, or of `toolchain`, added
    /// unless it is there.
    fn rustup(self, kind: &str, name: &str, toolchain: Option<&str>) -> Result {
        let on: Vec<&str> = toolchain.map(|t| vec!["--toolchain", t]).unwrap_or_default();
        let installed =
            output(Command::new("rustup").args([kind, "list", "--installed"]).args(&on)).unwrap_or_default();
        let of = toolchain.map(|t| format!(" ({t})")).unwrap_or_default();
        // Components are listed with the host's triple after their name.
        if installed.lines().any(|line| line.trim() == name || line.starts_with(&format!("{name}-"))) {
            say(&format!("rustup {kind} {name}{of}: present"));
            return Ok(());
        }
        let by_hand = format!("rustup {kind} add {name} {}", on.join(" "));
        self.install(
            &format!("the rustup {kind} {name}{of}"),
            "",
            Command::new("rustup").args([kind, "add", name]).args(&on),
            &by_hand,
        )
    }
}

impl Setup {
    /// The nightly toolchain's `rust-src` and wasm32 target, when there is a nightly: with them,
    /// the shipped wasm is built with `-Cpanic=immediate-abort` (`cargo_wasm_push::Compiler`).
    /// Without a nightly, one line says the build is stable.
    fn nightly_components(self) -> Result {
        let toolchains = output(Command::new("rustup").args(["toolchain", "list"])).unwrap_or_default();
        if !toolchains.lines().any(|line| line.starts_with("nightly")) {
            say("no nightly toolchain: the shipped wasm is built on stable, without -Cpanic=immediate-abort");
            return Ok(());
        }
        self.rustup("component", "rust-src", Some("nightly"))?;
        self.rustup("target", "wasm32-unknown-unknown", Some("nightly"))
    }
}

impl Setup {
    /// wasm-pack, which `cargo xtask test` runs as a user of the crate would: `wasm-pack test` at the
    /// root and in `examples/tested-worker`.
    pub fn wasm_pack(self) -> Result<PathBuf> {
        let wasm_pack = cargo_bin().join("wasm-pack");
        let have = output(Command::new(&wasm_pack).arg("--version")).unwrap_or_default();
        if have.split_whitespace().nth(1) == Some(WASM_PACK) {
            say(&format!("wasm-pack {WASM_PACK}: present"));
        } else {
            self.install(
                &format!("wasm-pack {WASM_PACK}"),
                " (cargo install, about a minute)",
                unoptimized(Command::new("cargo").args(["install", "wasm-pack", "--force", "--version", WASM_PACK])),
                &format!("cargo install wasm-pack --version {WASM_PACK}"),
            )?;
        }
        Ok(wasm_pack)
    }
}

/// A tool the recipes are built with, as their READMEs say: `cargo install`ed with `--locked`
/// when the one in cargo's bin folder is not of its line.
struct RecipeTool {
    /// The program, in cargo's bin folder.
    program: &'static str,
    /// Its crate on crates.io.
    package: &'static str,
    /// The version line (`0.21` takes any `0.21.x`), or one version (`0.3.6`: that one only).
    line: &'static str,
    /// Features to install it with.
    features: &'static str,
    /// What the install took here on an idle machine, in seconds, in its turn (after the tools
    /// before it), for the line saying so.
    seconds: u32,
}

/// The target folder the recipes' tools are built in, one after another: the crates
/// cargo-leptos and dioxus-cli have in common at the same version build once (it saved
/// dioxus-cli 15 s of 246 here; Trunk shares few). Unlike cargo's own temporary folder, it is
/// kept when an install fails, so the next run starts from what it left; it is removed once
/// all three are installed (it held 4.4 GB here).
fn recipe_tools_target() -> PathBuf {
    root().join("target/tools/recipe-tools-build")
}

/// Where the install of a recipe tool's `program` writes its output.
fn install_log(program: &str) -> PathBuf {
    root().join(format!("target/tools/{program}-install.log"))
}

/// The recipes' tools' installs, which run in the background: stopped, the one under way and
/// those not yet begun, when the run ends before it asked for them (a gate failed, say), so that
/// no install goes on after the run (see [`Installs::stop`] for what it misses). What a stopped install built stays in
/// [`recipe_tools_target`] for the next run.
#[derive(Clone, Default)]
struct Installs(Arc<Mutex<Installing>>);

#[derive(Default)]
struct Installing {
    /// The install under way: cargo's process, until it is reaped.
    cargo: Option<std::process::Child>,
    stopped: bool,
}

impl Installs {
    /// Runs `command`, unless the installs were stopped. It is waited for by polling, a few
    /// times a second, so that [`Installs::stop`] never signals a process already reaped.
    fn run(&self, command: &mut Command) -> std::io::Result<ExitStatus> {
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        {
            let mut installing = lock();
            if installing.stopped {
                return Err(std::io::Error::other(Stopped));
            }
            installing.cargo = Some(command.spawn()?);
        }
        loop {
            {
                let mut installing = lock();
                let Some(cargo) = installing.cargo.as_mut() else {
                    return Err(std::io::Error::other("stopped"));
                };
                if let Some(status) = cargo.try_wait()? {
                    installing.cargo = None;
                    return Ok(status);
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    /// Whether the installs were stopped.
    fn stopped(&self) -> bool {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).stopped
    }

    /// Stops the install under way, if any, and any not begun; answers whether one was under
    /// way. Its cargo is paused, then killed with the processes listed under it at that moment
    /// (rustc, build scripts, linkers: found through `/proc`). Only cargo is paused, so a
    /// process one of those starts between the listing and the kill (a linker, say) is missed.
    /// It stays in the run's process group, so Ctrl-C stops it with the run as before.
    fn stop(&self) -> bool {
        let mut installing = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        installing.stopped = true;
        let Some(mut cargo) = installing.cargo.take() else { return false };
        // Paused first, so it starts no process between the listing and the kill. What it
        // started is killed while it is paused and not yet reaped: its own children that end
        // meanwhile stay unreaped, so their pids cannot be another process's by the kill; the
        // rest are killed in the same call.
        let _ = Command::new("kill").args(["-STOP", &cargo.id().to_string()]).status();
        let started = descendants(cargo.id());
        if !started.is_empty() {
            let _ = Command::new("kill").arg("-KILL").args(started.iter().map(u32::to_string)).status();
        }
        let _ = cargo.kill();
        let _ = cargo.wait();
        true
    }
}

/// The processes `pid` started, and theirs, from `/proc/<pid>/task/*/children` (Linux).
fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut next = vec![pid];
    while let Some(parent) = next.pop() {
        let tasks = std::fs::read_dir(format!("/proc/{parent}/task")).into_iter().flatten().flatten();
        for task in tasks {
            let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            for child in children.split_whitespace().filter_map(|pid| pid.parse().ok()) {
                found.push(child);
                next.push(child);
            }
        }
    }
    found
}

/// What an install stopped at the run's end answers: nothing to tell.
#[derive(Debug)]
struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the run ended before it needed this tool")
    }
}

impl std::error::Error for Stopped {}

impl RecipeTool {
    fn find(&self, setup: Setup, installs: &Installs) -> Result<PathBuf> {
        if installs.stopped() {
            return Err(Stopped.into());
        }
        let path = cargo_bin().join(self.program);
        let have = output(Command::new(&path).arg("--version")).unwrap_or_default();
        let exact = self.line.matches('.').count() == 2;
        let prefix = format!("{}.", self.line);
        let fits = |version: &str| if exact { version == self.line } else { version.starts_with(&prefix) };
        if have.split_whitespace().nth(1).is_some_and(fits) {
            say(&format!("{} {}: present", self.program, have.trim()));
            return Ok(path);
        }
        let range = format!("{}{}", if exact { "=" } else { "~" }, self.line);
        let mut args = vec!["install", self.package, "--locked", "--force", "--version", &range];
        if !self.features.is_empty() {
            args.extend(["--features", self.features]);
        }
        let log_path = install_log(self.program);
        std::fs::create_dir_all(root().join("target/tools"))?;
        let how_long = format!(
            " in the background, while the tests run (cargo install --locked, about {} s on an idle machine, longer beside the tests; log: {})",
            self.seconds,
            log_path.display()
        );
        let log = std::fs::File::create(&log_path).with_context(|| log_path.display().to_string())?;
        let by_hand = format!(
            "`cargo xtask test` again, which starts from what this one built in {}; or cargo {} (log: {})",
            recipe_tools_target().display(),
            args.join(" "),
            log_path.display()
        );
        // At the lowest CPU priority: it takes what the tests leave idle (the browser suites
        // mostly wait) and slows them little.
        let mut install = Command::new("nice");
        unoptimized(install.args(["-n", "19", "cargo"]).args(&args))
            .env("CARGO_TARGET_DIR", recipe_tools_target())
            // Cargo's intermediate files go to `build.build-dir` when a configuration sets one.
            .env("CARGO_BUILD_BUILD_DIR", recipe_tools_target())
            .stdout(log.try_clone()?)
            .stderr(log);
        let started = std::time::Instant::now();
        let what = format!("{} {}", self.package, self.line);
        let installed = setup.install_by(&what, &how_long, &by_hand, || installs.run(&mut install));
        if installed.is_err() && installs.stopped() {
            return Err(Stopped.into());
        }
        installed?;
        say(&format!("installed {} {} in {:.0} s", self.package, self.line, started.elapsed().as_secs_f64()));
        Ok(path)
    }
}

/// The recipes' tools, each found in cargo's bin folder or installed there, handed over as each
/// is ready: the recipes' phase builds a recipe once its own tool is there, while the next one
/// builds.
pub struct RecipeTools {
    trunk: Receiver<Result<PathBuf>>,
    cargo_leptos: Receiver<Result<PathBuf>>,
    dx: Receiver<Result<PathBuf>>,
    /// Taken when the run waits for it ([`RecipeTools::finish`]).
    installing: Option<std::thread::JoinHandle<()>>,
    installs: Installs,
}

impl Drop for RecipeTools {
    /// The run ends: an install still under way (the run ended before its recipe) is stopped,
    /// and no other begins; the installing thread is waited for, so that it says nothing after
    /// the run.
    fn drop(&mut self) {
        if self.installs.stop() {
            say(&format!(
                "the run ended before the recipes: stopped the recipes' tools' install; the next run goes on from what it built in {}",
                recipe_tools_target().display()
            ));
        }
        if let Some(installing) = self.installing.take() {
            let _ = installing.join();
        }
    }
}

impl RecipeTools {
    /// Trunk, once it is there.
    pub fn trunk(&self) -> Result<PathBuf> {
        wait_for(&self.trunk, "trunk")
    }

    /// `cargo-leptos`, once it is there.
    pub fn cargo_leptos(&self) -> Result<PathBuf> {
        wait_for(&self.cargo_leptos, "cargo-leptos")
    }

    /// dioxus-cli's `dx`, once it is there.
    pub fn dx(&self) -> Result<PathBuf> {
        wait_for(&self.dx, "dx")
    }

    /// After a recipe failed: waits for the installs still under way, so that none is left
    /// building after the run, and answers the errors of the tools not asked for yet.
    pub fn finish(mut self) -> Vec<anyhow::Error> {
        if let Some(installing) = self.installing.take() {
            if !installing.is_finished() {
                say("a recipe failed: waiting for the recipes' tools still installing, so none is left building (Ctrl-C stops them)");
            }
            let _ = installing.join();
        }
        let results = [&self.trunk, &self.cargo_leptos, &self.dx].map(|tool| tool.try_recv());
        results.into_iter().filter_map(|result| result.ok()?.err()).collect()
    }
}

/// What the install of `program` answered (each tool is asked for once); when it is still under
/// way, says so, and how long it was waited for.
fn wait_for(tool: &Receiver<Result<PathBuf>>, program: &str) -> Result<PathBuf> {
    let gone = || anyhow!("installing {program} panicked, or it was asked for twice");
    match tool.try_recv() {
        Ok(found) => return found,
        Err(TryRecvError::Disconnected) => return Err(gone()),
        Err(TryRecvError::Empty) => {}
    }
    let log = install_log(program);
    say(&format!("waiting for {program}, installing in the background (log: {})", log.display()));
    let started = std::time::Instant::now();
    let found = tool.recv().map_err(|_| gone())?;
    say(&format!("waited {:.0} s for {program}", started.elapsed().as_secs_f64()));
    found
}

/// Hands an install's result to the run (gone when the run stopped: nothing to tell), saying at
/// once when it failed; answers whether the tool is there.
fn hand_over(to: Sender<Result<PathBuf>>, found: Result<PathBuf>) -> bool {
    let stopped = found.as_ref().is_err_and(|error| error.is::<Stopped>());
    if let (Err(error), false) = (&found, stopped) {
        say(&format!("{error:#}; the recipes it builds will fail; going on with the other tools"));
    }
    let there = found.is_ok();
    let _ = to.send(found);
    there
}

impl Setup {
    /// Finds the recipes' tools, installing what is missing one after another in one target
    /// folder ([`recipe_tools_target`]), on a thread of its own, in this order: Trunk,
    /// cargo-leptos, dioxus-cli (the recipes' phase builds the recipes in the same order). They
    /// take about 11 minutes to build on an idle machine, which the run spends testing
    /// meanwhile. One that fails does not stop the others; each is handed over as soon as it is
    /// known.
    pub fn recipe_tools(self) -> RecipeTools {
        let (trunk_to, trunk) = channel();
        let (cargo_leptos_to, cargo_leptos) = channel();
        let (dx_to, dx) = channel();
        let installs = Installs::default();
        let under_way = installs.clone();
        let installing = std::thread::spawn(move || {
            let mut all_there = hand_over(trunk_to, trunk_tool(self, &under_way));
            all_there &= hand_over(cargo_leptos_to, cargo_leptos_tool(self, &under_way));
            all_there &= hand_over(dx_to, dioxus_cli(self, &under_way));
            if all_there {
                let target = recipe_tools_target();
                if let Err(error) = std::fs::remove_dir_all(&target).or_else(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Ok(()),
                    _ => Err(e),
                }) {
                    say(&format!("the recipes' tools are installed; {} stays ({error})", target.display()));
                }
            }
        });
        RecipeTools { trunk, cargo_leptos, dx, installing: Some(installing), installs }
    }
}

/// Trunk, for the Yew and Leptos recipes: 0.21 is the line that builds on this toolchain;
/// `--locked`, or a newer `cssparser` breaks it.
fn trunk_tool(setup: Setup, installs: &Installs) -> Result<PathBuf> {
    RecipeTool { program: "trunk", package: "trunk", line: "0.21", features: "", seconds: 130 }.find(setup, installs)
}

/// dioxus-cli (`dx`), for the Dioxus recipe: the 0.7 line, which builds Dioxus 0.7 apps, with
/// `no-downloads`, so it takes wasm-bindgen and wasm-opt from PATH and never downloads them.
fn dioxus_cli(setup: Setup, installs: &Installs) -> Result<PathBuf> {
    let dx = RecipeTool { program: "dx", package: "dioxus-cli", line: "0.7", features: "no-downloads", seconds: 230 };
    dx.find(setup, installs)
}

/// cargo-leptos, for the full-stack Leptos recipe: 0.3.6, the newest that builds on this
/// toolchain (0.3.11's `cargo-util-schemas` needs rustc 1.96), with `no_downloads`, so it takes
/// wasm-bindgen and wasm-opt from PATH and never downloads them.
fn cargo_leptos_tool(setup: Setup, installs: &Installs) -> Result<PathBuf> {
    RecipeTool {
        program: "cargo-leptos",
        package: "cargo-leptos",
        line: "0.3.6",
        features: "no_downloads",
        seconds: 290,
    }
    .find(setup, installs)
}

/// `cargo wasm-push` as `cargo install` would put it on PATH, from this workspace's source:
/// `target/tools/bin/cargo-wasm-push`. Its folder goes first on the recipes' PATH.
pub fn cargo_wasm_push() -> Result<PathBuf> {
    say("building cargo-wasm-push into target/tools/bin (what `cargo install cargo-wasm-push` gives a user)");
    crate::run(crate::cargo().args(["build", "--quiet", "-p", "cargo-wasm-push"]))?;
    let bin = root().join("target/tools/bin");
    std::fs::create_dir_all(&bin)?;
    std::fs::copy(root().join("target/debug/cargo-wasm-push"), bin.join("cargo-wasm-push"))
        .context("copy cargo-wasm-push")?;
    Ok(bin)
}

impl Setup {
    /// rustfmt and clippy, for the gates of `cargo xtask test`.
    pub fn lint_tools(self) -> Result {
        self.rustup("component", "rustfmt", None)?;
        self.rustup("component", "clippy", None)
    }
}

impl Setup {
    /// The wasm32 target (and the nightly's, with `rust-src`), wasm-bindgen-cli at the Cargo.lock
    /// version, and wasm-opt.
    pub fn wasm_tools(self) -> Result<WasmTools> {
        self.rustup("target", "wasm32-unknown-unknown", None)?;
        self.nightly_components()?;

        let version = locked_wasm_bindgen()?;
        let wasm_bindgen = cargo_bin().join("wasm-bindgen");
        let runner = cargo_bin().join("wasm-bindgen-test-runner");
        let have = output(Command::new(&wasm_bindgen).arg("--version")).unwrap_or_default();
        if have.split_whitespace().nth(1) == Some(version.as_str()) && runner.exists() {
            say(&format!("wasm-bindgen-cli {version}: present"));
        } else {
            // No --locked: one of its pinned dependencies is missing from the registry mirror.
            self.install(
                &format!("wasm-bindgen-cli {version}"),
                " to match Cargo.lock (about 2 minutes)",
                Command::new("cargo").args(["install", "wasm-bindgen-cli", "--force", "--version", &version]),
                &format!("cargo install wasm-bindgen-cli --version {version}"),
            )?;
        }

        let tools = root().join("target/tools");
        let wasm_opt = self.npm_tool(&tools, "wasm-opt", BINARYEN, ".bin/wasm-opt")?;
        let minifier = self.npm_tool(&tools, "esbuild", ESBUILD, ".bin/esbuild")?;
        Ok(WasmTools { wasm_bindgen, wasm_opt: Some(wasm_opt), minifier: Some(minifier) })
    }
}

impl Setup {
    /// Node's `web-push` (npm), which the sending benchmark measures beside ours: its folder in
    /// `target/tools`, installed there unless it is there already.
    pub fn node_web_push(self) -> Result<PathBuf> {
        self.npm_tool(
            &root().join("target/tools"),
            "node web-push",
            &format!("web-push@{NODE_WEB_PUSH}"),
            ".bin/web-push",
        )?;
        Ok(root().join("target/tools/node_modules/web-push"))
    }
}

/// The version of node `web-push` the sending benchmark measures.
pub const NODE_WEB_PUSH: &str = "3.6.7";

impl Setup {
    /// A tool from the npm registry, installed into `target/tools` unless it is there already.
    fn npm_tool(self, tools: &std::path::Path, what: &str, package: &str, bin: &str) -> Result<PathBuf> {
        let path = tools.join("node_modules").join(bin);
        if path.exists() {
            say(&format!("{what} (npm {package}): present"));
            return Ok(path);
        }
        std::fs::create_dir_all(tools)?;
        self.install(
            &format!("{what} (npm {package})"),
            " into target/tools",
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                .arg(tools)
                .arg(package),
            &format!("npm install --prefix target/tools {package}"),
        )?;
        Ok(path)
    }
}

/// The `wasm-bindgen` version in Cargo.lock: the CLI must be exactly this one.
fn locked_wasm_bindgen() -> Result<String> {
    cargo_wasm_push::locked_version(&root().join("Cargo.lock"), "wasm-bindgen")
}

impl Setup {
    /// Chromium and ChromeDriver from Debian, all the benchmark drives: ChromeDriver's path.
    pub fn chromium(self) -> Result<PathBuf> {
        let packages = [("chromium", "/usr/bin/chromium"), ("chromium-driver", "/usr/bin/chromedriver")];
        let missing: Vec<&str> =
            packages.iter().filter(|(_, path)| !std::path::Path::new(path).exists()).map(|(name, _)| *name).collect();
        self.apt(&packages.map(|(name, _)| name), &missing)?;
        Ok("/usr/bin/chromedriver".into())
    }

    /// What the native suites build against: OpenSSL's headers and pkg-config, for the test
    /// double of a push service and the benchmark's OpenSSL row (`ece`); the crate itself
    /// needs neither.
    pub fn build_libraries(self) -> Result {
        let present = output(Command::new("pkg-config").args(["--exists", "openssl"])).is_some();
        self.apt(&["libssl-dev", "pkg-config"], if present { &[] } else { &["libssl-dev", "pkg-config"] })
    }

    /// Chromium, ChromeDriver and Firefox ESR from Debian, geckodriver from crates.io.
    pub fn browsers(self) -> Result<Browsers> {
        let packages = [
            ("chromium", "/usr/bin/chromium"),
            ("chromium-driver", "/usr/bin/chromedriver"),
            ("firefox-esr", "/usr/bin/firefox-esr"),
            // WebKitGTK's WebDriver and MiniBrowser, and the X server it needs to open a window.
            ("webkit2gtk-driver", "/usr/bin/WebKitWebDriver"),
            ("xvfb", "/usr/bin/Xvfb"),
        ];
        let missing: Vec<&str> =
            packages.iter().filter(|(_, path)| !std::path::Path::new(path).exists()).map(|(name, _)| *name).collect();
        self.apt(&packages.map(|(name, _)| name), &missing)?;

        let geckodriver = cargo_bin().join("geckodriver");
        if geckodriver.exists() {
            say("geckodriver: present");
        } else {
            self.install(
                "geckodriver",
                " (cargo install, about a minute)",
                unoptimized(Command::new("cargo").args(["install", "geckodriver"])),
                "cargo install geckodriver",
            )?;
        }
        Ok(Browsers {
            chromedriver: "/usr/bin/chromedriver".into(),
            geckodriver,
            webkitdriver: "/usr/bin/WebKitWebDriver".into(),
        })
    }
}

impl Setup {
    /// Debian's packages `missing` of `all`, by apt-get as root; one line saying which are there.
    fn apt(self, all: &[&str], missing: &[&str]) -> Result {
        if missing.is_empty() {
            say(&format!("{}: present", all.join(", ")));
            return Ok(());
        }
        let by_hand = format!("apt-get update && apt-get install -y {}", missing.join(" "));
        if !self.install {
            bail!("{} missing: `cargo xtask test` installs them, or by hand: {by_hand}", missing.join(", "));
        }
        let is_root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
        if !is_root {
            bail!("{} missing and not running as root. By hand: sudo {by_hand}", missing.join(", "));
        }
        let what = missing.join(" ");
        self.install("the apt package lists", "", Command::new("apt-get").args(["update", "-q"]), &by_hand)?;
        self.install(
            &what,
            " (apt-get)",
            Command::new("apt-get")
                .args(["install", "-y", "-q", "--no-install-recommends"])
                .args(missing)
                .env("DEBIAN_FRONTEND", "noninteractive"),
            &by_hand,
        )
    }
}

impl Setup {
    /// PostgreSQL's server (Debian's `postgresql`), for the broadcast example's tests, which find
    /// it under `/usr/lib/postgresql` and start one of their own.
    pub fn postgres(self) -> Result {
        let present = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .any(|version| version.path().join("bin/postgres").exists());
        self.apt(&["postgresql"], if present { &[] } else { &["postgresql"] })
    }
}

/// Capabilities for both browsers: notifications granted, and Firefox's push pointed at
/// the loopback push service on `port`.
pub fn webdriver_json(port: u16) -> String {
    let mut capabilities: serde_json::Value =
        serde_json::from_str(include_str!("../../webdriver.json")).expect("webdriver.json is JSON");
    let prefs = &mut capabilities["moz:firefoxOptions"]["prefs"];
    prefs["dom.push.enabled"] = true.into();
    // Mozilla's own test profile turns the connection off; we want the real one.
    prefs["dom.push.connection.enabled"] = true.into();
    prefs["dom.push.serverURL"] = format!("ws://127.0.0.1:{port}/").into();
    prefs["dom.push.testing.allowInsecureServerURL"] = true.into();
    serde_json::to_string_pretty(&capabilities).expect("JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_recipe_tool_is_handed_over_once_and_a_failed_recipe_waits_for_the_installs_and_names_every_failed_tool() {
        let (trunk_to, trunk) = channel();
        let (cargo_leptos_to, cargo_leptos) = channel();
        let (dx_to, dx) = channel();
        let installing = std::thread::spawn(move || {
            hand_over(trunk_to, Ok(PathBuf::from("/bin/trunk")));
            hand_over(cargo_leptos_to, Err(anyhow!("could not install cargo-leptos")));
            // Still installing when the recipe fails: its answer comes only later.
            std::thread::sleep(std::time::Duration::from_millis(300));
            hand_over(dx_to, Err(anyhow!("could not install dx")));
        });
        let tools =
            RecipeTools { trunk, cargo_leptos, dx, installing: Some(installing), installs: Installs::default() };
        assert_eq!(tools.trunk().unwrap(), PathBuf::from("/bin/trunk"));
        let twice = tools.trunk().unwrap_err().to_string();
        assert!(twice.contains("asked for twice"), "{twice}");
        let failed: Vec<String> = tools.finish().iter().map(ToString::to_string).collect();
        assert_eq!(failed, ["could not install cargo-leptos", "could not install dx"]);
    }

    #[test]
    fn a_run_that_ends_before_the_recipes_stops_the_install_under_way_and_begins_no_other() {
        let installs = Installs::default();
        let scratch = std::env::temp_dir().join(format!("xtask-stopped-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).unwrap();
        let (marker, started_pid) = (scratch.join("installed"), scratch.join("compiler"));
        // An install that would take 30 s, whose work is a process it started, as cargo starts
        // rustc: the shell writes its pid, waits for it, then marks the install done.
        let mut slow = Command::new("sh");
        slow.args(["-c", "sleep 30 & echo $! > \"$1\"; wait; touch \"$0\""]).arg(&marker).arg(&started_pid);
        let under_way = installs.clone();
        let started = std::time::Instant::now();
        let install = std::thread::spawn(move || under_way.run(&mut slow));
        while !started_pid.exists() || std::fs::read_to_string(&started_pid).unwrap().trim().is_empty() {
            assert!(!install.is_finished(), "the install ended before it was stopped");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let compiler = std::fs::read_to_string(&started_pid).unwrap().trim().to_owned();
        // Running: listed, and not a zombie (one killed waits for a reaper that may never come).
        let running = || {
            let stat = std::fs::read_to_string(format!("/proc/{compiler}/stat")).unwrap_or_default();
            stat.rsplit_once(')').is_some_and(|(_, state)| !state.trim_start().starts_with('Z'))
        };
        assert!(running(), "the install's own process runs");
        assert!(installs.stop(), "an install was under way");
        assert!(install.join().unwrap().is_err(), "a stopped install is not a success");
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "stopped, not waited for");
        let gone = (0..50).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            !running()
        });
        assert!(gone, "the process the install started went on after the run");
        assert!(!marker.exists(), "the install went on after it was stopped");
        let mut next = Command::new("touch");
        next.arg(&marker);
        assert!(installs.run(&mut next).is_err(), "an install began after the run ended");
        assert!(!marker.exists(), "an install began after the run ended");
        assert!(!installs.stop(), "nothing was under way");
        std::fs::remove_dir_all(&scratch).unwrap();
    }

    #[test]
    fn a_command_that_only_checks_installs_nothing_and_says_in_one_line_how_to_get_what_is_missing() {
        let marker = std::env::temp_dir().join(format!("xtask-install-{}", std::process::id()));
        let mut touch = Command::new("touch");
        touch.arg(&marker);
        let error = Setup::checking().install("wasm-opt", "", &mut touch, "npm install binaryen").unwrap_err();
        let line = format!("{error:#}");
        assert!(!marker.exists(), "checking ran the install");
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("wasm-opt is missing") && line.contains("cargo xtask test"), "{line}");
        assert!(line.contains("npm install binaryen"), "{line}");
        Setup::installing().install("a marker", "", &mut touch, "touch it").unwrap();
        assert!(marker.exists(), "installing ran the install");
        std::fs::remove_file(&marker).unwrap();
    }
}
