//! Keeping the app server told from the worker: `pushsubscriptionchange` (subscribing again when
//! the browser gave no new subscription), and after a push, a change the server could not take
//! before. Sending and the sync record are shared with the window side (`js/sync.rs`).

use super::runtime::{scope, Inner, Runtime};
use crate::js::subscription::{current, push_manager, subscribe_options, subscription_key};
use crate::js::sync::{self as store, post, record as keep_outcome};
use crate::js::sys;
use crate::shared::{decode_base64, next_step, Step, SyncRecord};
use crate::Subscription;
use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// How often a changed subscription is offered to the app server before the event gives up,
/// and the first wait between tries (doubled each time).
const SYNC_TRIES: u32 = 4;
const SYNC_FIRST_WAIT_MS: u32 = 1_000;

impl Runtime {
    /// Handles `pushsubscriptionchange`: takes the new subscription (or subscribes again with
    /// the old one's key, the key the page last subscribed with, or the configured key) and
    /// sends it, with the old endpoint, to the
    /// configured `subscription_url`, trying again with growing waits until it lands.
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
        future_to_promise(async move {
            let subscription = match new {
                Some(new) => new,
                None => {
                    // The old subscription's key; else the one the page last subscribed with
                    // (Chrome 138 fires this event with no subscription at all); else `key=`.
                    let key = match old.as_ref().and_then(subscription_key) {
                        Some(key) => Some(key),
                        None => store::load_key().await.and_then(|key| valid_key(&key)),
                    };
                    let key = key
                        .or_else(|| inner.config.application_server_key.as_deref().and_then(valid_key))
                        .ok_or("no application server key to subscribe again with")?;
                    let manager = push_manager(&scope().registration()).ok_or("this browser has no PushManager")?;
                    JsFuture::from(manager.subscribe_with_options(&subscribe_options(&key))?).await?.unchecked_into()
                }
            };
            let subscription =
                Subscription::from_raw(&subscription).ok_or("PushSubscription.toJSON() had an unexpected shape")?;
            // Firefox before 137 gives no oldSubscription: the endpoint the server holds is in
            // the record the window side or this worker kept.
            let record = store::load().await;
            let old_endpoint = match old {
                Some(old) => Some(old.endpoint()),
                None => record.as_ref().and_then(SyncRecord::server_endpoint).map(str::to_owned),
            };
            match inner.send_subscription(&subscription, old_endpoint.as_deref(), record, SYNC_TRIES).await {
                Some(false) => Err("the app server did not take the new subscription".into()),
                _ => Ok(JsValue::UNDEFINED),
            }
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
    /// replaces), trying `tries` times with growing waits; whether the server took it, or
    /// `None` when no URL is configured. The outcome is kept in the sync record.
    async fn send_subscription(
        &self,
        subscription: &Subscription,
        old_endpoint: Option<&str>,
        record: Option<SyncRecord>,
        tries: u32,
    ) -> Option<bool> {
        let url = self.config.server_url(&self.location, self.config.subscription_url.as_deref())?;
        let mut wait = SYNC_FIRST_WAIT_MS;
        let mut sent = false;
        for attempt in 1..=tries {
            sent = matches!(post(&url, subscription, old_endpoint, None).await, Ok(response) if response.ok());
            if sent || attempt == tries {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(wait).await;
            wait *= 2;
        }
        keep_outcome(record.as_ref(), subscription, sent).await;
        self.in_step.set(sent);
        Some(sent)
    }

    /// After a push: if the record says the app server never took the current subscription (it
    /// was down when a page or `pushsubscriptionchange` sent it), tries once more.
    pub(super) async fn retry_pending(&self) {
        // Without a subscription URL there is nowhere to send it: the pages will.
        if self.in_step.get() || self.config.subscription_url.is_none() {
            return;
        }
        let Some(record) = store::load().await.filter(|record| !record.acknowledged) else {
            self.in_step.set(true);
            return;
        };
        let Some(current) = current(&scope().registration()).await.ok().flatten() else { return };
        let Some(current) = Subscription::from_raw(&current) else { return };
        if let Step::Send { old_endpoint } = next_step(&current, Some(&record), store::now()) {
            self.send_subscription(&current, old_endpoint.as_deref(), Some(record), 1).await;
        }
    }
}
