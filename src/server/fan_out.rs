//! Sending to many: a stream of subscriptions in, a stream of what to do about each out, with
//! the concurrency bounded in total and per push service, and a push service that asks to slow
//! down paused on its own, for a bounded time, while the others and the input go on.

use super::{Push, Sender};
use crate::{Error, Subscription, Unreachable};
use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use reqwest::Url;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use tokio::time::Instant;

/// The longest a fan-out pauses a push service. One that asks for a longer wait has that
/// push, and every other push to it for this long, answered [`Verdict::RetryAfter`] without a
/// send: the fan-out ends on time whatever a push service answers.
pub const MAX_PAUSE: Duration = Duration::from_secs(60);

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
    /// At most `n` pushes at once (at least 1; any `usize`). Memory is bounded by this, not by the number of
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

    /// How many times a push answered "not now" (408, 429, 500, 502, 503, 504) is sent again,
    /// once its push service's pause is over, before its outcome is [`Verdict::RetryAfter`].
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
///         Verdict::MaybeSent(_) => "queue it again only if a second notification is better than none",
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
    /// [`Error::InvalidSubscriptionKeys`]) or its endpoint is one the sender's rules refuse
    /// ([`Error::EndpointNotAllowed`], as [`Sender::check`] finds): this sender will never send
    /// to it; delete it.
    Malformed(Error),
    /// Nothing reached the push service, or it answered "not now" (408, 429, 500, 502, 503,
    /// 504) after the retries or with a wait over [`MAX_PAUSE`]: send it again after the wait,
    /// when the push service said one (at most a day).
    RetryAfter(Option<Duration>),
    /// The request went out and no answer came in time ([`Unreachable::NoAnswer`]): the push
    /// service may have taken it. Sending it again may show it twice.
    MaybeSent(Error),
    /// Refused for another reason (the VAPID key, the payload's size, a host that resolves to
    /// an address the rules refuse, another status): keep the subscription, and look at the
    /// error.
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
            Err(Error::RateLimited { retry_after_secs } | Error::PushServiceUnavailable { retry_after_secs, .. }) => {
                Verdict::RetryAfter(retry_after_secs.map(Duration::from_secs))
            }
            Err(error @ Error::PushServiceUnreachable { cause: Unreachable::NoAnswer, .. }) => {
                Verdict::MaybeSent(error)
            }
            Err(Error::PushServiceUnreachable { .. }) => Verdict::RetryAfter(None),
            Err(error) => Verdict::Refused(error),
        }
    }

    /// The verdict for an endpoint the sender's rules refused as it was read: the URL itself is
    /// malformed or refused, so no send will ever take it.
    fn unsendable(error: Error) -> Verdict {
        match error {
            Error::EndpointNotAllowed(_) => Verdict::Malformed(error),
            error => Verdict::of(Err(error)),
        }
    }
}

impl Sender {
    /// Sends each push of `pushes` (a stream of an id, a subscription and its [`Push`]: one
    /// payload for all, or one each) and yields each one's [`Outcome`] as it is known, in the
    /// order they finish:
    /// - at most [`FanOut::concurrency`] pushes at once, and [`FanOut::per_origin`] to one push
    ///   service; the input is read as the sends go, at most twice the concurrency ahead (16
    ///   times while a push service is paused, whose pushes then wait apart), and it is read
    ///   while a pause lasts, so a paused push service holds up no other;
    /// - an answer "not now" (408, 429, 500, 502, 503, 504) pauses that push service alone for
    ///   its `Retry-After` (else 1 s, doubling with each such answer in a row), at most
    ///   [`MAX_PAUSE`], and its pushes are sent again after the pause, up to
    ///   [`FanOut::retries`] times; one that asks for longer has its pushes answered
    ///   [`Verdict::RetryAfter`] at once, for [`MAX_PAUSE`];
    /// - a push the push service took is never sent again, nor one that may have reached it
    ///   ([`Verdict::MaybeSent`]);
    /// - a push service's state is kept while it has pushes or a pause, and no longer;
    /// - one VAPID signature per push service serves all its pushes (see [`Sender::send`]).
    ///
    /// Dropping the stream stops the fan-out at once: the sends under way are cancelled (each
    /// may or may not have reached its push service, as with [`Verdict::MaybeSent`]), and the
    /// pushes read but not started are never sent. So each push whose outcome was not yielded
    /// was sent at most once; at most [`FanOut::concurrency`] of them may have been sent.
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
        futures_util::stream::unfold(Run::new(self, pushes, limits), Run::next)
    }
}

