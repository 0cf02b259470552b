//! The demo site as the tests, the benchmark and `cargo xtask demo` serve it, and its variants
//! for the end-to-end tests (a panicking hook, a site's own worker, a module worker, …).

use crate::dist::{dist, DROP_IN_FILES};
use crate::unchanged::{build_unless_unchanged, RECIPE_SOURCES};
use crate::{cargo, root, run, say, setup, Result};
use anyhow::{anyhow, Context as _};
use std::path::{Path, PathBuf};

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

/// The demo site with `examples/panicking_hook.rs` as its worker's wasm, built by `compiler`,
/// in `target/<name>`, for the end-to-end test of recovery from a trap. The stable build is
/// served the way a glue built some other way is (Trunk's `data-type="worker"`): wasm-bindgen's
/// output under the crate's own name, `push.js` as `cargo wasm-push shim` writes it, and a
/// `sw.js` (`tests/e2e/fixtures/named-glue-sw.js`) that names the glue, so that path is tested
/// too; it recovers by its panic hook. The immediate-abort build, which runs no panic hook, is
/// served as `cargo wasm-push build` writes a worker folder, the only way it is shipped.
pub(crate) fn panicking_site(
    tools: &setup::WasmTools,
    site: &Path,
    compiler: &cargo_wasm_push::Compiler,
    name: &str,
) -> Result<PathBuf> {
    let target = root().join("target");
    run(compiler.build(&target).args(["-p", "wasm-push", "--example", "panicking_hook"]))?;
    let out = site_variant(site, name)?;
    let wasm = compiler.built(&target).join("examples/panicking_hook.wasm");
    if let cargo_wasm_push::Compiler::ImmediateAbort(_) = compiler {
        cargo_wasm_push::worker_folder(tools, &wasm, &out)?;
        return Ok(out);
    }
    for shipped in ["push.js", "module"].into_iter().chain(crate::SHIPPED_WORKER) {
        let _ = std::fs::remove_file(out.join(shipped)).or_else(|_| std::fs::remove_dir_all(out.join(shipped)));
    }
    tools.bindgen(&wasm, "no-modules", "panicking_hook", &out)?;
    std::fs::write(out.join("push.js"), cargo_wasm_push::shim::standalone_push())?;
    fixture("named-glue-sw.js", &out.join("sw.js"))?;
    Ok(out)
}

/// The demo site with a worker of its own (`tests/e2e/fixtures/existing-sw.js`, a precaching
/// worker) that imports wasm-push from `/push/`, in `target/www-existing`: the drop-in test.
pub(crate) fn existing_worker_site(site: &Path) -> Result<PathBuf> {
    let out = site_variant(site, "www-existing")?;
    std::fs::create_dir_all(out.join("push"))?;
    for file in &DROP_IN_FILES {
        std::fs::rename(out.join(file), out.join("push").join(file)).with_context(|| file.to_string())?;
    }
    fixture("existing-sw.js", &out.join("sw.js"))?;
    Ok(out)
}

/// The demo site with its worker set to hand pushes to a focused page
/// (`tests/e2e/fixtures/foreground-sw.js`), in `target/www-foreground`.
pub(crate) fn foreground_site(site: &Path) -> Result<PathBuf> {
    let out = site_variant(site, "www-foreground")?;
    fixture("foreground-sw.js", &out.join("sw.js"))?;
    Ok(out)
}

/// The demo site with its worker set to fetch the content of pushes without data
/// (`tests/e2e/fixtures/fetch-sw.js`, `fetch_url=/push/latest.json`), in `target/www-fetch`.
pub(crate) fn fetch_site(site: &Path) -> Result<PathBuf> {
    let out = site_variant(site, "www-fetch")?;
    fixture("fetch-sw.js", &out.join("sw.js"))?;
    std::fs::create_dir_all(out.join("push"))?;
    Ok(out)
}

/// The ServiceWorker Cookbook's push recipes: the demo site with the cookbook's settings
/// (`tests/e2e/fixtures/cookbook-sw.js`) around the ready-made worker, in `target/www-cookbook`,
/// and around `examples/cookbook`'s worker crate (its async hooks), built as a user builds
/// theirs: `cargo wasm-push build --worker cookbook-worker` in the crate's folder, into
/// `target/www-cookbook-hooks`. Answers both.
pub(crate) fn cookbook_sites(tools: &setup::WasmTools, site: &Path, command_dir: &Path) -> Result<[PathBuf; 2]> {
    let ready_made = site_variant(site, "www-cookbook")?;
    fixture("cookbook-sw.js", &ready_made.join("sw.js"))?;
    let hooks = worker_crate_site(tools, site, command_dir, "cookbook", "cookbook-worker", "www-cookbook-hooks")?;
    fixture("cookbook-sw.js", &hooks.join("sw.js"))?;
    Ok([ready_made, hooks])
}

