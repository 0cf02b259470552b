//! The sending benchmark (part of `cargo xtask bench`; `--sending` alone): `Sender::fan_out`,
//! a plain loop over `Sender::send`, node `web-push`, and the crypto alone, each sending the
//! same pushes to a push service on loopback that answers 201 at once (`xtask/bench/sender`), at
//! 10,000 and 100,000 pushes, and the fan-out alone at 1,000,000; then the broadcast recipe
//! through PostgreSQL and two workers at 100,000. Figures, never a pass/fail test.

use crate::benchmarks::SENDING;
use crate::{cargo, root, say, setup, Result};
use anyhow::{anyhow, bail, Context as _};
use serde_json::Value;
use std::fmt::Write as _;
use std::io::BufRead;
use std::process::{Command, Stdio};

/// Pushes at once, for the fan-out and for node (the loop sends one at a time).
const CONCURRENCY: usize = 64;
/// The fan-out's throughput against node `web-push`'s, at the same concurrency (issue 36).
const NODE_BUDGET: f64 = 8.0;
/// The fan-out's CPU per push against the crypto alone on the stack it uses (issue 36).
const FLOOR_BUDGET: f64 = 1.3;
/// The fan-out's pushes per CPU-second (issue 36).
const CPU_BUDGET: f64 = 10_000.0;
/// Peak memory at 1,000,000 pushes against 10,000: flat.
const MEMORY_BUDGET: f64 = 1.1;
/// The broadcast recipe's CPU per push (its workers' and PostgreSQL's) against the bare
/// fan-out's (issue 36).
const BROADCAST_BUDGET: f64 = 1.5;
/// The pushes of the broadcast row.
const BROADCAST_PUSHES: usize = 100_000;
/// The senders measured at 10,000 and 100,000 pushes: ours, node's, and the crypto alone on
/// each stack (`<stack>-encrypt`: one signature for all, as the fan-out; `<stack>-floor`: one
/// each, as node and the `web-push` crate alone).
const MODES: [&str; 14] = [
    "fan-out",
    "fan-out-1-thread",
    "fan-out-h2",
    "fan-out-h2-1-thread",
    "loop",
    "node",
    "ring-encrypt",
    "ring-floor",
    "aws-lc-encrypt",
    "aws-lc-floor",
    "openssl-encrypt",
    "openssl-floor",
    "rustcrypto-encrypt",
    "rustcrypto-floor",
];
/// The crypto the fan-out does, on the stack the sender uses.
const SENDERS_CRYPTO: &str = "ring-encrypt";

/// Runs the sending benchmark and answers its section of BENCHMARKS.md.
pub fn run() -> Result<String> {
    // What it needs first, so a missing tool fails at once rather than after the build.
    let setup = setup::Setup::checking();
    let node_web_push = setup.node_web_push()?;
    setup.build_libraries()?;
    setup.postgres()?;
    crate::run(cargo().args(["build", "--release", "--quiet", "-p", "wasm-push-bench-sender"]))?;
    let bench = root().join("target/release/sender-bench");
    let certificate = root().join("target/sender-bench-sink.der");
    let (plain, url) = sink(Command::new(&bench).arg("sink"))?;
    let tls = sink(Command::new(&bench).arg("sink-tls").arg(&certificate));
    let mut rows = vec![];
    let result = (|| {
        let (_, tls_url) = tls.as_ref().map_err(|e| anyhow!("the TLS sink: {e}"))?;
        for (pushes, modes) in [(10_000usize, &MODES[..]), (100_000, &MODES[..]), (1_000_000, &MODES[..1])] {
            say(&format!("sending {pushes} pushes: {}", modes.join(", ")));
            for &mode in modes {
                let concurrency = if mode == "loop" { 1 } else { CONCURRENCY };
                let mut command = match mode {
                    "node" => {
                        let mut node = Command::new("node");
                        node.arg(root().join("xtask/bench/node-web-push.mjs")).arg(&node_web_push);
                        node
                    }
                    _ => {
                        let mut ours = Command::new(&bench);
                        ours.arg(mode);
                        ours
                    }
                };
                // The `-h2` modes send over TLS and HTTP/2, trusting the TLS sink's certificate.
                let over_h2 = mode.starts_with("fan-out-h2");
                command.arg(if over_h2 { tls_url } else { &url }).arg(pushes.to_string()).arg(concurrency.to_string());
                if over_h2 {
                    command.arg(&certificate);
                }
                let out = command.output().with_context(|| mode.to_string())?;
                let stdout = String::from_utf8_lossy(&out.stdout);
                let line = stdout.lines().last().unwrap_or_default();
                let figures: Value = serde_json::from_str(line).map_err(|_| {
                    anyhow!("{mode} printed no figures: {stdout}{}", String::from_utf8_lossy(&out.stderr))
                })?;
                if figures["sent"].as_u64() != Some(pushes as u64) {
                    bail!("{mode} sent {} of {pushes}: {}", figures["sent"], String::from_utf8_lossy(&out.stderr));
                }
                rows.push((pushes, mode, figures));
            }
        }
        rows.push((BROADCAST_PUSHES, "broadcast", broadcast(&url)?));
        Ok(())
    })();
    for mut sink in [Some(plain), tls.ok().map(|(sink, _)| sink)].into_iter().flatten() {
        let _ = sink.kill();
        let _ = sink.wait();
    }
    result?;
    let section = section(&rows);
    println!("\n{section}");
    Ok(section)
}

