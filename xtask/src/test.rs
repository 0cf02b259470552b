//! `cargo xtask test`: the gates (fmt, clippy), the native tests, the browser suites in
//! headless Chromium and Firefox ESR against a push service on loopback, and the end-to-end
//! tests; then a table of every suite's counts.

use crate::setup::Setup;
use crate::site::{
    cookbook_sites, existing_worker_site, fetch_site, foreground_site, late_wasm_site, module_worker_site,
    own_worker_site, panicking_site, path_with_command, recipes, site,
};
use crate::unchanged::{build_unless_unchanged, SITE_SOURCES};
use crate::{cargo, root, run, say, setup, Result};
use anyhow::{anyhow, bail, Context as _};
use cargo_wasm_push::Compiler;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// The module of the worker suite that needs no push event and no notification: all that can
/// run in WebKitGTK.
const WITHOUT_PUSH: &str = "without_push";

/// The native crates whose tests run first (the end-to-end crate runs last, on its own).
const NATIVE: [&str; 14] = [
    "-p",
    "wasm-push",
    "-p",
    "wasm-push-demo-server",
    "-p",
    "xtask",
    "-p",
    "wasm-push-service",
    "-p",
    "cargo-wasm-push",
    "-p",
    "wasm-push-bench-sender",
    "-p",
    "broadcast",
];

/// Browser tests in a module of this name subscribe through the loopback push service, which
/// only Firefox can be pointed at.
const NEEDS_PUSH_SERVICE: &str = "loopback_push_service";

/// One suite's result, as its runner's `test result:` line gave it.
struct Suite {
    name: String,
    passed: u32,
    failed: u32,
    ignored: u32,
    /// Left out by a `--skip` filter.
    skipped: u32,
}

pub(crate) fn all() -> Result {
    let started = Instant::now();
    let _scratch = Scratch::make()?;
    let mut report = Report::default();
    let setup = Setup::installing();
    let (tools, browsers, wasm_pack, recipe_tools) =
        report.phase("set-up (tools checked, installed when missing)", |_| {
            let tools = setup.wasm_tools()?;
            let browsers = setup.browsers()?;
            setup.build_libraries()?;
            let wasm_pack = setup.wasm_pack()?;
            // The recipes' tools build in the background while the tests run.
            let recipe_tools = setup.recipe_tools();
            setup.postgres()?;
            Ok((tools, browsers, wasm_pack, recipe_tools))
        })?;
    report.phase("gates (fmt, clippy, doc, publish --dry-run)", |_| gates())?;
    report.phase("native tests", native_tests)?;
    let display = Display::start()?;
    let webdriver_json = report.phase("browser suites (Chromium, Firefox ESR, WebKitGTK)", |report| {
        browser_suites(report, &tools, &browsers, &display)
    })?;
    report.phase("wasm-pack test, as users run it", |report| {
        wasm_pack_suites(report, &tools, &wasm_pack);
        Ok(())
    })?;
    report.phase("doc tests for wasm32, every feature", |report| {
        wasm32_doc_tests(report, &tools, &browsers, &webdriver_json);
        Ok(())
    })?;
    say("end-to-end: the shipped worker and demo page with real pushes (Chromium DevTools, Firefox + loopback push service)");
    // `cargo wasm-push` as a user installs it, built once for the sites and the recipes.
    let (mut end_to_end, command_dir) = report.phase("end-to-end: the sites it serves", |_| {
        let command_dir = setup::cargo_wasm_push()?;
        Ok((end_to_end_sites(&tools, &command_dir)?, command_dir))
    })?;
    report.phase("end-to-end: the recipes, as their READMEs say", |report| {
        let leptos_ssr = recipe_sites(&mut end_to_end, &tools, recipe_tools, &command_dir)?;
        ci_push_recipe(report, &leptos_ssr, &browsers);
        Ok(())
    })?;
    report.phase("end-to-end tests (Chromium beside Firefox and WebKitGTK)", |report| {
        end_to_end_tests(report, end_to_end, &browsers, &display)
    })?;
    report.print(started)
}