/// The most pushes a fan-out holds, as a multiple of its concurrency: what memory is bounded by
/// while push services are paused.
const READ_AHEAD: usize = 16;

/// A push service's origin, shared by its pushes and the run's lists.
type Name = Arc<str>;

/// One push of a fan-out, with where it goes and how often it was refused for now.
struct Job<'s, Id> {
    id: Id,
    to: Subscription,
    /// `to`'s endpoint, as the sender's rules took it when it was read.
    endpoint: Url,
    push: Push<'s>,
    origin: Name,
    tries: u32,
}

/// A push service's share of a fan-out: kept while it has pushes waiting or under way, or a
/// pause, and removed once it has none.
struct Origin<'s, Id> {
    queue: VecDeque<Job<'s, Id>>,
    running: usize,
    paused_until: Option<Instant>,
    /// While it is paused for a wait it asked beyond [`MAX_PAUSE`]: when that wait ends. Its
    /// pushes are answered at once meanwhile.
    told_until: Option<Instant>,
    /// Answers "not now" in a row: the pause without a `Retry-After` doubles with each.
    refusals: u32,
    /// Whether its name is in the run's `ready` list.
    listed: bool,
}

type Sending<'s, Id> = Pin<Box<dyn Future<Output = (Job<'s, Id>, Result<(), Error>)> + Send + 's>>;

