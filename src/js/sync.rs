//! The sync record in Cache Storage, and the one way a subscription is sent to the app server:
//! the window's `AppServer` [`send`]s, which is [`post`] then [`record`]; the worker's
//! `pushsubscriptionchange` posts (trying again while the server is down) and then records, so
//! both send the same body and keep the record the same way.
//!
//! The record is one JSON response under a fixed same-origin URL, readable by the origin's pages
//! and its worker alike; the application server key the browser subscribed with is another.

use super::{fetch, get, object};
use crate::shared::SyncRecord;
use crate::Subscription;
use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const CACHE: &str = "wasm-push";
/// Relative to the origin, so pages at any path and the worker find the same entries.
const RECORD: &str = "/wasm-push/last-subscription.json";
const KEY: &str = "/wasm-push/application-server-key.json";

/// Sends the subscription and keeps what the server was told: [`post`], then what [`record`]
/// does, written in place (a future less to nest: 0.2 KB gzip less in the window package).
/// Answers the response, or why none came.
pub(crate) async fn send(
    url: &str,
    subscription: &Subscription,
    old_endpoint: Option<&str>,
    record: Option<&SyncRecord>,
    header: Option<(&str, &str)>,
) -> Result<web_sys::Response, JsValue> {
    let answer = post(url, subscription, old_endpoint, header).await;
    let acknowledged = matches!(&answer, Ok(response) if response.ok());
    keep(&SyncRecord::after_send(record, subscription, acknowledged, now())).await;
    answer
}

/// POSTs the subscription's `toJSON()` form, plus `oldEndpoint` when there is one (so a server
/// that knows the field drops the old row, and one that does not still stores the new), to
/// `url`. The one shape in which a subscription reaches an app server, from a page or the worker.
pub(crate) async fn post(
    url: &str,
    subscription: &Subscription,
    old_endpoint: Option<&str>,
    header: Option<(&str, &str)>,
) -> Result<web_sys::Response, JsValue> {
    let body = subscription.to_js();
    if let Some(old_endpoint) = old_endpoint {
        Reflect::set(&body, &"oldEndpoint".into(), &old_endpoint.into())?;
    }
    fetch(url, "POST", &JSON::stringify(&body)?.into(), header).await
}

/// Keeps what the server was last told: `subscription`, acknowledged (2xx) or not, beside the
/// `previous` record (whose endpoint the server still holds if this one was not acknowledged).
pub(crate) async fn record(previous: Option<&SyncRecord>, subscription: &Subscription, acknowledged: bool) {
    keep(&SyncRecord::after_send(previous, subscription, acknowledged, now())).await;
}

async fn cache() -> Option<web_sys::Cache> {
    let caches: web_sys::CacheStorage = get(&js_sys::global(), "caches").dyn_into().ok()?;
    JsFuture::from(caches.open(CACHE)).await.ok()?.dyn_into().ok()
}

/// The JSON kept under `entry`, if any (and Cache Storage is there).
async fn read(entry: &str) -> Option<JsValue> {
    let cache = cache().await?;
    let response: web_sys::Response = JsFuture::from(cache.match_with_str(entry)).await.ok()?.dyn_into().ok()?;
    JsFuture::from(response.json().ok()?).await.ok()
}

/// Keeps `json` under `entry`; a browser without Cache Storage keeps nothing (and loses nothing
/// that it had).
async fn write(entry: &str, json: &JsValue) {
    let Some(cache) = cache().await else { return };
    let Ok(Some(text)) = JSON::stringify(json).map(|t| t.as_string()) else { return };
    if let Ok(response) = web_sys::Response::new_with_opt_str(Some(&text)) {
        let _ = JsFuture::from(cache.put_with_str(entry, &response)).await;
    }
}

/// The record, if one was kept.
pub(crate) async fn load() -> Option<SyncRecord> {
    let json = read(RECORD).await?;
    let member = |name: &str| get(&json, name);
    Some(SyncRecord {
        subscription: Subscription::from_js(&member("subscription"))?,
        old_endpoint: member("oldEndpoint").as_string(),
        acknowledged: member("acknowledged").as_bool()?,
        since: member("since").as_f64()?,
    })
}

async fn keep(record: &SyncRecord) {
    let old_endpoint = record.old_endpoint.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    let json = object(&[
        ("subscription", record.subscription.to_js().into()),
        ("oldEndpoint", old_endpoint),
        ("acknowledged", record.acknowledged.into()),
        ("since", record.since.into()),
    ]);
    write(RECORD, &json).await;
}

/// Keeps the application server key this browser subscribed with (base64url), so the worker
/// can subscribe again when a `pushsubscriptionchange` carries no subscription at all (Chrome
/// 138 fires one so after permission is granted again).
pub(crate) async fn keep_key(key: &str) {
    write(KEY, &object(&[("key", key.into())]).into()).await;
}

/// The key [`keep_key`] kept, if any.
pub(crate) async fn load_key() -> Option<String> {
    get(&read(KEY).await?, "key").as_string()
}

/// Forgets the record and the key (after the app server removed the subscription).
pub(crate) async fn forget() {
    forget_entries(&[RECORD, KEY]).await;
}

/// Forgets the key only (after the browser's subscription ended): a change event must not
/// subscribe again a user who turned notifications off, while the record still says which
/// endpoint the app server holds, for the next save to drop.
pub(crate) async fn forget_key() {
    forget_entries(&[KEY]).await;
}

async fn forget_entries(entries: &[&str]) {
    if let Some(cache) = cache().await {
        for entry in entries {
            let _ = JsFuture::from(cache.delete_with_str(entry)).await;
        }
    }
}

/// Milliseconds since the epoch.
pub(crate) fn now() -> f64 {
    js_sys::Date::now()
}
