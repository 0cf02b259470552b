//! The VAPID signatures a sender reuses, one per audience (a push service's origin): an ES256
//! signature is most of a push's own work, and one serves every push to its push service
//! until its `exp` nears.
//!
//! What it stands against: the wall clock (a token is judged by its own `exp`, so a suspend or
//! a clock step never sends one the push service refuses as expired or too far ahead), the
//! push service (a token it refuses is dropped), and the visitors (endpoints are their choice,
//! so their origins are too: theirs are kept in a bounded share that never evicts the push
//! services the app knows, and a send signs holding only its own audience's slot).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

/// How far ahead a new token's `exp` is (RFC 8292 §2: push services refuse more than 24 hours).
pub(super) const LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// A token is reused only while its `exp` is more than this ahead, so no push carries a token
/// that expires on its way.
const MARGIN: Duration = Duration::from_secs(3600);
/// The most audiences of push services the app does not know whose tokens are kept.
const VISITORS_KEPT: usize = 256;

/// One audience's token (the `Authorization` header's value), with its `exp` in seconds since
/// the Unix epoch.
#[derive(Clone)]
struct Kept {
    token: String,
    exp: u64,
}

/// One audience's place: locked by the sends to that audience alone while one signs.
type Slot = Arc<Mutex<Option<Kept>>>;

/// The kept tokens, shared by a sender's clones.
#[derive(Default)]
pub(super) struct Signatures {
    slots: Mutex<HashMap<String, (bool, Slot)>>,
}

/// Seconds since the Unix epoch (0 for a clock before it).
fn unix(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |since| since.as_secs())
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Kept {
    /// Whether a push sent `now` may carry it: its `exp` more than [`MARGIN`] ahead and no
    /// more than [`LIFETIME`] ahead (a clock stepped back makes a kept `exp` too far ahead).
    fn serves(&self, now: u64) -> bool {
        now.saturating_add(MARGIN.as_secs()) < self.exp && self.exp <= now.saturating_add(LIFETIME.as_secs())
    }
}

impl Signatures {
    /// The token for `audience` at wall-clock time `now`, and whether it was reused: the kept
    /// one while it serves, else one `sign` makes with the `exp` it is given. `known` marks a
    /// push service the app chose, whose token no visitor's audience evicts.
    pub(super) fn get<E>(
        &self,
        audience: &str,
        known: bool,
        now: SystemTime,
        sign: impl FnOnce(u64) -> Result<String, E>,
    ) -> Result<(String, bool), E> {
        let now = unix(now);
        let slot = self.slot(audience, known, now);
        let mut kept = lock(&slot);
        if let Some(kept) = kept.as_ref().filter(|kept| kept.serves(now)) {
            return Ok((kept.token.clone(), true));
        }
        let exp = now.saturating_add(LIFETIME.as_secs());
        let token = sign(exp)?;
        *kept = Some(Kept { token: token.clone(), exp });
        Ok((token, false))
    }

    /// The push service refused `token`: it is not used again (a token made since is kept).
    pub(super) fn refused(&self, audience: &str, token: &str) {
        let slot = lock(&self.slots).get(audience).map(|(_, slot)| slot.clone());
        if let Some(slot) = slot {
            let mut kept = lock(&slot);
            if kept.as_ref().is_some_and(|kept| kept.token == *token) {
                *kept = None;
            }
        }
    }

    /// `audience`'s slot, made when it has none. A visitor's audience beyond
    /// [`VISITORS_KEPT`] evicts the visitors' tokens that no longer serve, else the one that
    /// expires first; the known push services' are never evicted.
    fn slot(&self, audience: &str, known: bool, now: u64) -> Slot {
        let mut slots = lock(&self.slots);
        if let Some((_, slot)) = slots.get(audience) {
            return slot.clone();
        }
        let visitors = |slots: &HashMap<String, (bool, Slot)>| slots.values().filter(|(known, _)| !known).count();
        if !known && visitors(&slots) >= VISITORS_KEPT {
            // A slot being signed in is busy: it is kept this time.
            let exp = |slot: &Slot| slot.try_lock().ok().map(|kept| kept.as_ref().map_or(0, |kept| kept.exp));
            let serving = now.saturating_add(MARGIN.as_secs());
            slots.retain(|_, (known, slot)| *known || exp(slot).is_none_or(|exp| exp > serving));
            if visitors(&slots) >= VISITORS_KEPT {
                let first = slots
                    .iter()
                    .filter(|(_, (known, _))| !known)
                    .filter_map(|(audience, (_, slot))| Some((exp(slot)?, audience)))
                    .min()
                    .map(|(_, audience)| audience.clone());
                if let Some(first) = first {
                    slots.remove(&first);
                }
            }
        }
        let slot = Slot::default();
        slots.insert(audience.to_owned(), (known, slot.clone()));
        slot
    }

