//! A push service's share of a fan-out (its origin's state: the pushes waiting and under way,
//! its pauses, its failures in a row, whether a send to it has set up a connection), and what a
//! run remembers of one once its state goes, bounded however many push services the input
//! names.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How many push services a run remembers once their state is gone: a bound on what a run
/// holds however many push services its input names.
pub(super) const REMEMBERED: usize = 1024;

/// How long after it last answered a push service met again is taken to have its
/// connection still: its pushes then go side by side at once. After a longer lull its first
/// push goes alone again, to set up the connection the others share. Well within the 90 s
/// reqwest's pool keeps an idle connection; a pool set to close one sooner, or a push service
/// that does, makes that burst open up to its share of connections.
pub(super) const STILL_CONNECTED: Duration = Duration::from_secs(15);

/// A push service's origin, shared by its pushes and the run's lists.
pub(super) type Name = Arc<str>;

/// A push service's share of a fan-out, with its pushes (`J`) waiting: kept while it has pushes
/// waiting or under way, and removed once it has none (what is worth keeping of it, its pause
/// included, goes to [`Remembered`]).
pub(super) struct Origin<J> {
    pub(super) queue: VecDeque<J>,
    pub(super) running: usize,
    pub(super) paused_until: Option<Instant>,
    /// While it is paused for a wait it asked beyond the fan-out's longest pause: when that
    /// wait ends. Its pushes are answered at once meanwhile.
    pub(super) told_until: Option<Instant>,
    /// Answers "not now", and sends that found no answer or no connection, in a row: the
    /// pause without a `Retry-After` doubles with each. Above 0, the push service is failing.
    /// Only sends started after the last one counted count: those under way with it (one
    /// connection's streams, a burst) are one refusal, however far apart their answers come.
    pub(super) refusals: u32,
    /// When the last refusal counted came.
    pub(super) refused_at: Option<Instant>,
    /// Whether its name is in the run's `ready` list.
    pub(super) listed: bool,
    /// When it last answered a send (whatever the answer), `None` until it has, and again
    /// after a send to it that counts as a failure (no answer in time, no connection). Until
    /// then, one push at a time goes to it: the first sets up the connection (HTTP/2 where the
    /// push service offers it, by ALPN), which the others then share, rather than each of a
    /// burst opening its own, or each holding a slot for a deadline when nothing answers. A
    /// push refused before its push service was tried (its keys, its payload's size) does not
    /// count: it set up nothing.
    pub(super) answered: Option<Instant>,
    /// Whether the app chose it (`Endpoints::is_apps`): one of the browsers' push services,
    /// or a host named in `only_hosts`. Any other is a visitor's choice, and those together
    /// start no new send while they have half the slots (rounded up) under way, once a push to
    /// the app's own was read.
    pub(super) known: bool,
}

impl<J> Origin<J> {
    /// A push service met in a run, with nothing waiting: `refusals` in a row, and last
    /// answered at `answered`.
    pub(super) fn met(refusals: u32, answered: Option<Instant>) -> Self {
        Origin {
            queue: VecDeque::new(),
            running: 0,
            paused_until: None,
            told_until: None,
            refusals,
            refused_at: None,
            listed: false,
            answered,
            known: false,
        }
    }

    /// How many of its pushes may be under way at once.
    pub(super) fn share(&self, per_origin: usize) -> usize {
        if self.answered.is_some() {
            per_origin
        } else {
            1
        }
    }

    /// Whether its waiting pushes wait apart from the others', up to `held` (half the
    /// read-ahead): while its first push is under way, or while it is failing and has its share
    /// under way. Such a push service may hold its slots until the deadline, and the pushes read
    /// for it meanwhile must not stop the reading of everyone else's.
    pub(super) fn apart(&self, per_origin: usize) -> bool {
        let probing = self.answered.is_none() && self.running > 0;
        let failing = self.refusals > 0 && self.running >= self.share(per_origin);
        probing || failing
    }

