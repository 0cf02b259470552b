//! What an app server pushes and what the worker shows: shared by both, compiled natively too.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The notification an app server sends, as JSON in the push message body.
///
/// The app server serialises this very type; the worker reads it back. Every field but
/// `title` may be left out, and JavaScript's camelCase names (`requireInteraction`) are read
/// too.
///
/// ```
/// use wasm_push::NotificationPayload;
/// let payload = NotificationPayload {
///     body: Some("Your order has shipped".into()),
///     url: Some("/orders/42".into()),
///     ..NotificationPayload::new("Order #42")
/// };
/// let json = serde_json::to_string(&payload).unwrap();
/// assert_eq!(json, r#"{"title":"Order #42","body":"Your order has shipped","url":"/orders/42"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationPayload {
    /// The notification's title.
    pub title: String,
    /// The text under the title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// URL of the icon shown beside the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// URL of the small monochrome badge (Android's status bar).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
    /// URL of a large image (Chromium only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// A notification with the same tag replaces the earlier one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// With a tag: alert the user again when replacing.
    #[serde(skip_serializing_if = "is_false", alias = "reNotify")]
    pub renotify: bool,
    /// Stay on screen until the user acts.
    #[serde(skip_serializing_if = "is_false", alias = "requireInteraction")]
    pub require_interaction: bool,
    /// No sound or vibration.
    #[serde(skip_serializing_if = "is_false")]
    pub silent: bool,
    /// Vibration pattern in milliseconds (vibrate, pause, vibrate, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vibrate: Vec<u32>,
    /// When the event happened, in milliseconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<f64>,
    /// The language of title and body (BCP 47).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Text direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<Direction>,
    /// Any JSON, handed back on click.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// Buttons under the notification.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// The URL a click opens (same origin as the worker; anything else opens the scope).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The app badge count to set (`navigator.setAppBadge`) where supported; 0 clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_badge: Option<u64>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A button on a notification.
///
/// ```
/// let reply = wasm_push::Action::new("reply", "Reply").with_url("/inbox/7#reply");
/// assert_eq!(reply.url.as_deref(), Some("/inbox/7#reply"));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Action {
    /// The id the worker sees in `notificationclick`'s `event.action`.
    pub action: String,
    /// The button's label.
    pub title: String,
    /// URL of the button's icon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// The URL this button opens instead of the notification's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Action {
    /// A button with an id and a label.
    ///
    /// ```
    /// let archive = wasm_push::Action::new("archive", "Archive");
    /// assert_eq!(archive.action, "archive");
    /// ```
    pub fn new(action: impl Into<String>, title: impl Into<String>) -> Self {
        Self { action: action.into(), title: title.into(), ..Self::default() }
    }

    /// The same button, opening `url` when clicked.
    ///
    /// ```
    /// let open = wasm_push::Action::new("open", "Open").with_url("/");
    /// assert_eq!(open.url.as_deref(), Some("/"));
    /// ```
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }
}

/// Text direction of a notification.
///
/// ```
/// let dir: wasm_push::Direction = serde_json::from_str(r#""rtl""#).unwrap();
/// assert_eq!(dir, wasm_push::Direction::Rtl);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The browser decides.
    Auto,
    /// Left to right.
    Ltr,
    /// Right to left.
    Rtl,
}

impl Direction {
    /// The string the Notification API takes.
    ///
    /// ```
    /// assert_eq!(wasm_push::Direction::Ltr.as_str(), "ltr");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Auto => "auto",
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

impl NotificationPayload {
    /// A payload with only a title.
    ///
    /// ```
    /// let p = wasm_push::NotificationPayload::new("Hello");
    /// assert_eq!(p.title, "Hello");
    /// assert_eq!(p.body, None);
    /// ```
    pub fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), ..Self::default() }
    }
}

/// What the worker shows when a push carries nothing it can read.
///
/// ```
/// let fallback = wasm_push::Fallback::default();
/// assert_eq!(fallback.title, "New notification");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fallback {
    /// The title of a push without a readable title.
    pub title: String,
    /// The body of a push with no readable content at all.
    pub body: String,
}

impl Default for Fallback {
    fn default() -> Self {
        Self { title: "New notification".into(), body: "Open the site to see what is new.".into() }
    }
}

