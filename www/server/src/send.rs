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
/// signature per push service. Gone and malformed rows are deleted; a row that cannot be is
/// logged and counted failed, and the fan-out goes on (its sends under way may have arrived).
async fn fan_out_once(outbox: &Outbox, targets: Vec<Subscription>, push: &Push<'_>, limits: FanOut) -> Round {
    let pushes = futures_util::stream::iter(targets).map(|target| (target.clone(), target, push.clone()));
    let mut outcomes = std::pin::pin!(outbox.sender.fan_out(pushes, limits));
    let mut round = Round::default();
    while let Some(outcome) = outcomes.next().await {
        let origin = outcome.id.push_service_origin().to_owned();
        match outcome.verdict {
            Verdict::Sent => round.sent += 1,
            // Gone, or a row no push service could take: delete it.
            Verdict::Gone | Verdict::Malformed(_) => match outbox.store().delete(&outcome.id.endpoint) {
                Ok(_) => round.removed += 1,
                Err(e) => {
                    tracing::error!("a gone subscription via {origin} could not be deleted: {e}");
                    round.failed += 1;
                }
            },
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
    round
}

/// Sends `message` to `targets`, and the pushes a push service asks to wait for again later,
/// in the background, each push service on its own, until the push's TTL (at most
/// [`MAX_LATER`] from `arrived`) would have run out. Answers the first round, with the pushes
/// beyond [`MAX_WAITING`] counted as failed.
pub async fn send(outbox: &Arc<Outbox>, targets: Vec<Subscription>, message: Message, arrived: Instant) -> Round {
    let Ok(push) = message.push(message.ttl) else { return Round { failed: targets.len(), ..Round::default() } };
    let mut round = fan_out_once(outbox, targets, &push, FanOut::default()).await;
    drop(push);
    let ttl = Duration::from_secs(message.ttl.into());
    let give_up = arrived + ttl.min(MAX_LATER);
    let stale = arrived.checked_add(ttl).unwrap_or(give_up);
    let message = Arc::new(message);
    for (origin, mut later) in std::mem::take(&mut round.later) {
        let waiting = Waiting::reserve(outbox, &origin, later.endpoints.len());
        let over = later.endpoints.len() - waiting.count;
        if over > 0 {
            tracing::warn!("{over} push(es) via {origin} not kept to send again: {MAX_WAITING} wait already");
            later.endpoints.truncate(waiting.count);
            round.failed += over;
        }
        if waiting.count > 0 {
            round.waiting += waiting.count;
            tokio::spawn(send_later(outbox.clone(), later, message.clone(), stale, give_up, waiting));
        }
    }
    round
}

/// Sends again, after the push service's wait, the pushes it asked to wait for, until none is
/// left or the wait runs past `give_up`. Each round reads the rows again, so a subscription
/// deleted meanwhile (the user turned notifications off) gets nothing, and sends with what is
/// left of the TTL (until `stale`). Within a round nothing is retried: the waiting is all here,
/// between rows read afresh.
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
            return waiting.give_up("the push service's wait runs past their TTL");
        }
        tokio::time::sleep(wait).await;
        let targets = {
            let store = outbox.store();
            let rows: rusqlite::Result<Vec<_>> = later.endpoints.iter().map(|endpoint| store.get(endpoint)).collect();
            match rows {
                Ok(rows) => rows.into_iter().flatten().collect::<Vec<_>>(),
                Err(e) => return waiting.give_up(&format!("storage error: {e}")),
            }
        };
        let ttl = u32::try_from(stale.saturating_duration_since(Instant::now()).as_secs()).unwrap_or(u32::MAX);
        let Ok(push) = message.push(ttl) else { return waiting.give_up("no longer a push") };
        let round = fan_out_once(&outbox, targets, &push, FanOut::default().retries(0)).await;
        let Round { sent, removed, failed, .. } = round;
        later = round.later.into_values().next().unwrap_or_default();
        let left = later.endpoints.len();
        waiting.shrink_to(left);
        let origin = &waiting.origin;
        tracing::info!(
            sent,
            removed,
            failed,
            left,
            "via {origin}: sent again {sent}, removed {removed}, {failed} failed, {left} to wait"
        );
        if left == 0 {
            return;
        }
    }
}

/// A push service's share of [`MAX_WAITING`], given back as its pushes are sent or given up;
/// dropped with pushes left (the server stopping), it says how many.
struct Waiting {
    outbox: Arc<Outbox>,
    origin: String,
    count: usize,
}

impl Waiting {
    /// Up to `count` of what is left of [`MAX_WAITING`].
    fn reserve(outbox: &Arc<Outbox>, origin: &str, count: usize) -> Waiting {
        let mut taken = 0;
        let _ = outbox.waiting.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            taken = count.min(MAX_WAITING.saturating_sub(n));
            Some(n + taken)
        });
        Waiting { outbox: outbox.clone(), origin: origin.to_owned(), count: taken }
    }

    fn shrink_to(&mut self, count: usize) {
        let count = count.min(self.count);
        self.outbox.waiting.fetch_sub(self.count - count, Ordering::SeqCst);
        self.count = count;
    }

    /// Gives up on the pushes still waiting, saying why.
    fn give_up(mut self, why: &str) {
        let left = self.count;
        tracing::warn!(left, "gave up on {left} push(es) via {}: {why}", self.origin);
        self.shrink_to(0);
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if self.count > 0 {
            let (count, origin) = (self.count, &self.origin);
            tracing::warn!("{count} push(es) via {origin} waiting to be sent again are dropped (the server stopped)");
            self.shrink_to(0);
        }
    }
}
