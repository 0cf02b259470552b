//! Sending: one fan-out to the chosen subscriptions, and the pushes a push service asked to wait
//! for sent again after its wait, each push service on its own.

use crate::store::Store;
use futures_util::StreamExt;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasm_push::server::{FanOut, Push, Sender, Urgency, Verdict, MAX_PAUSE};
use wasm_push::{NotificationPayload, Subscription};

/// How long a push a push service asked to wait for is kept to be sent again, at most: a day,
/// the longest wait `Verdict::RetryAfter` carries.
pub const MAX_LATER: Duration = Duration::from_secs(24 * 60 * 60);

/// The most pushes waiting to be sent again, in all: beyond it, a push a push service asked to
/// wait for is counted as failed, so that no number of sends grows the server's memory or its
/// retries without bound.
pub const MAX_WAITING: usize = 10_000;

/// What sending needs from the server.
pub struct Outbox {
    pub store: Mutex<Store>,
    pub sender: Sender,
    /// Pushes waiting to be sent again, in all.
    waiting: AtomicUsize,
}

impl Outbox {
    pub fn new(store: Store, sender: Sender) -> Outbox {
        Outbox { store: Mutex::new(store), sender, waiting: AtomicUsize::new(0) }
    }

    /// The store, also after a handler panicked while holding it.
    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What to send: the notification and how the push service keeps it.
#[derive(Deserialize)]
pub struct Message {
    pub notification: NotificationPayload,
    /// How long the push service keeps it while the browser is offline, in seconds.
    #[serde(default = "default_ttl")]
    pub ttl: u32,
    pub urgency: Option<Urgency>,
    pub topic: Option<String>,
}

fn default_ttl() -> u32 {
    // A day: long enough for a phone that is off for the night.
    24 * 60 * 60
}

impl Message {
    /// The push, kept `ttl` seconds, or why no push service can take it.
    pub fn push(&self, ttl: u32) -> Result<Push<'_>, wasm_push::Error> {
        let mut push = Push::new(&self.notification).ttl(ttl);
        if let Some(urgency) = self.urgency {
            push = push.urgency(urgency);
        }
        if let Some(topic) = &self.topic {
            push = push.topic(topic.clone())?;
        }
        push.check()?;
        Ok(push)
    }
}

/// What one fan-out did, and what it leaves to be sent again.
#[derive(Debug, Default)]
pub struct Round {
    pub sent: usize,
    pub removed: usize,
    pub failed: usize,
    /// By push service (its origin): the endpoints it asked to wait for, and the longest wait.
    pub later: BTreeMap<String, Later>,
    /// Of those, the pushes kept to be sent again after the wait.
    pub waiting: usize,
}

/// A push service's pushes to send again.
#[derive(Debug, Default)]
pub struct Later {
    pub endpoints: Vec<String>,
    pub wait: Duration,
}

/// One fan-out: bounded concurrency, each push service paused alone when it asks, one VAPID
/// signature per push service. Gone and malformed rows are deleted.
pub async fn round(
    outbox: &Outbox,
    targets: Vec<Subscription>,
    push: &Push<'_>,
    limits: FanOut,
) -> rusqlite::Result<Round> {
    let pushes = futures_util::stream::iter(targets).map(|target| (target.clone(), target, push.clone()));
    let mut outcomes = std::pin::pin!(outbox.sender.fan_out(pushes, limits));
    let mut round = Round::default();
    while let Some(outcome) = outcomes.next().await {
        let origin = outcome.id.push_service_origin().to_owned();
        match outcome.verdict {
            Verdict::Sent => round.sent += 1,
            // Gone, or a row no push service could take: delete it.
            Verdict::Gone | Verdict::Malformed(_) => {
                outbox.store().delete(&outcome.id.endpoint)?;
                round.removed += 1;
            }
            Verdict::RetryAfter(wait) => {
                let later = round.later.entry(origin).or_default();
                later.wait = later.wait.max(wait.unwrap_or(MAX_PAUSE));
                later.endpoints.push(outcome.id.endpoint);
            }
            verdict => {
                tracing::warn!("sending via {origin} failed: {verdict:?}");
                round.failed += 1;
            }
        }
    }
    Ok(round)
}