    /// Its waiting pushes that count against the read-ahead kept for push services that can
    /// start one: none while it is paused, those beyond `held` while they wait apart.
    pub(super) fn startable(&self, held: usize, per_origin: usize) -> usize {
        if self.paused_until.is_some() {
            0
        } else if self.apart(per_origin) {
            self.queue.len().saturating_sub(held)
        } else {
            self.queue.len()
        }
    }
}

/// What a run remembers of the push services whose state went: their failures in a row, when each
/// last answered, its pause, and in what order their states went. The next push read for one
/// is met as failing if it was, paused while its pause lasts, and, when it worked within
/// [`STILL_CONNECTED`], as a push service already answered (its pushes go side by side at
/// once), not as one never seen.
#[derive(Default)]
pub(super) struct Remembered {
    kept: HashMap<Name, Kept>,
    /// How many were kept so far: the next one's place in the order.
    count: u64,
}

/// What is kept of one push service.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Kept {
    refusals: u32,
    answered: Option<Instant>,
    /// Its pause, and the wait it asked beyond the fan-out's, as its state went.
    paused_until: Option<Instant>,
    told_until: Option<Instant>,
    /// Its place in the order the states went (no two the same): the older go first when
    /// failing ones fill the memory.
    went: u64,
}

impl Kept {
    /// Whether it is taken to have its connection open still at `now`.
    fn connected(&self, now: Instant) -> bool {
        self.refusals == 0 && self.answered.is_some_and(|at| now.saturating_duration_since(at) < STILL_CONNECTED)
    }
}

impl Remembered {
    /// The state `name` starts with when a push is read for it at `now`: as remembered (its
    /// pause too, while it lasts), or new.
    pub(super) fn recall<J>(&mut self, name: &Name, now: Instant) -> Origin<J> {
        let Some(kept) = self.kept.remove(name) else { return Origin::met(0, None) };
        let mut origin = match kept.connected(now) {
            true => Origin::met(0, kept.answered),
            // A failing one has no connection to share: its first push goes alone again.
            false => Origin::met(kept.refusals, None),
        };
        origin.paused_until = kept.paused_until.filter(|until| *until > now);
        origin.told_until = kept.told_until.filter(|_| origin.paused_until.is_some());
        origin
    }

    /// Keeps what a send to `name` told of it as its state goes at `now` (its pause included:
    /// a paused push service with nothing waiting is kept here, bounded, not in the run's
    /// states): nothing when none was tried.
    /// When full, what is forgotten, until at most half is left, those still paused last:
    /// - the working ones past [`STILL_CONNECTED`], which tell nothing any more;
    /// - the other working ones (a failing one met again must not look well);
    /// - the older half of the failing ones not paused;
    /// - while more than half is left, the rest of those not paused;
    /// - while more than half is left (more than half paused), the older half of those.
    ///
    /// So at least half goes, once per [`REMEMBERED`] / 2 push services kept at most.
    pub(super) fn keep<J>(&mut self, name: Name, origin: &Origin<J>, now: Instant) {
        if origin.answered.is_none() && origin.refusals == 0 && origin.paused_until.is_none() {
            return;
        }
        if self.kept.len() >= REMEMBERED {
            // A pause forgotten costs a request the push service asked not to be sent: those
            // still paused go last.
            let pausing = |kept: &Kept| kept.paused_until.is_some_and(|until| until > now);
            self.kept.retain(|_, kept| pausing(kept) || kept.refusals > 0 || kept.connected(now));
            if self.kept.len() >= REMEMBERED / 2 {
                self.kept.retain(|_, kept| pausing(kept) || kept.refusals > 0);
            }
            if self.kept.len() >= REMEMBERED / 2 {
                self.forget_older_half(|kept| !pausing(kept));
            }
            if self.kept.len() > REMEMBERED / 2 {
                self.kept.retain(|_, kept| pausing(kept));
            }
            // Past half, pauses too: a visitor's hosts may all ask for a day.
            if self.kept.len() > REMEMBERED / 2 {
                self.forget_older_half(|_| true);
            }
        }
        let kept = Kept {
            refusals: origin.refusals,
            answered: origin.answered,
            paused_until: origin.paused_until,
            told_until: origin.told_until,
            went: self.count,
        };
        self.count += 1;
        self.kept.insert(name, kept);
    }

