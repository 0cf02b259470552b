//! The sending benchmark (part of `cargo xtask bench`; `--sending` alone): `Sender::fan_out`,
//! a plain loop over `Sender::send`, node `web-push`, and the crypto alone, each sending the
//! same pushes to a push service on loopback that answers 201 at once (`xtask/bench/sender`), at
//! 10,000 and 100,000 pushes. Figures, never a pass/fail test.

use crate::benchmarks::SENDING;
use crate::{cargo, root, say, setup, Result};
use anyhow::{anyhow, bail, Context as _};
use serde_json::Value;
use std::fmt::Write as _;
use std::io::BufRead;
use std::process::{Command, Stdio};

/// Pushes at once, for the fan-out and for node (the loop sends one at a time).
const CONCURRENCY: usize = 64;
/// The fan-out's throughput against node `web-push`'s, at the same concurrency (issue 23).
const NODE_BUDGET: f64 = 2.0;
/// The fan-out's CPU per push against the crypto alone (issue 23).
const FLOOR_BUDGET: f64 = 1.5;
/// Peak memory at 100,000 pushes against 10,000: flat.
const MEMORY_BUDGET: f64 = 1.1;

/// Runs the sending benchmark and answers its section of BENCHMARKS.md.
pub fn run() -> Result<String> {
    crate::run(cargo().args(["build", "--release", "--quiet", "-p", "wasm-push-bench-sender"]))?;
    let node_web_push = setup::Setup::checking().node_web_push()?;
    let bench = root().join("target/release/sender-bench");
    let mut sink = Command::new(&bench).arg("sink").stdout(Stdio::piped()).spawn()?;
    let mut first = String::new();
    std::io::BufReader::new(sink.stdout.take().context("no sink output")?).read_line(&mut first)?;
    let url =
        first.trim().strip_prefix("listening on ").with_context(|| format!("the sink said {first:?}"))?.to_owned();
    let mut rows = vec![];
    let result = (|| {
        for pushes in [10_000usize, 100_000] {
            say(&format!("sending {pushes} pushes: wasm-push fan-out, plain loop, node web-push, the crypto alone"));
            for mode in ["fan-out", "loop", "node", "encrypt", "floor", "rustcrypto-encrypt", "rustcrypto-floor"] {
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
                let out = command
                    .arg(&url)
                    .arg(pushes.to_string())
                    .arg(concurrency.to_string())
                    .output()
                    .with_context(|| mode.to_string())?;
                let stdout = String::from_utf8_lossy(&out.stdout);
                let line = stdout.lines().last().unwrap_or_default();
                let figures: Value = serde_json::from_str(line).map_err(|_| {
                    anyhow!("{mode} printed no figures: {stdout}{}", String::from_utf8_lossy(&out.stderr))
                })?;
                if figures["sent"].as_u64() != Some(pushes as u64) {
                    bail!("{mode} sent {} of {pushes}", figures["sent"]);
                }
                rows.push((pushes, mode, figures));
            }
        }
        Ok(())
    })();
    let _ = sink.kill();
    let _ = sink.wait();
    result?;
    let section = section(&rows);
    println!("\n{section}");
    Ok(section)
}

/// `cargo xtask bench --sending`: runs it, and rewrites only its section of BENCHMARKS.md.
pub fn only() -> Result {
    crate::benchmarks::write(crate::benchmarks::Part::Sending, &run()?)
}

fn section(rows: &[(usize, &str, Value)]) -> String {
    let get = |pushes: usize, mode: &str, key: &str| {
        rows.iter()
            .find(|(n, m, _)| *n == pushes && *m == mode)
            .and_then(|(_, _, f)| f[key].as_f64())
            .unwrap_or(f64::NAN)
    };
    let mut out = format!(
        "{SENDING}\n\n\
         Each sender sends the same pushes (one payload of about 100 bytes, a subscription each) to a push service on \
         loopback that answers 201 at once (`xtask/bench/sender`, `sender-bench sink`), from its own process: \
         **fan-out** is `Sender::fan_out` at {CONCURRENCY} at once; **loop** a plain loop awaiting `Sender::send` one push at a time; \
         **node web-push** is node `web-push` {} (`generateRequestDetails`, which encrypts and signs each push as `sendNotification` does, \
         then `http.request` through a keep-alive agent, {CONCURRENCY} at once: `xtask/bench/node-web-push.mjs`); **encrypt** and **floor** are the \
         crypto alone on one core, nothing sent: encrypting each push with one VAPID signature for all (what the fan-out does), and \
         encrypting and signing each (what the `web-push` crate alone, and node, do), with the `web-push` crate (`ece` over \
         OpenSSL, `jwt-simple`) as `Sender` uses it; **rustcrypto-encrypt** and **rustcrypto-floor** are the same two over RustCrypto's `p256`, \
         `hkdf` and `aes-gcm` (`xtask/bench/sender/src/rustcrypto.rs`, checked against `ece`'s decryption first): the pure-Rust stack the \
         crate could use instead. CPU is the process's user and system time; \
         per CPU-second is the throughput one core gives; memory is the peak resident set (`VmHWM`, node's `maxRSS`).\n\n\
         | pushes | sender | wall | pushes/s | CPU | pushes per CPU-second | CPU per push | peak memory |\n\
         |---|---|---|---|---|---|---|---|\n",
        setup::NODE_WEB_PUSH
    );
    for (pushes, mode, figures) in rows {
        let f = |key: &str| figures[key].as_f64().unwrap_or(f64::NAN);
        let name = if *mode == "node" { "node web-push" } else { mode };
        let _ = writeln!(
            out,
            "| {pushes} | {name} | {:.2} s | {:.0} | {:.2} s | {:.0} | {:.0} µs | {:.1} MB |",
            f("seconds"),
            *pushes as f64 / f("seconds"),
            f("cpu_seconds"),
            *pushes as f64 / f("cpu_seconds"),
            f("cpu_seconds") / *pushes as f64 * 1e6,
            f("peak_rss_kb") / 1024.0
        );
    }
    let throughput = |n: usize, mode: &str| n as f64 / get(n, mode, "seconds");
    let vs_node = throughput(100_000, "fan-out") / throughput(100_000, "node");
    let vs_floor = get(100_000, "fan-out", "cpu_seconds") / get(100_000, "encrypt", "cpu_seconds");
    let memory = get(100_000, "fan-out", "peak_rss_kb") / get(10_000, "fan-out", "peak_rss_kb");
    let met = |ok: bool| if ok { "met" } else { "**not met**" };
    let _ = write!(
        out,
        "\n| budget (100,000 pushes) | figure | |\n|---|---|---|\n\
         | fan-out throughput ≥ {NODE_BUDGET}× node web-push's, same concurrency | {vs_node:.2}× | {} |\n\
         | fan-out CPU ≤ {FLOOR_BUDGET}× the crypto alone (encrypt) | {vs_floor:.2}× | {} |\n\
         | fan-out peak memory flat from 10,000 to 100,000 (≤ {MEMORY_BUDGET}×) | {memory:.2}× | {} |\n",
        met(vs_node >= NODE_BUDGET),
        met(vs_floor <= FLOOR_BUDGET),
        met(memory <= MEMORY_BUDGET),
    );
    out
}
