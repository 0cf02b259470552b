//! Sending to many: a stream of subscriptions in, a stream of what to do about each out, with
//! the concurrency bounded in total and per push service, and a push service that asks to slow
//! down paused on its own while the others go on.

use super::{Push, Sender};
use crate::{Error, Subscription};
use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use reqwest::Url;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::Instant;

/// How a fan-out runs: how many pushes at once in all and per push service (its origin), and
/// how often a push that a push service refused for now (429, 503) is tried again after that
/// service's pause.
///
/// ```
/// let limits = wasm_push::server::FanOut::default().concurrency(128).per_origin(32).retries(2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanOut {
    total: usize,
    per_origin: usize,
    retries: u32,
}

impl Default for FanOut {
    /// 64 pushes at once, 16 per push service, 3 retries after a pause.
    fn default() -> Self {
        FanOut { total: 64, per_origin: 16, retries: 3 }
    }
}

impl FanOut {
    /// At most `n` pushes at once (at least 1). Memory is bounded by this, not by the number of
    /// subscriptions: at most twice as many are read ahead for the push services that are not
    /// paused, and 16 times as many in all while some are.
    ///
    /// ```
    /// let limits = wasm_push::server::FanOut::default().concurrency(256);
    /// ```
    pub fn concurrency(mut self, n: usize) -> Self {
        self.total = n.max(1);
        self
    }

    /// At most `n` pushes at once to one push service (at least 1).
    ///
    /// ```
    /// let limits = wasm_push::server::FanOut::default().per_origin(8);
    /// ```
    pub fn per_origin(mut self, n: usize) -> Self {
        self.per_origin = n.max(1);
        self
    }

    /// How many times a push answered 429 or 503 is sent again, once its push service's pause
    /// is over, before its outcome is [`Verdict::RetryAfter`].
    ///
    /// ```
    /// let limits = wasm_push::server::FanOut::default().retries(0);
    /// ```
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }
}

/// What to do about one subscription after a fan-out.
///
/// ```
/// use wasm_push::server::Verdict;
/// fn act(verdict: &Verdict) -> &'static str {
///     match verdict {
///         Verdict::Sent => "done",
///         Verdict::Gone | Verdict::Malformed(_) => "delete it",
///         Verdict::RetryAfter(_) => "queue it again",
///         Verdict::Refused(_) => "keep it, look at the error",
///         _ => "keep it",
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Verdict {
    /// The push service took it (2xx). It is never sent again by this fan-out.
    Sent,
    /// The push service says the subscription is gone (404, 410): delete it.
    Gone,
    /// The subscription is malformed ([`Error::InvalidEndpoint`],
    /// [`Error::InvalidSubscriptionKeys`]): no push service can take it; delete it.
    Malformed(Error),
    /// Still rate limited or unavailable (429, 503) after the retries, or the push service was
    /// unreachable: try again after the wait, when the push service said one.
    RetryAfter(Option<Duration>),
    /// Refused for another reason (the VAPID key, the payload's size, an endpoint the rules
    /// refuse, another status): keep the subscription, and look at the error.
    Refused(Error),
}

/// One subscription's outcome in a fan-out: the id it came with, and what to do.
///
/// ```
/// # fn run(outcome: wasm_push::server::Outcome<i64>) {
/// if outcome.verdict == wasm_push::server::Verdict::Gone {
///     println!("delete row {}", outcome.id);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome<Id> {
    /// The id the subscription came with.
    pub id: Id,
    /// What to do about it.
    pub verdict: Verdict,
}

impl Verdict {
    /// The verdict for a send's final result.
    fn of(result: Result<(), Error>) -> Verdict {
        match result {
            Ok(()) => Verdict::Sent,
            Err(Error::SubscriptionGone { .. }) => Verdict::Gone,
            Err(error @ (Error::InvalidEndpoint(_) | Error::InvalidSubscriptionKeys(_))) => Verdict::Malformed(error),
            Err(Error::RateLimited { retry_after_secs } | Error::PushServiceUnavailable { retry_after_secs }) => {
                Verdict::RetryAfter(retry_after_secs.map(Duration::from_secs))
            }
            Err(Error::PushServiceUnreachable { .. }) => Verdict::RetryAfter(None),
            Err(error) => Verdict::Refused(error),
        }
    }
}