    /// How many audiences have a slot.
    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.slots).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token whose text says when it was made, so a test tells a reused one from a new one.
    fn token(exp: u64) -> Result<String, ()> {
        Ok(format!("exp={exp}"))
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    const T0: u64 = 1_800_000_000;

    #[test]
    fn a_token_is_reused_by_its_own_wall_clock_exp_across_a_suspend_or_a_clock_step() {
        let kept = Signatures::default();
        let (first, reused) = kept.get("https://push.example", false, at(T0), token).unwrap();
        assert!(!reused);
        assert_eq!(first, format!("exp={}", T0 + 12 * 3600));
        // Ten hours on: reused.
        assert_eq!(kept.get("https://push.example", false, at(T0 + 10 * 3600), token).unwrap(), (first.clone(), true));
        // The machine slept 11.5 hours, which a monotonic clock does not count: signed anew.
        let (after_sleep, reused) = kept.get("https://push.example", false, at(T0 + 11 * 3600 + 1800), token).unwrap();
        assert!(!reused);
        assert_ne!(after_sleep, first);
        // The clock stepped back a day: the kept `exp` is more than 12 hours ahead, which push
        // services refuse as too far; signed anew.
        let (after_step, reused) = kept.get("https://push.example", false, at(T0 - 24 * 3600), token).unwrap();
        assert!(!reused);
        assert_eq!(after_step, format!("exp={}", T0 - 12 * 3600));
        // The clock's extremes: no overflow, and never a token that does not serve.
        for extreme in [SystemTime::UNIX_EPOCH - Duration::from_secs(1), at(u64::MAX / 2)] {
            assert!(!kept.get("https://push.example", false, extreme, token).unwrap().1);
        }
    }

    #[test]
    fn a_token_the_push_service_refused_is_not_used_again() {
        let kept = Signatures::default();
        let (first, _) = kept.get("https://push.example", true, at(T0), token).unwrap();
        kept.refused("https://push.example", &first);
        let (second, reused) = kept.get("https://push.example", true, at(T0 + 1), token).unwrap();
        assert!(!reused);
        assert_ne!(second, first);
        // A refusal of the old token, answered late, does not drop the new one.
        kept.refused("https://push.example", &first);
        assert_eq!(kept.get("https://push.example", true, at(T0 + 2), token).unwrap(), (second, true));
    }

    #[test]
    fn visitors_origins_never_evict_the_known_push_services_and_stay_bounded() {
        let kept = Signatures::default();
        let (fcm, _) = kept.get("https://fcm.googleapis.com", true, at(T0), token).unwrap();
        for i in 0..10 * VISITORS_KEPT {
            kept.get(&format!("https://{i}.attacker.example"), false, at(T0 + 1), token).unwrap();
        }
        assert!(kept.len() <= VISITORS_KEPT + 1, "{} audiences kept", kept.len());
        assert_eq!(kept.get("https://fcm.googleapis.com", true, at(T0 + 2), token).unwrap(), (fcm, true));
    }

    #[test]
    fn signing_for_one_audience_holds_up_no_send_to_another() {
        let kept = Arc::new(Signatures::default());
        let (signing, release) = std::sync::mpsc::channel::<()>();
        let (started, wait_started) = std::sync::mpsc::channel::<()>();
        let slow = {
            let kept = kept.clone();
            std::thread::spawn(move || {
                kept.get("https://slow.example", false, at(T0), |exp| {
                    started.send(()).unwrap();
                    release.recv().unwrap();
                    token(exp)
                })
            })
        };
        wait_started.recv().unwrap();
        // While the slow audience signs, another audience signs and reuses at once (on a
        // thread of its own, so that being held up fails the test rather than hangs it).
        let (done, other) = std::sync::mpsc::channel();
        let meanwhile = kept.clone();
        std::thread::spawn(move || {
            let (first, _) = meanwhile.get("https://other.example", false, at(T0), token).unwrap();
            let again = meanwhile.get("https://other.example", false, at(T0), token).unwrap();
            done.send(again == (first, true)).unwrap();
        });
        let reused = other.recv_timeout(Duration::from_secs(5)).expect("held up by another audience's signing");
        assert!(reused);
        signing.send(()).unwrap();
        assert!(!slow.join().unwrap().unwrap().1);
    }
}