/// The native suites, and the examples built for wasm32.
fn native_tests(report: &mut Report) -> Result {
    say("native tests (library, payload and subscription types, loopback push service, the broadcast example on PostgreSQL), the doc tests beside the rest");
    // Two commands over the same packages, so the same features and the same build, which the
    // clippy gate made (`linted`): the doc tests, which compile each example, beside the tests,
    // which mostly wait on sockets, timers and PostgreSQL. The examples, which a plain `cargo
    // test` would also build for the host (where they are inert), were built there by the gate's
    // `--all-targets`, and are built for wasm32 below.
    let driver = clippy_driver()?;
    let commands = [&["--doc"][..], &["--lib", "--bins", "--tests"]].map(|targets| {
        let mut native = linted(&driver);
        native.args(["test", "--no-fail-fast", "--color", "never"]).args(NATIVE).args(targets);
        (native, "native")
    });
    report.suites_together(commands);
    say("the examples build for wasm32 (the crate docs show examples/subscribe.rs)");
    run(cargo().args(["build", "--quiet", "--target", "wasm32-unknown-unknown", "-p", "wasm-push", "--examples"]))
}

/// The end-to-end suites (`tests/e2e`), given the sites and recipes in `end_to_end`'s
/// environment: Chromium's beside Firefox's and WebKitGTK's.
fn end_to_end_tests(
    report: &mut Report,
    mut end_to_end: Command,
    browsers: &setup::Browsers,
    display: &Display,
) -> Result {
    run(cargo().args(["build", "--quiet", "-p", "wasm-push-demo-server"]))?;
    // Built, linted, by the gates (`linted`).
    let driver = clippy_driver()?;
    run(linted(&driver).args(["test", "--quiet", "--no-run", "-p", "e2e"]))?;
    end_to_end
        .env("WASM_PUSH_DEMO_SERVER", root().join("target/debug/wasm-push-demo-server"))
        .env("WASM_PUSH_SCREENSHOTS", root().join("target/screenshots"))
        .env("CHROMEDRIVER", &browsers.chromedriver)
        .env("GECKODRIVER", &browsers.geckodriver)
        .env("WEBKITDRIVER", &browsers.webkitdriver)
        .env("DISPLAY", &display.name);
    // The browsers side by side: the suites wait on browsers and push services far more
    // than they compute. Chromium's (32 tests, 110 s one at a time) two at a time beside
    // Firefox's and WebKitGTK's (9 tests, 50 s) one at a time.
    let suites = [
        (&["--test", "chromium"][..], "--test-threads=2"),
        (&["--lib", "--bins", "--test", "firefox", "--test", "webkit"], "--test-threads=1"),
    ];
    let commands = suites.map(|(targets, threads)| {
        let mut command = linted(&driver);
        command.envs(end_to_end.get_envs().filter_map(|(name, value)| Some((name, value?))));
        command.args(["test", "--no-fail-fast", "--color", "never", "-p", "e2e"]).args(targets);
        command.args(["--", threads]);
        (command, "end-to-end")
    });
    report.suites_together(commands);
    Ok(())
}

/// `target/tmp`, the `TMPDIR` of everything a run starts, made empty when the run starts and
/// removed when it ends: what the browsers, their drivers and the test databases leave behind
/// goes with the run instead of piling up in `/tmp` (chromedriver leaves a 20 MB profile per
/// session, and a run starts hundreds).
struct Scratch(PathBuf);

