//! Keeping the app server told from the worker: `pushsubscriptionchange` (subscribing again when
//! the browser gave no new subscription), and after a push, a change the server could not take
//! before. Sending and the sync record are shared with the window side (`js/in_step.rs`).
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::runtime::{Inner, Runtime};
use crate::js::in_step::{self as store, ok, post, record as keep_outcome};
use crate::js::promise::{resolved, sleep, then};
use crate::js::subscription::{current, push_manager, subscribe_options, subscription_key};
use crate::js::sys;
use crate::js::worker_scope;
use crate::shared::{decode_base64, next_step, Step, SyncRecord};
use crate::Subscription;
use js_sys::Promise;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::PushSubscription;

/// How often a changed subscription is offered to the app server before the event gives up,
/// and the first wait between tries (doubled each time).
const SYNC_TRIES: u32 = 4;
const SYNC_FIRST_WAIT_MS: u32 = 1_000;

impl Runtime {
    /// Handles `pushsubscriptionchange`: takes the new subscription (or subscribes again with
    /// the old one's key, the key the page last subscribed with, or the configured key) and
    /// sends it, with the old endpoint, to the
    /// configured `subscription_url`, trying again with growing waits until it lands. After the
    /// user turned notifications off (`AppServer::remove` or `unsubscribe`, whose opt-out the
    /// page has not finished yet), it does neither: that would undo the user's choice.
    ///
    /// ```no_run
    /// # fn run(event: web_sys::ExtendableEvent) -> Result<(), wasm_bindgen::JsValue> {
    /// let runtime = wasm_push::worker::Runtime::from_location();
    /// event.wait_until(&runtime.subscription_change(&event))?;
    /// # Ok(()) }
    /// ```
    pub fn subscription_change(&self, event: &web_sys::ExtendableEvent) -> Promise {
        let event: &sys::PushSubscriptionChangeEvent = event.unchecked_ref();
        let (old, new) = (event.old_subscription(), event.new_subscription());
        let inner = self.inner.clone();
        then(&store::load_opt_out(), move |opt_out| match opt_out.ok().filter(JsValue::is_object) {
            Some(_) => Ok(JsValue::UNDEFINED),
            None => Ok(inner.subscription_changed(old, new).into()),
        })
    }
}

impl Inner {
    /// [`Runtime::subscription_change`] once no opt-out waits.
    fn subscription_changed(self: Rc<Self>, old: Option<PushSubscription>, new: Option<PushSubscription>) -> Promise {
        let inner = self.clone();
        // The old subscription's key; else the one the page last subscribed with (Chrome 138
        // fires this event with no subscription at all); else `key=`.
        let old_key = old.as_ref().and_then(subscription_key);
        let stored_key = match new.is_none() && old_key.is_none() {
            true => store::load_key(),
            false => resolved(JsValue::UNDEFINED),
        };
        let subscribing = then(&stored_key, move |stored_key| {
            if let Some(new) = new {
                return Ok(new.into());
            }
            let key = old_key
                .or_else(|| stored_key.ok()?.as_string().as_deref().and_then(valid_key))
                .or_else(|| inner.config.application_server_key.as_deref().and_then(valid_key))
                .ok_or("no application server key to subscribe again with")?;
            let manager = push_manager(&worker_scope().registration()).ok_or("this browser has no PushManager")?;
            Ok(manager.subscribe_with_options(&subscribe_options(&key))?.into())
        });
        let inner = self;
        then(&subscribing, move |subscribed| {
            let subscription = Subscription::from_raw(&subscribed?.unchecked_into())
                .ok_or("PushSubscription.toJSON() had an unexpected shape")?;
            // Firefox before 137 gives no oldSubscription: the endpoint the server holds is in
            // the record the window side or this worker kept.
            Ok(then(&store::load(), move |json| {
                let record = json.ok().as_ref().and_then(store::stored);
                let old_endpoint = match old {
                    Some(old) => Some(old.endpoint()),
                    None => record.as_ref().and_then(SyncRecord::server_endpoint).map(str::to_owned),
                };
                let Some(sending) = inner.send_subscription(subscription, old_endpoint, record, SYNC_TRIES) else {
                    return Ok(JsValue::UNDEFINED);
                };
                Ok(then(&sending, |sent| match sent?.as_bool() {
                    Some(false) => Err("the app server did not take the new subscription".into()),
                    _ => Ok(JsValue::UNDEFINED),
                })
                .into())
            })
            .into())
        })
    }
}

