//! The one place a payload's fields meet their JSON names, read and written.
//!
//! The names written are serde's (`require_interaction`, `app_badge`), so what the worker hands
//! a page is what an app server sends; the reader also takes JavaScript's camelCase
//! (`requireInteraction`), which servers written in JavaScript send. Both work over any JSON:
//! serde_json's [`Value`] natively and on app servers, the browser's own objects in the worker
//! (`js/object.rs`), which keeps serde_json's code out of the worker's wasm.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::payload::{
    Action, Direction, NotificationPayload, MAX_ACTIONS, MAX_BODY_CHARS, MAX_VIBRATE_ENTRIES, MAX_VIBRATE_MS,
};
use serde_json::Value;

const MAX_SHORT_CHARS: usize = 256;
const MAX_URL_CHARS: usize = 2048;

/// A parsed JSON value as the reader sees it.
pub(crate) trait JsonView: Sized {
    /// The member `name` of an object (not of an array or anything else).
    fn member(&self, name: &str) -> Option<Self>;
    /// The elements of an array.
    fn elements(&self) -> Option<Vec<Self>>;
    /// A string's text.
    fn text(&self) -> Option<String>;
    /// A number.
    fn number(&self) -> Option<f64>;
    /// A boolean.
    fn boolean(&self) -> Option<bool>;
    /// Whether this is an object (not an array, not null).
    fn is_object(&self) -> bool;
}

