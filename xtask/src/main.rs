//! `cargo xtask demo | test | dist`: the project's commands. Each installs what it needs and
//! skips what is there, saying what it does.

mod bench;
mod setup;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// Browser tests whose name holds this subscribe through the loopback push service, which
/// only Firefox can be pointed at.
const NEEDS_PUSH_SERVICE: &str = "loopback_push_service";

pub(crate) type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "usage: cargo xtask <command>

  demo   build the wasm and serve www/ on http://127.0.0.1:8080
  test   run every test: native, then the browser suites in headless Chromium and Firefox ESR
  dist   build the release artefacts into target/dist and print their sizes
  bench  measure the shipped worker against a hand-written JavaScript one; writes BENCHMARKS.md
         --trace: DevTools traces of three cold pushes instead, for Perfetto";

fn main() {
    let command = std::env::args().nth(1).unwrap_or_default();
    let result = match command.as_str() {
        "demo" => demo(),
        "test" => test(),
        "dist" => setup::wasm_tools().and_then(|tools| dist(&tools)).map(|_| ()),
        "bench" if std::env::args().nth(2).as_deref() == Some("--trace") => bench::trace(),
        "bench" => bench::run(),
        _ => Err(USAGE.to_owned()),
    };
    if let Err(message) = result {
        eprintln!("xtask: {message}");
        std::process::exit(1);
    }
}

/// The workspace root (xtask lives one level below it).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_owned()
}

pub(crate) fn say(text: &str) {
    println!("[xtask] {text}");
}

