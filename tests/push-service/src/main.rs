//! `wasm-push-service`: the loopback push service, for a test run or a CI job. It prints where it
//! listens and the Firefox preferences that point push at it, then serves until it is killed
//! (or, with `--exit-when-stdin-closes`, until the process that started it goes).
use clap::Parser;
use std::io::Write as _;
use std::net::SocketAddr;
use tokio::io::AsyncReadExt;

/// A push service on loopback: Mozilla's WebSocket protocol to Firefox, RFC 8030 and VAPID to
/// app servers, as strict as Mozilla's own.
#[derive(Parser)]
#[command(version)]
struct Options {
    /// Where to listen; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Stop when standard input closes, so the service dies with the harness that started it.
    #[arg(long)]
    exit_when_stdin_closes: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = Options::parse();
    let service = match wasm_push_service::PushService::start(options.listen).await {
        Ok(service) => service,
        Err(e) => {
            eprintln!("wasm-push-service: cannot listen on {}: {e}", options.listen);
            return std::process::ExitCode::FAILURE;
        }
    };
    // One write, before anyone reads: a harness that reads the first line and closes the pipe
    // must not make a later write fail.
    let _ = std::io::stdout().write_all(banner(&service).as_bytes());
    let _ = std::io::stdout().flush();
    if options.exit_when_stdin_closes {
        let mut sink = [0u8; 64];
        let mut stdin = tokio::io::stdin();
        while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
    } else if tokio::signal::ctrl_c().await.is_err() {
        // No signal handler here: serve until killed.
        std::future::pending::<()>().await;
    }
    std::process::ExitCode::SUCCESS
}

/// What it prints: the address on the first line (harnesses read it), then how to use it.
fn banner(service: &wasm_push_service::PushService) -> String {
    let addr = service.addr();
    let prefs = service.firefox_prefs();
    let user_js: String = prefs
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| format!("user_pref(\"{name}\", {value});\n"))
        .collect();
    format!(
        "wasm-push-service listening on {addr}\n\n\
         Firefox: these preferences point its push here (geckodriver: moz:firefoxOptions.prefs)\n\
         {prefs:#}\n\n\
         or, in a profile's user.js:\n{user_js}\n\
         Subscriptions made there have endpoints http://{addr}/push/…; an app server sends there\n\
         as to any push service (its Sender must allow loopback endpoints).\n\
         What app servers sent:     GET http://{addr}/_test/pushes\n\
         What the browser received: GET http://{addr}/_test/receipts\n"
    )
}