    /// Forgets the older half of the push services kept that are `among`, by the order their
    /// states went.
    fn forget_older_half(&mut self, among: impl Fn(&Kept) -> bool) {
        let mut went: Vec<u64> = self.kept.values().filter(|kept| among(kept)).map(|kept| kept.went).collect();
        if went.is_empty() {
            return;
        }
        let half = went.len() / 2;
        let middle = *went.select_nth_unstable(half).1;
        self.kept.retain(|_, kept| !among(kept) || kept.went > middle);
    }

    /// What is kept of `name`: its failures in a row and when it last answered.
    #[cfg(test)]
    pub(super) fn of(&self, name: &str) -> Option<(u32, Option<Instant>)> {
        self.kept.get(name).map(|kept| (kept.refusals, kept.answered))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_remembers_a_bounded_number_of_push_services_the_failing_and_newest_longest() {
        let mut remembered = Remembered::default();
        let start = Instant::now();
        let (mut most, mut evictions) = (0, 0);
        for i in 0..5000u32 {
            // Half of them were failing when their state went: as many as visitors' endpoints
            // that never answer could make.
            let failing = i % 2 == 0;
            let name: Name = format!("https://push{i}.example").into();
            let answered = start + Duration::from_micros(i.into());
            let before = remembered.kept.len();
            remembered.keep(name.clone(), &Origin::<()>::met(u32::from(failing), Some(answered)), answered);
            assert_eq!(remembered.of(&name), Some((u32::from(failing), Some(answered))), "the one just kept");
            if remembered.kept.len() <= before {
                evictions += 1;
                // At least half went.
                assert!(remembered.kept.len() <= REMEMBERED / 2 + 1, "{} left", remembered.kept.len());
            }
            if i as usize == REMEMBERED {
                // The first time it was full, with the failing ones holding half: every working
                // one went, then the older half of the failing ones.
                assert_eq!(remembered.of("https://push1023.example"), None, "a working one");
                assert_eq!(remembered.of("https://push0.example"), None, "the oldest failing one");
                assert!(remembered.of("https://push1022.example").is_some(), "the newest failing one");
            }
            most = most.max(remembered.kept.len());
        }
        assert_eq!(most, REMEMBERED);
        // Each eviction frees at least half: a few in all, not one per push service.
        assert!((1..=5000 / (REMEMBERED / 2) + 1).contains(&evictions), "{evictions} evictions");
    }

    #[test]
    fn a_full_memory_forgets_first_the_working_push_services_whose_connection_is_taken_as_gone() {
        let mut remembered = Remembered::default();
        let long_ago = Instant::now();
        let now = long_ago + STILL_CONNECTED + Duration::from_secs(1);
        for i in 0..REMEMBERED {
            // Most worked long ago; the last few just now.
            let answered = if i < 600 { long_ago } else { now };
            remembered.keep(format!("https://push{i}.example").into(), &Origin::<()>::met(0, Some(answered)), now);
        }
        remembered.keep("https://one-more.example".into(), &Origin::<()>::met(0, Some(now)), now);
        assert_eq!(remembered.kept.len(), REMEMBERED - 600 + 1, "the 600 that tell nothing went, and only they");
        assert_eq!(remembered.of("https://push0.example"), None);
        assert!(remembered.of("https://push600.example").is_some());
    }

    #[test]
    fn a_push_service_no_send_reached_is_not_remembered() {
        let mut remembered = Remembered::default();
        remembered.keep("https://never.example".into(), &Origin::<()>::met(0, None), Instant::now());
        assert!(remembered.kept.is_empty());
    }

    #[test]
    fn a_paused_push_service_met_again_is_paused_still_until_its_pause_ends() {
        let mut remembered = Remembered::default();
        let now = Instant::now();
        let name: Name = "https://asked-for-a-day.example".into();
        let (pause_ends, asked_until) = (now + Duration::from_secs(60), now + Duration::from_secs(86_400));
        let mut paused = Origin::<()>::met(1, None);
        (paused.paused_until, paused.told_until) = (Some(pause_ends), Some(asked_until));
        for (met_at, still) in [(now, true), (pause_ends - Duration::from_millis(1), true), (pause_ends, false)] {
            remembered.keep(name.clone(), &paused, now);
            let origin = remembered.recall::<()>(&name, met_at);
            let expected = if still { (Some(pause_ends), Some(asked_until)) } else { (None, None) };
            assert_eq!((origin.paused_until, origin.told_until), expected, "{:?} on", met_at - now);
            assert_eq!(origin.refusals, 1);
        }
    }

    #[test]
    fn a_full_memory_forgets_a_pause_still_running_last() {
        let mut remembered = Remembered::default();
        let now = Instant::now();
        let mut paused = Origin::<()>::met(1, None);
        paused.paused_until = Some(now + Duration::from_secs(3600));
        // The oldest of all, then a visitor's failing hosts until the memory is full and more.
        for p in 0..3 {
            remembered.keep(format!("https://asked-for-an-hour{p}.example").into(), &paused, now);
        }
        for i in 0..REMEMBERED {
            remembered.keep(format!("https://failing{i}.example").into(), &Origin::<()>::met(3, None), now);
        }
        assert!(remembered.kept.len() <= REMEMBERED / 2 + 1, "an eviction happened");
        for p in 0..3 {
            assert_eq!(remembered.of(&format!("https://asked-for-an-hour{p}.example")), Some((1, None)), "{p}");
        }
        assert_eq!(remembered.of("https://failing0.example"), None, "the oldest failing one went");
        // Paused ones alone (a visitor's hosts that all ask for a day) are bounded all the same.
        for i in 0..3 * REMEMBERED {
            remembered.keep(format!("https://paused{i}.example").into(), &paused, now);
            assert!(remembered.kept.len() <= REMEMBERED, "{} kept", remembered.kept.len());
        }
    }

    #[test]
    fn a_push_service_met_again_is_taken_as_connected_only_when_it_worked_within_the_window() {
        let mut remembered = Remembered::default();
        // Met again at `now`: the last sends finished a moment, or a long time, before.
        let answered = Instant::now();
        let now = answered + STILL_CONNECTED;
        let ago = |lull: Duration| Some(now - lull);
        let (within, past) = (STILL_CONNECTED - Duration::from_secs(1), STILL_CONNECTED + Duration::from_secs(1));
        // Push services whose state went after a push each: (name, refusals, last answer).
        let met_again = [
            ("https://working.recent", 0, ago(within), true),
            // An answer stamped after `now` (taken on another thread, say): no panic, recent.
            ("https://working.ahead", 0, Some(now + Duration::from_secs(1)), true),
            ("https://working.long-ago", 0, ago(past), false),
            // A failing one has no connection to share, however recent its last send.
            ("https://failing.recent", 2, ago(within), false),
            ("https://failing.long-ago", 2, ago(past), false),
            ("https://failing.never-answered", 2, None, false),
        ];
        for (name, refusals, answered, connected) in met_again {
            let name: Name = name.into();
            remembered.keep(name.clone(), &Origin::<()>::met(refusals, answered), now);
            let origin: Origin<()> = remembered.recall(&name, now);
            assert_eq!(origin.answered.is_some(), connected, "{name}");
            assert_eq!(origin.share(16), if connected { 16 } else { 1 }, "{name}");
            assert_eq!(origin.refusals, refusals, "{name} is met as failing as it was");
            assert_eq!(remembered.of(&name), None, "{name} is recalled once");
        }
        let never: Origin<()> = remembered.recall(&"https://never.example".into(), now);
        assert_eq!((never.refusals, never.answered.is_some()), (0, false));
    }
}