/// Runs a command in the workspace root, streaming its output; fails when it fails.
pub(crate) fn run(command: &mut Command) -> Result {
    let shown = format!("{command:?}").replace('"', "");
    let status = command.current_dir(root()).status().map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// `cargo build` for wasm32 in the `wasm-release` profile (the worker, the pages, the examples
/// the tests and the benchmark ship).
pub(crate) fn wasm_release_build() -> Command {
    let mut command = cargo();
    command.args(["build", "--quiet", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release"]);
    command
}

// ---------------------------------------------------------------------------------------
// dist

struct Artefact {
    path: PathBuf,
}

/// Builds the worker (shim, glue, wasm) and the window-side package into `target/dist`.
fn dist(tools: &setup::WasmTools) -> Result<Vec<Artefact>> {
    let out = root().join("target/dist");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    say("building the worker, the window-side package and the demo page for wasm32 (profile wasm-release)");
    run(wasm_release_build().args(["-p", "wasm-push-sw", "-p", "wasm-push-demo-app"]))?;
    // Its own build: features unify within one cargo invocation, and the window package must
    // not be measured with the demo's `yew` feature switched on.
    run(wasm_release_build().args(["-p", "wasm-push", "--example", "window_package"]))?;
    let built = root().join("target/wasm32-unknown-unknown/wasm-release");
    // The worker is a classic script (importScripts works in every browser) and, in `module/`,
    // an ES module for module workers; the pages are modules.
    // The worker's glue is only a part: it ships inside the bundles below.
    let parts = root().join("target/dist-parts");
    let _ = std::fs::remove_dir_all(&parts);
    let module = out.join("module");
    for (crate_file, target, name, glue_dir, wasm_dir) in [
        ("wasm_push_sw.wasm", "no-modules", "wasm_push_sw", parts.clone(), out.clone()),
        ("wasm_push_sw.wasm", "web", "wasm_push_sw", parts.join("module"), module.clone()),
        ("examples/window_package.wasm", "web", "wasm_push_window", out.clone(), out.clone()),
        ("wasm_push_demo_app.wasm", "web", "app", out.clone(), out.clone()),
    ] {
        say(&format!("wasm-bindgen --target {target} {crate_file}"));
        wasm_bindgen(tools, &built.join(crate_file), target, name, &glue_dir)?;
        let wasm = wasm_dir.join(format!("{name}_bg.wasm"));
        std::fs::create_dir_all(&wasm_dir).map_err(|e| e.to_string())?;
        std::fs::rename(glue_dir.join(format!("{name}_bg.wasm")), &wasm).map_err(|e| format!("{name}: {e}"))?;
        wasm_opt(tools, &wasm)?;
        // The glue as wasm-bindgen writes it is a third of the worker; minified it is half that.
        minify(tools, &glue_dir.join(format!("{name}.js")))?;
    }
    bundle_worker(tools, &parts.join("wasm_push_sw.js"), &out)?;
    say("esbuild --bundle module/push.mjs");
    std::fs::copy(root().join("sw/listeners.js"), parts.join("listeners.js"))
        .map_err(|e| format!("copy listeners.js: {e}"))?;
    std::fs::copy(root().join("sw/push.mjs"), parts.join("module/push.mjs"))
        .map_err(|e| format!("copy push.mjs: {e}"))?;
    run(Command::new(&tools.esbuild)
        .arg(parts.join("module/push.mjs"))
        .args(["--bundle", "--format=esm", "--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", module.join("push.mjs").display())))?;

    let mut artefacts: Vec<Artefact> = [&out, &module]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).into_iter().flatten().flatten())
        .map(|entry| Artefact { path: entry.path() })
        .filter(|artefact| artefact.path.is_file())
        .collect();
    artefacts.sort_by(|a, b| a.path.cmp(&b.path));
    print_sizes(&artefacts)?;
    Ok(artefacts)
}

/// `wasm-bindgen --target <target> --out-name <name>` of a built wasm32 file into `dir`.
pub(crate) fn wasm_bindgen(tools: &setup::WasmTools, built: &Path, target: &str, name: &str, dir: &Path) -> Result {
    run(Command::new(&tools.wasm_bindgen)
        .arg(built)
        .args(["--target", target, "--no-typescript", "--out-name", name, "--out-dir"])
        .arg(dir))
}

/// `wasm-opt -Oz`, in place.
pub(crate) fn wasm_opt(tools: &setup::WasmTools, wasm: &Path) -> Result {
    say(&format!("wasm-opt -Oz {}", wasm.display()));
    run(Command::new("node")
        .arg(&tools.wasm_opt)
        .arg(wasm)
        .arg("-Oz")
        // The features rustc emits for wasm32 by default; every current browser has them.
        .args([
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
            "-o",
        ])
        .arg(wasm))
}

/// `esbuild --minify`, in place.
pub(crate) fn minify(tools: &setup::WasmTools, script: &Path) -> Result {
    say(&format!("esbuild --minify {}", script.display()));
    run(Command::new(&tools.esbuild)
        .arg(script)
        .args(["--minify", "--log-level=warning", "--allow-overwrite"])
        .arg(format!("--outfile={}", script.display())))
}

/// The classic worker's two entry scripts, each one file: `push.js` is `listeners.js`, the glue
/// and `sw/push.js`; `sw.js` is that and `sw/sw.js`. Both sources skip their imports when the
/// glue is already there, so they work the same served apart (a worker of one's own).
fn bundle_worker(tools: &setup::WasmTools, glue: &Path, out: &Path) -> Result {
    let read = |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
    let push = [read(&root().join("sw/listeners.js"))?, read(glue)?, read(&root().join("sw/push.js"))?].join("\n");
    for (name, text) in [("push.js", push.clone()), ("sw.js", push + "\n" + &read(&root().join("sw/sw.js"))?)] {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{name}: {e}"))?;
        minify(tools, &path)?;
    }
    Ok(())
}

/// The files of the default worker as shipped, of the drop-in for a worker a site has, and of
/// the window-side package.
pub(crate) const WORKER_FILES: [&str; 2] = ["sw.js", "wasm_push_sw_bg.wasm"];
pub(crate) const DROP_IN_FILES: [&str; 2] = ["push.js", "wasm_push_sw_bg.wasm"];
pub(crate) const WINDOW_FILES: [&str; 2] = ["wasm_push_window.js", "wasm_push_window_bg.wasm"];

/// Raw, gzip (level 9) and brotli (quality 11) sizes of a file.
fn sizes(path: &Path) -> Result<[usize; 3]> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok([bytes.len(), gzip_len(&bytes), brotli_len(&bytes)])
}