/// A JSON value the writer can make.
pub(crate) trait JsonBuild: Clone {
    /// A string.
    fn text(text: &str) -> Self;
    /// A boolean.
    fn flag(flag: bool) -> Self;
    /// A number.
    fn number(n: f64) -> Self;
    /// A whole number (serde writes these without a fraction).
    fn count(n: u64) -> Self;
    /// An array.
    fn list(items: Vec<Self>) -> Self;
    /// An object with these members, in this order.
    fn object(members: Vec<(&'static str, Self)>) -> Self;
}

/// Reads every field it can, each on its own: a field of the wrong type is left out rather than
/// spoiling the rest. `url_key` is `url` for our JSON and `navigate` for Declarative Web Push.
/// The payload comes without its `data`, which is returned as the reader holds it.
pub(crate) fn read_fields<V: JsonView>(object: &V, url_key: &str) -> (NotificationPayload, Option<V>) {
    let get = |names: &[&str]| names.iter().find_map(|name| object.member(name));
    let text = |names: &[&str], max: usize| get(names).and_then(|v| v.text()).map(|s| cut(&s, max));
    let flag = |names: &[&str]| get(names).and_then(|v| v.boolean()).unwrap_or(false);
    let payload = NotificationPayload {
        // Cut by the decoder, after trimming, or it could cut what trimming would have kept.
        title: get(&["title"]).and_then(|v| v.text()).unwrap_or_default(),
        body: text(&["body"], MAX_BODY_CHARS),
        icon: text(&["icon"], MAX_URL_CHARS),
        badge: text(&["badge"], MAX_URL_CHARS),
        image: text(&["image"], MAX_URL_CHARS),
        tag: text(&["tag"], MAX_SHORT_CHARS),
        renotify: flag(&["renotify", "reNotify"]),
        require_interaction: flag(&["require_interaction", "requireInteraction"]),
        silent: flag(&["silent"]),
        vibrate: get(&["vibrate"]).map(|v| vibrate(&v)).unwrap_or_default(),
        timestamp: get(&["timestamp"]).and_then(|v| v.number()).filter(|t| t.is_finite() && *t >= 0.0),
        lang: text(&["lang"], MAX_SHORT_CHARS),
        dir: match get(&["dir"]).and_then(|v| v.text()).as_deref() {
            Some("auto") => Some(Direction::Auto),
            Some("ltr") => Some(Direction::Ltr),
            Some("rtl") => Some(Direction::Rtl),
            _ => None,
        },
        data: None,
        actions: get(&["actions"]).and_then(|v| v.elements()).map(|a| actions(&a, url_key)).unwrap_or_default(),
        url: text(&[url_key], MAX_URL_CHARS),
        app_badge: get(&["app_badge", "appBadge"]).and_then(|v| count(&v)),
    };
    let mut payload = payload;
    payload.drop_blank_fields();
    (payload, get(&["data"]))
}

/// The payload as JSON with serde's names, leaving out what serde leaves out; `data` in place of
/// the payload's own.
pub(crate) fn write_fields<V: JsonBuild>(payload: &NotificationPayload, data: Option<&V>) -> V {
    fn text<V: JsonBuild>(name: &'static str, value: &Option<String>, members: &mut Vec<(&'static str, V)>) {
        if let Some(value) = value {
            members.push((name, V::text(value)));
        }
    }
    let mut members = vec![("title", V::text(&payload.title))];
    text("body", &payload.body, &mut members);
    text("icon", &payload.icon, &mut members);
    text("badge", &payload.badge, &mut members);
    text("image", &payload.image, &mut members);
    text("tag", &payload.tag, &mut members);
    let flags = [
        ("renotify", payload.renotify),
        ("require_interaction", payload.require_interaction),
        ("silent", payload.silent),
    ];
    members.extend(flags.into_iter().filter(|(_, on)| *on).map(|(name, on)| (name, V::flag(on))));
    if !payload.vibrate.is_empty() {
        members.push(("vibrate", V::list(payload.vibrate.iter().map(|ms| V::count(u64::from(*ms))).collect())));
    }
    if let Some(timestamp) = payload.timestamp {
        members.push(("timestamp", V::number(timestamp)));
    }
    text("lang", &payload.lang, &mut members);
    if let Some(dir) = payload.dir {
        members.push(("dir", V::text(dir.as_str())));
    }
    if let Some(data) = data {
        members.push(("data", data.clone()));
    }
    if !payload.actions.is_empty() {
        let actions = payload.actions.iter().map(|action| {
            let mut button = vec![("action", V::text(&action.action)), ("title", V::text(&action.title))];
            text("icon", &action.icon, &mut button);
            text("url", &action.url, &mut button);
            V::object(button)
        });
        members.push(("actions", V::list(actions.collect())));
    }
    text("url", &payload.url, &mut members);
    if let Some(badge) = payload.app_badge {
        members.push(("app_badge", V::count(badge)));
    }
    V::object(members)
}

/// A URL's text, cut to the longest URL kept.
pub(super) fn url<V: JsonView>(value: &V) -> Option<String> {
    value.text().map(|text| cut(&text, MAX_URL_CHARS))
}

/// A whole, non-negative number that a double holds exactly.
pub(super) fn count<V: JsonView>(value: &V) -> Option<u64> {
    let n = value.number()?;
    ((0.0..=9_007_199_254_740_991.0).contains(&n) && n == (n as u64) as f64).then_some(n as u64)
}

fn vibrate<V: JsonView>(value: &V) -> Vec<u32> {
    let ms = |v: &V| count(v).map(|ms| ms.min(u64::from(MAX_VIBRATE_MS)) as u32);
    match value.elements() {
        Some(items) => items.iter().filter_map(ms).take(MAX_VIBRATE_ENTRIES).collect(),
        None => ms(value).into_iter().collect(),
    }
}

fn actions<V: JsonView>(items: &[V], url_key: &str) -> Vec<Action> {
    items
        .iter()
        .filter(|item| item.is_object())
        .filter_map(|item| {
            let text = |name: &str, max: usize| item.member(name).and_then(|v| v.text()).map(|s| cut(&s, max));
            let action = text("action", MAX_SHORT_CHARS).filter(|a| !a.is_empty())?;
            let title = text("title", MAX_SHORT_CHARS).filter(|t| !t.trim().is_empty())?;
            Some(Action { action, title, icon: text("icon", MAX_URL_CHARS), url: text(url_key, MAX_URL_CHARS) })
        })
        .take(MAX_ACTIONS)
        .collect()
}

/// At most `max_chars` characters, the "…" that marks a cut among them (without `format!`: the
/// worker keeps `core::fmt` off its push path, nor a slice that could panic: its message needs
/// `core::fmt`).
pub(super) fn cut(text: &str, max_chars: usize) -> String {
    if text.char_indices().nth(max_chars).is_none() {
        return text.to_owned();
    }
    let end = text.char_indices().nth(max_chars.saturating_sub(1)).map_or(text.len(), |(end, _)| end);
    let mut out = String::with_capacity(end + '…'.len_utf8());
    out.push_str(text.get(..end).unwrap_or(text));
    out.push('…');
    out
}

impl JsonView for Value {
    fn member(&self, name: &str) -> Option<Self> {
        self.as_object()?.get(name).cloned()
    }
    fn elements(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn is_object(&self) -> bool {
        self.is_object()
    }
}

impl JsonBuild for Value {
    fn text(text: &str) -> Self {
        Value::from(text)
    }
    fn flag(flag: bool) -> Self {
        Value::from(flag)
    }
    fn number(n: f64) -> Self {
        Value::from(n)
    }
    fn count(n: u64) -> Self {
        Value::from(n)
    }
    fn list(items: Vec<Self>) -> Self {
        Value::Array(items)
    }
    fn object(members: Vec<(&'static str, Self)>) -> Self {
        members.into_iter().map(|(name, value)| (name.to_owned(), value)).collect()
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_macros, clippy::disallowed_methods)] // tests are not shipped
mod tests {
    use super::*;
    use crate::shared::payload::tests::full_payload;
    use serde_json::json;

    #[test]
    fn the_writer_uses_serdes_names_and_the_reader_reads_back_what_either_wrote() {
        let data = json!({"id": 7, "nested": [1, 2]});
        for payload in [NotificationPayload { data: None, ..full_payload() }, NotificationPayload::new("Only a title")]
        {
            let written: Value = write_fields(&payload, Some(&data));
            let served =
                serde_json::to_value(NotificationPayload { data: Some(data.clone()), ..payload.clone() }).unwrap();
            assert_eq!(written, served, "the worker's page message and the app server's JSON name fields alike");
            for json in [&written, &served] {
                let (read, read_data) = read_fields(json, "url");
                assert_eq!((read, read_data.as_ref()), (payload.clone(), Some(&data)));
            }
        }
    }
}
