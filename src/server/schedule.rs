//! The fan-out's scheduler: which push starts when. Each step costs the same whatever the
//! number of push services: the ones that can start a push wait in a ready list, the pauses in
//! a heap by their end, and a push service's state goes once it has nothing left.

use super::fan_out::{FanOut, Outcome, Verdict, MAX_PAUSE};
use super::origin::{Name, Origin, Remembered};
use super::{Push, Sender};
use crate::{Error, Subscription};
use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use reqwest::Url;
use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;
use tokio::time::Instant;

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
    origin: Name,
    tries: u32,
    /// When its send started (when it was read, until then).
    started: Instant,
}

/// A send under way: its push, its result, and whether the push service was tried (a request
/// went out, or the connection to it failed).
type Sending<'s, Id> = Pin<Box<dyn Future<Output = (Job<'s, Id>, Result<(), Error>, bool)> + Send + 's>>;

/// What a fan-out waits for.
enum Event<'s, Id> {
    /// A send finished, and whether its push service was tried.
    Finished(Job<'s, Id>, Result<(), Error>, bool),
    /// The input gave a push, or ended (`None`).
    Read(Option<(Id, Subscription, Push<'s>)>),
    /// The first pause may be over.
    PauseOver,
}

/// A fan-out under way.
pub(super) struct Run<'s, Id, S> {
    sender: &'s Sender,
    /// `None` once every push was read.
    input: Option<S>,
    limits: FanOut,
    origins: HashMap<Name, Origin<Job<'s, Id>>>,
    /// The push services that may start a push (not paused, with pushes waiting, under their
    /// share), each once, in turn. An entry may be stale; it is checked when taken.
    ready: VecDeque<Name>,
    /// When each pause ends (stale entries are skipped as they come up).
    pauses: BinaryHeap<Reverse<(Instant, Name)>>,
    /// How many pauses were left the last time the stale ones were dropped.
    pauses_kept: usize,
    /// Pushes read and not yet started.
    waiting: usize,
    /// Of those, the ones whose push service can start one now (see [`Origin::startable`]).
    /// Kept up to date by [`Run::change`], through which every change to a push service goes.
    startable: usize,
    running: FuturesUnordered<Sending<'s, Id>>,
    /// The push services visitors chose (not [`Origin::known`]): their sends under way, and
    /// their pushes waiting and, of those, startable (kept by [`Run::change`]).
    visitors: Visitors,
    /// Visitors' push services taken from `ready` while they could not start one for the
    /// slots kept for the app's own ([`Run::visitors_held`]), in turn. Stale entries are
    /// checked when taken, as in `ready`.
    deferred: VecDeque<Name>,
    /// Outcomes known without a send (a malformed endpoint, a push service that asked for a
    /// long wait).
    decided: VecDeque<Outcome<Id>>,
    /// What the run remembers of the push services whose state went.
    remembered: Remembered,
}

/// What is under way and waiting for the push services visitors chose.
#[derive(Default)]
struct Visitors {
    /// Whether a push to one of the app's own push services was read.
    known_read: bool,
    running: usize,
    waiting: usize,
    startable: usize,
}

impl<'s, Id, S> Run<'s, Id, S>
where
    Id: Send + 's,
    S: Stream<Item = (Id, Subscription, Push<'s>)> + Unpin + Send + 's,
{
    pub(super) fn new(sender: &'s Sender, pushes: S, limits: FanOut) -> Self {
        Run {
            sender,
            input: Some(pushes),
            limits,
            origins: HashMap::new(),
            ready: VecDeque::new(),
            pauses: BinaryHeap::new(),
            pauses_kept: 0,
            waiting: 0,
            startable: 0,
            running: FuturesUnordered::new(),
            visitors: Visitors::default(),
            deferred: VecDeque::new(),
            decided: VecDeque::new(),
            remembered: Remembered::default(),
        }
    }

    /// The next outcome, and the run to go on with; `None` when every push has one.
    pub(super) async fn next(mut self) -> Option<(Outcome<Id>, Self)> {
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
                Event::Finished(job, result, reached) => {
                    if let Some(outcome) = self.finish(job, result, reached) {
                        return Some((outcome, self));
                    }
                }
                Event::Read(item) => self.take(item),
                Event::PauseOver => {}
            }
        }
    }

    /// Whether the input may be read: fewer than twice the concurrency wait for push services
    /// that can start one, fewer than [`READ_AHEAD`] times it in all, and fewer than it have
    /// an outcome not yet taken. While visitors' push services are held to their share, their
    /// waiting pushes do not count among the startable ones (they are held to half the
    /// read-ahead in [`Run::take`]): the reading goes on, to find the app's own pushes behind
    /// theirs.
    fn may_read(&self) -> bool {
        let total = self.limits.total;
        let startable = if self.visitors_held() { self.startable - self.visitors.startable } else { self.startable };
        self.input.is_some()
            && startable < total.saturating_mul(2)
            && self.waiting < total.saturating_mul(READ_AHEAD)
            && self.decided.len() < total
    }

    /// Waits for the first of: a send finishing, the first pause ending, the input giving a
    /// push (when it may be read).
    async fn wait(&mut self) -> Event<'s, Id> {
        let read = self.may_read();
        let mut pause = self.pauses.peek().map(|Reverse((until, _))| Box::pin(tokio::time::sleep_until(*until)));
        let (running, input) = (&mut self.running, &mut self.input);
        futures_util::future::poll_fn(|cx| {
            if let Poll::Ready(Some((job, result, reached))) = running.poll_next_unpin(cx) {
                return Poll::Ready(Event::Finished(job, result, reached));
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
        // A push service remembered with its pause adds one below.
        self.compact_pauses();
        let endpoint = match self.sender.endpoints().parse(&to.endpoint) {
            Ok(endpoint) => endpoint,
            Err(error) => return self.decided.push_back(Outcome { id, verdict: Verdict::unsendable(error) }),
        };
        let name: Name = endpoint.origin().ascii_serialization().into();
        let held = self.held();
        let visitors_full = self.visitors_held() && self.visitors.waiting >= held;
        let origin = match self.origins.entry(name.clone()) {
            Entry::Occupied(origin) => origin.into_mut(),
            Entry::Vacant(vacant) => {
                let known = self.sender.endpoints().is_apps(&endpoint);
                let origin = Origin { known, ..self.remembered.recall(&name, Instant::now()) };
                // A pause it was remembered with goes on.
                if let Some(until) = origin.paused_until {
                    self.pauses.push(Reverse((until, name.clone())));
                }
                vacant.insert(origin)
            }
        };
        // A push service that asked for a wait beyond the fan-out's, or a paused or failing one
        // holding half the read-ahead already, or a visitor's while visitors' are held to their
        // share and hold half the read-ahead: answered at once, so that no push service, nor a
        // visitor's many, holds the read-ahead the others need.
        let full = origin.queue.len() >= held;
        let told = match (origin.told_until, origin.paused_until) {
            (Some(until), _) => Some(Some(until)),
            (None, Some(until)) if full => Some(Some(until)),
            (None, None) if full && origin.refusals > 0 && origin.apart(self.limits.per_origin) => Some(None),
            (None, None) if visitors_full && !origin.known => Some(None),
            _ => None,
        };
        if let Some(until) = told {
            let now = Instant::now();
            let wait = until.map(|until| until.saturating_duration_since(now));
            self.decided.push_back(Outcome { id, verdict: Verdict::RetryAfter(wait) });
            // A visitor's push service met for the first time has nothing left.
            self.forget_if_idle(&name, now);
            return;
        }
        self.visitors.known_read |= origin.known;
        let job = Job { id, to, endpoint, push, origin: name.clone(), tries: 0, started: Instant::now() };
        self.change(&name, |origin| origin.queue.push_back(job));
        self.waiting += 1;
        self.list(&name);
    }

    /// Checks what [`Run::change`] and the sends keep against the push services' states: the
    /// counts, and that each push service that could start a push is in a list.
    #[cfg(test)]
    fn check(&self) {
        let (held, per_origin) = (self.held(), self.limits.per_origin);
        let mut sums = [0; 6];
        for (name, origin) in &self.origins {
            let counts = [origin.startable(held, per_origin), origin.queue.len(), origin.running];
            for (i, count) in counts.into_iter().enumerate() {
                sums[i] += count;
                sums[i + 3] += if origin.known { 0 } else { count };
            }
            if origin.paused_until.is_none() && !origin.queue.is_empty() && origin.running < origin.share(per_origin) {
                let listed = self.ready.contains(name) || self.deferred.contains(name);
                assert!(origin.listed && listed, "{name} could start a push and is in no list");
            }
        }
        let kept = [
            self.startable,
            self.waiting,
            self.running.len(),
            self.visitors.startable,
            self.visitors.waiting,
            self.visitors.running,
        ];
        assert_eq!(sums, kept, "startable, waiting, running: in all, then the visitors'");
    }

    /// The most pushes one push service holds apart from the others': half the read-ahead.
    fn held(&self) -> usize {
        self.limits.total.saturating_mul(READ_AHEAD / 2)
    }

    /// The most sends under way to visitors' push services once a push to the app's own was
    /// read: half the concurrency, rounded up.
    fn visitors_share(&self) -> usize {
        self.limits.total - self.limits.total / 2
    }

    /// Whether visitors' push services are held to their share: it is under way, and a push to
    /// the app's own was read (from then on, paused or between pages of the input, those keep
    /// their half). Visitors choose endpoints, so push services, as many as they like: this
    /// keeps half the slots for the app's own whatever theirs do (answer only the first push,
    /// say, and hold the rest for a deadline each).
    fn visitors_held(&self) -> bool {
        // With one slot there is no half to keep.
        self.limits.total > 1 && self.visitors.known_read && self.visitors.running >= self.visitors_share()
    }

    /// Changes `name`'s state, keeping [`Run::startable`] and [`Run::visitors`] true to it;
    /// `None` when it has none.
    fn change<R>(&mut self, name: &Name, change: impl FnOnce(&mut Origin<Job<'s, Id>>) -> R) -> Option<R> {
        let (held, per_origin) = (self.held(), self.limits.per_origin);
        let origin = self.origins.get_mut(name)?;
        let (before, waiting, running) = (origin.startable(held, per_origin), origin.queue.len(), origin.running);
        let changed = change(origin);
        let after = origin.startable(held, per_origin);
        self.startable = self.startable - before + after;
        if !origin.known {
            self.visitors.startable = self.visitors.startable - before + after;
            self.visitors.waiting = self.visitors.waiting - waiting + origin.queue.len();
            self.visitors.running = self.visitors.running - running + origin.running;
        }
        Some(changed)
    }

    /// Puts `name` in the `ready` list when it may start a push and is not there yet.
    fn list(&mut self, name: &Name) {
        let per_origin = self.limits.per_origin;
        if let Some(origin) = self.origins.get_mut(name) {
            if !origin.listed
                && origin.paused_until.is_none()
                && !origin.queue.is_empty()
                && origin.running < origin.share(per_origin)
            {
                origin.listed = true;
                self.ready.push_back(name.clone());
            }
        }
    }

    /// Removes `name`'s state when it has nothing waiting or under way, and remembers what a
    /// send to it told, its pause included: however many push services pause (a visitor's
    /// hosts that each ask for a day, say), the run holds the states of those with pushes only.
    fn forget_if_idle(&mut self, name: &Name, now: Instant) {
        if self.origins.get(name).is_some_and(|o| o.queue.is_empty() && o.running == 0) {
            let Some(origin) = self.origins.remove(name) else { return };
            self.remembered.keep(name.clone(), &origin, now);
        }
    }

    /// Starts what the limits allow, taking the ready push services in turn (the visitors'
    /// deferred ones first, once they may start again).
    fn start(&mut self) {
        while self.running.len() < self.limits.total {
            let held = self.visitors_held();
            let next = if held { None } else { self.deferred.pop_front() };
            let Some(name) = next.or_else(|| self.ready.pop_front()) else { return };
            let per_origin = self.limits.per_origin;
            let taken = self.change(&name, |origin| {
                let can = origin.paused_until.is_none() && origin.running < origin.share(per_origin);
                if can && held && !origin.known && !origin.queue.is_empty() {
                    // Stays listed, in the deferred list.
                    return Err(());
                }
                origin.listed = false;
                if !can {
                    return Ok(None);
                }
                let job = origin.queue.pop_front();
                origin.running += usize::from(job.is_some());
                Ok(job)
            });
            let mut job = match taken {
                Some(Ok(Some(job))) => job,
                Some(Err(())) => {
                    self.deferred.push_back(name);
                    continue;
                }
                _ => continue,
            };
            job.started = Instant::now();
            self.waiting -= 1;
            let sender = self.sender;
            self.running.push(Box::pin(async move {
                let (result, reached) = sender.send_to(&job.endpoint, &job.origin, &job.to, &job.push).await;
                (job, result, reached)
            }));
            self.list(&name);
        }
    }

    /// Answers every push waiting for `name`, and every one read for it until `wait` is over,
    /// [`Verdict::RetryAfter`] `wait`, unsent; and pauses it for `pause`.
    fn tell(&mut self, name: &Name, wait: Duration, pause: Duration) {
        let now = Instant::now();
        let told = self
            .change(name, |origin| {
                // A longer wait asked before stands.
                origin.told_until = origin.told_until.max(now.checked_add(wait));
                std::mem::take(&mut origin.queue)
            })
            .unwrap_or_default();
        self.waiting -= told.len();
        let verdict = Verdict::RetryAfter(Some(wait));
        self.decided.extend(told.into_iter().map(|job| Outcome { id: job.id, verdict: verdict.clone() }));
        self.pause(name, now + pause);
    }

    /// Counts a send to `name` that got no answer in time, or no connection (after `refusals`
    /// in a row), at `now`. Once is a blip: it pauses, as for "not now", and its pushes wait.
    /// Again, after a pause, it is down for now: its pushes, and those read for it until the
    /// pause is over, are handed back at once rather than each waiting out a deadline.
    ///
    /// Either way it has no connection that answers now: after the pause its next push goes
    /// alone, as its first did, not a whole share each holding a slot for a deadline.
    fn count_failure(&mut self, name: &Name, refusals: u32, now: Instant) {
        self.count_refusal(name, refusals, now);
        self.change(name, |origin| origin.answered = None);
        let backoff = backoff(refusals);
        if refusals == 0 {
            self.pause(name, now + backoff);
        } else {
            self.tell(name, backoff, backoff);
        }
    }

    /// Counts a refusal of `name` (after `refusals` in a row), which came at `now`.
    fn count_refusal(&mut self, name: &Name, refusals: u32, now: Instant) {
        self.change(name, |origin| {
            origin.refusals = refusals.saturating_add(1);
            origin.refused_at = Some(now);
        });
    }

    /// Pauses `name` until `until` (a pause under way is only ever made longer).
    fn pause(&mut self, name: &Name, until: Instant) {
        let longer = self.change(name, |origin| {
            if origin.paused_until.is_some_and(|already| already >= until) {
                return false;
            }
            origin.paused_until = Some(until);
            true
        });
        if longer == Some(true) {
            self.pauses.push(Reverse((until, name.clone())));
            self.compact_pauses();
        }
    }

    /// The pauses of push services forgotten since, or made longer, stay in the heap until they
    /// come up: past twice as many as held after the last time, only the ones that still hold
    /// stay (amortized O(1) a pause).
    fn compact_pauses(&mut self) {
        if self.pauses.len() > 2 * self.pauses_kept + 64 {
            let origins = &self.origins;
            self.pauses.retain(|Reverse((until, name))| {
                origins.get(name).is_some_and(|origin| origin.paused_until == Some(*until))
            });
            self.pauses_kept = self.pauses.len();
        }
    }

    /// Ends the pauses that are over by `now`: their pushes may start again, and a push
    /// service with none is forgotten.
    fn resume(&mut self, now: Instant) {
        while let Some(Reverse((until, _))) = self.pauses.peek() {
            if *until > now {
                return;
            }
            let Some(Reverse((until, name))) = self.pauses.pop() else { return };
            let over = self.change(&name, |origin| {
                if origin.paused_until != Some(until) {
                    return false;
                }
                origin.paused_until = None;
                origin.told_until = None;
                true
            });
            if over != Some(true) {
                continue;
            }
            self.list(&name);
            self.forget_if_idle(&name, now);
        }
    }

    /// A send finished (`reached`: its push service was tried): its outcome, or `None` when it
    /// goes back to wait out a pause.
    fn finish(&mut self, mut job: Job<'s, Id>, result: Result<(), Error>, reached: bool) -> Option<Outcome<Id>> {
        let name = job.origin.clone();
        let now = Instant::now();
        let unreachable = matches!(result, Err(Error::PushServiceUnreachable { .. }));
        let state = self.change(&name, |origin| {
            origin.running -= 1;
            // Whether what this send met counts: it started after the last refusal counted.
            let counts = origin.refused_at.is_none_or(|at| job.started >= at);
            if reached && !unreachable && counts {
                // It answered: its connection answers now, and its pushes may share it. An
                // answer held open since before a failure says nothing of now.
                origin.answered = Some(now);
            }
            (origin.refusals, counts)
        });
        let Some((refusals, counts)) = state.filter(|_| reached) else {
            // Refused before any request (the subscription's keys, the payload's size): that
            // says nothing of the push service, which is as it was.
            self.list(&name);
            self.forget_if_idle(&name, now);
            return Some(Outcome { id: job.id, verdict: Verdict::of(result) });
        };
        let asked = match &result {
            Err(Error::RateLimited { retry_after_secs } | Error::PushServiceUnavailable { retry_after_secs, .. }) => {
                Some(*retry_after_secs)
            }
            _ => None,
        };
        let outcome = match asked {
            None if unreachable => {
                // No answer, or no connection. This push's outcome stands (it may have been
                // taken, so it is not sent again). The sends under way with it when it failed
                // (one connection's streams, say) count as one failure: the first pauses that
                // push service, the others only have their outcomes.
                if counts {
                    self.count_failure(&name, refusals, now);
                }
                Some(Outcome { id: job.id, verdict: Verdict::of(result) })
            }
            None => {
                // An answer: the push service works, unless the send started before its last
                // refusal counted (one held open since, say), which says nothing of now.
                if counts {
                    self.change(&name, |origin| origin.refusals = 0);
                }
                Some(Outcome { id: job.id, verdict: Verdict::of(result) })
            }
            Some(asked) => {
                // Not now: that push service alone pauses, for as long as it asked, else 1 s
                // doubling with each such answer in a row, at most MAX_PAUSE. The answers to a
                // burst sent together are one: the first set the pause, and the others' pushes
                // wait out what is left of it (none, once it is over).
                let wait = match asked {
                    Some(secs) => Duration::from_secs(secs),
                    None if counts => backoff(refusals),
                    None => Duration::ZERO,
                };
                if counts {
                    self.count_refusal(&name, refusals, now);
                }
                if wait > MAX_PAUSE {
                    // Longer than a fan-out waits: this push and every other one to it for
                    // the next MAX_PAUSE are answered with the wait, unsent.
                    self.tell(&name, wait, MAX_PAUSE);
                    Some(Outcome { id: job.id, verdict: Verdict::of(result) })
                } else {
                    self.pause(&name, now + wait);
                    if job.tries >= self.limits.retries {
                        Some(Outcome { id: job.id, verdict: Verdict::of(result) })
                    } else {
                        job.tries += 1;
                        // Its push service's state is there (`change` found it above, and only
                        // `forget_if_idle` removes one); were it not, the push's outcome stands.
                        if !self.origins.contains_key(&name) {
                            return Some(Outcome { id: job.id, verdict: Verdict::of(result) });
                        }
                        self.change(&name, |origin| origin.queue.push_front(job));
                        self.waiting += 1;
                        None
                    }
                }
            }
        };
        self.list(&name);
        self.forget_if_idle(&name, now);
        outcome
    }
}

/// The pause after `refusals` in a row without a wait asked: 1 s, doubling, at most
/// [`MAX_PAUSE`].
fn backoff(refusals: u32) -> Duration {
    Duration::from_secs(1 << refusals.min(6)).min(MAX_PAUSE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{Endpoints, VapidKeys, VapidSubject};

    /// A push service on loopback that answers every push 429 with `Retry-After: {wait}`; its
    /// endpoint.
    async fn always_limited(wait: &'static str) -> String {
        let answer = move || async move { (axum::http::StatusCode::TOO_MANY_REQUESTS, [("retry-after", wait)]) };
        let app = axum::Router::new().fallback(answer);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}/push/x", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        endpoint
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_push_services_state_is_forgotten_once_idle_however_many_push_services_a_run_meets() {
        // Each push service answers "not now": at once again, in half a minute (a pause the
        // fan-out waits out), or in a day (longer than it waits: its pushes are answered at
        // once for a minute). With its retries spent, each has nothing left but its pause.
        for (wait, asked) in [("0", 0), ("30", 30), ("86400", 86_400)] {
            let sender = sender().with_endpoints(Endpoints::loopback_for_tests());
            let mut endpoints = vec![];
            for _ in 0..200 {
                endpoints.push(always_limited(wait).await);
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
            let mut run = Run::new(&sender, pushes, FanOut::default().concurrency(4).retries(0));
            let (mut outcomes, mut most, mut most_pauses) = (0, 0, 0);
            while let Some((outcome, next)) = run.next().await {
                assert_eq!(outcome.verdict, Verdict::RetryAfter(Some(Duration::from_secs(asked))), "{wait}");
                outcomes += 1;
                most = most.max(next.origins.len());
                most_pauses = most_pauses.max(next.pauses.len());
                run = next;
            }
            assert_eq!(outcomes, 200);
            // The pushes read ahead (twice the concurrency), the ones under way, and a pause or
            // two not yet seen to be over: never the 200 push services met, however long their
            // pauses.
            assert!(most <= 16, "{wait}: {most} push services' state held at once");
            assert!(most_pauses <= 2 * 16 + 64, "{wait}: {most_pauses} pauses held at once");
        }
    }

    fn sender() -> Sender {
        Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@your.site").unwrap())
    }

    /// A subscription on `https://{host}/x`.
    fn to(host: &str) -> Subscription {
        serde_json::from_value(serde_json::json!({"endpoint": format!("https://{host}/x"), "keys": {
            "auth": "x7aPzMh8OBZ3WDnsHjbBQQ",
            "p256dh": "BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0",
        }}))
        .unwrap()
    }

    #[test]
    fn a_push_refused_before_any_request_says_nothing_of_its_push_service() {
        let sender = sender();
        let payload = crate::NotificationPayload::new("Hi");
        let push = Push::new(&payload);
        let none = futures_util::stream::empty::<(u32, Subscription, Push<'_>)>();
        let mut run = Run::new(&sender, none, FanOut::default());
        // A failing push service, and one never answered, each with one push under way that
        // turns out to have keys no browser makes. Afterwards the failing one is still failing
        // (its next push goes alone), and the other has nothing to remember.
        for (id, host, refusals, remembered) in
            [(7, "failing.example", 2, Some((2, None))), (8, "never.example", 0, None)]
        {
            let name: Name = format!("https://{host}").into();
            run.origins.insert(name.clone(), Origin::met(refusals, None));
            run.change(&name, |origin| origin.running = 1);
            let endpoint = sender.endpoints().parse(&format!("https://{host}/x")).unwrap();
            let started = Instant::now();
            let job = Job { id, to: to(host), endpoint, push: push.clone(), origin: name.clone(), tries: 0, started };
            let refused = Err(Error::InvalidSubscriptionKeys("auth is 3 bytes; a browser makes 16".into()));
            let outcome = run.finish(job, refused, false).unwrap();
            assert!(matches!(outcome.verdict, Verdict::Malformed(_)), "{outcome:?}");
            assert!(run.origins.is_empty(), "{host}");
            assert_eq!(run.remembered.of(&name), remembered, "{host}");
        }
    }

    /// A push service on loopback whose answer each endpoint names: `/push/{status}/{delay in
    /// ms}/{id}`, with `Retry-After: 0` for "not now"; its port.
    async fn scripted() -> u16 {
        async fn answer(
            axum::extract::Path((status, delay, _)): axum::extract::Path<(u16, u64, u32)>,
        ) -> impl axum::response::IntoResponse {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            (axum::http::StatusCode::from_u16(status).unwrap(), [("retry-after", "0")])
        }
        let app = axum::Router::new().route("/push/{status}/{delay}/{id}", axum::routing::post(answer));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        port
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(6))]
        #[test]
        fn whatever_push_services_answer_each_push_has_one_outcome_and_the_runs_counts_stay_true(
            pushes in proptest::collection::vec((0..4usize, 0..6usize, proptest::bool::weighted(0.1)), 1..40),
            (total, per_origin, retries) in (1..4usize, 1..4usize, 0..3u32),
            apps_first in proptest::bool::weighted(0.7),
        ) {
            // Mostly, a push to the app's own comes first, and the visitors' are held from then.
            let mut pushes = pushes;
            if apps_first {
                pushes[0].0 = 0;
            }
            // The app's own push service (`localhost`) and three of a visitor's; each push
            // answered at once (201, 410, "not now" 429 or 503), late, or never within
            // the deadline; some with keys no browser makes, refused before any request.
            let behaviours = [(201, 0), (410, 0), (429, 0), (503, 0), (201, 30), (201, 200)];
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                let port = scripted().await;
                let rules = Endpoints::loopback_for_tests().only_hosts(["localhost"]);
                let sender = sender().with_endpoints(rules).deadline(Duration::from_millis(80));
                let payload = crate::NotificationPayload::new("Hi");
                let push = Push::new(&payload);
                let input: Vec<_> = pushes
                    .iter()
                    .enumerate()
                    .map(|(id, &(host, behaviour, bad_keys))| {
                        let host = if host == 0 { "localhost".to_owned() } else { format!("h{host}.localhost") };
                        let (status, delay) = behaviours[behaviour];
                        let auth = if bad_keys { "AAAA" } else { "x7aPzMh8OBZ3WDnsHjbBQQ" };
                        let to = serde_json::from_value(serde_json::json!({
                            "endpoint": format!("http://{host}:{port}/push/{status}/{delay}/{id}"),
                            "keys": {"auth": auth, "p256dh": "BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"},
                        }))
                        .unwrap();
                        (id, to, push.clone())
                    })
                    .collect();
                let limits = FanOut::default().concurrency(total).per_origin(per_origin).retries(retries);
                let mut run = Run::new(&sender, futures_util::stream::iter(input), limits);
                let mut outcomes = vec![0; pushes.len()];
                let all = async {
                    loop {
                        let (held_before, visitors_before) = (run.visitors.known_read, run.visitors.running);
                        let Some((outcome, next)) = run.next().await else { break };
                        next.check();
                        // Once a push to the app's own was read, no visitor's send starts past
                        // their share: theirs under way grow no further than that, or than they were.
                        if held_before && total > 1 {
                            let most = visitors_before.max(next.visitors_share());
                            assert!(next.visitors.running <= most, "{} visitors' sends under way", next.visitors.running);
                        }
                        outcomes[outcome.id] += 1;
                        run = next;
                    }
                };
                tokio::time::timeout(MAX_PAUSE * 3, all).await.expect("the fan-out ended");
                assert!(outcomes.iter().all(|&n| n == 1), "outcomes per push: {outcomes:?}");
            });
        }
    }

    #[tokio::test]
    async fn outcomes_known_without_a_send_are_read_no_faster_than_they_are_taken() {
        let sender = sender();
        let payload = crate::NotificationPayload::new("Hi");
        let push = Push::new(&payload);
        // Rows the rules refuse, as a database cursor of stored rows would give them.
        let pushes = futures_util::stream::iter((0..10_000).map(|i| {
            let to = serde_json::from_value(
                serde_json::json!({"endpoint": "https://10.0.0.1/x", "keys": {"auth": "", "p256dh": ""}}),
            )
            .unwrap();
            (i, to, push.clone())
        }));
        let mut run = Run::new(&sender, pushes, FanOut::default().concurrency(4));
        let (mut outcomes, mut most) = (0, 0);
        while let Some((_, next)) = run.next().await {
            outcomes += 1;
            most = most.max(next.decided.len());
            run = next;
        }
        assert_eq!(outcomes, 10_000);
        assert!(most <= 4, "{most} outcomes held at once for a concurrency of 4");
    }
}