/// The demo site without its worker's wasm (both modules), in `target/www-late-wasm`: the test
/// of a worker whose wasm cannot be loaded at first.
pub(crate) fn late_wasm_site(site: &Path) -> Result<PathBuf> {
    let out = site_variant(site, "www-late-wasm")?;
    // Every file of the worker as shipped but its script.
    for wasm in &crate::SHIPPED_WORKER[1..] {
        std::fs::remove_file(out.join(wasm)).context("late wasm site")?;
    }
    Ok(out)
}

/// The demo site plus a module worker (`tests/e2e/fixtures/module-sw.mjs`) that imports
/// `module/push.mjs`, in `target/www-module`.
pub(crate) fn module_worker_site(site: &Path) -> Result<PathBuf> {
    let out = site_variant(site, "www-module")?;
    fixture("module-sw.mjs", &out.join("module-sw.mjs"))?;
    Ok(out)
}

/// The recipes under `examples/`, each built exactly as its README says, with `cargo wasm-push`
/// (`command_dir`), wasm-bindgen, wasm-opt and esbuild on PATH, so nothing is downloaded: the
/// Yew and Leptos apps and the worker crate Trunk builds itself with `trunk build --release`,
/// the plain site with `cargo wasm-push build --out push --wasm-push-path ../..`, and the Dioxus
/// app with `cargo wasm-push build --out public` then `dx build --platform web --release`, and
/// the full-stack Leptos app ([`leptos_ssr_recipe`]). They share one target folder,
/// `target/recipes`. Each is built once its own tool is installed, while the next tool builds,
/// in the order they install ([`setup::Setup::recipe_tools`]). When one fails, the tools still
/// installing are waited for, and the error names every tool that failed too.
pub(crate) fn recipes(
    tools: &setup::WasmTools,
    recipe_tools: setup::RecipeTools,
    command_dir: &Path,
) -> Result<Recipes> {
    build_recipes(tools, &recipe_tools, command_dir).map_err(|error| {
        let tools = recipe_tools.finish().into_iter().map(|error| format!("{error:#}"));
        anyhow!("{}", std::iter::once(format!("{error:#}")).chain(tools).collect::<Vec<_>>().join("\n"))
    })
}

/// [`recipes`], stopping at the first that fails.
fn build_recipes(tools: &setup::WasmTools, recipe_tools: &setup::RecipeTools, command_dir: &Path) -> Result<Recipes> {
    let path = path_with_command(tools, command_dir)?;
    let (examples, target) = (root().join("examples"), recipes_target());
    // Each recipe as soon as its tool is there: the tools install in this order.
    let cargo = Path::new("cargo");
    let plain = [(cargo, &["wasm-push", "build", "--out", "push", "--wasm-push-path", "../.."][..])];
    build_recipe(&path, "plain-site", &plain, &[examples.join("plain-site/push")])?;
    let trunk = recipe_tools.trunk()?;
    for recipe in ["yew-trunk", "leptos-trunk", "trunk-worker"] {
        build_recipe(&path, recipe, &[(&trunk, &["build", "--release"])], &[examples.join(recipe).join("dist")])?;
    }
    let [leptos_ssr_server, leptos_ssr_site] = leptos_ssr_recipe(tools, &recipe_tools.cargo_leptos()?, command_dir)?;
    let dioxus = target.join("dx/dioxus-push-recipe/release/web/public");
    let dx = recipe_tools.dx()?;
    let steps =
        [(cargo, &["wasm-push", "build", "--out", "public"][..]), (&dx, &["build", "--platform", "web", "--release"])];
    build_recipe(&path, "dioxus", &steps, std::slice::from_ref(&dioxus))?;
    let [yew, leptos, plain, trunk_worker] =
        ["yew-trunk/dist", "leptos-trunk/dist", "plain-site", "trunk-worker/dist"].map(|site| examples.join(site));
    Ok(Recipes { yew, leptos, plain, trunk_worker, dioxus, leptos_ssr_server, leptos_ssr_site })
}

/// The recipes' built sites (each one's served folder), and the full-stack Leptos recipe's
/// server binary.
pub(crate) struct Recipes {
    /// `examples/yew-trunk`'s site (`WASM_PUSH_YEW_RECIPE_SITE`).
    pub yew: PathBuf,
    /// `examples/leptos-trunk`'s site (`WASM_PUSH_LEPTOS_RECIPE_SITE`).
    pub leptos: PathBuf,
    /// `examples/plain-site` (`WASM_PUSH_PLAIN_RECIPE_SITE`).
    pub plain: PathBuf,
    /// `examples/trunk-worker`'s site (`WASM_PUSH_TRUNK_WORKER_RECIPE_SITE`).
    pub trunk_worker: PathBuf,
    /// `examples/dioxus`'s site (`WASM_PUSH_DIOXUS_RECIPE_SITE`).
    pub dioxus: PathBuf,
    /// `examples/leptos-ssr`'s server binary (`WASM_PUSH_LEPTOS_SSR_SERVER`).
    pub leptos_ssr_server: PathBuf,
    /// `examples/leptos-ssr`'s site (`WASM_PUSH_LEPTOS_SSR_SITE`).
    pub leptos_ssr_site: PathBuf,
}