impl Scratch {
    fn make() -> Result<Scratch> {
        let mut directory = root().join("target/tmp");
        // Chromium makes a Unix socket 46 bytes under it, whose path holds 107 at most.
        if directory.as_os_str().len() > 60 {
            directory = std::env::temp_dir().join("wasm-push-test-run");
        }
        if directory.exists() {
            std::fs::remove_dir_all(&directory).with_context(|| format!("emptying {}", directory.display()))?;
        }
        std::fs::create_dir_all(&directory).with_context(|| format!("creating {}", directory.display()))?;
        // Before any thread or child starts: every process of the run inherits it.
        std::env::set_var("TMPDIR", &directory);
        Ok(Scratch(directory))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let left = std::fs::read_dir(&self.0).map(|entries| entries.count()).unwrap_or(0);
        if left > 0 {
            say(&format!("removing what the run left in {} ({left} entries)", self.0.display()));
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run did: each suite's counts, each phase's time, and the suites that failed.
#[derive(Default)]
struct Report {
    suites: Vec<Suite>,
    phases: Vec<(String, f64)>,
    failed: Vec<anyhow::Error>,
}

impl Report {
    /// Runs one phase of the run, timed.
    fn phase<T>(&mut self, name: &str, work: impl FnOnce(&mut Report) -> Result<T>) -> Result<T> {
        let started = Instant::now();
        let done = work(self);
        self.phases.push((name.to_owned(), started.elapsed().as_secs_f64()));
        done
    }

    /// Runs a cargo test command; a failure is counted and the run goes on.
    fn suites(&mut self, command: Command, label: &str) {
        if let Err(error) = run_suites(command, label, &mut self.suites) {
            self.failed.push(error);
        }
    }

    /// Runs cargo test commands side by side; each failure is counted and the run goes on.
    fn suites_together<const N: usize>(&mut self, commands: [(Command, &'static str); N]) {
        let running = commands.map(|(command, label)| {
            std::thread::spawn(move || {
                let mut suites = Vec::new();
                let result = run_suites(command, label, &mut suites);
                (suites, result)
            })
        });
        for thread in running {
            match thread.join() {
                Ok((suites, result)) => {
                    self.suites.extend(suites);
                    if let Err(error) = result {
                        self.failed.push(error);
                    }
                }
                Err(_) => self.failed.push(anyhow!("a test command's thread panicked")),
            }
        }
    }

    /// The table of suites, the phases' times, and the verdict.
    fn print(self, started: Instant) -> Result {
        println!("\n{:<48} {:>7} {:>7} {:>8} {:>8}", "suite", "passed", "failed", "ignored", "skipped");
        for suite in self.suites.iter().filter(|s| s.passed + s.failed + s.ignored + s.skipped > 0) {
            println!(
                "{:<48} {:>7} {:>7} {:>8} {:>8}",
                suite.name, suite.passed, suite.failed, suite.ignored, suite.skipped
            );
        }
        println!("\n{:<64} {:>8}", "phase", "seconds");
        for (phase, seconds) in &self.phases {
            println!("{phase:<64} {seconds:>8.0}");
        }
        let passed: u32 = self.suites.iter().map(|s| s.passed).sum();
        let failed: u32 = self.suites.iter().map(|s| s.failed).sum();
        println!("\ntook {:.0} s", started.elapsed().as_secs_f64());
        println!("{passed} passed, {failed} failed");
        match self.failed.into_iter().next() {
            Some(error) => Err(error),
            None if failed > 0 => bail!("{failed} tests failed"),
            None => Ok(()),
        }
    }
}

/// The browser suites (every file of tests/ that configures wasm-bindgen-test) in headless
/// Chromium, Firefox ESR and WebKitGTK, against the loopback push service; answers the
/// webdriver.json they ran with.
fn browser_suites(
    report: &mut Report,
    tools: &setup::WasmTools,
    browsers: &setup::Browsers,
    display: &Display,
) -> Result<PathBuf> {
    say("starting the loopback push service");
    run(cargo().args(["build", "--quiet", "-p", "wasm-push-service"]))?;
    let (service, port) = start_push_service()?;
    let config = root().join("target/browser-tests");
    std::fs::create_dir_all(&config)?;
    let service_json = serde_json::json!({
        "websocket": format!("ws://127.0.0.1:{port}/"),
        "http": format!("http://127.0.0.1:{port}"),
    });
    std::fs::write(config.join("push-service.json"), service_json.to_string())?;
    let webdriver_json = config.join("webdriver.json");
    std::fs::write(&webdriver_json, setup::webdriver_json(port))?;
    let browser_suites: Vec<String> = std::fs::read_dir(root().join("tests"))?
        .filter_map(|e| e.ok())
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|text| text.contains("wasm_bindgen_test_configure!")))
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".rs").map(str::to_owned))
        .collect();
    let all: Vec<&str> = browser_suites.iter().map(String::as_str).collect();
    for run in browser_runs(browsers, &all) {
        report.suites(run.command(tools, display, &webdriver_json), run.browser);
    }
    drop(service);
    Ok(webdriver_json)
}

/// As users of the crate test: `wasm-pack test` with nothing of ours around it (no push
/// service: the loopback modules say they skip), at the root and in the example whose hooks
/// the test kit tests.
fn wasm_pack_suites(report: &mut Report, tools: &setup::WasmTools, wasm_pack: &Path) {
    for path in [".", "examples/tested-worker"] {
        say(&format!("wasm-pack test --headless --chrome {path}"));
        let mut command = Command::new(wasm_pack);
        command
            .args(["test", "--headless", "--chrome", path])
            .env_remove("CHROMEDRIVER")
            .env_remove("GECKODRIVER")
            .env_remove("WASM_BINDGEN_TEST_WEBDRIVER_JSON")
            .env("PATH", setup::path_with_tools(tools));
        report.suites(command, &format!("wasm-pack {path}"));
    }
}

/// The examples of the items behind the wasm32 features (`yew`, `leptos`, `dioxus`), which the
/// default-feature doc tests wasm-pack ran do not compile.
fn wasm32_doc_tests(report: &mut Report, tools: &setup::WasmTools, browsers: &setup::Browsers, webdriver_json: &Path) {
    say("doc tests for wasm32 with every wasm32 feature (yew, leptos, dioxus, testing), in headless Chromium");
    let mut doc_tests = cargo();
    doc_tests
        .args(["test", "--doc", "--no-fail-fast", "--color", "never", "--target", "wasm32-unknown-unknown"])
        .args(["-p", "wasm-push", "--features", "yew,leptos,dioxus,testing"])
        .env_remove("GECKODRIVER")
        .env_remove("SAFARIDRIVER")
        .env("CHROMEDRIVER", &browsers.chromedriver)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver_json)
        .env("PATH", setup::path_with_tools(tools));
    report.suites(doc_tests, "Chromium, every feature");
}

