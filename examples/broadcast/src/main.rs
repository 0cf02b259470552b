//! A broadcast to every subscriber, run as jobs by any number of worker processes.
//!
//! PostgreSQL holds both the subscriptions and the queue ([apalis] over `apalis-postgres`):
//! `send` writes the broadcast and its batches (ranges of a few hundred subscription ids) in
//! one transaction, then queues one job per batch, each under a key of its own, so queueing
//! again (`resume`) never makes a second job or a second broadcast. Each `work` process takes
//! one job at a time and fans it out with
//! [`Sender::fan_out`](wasm_push::server::Sender::fan_out), holding a lease on the job that it
//! renews every heartbeat: a worker that lost it (paused past its heartbeats, cut off from the
//! database) stops reading its batch. A push the push service took is written down
//! (`deliveries`) with others, within 100 ms, so a job taken again after its worker died sends
//! only what was not written down: the pushes in flight at the kill and those delivered since
//! the last write, which the payload's `tag` makes replace rather than stack on the device. A subscription the push service says is gone is deleted. Pushes a push
//! service asked to wait for are queued again until the broadcast's give-up time.
//!
//! ```text
//! broadcast setup                       the tables (ours and apalis's)
//! broadcast add < subscriptions.jsonl   one PushSubscription.toJSON() a line
//! broadcast send --title T [--body B] [--url U] [--batch 200] [--give-up-secs 86400]
//! broadcast resume ID                   queues the jobs of a send that stopped half-way
//! broadcast work --name N [--concurrency 64] [--per-origin 16] [--heartbeat-secs 5]
//! broadcast status ID                   delivered, subscribers, jobs not done
//! ```
//!
//! Settings come from the environment: `DATABASE_URL`, `VAPID_PRIVATE_KEY` (base64url, the
//! app server's key), `VAPID_SUBJECT` (`mailto:` or `https:`), and `WASM_PUSH_ENDPOINTS`
//! (`known`, the default: only the known push services; `public`: any `https://` push service
//! on a public address; `loopback`, for tests, allows `http://` and loopback).

use apalis::layers::WorkerBuilderExt;
use apalis::prelude::{BoxDynError, Data, TaskBuilder, TaskSink, WorkerBuilder, WorkerContext};
use apalis_postgres::{Config, PostgresStorage};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::io::BufRead;
use std::time::{Duration, SystemTime};
use wasm_push::server::{Endpoints, FanOut, Push, Sender, VapidKeys, VapidSubject, Verdict, KNOWN_PUSH_SERVICES};
use wasm_push::{NotificationPayload, Subscription, SubscriptionKeys};

/// One job: the broadcast's subscriptions with ids in `after < id <= upto`, or only the ids of
/// `only` among them (the `retry`th retry of those a push service asked to wait for).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Batch {
    broadcast: i64,
    after: i64,
    upto: i64,
    #[serde(default)]
    only: Vec<i64>,
    #[serde(default)]
    retry: u32,
}

