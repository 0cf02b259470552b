//! Sending to many: a stream of subscriptions in, a stream of what to do about each out, with
//! the concurrency bounded in total and per push service, and a push service that asks to slow
//! down paused on its own, for a bounded time, while the others and the input go on.

use super::schedule::Run;
use super::{Push, Sender};
use crate::{Error, Subscription, Unreachable};
use futures_util::stream::Stream;
use std::time::Duration;

/// The longest a fan-out pauses a push service. One that asks for a longer wait has that
/// push, and every other push to it for this long, answered [`Verdict::RetryAfter`] without a
/// send: no answer makes a fan-out wait longer than this at a time.
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
    pub(super) total: usize,
    pub(super) per_origin: usize,
    pub(super) retries: u32,
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
    /// paused, and 16 times as many in all while some are paused or have their first push
    /// under way, or while visitors' push services hold their half (see [`Sender::fan_out`]).
    ///
    /// ```
    /// let limits = wasm_push::server::FanOut::default().concurrency(256);
    /// ```
    pub fn concurrency(mut self, n: usize) -> Self {
        self.total = n.max(1);
        self
    }

    /// At most `n` pushes at once to one push service (at least 1). Until it has answered a
    /// push in the fan-out (whatever the answer), one at a time: that one sets up the
    /// connection the others share. The same again after a send to it found no answer in time
    /// or no connection (then its next push, after the pause, goes alone), and when it is met
    /// again, its state gone (see [`Sender::fan_out`]), more than 15 s after it last answered
    /// or while it was failing.
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
///         Verdict::NotAllowed(_) => "delete it, if the endpoint rules are the ones meant",
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
    /// [`Error::InvalidSubscriptionKeys`]): no push service can take it; delete it.
    Malformed(Error),
    /// The sender's endpoint rules refuse the endpoint itself ([`Error::EndpointNotAllowed`], as
    /// [`Sender::check`] finds when a subscription is saved): this sender never sends to it.
    /// Delete it when the rules are the ones meant; a row saved under wider rules (the rules
    /// narrowed since, or set wrong for this run) is kept by keeping it.
    NotAllowed(Error),
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
    pub(super) fn of(result: Result<(), Error>) -> Verdict {
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
    /// malformed or refused, so no send under these rules will ever take it.
    pub(super) fn unsendable(error: Error) -> Verdict {
        match error {
            Error::EndpointNotAllowed(_) => Verdict::NotAllowed(error),
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
    ///   times while a push service is paused, waits for its first push's answer, or is
    ///   failing with its share under way: its pushes then wait apart, up to half of that),
    ///   and it is read while a pause lasts; further pushes to a paused or failing push service
    ///   holding half are answered [`Verdict::RetryAfter`] at once, so it holds up no other;
    /// - visitors choose endpoints, so push services, as many as they like. The push services
    ///   the app chose ([`KNOWN_PUSH_SERVICES`](super::KNOWN_PUSH_SERVICES) with their
    ///   subdomains, over `https://` on its own port, and the hosts named in
    ///   [`Endpoints::only_hosts`](super::Endpoints::only_hosts) themselves) keep half the
    ///   slots from the first push to one of them read on, paused or not: the others, together,
    ///   then start no more once they have the concurrency less half of it (rounded down) under
    ///   way, and while they do, their waiting pushes do not stop the reading: up to half the
    ///   read-ahead wait, and further ones are answered [`Verdict::RetryAfter`] at once. So a
    ///   visitor's hosts that answer each first push and then hold every other for a deadline
    ///   hold up the app's own push services for one deadline at most (the sends of theirs under
    ///   way when the app's first push was read). Before that first push is read they may take
    ///   every slot, and their pushes count against the read-ahead as any push service's do (a
    ///   long run of them first in the input holds up the reading until they are sent or
    ///   handed back). With a concurrency of 1 nothing is kept. A push service of the app's own
    ///   not named is one of the others: past half the read-ahead, its pushes are handed back
    ///   while those half of the slots are under way, however well it answers. An app with one
    ///   names it, with the browsers', in [`Endpoints::only_hosts`](super::Endpoints::only_hosts);
    /// - a push service that gives no answer in time, or cannot be reached, is paused as for
    ///   "not now" below, and its pushes wait out the pause; then one of them goes alone, as a
    ///   push service's first push does, and the others wait for its answer; if it fails too
    ///   (or any send started after the first failure), it is down for now: its
    ///   pushes, and those read for it until the new pause is over, are answered
    ///   [`Verdict::RetryAfter`] at once rather than each waiting out the deadline;
    /// - an answer "not now" (408, 429, 500, 502, 503, 504) pauses that push service alone for
    ///   its `Retry-After` (else 1 s, doubling with each such answer in a row), at most
    ///   [`MAX_PAUSE`], and its pushes are sent again after the pause, up to
    ///   [`FanOut::retries`] times; one that asks for longer has its pushes answered
    ///   [`Verdict::RetryAfter`] at once, for [`MAX_PAUSE`];
    /// - failures and "not now" answers to sends that were under way together (one
    ///   connection's streams, a burst) count as one, however far apart they come: only a
    ///   send started after the last one counted counts again;
    /// - a push the push service took is never sent again, nor one that got no answer in time
    ///   ([`Verdict::MaybeSent`]) (a 5xx is sent again, as push services document; a
    ///   gateway's 502 or 504 may in rare cases have been delivered all the same);
    /// - a push service's state is kept while it has pushes waiting or under way, and no
    ///   longer. When it last answered, its failures in a row and its pause, if any, are
    ///   remembered after that, for up to 1024 push services (past that, the working ones are
    ///   forgotten first, then the failing ones, the older first, those still paused last), so
    ///   however many
    ///   push services pause (a visitor's hosts that each ask for a day, say), what a run holds
    ///   is bounded: one met again within 15 s of its last answer, and not failing, takes its
    ///   share at once, its connection taken to be open still (a pool set in
    ///   [`Sender::with_client`] to close idle connections sooner, or a push service that
    ///   closes them sooner, makes that burst open up to [`FanOut::per_origin`] connections);
    ///   one failing is met as failing, its first push alone; one met again while its pause
    ///   lasts is paused still (those still paused are forgotten last, so only while more than
    ///   512 are paused at once can one be sent to before its pause ends);
    /// - a push refused before any request (its subscription's keys, its payload's size) says
    ///   nothing of its push service;
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