/// The sites the end-to-end tests serve: the variable that names each to them, and its folder
/// in `target/`. `www-panic-abort` is built only where the immediate-abort compiler is.
const SITES: [(&str, &str); 11] = [
    ("WASM_PUSH_SITE", "www"),
    ("WASM_PUSH_PANICKING_SITE", "www-panic"),
    ("WASM_PUSH_PANICKING_ABORT_SITE", "www-panic-abort"),
    ("WASM_PUSH_EXISTING_WORKER_SITE", "www-existing"),
    ("WASM_PUSH_FOREGROUND_SITE", "www-foreground"),
    ("WASM_PUSH_FETCH_SITE", "www-fetch"),
    ("WASM_PUSH_LATE_WASM_SITE", "www-late-wasm"),
    ("WASM_PUSH_MODULE_WORKER_SITE", "www-module"),
    ("WASM_PUSH_OWN_WORKER_SITE", "www-own-worker"),
    ("WASM_PUSH_COOKBOOK_SITE", "www-cookbook"),
    ("WASM_PUSH_COOKBOOK_HOOKS_SITE", "www-cookbook-hooks"),
];

/// The sites the end-to-end tests change as they run (a test puts the wasm back, or writes what
/// a push fetches): copies of the demo site, made again for every run.
const CHANGED_BY_TESTS: [&str; 2] = ["www-fetch", "www-late-wasm"];