/// The summed sizes of some files of `dir`.
pub(crate) fn total_sizes(dir: &Path, files: &[&str]) -> Result<[usize; 3]> {
    let mut total = [0usize; 3];
    for file in files {
        for (sum, size) in total.iter_mut().zip(sizes(&dir.join(file))?) {
            *sum += size;
        }
    }
    Ok(total)
}

fn print_sizes(artefacts: &[Artefact]) -> Result {
    println!("\n{:<32} {:>10} {:>10} {:>10}", "file (target/dist)", "raw", "gzip", "brotli");
    for artefact in artefacts {
        let [raw, gzip, brotli] = sizes(&artefact.path)?;
        let dist = root().join("target/dist");
        let name = artefact.path.strip_prefix(&dist).unwrap_or(&artefact.path).display().to_string();
        println!("{name:<32} {raw:>10} {gzip:>10} {brotli:>10}");
    }
    let dist = root().join("target/dist");
    for (label, files) in
        [("worker as shipped (2 files)", &WORKER_FILES[..]), ("window-side package (2 files)", &WINDOW_FILES[..])]
    {
        let [raw, gzip, brotli] = total_sizes(&dist, files)?;
        println!("{label:<32} {raw:>10} {gzip:>10} {brotli:>10}");
    }
    println!();
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory").len()
}

fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("writing to memory");
    out.len()
}

// ---------------------------------------------------------------------------------------
// demo

/// The demo site as served: `www/static` plus the release artefacts, in `target/www`.
pub(crate) fn site(tools: &setup::WasmTools) -> Result<PathBuf> {
    dist(tools)?;
    let site = root().join("target/www");
    let _ = std::fs::remove_dir_all(&site);
    copy_dir(&root().join("www/static"), &site)?;
    copy_dir(&root().join("target/dist"), &site)?;
    Ok(site)
}

/// A copy of the built site in `target/<name>`, for a test or the benchmark to change.
pub(crate) fn site_variant(site: &Path, name: &str) -> Result<PathBuf> {
    let out = root().join("target").join(name);
    let _ = std::fs::remove_dir_all(&out);
    copy_dir(site, &out)?;
    Ok(out)
}

/// The demo site with `examples/panicking_hook.rs` as its worker's wasm, in `target/www-panic`,
/// for the end-to-end test of recovery from a trap. It is served the way a worker of one's own
/// is (`examples/custom_worker.rs`): wasm-bindgen's output beside `sw/sw.js`, `sw/push.js` and
/// `sw/listeners.js` as they are in the repository, which import it, so that path is tested too.
fn panicking_site(tools: &setup::WasmTools, site: &Path) -> Result<PathBuf> {
    run(wasm_release_build().args(["-p", "wasm-push", "--example", "panicking_hook"]))?;
    let out = site_variant(site, "www-panic")?;
    let built = root().join("target/wasm32-unknown-unknown/wasm-release/examples/panicking_hook.wasm");
    wasm_bindgen(tools, &built, "no-modules", "wasm_push_sw", &out)?;
    for source in ["sw.js", "push.js", "listeners.js"] {
        std::fs::copy(root().join("sw").join(source), out.join(source))
            .map_err(|e| format!("panic site, {source}: {e}"))?;
    }
    Ok(out)
}

