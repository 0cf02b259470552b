//! A broadcast to every subscriber, run as jobs by any number of worker processes.
//!
//! PostgreSQL holds both the subscriptions and the queue ([apalis] over `apalis-postgres`):
//! `send` writes the broadcast and one job per few hundred subscriptions (a range of ids), and
//! each `work` process takes one job at a time and fans it out with
//! [`Sender::fan_out`](wasm_push::server::Sender::fan_out). A push the push service took is
//! written down at once (`deliveries`), so a job taken again after its worker died sends only
//! what was not written down: the pushes in flight at the kill, which the payload's `tag` makes
//! replace rather than stack on the device. A subscription the push service says is gone is
//! deleted.
//!
//! ```text
//! broadcast setup                       the tables (ours and apalis's)
//! broadcast add < subscriptions.jsonl   one PushSubscription.toJSON() a line
//! broadcast send --title T [--body B] [--url U] [--batch 200]
//! broadcast work --name N [--concurrency 64] [--per-origin 16] [--heartbeat-secs 5]
//! broadcast status ID                   delivered, subscribers, jobs not done
//! ```
//!
//! Settings come from the environment: `DATABASE_URL`, `VAPID_PRIVATE_KEY` (base64url, the
//! app server's key), `VAPID_SUBJECT` (`mailto:` or `https:`), and `WASM_PUSH_ENDPOINTS`
//! (`public`, the default: only `https://` push services on public addresses; `loopback`, for
//! tests, allows `http://` and loopback).

use apalis::layers::WorkerBuilderExt;
use apalis::prelude::{BoxDynError, Data, TaskBuilder, TaskSink, WorkerBuilder, WorkerContext};
use apalis_postgres::{Config, PostgresStorage};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::io::BufRead;
use std::time::Duration;
use wasm_push::server::{Endpoints, FanOut, Push, Sender, VapidKeys, VapidSubject, Verdict};
use wasm_push::{NotificationPayload, Subscription};

/// One job: the broadcast's subscriptions with ids in `after < id <= upto`, or only the ids of
/// `only` among them (a retry of those a push service asked to wait for).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Batch {
    broadcast: i64,
    after: i64,
    upto: i64,
    #[serde(default)]
    only: Vec<i64>,
}

/// The queue's name in apalis's tables.
const QUEUE: &str = "broadcast";
/// How often a job is tried when its worker fails or dies before apalis gives it up.
const ATTEMPTS: usize = 10;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS subscriptions (
    id BIGSERIAL PRIMARY KEY,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS broadcasts (
    id BIGSERIAL PRIMARY KEY,
    payload TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS deliveries (
    broadcast BIGINT NOT NULL REFERENCES broadcasts ON DELETE CASCADE,
    subscription BIGINT NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
    worker TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (broadcast, subscription)
);";

#[tokio::main]
async fn main() {
    if let Err(why) = run(std::env::args().skip(1).collect()).await {
        eprintln!("broadcast: {why}");
        std::process::exit(1);
    }
}

async fn run(args: Vec<String>) -> Result<(), BoxDynError> {
    let (command, flags) = args.split_first().ok_or(USAGE)?;
    let flags = Flags(flags);
    let pool = connect().await?;
    match command.as_str() {
        "setup" => setup(&pool).await,
        "add" => add(&pool).await,
        "send" => {
            let mut payload = NotificationPayload::new(flags.get("--title").ok_or("send needs --title")?);
            payload.body = flags.get("--body").map(str::to_owned);
            payload.url = flags.get("--url").map(str::to_owned);
            let batch = flags.number("--batch", 200)?;
            send(&pool, payload, batch).await
        }
        "work" => {
            let name = flags.get("--name").ok_or("work needs --name, unique among the workers")?;
            let limits = FanOut::default()
                .concurrency(flags.number("--concurrency", 64)? as usize)
                .per_origin(flags.number("--per-origin", 16)? as usize);
            let heartbeat = Duration::from_secs(flags.number("--heartbeat-secs", 5)? as u64);
            work(pool, name, limits, heartbeat).await
        }
        "status" => {
            let id: i64 = flags.0.first().ok_or("status needs a broadcast id")?.parse()?;
            status(&pool, id).await
        }
        other => Err(format!("unknown command {other}\n{USAGE}").into()),
    }
}

const USAGE: &str = "usage: broadcast setup | add | send --title T | work --name N | status ID";

/// The flags after a command, `--name value` pairs.
struct Flags<'a>(&'a [String]);

impl Flags<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().position(|flag| flag == name).and_then(|i| self.0.get(i + 1)).map(String::as_str)
    }

    fn number(&self, name: &str, default: i64) -> Result<i64, BoxDynError> {
        match self.get(name) {
            None => Ok(default),
            Some(value) => match value.parse::<i64>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("{name} {value}: a positive number").into()),
            },
        }
    }
}