/// Builds the end-to-end sites ([`SITES`]), unless nothing they read changed since they were
/// built and they are as that build left them ([`build_unless_unchanged`]), and copies the ones the tests
/// change ([`CHANGED_BY_TESTS`]) anew; answers the end-to-end command, with each site named to
/// it.
fn end_to_end_sites(tools: &setup::WasmTools, command_dir: &Path) -> Result<Command> {
    let abort = match Compiler::find() {
        abort @ Compiler::ImmediateAbort(_) => Some(abort),
        Compiler::Stable => None,
    };
    let target = root().join("target");
    let sites: Vec<(&str, PathBuf)> = SITES
        .iter()
        .map(|&(variable, folder)| match folder {
            "www-panic-abort" if abort.is_none() => (variable, PathBuf::from("none")),
            _ => (variable, target.join(folder)),
        })
        .collect();
    let mut outputs: Vec<PathBuf> = sites
        .iter()
        .map(|(_, site)| site.clone())
        .filter(|site| site != Path::new("none") && !CHANGED_BY_TESTS.iter().any(|changed| site.ends_with(changed)))
        .collect();
    outputs.push(target.join("dist"));
    let path = path_with_command(tools, command_dir)?;
    let programs = [Some(&tools.wasm_bindgen), tools.wasm_opt.as_ref(), tools.minifier.as_ref()];
    let steps: Vec<(&Path, &[&str])> =
        programs.into_iter().flatten().map(|program| (program.as_path(), &[][..])).collect();
    build_unless_unchanged("the end-to-end sites", &SITE_SOURCES, &path, &steps, &outputs, || {
        // The tools were checked at the start of this run; no need to ask again.
        let site = site(tools)?;
        // A panic is a trap in both builds; only the stable one runs a panic hook.
        panicking_site(tools, &site, &Compiler::Stable, "www-panic")?;
        if let Some(abort) = &abort {
            panicking_site(tools, &site, abort, "www-panic-abort")?;
        }
        cookbook_sites(tools, &site, command_dir)?;
        existing_worker_site(&site)?;
        foreground_site(&site)?;
        module_worker_site(&site)?;
        own_worker_site(tools, &site, command_dir).map(drop)
    })?;
    let site = target.join("www");
    fetch_site(&site)?;
    late_wasm_site(&site)?;
    let mut end_to_end = cargo();
    for (variable, site) in sites {
        end_to_end.env(variable, site);
    }
    Ok(end_to_end)
}

/// `examples/ci-push`: a user's end-to-end test of the leptos-ssr recipe (`[server, site]`),
/// run as its README says.
fn ci_push_recipe(report: &mut Report, leptos_ssr: &[PathBuf; 2], browsers: &setup::Browsers) {
    say("examples/ci-push, as its README says: cargo test");
    let mut test = cargo();
    test.args(["test", "--color", "never"])
        .current_dir(root().join("examples/ci-push"))
        .env("CARGO_TARGET_DIR", root().join("target/recipes"))
        .env("APP_SERVER", &leptos_ssr[0])
        .env("APP_SITE", &leptos_ssr[1])
        .env("GECKODRIVER", &browsers.geckodriver);
    report.suites(test, "recipe ci-push");
}

/// The recipes, built with their own tools exactly as their READMEs say, named to the
/// end-to-end command; answers the leptos-ssr recipe's server and site.
fn recipe_sites(
    end_to_end: &mut Command,
    tools: &setup::WasmTools,
    recipe_tools: setup::RecipeTools,
    command_dir: &Path,
) -> Result<[PathBuf; 2]> {
    let built = recipes(tools, recipe_tools, command_dir)?;
    end_to_end
        .env("WASM_PUSH_YEW_RECIPE_SITE", &built.yew)
        .env("WASM_PUSH_LEPTOS_RECIPE_SITE", &built.leptos)
        .env("WASM_PUSH_PLAIN_RECIPE_SITE", &built.plain)
        .env("WASM_PUSH_TRUNK_WORKER_RECIPE_SITE", &built.trunk_worker)
        .env("WASM_PUSH_DIOXUS_RECIPE_SITE", &built.dioxus)
        .env("WASM_PUSH_LEPTOS_SSR_SERVER", &built.leptos_ssr_server)
        .env("WASM_PUSH_LEPTOS_SSR_SITE", &built.leptos_ssr_site);
    Ok([built.leptos_ssr_server, built.leptos_ssr_site])
}