/// The demo site with a worker of its own (`tests/e2e/fixtures/existing-sw.js`, a precaching
/// worker) that imports wasm-push from `/push/`, in `target/www-existing`: the drop-in test.
fn existing_worker_site(site: &Path) -> Result<PathBuf> {
    let out = site_variant(site, "www-existing")?;
    std::fs::create_dir_all(out.join("push")).map_err(|e| e.to_string())?;
    for file in &DROP_IN_FILES {
        std::fs::rename(out.join(file), out.join("push").join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    std::fs::copy(root().join("tests/e2e/fixtures/existing-sw.js"), out.join("sw.js"))
        .map_err(|e| format!("existing-sw.js: {e}"))?;
    Ok(out)
}

/// The demo site with its worker set to hand pushes to a focused page
/// (`tests/e2e/fixtures/foreground-sw.js`), in `target/www-foreground`.
fn foreground_site(site: &Path) -> Result<PathBuf> {
    let out = site_variant(site, "www-foreground")?;
    std::fs::copy(root().join("tests/e2e/fixtures/foreground-sw.js"), out.join("sw.js"))
        .map_err(|e| format!("foreground-sw.js: {e}"))?;
    Ok(out)
}

/// The demo site without its worker's wasm, in `target/www-late-wasm`: the test of a worker
/// whose wasm cannot be loaded at first.
fn late_wasm_site(site: &Path) -> Result<PathBuf> {
    let out = site_variant(site, "www-late-wasm")?;
    std::fs::remove_file(out.join("wasm_push_sw_bg.wasm")).map_err(|e| format!("late wasm site: {e}"))?;
    Ok(out)
}

/// The demo site plus a module worker (`tests/e2e/fixtures/module-sw.mjs`) that imports
/// `module/push.mjs`, in `target/www-module`.
fn module_worker_site(site: &Path) -> Result<PathBuf> {
    let out = site_variant(site, "www-module")?;
    std::fs::copy(root().join("tests/e2e/fixtures/module-sw.mjs"), out.join("module-sw.mjs"))
        .map_err(|e| format!("module-sw.mjs: {e}"))?;
    Ok(out)
}

fn demo() -> Result {
    let site = site(&setup::wasm_tools()?)?;
    say("starting the demo server (Ctrl-C stops it)");
    // Subscriptions and VAPID keys live in ./wasm-push-data, kept across runs.
    run(cargo()
        .args(["run", "--quiet", "-p", "wasm-push-demo-server", "--", "--addr", "127.0.0.1:8080", "--root"])
        .arg(&site))
}

pub(crate) fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()))?;
            continue;
        }
        std::fs::copy(entry.path(), to.join(entry.file_name()))
            .map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// test

/// One suite's result, as its runner's `test result:` line gave it.
struct Suite {
    name: String,
    passed: u32,
    failed: u32,
    ignored: u32,
    /// Left out by a `--skip` filter.
    skipped: u32,
}