impl Batch {
    /// The job's key, one per batch and retry: apalis keeps one job a key, and the worker's
    /// lease is on it.
    fn key(&self) -> String {
        format!("{}:{}:{}", self.broadcast, self.upto, self.retry)
    }
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
-- After it, no push of the broadcast is queued again.
ALTER TABLE broadcasts ADD COLUMN IF NOT EXISTS give_up_at TIMESTAMPTZ NOT NULL DEFAULT now() + interval '1 day';
-- The broadcast's batches, written with it: what `resume` queues.
CREATE TABLE IF NOT EXISTS batches (
    broadcast BIGINT NOT NULL REFERENCES broadcasts ON DELETE CASCADE,
    after BIGINT NOT NULL,
    upto BIGINT NOT NULL,
    PRIMARY KEY (broadcast, upto)
);
-- Which worker may send a job's pushes, until when; `epoch` counts the takings.
CREATE TABLE IF NOT EXISTS leases (
    job TEXT PRIMARY KEY,
    worker TEXT NOT NULL,
    epoch BIGINT NOT NULL,
    until TIMESTAMPTZ NOT NULL
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
            let give_up = flags.number("--give-up-secs", 24 * 3600)?;
            send(&pool, payload, batch, give_up).await
        }
        "resume" => {
            let id: i64 = flags.0.first().ok_or("resume needs a broadcast id")?.parse()?;
            queue(&pool, id).await
        }
        "work" => {
            let name = flags.get("--name").ok_or("work needs --name, unique among the workers")?;
            let concurrency = (flags.number("--concurrency", 64)? as usize).max(1);
            let limits =
                FanOut::default().concurrency(concurrency).per_origin(flags.number("--per-origin", 16)? as usize);
            let heartbeat = Duration::from_secs(flags.number("--heartbeat-secs", 5)? as u64);
            work(pool, name, limits, concurrency, heartbeat).await
        }
        "status" => {
            let id: i64 = flags.0.first().ok_or("status needs a broadcast id")?.parse()?;
            status(&pool, id).await
        }
        other => Err(format!("unknown command {other}\n{USAGE}").into()),
    }
}

const USAGE: &str = "usage: broadcast setup | add | send --title T | resume ID | work --name N | status ID";

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

/// The sender, from the settings: its keys, its subject and its endpoint rules
/// (`WASM_PUSH_ENDPOINTS`).
fn sender() -> Result<Sender, BoxDynError> {
    let keys = VapidKeys::from_private(&env("VAPID_PRIVATE_KEY")?)?;
    let subject = VapidSubject::new(&env("VAPID_SUBJECT")?)?;
    let endpoints = match std::env::var("WASM_PUSH_ENDPOINTS").as_deref() {
        Err(_) | Ok("known") => Endpoints::default().only_hosts(KNOWN_PUSH_SERVICES),
        Ok("public") => Endpoints::default(),
        Ok("loopback") => Endpoints::loopback_for_tests(),
        Ok(other) => return Err(format!("WASM_PUSH_ENDPOINTS={other}: known, public or loopback").into()),
    };
    Ok(Sender::new(keys, subject).with_endpoints(endpoints))
}

async fn setup(pool: &PgPool) -> Result<(), BoxDynError> {
    PostgresStorage::setup(pool).await?;
    sqlx::raw_sql(SCHEMA).execute(pool).await?;
    Ok(())
}