/// The longest title the worker shows, in characters; longer ones are cut.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest body the worker shows, in characters; longer ones are cut.
pub const MAX_BODY_CHARS: usize = 1000;
/// The most action buttons kept (browsers show at most `Notification.maxActions`: 2 in Chromium).
pub const MAX_ACTIONS: usize = 4;
/// The longest vibration pattern kept, in entries.
pub const MAX_VIBRATE_ENTRIES: usize = 32;
const MAX_VIBRATE_MS: u32 = 10_000;
const MAX_SHORT_CHARS: usize = 256;
const MAX_URL_CHARS: usize = 2048;
/// The `web_push` member that marks a Declarative Web Push message (Push API spec).
const DECLARATIVE_MAGIC: u64 = 8030;

/// Turns the bytes of a push message into the notification to show. Never fails and never
/// panics:
/// - our JSON ([`NotificationPayload`]) is read field by field; a field of the wrong type is
///   left out rather than spoiling the rest;
/// - a Declarative Web Push message (`{"web_push": 8030, "notification": {…}}`) is mapped onto
///   the same type (`navigate` becomes `url`);
/// - plain text becomes the body under the fallback title;
/// - empty or non-UTF-8 data gives the [`Fallback`].
///
/// ```
/// use wasm_push::{decode_push, Fallback};
/// let fallback = Fallback::default();
/// assert_eq!(decode_push(Some(br#"{"title":"Hi"}"#), &fallback).title, "Hi");
/// assert_eq!(decode_push(Some(b"plain words"), &fallback).body.as_deref(), Some("plain words"));
/// assert_eq!(decode_push(None, &fallback).title, fallback.title);
/// ```
pub fn decode_push(data: Option<&[u8]>, fallback: &Fallback) -> NotificationPayload {
    let (mut payload, data) = decode_with(data, fallback, |text| serde_json::from_str::<Value>(text).ok());
    payload.data = data;
    payload
}

/// A parsed JSON value as the decoder reads it: serde_json's [`Value`] natively and on app
/// servers, the browser's own `JSON.parse` result in the worker (which keeps serde_json's code
/// out of the worker's wasm). Both go through the same [`decode_with`], so what is tested
/// natively is what the worker does.
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

/// [`decode_push`] over any JSON reader: the payload without its `data`, and the `data` as the
/// reader holds it.
pub(crate) fn decode_with<V: JsonView>(
    data: Option<&[u8]>,
    fallback: &Fallback,
    parse: impl FnOnce(&str) -> Option<V>,
) -> (NotificationPayload, Option<V>) {
    let text = match data.map(std::str::from_utf8) {
        Some(Ok(text)) if !text.trim().is_empty() => text.trim(),
        _ => return (fallback_payload(fallback), None),
    };
    let parsed = parse(text);
    let (mut payload, data) = match parsed {
        Some(object) if object.is_object() => match declarative(&object) {
            Some(notification) => {
                let (mut payload, data) = read_fields(&notification, "navigate");
                payload.app_badge = object.member("app_badge").and_then(|v| count(&v)).or(payload.app_badge);
                (payload, data)
            }
            None => read_fields(&object, "url"),
        },
        Some(value) => {
            // A JSON string is the message; any other JSON (a number, an array) or none at all:
            // the text itself is.
            let body = value.text().map_or_else(|| cut(text, MAX_BODY_CHARS), |s| cut(&s, MAX_BODY_CHARS));
            (NotificationPayload { body: Some(body), ..Default::default() }, None)
        }
        None => (NotificationPayload { body: Some(cut(text, MAX_BODY_CHARS)), ..Default::default() }, None),
    };
    if payload.title.trim().is_empty() {
        payload.title = fallback.title.clone();
    }
    payload.title = cut(payload.title.trim(), MAX_TITLE_CHARS);
    (payload, data)
}

fn declarative<V: JsonView>(object: &V) -> Option<V> {
    if object.member("web_push").and_then(|v| count(&v)) != Some(DECLARATIVE_MAGIC) {
        return None;
    }
    object.member("notification").filter(V::is_object)
}

fn fallback_payload(fallback: &Fallback) -> NotificationPayload {
    NotificationPayload { body: Some(fallback.body.clone()), ..NotificationPayload::new(fallback.title.clone()) }
}