/// `examples/leptos-ssr`, built exactly as its README says, in `target/recipes` like the other
/// recipes: `cargo wasm-push build --out public`, then `cargo leptos build --release`. Answers
/// its server binary and its site's root.
fn leptos_ssr_recipe(tools: &setup::WasmTools, cargo_leptos: &Path, command_dir: &Path) -> Result<[PathBuf; 2]> {
    // `cargo leptos` runs the cargo-leptos first on PATH: this one.
    let mut path = vec![cargo_leptos.parent().unwrap_or(Path::new(".")).to_owned()];
    path.extend(std::env::split_paths(&path_with_command(tools, command_dir)?));
    let path = std::env::join_paths(path)?;
    let target = recipes_target();
    let built = [target.join("release/leptos-ssr-push-recipe"), target.join("site")];
    let cargo = Path::new("cargo");
    let steps = [(cargo, &["wasm-push", "build", "--out", "public"][..]), (cargo, &["leptos", "build", "--release"])];
    build_recipe(&path, "leptos-ssr", &steps, &built)?;
    Ok(built)
}

/// The target folder the recipes share.
fn recipes_target() -> PathBuf {
    root().join("target/recipes")
}

/// Runs each step (`program args`) in `examples/<recipe>`, as its README says, with `path` as
/// PATH and the recipes' shared target folder; unless nothing the recipe reads changed since
/// it last built and its `outputs` are there ([`build_unless_unchanged`]).
fn build_recipe(path: &std::ffi::OsStr, recipe: &str, steps: &[(&Path, &[&str])], outputs: &[PathBuf]) -> Result {
    build_unless_unchanged(&format!("examples/{recipe}"), &RECIPE_SOURCES, path, steps, outputs, || {
        for (program, args) in steps {
            say(&format!("building examples/{recipe} as its README says: {} {}", program.display(), args.join(" ")));
            run(std::process::Command::new(program)
                .args(*args)
                .current_dir(root().join("examples").join(recipe))
                .env("PATH", path)
                .env("CARGO_TARGET_DIR", recipes_target()))?;
        }
        Ok(())
    })
}

/// The demo site with `examples/tested-worker` (a worker crate of one's own, with hooks) as its
/// worker, built as a user builds theirs: `cargo wasm-push build --worker tested-worker` in the
/// crate's folder, into `target/www-own-worker`.
pub(crate) fn own_worker_site(tools: &setup::WasmTools, site: &Path, command_dir: &Path) -> Result<PathBuf> {
    worker_crate_site(tools, site, command_dir, "tested-worker", "tested-worker", "www-own-worker")
}

/// The demo site with the worker crate in `examples/<folder>` (package `package`) as its
/// worker, built as a user builds theirs: `cargo wasm-push build --worker <package>` in the
/// crate's folder, into `target/<name>`.
fn worker_crate_site(
    tools: &setup::WasmTools,
    site: &Path,
    command_dir: &Path,
    folder: &str,
    package: &str,
    name: &str,
) -> Result<PathBuf> {
    let out = site_variant(site, name)?;
    say(&format!("building examples/{folder} with cargo wasm-push build --worker {package}"));
    run(std::process::Command::new("cargo")
        .args(["wasm-push", "build", "--worker", package, "--out"])
        .arg(&out)
        .current_dir(root().join("examples").join(folder))
        .env("PATH", path_with_command(tools, command_dir)?))?;
    Ok(out)
}

/// PATH with `cargo wasm-push` (`command_dir`) first, then the tools.
pub(crate) fn path_with_command(tools: &setup::WasmTools, command_dir: &Path) -> Result<std::ffi::OsString> {
    let mut path = vec![command_dir.to_owned()];
    path.extend(std::env::split_paths(&setup::path_with_tools(tools)));
    Ok(std::env::join_paths(path)?)
}

/// Copies `tests/e2e/fixtures/{name}` to `to`.
fn fixture(name: &str, to: &Path) -> Result {
    std::fs::copy(root().join("tests/e2e/fixtures").join(name), to).map(drop).with_context(|| name.to_string())
}

/// `cargo xtask demo`: builds the site and serves it with the demo server.
pub(crate) fn demo() -> Result {
    let site = site(&setup::Setup::installing().wasm_tools()?)?;
    say("starting the demo server (Ctrl-C stops it)");
    // Subscriptions and VAPID keys live in ./wasm-push-data, kept across runs.
    run(cargo()
        .args(["run", "--quiet", "-p", "wasm-push-demo-server", "--", "--addr", "127.0.0.1:8080", "--root"])
        .arg(&site))
}

pub(crate) fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry?;
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()))?;
            continue;
        }
        std::fs::copy(entry.path(), to.join(entry.file_name()))
            .map_err(|e| anyhow!("cannot copy {}: {e}", entry.path().display()))?;
    }
    Ok(())
}