/// Stores each `toJSON()` subscription read from stdin, once per endpoint, refusing what no
/// push can be sent to (`Sender::check`: the endpoint rules and the keys, read as the sender
/// will read them), so no bad row ever reaches a broadcast.
async fn add(pool: &PgPool) -> Result<(), BoxDynError> {
    let sender = sender()?;
    let (mut added, mut refused) = (0, 0);
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let subscription = match serde_json::from_str::<Subscription>(&line) {
            Ok(subscription) if sender.check(&subscription).is_ok() => subscription,
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

/// Writes the broadcast and its batches, one per `batch` subscriptions (a range of ids, a few
/// numbers however many subscribers there are), in one transaction, then queues their jobs.
/// Stopped half-way, `resume` queues the rest: the broadcast is never written twice.
async fn send(
    pool: &PgPool,
    mut payload: NotificationPayload,
    batch: i64,
    give_up_secs: i64,
) -> Result<(), BoxDynError> {
    // With the longest tag it gets below: too large for any push service is one error, before
    // anything is written, not one refusal per subscriber.
    payload.tag = Some(format!("broadcast-{}", i64::MAX));
    Push::new(&payload).check()?;
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO broadcasts (payload, give_up_at) VALUES ('{}', now() + make_interval(secs => $1)) RETURNING id",
    )
    .bind(give_up_secs as f64)
    .fetch_one(&mut *tx)
    .await?;
    // A push that reaches a device twice (sent again after a worker died with it in flight)
    // replaces the first rather than stacking.
    payload.tag = Some(format!("broadcast-{id}"));
    sqlx::query("UPDATE broadcasts SET payload = $1 WHERE id = $2")
        .bind(serde_json::to_string(&payload)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    // Every batch-th id, and the last: the ranges' upper ends, each after the one before.
    sqlx::query(
        "INSERT INTO batches (broadcast, after, upto)
         SELECT $1, coalesce(lag(id) OVER (ORDER BY id), 0), id FROM (
             SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total
                             FROM subscriptions) AS s
             WHERE n % $2 = 0 OR n = total) AS ends",
    )
    .bind(id)
    .bind(batch)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    eprintln!("broadcast {id}: written; queueing its jobs (if this stops, `broadcast resume {id}`)");
    queue(pool, id).await
}

/// Queues the job of each of the broadcast's batches that has none yet.
async fn queue(pool: &PgPool, id: i64) -> Result<(), BoxDynError> {
    let batches: Vec<(i64, i64)> = sqlx::query_as("SELECT after, upto FROM batches WHERE broadcast = $1 ORDER BY upto")
        .bind(id)
        .fetch_all(pool)
        .await?;
    let mut storage = storage(pool, Duration::from_secs(5));
    let mut queued = 0;
    for (after, upto) in batches.iter().copied() {
        let batch = Batch { broadcast: id, after, upto, only: Vec::new(), retry: 0 };
        if queue_once(pool, &mut storage, batch, Duration::ZERO).await? {
            queued += 1;
        }
    }
    println!(
        "broadcast {id}: {queued} jobs{}",
        if queued < batches.len() { " (the others were queued already)" } else { "" }
    );
    Ok(())
}

/// Queues `batch`'s job to run after `after`, unless its key has one: whether it queued it.
async fn queue_once(
    pool: &PgPool,
    storage: &mut PostgresStorage<Batch>,
    batch: Batch,
    after: Duration,
) -> Result<bool, BoxDynError> {
    let key = batch.key();
    let queued: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM apalis.jobs WHERE job_type = $1 AND idempotency_key = $2)")
            .bind(QUEUE)
            .bind(&key)
            .fetch_one(pool)
            .await?;
    if !queued {
        let task = TaskBuilder::new(batch).run_after(after).max_attempts(ATTEMPTS).idempotency_key(key).build();
        storage.push_task(task).await?;
    }
    Ok(!queued)
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
    /// Deliveries written down together: at most the fan-out's concurrency.
    write_every: usize,
    name: String,
    heartbeat: Duration,
}

/// The longest a delivery waits to be written down with others.
const WRITE_WITHIN: Duration = Duration::from_millis(100);

async fn work(
    pool: PgPool,
    name: &str,
    limits: FanOut,
    concurrency: usize,
    heartbeat: Duration,
) -> Result<(), BoxDynError> {
    let sender = sender()?;
    let shared =
        Worker { pool: pool.clone(), sender, limits, write_every: concurrency, name: name.to_owned(), heartbeat };
    // One job at a time (apalis runs a worker's jobs side by side unless told otherwise): the
    // pushes a crash may send twice are at most twice the fan-out's concurrency (in flight, and
    // delivered but not written down).
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

/// A worker's right to send a job's pushes: taken when no other worker's is valid (for two
/// heartbeats), renewed every heartbeat, and lost only when another worker took it. apalis
/// gives a job to another worker only after three missed heartbeats; that worker takes the
/// lease once it lapsed, and the first worker, waking, finds it taken and stops.
struct Lease<'a> {
    pool: &'a PgPool,
    job: String,
    epoch: i64,
    /// When it was last renewed, on the wall clock, which goes on while a machine sleeps.
    renewed: SystemTime,
    every: Duration,
}