impl Sender {
    /// Sends each push of `pushes` (a stream of an id, a subscription and its [`Push`]: one
    /// payload for all, or one each) and yields each one's [`Outcome`] as it is known, in the
    /// order they finish:
    /// - at most [`FanOut::concurrency`] pushes at once, and [`FanOut::per_origin`] to one push
    ///   service; the input is read as the sends go, at most twice the concurrency ahead (16
    ///   times while a push service is paused, whose pushes then wait apart);
    /// - a 429 or 503 pauses that push service alone for its `Retry-After` (else 1 s, doubling
    ///   with each refusal in a row), and its pushes are sent again after the pause, up to
    ///   [`FanOut::retries`] times; the other push services' pushes go on meanwhile;
    /// - a push the push service took is never sent again;
    /// - one VAPID signature per push service serves all its pushes (see [`Sender::send`]).
    ///
    /// ```no_run
    /// # async fn run(sender: wasm_push::server::Sender, rows: Vec<(i64, wasm_push::Subscription)>) {
    /// use futures_util::StreamExt;
    /// use wasm_push::server::{FanOut, Push, Verdict};
    /// let payload = wasm_push::NotificationPayload::new("Breaking news");
    /// let push = Push::new(&payload).ttl(3600);
    /// let pushes = futures_util::stream::iter(rows).map(|(id, subscription)| (id, subscription, push.clone()));
    /// let mut outcomes = std::pin::pin!(sender.fan_out(pushes, FanOut::default()));
    /// while let Some(outcome) = outcomes.next().await {
    ///     if matches!(outcome.verdict, Verdict::Gone | Verdict::Malformed(_)) {
    ///         // delete row outcome.id
    ///     }
    /// }
    /// # }
    /// ```
    pub fn fan_out<'s, Id, S>(&'s self, pushes: S, limits: FanOut) -> impl Stream<Item = Outcome<Id>> + 's
    where
        Id: Send + 's,
        S: Stream<Item = (Id, Subscription, Push<'s>)> + Unpin + Send + 's,
    {
        let state = Run {
            sender: self,
            input: Some(pushes),
            limits,
            origins: HashMap::new(),
            waiting: 0,
            running: FuturesUnordered::new(),
            decided: VecDeque::new(),
        };
        futures_util::stream::unfold(state, Run::next)
    }
}

/// The most pushes a fan-out holds, as a multiple of its concurrency: what memory is bounded by
/// while push services are paused.
const READ_AHEAD: usize = 16;

/// One push of a fan-out, with where it goes and how often it was refused for now.
struct Job<'s, Id> {
    id: Id,
    to: Subscription,
    /// `to`'s endpoint, as the sender's rules took it when it was read.
    endpoint: Url,
    push: Push<'s>,
    origin: String,
    tries: u32,
}

/// A push service's share of a fan-out.
struct Origin<'s, Id> {
    queue: VecDeque<Job<'s, Id>>,
    running: usize,
    paused_until: Option<Instant>,
    /// Refusals for now (429, 503) in a row: the pause without a `Retry-After` doubles with each.
    refusals: u32,
}

type Sending<'s, Id> = Pin<Box<dyn Future<Output = (Job<'s, Id>, Result<(), Error>)> + Send + 's>>;

/// A fan-out under way.
struct Run<'s, Id, S> {
    sender: &'s Sender,
    /// `None` once every push was read.
    input: Option<S>,
    limits: FanOut,
    /// The push services with pushes read or under way, or a pause or refusals to remember.
    origins: HashMap<String, Origin<'s, Id>>,
    /// Pushes read and not yet started.
    waiting: usize,
    running: FuturesUnordered<Sending<'s, Id>>,
    /// Outcomes known without a send (a malformed endpoint).
    decided: VecDeque<Outcome<Id>>,
}

