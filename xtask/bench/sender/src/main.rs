//! `sender-bench sink`: a push service on loopback that answers every push 201 at once; it
//! prints `listening on http://127.0.0.1:PORT`. `sender-bench sink-tls <certificate.der>`: the
//! same over TLS and HTTP/2 (`tls.rs`), its certificate written to that file.
//!
//! `sender-bench <fan-out|loop|floor> <sink URL> <pushes> <concurrency> [certificate.der]`:
//! sends that many pushes (one payload, a subscription each, made as they are sent), trusting
//! the certificate when one is named, and prints one JSON line: the wall and CPU seconds, the
//! peak resident memory and the waits (voluntary context switches) of this process's threads
//! (`/proc/self`).
//! `fan-out` is `Sender::fan_out` (on tokio's multi-threaded runtime; `fan-out-1-thread` on its
//! current-thread one; `fan-out-h2` and `fan-out-h2-1-thread` the same, named for the TLS sink), `loop` a plain loop awaiting `Sender::send` one at a time,
//! `<stack>-floor` the encrypting and signing of each push alone, nothing sent, and
//! `<stack>-encrypt` the same with one signature for all (what the fan-out does), over each
//! stack: `ring` (what `Sender` uses), `aws-lc` (`stacks.rs`), `openssl` (the `web-push` crate,
//! `ece` over OpenSSL, which `Sender` used before) and `rustcrypto` (`rustcrypto.rs`).

mod rustcrypto;
mod stacks;
mod tls;

use futures_util::StreamExt;
use std::time::Instant;
use wasm_push::server::{Endpoints, FanOut, Push, Sender, VapidKeys, VapidSubject, Verdict};
use wasm_push::{NotificationPayload, Subscription};

const P256DH: &str = "BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0";
const AUTH: &str = "x7aPzMh8OBZ3WDnsHjbBQQ";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The app server's runtime: tokio's multi-threaded one, as `#[tokio::main]` gives it, or for
    // `fan-out-1-thread` the current-thread one, which spares the cross-thread wake-ups.
    let runtime = match args.first().map(String::as_str) {
        Some(mode) if mode.ends_with("-1-thread") => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        _ => tokio::runtime::Builder::new_multi_thread().enable_all().build(),
    };
    let runtime = runtime.expect("a tokio runtime");
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["sink"] => runtime.block_on(sink()),
        ["sink-tls", certificate] => runtime.block_on(tls::sink(certificate)),
        [mode, url, pushes, concurrency, trusting @ ..] => {
            let pushes: usize = pushes.parse().expect("a number of pushes");
            let concurrency: usize = concurrency.parse().expect("a concurrency");
            let trusting = trusting.first().map(|path| std::fs::read(path).expect("the sink's certificate"));
            runtime.block_on(run(mode, url, pushes, concurrency, trusting));
        }
        _ => {
            eprintln!(
                "usage: sender-bench sink | sender-bench sink-tls <certificate.der> | sender-bench <fan-out[-h2][-1-thread]|loop|<ring|aws-lc|openssl|rustcrypto>-<floor|encrypt>> <url> <pushes> <concurrency> [certificate.der]"
            );
            std::process::exit(2);
        }
    }
}