impl<'a> Lease<'a> {
    /// Takes `job`'s lease for `worker`, waiting while another worker's is valid.
    async fn take(pool: &'a PgPool, job: String, worker: &str, every: Duration) -> Result<Lease<'a>, sqlx::Error> {
        loop {
            let asked = SystemTime::now();
            let epoch: Option<i64> = sqlx::query_scalar(
                "INSERT INTO leases (job, worker, epoch, until) VALUES ($1, $2, 1, now() + make_interval(secs => $3))
                 ON CONFLICT (job) DO UPDATE SET worker = $2, epoch = leases.epoch + 1, until = excluded.until
                 WHERE leases.until < now() OR leases.worker = $2
                 RETURNING epoch",
            )
            .bind(&job)
            .bind(worker)
            .bind(2.0 * every.as_secs_f64())
            .fetch_optional(pool)
            .await?;
            if let Some(epoch) = epoch {
                return Ok(Lease { pool, job, epoch, renewed: asked, every });
            }
            tokio::time::sleep(every).await;
        }
    }

    /// Whether this worker still holds it (`false`: another worker took it), renewing it once
    /// a heartbeat has passed since the last time. A database that cannot be asked is an error.
    async fn held(&mut self) -> Result<bool, sqlx::Error> {
        let asked = SystemTime::now();
        if asked.duration_since(self.renewed).is_ok_and(|since| since < self.every) {
            return Ok(true);
        }
        let renewed =
            sqlx::query("UPDATE leases SET until = now() + make_interval(secs => $3) WHERE job = $1 AND epoch = $2")
                .bind(&self.job)
                .bind(self.epoch)
                .bind(2.0 * self.every.as_secs_f64())
                .execute(self.pool)
                .await?
                .rows_affected()
                == 1;
        if renewed {
            self.renewed = asked;
        }
        Ok(renewed)
    }

    /// Gives it up: the job is done.
    async fn release(self) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM leases WHERE job = $1 AND epoch = $2")
            .bind(&self.job)
            .bind(self.epoch)
            .execute(self.pool)
            .await?;
        Ok(())
    }
}

/// One job: the range's subscriptions this broadcast has not reached yet, fanned out while the
/// worker holds the job's lease, each outcome written down as it comes.
async fn send_batch(batch: Batch, worker: Data<Worker>, _: WorkerContext) -> Result<(), BoxDynError> {
    let pool = &worker.pool;
    let mut lease = Lease::take(pool, batch.key(), &worker.name, worker.heartbeat).await?;
    let (payload, give_up_in): (String, f64) =
        sqlx::query_as("SELECT payload, extract(epoch FROM give_up_at - now())::float8 FROM broadcasts WHERE id = $1")
            .bind(batch.broadcast)
            .fetch_one(pool)
            .await?;
    if give_up_in <= 0.0 {
        eprintln!("worker {}: broadcast {} is past its give-up time", worker.name, batch.broadcast);
        lease.release().await?;
        return Ok(());
    }
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
    let pushes = futures_util::stream::iter(rows.into_iter().map(|(id, endpoint, p256dh, auth)| {
        let to = Subscription { endpoint, expiration_time: None, keys: SubscriptionKeys { p256dh, auth } };
        (id, to, push.clone())
    }));
    let mut outcomes = Box::pin(worker.sender.fan_out(pushes, worker.limits.clone()));
    let mut beat = tokio::time::interval(worker.heartbeat);
    let (mut later, mut wait) = (Vec::new(), Duration::ZERO);
    let mut delivered = Delivered::new(&batch, &worker);
    // Whether the worker kept its lease to the end.
    let kept_lease: Result<bool, BoxDynError> = async {
        loop {
            let outcome = tokio::select! {
                // First, so a worker waking from a pause asks before it sends anything more.
                biased;
                _ = beat.tick() => {
                    if !lease.held().await? {
                        return Ok(false);
                    }
                    continue;
                }
                _ = tokio::time::sleep_until(delivered.due), if !delivered.ids.is_empty() => {
                    delivered.write(pool).await?;
                    continue;
                }
                outcome = outcomes.next() => outcome,
            };
            let Some(outcome) = outcome else { return Ok(true) };
            match outcome.verdict {
                Verdict::Sent => delivered.add(outcome.id, pool).await?,
                Verdict::Gone | Verdict::Malformed(_) => {
                    sqlx::query("DELETE FROM subscriptions WHERE id = $1").bind(outcome.id).execute(pool).await?;
                }
                Verdict::RetryAfter(after) => {
                    later.push(outcome.id);
                    wait = wait.max(after.unwrap_or(Duration::from_secs(60)));
                }
                // It may have reached the device: the tag makes a second copy replace the
                // first, so it is sent again rather than lost.
                Verdict::MaybeSent(_) => {
                    later.push(outcome.id);
                    wait = wait.max(Duration::from_secs(60));
                }
                Verdict::Refused(why) | Verdict::NotAllowed(why) => {
                    eprintln!("worker {}: subscription {} refused: {why}", worker.name, outcome.id)
                }
                _ => {}
            }
        }
    }
    .await;
    // Stops the sends under way (they may still reach their push services), then writes down
    // what was delivered, whatever ended the fan-out: a job that failed half-way and is taken
    // again sends only what is not written down.
    drop(outcomes);
    let written = delivered.write(pool).await;
    let kept_lease = match kept_lease {
        Ok(kept) => kept,
        Err(why) => {
            if let Err(e) = written {
                eprintln!("worker {}: what was delivered could not be written down either: {e}", worker.name);
            }
            return Err(why);
        }
    };
    if !kept_lease {
        written?;
        eprintln!("worker {}: lost job {} to another worker; it sends the rest", worker.name, batch.key());
        return Ok(());
    }
    written?;
    if !later.is_empty() {
        // At least 1 s, doubling with each retry of the batch: a push service that keeps
        // answering "now" is not asked in a loop.
        let wait = wait.max(Duration::from_secs(1 << batch.retry.min(6)));
        if wait.as_secs_f64() < give_up_in {
            let retry = Batch { only: later, retry: batch.retry + 1, ..batch.clone() };
            queue_once(pool, &mut storage(pool, worker.heartbeat), retry, wait).await?;
        } else {
            eprintln!(
                "worker {}: broadcast {} gives up on {} subscriptions",
                worker.name,
                batch.broadcast,
                later.len()
            );
        }
    }
    lease.release().await?;
    Ok(())
}