impl<'s, Id, S> Run<'s, Id, S>
where
    Id: Send + 's,
    S: Stream<Item = (Id, Subscription, Push<'s>)> + Unpin + Send + 's,
{
    /// The next outcome, and the run to go on with; `None` when every push has one.
    async fn next(mut self) -> Option<(Outcome<Id>, Self)> {
        loop {
            if let Some(outcome) = self.decided.pop_front() {
                return Some((outcome, self));
            }
            self.read().await;
            self.start();
            if let Some(outcome) = self.decided.pop_front() {
                return Some((outcome, self));
            }
            let pause_ends = self.origins.values().filter(|o| !o.queue.is_empty()).filter_map(|o| o.paused_until).min();
            if self.running.is_empty() {
                match pause_ends {
                    // Every push left waits for its push service's pause.
                    Some(when) => tokio::time::sleep_until(when).await,
                    None if self.input.is_none() && self.waiting == 0 => return None,
                    None => {}
                }
                continue;
            }
            let finished = match pause_ends {
                // A pause ending may let more start before the next send finishes.
                Some(when) => {
                    let pause = std::pin::pin!(tokio::time::sleep_until(when));
                    match futures_util::future::select(self.running.next(), pause).await {
                        futures_util::future::Either::Left((finished, _)) => finished,
                        futures_util::future::Either::Right(_) => None,
                    }
                }
                None => self.running.next().await,
            };
            if let Some((job, result)) = finished {
                if let Some(outcome) = self.finish(job, result) {
                    return Some((outcome, self));
                }
            }
        }
    }

    /// Reads pushes into their push service's queue while fewer than twice the concurrency wait
    /// for push services that are not paused, and fewer than [`READ_AHEAD`] times it in all
    /// (so a paused push service's pushes do not keep the others' from being read); a push
    /// whose endpoint no rule takes has its outcome at once.
    async fn read(&mut self) {
        let now = Instant::now();
        let paused = |origin: &Origin<'s, Id>| origin.paused_until.is_some_and(|until| until > now);
        loop {
            let unpaused: usize = self.origins.values().filter(|o| !paused(o)).map(|o| o.queue.len()).sum();
            if unpaused >= 2 * self.limits.total || self.waiting >= READ_AHEAD * self.limits.total {
                return;
            }
            let Some(input) = self.input.as_mut() else { return };
            // Read only what is there now, unless nothing is under way (then wait for it).
            let item = if self.running.is_empty() && self.waiting == 0 {
                input.next().await
            } else {
                match futures_util::FutureExt::now_or_never(input.next()) {
                    Some(item) => item,
                    None => return,
                }
            };
            let Some((id, to, push)) = item else {
                self.input = None;
                return;
            };
            match self.sender.endpoints().parse(&to.endpoint) {
                Ok(url) => {
                    let origin = url.origin().ascii_serialization();
                    let queue = self.origins.entry(origin.clone()).or_insert_with(|| Origin {
                        queue: VecDeque::new(),
                        running: 0,
                        paused_until: None,
                        refusals: 0,
                    });
                    queue.queue.push_back(Job { id, to, endpoint: url, push, origin, tries: 0 });
                    self.waiting += 1;
                }
                Err(error) => self.decided.push_back(Outcome { id, verdict: Verdict::of(Err(error)) }),
            }
        }
    }

    /// Starts what the limits allow: each push service that is not paused, up to its share.
    fn start(&mut self) {
        let now = Instant::now();
        for origin in self.origins.values_mut() {
            if origin.paused_until.is_some_and(|until| until > now) {
                continue;
            }
            origin.paused_until = None;
            while origin.running < self.limits.per_origin && self.running.len() < self.limits.total {
                let Some(job) = origin.queue.pop_front() else { break };
                origin.running += 1;
                self.waiting -= 1;
                let sender = self.sender;
                self.running.push(Box::pin(async move {
                    let result = sender.send_to(&job.endpoint, &job.to, &job.push).await;
                    (job, result)
                }));
            }
        }
    }

    /// A send finished: its outcome, or `None` when it goes back to wait out a pause.
    fn finish(&mut self, mut job: Job<'s, Id>, result: Result<(), Error>) -> Option<Outcome<Id>> {
        let origin = self.origins.get_mut(&job.origin)?;
        origin.running -= 1;
        let wait = match &result {
            Err(Error::RateLimited { retry_after_secs } | Error::PushServiceUnavailable { retry_after_secs }) => {
                Some(retry_after_secs)
            }
            _ => None,
        };
        let Some(retry_after_secs) = wait else {
            origin.refusals = 0;
            // A push service with nothing left to do goes, so the map holds only those with
            // pushes read or under way (or a pause to remember), however many a run meets.
            if origin.queue.is_empty() && origin.running == 0 && origin.paused_until.is_none() {
                self.origins.remove(&job.origin);
            }
            return Some(Outcome { id: job.id, verdict: Verdict::of(result) });
        };
        // Refused for now: that push service alone pauses, for as long as it asked, else 1 s
        // doubling with each refusal in a row (at most about a minute).
        let backoff = Duration::from_secs(1 << origin.refusals.min(6));
        origin.refusals += 1;
        let pause = retry_after_secs.map_or(backoff, Duration::from_secs);
        let until = Instant::now() + pause;
        origin.paused_until = Some(origin.paused_until.map_or(until, |already| already.max(until)));
        if job.tries >= self.limits.retries {
            return Some(Outcome { id: job.id, verdict: Verdict::of(result) });
        }
        job.tries += 1;
        origin.queue.push_front(job);
        self.waiting += 1;
        None
    }
}