async fn sink() {
    let app =
        axum::Router::new().route("/push/{id}", axum::routing::post(|| async { axum::http::StatusCode::CREATED }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("listening on http://{}", listener.local_addr().unwrap());
    axum::serve(listener, app).await.unwrap();
}

fn subscription(url: &str, i: usize) -> Subscription {
    let json = format!(r#"{{"endpoint":"{url}/push/{i}","keys":{{"p256dh":"{P256DH}","auth":"{AUTH}"}}}}"#);
    serde_json::from_str(&json).unwrap()
}

async fn run(mode: &str, url: &str, pushes: usize, concurrency: usize, trusting: Option<Vec<u8>>) {
    let keys = VapidKeys::generate().unwrap();
    let sender = Sender::new(keys.clone(), VapidSubject::new("mailto:bench@your.site").unwrap())
        .with_endpoints(Endpoints::loopback_for_tests())
        .with_client(move |client| {
            let client = client.pool_max_idle_per_host(concurrency);
            match &trusting {
                Some(der) => {
                    client.add_root_certificate(reqwest::Certificate::from_der(der).expect("a DER certificate"))
                }
                None => client,
            }
        });
    let payload = NotificationPayload {
        body: Some("A typical notification, with a body of a few words".into()),
        url: Some("/news/1".into()),
        ..NotificationPayload::new("Breaking news")
    };
    let push = Push::new(&payload).ttl(3600);
    let started = Instant::now();
    let mut sent = 0;
    match mode {
        // Over HTTP/1.1 to `sink`, or over TLS and HTTP/2 to `sink-tls` (`-h2`): the URL decides.
        "fan-out" | "fan-out-1-thread" | "fan-out-h2" | "fan-out-h2-1-thread" => {
            let subscriptions = futures_util::stream::iter(0..pushes).map(|i| (i, subscription(url, i), push.clone()));
            let limits = FanOut::default().concurrency(concurrency).per_origin(concurrency);
            let mut outcomes = std::pin::pin!(sender.fan_out(subscriptions, limits));
            let mut first_other = None;
            while let Some(outcome) = outcomes.next().await {
                sent += usize::from(outcome.verdict == Verdict::Sent);
                if outcome.verdict != Verdict::Sent {
                    first_other.get_or_insert(outcome.verdict);
                }
            }
            if let Some(verdict) = first_other {
                eprintln!("not sent, the first: {verdict:?}");
            }
        }
        "loop" => {
            for i in 0..pushes {
                sent += usize::from(sender.send(&subscription(url, i), &push).await.is_ok());
            }
        }
        // Encrypting each push and signing each (`floor`), or signing once for all as the
        // fan-out does (`encrypt`): the crypto alone, on one core, nothing sent.
        "openssl-floor" | "openssl-encrypt" => {
            let body = serde_json::to_vec(&payload).unwrap();
            let sign = |info: &web_push::SubscriptionInfo| {
                let mut signature =
                    web_push::VapidSignatureBuilder::from_base64(keys.private_base64url(), info).unwrap();
                signature.add_claim("aud", url);
                signature.build().unwrap()
            };
            let once = sign(&web_push::SubscriptionInfo::new(url, P256DH, AUTH));
            for i in 0..pushes {
                let endpoint = format!("{url}/push/{i}");
                let info = web_push::SubscriptionInfo::new(endpoint.as_str(), P256DH, AUTH);
                let mut message = web_push::WebPushMessageBuilder::new(&info);
                message.set_payload(web_push::ContentEncoding::Aes128Gcm, &body);
                message.set_vapid_signature(if mode == "openssl-floor" { sign(&info) } else { once.clone() });
                sent += usize::from(message.build().is_ok());
            }
        }
        // The same two over RustCrypto (`rustcrypto.rs`), ring and aws-lc (`stacks.rs`).
        "rustcrypto-floor" | "rustcrypto-encrypt" => {
            let key = p256::ecdsa::SigningKey::from_slice(&base64_url(keys.private_base64url())).unwrap();
            let sign = |claims: &str| rustcrypto::sign(&key, claims);
            sent = crypto_alone(url, pushes, mode.ends_with("floor"), &payload, sign, rustcrypto::encrypt);
        }
        "ring-floor" | "ring-encrypt" => {
            let key = stacks::ring_stack::key();
            let sign = |claims: &str| stacks::ring_stack::sign(&key, claims);
            sent = crypto_alone(url, pushes, mode.ends_with("floor"), &payload, sign, stacks::ring_stack::encrypt);
        }
        "aws-lc-floor" | "aws-lc-encrypt" => {
            let key = stacks::aws_lc_stack::key();
            let sign = |claims: &str| stacks::aws_lc_stack::sign(&key, claims);
            sent = crypto_alone(url, pushes, mode.ends_with("floor"), &payload, sign, stacks::aws_lc_stack::encrypt);
        }
        other => panic!("no mode {other}"),
    }
    let seconds = started.elapsed().as_secs_f64();
    let (cpu_seconds, peak_kb) = usage();
    println!(
        "{}",
        serde_json::json!({"mode": mode, "pushes": pushes, "sent": sent, "concurrency": concurrency,
            "seconds": seconds, "cpu_seconds": cpu_seconds, "peak_rss_kb": peak_kb,
            "waits": waits()})
    );
}

/// A stack's RFC 8291 encryption: the browser's key and auth secret, the plaintext.
type Encrypt = fn(&[u8], &[u8], &[u8]) -> Vec<u8>;

/// One stack's crypto alone, nothing sent, once `ece` has decrypted what its `encrypt` makes:
/// each push encrypted, and signed once for all (what the fan-out does) or each (`floor`).
/// Answers how many pushes were made.
fn crypto_alone(
    url: &str,
    pushes: usize,
    floor: bool,
    payload: &NotificationPayload,
    sign: impl Fn(&str) -> String,
    encrypt: Encrypt,
) -> usize {
    let (pair, secret) = ece::generate_keypair_and_auth_secret().unwrap();
    let sealed = encrypt(&pair.pub_as_raw().unwrap(), &secret, b"checked by ece");
    let plain = ece::decrypt(&pair.raw_components().unwrap(), &secret, &sealed).expect("ece decrypts it");
    assert_eq!(plain, b"checked by ece");
    let body = serde_json::to_vec(payload).unwrap();
    let (ua_public, auth) = (base64_url(P256DH), base64_url(AUTH));
    let claims = |exp: usize| format!(r#"{{"aud":"{url}","exp":{exp},"sub":"mailto:bench@your.site"}}"#);
    let once = sign(&claims(1));
    (0..pushes)
        .filter(|&i| {
            let token = if floor { sign(&claims(i)) } else { once.clone() };
            !encrypt(&ua_public, &auth, &body).is_empty() && !token.is_empty()
        })
        .count()
}

/// An ES256 JWT over `claims` (JSON), its signature made by `sign` over the signed part.
fn jwt(claims: &str, sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let signed = format!("{}.{}", b64.encode(r#"{"typ":"JWT","alg":"ES256"}"#), b64.encode(claims));
    let signature = sign(signed.as_bytes());
    format!("{signed}.{}", b64.encode(signature))
}

fn base64_url(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// How many times this process's threads gave up the CPU to wait (their voluntary context
/// switches, from `/proc/self/task`: a thread that sleeps until it is woken counts one; being
/// preempted does not), or `None` when `/proc` cannot be read. A thread that ends while it is
/// read, or has ended, is not counted: the runtime's stay until it is dropped, after this.
fn waits() -> Option<u64> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    let waits = tasks.flatten().filter_map(|task| {
        let status = std::fs::read_to_string(task.path().join("status")).ok()?;
        status.lines().find_map(|line| line.strip_prefix("voluntary_ctxt_switches:")?.trim().parse::<u64>().ok())
    });
    Some(waits.sum())
}

/// This process's CPU seconds (user and system) and peak resident memory in KB, from `/proc`.
fn usage() -> (f64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's name, which is in parentheses: utime and stime are the
    // 12th and 13th of them, in clock ticks (100 a second on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    (cpu, peak)
}