fn test() -> Result {
    let started = Instant::now();
    let tools = setup::wasm_tools()?;
    let browsers = setup::browsers()?;
    let mut suites = Vec::new();

    say("native tests (library, payload and subscription types, loopback push service)");
    let mut native = cargo();
    native.args(["test", "--no-fail-fast", "--color", "never"]);
    let native = run_suites(native, "native", &mut suites);

    say("the examples build for wasm32 (the crate docs show examples/subscribe.rs)");
    run(cargo().args(["build", "--quiet", "--target", "wasm32-unknown-unknown", "-p", "wasm-push", "--examples"]))?;

    say("starting the loopback push service");
    run(cargo().args(["build", "--quiet", "-p", "push-service"]))?;
    let (service, port) = start_push_service()?;
    let config = root().join("target/browser-tests");
    std::fs::create_dir_all(&config).map_err(|e| e.to_string())?;
    let service_json = serde_json::json!({
        "websocket": format!("ws://127.0.0.1:{port}/"),
        "http": format!("http://127.0.0.1:{port}"),
    });
    std::fs::write(config.join("push-service.json"), service_json.to_string()).map_err(|e| e.to_string())?;
    let webdriver_json = config.join("webdriver.json");
    std::fs::write(&webdriver_json, setup::webdriver_json(port)).map_err(|e| e.to_string())?;

    let browser_suites: Vec<String> = std::fs::read_dir(root().join("tests"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".rs").map(str::to_owned))
        .collect();
    let mut results = vec![native];
    for (browser, driver_var, driver) in
        [("Chromium", "CHROMEDRIVER", &browsers.chromedriver), ("Firefox ESR", "GECKODRIVER", &browsers.geckodriver)]
    {
        say(&format!("browser suites in headless {browser}: {}", browser_suites.join(", ")));
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
        for suite in &browser_suites {
            command.args(["--test", suite]);
        }
        if driver_var == "CHROMEDRIVER" {
            say(&format!(
                "SKIPPED in Chromium: tests named *{NEEDS_PUSH_SERVICE}* (Chromium cannot subscribe \
                 without its own push service; they run in Firefox)"
            ));
            command.args(["--", "--skip", NEEDS_PUSH_SERVICE]);
        }
        // Exactly one driver per run: with both set, the runner picks geckodriver.
        command
            .env_remove("CHROMEDRIVER")
            .env_remove("GECKODRIVER")
            .env(driver_var, driver)
            .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver_json)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "60")
            .env("PATH", tools.path_with_cargo_bin());
        results.push(run_suites(command, browser, &mut suites));
    }
    drop(service);

    say("end-to-end: the shipped worker and demo page with real pushes (Chromium DevTools, Firefox + loopback push service)");
    // The tools were checked at the start of this run; no need to ask again.
    let site = site(&tools)?;
    let panicking = panicking_site(&tools, &site)?;
    let existing = existing_worker_site(&site)?;
    let foreground = foreground_site(&site)?;
    let late_wasm = late_wasm_site(&site)?;
    let module_worker = module_worker_site(&site)?;
    run(cargo().args(["build", "--quiet", "-p", "wasm-push-demo-server"]))?;
    let mut end_to_end = cargo();
    end_to_end
        .args(["test", "--no-fail-fast", "--color", "never", "-p", "e2e", "--", "--test-threads=1"])
        .env("WASM_PUSH_SITE", &site)
        .env("WASM_PUSH_PANICKING_SITE", &panicking)
        .env("WASM_PUSH_EXISTING_WORKER_SITE", &existing)
        .env("WASM_PUSH_FOREGROUND_SITE", &foreground)
        .env("WASM_PUSH_LATE_WASM_SITE", &late_wasm)
        .env("WASM_PUSH_MODULE_WORKER_SITE", &module_worker)
        .env("WASM_PUSH_DEMO_SERVER", root().join("target/debug/wasm-push-demo-server"))
        .env("WASM_PUSH_SCREENSHOTS", root().join("target/screenshots"))
        .env("CHROMEDRIVER", &browsers.chromedriver)
        .env("GECKODRIVER", &browsers.geckodriver);
    results.push(run_suites(end_to_end, "end-to-end", &mut suites));

    println!("\n{:<48} {:>7} {:>7} {:>8} {:>8}", "suite", "passed", "failed", "ignored", "skipped");
    for suite in suites.iter().filter(|s| s.passed + s.failed + s.ignored + s.skipped > 0) {
        println!(
            "{:<48} {:>7} {:>7} {:>8} {:>8}",
            suite.name, suite.passed, suite.failed, suite.ignored, suite.skipped
        );
    }
    let passed: u32 = suites.iter().map(|s| s.passed).sum();
    let failed: u32 = suites.iter().map(|s| s.failed).sum();
    println!("\ntook {:.0} s", started.elapsed().as_secs_f64());
    println!("{passed} passed, {failed} failed");
    match results.into_iter().find(|r| r.is_err()) {
        Some(err) => err,
        None if failed > 0 => Err(format!("{failed} tests failed")),
        None => Ok(()),
    }
}

/// Runs a cargo test command, echoing its output and collecting every `test result:` line
/// under the name of the binary that printed it.
fn run_suites(mut command: Command, label: &str, suites: &mut Vec<Suite>) -> Result {
    let shown = format!("{command:?}").replace('"', "");
    // cargo prints "Running …" on stderr and the harness prints results on stdout: one pipe for
    // both keeps them in the order they were written, so each result gets its suite's name.
    let (reader, writer) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
    let writer_too = writer.try_clone().map_err(|e| format!("pipe: {e}"))?;
    let mut child = command
        .current_dir(root())
        .stdout(writer)
        .stderr(writer_too)
        .spawn()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
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
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{label} tests failed ({status})"))
    }
}

/// The push service runs until its standard input closes, so it ends with this process.
struct PushService(Child);

impl Drop for PushService {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_push_service() -> Result<(PushService, u16)> {
    let binary = root().join("target/debug/push-service");
    let mut child = Command::new(&binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().expect("piped");
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).map_err(|e| e.to_string())?;
    let port = first
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("the push service did not say its port (it said {first:?})"))?;
    say(&format!("push service on ws://127.0.0.1:{port}/"));
    Ok((PushService(child), port))
}