/// Starts a sink (`sender-bench sink` or `sink-tls`): the process, and the URL it listens on.
fn sink(command: &mut Command) -> Result<(std::process::Child, String)> {
    let mut sink = command.stdout(Stdio::piped()).spawn()?;
    let mut first = String::new();
    let read = sink.stdout.take().map(|out| std::io::BufReader::new(out).read_line(&mut first));
    match first.trim().strip_prefix("listening on ") {
        Some(url) => Ok((sink, url.to_owned())),
        None => {
            let _ = sink.kill();
            let _ = sink.wait();
            bail!("the sink said {first:?} ({read:?})")
        }
    }
}

/// The broadcast recipe (`examples/broadcast`) sending [`BROADCAST_PUSHES`] to the sink at
/// `url`, through PostgreSQL and two workers: its bench test's figures.
fn broadcast(url: &str) -> Result<Value> {
    say(&format!("a broadcast of {BROADCAST_PUSHES} pushes through PostgreSQL and two workers (examples/broadcast)"));
    let test = "bench_a_broadcast_through_postgresql_and_two_workers";
    let out = cargo()
        .args(["test", "--release", "--quiet", "-p", "broadcast", "--test", "broadcast", "--"])
        .args(["--ignored", "--exact", test, "--nocapture"])
        .current_dir(root())
        .env("WASM_PUSH_BENCH_SINK", url)
        .env("WASM_PUSH_BENCH_PUSHES", BROADCAST_PUSHES.to_string())
        .env("WASM_PUSH_BENCH_CONCURRENCY", CONCURRENCY.to_string())
        .output()
        .context("the broadcast bench")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find(|line| line.starts_with('{')).unwrap_or_default();
    let figures: Value = serde_json::from_str(line)
        .map_err(|_| anyhow!("the broadcast printed no figures: {stdout}{}", String::from_utf8_lossy(&out.stderr)))?;
    if figures["sent"].as_u64() != Some(BROADCAST_PUSHES as u64) {
        bail!("the broadcast sent {} of {BROADCAST_PUSHES}", figures["sent"]);
    }
    Ok(figures)
}

/// `cargo xtask bench --sending`: runs it, and rewrites only its section of BENCHMARKS.md.
pub fn only() -> Result {
    crate::benchmarks::write(crate::benchmarks::Part::Sending, &run()?)
}