/// The 65 bytes of a base64url key, when it is a valid one: `ApplicationServerKey`'s check
/// without its reasons, whose `format!` the worker keeps off its paths.
fn valid_key(text: &str) -> Option<Vec<u8>> {
    let key = decode_base64(text.trim())?;
    (key.len() == 65 && key[0] == 0x04).then_some(key)
}

impl Inner {
    /// Sends a subscription to the configured `subscription_url` (with the endpoint it
    /// replaces), trying `tries` times with growing waits: the promise of whether the server
    /// took it (never rejected), or `None` when no URL is configured. The outcome is kept in the
    /// sync record.
    fn send_subscription(
        &self,
        subscription: Subscription,
        old_endpoint: Option<String>,
        record: Option<SyncRecord>,
        tries: u32,
    ) -> Option<Promise> {
        let url = self.server_url(self.config.subscription_url.as_deref())?;
        let offer = Rc::new(Offer { url, subscription, old_endpoint });
        let (taken, in_step) = (offer_until_taken(offer.clone(), tries, SYNC_FIRST_WAIT_MS), self.in_step.clone());
        Some(then(&taken, move |taken| {
            let sent = taken.ok().and_then(|taken| taken.as_bool()) == Some(true);
            in_step.set(sent);
            let kept = keep_outcome(record.as_ref(), &offer.subscription, sent);
            Ok(then(&kept, move |_| Ok(sent.into())).into())
        }))
    }

    /// After a push: if the record says the app server never took the current subscription (it
    /// was down when a page or `pushsubscriptionchange` sent it), tries once more. Never rejects.
    pub(super) fn retry_pending(self: &Rc<Self>) -> Promise {
        // Without a subscription URL there is nowhere to send it: the pages will.
        if self.in_step.get() || self.config.subscription_url.is_none() {
            return resolved(JsValue::UNDEFINED);
        }
        let inner = self.clone();
        then(&store::load(), move |json| {
            let Some(record) = json.ok().as_ref().and_then(store::stored).filter(|record| !record.acknowledged) else {
                inner.in_step.set(true);
                return Ok(JsValue::UNDEFINED);
            };
            Ok(then(&current(&worker_scope().registration()), move |current| {
                let current = current.ok().and_then(|current| current.dyn_into::<PushSubscription>().ok());
                let Some(current) = current.as_ref().and_then(Subscription::from_raw) else {
                    return Ok(JsValue::UNDEFINED);
                };
                let Step::Send { old_endpoint } = next_step(&current, Some(&record), store::now()) else {
                    return Ok(JsValue::UNDEFINED);
                };
                Ok(inner
                    .send_subscription(current, old_endpoint, Some(record), 1)
                    .map_or(JsValue::UNDEFINED, Into::into))
            })
            .into())
        })
    }
}

/// A subscription offered to the app server: where to, and the endpoint it replaces.
struct Offer {
    url: String,
    subscription: Subscription,
    old_endpoint: Option<String>,
}

/// Posts `offer` until the server takes it (a 2xx) or `tries` run out, waiting `wait`
/// milliseconds before the second try and twice as long before each next: the promise of
/// whether it was taken.
fn offer_until_taken(offer: Rc<Offer>, tries: u32, wait: u32) -> Promise {
    let posting = post(&offer.url, &offer.subscription, offer.old_endpoint.as_deref(), None);
    then(&posting, move |answer| {
        let taken = matches!(&answer, Ok(response) if ok(response));
        if taken || tries <= 1 {
            return Ok(taken.into());
        }
        Ok(then(&sleep(wait), move |_| Ok(offer_until_taken(offer, tries - 1, wait * 2).into())).into())
    })
}