/// `cargo` with clippy's driver (`driver`, from [`clippy_driver`]) as the workspace's compiler
/// and warnings denied: what `cargo clippy -- -D warnings` does, but building rather than only
/// checking. The native tests build through it, so their crates compile once, linted, where a
/// `cargo clippy` gate and then the tests' build compiled each twice (180 s and 229 s cold here,
/// against 223 s for both at once). Dependencies compile with plain rustc, as under `cargo
/// clippy`; what it builds sits beside a plain `cargo test`'s build rather than replacing it.
fn linted(driver: &Path) -> Command {
    let mut cargo = cargo();
    cargo.env("RUSTC_WORKSPACE_WRAPPER", driver).env("CLIPPY_ARGS", "-Dwarnings");
    cargo
}

/// The toolchain's `clippy-driver`, beside the rustc that cargo runs (`RUSTC`, or rustup's).
fn clippy_driver() -> Result<PathBuf> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let Some(sysroot) = setup::output(Command::new(&rustc).args(["--print", "sysroot"])) else {
        bail!("{rustc} --print sysroot failed, so clippy-driver cannot be found");
    };
    let driver = Path::new(sysroot.trim()).join("bin/clippy-driver");
    if !driver.exists() {
        bail!("{} is missing: rustup component add clippy", driver.display());
    }
    Ok(driver)
}

/// Formatting and lints, which are not taste to argue about in review: `cargo fmt --check`, and
/// `cargo clippy -D warnings` on the native crates (as their tests build) and on the wasm32 ones.
fn gates() -> Result {
    Setup::installing().lint_tools()?;
    say("gates: cargo fmt --check; cargo clippy -D warnings, native (as the tests build) and wasm32; cargo doc -D warnings; cargo publish --dry-run");
    run(cargo().args(["fmt", "--all", "--check"]))
        .map_err(|_| anyhow!("cargo fmt --check found unformatted code: run cargo fmt --all"))?;
    // The native crates' clippy is their tests' build (see `linted`): every target, the end-to-end
    // suites' crate on its own, as they are built for their tests. What this does not see, and
    // `cargo clippy --all-targets` did: a binary of a package without integration tests (xtask,
    // sender-bench) is built only as its tests' harness, so code that only its tests use is not
    // dead code to it. A plain `cargo build --bins` to see it would build the dependencies again
    // without the dev-dependencies' features (47 s warm here).
    let driver = clippy_driver()?;
    run(linted(&driver).args(["test", "--quiet", "--no-run", "--all-targets"]).args(NATIVE))?;
    run(linted(&driver).args(["test", "--quiet", "--no-run", "--all-targets", "-p", "e2e"]))?;
    let wasm32 =
        ["-p", "wasm-push", "--features", "yew,leptos,dioxus", "-p", "wasm-push-demo-app", "-p", "tested-worker"];
    run(cargo()
        .args(["clippy", "--quiet", "--all-targets", "--target", "wasm32-unknown-unknown"])
        .args(wasm32)
        .args(["-p", "cookbook-worker", "-p", "wasm-push-bench-floor", "--", "-D", "warnings"]))?;
    // The documentation as docs.rs builds it (Cargo.toml's metadata): both targets, every feature.
    for target in ["wasm32-unknown-unknown", "x86_64-unknown-linux-gnu"] {
        run(cargo()
            .args(["doc", "--quiet", "--no-deps", "--all-features", "-p", "wasm-push", "--target", target])
            .env("RUSTDOCFLAGS", "-D warnings"))?;
    }
    // Each crate meant for crates.io packs and builds on its own (`--allow-dirty`: a working copy
    // with changes is checked as it is).
    run(cargo().args(["publish", "--dry-run", "--quiet", "--allow-dirty", "-p", "wasm-push"]))?;
    // The command, with the worker's files it embeds.
    run(cargo().args(["publish", "--dry-run", "--quiet", "--allow-dirty", "-p", "cargo-wasm-push"]))?;
    // The loopback push service that users' CI starts.
    run(cargo().args(["publish", "--dry-run", "--quiet", "--allow-dirty", "-p", "wasm-push-service"]))?;
    Ok(())
}

