//! Keeping the app server in step with the browser, so that no subscription is quietly lost.
//!
//! The browser keeps one record (in Cache Storage, shared by the pages and the worker of the
//! origin): the subscription the app server was last sent, whether it said yes, and the
//! endpoint it had before, which it must still drop. Whoever runs next (a page load, the
//! worker's next push or `pushsubscriptionchange`) compares the browser's current subscription
//! with that record and sends what the server has not acknowledged. The decision is plain Rust,
//! tested natively; the storage and the sending are the browser's (`js/in_step.rs`).

use super::subscription::Subscription;

/// What this browser last told the app server about its subscription.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyncRecord {
    /// The subscription last sent.
    pub subscription: Subscription,
    /// The endpoint the server stored before this one, still to be dropped when `acknowledged`
    /// is false.
    pub old_endpoint: Option<String>,
    /// Whether the server answered 2xx.
    pub acknowledged: bool,
    /// When this browser first had this endpoint (milliseconds since the epoch).
    pub since: f64,
}

impl SyncRecord {
    /// The endpoint the app server holds now, as far as this browser knows.
    pub fn server_endpoint(&self) -> Option<&str> {
        match self.acknowledged {
            true => Some(&self.subscription.endpoint),
            false => self.old_endpoint.as_deref(),
        }
    }

    /// The record after sending `subscription` (replacing what the server held), acknowledged
    /// or not.
    pub fn after_send(
        previous: Option<&SyncRecord>,
        subscription: &Subscription,
        acknowledged: bool,
        now: f64,
    ) -> SyncRecord {
        let same = previous.filter(|p| p.subscription.endpoint == subscription.endpoint);
        let server_had = previous.and_then(SyncRecord::server_endpoint).filter(|e| *e != subscription.endpoint);
        SyncRecord {
            subscription: subscription.clone(),
            old_endpoint: if acknowledged { None } else { server_had.map(str::to_owned) },
            acknowledged,
            since: same.map_or(now, |p| p.since),
        }
    }
}

/// What to do about the browser's subscription.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// The server has it: nothing to do.
    UpToDate,
    /// Send it, replacing `old_endpoint` on the server.
    Send { old_endpoint: Option<String> },
    /// It expires soon (half its lifetime is gone): subscribe again, then send the new one.
    Renew,
}

/// The step for the browser's `current` subscription, given the `record` of what the server
/// was last told.
pub(crate) fn next_step(current: &Subscription, record: Option<&SyncRecord>, now: f64) -> Step {
    let since = record.filter(|r| r.subscription.endpoint == current.endpoint).map_or(now, |r| r.since);
    if let Some(expires) = current.expiration_time {
        if now >= since + (expires - since) / 2.0 {
            return Step::Renew;
        }
    }
    match record {
        Some(record) if record.acknowledged && record.subscription.endpoint == current.endpoint => Step::UpToDate,
        Some(record) => {
            Step::Send { old_endpoint: record.server_endpoint().filter(|e| *e != current.endpoint).map(str::to_owned) }
        }
        None => Step::Send { old_endpoint: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::SubscriptionKeys;

    fn subscription(endpoint: &str) -> Subscription {
        Subscription {
            endpoint: endpoint.into(),
            expiration_time: None,
            keys: SubscriptionKeys { p256dh: "BPk".into(), auth: "c2VjcmV0".into() },
        }
    }

    fn record(endpoint: &str, old: Option<&str>, acknowledged: bool) -> SyncRecord {
        SyncRecord { subscription: subscription(endpoint), old_endpoint: old.map(Into::into), acknowledged, since: 0.0 }
    }

    #[test]
    fn a_subscription_the_server_acknowledged_needs_nothing() {
        assert_eq!(
            next_step(&subscription("https://p/a"), Some(&record("https://p/a", None, true)), 10.0),
            Step::UpToDate
        );
    }

    #[test]
    fn a_subscription_never_sent_or_never_acknowledged_is_sent() {
        assert_eq!(next_step(&subscription("https://p/a"), None, 10.0), Step::Send { old_endpoint: None });
        assert_eq!(
            next_step(&subscription("https://p/a"), Some(&record("https://p/a", None, false)), 10.0),
            Step::Send { old_endpoint: None }
        );
    }

    #[test]
    fn a_subscription_changed_behind_the_servers_back_replaces_the_one_it_holds() {
        // The server acknowledged a; the browser now has b.
        assert_eq!(
            next_step(&subscription("https://p/b"), Some(&record("https://p/a", None, true)), 10.0),
            Step::Send { old_endpoint: Some("https://p/a".into()) }
        );
        // Sending b failed (the server still has a); now the browser has c.
        assert_eq!(
            next_step(&subscription("https://p/c"), Some(&record("https://p/b", Some("https://p/a"), false)), 10.0),
            Step::Send { old_endpoint: Some("https://p/a".into()) }
        );
    }

    #[test]
    fn a_failed_send_keeps_what_the_server_still_holds_and_a_good_one_clears_it() {
        let acked_a = record("https://p/a", None, true);
        let failed_b = SyncRecord::after_send(Some(&acked_a), &subscription("https://p/b"), false, 5.0);
        assert_eq!(failed_b.old_endpoint.as_deref(), Some("https://p/a"));
        assert_eq!(failed_b.server_endpoint(), Some("https://p/a"));
        let failed_again = SyncRecord::after_send(Some(&failed_b), &subscription("https://p/b"), false, 6.0);
        assert_eq!(failed_again.old_endpoint.as_deref(), Some("https://p/a"));
        assert_eq!(failed_again.since, 5.0, "the same endpoint keeps its first-seen time");
        let landed = SyncRecord::after_send(Some(&failed_again), &subscription("https://p/b"), true, 7.0);
        assert_eq!((landed.old_endpoint, landed.acknowledged), (None, true));
    }

    #[test]
    fn a_subscription_that_expires_is_renewed_once_half_its_lifetime_is_gone() {
        let mut expiring = subscription("https://p/a");
        expiring.expiration_time = Some(1_000.0);
        let seen_at_0 = record("https://p/a", None, true);
        assert_eq!(next_step(&expiring, Some(&seen_at_0), 499.0), Step::UpToDate);
        assert_eq!(next_step(&expiring, Some(&seen_at_0), 500.0), Step::Renew);
        // Never seen before: its lifetime starts now.
        assert_eq!(next_step(&expiring, None, 400.0), Step::Send { old_endpoint: None });
        assert_eq!(next_step(&expiring, None, 1_000.0), Step::Renew);
    }
}
