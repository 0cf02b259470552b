//! The decoder's property: every push body, however broken, decodes without a panic to a
//! titled, bounded notification. Native only: the worker runs the same decoder (through the
//! browser's `JSON.parse`), which the browser suites and the end-to-end tests exercise.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use wasm_push::{
    decode_push, Fallback, MAX_ACTIONS, MAX_BODY_CHARS, MAX_TITLE_CHARS, MAX_VIBRATE_ENTRIES, MAX_VIBRATE_MS,
};

/// A small deterministic generator of push bodies: raw bytes, text, and JSON built from the
/// payload's own field names with values of every type, sometimes wrapped as Declarative Web
/// Push. No dependency, so the property runs everywhere the suite does.
struct Inputs(u64);

impl Inputs {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn text(&mut self) -> String {
        const PIECES: [&str; 12] =
            ["a", "Z", " ", "é", "日本", "😀", "\\", "\"", "\u{0}", "javascript:", "/x?y#z", "\u{202e}"];
        let len = match self.below(10) {
            0 => 300 + self.below(1500),
            _ => self.below(12),
        };
        (0..len).map(|_| PIECES[self.below(12) as usize]).collect()
    }

    fn value(&mut self, depth: u32) -> Value {
        match self.below(if depth > 3 { 5 } else { 8 }) {
            0 => Value::Null,
            1 => Value::Bool(self.below(2) == 0),
            2 => serde_json::json!((self.next() as i64) >> self.below(64)),
            3 => serde_json::json!(f64::from_bits(self.next()).clamp(-1e300, 1e300)),
            4 => Value::String(self.text()),
            5 => {
                Value::Array((0..self.below(if depth == 0 { 40 } else { 4 })).map(|_| self.value(depth + 1)).collect())
            }
            _ => self.object(depth + 1),
        }
    }

    fn object(&mut self, depth: u32) -> Value {
        const KEYS: [&str; 26] = [
            "title",
            "notification",
            "fcmOptions",
            "onActionClick",
            "operation",
            "body",
            "icon",
            "badge",
            "image",
            "tag",
            "renotify",
            "require_interaction",
            "requireInteraction",
            "silent",
            "vibrate",
            "timestamp",
            "lang",
            "dir",
            "data",
            "actions",
            "url",
            "navigate",
            "app_badge",
            "action",
            "web_push",
            "unknown",
        ];
        let mut object = serde_json::Map::new();
        for _ in 0..self.below(if depth > 1 { 4 } else { 12 }) {
            let key = KEYS[self.below(KEYS.len() as u64) as usize].to_owned();
            let value = match (key.as_str(), if depth > 2 { 1 } else { self.below(3) }) {
                ("actions", 0) => Value::Array((0..self.below(120)).map(|_| self.object(3)).collect()),
                ("vibrate", 0) => {
                    Value::Array((0..self.below(200)).map(|_| serde_json::json!(self.next() >> 40)).collect())
                }
                ("web_push", 0) => serde_json::json!(8030),
                ("notification" | "fcmOptions" | "onActionClick", 0) => self.object(depth + 1),
                ("operation", 0) => serde_json::json!(["openWindow", "sendRequest"][self.below(2) as usize]),
                ("dir", 0) => serde_json::json!(["auto", "ltr", "rtl"][self.below(3) as usize]),
                _ => self.value(depth),
            };
            object.insert(key, value);
        }
        Value::Object(object)
    }

    fn push_body(&mut self) -> Vec<u8> {
        match self.below(6) {
            0 => (0..self.below(300)).map(|_| self.next() as u8).collect(),
            1 => self.text().into_bytes(),
            2 => {
                let notification = self.object(0);
                serde_json::json!({"web_push": 8030, "notification": notification, "app_badge": self.value(3)})
                    .to_string()
                    .into_bytes()
            }
            3 => {
                // Valid JSON cut short.
                let mut text = self.object(0).to_string().into_bytes();
                text.truncate(self.below(text.len() as u64 + 1) as usize);
                text
            }
            _ => self.object(0).to_string().into_bytes(),
        }
    }
}

fn check_every_decode(runs: u64, seed: u64) {
    let fallback = Fallback::default();
    let mut inputs = Inputs(seed | 1);
    for run in 0..runs {
        let body = inputs.push_body();
        let shown = decode_push(Some(&body), &fallback);
        let context = || format!("run {run}: {:?}", String::from_utf8_lossy(&body[..body.len().min(300)]));
        assert!(!shown.title.trim().is_empty(), "empty title, {}", context());
        assert!(shown.title.chars().count() <= MAX_TITLE_CHARS, "{}", context());
        assert!(shown.body.as_ref().is_none_or(|b| b.chars().count() <= MAX_BODY_CHARS), "{}", context());
        assert!(shown.actions.len() <= MAX_ACTIONS, "{}", context());
        assert!(shown.actions.iter().all(|a| !a.action.is_empty() && !a.title.trim().is_empty()), "{}", context());
        assert!(
            shown.vibrate.len() <= MAX_VIBRATE_ENTRIES && shown.vibrate.iter().all(|ms| *ms <= MAX_VIBRATE_MS),
            "{}",
            context()
        );
        assert!(shown.timestamp.is_none_or(|t| t.is_finite() && t >= 0.0), "{}", context());
    }
}

#[test]
fn every_input_decodes_without_panic_to_a_titled_bounded_notification() {
    check_every_decode(20_000, 0x5eed);
}

/// The long run: `WASM_PUSH_DECODE_RUNS=10000000 cargo test --release -p wasm-push --test decoding
/// long_decode_run -- --ignored --nocapture`.
#[test]
#[ignore = "minutes long; run by hand"]
fn long_decode_run() {
    let runs = std::env::var("WASM_PUSH_DECODE_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(1_000_000);
    let started = std::time::Instant::now();
    check_every_decode(runs, 0x1234_5678_9abc_def1);
    println!(
        "{runs} inputs decoded in {:.1} s, every one a titled, bounded notification",
        started.elapsed().as_secs_f64()
    );
}