/// Runs a cargo test command, echoing its output and collecting every `test result:` line
/// under the name of the binary that printed it.
fn run_suites(mut command: Command, label: &str, suites: &mut Vec<Suite>) -> Result {
    let shown = format!("{command:?}").replace('"', "");
    // cargo prints "Running …" on stderr and the harness prints results on stdout: one pipe for
    // both keeps them in the order they were written, so each result gets its suite's name.
    let (reader, writer) = std::io::pipe().context("pipe")?;
    let writer_too = writer.try_clone().context("pipe")?;
    if command.get_current_dir().is_none() {
        command.current_dir(root());
    }
    let mut child =
        command.stdout(writer).stderr(writer_too).spawn().with_context(|| format!("could not start {shown}"))?;
    // `command` holds our copies of the write end: drop them, so the reader ends with the child.
    drop(command);
    let lines = BufReader::new(reader).lines().map_while(std::result::Result::ok);
    let mut current = String::from("?");
    for line in lines {
        println!("{line}");
        let trimmed = line.trim();
        // cargo's "Running tests/window.rs (target/…)", not the browser runner's own lines.
        if let Some(rest) = trimmed.strip_prefix("Running ").filter(|r| r.ends_with(')')) {
            current = rest.split(" (").next().unwrap_or("?").to_owned();
        } else if let Some(rest) = trimmed.strip_prefix("Doc-tests ") {
            current = format!("doc-tests {rest}");
        }
        if let Some(result) = trimmed.strip_prefix("test result: ") {
            let count = |word: &str| -> u32 {
                result
                    .split(['.', ';'])
                    .find_map(|part| part.trim().strip_suffix(word)?.trim().parse().ok())
                    .unwrap_or(0)
            };
            suites.push(Suite {
                name: format!("{label}: {current}"),
                passed: count("passed"),
                failed: count("failed"),
                ignored: count("ignored"),
                skipped: count("filtered out"),
            });
        }
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(anyhow!("{label} tests failed ({status})"))
    }
}

/// One run of browser suites: in `browser` (driven by `driver`, named in the environment as
/// `driver_var`), the suites `tests`, with `harness` handed to the test harness.
struct BrowserRun<'a> {
    browser: &'a str,
    driver_var: &'a str,
    driver: &'a Path,
    tests: &'a [&'a str],
    harness: &'a [&'a str],
}

/// The runs of the browser suites: which suites in which browser, with what left out.
fn browser_runs<'a>(browsers: &'a setup::Browsers, all: &'a [&'a str]) -> [BrowserRun<'a>; 4] {
    const NOT_LOOPBACK: [&str; 2] = ["--skip", NEEDS_PUSH_SERVICE];
    [
        BrowserRun {
            browser: "Chromium",
            driver_var: "CHROMEDRIVER",
            driver: &browsers.chromedriver,
            tests: all,
            harness: &NOT_LOOPBACK,
        },
        BrowserRun {
            browser: "Firefox ESR",
            driver_var: "GECKODRIVER",
            driver: &browsers.geckodriver,
            tests: all,
            harness: &[],
        },
        BrowserRun {
            browser: "WebKitGTK",
            driver_var: "SAFARIDRIVER",
            driver: &browsers.webkitdriver,
            tests: &["window"],
            harness: &NOT_LOOPBACK,
        },
        BrowserRun {
            browser: "WebKitGTK",
            driver_var: "SAFARIDRIVER",
            driver: &browsers.webkitdriver,
            tests: &["worker"],
            harness: &[WITHOUT_PUSH],
        },
    ]
}