/// What a fan-out waits for.
enum Event<'s, Id> {
    /// A send finished.
    Finished(Job<'s, Id>, Result<(), Error>),
    /// The input gave a push, or ended (`None`).
    Read(Option<(Id, Subscription, Push<'s>)>),
    /// The first pause may be over.
    PauseOver,
}

/// A fan-out under way. Each step costs the same whatever the number of push services: the
/// ones that can start a push are listed in `ready`, the pauses ordered by their end.
struct Run<'s, Id, S> {
    sender: &'s Sender,
    /// `None` once every push was read.
    input: Option<S>,
    limits: FanOut,
    origins: HashMap<Name, Origin<'s, Id>>,
    /// The push services that may start a push (not paused, with pushes waiting, under their
    /// share), each once, in turn. An entry may be stale; it is checked when taken.
    ready: VecDeque<Name>,
    /// When each pause ends (stale entries are skipped as they come up).
    pauses: BinaryHeap<Reverse<(Instant, Name)>>,
    /// Pushes read and not yet started.
    waiting: usize,
    /// Of those, the ones whose push service is not paused.
    unpaused: usize,
    running: FuturesUnordered<Sending<'s, Id>>,
    /// Outcomes known without a send (a malformed endpoint, a push service that asked for a
    /// long wait).
    decided: VecDeque<Outcome<Id>>,
}

impl<'s, Id, S> Run<'s, Id, S>
where
    Id: Send + 's,
    S: Stream<Item = (Id, Subscription, Push<'s>)> + Unpin + Send + 's,
{
    fn new(sender: &'s Sender, pushes: S, limits: FanOut) -> Self {
        Run {
            sender,
            input: Some(pushes),
            limits,
            origins: HashMap::new(),
            ready: VecDeque::new(),
            pauses: BinaryHeap::new(),
            waiting: 0,
            unpaused: 0,
            running: FuturesUnordered::new(),
            decided: VecDeque::new(),
        }
    }

    /// The next outcome, and the run to go on with; `None` when every push has one.
    async fn next(mut self) -> Option<(Outcome<Id>, Self)> {
        loop {
            if let Some(outcome) = self.decided.pop_front() {
                return Some((outcome, self));
            }
            self.resume(Instant::now());
            while self.may_read() {
                let Some(input) = self.input.as_mut() else { break };
                match futures_util::FutureExt::now_or_never(input.next()) {
                    Some(item) => self.take(item),
                    None => break,
                }
            }
            self.start();
            if let Some(outcome) = self.decided.pop_front() {
                return Some((outcome, self));
            }
            if self.running.is_empty() && self.waiting == 0 && self.input.is_none() {
                return None;
            }
            match self.wait().await {
                Event::Finished(job, result) => {
                    if let Some(outcome) = self.finish(job, result) {
                        return Some((outcome, self));
                    }
                }
                Event::Read(item) => self.take(item),
                Event::PauseOver => {}
            }
        }
    }

    /// Whether the input may be read: fewer than twice the concurrency wait for push services
    /// that are not paused, and fewer than [`READ_AHEAD`] times it in all.
    fn may_read(&self) -> bool {
        let total = self.limits.total;
        self.input.is_some()
            && self.unpaused < total.saturating_mul(2)
            && self.waiting < total.saturating_mul(READ_AHEAD)
    }

    /// Waits for the first of: a send finishing, the first pause ending, the input giving a
    /// push (when it may be read).
    async fn wait(&mut self) -> Event<'s, Id> {
        let read = self.may_read();
        let mut pause = self.pauses.peek().map(|Reverse((until, _))| Box::pin(tokio::time::sleep_until(*until)));
        let (running, input) = (&mut self.running, &mut self.input);
        futures_util::future::poll_fn(|cx| {
            if let Poll::Ready(Some((job, result))) = running.poll_next_unpin(cx) {
                return Poll::Ready(Event::Finished(job, result));
            }
            if pause.as_mut().is_some_and(|pause| pause.as_mut().poll(cx).is_ready()) {
                return Poll::Ready(Event::PauseOver);
            }
            match input.as_mut() {
                Some(input) if read => input.poll_next_unpin(cx).map(Event::Read),
                _ => Poll::Pending,
            }
        })
        .await
    }

    /// A push read: into its push service's queue, or its outcome at once (an endpoint the
    /// rules refuse, a push service that asked for a long wait).
    fn take(&mut self, item: Option<(Id, Subscription, Push<'s>)>) {
        let Some((id, to, push)) = item else {
            self.input = None;
            return;
        };
        let endpoint = match self.sender.endpoints().parse(&to.endpoint) {
            Ok(endpoint) => endpoint,
            Err(error) => return self.decided.push_back(Outcome { id, verdict: Verdict::unsendable(error) }),
        };
        let name: Name = endpoint.origin().ascii_serialization().into();
        let origin = self.origins.entry(name.clone()).or_insert_with(|| Origin {
            queue: VecDeque::new(),
            running: 0,
            paused_until: None,
            told_until: None,
            refusals: 0,
            listed: false,
        });
        if let Some(until) = origin.told_until {
            let wait = until.saturating_duration_since(Instant::now());
            return self.decided.push_back(Outcome { id, verdict: Verdict::RetryAfter(Some(wait)) });
        }
        origin.queue.push_back(Job { id, to, endpoint, push, origin: name.clone(), tries: 0 });
        self.waiting += 1;
        if origin.paused_until.is_none() {
            self.unpaused += 1;
        }
        self.list(&name);
    }

    /// Puts `name` in the `ready` list when it may start a push and is not there yet.
    fn list(&mut self, name: &Name) {
        let per_origin = self.limits.per_origin;
        if let Some(origin) = self.origins.get_mut(name) {
            if !origin.listed
                && origin.paused_until.is_none()
                && !origin.queue.is_empty()
                && origin.running < per_origin
            {
                origin.listed = true;
                self.ready.push_back(name.clone());
            }
        }
    }

    /// Removes `name`'s state when it has nothing waiting, under way or paused.
    fn forget_if_idle(&mut self, name: &Name) {
        if self.origins.get(name).is_some_and(|o| o.queue.is_empty() && o.running == 0 && o.paused_until.is_none()) {
            self.origins.remove(name);
        }
    }

    /// Starts what the limits allow, taking the ready push services in turn.
    fn start(&mut self) {
        while self.running.len() < self.limits.total {
            let Some(name) = self.ready.pop_front() else { return };
            let Some(origin) = self.origins.get_mut(&name) else { continue };
            origin.listed = false;
            if origin.paused_until.is_some() || origin.running >= self.limits.per_origin {
                continue;
            }
            let Some(job) = origin.queue.pop_front() else { continue };
            origin.running += 1;
            self.waiting -= 1;
            self.unpaused -= 1;
            let sender = self.sender;
            self.running.push(Box::pin(async move {
                let result = sender.send_to(&job.endpoint, &job.to, &job.push).await;
                (job, result)
            }));
            self.list(&name);
        }
    }

    /// Pauses `name` until `until` (a pause under way is only ever made longer).
    fn pause(&mut self, name: &Name, until: Instant) {
        let Some(origin) = self.origins.get_mut(name) else { return };
        match origin.paused_until {
            Some(already) if already >= until => return,
            Some(_) => {}
            None => self.unpaused -= origin.queue.len(),
        }
        origin.paused_until = Some(until);
        self.pauses.push(Reverse((until, name.clone())));
    }

    /// Ends the pauses that are over by `now`: their pushes may start again, and a push
    /// service with none is forgotten.
    fn resume(&mut self, now: Instant) {
        while let Some(Reverse((until, _))) = self.pauses.peek() {
            if *until > now {
                return;
            }
            let Some(Reverse((until, name))) = self.pauses.pop() else { return };
            let Some(origin) = self.origins.get_mut(&name) else { continue };
            if origin.paused_until != Some(until) {
                continue;
            }
            origin.paused_until = None;
            origin.told_until = None;
            self.unpaused += origin.queue.len();
            self.list(&name);
            self.forget_if_idle(&name);
        }
    }

    /// A send finished: its outcome, or `None` when it goes back to wait out a pause.
    fn finish(&mut self, mut job: Job<'s, Id>, result: Result<(), Error>) -> Option<Outcome<Id>> {
        let name = job.origin.clone();
        let Some(origin) = self.origins.get_mut(&name) else {
            return Some(Outcome { id: job.id, verdict: Verdict::of(result) });
        };
        origin.running -= 1;
        let asked = match &result {
            Err(Error::RateLimited { retry_after_secs } | Error::PushServiceUnavailable { retry_after_secs, .. }) => {
                Some(*retry_after_secs)
            }
            _ => None,
        };
        let outcome = match asked {
            None => {
                origin.refusals = 0;
                Some(Outcome { id: job.id, verdict: Verdict::of(result) })
            }
            Some(asked) => {
                // Not now: that push service alone pauses, for as long as it asked, else 1 s
                // doubling with each such answer in a row, at most MAX_PAUSE.
                let backoff = Duration::from_secs(1 << origin.refusals.min(6)).min(MAX_PAUSE);
                origin.refusals = origin.refusals.saturating_add(1);
                let wait = asked.map_or(backoff, Duration::from_secs);
                let now = Instant::now();
                if wait > MAX_PAUSE {
                    // Longer than a fan-out waits: this push and every other one to it for
                    // the next MAX_PAUSE are answered with the wait, unsent.
                    origin.told_until = now.checked_add(wait);
                    let told = std::mem::take(&mut origin.queue);
                    let paused = origin.paused_until.is_some();
                    self.waiting -= told.len();
                    if !paused {
                        self.unpaused -= told.len();
                    }
                    let verdict = Verdict::RetryAfter(Some(wait));
                    self.decided.extend(told.into_iter().map(|job| Outcome { id: job.id, verdict: verdict.clone() }));
                    self.pause(&name, now + MAX_PAUSE);
                    Some(Outcome { id: job.id, verdict: Verdict::of(result) })
                } else {
                    self.pause(&name, now + wait);
                    if job.tries >= self.limits.retries {
                        Some(Outcome { id: job.id, verdict: Verdict::of(result) })
                    } else {
                        job.tries += 1;
                        if let Some(origin) = self.origins.get_mut(&name) {
                            origin.queue.push_front(job);
                            self.waiting += 1;
                        }
                        None
                    }
                }
            }
        };
        self.list(&name);
        self.forget_if_idle(&name);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{Endpoints, VapidKeys, VapidSubject};

    /// A push service on loopback that answers every push 429 with `Retry-After: 0`; its
    /// endpoint.
    async fn always_limited() -> String {
        let answer = || async { (axum::http::StatusCode::TOO_MANY_REQUESTS, [("retry-after", "0")]) };
        let app = axum::Router::new().fallback(answer);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}/push/x", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        endpoint
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_push_services_state_is_forgotten_once_idle_however_many_push_services_a_run_meets() {
        let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@shop.example").unwrap())
            .with_endpoints(Endpoints::loopback_for_tests());
        let mut endpoints = vec![];
        for _ in 0..200 {
            endpoints.push(always_limited().await);
        }
        let payload = crate::NotificationPayload::new("Hi");
        let push = Push::new(&payload);
        let pushes = futures_util::stream::iter(endpoints.into_iter().enumerate().map(|(i, endpoint)| {
            let to = serde_json::from_value(serde_json::json!({"endpoint": endpoint, "keys": {
                "auth": "x7aPzMh8OBZ3WDnsHjbBQQ",
                "p256dh": "BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0",
            }}))
            .unwrap();
            (i, to, push.clone())
        }));
        // Each push service pauses after its one push, with its retries spent.
        let mut run = Run::new(&sender, pushes, FanOut::default().concurrency(4).retries(0));
        let (mut outcomes, mut most) = (0, 0);
        while let Some((outcome, next)) = run.next().await {
            assert_eq!(outcome.verdict, Verdict::RetryAfter(Some(Duration::ZERO)));
            outcomes += 1;
            most = most.max(next.origins.len());
            run = next;
        }
        assert_eq!(outcomes, 200);
        // The pushes read ahead (twice the concurrency), the ones under way, and a pause or
        // two not yet seen to be over: never the 200 push services met.
        assert!(most <= 16, "{most} push services' state held at once");
    }
}
