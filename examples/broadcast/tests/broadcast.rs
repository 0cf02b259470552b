//! The broadcast example as its README runs it: a PostgreSQL server of its own, the loopback
//! push service (answering each push 30 ms late, as one far away does) with a scripted browser
//! holding the subscriptions, and `broadcast` processes, two of them workers, one killed in the
//! middle of a job.

use serde_json::json;
use sqlx::postgres::PgPool;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use wasm_push_service::testing::{AppServerKey, ScriptedBrowser};
use wasm_push_service::PushService;

/// Subscribers, of which the browser unsubscribed `GONE` (the first of each ten and so on).
const SUBSCRIBERS: usize = 600;
const GONE: usize = 30;
/// Each worker's pushes at once: the most a kill can leave in flight, and the most deliveries
/// it writes down together.
const CONCURRENCY: usize = 8;

/// What happens to worker a in the middle of a job.
#[derive(Clone, Copy, PartialEq)]
enum Interrupt {
    /// SIGKILL: no chance to finish anything.
    Kill,
    /// SIGSTOP until worker b has finished a's job, then SIGCONT: a wakes up past its
    /// heartbeats, with the rest of its batch in memory.
    Pause,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_a_broadcast_and_a_killed_one_loses_no_push_and_gone_subscriptions_are_deleted() {
    interrupted(Interrupt::Kill).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_paused_past_its_heartbeats_sends_no_duplicate_batch_when_it_wakes() {
    interrupted(Interrupt::Pause).await;
}

/// Two workers share a broadcast of `SUBSCRIBERS`, and worker a is interrupted half-way
/// through a job: every subscriber still subscribed gets it, and only a's pushes at the
/// interruption are sent twice.
async fn interrupted(how: Interrupt) {
    let db = Postgres::start(if how == Interrupt::Kill { "killed" } else { "paused" });
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    service.answer_after(Duration::from_millis(30));
    let key = AppServerKey::from_seed(23);
    let mut browser = ScriptedBrowser::connect(&service, None).await;
    let mut subs = Vec::new();
    for _ in 0..SUBSCRIBERS {
        subs.push(browser.subscribe(&key.public).await);
    }
    let gone: Vec<usize> = (0..GONE).map(|i| i * (SUBSCRIBERS / GONE)).collect();

    let broadcast = Broadcast { database: db.url.clone(), key: key.private.clone() };
    broadcast.run(&["setup"], "");
    let lines: String = subs.iter().map(|sub| format!("{}\n", sub.to_json())).collect();
    let added = broadcast.run(&["add"], &lines);
    assert_eq!(added.trim(), format!("added {SUBSCRIBERS}, refused 0"));
    for &i in &gone {
        browser.send(json!({"messageType": "unregister", "channelID": subs[i].channel_id})).await;
        assert_eq!(browser.recv().await["status"], 200);
    }

    let pool = PgPool::connect(&db.url).await.unwrap();
    let mut a = broadcast.worker("a");
    let mut b = broadcast.worker("b");
    let sent = broadcast.run(&["send", "--title", "Storm warning", "--body", "Stay inside", "--batch", "100"], "");
    assert_eq!(sent.trim(), "broadcast 1: 6 jobs");

    // What the device receives, per subscription, while the workers run.
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let receiving = tokio::spawn(async move {
        let mut received = vec![Vec::new(); subs.len()];
        loop {
            tokio::select! {
                _ = &mut stopped => return (received, subs),
                next = browser.receive_from(&subs, Duration::from_secs(60)) => {
                    let (i, text) = next.expect("a notification within a minute");
                    received[i].push(text);
                }
            }
        }
    });

    // Interrupt worker a in the middle of a job: once it finished one, and holds another a
    // fifth of whose pushes it has written down as delivered.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done_in_job: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM deliveries AS d,
                (SELECT convert_from(job, 'UTF8')::jsonb AS batch FROM apalis.jobs
                 WHERE lock_by = 'a' AND status = 'Running') AS j
             WHERE d.worker = 'a' AND d.subscription > (j.batch->>'after')::bigint
               AND d.subscription <= (j.batch->>'upto')::bigint
               AND EXISTS (SELECT 1 FROM apalis.jobs WHERE lock_by = 'a' AND status = 'Done')",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if done_in_job >= 20 {
            match how {
                Interrupt::Kill => a.kill(),
                Interrupt::Pause => a.signal("STOP"),
            }
            break;
        }
        assert!(Instant::now() < deadline, "worker a never got to the middle of a job");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Worker b finishes everything, the killed worker's job among it once its heartbeats stop.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let open: i64 = sqlx::query_scalar("SELECT count(*) FROM apalis.jobs WHERE status <> 'Done'")
            .fetch_one(&pool)
            .await
            .unwrap();
        let delivered: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries").fetch_one(&pool).await.unwrap();
        if open == 0 && delivered as usize == SUBSCRIBERS - GONE {
            break;
        }
        assert!(Instant::now() < deadline, "{open} jobs not done, {delivered} delivered, after a minute");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if how == Interrupt::Pause {
        // Worker a wakes with the rest of its batch in memory and finds its lease gone.
        a.signal("CONT");
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    // Anything still on its way reaches the browser.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.send(()).unwrap();
    let (received, subs) = receiving.await.unwrap();
    b.kill();

    // Every subscriber still subscribed got the broadcast, its tag making a second copy
    // replace the first on the device.
    let mut duplicates = 0;
    for (i, texts) in received.iter().enumerate() {
        if gone.contains(&i) {
            assert!(texts.is_empty(), "subscription {i} was gone, yet received {texts:?}");
            continue;
        }
        assert!(!texts.is_empty(), "subscription {i} received nothing: a push was lost");
        for text in texts {
            let payload: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                (&payload["title"], &payload["body"], &payload["tag"]),
                (&json!("Storm warning"), &json!("Stay inside"), &json!("broadcast-1"))
            );
        }
        duplicates += texts.len() - 1;
    }
    // Sent twice: only what worker a had in flight when it was killed or paused, and what it
    // delivered but had not written down yet (at most its concurrency); waking, it asks for its
    // lease before anything else and stops, never sending the rest of its batch.
    assert!(
        duplicates <= 2 * CONCURRENCY,
        "{duplicates} pushes sent twice, more than the {CONCURRENCY} in flight and {CONCURRENCY} not written down"
    );

    // The kill did interrupt a job, which apalis gave back and worker b finished.
    let requeued: i64 =
        sqlx::query_scalar("SELECT count(*) FROM apalis.jobs WHERE status = 'Done' AND lock_by = 'b' AND attempts > 0")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(requeued >= 1, "no job was taken again after the interruption");
    let finished: Vec<(String, i64)> = sqlx::query_as(
        "SELECT lock_by, count(*) FROM apalis.jobs WHERE status = 'Done' GROUP BY lock_by ORDER BY lock_by",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        finished.len() == 2 && finished.iter().all(|(_, jobs)| *jobs >= 1),
        "each worker finished a job: {finished:?}"
    );
    let by_worker: Vec<(String, i64)> =
        sqlx::query_as("SELECT worker, count(*) FROM deliveries GROUP BY worker ORDER BY worker")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(by_worker.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>(), ["a", "b"], "{by_worker:?}");

    // Gone subscriptions are deleted, and only those.
    let kept: Vec<String> =
        sqlx::query_scalar("SELECT endpoint FROM subscriptions ORDER BY id").fetch_all(&pool).await.unwrap();
    let (gone_kept, live_kept) = subs.iter().enumerate().fold((0, 0), |(g, l), (i, sub)| {
        let kept = kept.contains(&sub.endpoint);
        if gone.contains(&i) {
            (g + usize::from(kept), l)
        } else {
            (g, l + usize::from(kept))
        }
    });
    assert_eq!(
        (gone_kept, live_kept, kept.len()),
        (0, SUBSCRIBERS - GONE, SUBSCRIBERS - GONE),
        "gone kept, live kept, rows"
    );
    let status = broadcast.run(&["status", "1"], "");
    assert_eq!(
        status.trim(),
        format!("broadcast 1: delivered {0} of {0} subscribers, 0 jobs not done", SUBSCRIBERS - GONE)
    );
    eprintln!("duplicates after the interruption: {duplicates}; by worker: {by_worker:?}");
}

/// `SUBSCRIBERS`-like subscriptions of a scripted browser, added to a fresh broadcast database.
async fn subscribers(
    name: &str,
    count: usize,
) -> (Postgres, PushService, ScriptedBrowser, Vec<wasm_push_service::testing::BrowserSubscription>, Broadcast) {
    let db = Postgres::start(name);
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let key = AppServerKey::from_seed(25);
    let mut browser = ScriptedBrowser::connect(&service, None).await;
    let mut subs = Vec::new();
    for _ in 0..count {
        subs.push(browser.subscribe(&key.public).await);
    }
    let broadcast = Broadcast { database: db.url.clone(), key: key.private.clone() };
    broadcast.run(&["setup"], "");
    let lines: String = subs.iter().map(|sub| format!("{}\n", sub.to_json())).collect();
    assert_eq!(broadcast.run(&["add"], &lines).trim(), format!("added {count}, refused 0"));
    (db, service, browser, subs, broadcast)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_stopped_half_way_is_resumed_by_its_id_and_each_subscriber_gets_the_broadcast_once() {
    let (db, _service, mut browser, subs, broadcast) = subscribers("resumed", 60).await;
    let sent = broadcast.run(&["send", "--title", "Road closed", "--batch", "10"], "");
    assert_eq!(sent.trim(), "broadcast 1: 6 jobs");
    // What a crash half-way through the queueing leaves: the broadcast and its batches
    // written, half the jobs queued.
    let pool = PgPool::connect(&db.url).await.unwrap();
    sqlx::query("DELETE FROM apalis.jobs WHERE id IN (SELECT id FROM apalis.jobs ORDER BY id LIMIT 3)")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(broadcast.run(&["resume", "1"], "").trim(), "broadcast 1: 3 jobs (the others were queued already)");
    assert_eq!(broadcast.run(&["resume", "1"], "").trim(), "broadcast 1: 0 jobs (the others were queued already)");
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM apalis.jobs").fetch_one(&pool).await.unwrap();
    let broadcasts: i64 = sqlx::query_scalar("SELECT count(*) FROM broadcasts").fetch_one(&pool).await.unwrap();
    assert_eq!((jobs, broadcasts), (6, 1));

    let _worker = broadcast.worker("only");
    let mut received = vec![0; subs.len()];
    for _ in 0..subs.len() {
        let (i, _) =
            browser.receive_from(&subs, Duration::from_secs(60)).await.expect("a notification within a minute");
        received[i] += 1;
    }
    assert!(browser.receive_from(&subs, Duration::from_secs(2)).await.is_none(), "a push arrived twice");
    assert!(received.iter().all(|&n| n == 1), "{received:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_a_push_service_keeps_asking_to_wait_for_are_retried_until_the_give_up_time_and_no_longer() {
    let db = Postgres::start("give-up");
    // A push service that answers every push 429, to be asked again in a second.
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Instant>::new()));
    let counter = asked.clone();
    let app = axum::Router::new().fallback(move || {
        counter.lock().unwrap().push(Instant::now());
        async { (axum::http::StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")]) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/push/always-busy", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let broadcast = Broadcast { database: db.url.clone(), key: AppServerKey::from_seed(26).private };
    broadcast.run(&["setup"], "");
    let line = format!(r#"{{"endpoint":"{endpoint}",{KEYS}}}"#);
    assert_eq!(broadcast.run(&["add"], &line).trim(), "added 1, refused 0");
    let give_up = Instant::now() + Duration::from_secs(6);
    broadcast.run(&["send", "--title", "Busy", "--give-up-secs", "6"], "");
    let _worker = broadcast.worker("only");

    let pool = PgPool::connect(&db.url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let open: i64 = sqlx::query_scalar("SELECT count(*) FROM apalis.jobs WHERE status NOT IN ('Done', 'Killed')")
            .fetch_one(&pool)
            .await
            .unwrap();
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "jobs still queued 30 s after a give-up time of 6 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM apalis.jobs").fetch_one(&pool).await.unwrap();
    assert!((2..=3).contains(&jobs), "{jobs} jobs: retried, and within the give-up time");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let asked = asked.lock().unwrap().clone();
    // Each job asks four times (a try and the fan-out's three retries, a second apart); none
    // starts after the give-up time, and the last one started before it ends within its retries.
    assert!(asked.len() >= 8 && asked.len() <= 4 * jobs as usize, "asked {} times in {jobs} jobs", asked.len());
    let last = *asked.iter().max().unwrap();
    assert!(last < give_up + Duration::from_secs(4), "asked {:?} after the give-up time", last - give_up);
    let status = broadcast.run(&["status", "1"], "");
    assert_eq!(status.trim(), "broadcast 1: delivered 0 of 1 subscribers, 0 jobs not done");
}

/// A browser's subscription keys, as `toJSON()` gives them.
const KEYS: &str = r#""keys":{"auth":"x7aPzMh8OBZ3WDnsHjbBQQ","p256dh":"BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"}"#;

#[tokio::test]
async fn add_and_send_refuse_what_no_push_can_carry() {
    let db = Postgres::start("add");
    let broadcast = Broadcast { database: db.url.clone(), key: AppServerKey::from_seed(24).private };
    broadcast.run(&["setup"], "");
    let lines = [
        format!(r#"{{"endpoint":"https://push.example/ok",{KEYS}}}"#),
        format!(r#"{{"endpoint":"http://127.0.0.1:8080/internal",{KEYS}}}"#),
        format!(r#"{{"endpoint":"https://169.254.169.254/latest",{KEYS}}}"#),
        "not json".to_owned(),
        format!(r#"{{"endpoint":"https://push.example/ok",{KEYS}}}"#),
        // Keys no browser makes: no push could be encrypted for them.
        r#"{"endpoint":"https://push.example/bad-keys","keys":{"auth":"short","p256dh":"BPk"}}"#.to_owned(),
    ];
    // The public rules: any public https:// push service, as an operator may choose.
    let output = broadcast.command(&["add"]).env("WASM_PUSH_ENDPOINTS", "public").output_with(&lines.join("\n"));
    assert_eq!(output.trim(), "added 2, refused 4");
    let pool = PgPool::connect(&db.url).await.unwrap();
    let kept: Vec<String> = sqlx::query_scalar("SELECT endpoint FROM subscriptions").fetch_all(&pool).await.unwrap();
    assert_eq!(kept, ["https://push.example/ok"]);
    // The default: the known push services only, never a host a visitor chose.
    let lines = [
        format!(r#"{{"endpoint":"https://push.example/visitors-own",{KEYS}}}"#),
        format!(r#"{{"endpoint":"https://fcm.googleapis.com/fcm/send/abc",{KEYS}}}"#),
    ];
    let output = broadcast.command(&["add"]).env_remove("WASM_PUSH_ENDPOINTS").output_with(&lines.join("\n"));
    assert_eq!(output.trim(), "added 1, refused 1");

    // A payload too large for any push service: one error, and no broadcast written.
    let long = "x".repeat(4000);
    let refused = broadcast.command(&["send", "--title", "Long", "--body", &long]).output().unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && said.contains("Web Push carries at most"), "{said}");
    let broadcasts: i64 = sqlx::query_scalar("SELECT count(*) FROM broadcasts").fetch_one(&pool).await.unwrap();
    assert_eq!(broadcasts, 0);
}

/// The example's program, with the settings its README names.
struct Broadcast {
    database: String,
    key: String,
}

impl Broadcast {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_broadcast"));
        command
            .args(args)
            .env("DATABASE_URL", &self.database)
            .env("VAPID_PRIVATE_KEY", &self.key)
            .env("VAPID_SUBJECT", "mailto:ops@your.site")
            .env("WASM_PUSH_ENDPOINTS", "loopback");
        command
    }

    /// Runs a command to its end with `stdin`; its stdout.
    fn run(&self, args: &[&str], stdin: &str) -> String {
        self.command(args).output_with(stdin)
    }

    /// A worker process, beating every second, so a dead one is found in three.
    fn worker(&self, name: &str) -> Worker {
        self.worker_at(name, CONCURRENCY)
    }

    /// A worker process sending `concurrency` pushes at once.
    fn worker_at(&self, name: &str, concurrency: usize) -> Worker {
        let concurrency = concurrency.to_string();
        let child = self
            .command(&["work", "--name", name, "--concurrency", &concurrency, "--heartbeat-secs", "1"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Worker(child)
    }
}

/// A worker process, killed (SIGKILL: no chance to finish anything) when dropped at the latest.
struct Worker(Child);

impl Worker {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    /// Sends it a signal (`STOP`, `CONT`).
    fn signal(&self, name: &str) {
        must(Command::new("kill").arg(format!("-{name}")).arg(self.0.id().to_string()));
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

trait OutputWith {
    fn output_with(&mut self, stdin: &str) -> String;
}

impl OutputWith for Command {
    fn output_with(&mut self, stdin: &str) -> String {
        let mut child = self.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&stdout), String::from_utf8_lossy(&stderr));
        assert!(status.success(), "{self:?}: {status}\n{stdout}\n{stderr}");
        stdout.into_owned()
    }
}

/// Not a test: `cargo xtask bench`'s broadcast row. A broadcast to `WASM_PUSH_BENCH_PUSHES`
/// subscribers of the bench's sink (`WASM_PUSH_BENCH_SINK`, which answers 201 at once), sent by
/// two workers of 64 pushes at once through this test's own PostgreSQL, from `send` until
/// `status` says every one was delivered. Prints one JSON line: the wall seconds, the CPU
/// seconds of the workers and of PostgreSQL, and the workers' peak memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark, which `cargo xtask bench` runs"]
async fn bench_a_broadcast_through_postgresql_and_two_workers() {
    let sink = std::env::var("WASM_PUSH_BENCH_SINK").expect("WASM_PUSH_BENCH_SINK: run it through `cargo xtask bench`");
    let pushes: usize = std::env::var("WASM_PUSH_BENCH_PUSHES").map_or(10_000, |n| n.parse().unwrap());
    let concurrency: usize = std::env::var("WASM_PUSH_BENCH_CONCURRENCY").map_or(64, |n| n.parse().unwrap());
    let db = Postgres::start("bench");
    let key = AppServerKey::from_seed(29);
    let broadcast = Broadcast { database: db.url.clone(), key: key.private.clone() };
    broadcast.run(&["setup"], "");
    // Valid keys for every row: each push is encrypted for them, as for a browser's.
    let keys = r#""keys":{"p256dh":"BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0","auth":"x7aPzMh8OBZ3WDnsHjbBQQ"}"#;
    let lines: String = (0..pushes).map(|i| format!("{{\"endpoint\":\"{sink}/push/{i}\",{keys}}}\n")).collect();
    assert_eq!(broadcast.run(&["add"], &lines).trim(), format!("added {pushes}, refused 0"));
    let workers = [broadcast.worker_at("a", concurrency), broadcast.worker_at("b", concurrency)];
    // The bench's own look at the database: one connection, whose CPU is taken out below.
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&db.url).await.unwrap();
    let watcher: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&pool).await.unwrap();
    let watcher = watcher as u32;
    let pids = workers.each_ref().map(|worker| worker.0.id());
    let postmaster: u32 =
        std::fs::read_to_string(db.dir.join("data/postmaster.pid")).unwrap().lines().next().unwrap().parse().unwrap();
    let (workers_before, postgres_before) = (pids.map(|pid| cpu_seconds(pid, false)), postgres_cpu_seconds(postmaster));
    let watcher_before = cpu_seconds(watcher, false);
    let started = Instant::now();
    broadcast.run(
        &["send", "--title", "Bench", "--body", "A typical notification, with a body of a few words", "--batch", "500"],
        "",
    );
    let delivered =
        async || -> i64 { sqlx::query_scalar("SELECT count(*) FROM deliveries").fetch_one(&pool).await.unwrap() };
    let mut sent = 0;
    while sent < pushes as i64 {
        assert!(started.elapsed() < Duration::from_secs(600), "{sent} of {pushes} delivered after 10 minutes");
        tokio::time::sleep(Duration::from_millis(500)).await;
        sent = delivered().await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let workers_cpu: f64 = pids.iter().zip(workers_before).map(|(pid, before)| cpu_seconds(*pid, false) - before).sum();
    let watching = cpu_seconds(watcher, false) - watcher_before;
    let postgres_cpu = postgres_cpu_seconds(postmaster) - postgres_before - watching;
    let peak_rss_kb = pids.iter().map(|pid| peak_rss_kb(*pid)).max().unwrap_or(0);
    drop(workers);
    println!(
        "{}",
        json!({
            "sent": sent,
            "seconds": seconds,
            "cpu_seconds": workers_cpu + postgres_cpu,
            "workers_cpu_seconds": workers_cpu,
            "postgres_cpu_seconds": postgres_cpu,
            "peak_rss_kb": peak_rss_kb,
        })
    );
}

/// The user and system CPU seconds of `pid` so far, and with `reaped` those of the children it
/// waited for (`/proc/PID/stat`).
fn cpu_seconds(pid: u32, reaped: bool) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command's name: state, ppid, …; utime and stime are the 12th and 13th, the
    // reaped children's the 14th and 15th.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let total = ticks(11) + ticks(12) + if reaped { ticks(13) + ticks(14) } else { 0.0 };
    total / clock_ticks()
}

/// PostgreSQL's CPU seconds: the postmaster's, the backends' it reaped, and its living children's.
fn postgres_cpu_seconds(postmaster: u32) -> f64 {
    let children = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok());
    let parent = |pid: u32| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
    };
    let living: f64 = children.filter(|pid| parent(*pid) == Some(postmaster)).map(|pid| cpu_seconds(pid, false)).sum();
    cpu_seconds(postmaster, true) + living
}

fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0)
}

fn clock_ticks() -> f64 {
    let out =
        Command::new("getconf").arg("CLK_TCK").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    out.ok().and_then(|ticks| ticks.parse().ok()).unwrap_or(100.0)
}

/// A PostgreSQL server of this test's own, on a free loopback port, stopped when dropped. As
/// root, it runs as the `postgres` user Debian's package made (PostgreSQL refuses root).
struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    url: String,
}

impl Postgres {
    fn start(name: &str) -> Postgres {
        let bin = postgres_bin();
        let dir = std::env::temp_dir().join(format!("wasm-push-broadcast-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut db = Postgres { dir, bin, url: String::new() };
        if is_root() {
            must(Command::new("chown").args(["postgres:postgres"]).arg(&db.dir));
        }
        let data = db.dir.join("data");
        must(db.as_owner("initdb").arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ]));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", db.dir.display());
        must(
            db.as_owner("pg_ctl")
                .args(["start", "-w", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(db.dir.join("log"))
                .args(["-o", &options]),
        );
        db.url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        db
    }

    fn as_owner(&self, tool: &str) -> Command {
        let tool = self.bin.join(tool);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(tool);
            command
        } else {
            Command::new(tool)
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self.as_owner("pg_ctl").args(["stop", "-m", "immediate", "-D"]).arg(self.dir.join("data")).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where PostgreSQL's server programs are: `WASM_PUSH_POSTGRES_BIN` when set (another layout
/// than Debian's), else Debian's newest (`cargo xtask test` installs `postgresql` when none is).
fn postgres_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("WASM_PUSH_POSTGRES_BIN") {
        return bin.into();
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|version| version.path().join("bin"))
        .filter(|bin| bin.join("postgres").exists())
        .collect();
    found.sort_by_key(|bin| bin.parent().and_then(Path::file_name).and_then(|v| v.to_str()?.parse::<u32>().ok()));
    found.pop().expect("PostgreSQL's server: `cargo xtask test` installs it (apt-get install postgresql)")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

fn must(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{command:?}: {}", String::from_utf8_lossy(&output.stderr));
}