impl BrowserRun<'_> {
    /// The cargo test command of this run, saying first what it leaves out.
    fn command(&self, tools: &setup::WasmTools, display: &Display, webdriver_json: &Path) -> Command {
        let BrowserRun { browser, driver_var, driver, tests, harness } = *self;
        say(&format!("browser suites in headless {browser}: {}", tests.join(", ")));
        match (browser, tests) {
            ("Chromium", _) | ("WebKitGTK", ["window"]) => say(&format!(
                "SKIPPED in {browser}: the tests in {NEEDS_PUSH_SERVICE} modules (they subscribe for real, which \
                 only Firefox can here; they run there)"
            )),
            ("WebKitGTK", _) => say(&format!(
                "ONLY the {WITHOUT_PUSH} module of the worker suite in {browser}: it has no PushEvent and \
                 denies notifications, so the tests that push or show cannot run there"
            )),
            _ => {}
        }
        let mut command = cargo();
        command.args([
            "test",
            "--no-fail-fast",
            "--color",
            "never",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "wasm-push",
        ]);
        for suite in tests {
            command.args(["--test", suite]);
        }
        if !harness.is_empty() {
            command.arg("--").args(harness);
        }
        // Exactly one driver per run: with several set, the runner picks one itself.
        command
            .env_remove("CHROMEDRIVER")
            .env_remove("GECKODRIVER")
            .env_remove("SAFARIDRIVER")
            .env(driver_var, driver)
            .env("DISPLAY", &display.name)
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver_json)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "60")
            .env("PATH", setup::path_with_tools(tools));
        command
    }
}

/// An X display for WebKitGTK, whose WebDriver starts a windowed MiniBrowser: Xvfb on a
/// display it picks, stopped when dropped.
struct Display {
    name: String,
    xvfb: Child,
}

impl Display {
    /// Xvfb on a display it picks itself (`-displayfd`): it passes over the displays in use and
    /// takes over those whose server is gone.
    fn start() -> Result<Display> {
        let mut xvfb = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("could not start Xvfb")?;
        // Its number, read apart so that an Xvfb that never writes it cannot hold up the run.
        let (said, number) = std::sync::mpsc::channel();
        let out = xvfb.stdout.take().context("Xvfb's output")?;
        std::thread::spawn(move || {
            let mut number = String::new();
            let _ = BufReader::new(out).read_line(&mut number);
            let _ = said.send(number);
        });
        let number = number.recv_timeout(std::time::Duration::from_secs(10)).unwrap_or_default();
        let display = Display { name: format!(":{}", number.trim()), xvfb };
        if number.trim().parse::<u32>().is_err() {
            let mut display = display;
            let ended = display.xvfb.try_wait().ok().flatten().map(|status| format!("; it ended: {status}"));
            bail!("Xvfb named no display within 10 s (it said {number:?}{})", ended.unwrap_or_default());
        }
        say(&format!("Xvfb on display {} for WebKitGTK", display.name));
        Ok(display)
    }
}

impl Drop for Display {
    /// Stops Xvfb with SIGTERM, so it removes its lock file and socket (a SIGKILL leaves both in
    /// `/tmp`, one more each run); SIGKILL only if it is still there 2 s later.
    fn drop(&mut self) {
        // Without the `kill` program (procps), straight to SIGKILL: the leftovers are harmless
        // to `-displayfd`.
        let asked_to_stop = Command::new("kill").arg("-TERM").arg(self.xvfb.id().to_string()).status();
        let asked = Instant::now();
        while asked_to_stop.as_ref().is_ok_and(|status| status.success()) && asked.elapsed().as_secs() < 2 {
            if let Ok(Some(_)) = self.xvfb.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// A child process (the push service) killed and reaped when dropped, so none outlives
/// the run.
struct Ended(Child);

impl Drop for Ended {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_push_service() -> Result<(Ended, u16)> {
    let binary = root().join("target/debug/wasm-push-service");
    let mut child = Command::new(&binary)
        .arg("--exit-when-stdin-closes")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {}", binary.display()))?;
    let stdout = child.stdout.take().expect("piped");
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first)?;
    let port = first
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| anyhow!("the push service did not say its port (it said {first:?})"))?;
    say(&format!("push service on ws://127.0.0.1:{port}/"));
    Ok((Ended(child), port))
}