fn env(name: &str) -> Result<String, BoxDynError> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

async fn connect() -> Result<PgPool, BoxDynError> {
    Ok(PgPoolOptions::new().max_connections(4).connect(&env("DATABASE_URL")?).await?)
}

/// The endpoint rules, from `WASM_PUSH_ENDPOINTS`.
fn endpoints() -> Result<Endpoints, BoxDynError> {
    match std::env::var("WASM_PUSH_ENDPOINTS").as_deref() {
        Err(_) | Ok("public") => Ok(Endpoints::default()),
        Ok("loopback") => Ok(Endpoints::loopback_for_tests()),
        Ok(other) => Err(format!("WASM_PUSH_ENDPOINTS={other}: public or loopback").into()),
    }
}

async fn setup(pool: &PgPool) -> Result<(), BoxDynError> {
    PostgresStorage::setup(pool).await?;
    sqlx::raw_sql(SCHEMA).execute(pool).await?;
    Ok(())
}

/// Stores each `toJSON()` subscription read from stdin, once per endpoint, refusing what no
/// push can be sent to (the sender's endpoint rules, read as the sender will read them).
async fn add(pool: &PgPool) -> Result<(), BoxDynError> {
    let rules = endpoints()?;
    let (mut added, mut refused) = (0, 0);
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let subscription = match serde_json::from_str::<Subscription>(&line) {
            Ok(subscription) if rules.check(&subscription.endpoint).is_ok() => subscription,
            _ => {
                refused += 1;
                continue;
            }
        };
        let done = sqlx::query(
            "INSERT INTO subscriptions (endpoint, p256dh, auth) VALUES ($1, $2, $3)
             ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth",
        )
        .bind(&subscription.endpoint)
        .bind(&subscription.keys.p256dh)
        .bind(&subscription.keys.auth)
        .execute(pool)
        .await?;
        added += done.rows_affected();
    }
    println!("added {added}, refused {refused}");
    Ok(())
}

/// Writes the broadcast and its jobs: one per `batch` subscriptions, each a range of ids, so
/// a job is a few numbers however many subscribers there are.
async fn send(pool: &PgPool, mut payload: NotificationPayload, batch: i64) -> Result<(), BoxDynError> {
    let mut tx = pool.begin().await?;
    let id: i64 =
        sqlx::query_scalar("INSERT INTO broadcasts (payload) VALUES ('{}') RETURNING id").fetch_one(&mut *tx).await?;
    // A push that reaches a device twice (sent again after a worker died with it in flight)
    // replaces the first rather than stacking.
    payload.tag = Some(format!("broadcast-{id}"));
    sqlx::query("UPDATE broadcasts SET payload = $1 WHERE id = $2")
        .bind(serde_json::to_string(&payload)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    // Every batch-th id, and the last: the ranges' upper ends.
    let ends: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total
         FROM subscriptions) AS s WHERE n % $1 = 0 OR n = total ORDER BY id",
    )
    .bind(batch)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut storage = storage(pool, Duration::from_secs(5));
    let mut after = 0;
    for &upto in &ends {
        storage.push_task(job(Batch { broadcast: id, after, upto, only: Vec::new() }, Duration::ZERO)).await?;
        after = upto;
    }
    println!("broadcast {id}: {} jobs", ends.len());
    Ok(())
}

fn job(batch: Batch, after: Duration) -> apalis::prelude::Task<Batch> {
    TaskBuilder::new(batch).run_after(after).max_attempts(ATTEMPTS).build()
}

/// The queue, as a worker or a sender of jobs sees it: one job fetched at a time, so the
/// workers share them; a worker silent for three heartbeats is dead and its job goes back.
fn storage(pool: &PgPool, heartbeat: Duration) -> PostgresStorage<Batch> {
    let config = Config::default().queue(QUEUE).batch_size(1).heartbeat_interval(heartbeat).missed_heartbeats(3);
    PostgresStorage::new(pool).with_config(config)
}

/// What every job of one worker shares.
#[derive(Clone)]
struct Worker {
    pool: PgPool,
    sender: Sender,
    limits: FanOut,
    name: String,
    heartbeat: Duration,
}

