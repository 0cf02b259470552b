//! The command as a user types it: its version, and the help of each subcommand.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-wasm-push")).arg("wasm-push").args(args).output().unwrap();
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
    assert!(!ok && stderr.contains("unknown command deploy") && stderr.contains("usage: cargo wasm-push"));
    let (ok, _, stderr) = run(&["build", "--outt", "x"]);
    assert!(!ok && stderr.contains("unknown option --outt") && stderr.contains("usage: cargo wasm-push build"));
}
