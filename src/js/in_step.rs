//! The sync record in Cache Storage, and the one way a subscription is sent to the app server:
//! the window's `AppServer` [`send`]s, which is [`post`] then [`record`]; the worker's
//! `pushsubscriptionchange` posts (trying again while the server is down) and then records, so
//! both send the same body and keep the record the same way.
//!
//! The record is one JSON response under a fixed same-origin URL, readable by the origin's pages
//! and its worker alike; the application server key the browser subscribed with is another.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::promise::{quietly, resolved, then};
use super::{fetch, get, object};
use crate::shared::SyncRecord;
use crate::Subscription;
use js_sys::{Array, Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

const CACHE: &str = "wasm-push";
/// Relative to the origin, so pages at any path and the worker find the same entries.
const RECORD: &str = "/wasm-push/last-subscription.json";
const KEY: &str = "/wasm-push/application-server-key.json";
/// The user turned notifications off: the subscription the app server must still be told to
/// forget. Kept until it has been (a tombstone `AppServer::sync` honours).
const OPT_OUT: &str = "/wasm-push/opt-out.json";

/// Sends the subscription and keeps what the server was told: [`post`], then what [`record`]
/// does. The promise of the response, rejected with why none came.
pub(crate) fn send(
    url: &str,
    subscription: &Subscription,
    old_endpoint: Option<&str>,
    previous: Option<SyncRecord>,
    header: Option<(&str, &str)>,
) -> Promise {
    let subscription = subscription.clone();
    then(&post(url, &subscription, old_endpoint, header), move |answer| {
        let acknowledged = matches!(&answer, Ok(response) if ok(response));
        let kept = record(previous.as_ref(), &subscription, acknowledged);
        Ok(then(&kept, move |_| answer).into())
    })
}

/// Whether a fetch's answer is a 2xx response.
pub(crate) fn ok(response: &JsValue) -> bool {
    response.dyn_ref::<web_sys::Response>().is_some_and(web_sys::Response::ok)
}

/// POSTs the subscription's `toJSON()` form, plus `oldEndpoint` when there is one (so a server
/// that knows the field drops the old row, and one that does not still stores the new), to
/// `url`. The one shape in which a subscription reaches an app server, from a page or the worker.
pub(crate) fn post(
    url: &str,
    subscription: &Subscription,
    old_endpoint: Option<&str>,
    header: Option<(&str, &str)>,
) -> Promise {
    let body = subscription.to_js();
    if let Some(old_endpoint) = old_endpoint {
        let _ = Reflect::set(&body, &"oldEndpoint".into(), &old_endpoint.into());
    }
    match JSON::stringify(&body) {
        Ok(body) => fetch(url, "POST", &body.into(), header),
        Err(reason) => Promise::reject(&reason),
    }
}

/// Keeps what the server was last told: `subscription`, acknowledged (2xx) or not, beside the
/// `previous` record (whose endpoint the server still holds if this one was not acknowledged).
pub(crate) fn record(previous: Option<&SyncRecord>, subscription: &Subscription, acknowledged: bool) -> Promise {
    keep(&SyncRecord::after_send(previous, subscription, acknowledged, now()))
}

/// The origin's cache of wasm-push's entries, or `undefined` without Cache Storage.
fn cache() -> Promise {
    match get(&js_sys::global(), "caches").dyn_into::<web_sys::CacheStorage>() {
        Ok(caches) => quietly(&caches.open(CACHE)),
        Err(_) => resolved(JsValue::UNDEFINED),
    }
}

/// The JSON kept under `entry`, or `undefined` (nothing kept, or no Cache Storage).
fn read(entry: &'static str) -> Promise {
    then(&cache(), move |cache| {
        let Some(cache) = cache?.dyn_into::<web_sys::Cache>().ok() else { return Ok(JsValue::UNDEFINED) };
        Ok(quietly(&then(&cache.match_with_str(entry), |response| {
            let response: web_sys::Response = response?.dyn_into()?;
            Ok(response.json()?.into())
        }))
        .into())
    })
}

/// Keeps `json` under `entry`; a browser without Cache Storage keeps nothing (and loses nothing
/// that it had). Never rejects.
fn write(entry: &'static str, json: &JsValue) -> Promise {
    let Some(text) = JSON::stringify(json).ok().and_then(|text| text.as_string()) else {
        return resolved(JsValue::UNDEFINED);
    };
    quietly(&then(&cache(), move |cache| {
        let cache: web_sys::Cache = cache?.dyn_into()?;
        let response = web_sys::Response::new_with_opt_str(Some(&text))?;
        Ok(cache.put_with_str(entry, &response).into())
    }))
}

/// The promise of the kept record's JSON (`undefined` when none), which [`stored`] reads.
pub(crate) fn load() -> Promise {
    read(RECORD)
}

/// The record in what [`load`] fulfilled with, if one was kept.
pub(crate) fn stored(json: &JsValue) -> Option<SyncRecord> {
    let member = |name: &str| get(json, name);
    Some(SyncRecord {
        subscription: Subscription::from_js(&member("subscription"))?,
        old_endpoint: member("oldEndpoint").as_string(),
        acknowledged: member("acknowledged").as_bool()?,
        since: member("since").as_f64()?,
    })
}

fn keep(record: &SyncRecord) -> Promise {
    let old_endpoint = record.old_endpoint.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    let json = object(&[
        ("subscription", record.subscription.to_js().into()),
        ("oldEndpoint", old_endpoint),
        ("acknowledged", record.acknowledged.into()),
        ("since", record.since.into()),
    ]);
    write(RECORD, &json)
}

/// Keeps the application server key this browser subscribed with (base64url), so the worker
/// can subscribe again when a `pushsubscriptionchange` carries no subscription at all (Chrome
/// 138 fires one so after permission is granted again).
pub(crate) fn keep_key(key: &str) -> Promise {
    write(KEY, &object(&[("key", key.into())]).into())
}

/// The promise of the key [`keep_key`] kept (a string), or `undefined`.
pub(crate) fn load_key() -> Promise {
    then(&read(KEY), |json| Ok(get(&json?, "key")))
}

/// Forgets the record, the key and the opt-out (after the app server removed the subscription).
pub(crate) fn forget() -> Promise {
    forget_entries(&[RECORD, KEY, OPT_OUT])
}

/// Keeps the opt-out: `subscription` is to be removed from the app server (unless `told`, the
/// server took the removal already) and from the browser, and nothing is to subscribe again,
/// until [`forget`] (both are done) or [`forget_opt_out`] (the user turned notifications on
/// again).
pub(crate) fn keep_opt_out(subscription: &Subscription, told: bool) -> Promise {
    let json = subscription.to_js();
    let _ = Reflect::set(&json, &"told".into(), &told.into());
    write(OPT_OUT, &json.into())
}

/// The promise of the opt-out's JSON (the subscription's, with `told`), or `undefined` when the
/// user has not turned notifications off (or it is done).
pub(crate) fn load_opt_out() -> Promise {
    read(OPT_OUT)
}

/// Forgets what the app server was told and the key, keeping the opt-out (the server took a
/// removal the browser has still to follow).
pub(crate) fn forget_sent() -> Promise {
    forget_entries(&[RECORD, KEY])
}

/// Forgets the opt-out only: the user turned notifications on again.
pub(crate) fn forget_opt_out() -> Promise {
    forget_entries(&[OPT_OUT])
}

/// Forgets the key only (after the browser's subscription ended): a change event must not
/// subscribe again a user who turned notifications off, while the record still says which
/// endpoint the app server holds, for the next save to drop.
pub(crate) fn forget_key() -> Promise {
    forget_entries(&[KEY])
}

fn forget_entries(entries: &'static [&'static str]) -> Promise {
    quietly(&then(&cache(), move |cache| {
        let cache: web_sys::Cache = cache?.dyn_into()?;
        let deleting: Array = entries.iter().map(|entry| JsValue::from(cache.delete_with_str(entry))).collect();
        Ok(Promise::all(&deleting).into())
    }))
}

/// Milliseconds since the epoch.
pub(crate) fn now() -> f64 {
    js_sys::Date::now()
}