async fn work(pool: PgPool, name: &str, limits: FanOut, heartbeat: Duration) -> Result<(), BoxDynError> {
    let keys = VapidKeys::from_private(&env("VAPID_PRIVATE_KEY")?)?;
    let subject = VapidSubject::new(&env("VAPID_SUBJECT")?)?;
    let sender = Sender::new(keys, subject).with_endpoints(endpoints()?);
    let shared = Worker { pool: pool.clone(), sender, limits, name: name.to_owned(), heartbeat };
    // One job at a time (apalis runs a worker's jobs side by side unless told otherwise): the
    // pushes in flight, which a crash may send twice, are at most the fan-out's concurrency.
    let worker =
        WorkerBuilder::new(name).backend(storage(&pool, heartbeat)).concurrency(1).data(shared).build(send_batch);
    println!("worker {name}: waiting for jobs");
    worker.run_until(shutdown()).await?;
    Ok(())
}

/// Ctrl-C or SIGTERM: stop taking jobs, finish the one under way.
async fn shutdown() -> Result<(), std::io::Error> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        done = tokio::signal::ctrl_c() => done,
        _ = term.recv() => Ok(()),
    }
}

/// One job: the range's subscriptions this broadcast has not reached yet, fanned out, each
/// outcome written down as it comes.
async fn send_batch(batch: Batch, worker: Data<Worker>, _: WorkerContext) -> Result<(), BoxDynError> {
    let pool = &worker.pool;
    let payload: String = sqlx::query_scalar("SELECT payload FROM broadcasts WHERE id = $1")
        .bind(batch.broadcast)
        .fetch_one(pool)
        .await?;
    let payload: NotificationPayload = serde_json::from_str(&payload)?;
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, endpoint, p256dh, auth FROM subscriptions AS s
         WHERE id > $1 AND id <= $2 AND (cardinality($3::BIGINT[]) = 0 OR id = ANY($3))
           AND NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.broadcast = $4 AND d.subscription = s.id)
         ORDER BY id",
    )
    .bind(batch.after)
    .bind(batch.upto)
    .bind(&batch.only)
    .bind(batch.broadcast)
    .fetch_all(pool)
    .await?;
    let push = Push::new(&payload).ttl(24 * 3600);
    let pushes = futures_util::stream::iter(rows.into_iter().filter_map(|(id, endpoint, p256dh, auth)| {
        let subscription = serde_json::json!({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}});
        // A row that is not a subscription cannot be pushed to, here or later.
        Some((id, serde_json::from_value::<Subscription>(subscription).ok()?, push.clone()))
    }));
    let mut outcomes = std::pin::pin!(worker.sender.fan_out(pushes, worker.limits.clone()));
    let (mut later, mut wait) = (Vec::new(), Duration::ZERO);
    while let Some(outcome) = outcomes.next().await {
        match outcome.verdict {
            Verdict::Sent => {
                sqlx::query(
                    "INSERT INTO deliveries (broadcast, subscription, worker) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                )
                .bind(batch.broadcast)
                .bind(outcome.id)
                .bind(&worker.name)
                .execute(pool)
                .await?;
            }
            Verdict::Gone | Verdict::Malformed(_) => {
                sqlx::query("DELETE FROM subscriptions WHERE id = $1").bind(outcome.id).execute(pool).await?;
            }
            Verdict::RetryAfter(after) => {
                later.push(outcome.id);
                wait = wait.max(after.unwrap_or(Duration::from_secs(60)));
            }
            Verdict::Refused(why) => eprintln!("worker {}: subscription {} refused: {why}", worker.name, outcome.id),
            _ => {}
        }
    }
    if !later.is_empty() {
        let retry = Batch { only: later, ..batch };
        storage(pool, worker.heartbeat).push_task(job(retry, wait)).await?;
    }
    Ok(())
}

/// How far a broadcast got.
async fn status(pool: &PgPool, id: i64) -> Result<(), BoxDynError> {
    let (delivered, subscribers, open): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM deliveries WHERE broadcast = $1),
                (SELECT count(*) FROM subscriptions),
                (SELECT count(*) FROM apalis.jobs WHERE job_type = $2 AND status NOT IN ('Done', 'Killed'))",
    )
    .bind(id)
    .bind(QUEUE)
    .fetch_one(pool)
    .await?;
    println!("broadcast {id}: delivered {delivered} of {subscribers} subscribers, {open} jobs not done");
    Ok(())
}