fn section(rows: &[(usize, &str, Value)]) -> String {
    let mut out = format!(
        "{SENDING}\n\n\
         Each sender sends the same pushes (one payload of about 100 bytes, a subscription each) to a push service on \
         loopback that answers 201 at once (`xtask/bench/sender`, `sender-bench sink`), from its own process: \
         **fan-out** is `Sender::fan_out` at {CONCURRENCY} at once, on tokio's multi-threaded runtime (`#[tokio::main]`), and \
         **fan-out-1-thread** the same on tokio's current-thread runtime, which spares the wake-ups between threads; \
         **fan-out-h2** and **fan-out-h2-1-thread** the same two over TLS and HTTP/2, as push services serve, to a sink with a \
         self-signed certificate that the sender alone trusts and ALPN `h2` (`sender-bench sink-tls`); **loop** a plain loop awaiting `Sender::send` one push at a time; \
         **node web-push** is node `web-push` {} (`generateRequestDetails`, which encrypts and signs each push as `sendNotification` does, \
         then `http.request` through a keep-alive agent, {CONCURRENCY} at once: `xtask/bench/node-web-push.mjs`). \
         ***stack*-encrypt** and ***stack*-floor** are the crypto alone on one core, nothing sent: encrypting each push with one VAPID \
         signature for all (what the fan-out does), and encrypting and signing each (what node and the `web-push` crate alone do), \
         on each stack: **ring** (what `Sender` uses, `src/server/encrypt.rs`; the bench's copy in `xtask/bench/sender/src/stacks.rs`), \
         **aws-lc** (`aws-lc-rs`, same file), **openssl** (the `web-push` crate, `ece` over OpenSSL and `jwt-simple`, which `Sender` \
         used before) and **rustcrypto** (`p256`, `hkdf`, `aes-gcm`: `xtask/bench/sender/src/rustcrypto.rs`), each checked against \
         `ece`'s decryption first. The fan-out alone also sends 1,000,000, for its peak memory. **broadcast** is `examples/broadcast` \
         sending {BROADCAST_PUSHES} to the same sink: `send`, then two `work` processes of {CONCURRENCY} at once through a PostgreSQL \
         of its own, until `status` says all were delivered (its bench test in `examples/broadcast/tests/broadcast.rs`); its CPU is \
         the two workers' and PostgreSQL's, its memory the larger worker's. CPU is the process's user and system time; \
         per CPU-second is the throughput one core gives; memory is the peak resident set (`VmHWM`, node's `maxRSS`); \
         waits are the times the process's threads gave up the CPU to wait until woken (their voluntary context switches, \
         `/proc/self/task/*/status`), for our own senders.\n\n\
         | pushes | sender | wall | pushes/s | CPU | pushes per CPU-second | CPU per push | peak memory | waits per push |\n\
         |---|---|---|---|---|---|---|---|---|\n",
        setup::NODE_WEB_PUSH
    );
    for (pushes, mode, figures) in rows {
        let f = |key: &str| figures[key].as_f64().unwrap_or(f64::NAN);
        let name = match *mode {
            "node" => "node web-push",
            "broadcast" => "broadcast (PostgreSQL, 2 workers)",
            other => other,
        };
        let _ = writeln!(
            out,
            "| {pushes} | {name} | {:.2} s | {:.0} | {:.2} s | {:.0} | {:.0} µs | {:.1} MB | {} |",
            f("seconds"),
            *pushes as f64 / f("seconds"),
            f("cpu_seconds"),
            *pushes as f64 / f("cpu_seconds"),
            f("cpu_seconds") / *pushes as f64 * 1e6,
            f("peak_rss_kb") / 1024.0,
            figures["waits"].as_f64().map_or(String::new(), |n| format!("{:.2}", n / *pushes as f64)),
        );
    }
    out + &budgets(rows)
}

/// One row's figure (`key`), or NaN when there is no such row.
fn figure(rows: &[(usize, &str, Value)], pushes: usize, mode: &str, key: &str) -> f64 {
    rows.iter().find(|(n, m, _)| *n == pushes && *m == mode).and_then(|(_, _, f)| f[key].as_f64()).unwrap_or(f64::NAN)
}