/// The pushes a job's push services took and that are not written down yet: written together,
/// one `INSERT` for up to the fan-out's concurrency or [`WRITE_WITHIN`], whichever comes
/// first. A crash loses at most these from `deliveries`, so a job taken again sends them a
/// second time, which the payload's tag makes replace the first copy.
struct Delivered<'w> {
    broadcast: i64,
    worker: &'w Worker,
    ids: Vec<i64>,
    /// When the oldest of `ids` is to be written down.
    due: tokio::time::Instant,
}

impl<'w> Delivered<'w> {
    fn new(batch: &Batch, worker: &'w Worker) -> Self {
        let ids = Vec::with_capacity(worker.write_every);
        Delivered { broadcast: batch.broadcast, worker, ids, due: tokio::time::Instant::now() }
    }

    async fn add(&mut self, id: i64, pool: &PgPool) -> Result<(), sqlx::Error> {
        if self.ids.is_empty() {
            self.due = tokio::time::Instant::now() + WRITE_WITHIN;
        }
        self.ids.push(id);
        if self.ids.len() >= self.worker.write_every {
            self.write(pool).await?;
        }
        Ok(())
    }

    /// Writes them down; a subscription deleted meanwhile is left out, not an error (`FOR KEY
    /// SHARE` waits for a delete under way and skips the row it removed).
    async fn write(&mut self, pool: &PgPool) -> Result<(), sqlx::Error> {
        if self.ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO deliveries (broadcast, subscription, worker)
             SELECT $1, id, $3 FROM subscriptions WHERE id = ANY($2) FOR KEY SHARE
             ON CONFLICT DO NOTHING",
        )
        .bind(self.broadcast)
        .bind(&self.ids)
        .bind(&self.worker.name)
        .execute(pool)
        .await?;
        self.ids.clear();
        Ok(())
    }
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
