//! The command as a user types it: its version, and the help of each subcommand.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String, String) {
    run_as(&[&["wasm-push"], args].concat())
}

/// The command with exactly these arguments (cargo puts `wasm-push` first).
fn run_as(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-wasm-push")).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn version_names_the_release_the_command_matches() {
    for flag in ["--version", "-V"] {
        let (ok, stdout, _) = run(&[flag]);
        assert!(ok);
        assert_eq!(stdout.trim(), format!("cargo-wasm-push {}", env!("CARGO_PKG_VERSION")));
    }
}

#[test]
fn each_subcommand_has_its_own_help_and_builds_nothing_when_asked_for_it() {
    let dir = std::env::temp_dir().join(format!("cargo-wasm-push-help-{}", std::process::id()));
    for (args, has, lacks) in [
        (&["build", "--help"][..], "--worker <package>", "data-type"),
        (&["shim", "-h"][..], "data-type", "--worker"),
        (&["help", "build"][..], "--wasm-push-path", "data-type"),
        (&["--help"][..], "--version", ""),
    ] {
        let mut args = args.to_vec();
        let out = dir.to_str().unwrap();
        if args[0] == "shim" {
            args.extend(["--out", out]);
        }
        let (ok, stdout, stderr) = run(&args);
        assert!(ok, "{args:?}: {stderr}");
        assert!(stdout.contains(has) && (lacks.is_empty() || !stdout.contains(lacks)), "{args:?}:\n{stdout}");
    }
    assert!(!dir.exists(), "shim --help wrote files");
}

#[test]
fn an_unknown_command_or_option_fails_with_the_usage() {
    let (ok, _, stderr) = run(&["deploy"]);
    assert!(
        !ok && stderr.contains("unrecognized subcommand 'deploy'") && stderr.contains("Usage: cargo wasm-push"),
        "{stderr}"
    );
    let (ok, _, stderr) = run(&["build", "--outt", "x"]);
    assert!(
        !ok && stderr.contains("unexpected argument '--outt'") && stderr.contains("Usage: cargo wasm-push build"),
        "{stderr}"
    );
    assert!(stderr.contains("a similar argument exists: '--out'"), "{stderr}");
}

#[test]
fn the_command_runs_without_cargo_in_front_too() {
    let (ok, stdout, stderr) = run_as(&["--version"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), format!("cargo-wasm-push {}", env!("CARGO_PKG_VERSION")));
    let (ok, stdout, stderr) = run_as(&["build", "--help"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("--worker <package>") && stdout.contains("Usage: cargo wasm-push build"), "{stdout}");
}
