//! Which toolchain compiles a shipped wasm: a nightly that builds std itself with
//! `-Cpanic=immediate-abort` when one is installed, which leaves std's panic machinery (the
//! message formatting, the hook) out of the wasm; else the stable one, as before. A panic is a
//! trap either way, and the shim starts a fresh instance after a trap.

use crate::build::{PROFILE, PROFILE_SETTINGS};
use crate::project::cargo;
use crate::say;
use anyhow::{bail, Context as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The toolchain a shipped wasm is compiled with. Found once per process ([`Compiler::find`]);
/// the crate itself needs only stable, and so does a user's project.
///
/// ```no_run
/// let compiler = cargo_wasm_push::Compiler::find();
/// let status = compiler.build("target".as_ref()).args(["-p", "my-app"]).status();
/// let wasm = compiler.built("target".as_ref()).join("my_app.wasm");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compiler {
    /// The toolchain cargo runs with, std as shipped (`panic=abort`).
    Stable,
    /// A nightly with `rust-src`: `-Zbuild-std=std,panic_abort` and
    /// `-Zunstable-options -Cpanic=immediate-abort`. Its sysroot.
    ImmediateAbort(PathBuf),
}

impl Compiler {
    /// The nightly toolchain (`rustup run nightly`) when it has `rust-src` and takes
    /// `-Cpanic=immediate-abort`, else stable; says which, once, and how to get the smaller
    /// build when it is stable.
    ///
    /// ```no_run
    /// if let cargo_wasm_push::Compiler::ImmediateAbort(sysroot) = cargo_wasm_push::Compiler::find() {
    ///     println!("nightly at {}", sysroot.display());
    /// }
    /// ```
    pub fn find() -> Compiler {
        static FOUND: OnceLock<Compiler> = OnceLock::new();
        FOUND
            .get_or_init(|| match nightly() {
                Ok(sysroot) => {
                    say(&format!(
                        "nightly with rust-src at {}: the wasm is built with -Cpanic=immediate-abort (no panic machinery)",
                        sysroot.display()
                    ));
                    Compiler::ImmediateAbort(sysroot)
                }
                Err(why) => {
                    say(&format!(
                        "stable build ({why}); for a wasm about 4 KB smaller: rustup toolchain install nightly \
                         --component rust-src"
                    ));
                    Compiler::Stable
                }
            })
            .clone()
    }

    /// `cargo build --target wasm32-unknown-unknown` with the size-first profile ([`PROFILE`]),
    /// into `target_dir`, or a folder of its own inside it for the nightly build (so switching
    /// between the two rebuilds nothing). For the nightly build, the flags are added to
    /// `RUSTFLAGS` when it is set, else to `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS` (which
    /// then stands in for a `target.wasm32-unknown-unknown.rustflags` in a config file).
    ///
    /// ```no_run
    /// let status = cargo_wasm_push::Compiler::Stable.build("target".as_ref()).args(["-p", "my-app"]).status();
    /// ```
    pub fn build(&self, target_dir: &Path) -> Command {
        let mut command = match self {
            Compiler::Stable => Command::new(cargo()),
            Compiler::ImmediateAbort(sysroot) => {
                let mut command = Command::new(sysroot.join("bin/cargo"));
                command
                    .env("RUSTUP_TOOLCHAIN", "nightly")
                    .env("RUSTC", sysroot.join("bin/rustc"))
                    .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort");
                // RUSTFLAGS, when set, is all cargo reads; else the target's own variable.
                let variable = match std::env::var_os("RUSTFLAGS") {
                    Some(_) => "RUSTFLAGS",
                    None => "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                };
                let before = std::env::var(variable).unwrap_or_default();
                command.env(variable, format!("{before} {}", IMMEDIATE_ABORT.join(" ")).trim_start());
                command
            }
        };
        command.args(["build", "--quiet", "--target", "wasm32-unknown-unknown", "--profile", PROFILE]);
        for setting in PROFILE_SETTINGS {
            command.arg("--config").arg(format!("profile.{PROFILE}.{setting}"));
        }
        command.arg("--target-dir").arg(self.target_dir(target_dir));
        command
    }

    /// Where [`Compiler::build`] into `target_dir` puts what it builds.
    ///
    /// ```
    /// let built = cargo_wasm_push::Compiler::Stable.built("target".as_ref());
    /// assert_eq!(built, std::path::Path::new("target/wasm32-unknown-unknown/wasm-push"));
    /// ```
    pub fn built(&self, target_dir: &Path) -> PathBuf {
        self.target_dir(target_dir).join("wasm32-unknown-unknown").join(PROFILE)
    }

    fn target_dir(&self, target_dir: &Path) -> PathBuf {
        match self {
            Compiler::Stable => target_dir.to_owned(),
            Compiler::ImmediateAbort(_) => target_dir.join("wasm-push/immediate-abort"),
        }
    }
}

/// The flags that take std's panic machinery out.
const IMMEDIATE_ABORT: [&str; 2] = ["-Zunstable-options", "-Cpanic=immediate-abort"];

/// The nightly's sysroot, when it has `rust-src` and its rustc takes the flags.
fn nightly() -> crate::Result<PathBuf> {
    let output = |command: &mut Command| {
        command
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let sysroot = output(Command::new("rustup").args(["run", "nightly", "rustc", "--print", "sysroot"]))
        .context("no nightly toolchain")?;
    let sysroot = PathBuf::from(sysroot.trim());
    if !sysroot.join("lib/rustlib/src/rust/library/std").is_dir() {
        bail!("the nightly toolchain has no rust-src");
    }
    let cfg = output(Command::new(sysroot.join("bin/rustc")).args(IMMEDIATE_ABORT).args([
        "--print",
        "cfg",
        "--target",
        "wasm32-unknown-unknown",
    ]));
    if !cfg.is_some_and(|cfg| cfg.contains("panic=\"immediate-abort\"")) {
        bail!("the nightly's rustc does not take -Cpanic=immediate-abort");
    }
    Ok(sysroot)
}