/// Reads every field it can, each on its own; `url_key` is `url` for our JSON and
/// `navigate` for Declarative Web Push.
pub(crate) fn read_fields<V: JsonView>(object: &V, url_key: &str) -> (NotificationPayload, Option<V>) {
    let get = |names: &[&str]| names.iter().find_map(|name| object.member(name));
    let text = |names: &[&str], max: usize| get(names).and_then(|v| v.text()).map(|s| cut(&s, max));
    let flag = |names: &[&str]| get(names).and_then(|v| v.boolean()).unwrap_or(false);
    let payload = NotificationPayload {
        title: text(&["title"], MAX_TITLE_CHARS + 1).unwrap_or_default(),
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
    (payload, get(&["data"]))
}

/// A whole, non-negative number that a double holds exactly.
fn count<V: JsonView>(value: &V) -> Option<u64> {
    let n = value.number()?;
    (n >= 0.0 && n <= 9_007_199_254_740_991.0 && n == (n as u64) as f64).then_some(n as u64)
}

fn vibrate<V: JsonView>(value: &V) -> Vec<u32> {
    let ms = |v: &V| count(v).map(|ms| ms.min(MAX_VIBRATE_MS as u64) as u32);
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

/// At most `max_chars` characters, with "…" when cut (without `format!`: the worker keeps
/// `core::fmt` off its push path, nor a slice that could panic: its message needs `core::fmt`).
fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => {
            let mut out = String::with_capacity(end + '…'.len_utf8());
            out.push_str(text.get(..end).unwrap_or(text));
            out.push('…');
            out
        }
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decode(bytes: &[u8]) -> NotificationPayload {
        decode_push(Some(bytes), &Fallback::default())
    }

    fn full_payload() -> NotificationPayload {
        NotificationPayload {
            body: Some("Body".into()),
            icon: Some("/icon.png".into()),
            badge: Some("/badge.png".into()),
            image: Some("/image.jpg".into()),
            tag: Some("t1".into()),
            renotify: true,
            require_interaction: true,
            silent: false,
            vibrate: vec![100, 50, 100],
            timestamp: Some(1_790_000_000_000.0),
            lang: Some("en-GB".into()),
            dir: Some(Direction::Ltr),
            data: Some(json!({"id": 7, "nested": [1, 2]})),
            actions: vec![Action::new("open", "Open").with_url("/a"), Action::new("later", "Later")],
            url: Some("/x".into()),
            app_badge: Some(3),
            ..NotificationPayload::new("Title")
        }
    }

    #[test]
    fn a_payload_the_server_serialises_is_what_the_worker_reads() {
        let sent = full_payload();
        let bytes = serde_json::to_vec(&sent).unwrap();
        assert_eq!(decode(&bytes), sent);
        // And serde reads it back the same way on the server side.
        assert_eq!(serde_json::from_slice::<NotificationPayload>(&bytes).unwrap(), sent);
    }

    #[test]
    fn camel_case_names_from_javascript_servers_are_read() {
        let shown = decode(br#"{"title":"T","requireInteraction":true,"appBadge":2}"#);
        assert!(shown.require_interaction);
        assert_eq!(shown.app_badge, Some(2));
    }

    #[test]
    fn a_declarative_web_push_message_maps_onto_the_payload() {
        let message = json!({
            "web_push": 8030,
            "notification": {
                "title": "Declared", "body": "from the spec", "navigate": "/news/1", "tag": "n1",
                "lang": "de", "dir": "rtl", "silent": true,
                "actions": [{"action": "read", "title": "Read", "navigate": "/news/1#read"}]
            },
            "app_badge": 5
        });
        let shown = decode(message.to_string().as_bytes());
        assert_eq!(shown.title, "Declared");
        assert_eq!(shown.body.as_deref(), Some("from the spec"));
        assert_eq!(shown.url.as_deref(), Some("/news/1"));
        assert_eq!(shown.dir, Some(Direction::Rtl));
        assert!(shown.silent);
        assert_eq!(shown.actions, vec![Action::new("read", "Read").with_url("/news/1#read")]);
        assert_eq!(shown.app_badge, Some(5));
    }

    #[test]
    fn a_declarative_message_with_the_wrong_magic_number_is_not_trusted_as_one() {
        let shown = decode(br#"{"web_push": 8031, "notification": {"title": "Sneaky", "navigate": "/x"}}"#);
        assert_eq!(shown.title, "New notification");
        assert_eq!(shown.url, None);
    }

    #[test]
    fn empty_and_missing_data_show_the_fallback() {
        for data in [None, Some(&b""[..]), Some(&b"  \n"[..])] {
            let shown = decode_push(data, &Fallback::default());
            assert_eq!(shown.title, "New notification");
            assert_eq!(shown.body.as_deref(), Some("Open the site to see what is new."));
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_show_the_fallback() {
        assert_eq!(decode(&[0xff, 0xfe, 0x00]).title, "New notification");
    }

    #[test]
    fn plain_text_is_the_body_under_the_fallback_title() {
        let shown = decode(b"Lunch is ready");
        assert_eq!(shown.title, "New notification");
        assert_eq!(shown.body.as_deref(), Some("Lunch is ready"));
        assert_eq!(decode(br#""quoted""#).body.as_deref(), Some("quoted"));
        assert_eq!(decode(b"[1,2]").body.as_deref(), Some("[1,2]"));
    }

    #[test]
    fn malformed_json_still_shows_a_notification() {
        let shown = decode(br#"{"title": "#);
        assert_eq!(shown.title, "New notification");
        assert_eq!(shown.body.as_deref(), Some(r#"{"title":"#));
    }

    #[test]
    fn a_field_of_the_wrong_type_is_dropped_and_the_rest_kept() {
        let shown = decode(br#"{"title": 5, "body": "kept", "vibrate": "buzz", "tag": ["x"], "renotify": "yes"}"#);
        assert_eq!(shown.title, "New notification");
        assert_eq!(shown.body.as_deref(), Some("kept"));
        assert_eq!((shown.vibrate.len(), shown.tag, shown.renotify), (0, None, false));
    }

    #[test]
    fn a_missing_title_gets_the_fallback_title_and_keeps_the_body() {
        let shown = decode(br#"{"body": "only a body"}"#);
        assert_eq!(shown.title, "New notification");
        assert_eq!(shown.body.as_deref(), Some("only a body"));
    }

    #[test]
    fn over_long_texts_are_cut_on_a_character_boundary() {
        let title = "é".repeat(MAX_TITLE_CHARS + 50);
        let body = "ü".repeat(MAX_BODY_CHARS * 3);
        let shown = decode(json!({"title": title, "body": body}).to_string().as_bytes());
        assert_eq!(shown.title.chars().count(), MAX_TITLE_CHARS + 1);
        assert!(shown.title.ends_with('…'));
        assert_eq!(shown.body.unwrap().chars().count(), MAX_BODY_CHARS + 1);
    }

    #[test]
    fn over_long_plain_text_is_cut_too() {
        let text = "x".repeat(MAX_BODY_CHARS * 4);
        assert_eq!(decode(text.as_bytes()).body.unwrap().chars().count(), MAX_BODY_CHARS + 1);
        let quoted = format!("\"{text}\"");
        assert_eq!(decode(quoted.as_bytes()).body.unwrap().chars().count(), MAX_BODY_CHARS + 1);
    }

    #[test]
    fn bad_numbers_are_dropped_and_big_ones_capped() {
        let vibrate: Vec<u64> = (0..100).map(|i| i * 1000).collect();
        let shown = decode(json!({"title": "t", "timestamp": -5, "vibrate": vibrate, "app_badge": -1}).to_string().as_bytes());
        assert_eq!(shown.timestamp, None);
        assert_eq!(shown.app_badge, None);
        assert_eq!(shown.vibrate.len(), MAX_VIBRATE_ENTRIES);
        assert!(shown.vibrate.iter().all(|ms| *ms <= MAX_VIBRATE_MS));
        // JSON has no NaN: a server that writes one sends invalid JSON, which is shown as text.
        assert_eq!(decode(br#"{"title":"t","timestamp":NaN}"#).title, "New notification");
    }

    #[test]
    fn actions_without_id_or_label_are_skipped_and_at_most_four_kept() {
        let mut actions: Vec<Value> = (0..100).map(|i| json!({"action": format!("a{i}"), "title": "Go"})).collect();
        actions.insert(0, json!({"title": "no id"}));
        actions.insert(1, json!({"action": "no-label"}));
        actions.insert(2, json!("not an object"));
        let shown = decode(json!({"title": "t", "actions": actions}).to_string().as_bytes());
        let ids: Vec<&str> = shown.actions.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(ids, ["a0", "a1", "a2", "a3"]);
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(decode(deep.as_bytes()).title, "New notification");
        let deep_data = format!(r#"{{"title":"t","data":{}1{}}}"#, "[".repeat(100), "]".repeat(100));
        assert_eq!(decode(deep_data.as_bytes()).title, "t");
    }

    /// A small deterministic generator of push bodies: raw bytes, text, and JSON built from the
    /// payload's own field names with values of every type, sometimes wrapped as Declarative Web
    /// Push. No dependency, so the property runs everywhere the suite does.
    struct Inputs(u64);

    impl Inputs {
        fn next(&mut self) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }

        fn text(&mut self) -> String {
            const PIECES: [&str; 12] = ["a", "Z", " ", "é", "日本", "😀", "\\", "\"", "\u{0}", "javascript:", "/x?y#z", "\u{202e}"];
            let len = match self.below(10) {
                0 => 300 + self.below(1500),
                _ => self.below(12),
            };
            (0..len).map(|_| PIECES[self.below(12) as usize]).collect()
        }

        fn value(&mut self, depth: u32) -> Value {
            match self.below(if depth > 3 { 5 } else { 8 }) {
                0 => Value::Null,
                1 => Value::Bool(self.below(2) == 0),
                2 => serde_json::json!((self.next() as i64) >> self.below(64)),
                3 => serde_json::json!(f64::from_bits(self.next()) .clamp(-1e300, 1e300)),
                4 => Value::String(self.text()),
                5 => Value::Array((0..self.below(if depth == 0 { 40 } else { 4 })).map(|_| self.value(depth + 1)).collect()),
                _ => self.object(depth + 1),
            }
        }

        fn object(&mut self, depth: u32) -> Value {
            const KEYS: [&str; 22] = [
                "title", "body", "icon", "badge", "image", "tag", "renotify", "require_interaction",
                "requireInteraction", "silent", "vibrate", "timestamp", "lang", "dir", "data", "actions",
                "url", "navigate", "app_badge", "action", "web_push", "unknown",
            ];
            let mut object = serde_json::Map::new();
            for _ in 0..self.below(if depth > 1 { 4 } else { 12 }) {
                let key = KEYS[self.below(KEYS.len() as u64) as usize].to_owned();
                let value = match (key.as_str(), if depth > 2 { 1 } else { self.below(3) }) {
                    ("actions", 0) => Value::Array((0..self.below(120)).map(|_| self.object(3)).collect()),
                    ("vibrate", 0) => Value::Array((0..self.below(200)).map(|_| serde_json::json!(self.next() >> 40)).collect()),
                    ("web_push", 0) => serde_json::json!(8030),
                    ("dir", 0) => serde_json::json!(["auto", "ltr", "rtl"][self.below(3) as usize]),
                    _ => self.value(depth),
                };
                object.insert(key, value);
            }
            Value::Object(object)
        }

        fn push_body(&mut self) -> Vec<u8> {
            match self.below(6) {
                0 => (0..self.below(300)).map(|_| self.next() as u8).collect(),
                1 => self.text().into_bytes(),
                2 => {
                    let notification = self.object(0);
                    serde_json::json!({"web_push": 8030, "notification": notification, "app_badge": self.value(3)}).to_string().into_bytes()
                }
                3 => {
                    // Valid JSON cut short.
                    let mut text = self.object(0).to_string().into_bytes();
                    text.truncate(self.below(text.len() as u64 + 1) as usize);
                    text
                }
                _ => self.object(0).to_string().into_bytes(),
            }
        }
    }

    fn check_every_decode(runs: u64, seed: u64) {
        let fallback = Fallback::default();
        let mut inputs = Inputs(seed | 1);
        for run in 0..runs {
            let body = inputs.push_body();
            let shown = decode_push(Some(&body), &fallback);
            let context = || format!("run {run}: {:?}", String::from_utf8_lossy(&body[..body.len().min(300)]));
            assert!(!shown.title.trim().is_empty(), "empty title, {}", context());
            assert!(shown.title.chars().count() <= MAX_TITLE_CHARS + 1, "{}", context());
            assert!(shown.body.as_ref().is_none_or(|b| b.chars().count() <= MAX_BODY_CHARS + 1), "{}", context());
            assert!(shown.actions.len() <= MAX_ACTIONS, "{}", context());
            assert!(shown.actions.iter().all(|a| !a.action.is_empty() && !a.title.trim().is_empty()), "{}", context());
            assert!(shown.vibrate.len() <= MAX_VIBRATE_ENTRIES && shown.vibrate.iter().all(|ms| *ms <= MAX_VIBRATE_MS), "{}", context());
            assert!(shown.timestamp.is_none_or(|t| t.is_finite() && t >= 0.0), "{}", context());
        }
    }

    #[test]
    fn every_input_decodes_without_panic_to_a_titled_bounded_notification() {
        check_every_decode(20_000, 0x5eed);
    }

    /// The long run: `WASM_PUSH_DECODE_RUNS=10000000 cargo test --release -p wasm-push
    /// long_decode_run -- --ignored --nocapture`.
    #[test]
    #[ignore = "minutes long; run by hand"]
    fn long_decode_run() {
        let runs = std::env::var("WASM_PUSH_DECODE_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(1_000_000);
        let started = std::time::Instant::now();
        check_every_decode(runs, 0x1234_5678_9abc_def1);
        println!("{runs} inputs decoded in {:.1} s, every one a titled, bounded notification", started.elapsed().as_secs_f64());
    }
}