/// Sends `message` to `targets`, and the pushes a push service asks to wait for again later,
/// in the background, each push service on its own, until the push's TTL (at most
/// [`MAX_LATER`] from `arrived`) would have run out. Answers the first round, with the pushes
/// beyond [`MAX_WAITING`] counted as failed.
pub async fn send(
    outbox: &Arc<Outbox>,
    targets: Vec<Subscription>,
    message: Message,
    arrived: Instant,
) -> rusqlite::Result<Round> {
    let Ok(push) = message.push(message.ttl) else { return Ok(Round { failed: targets.len(), ..Round::default() }) };
    let mut round = round(outbox, targets, &push, FanOut::default()).await?;
    drop(push);
    let stale = arrived + Duration::from_secs(message.ttl.into());
    let give_up = stale.min(arrived + MAX_LATER);
    let message = Arc::new(message);
    for (origin, later) in std::mem::take(&mut round.later) {
        let count = later.endpoints.len();
        match Waiting::reserve(outbox, &origin, count) {
            Some(waiting) => {
                tokio::spawn(send_later(outbox.clone(), later, message.clone(), stale, give_up, waiting));
                round.waiting += count;
            }
            None => {
                tracing::warn!("{count} push(es) via {origin} not kept to send again: {MAX_WAITING} wait already");
                round.failed += count;
            }
        }
    }
    Ok(round)
}

/// Sends again, after the push service's wait, the pushes it asked to wait for, until none is
/// left or the wait runs past `give_up`. Each round reads the rows again, so a subscription
/// deleted meanwhile (the user turned notifications off) gets nothing, and sends with what is
/// left of the TTL. Within a round nothing is retried: the waiting is all here, between rows
/// read afresh.
async fn send_later(
    outbox: Arc<Outbox>,
    mut later: Later,
    message: Arc<Message>,
    stale: Instant,
    give_up: Instant,
    mut waiting: Waiting,
) {
    for retry in 0.. {
        // At least a second, doubling: a push service that keeps saying "now" is not asked in a loop.
        let wait = later.wait.max(Duration::from_secs(1 << retry.min(6)));
        if Instant::now() + wait >= give_up {
            return waiting.left(later.endpoints.len(), "the push service's wait runs past their TTL");
        }
        tokio::time::sleep(wait).await;
        let targets = {
            let store = outbox.store();
            let rows: rusqlite::Result<Vec<_>> = later.endpoints.iter().map(|endpoint| store.get(endpoint)).collect();
            match rows {
                Ok(rows) => rows.into_iter().flatten().collect::<Vec<_>>(),
                Err(e) => return waiting.left(later.endpoints.len(), &format!("storage error: {e}")),
            }
        };
        let ttl = u32::try_from(stale.saturating_duration_since(Instant::now()).as_secs()).unwrap_or(u32::MAX);
        let Ok(push) = message.push(ttl) else { return waiting.left(later.endpoints.len(), "no longer a push") };
        let round = match round(&outbox, targets, &push, FanOut::default().retries(0)).await {
            Ok(round) => round,
            Err(e) => return waiting.left(later.endpoints.len(), &format!("storage error: {e}")),
        };
        let Round { sent, removed, failed, .. } = round;
        later = round.later.into_values().next().unwrap_or_default();
        let left = later.endpoints.len();
        waiting.shrink_to(left);
        tracing::info!(
            sent,
            removed,
            failed,
            left,
            "via {}: sent again {sent}, removed {removed}, {failed} failed, {left} to wait",
            waiting.origin
        );
        if left == 0 {
            return;
        }
    }
}

/// A push service's share of [`MAX_WAITING`], given back when its pushes are sent or dropped;
/// dropped with pushes left (the server stopping, say), it says how many.
struct Waiting {
    outbox: Arc<Outbox>,
    origin: String,
    count: usize,
}

impl Waiting {
    fn reserve(outbox: &Arc<Outbox>, origin: &str, count: usize) -> Option<Waiting> {
        let reserved = outbox
            .waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_add(count).filter(|&n| n <= MAX_WAITING));
        reserved.ok().map(|_| Waiting { outbox: outbox.clone(), origin: origin.to_owned(), count })
    }

    fn shrink_to(&mut self, count: usize) {
        let count = count.min(self.count);
        self.outbox.waiting.fetch_sub(self.count - count, Ordering::SeqCst);
        self.count = count;
    }

    /// Gives up on the `left` pushes still waiting, saying why.
    fn left(mut self, left: usize, why: &str) {
        tracing::warn!(left, "gave up on {left} push(es) via {}: {why}", self.origin);
        self.shrink_to(0);
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if self.count > 0 {
            tracing::warn!(
                "{} push(es) via {} waiting to be sent again are dropped: the server stopped",
                self.count,
                self.origin
            );
            self.shrink_to(0);
        }
    }
}