/// The budgets' table, and where the CPU goes beyond the crypto, measured.
fn budgets(rows: &[(usize, &str, Value)]) -> String {
    let get = |pushes: usize, mode: &str, key: &str| figure(rows, pushes, mode, key);
    let mut out = String::new();
    let throughput = |n: usize, mode: &str| n as f64 / get(n, mode, "seconds");
    let vs_node = throughput(100_000, "fan-out") / throughput(100_000, "node");
    let vs_floor = get(100_000, "fan-out", "cpu_seconds") / get(100_000, SENDERS_CRYPTO, "cpu_seconds");
    let per_cpu_second = 100_000.0 / get(100_000, "fan-out", "cpu_seconds");
    let memory = get(1_000_000, "fan-out", "peak_rss_kb") / get(10_000, "fan-out", "peak_rss_kb");
    let per_push = |n: usize, mode: &str| get(n, mode, "cpu_seconds") / n as f64;
    let broadcast = per_push(BROADCAST_PUSHES, "broadcast") / per_push(100_000, "fan-out");
    let postgres = get(BROADCAST_PUSHES, "broadcast", "postgres_cpu_seconds") / BROADCAST_PUSHES as f64 * 1e6;
    let met = |ok: bool| if ok { "met" } else { "**not met**" };
    let _ = write!(
        out,
        "\n| budget (at 100,000 pushes; memory at 1,000,000) | figure | |\n|---|---|---|\n\
         | fan-out ≥ {CPU_BUDGET:.0} pushes per CPU-second | {per_cpu_second:.0} | {} |\n\
         | fan-out throughput ≥ {NODE_BUDGET}× node web-push's, same concurrency | {vs_node:.2}× | {} |\n\
         | fan-out CPU ≤ {FLOOR_BUDGET}× the crypto alone on its stack ({SENDERS_CRYPTO}) | {vs_floor:.2}× | {} |\n\
         | fan-out peak memory flat from 10,000 to 1,000,000 (≤ {MEMORY_BUDGET}×) | {memory:.2}× | {} |\n\
         | broadcast CPU per push ≤ {BROADCAST_BUDGET}× the bare fan-out's (of it, PostgreSQL {postgres:.0} µs a push) | {broadcast:.2}× | {} |\n",
        met(per_cpu_second >= CPU_BUDGET),
        met(vs_node >= NODE_BUDGET),
        met(vs_floor <= FLOOR_BUDGET),
        met(memory <= MEMORY_BUDGET),
        met(broadcast <= BROADCAST_BUDGET),
    );
    // Where the CPU goes beyond the crypto, measured: the same fan-out on the
    // current-thread runtime, and how often the multi-threaded runtime's threads wait.
    let one_thread = 100_000.0 / get(100_000, "fan-out-1-thread", "cpu_seconds");
    let one_thread_vs_crypto =
        get(100_000, "fan-out-1-thread", "cpu_seconds") / get(100_000, SENDERS_CRYPTO, "cpu_seconds");
    let would = |ok: bool| if ok { "within" } else { "still over" };
    let _ = write!(
        out,
        "\nWhere the CPU goes beyond the crypto, against the CPU budgets: on tokio's multi-threaded runtime the process's threads (the main \
         thread, which polls the fan-out, and the runtime's workers, which encrypt the pushes and run the connections) \
         wait and are woken {:.1} times a push, against {:.2} on the current-thread runtime. The same fan-out on the current-thread \
         runtime sends {one_thread:.0} pushes per CPU-second ({} the {CPU_BUDGET:.0}) at {one_thread_vs_crypto:.2}× the \
         crypto alone ({} {FLOOR_BUDGET}×); over TLS and HTTP/2, {:.0} and {:.2}×.\n",
        get(100_000, "fan-out", "waits") / 100_000.0,
        get(100_000, "fan-out-1-thread", "waits") / 100_000.0,
        would(one_thread >= CPU_BUDGET),
        would(one_thread_vs_crypto <= FLOOR_BUDGET),
        100_000.0 / get(100_000, "fan-out-h2-1-thread", "cpu_seconds"),
        get(100_000, "fan-out-h2-1-thread", "cpu_seconds") / get(100_000, SENDERS_CRYPTO, "cpu_seconds"),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_judges_each_budget_from_the_rows_and_says_what_stands_in_the_way() {
        let row = |seconds: f64, cpu_seconds: f64, waits: f64| {
            serde_json::json!({"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_rss_kb": 10240,
                "waits": waits, "postgres_cpu_seconds": 2.0})
        };
        let mut rows = vec![(10_000, "fan-out", row(1.0, 1.0, 0.0))];
        for mode in MODES {
            rows.push((100_000, mode, row(8.0, 8.0, 0.0)));
        }
        // The fan-out: 12,500 pushes per CPU-second, 1.6× the crypto (5 s), 360,000 waits.
        rows[1].2 = row(8.0, 8.0, 360_000.0);
        rows.retain(|(_, mode, _)| *mode != SENDERS_CRYPTO);
        rows.push((100_000, SENDERS_CRYPTO, row(5.0, 5.0, 0.0)));
        rows.push((1_000_000, "fan-out", row(80.0, 80.0, 0.0)));
        rows.push((BROADCAST_PUSHES, "broadcast", row(9.0, 16.0, 0.0)));
        let section = section(&rows);
        assert!(section.contains("| fan-out ≥ 10000 pushes per CPU-second | 12500 | met |"), "{section}");
        assert!(section.contains("the crypto alone on its stack (ring-encrypt) | 1.60× | **not met** |"), "{section}");
        assert!(section.contains("| 100000 | fan-out | 8.00 s | 12500 | 8.00 s | 12500 | 80 µs | 10.0 MB | 3.60 |"));
        assert!(section.contains("woken 3.6 times a push"), "{section}");
        assert!(section.contains("(within the 10000) at 1.60× the crypto alone (still over 1.3×)"), "{section}");
        assert!(!section.contains("NaN"), "{section}");
    }
}
