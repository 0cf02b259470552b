//! From the bytes of a push message to the notification to show: which shape the message has
//! (our JSON, Declarative Web Push, a JSON string, plain text, nothing readable). The fields
//! themselves are read in `fields.rs`.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::declarative::DECLARATIVE_MAGIC;
use super::fields::{count, cut, read_fields, url, JsonView};
use super::payload::{Fallback, NotificationPayload, MAX_BODY_CHARS, MAX_TITLE_CHARS};
use serde_json::Value;

/// Turns the bytes of a push message into the notification to show. Never fails and never
/// panics. Every shape the worker reads, in this order:
///
/// | the push's data | read as |
/// | --- | --- |
/// | our JSON, `{"title": …, …}` (camelCase names too: `requireInteraction`, `appBadge`) | a [`NotificationPayload`], field by field |
/// | [Declarative Web Push](https://www.w3.org/TR/push-api/), `{"web_push": 8030, "notification": {"title": …, "navigate": …}, "app_badge": N}` | the notification's fields; `navigate` is the click URL |
/// | Angular's `SwPush`, `{"notification": {"title": …, "data": {"onActionClick": {"default": {"operation": "openWindow", "url": …}, "<action>": {…}}}}}` | the notification's fields; the click URLs of `openWindow`, `focusLastFocusedOrOpen` and `navigateLastFocusedOrOpen` (a `sendRequest` opens nothing) |
/// | Firebase's web payloads, `{"notification": {"title": …, "click_action": …}, "data": {…}, "fcmOptions": {"link": …}}` | the notification's fields; `fcmOptions.link` (or `click_action`) is the click URL; `data` is the data |
/// | a JSON string | the string, as the body under the fallback title |
/// | plain text, malformed JSON, or JSON that is neither an object nor a string (a number, an array) | the text as it came, as the body under the fallback title |
/// | nothing, or non-UTF-8 | the [`Fallback`]: its title and body |
///
/// Nothing is ever silent: an empty or non-UTF-8 push shows the fallback title and body, a
/// malformed one its text, a field of the wrong type is dropped without losing the rest, a
/// missing title is the fallback title, over-long texts are cut,
/// and if the wasm cannot start at all the shim shows the fallback itself. Click URLs outside
/// the worker's origin (`javascript:`, `data:`, other hosts) open the scope instead.
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

/// [`decode_push`] over any JSON reader (the worker's is the browser's `JSON.parse`, so what is
/// tested natively is what the worker does): the payload without its `data`, and the `data` as
/// the reader holds it.
pub(crate) fn decode_with<V: JsonView>(
    data: Option<&[u8]>,
    fallback: &Fallback,
    parse: impl FnOnce(&str) -> Option<V>,
) -> (NotificationPayload, Option<V>) {
    let text = match data.map(std::str::from_utf8) {
        Some(Ok(text)) if !text.trim().is_empty() => text.trim(),
        _ => return (fallback.payload(), None),
    };
    let (mut payload, data) = match parse(text) {
        Some(object) if object.is_object() => match declarative(&object) {
            Some(notification) => {
                let (mut payload, data) = read_fields(&notification, "navigate");
                payload.app_badge = object.member("app_badge").and_then(|v| count(&v)).or(payload.app_badge);
                (payload, data)
            }
            None => wrapped(&object).unwrap_or_else(|| read_fields(&object, "url")),
        },
        // A JSON string is the message; any other JSON (a number, an array) or none at all: the
        // text itself is.
        parsed => {
            let body = parsed
                .and_then(|value| value.text())
                .map_or_else(|| cut(text, MAX_BODY_CHARS), |s| cut(&s, MAX_BODY_CHARS));
            (NotificationPayload { body: Some(body), ..Default::default() }, None)
        }
    };
    finish(&mut payload, fallback);
    (payload, data)
}

/// What a notification the browser proposes shows (Safari's declarative push: the push event's
/// `notification`, its click URL in `navigate`), read by the same rules as a payload.
pub(crate) fn decode_proposal<V: JsonView>(
    notification: &V,
    app_badge: Option<u64>,
    fallback: &Fallback,
) -> (NotificationPayload, Option<V>) {
    let (mut payload, data) = read_fields(notification, "navigate");
    payload.app_badge = app_badge.or(payload.app_badge);
    finish(&mut payload, fallback);
    (payload, data)
}

/// Every payload gets a title, trimmed and within its cap.
fn finish(payload: &mut NotificationPayload, fallback: &Fallback) {
    fallback.fill_title(payload);
    payload.title = cut(payload.title.trim(), MAX_TITLE_CHARS);
}

/// A notification wrapped in a `notification` member, as other servers send it: Angular's
/// `SwPush` (click URLs in `data.onActionClick`) and Firebase's web payloads (`fcmOptions.link`,
/// `click_action`, `data` beside the notification). Not when the message has a `title` of its
/// own, nor when it claims to be declarative with the wrong magic number.
fn wrapped<V: JsonView>(object: &V) -> Option<(NotificationPayload, Option<V>)> {
    if object.member("title").is_some() || object.member("web_push").is_some() {
        return None;
    }
    let notification = object.member("notification").filter(V::is_object)?;
    let (mut payload, data) = read_fields(&notification, "url");
    let data = data.or_else(|| object.member("data"));
    // Angular: `onActionClick.default` for the notification, `onActionClick[action]` for a button;
    // only the operations that open a page carry a URL to open.
    let on_click = data.as_ref().and_then(|data| data.member("onActionClick"));
    let opens = |name: &str| {
        let click = on_click.as_ref()?.member(name)?;
        let operation = click.member("operation").and_then(|o| o.text());
        matches!(operation.as_deref(), Some("openWindow" | "focusLastFocusedOrOpen" | "navigateLastFocusedOrOpen"))
            .then(|| click.member("url").as_ref().and_then(url))?
    };
    let firebase = || {
        let options = object.member("fcmOptions").or_else(|| object.member("fcm_options"));
        options.and_then(|o| o.member("link")).or_else(|| notification.member("click_action"))
    };
    if payload.url.is_none() {
        payload.url = firebase().as_ref().and_then(url).or_else(|| opens("default"));
    }
    for action in payload.actions.iter_mut().filter(|action| action.url.is_none()) {
        action.url = opens(&action.action);
    }
    Some((payload, data))
}

fn declarative<V: JsonView>(object: &V) -> Option<V> {
    if object.member("web_push").and_then(|v| count(&v)) != Some(DECLARATIVE_MAGIC) {
        return None;
    }
    object.member("notification").filter(V::is_object)
}

#[cfg(test)]
#[allow(clippy::disallowed_macros, clippy::disallowed_methods)] // tests are not shipped
mod tests {
    use super::*;
    use crate::shared::payload::tests::full_payload;
    use crate::shared::payload::{Action, Direction, MAX_VIBRATE_ENTRIES, MAX_VIBRATE_MS};
    use serde_json::json;

    fn decode(bytes: &[u8]) -> NotificationPayload {
        decode_push(Some(bytes), &Fallback::default())
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
    fn empty_texts_are_absent_so_they_neither_break_renotify_nor_hide_the_default_icon() {
        let shown = decode(
            br#"{"title": "Order shipped", "tag": "", "renotify": true, "icon": " ", "badge": "", "image": "",
                "lang": "", "url": "", "body": "", "actions": [{"action": "a", "title": "A", "icon": "", "url": " "}]}"#,
        );
        assert_eq!(shown.title, "Order shipped");
        assert_eq!((shown.tag, shown.icon, shown.badge, shown.image), (None, None, None, None));
        assert_eq!((shown.lang, shown.url, shown.body), (None, None, None));
        assert_eq!((shown.actions[0].icon.clone(), shown.actions[0].url.clone()), (None, None));
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
        assert_eq!(shown.title.chars().count(), MAX_TITLE_CHARS, "the ellipsis counts");
        assert!(shown.title.ends_with('…'));
        assert_eq!(shown.body.unwrap().chars().count(), MAX_BODY_CHARS);
        // Exactly at the cap: nothing is cut.
        let exact = "x".repeat(MAX_TITLE_CHARS);
        assert_eq!(decode(json!({"title": format!("  {exact}  ")}).to_string().as_bytes()).title, exact);
    }

    #[test]
    fn over_long_plain_text_is_cut_too() {
        let text = "x".repeat(MAX_BODY_CHARS * 4);
        assert_eq!(decode(text.as_bytes()).body.unwrap().chars().count(), MAX_BODY_CHARS);
        let quoted = format!("\"{text}\"");
        assert_eq!(decode(quoted.as_bytes()).body.unwrap().chars().count(), MAX_BODY_CHARS);
    }

    #[test]
    fn bad_numbers_are_dropped_and_big_ones_capped() {
        let vibrate: Vec<u64> = (0..100).map(|i| i * 1000).collect();
        let shown =
            decode(json!({"title": "t", "timestamp": -5, "vibrate": vibrate, "app_badge": -1}).to_string().as_bytes());
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

    #[test]
    fn angulars_swpush_shape_is_read_with_its_click_urls() {
        let message = json!({"notification": {
            "title": "New message", "body": "From Ana", "icon": "/i.png",
            "actions": [{"action": "open", "title": "Open"}, {"action": "ping", "title": "Ping"}],
            "data": {"onActionClick": {
                "default": {"operation": "openWindow", "url": "/inbox"},
                "open": {"operation": "focusLastFocusedOrOpen", "url": "/inbox/7"},
                "ping": {"operation": "sendRequest", "url": "/api/ping"}
            }, "id": 7}
        }});
        let shown = decode(message.to_string().as_bytes());
        assert_eq!((shown.title.as_str(), shown.body.as_deref()), ("New message", Some("From Ana")));
        assert_eq!(shown.url.as_deref(), Some("/inbox"));
        let urls: Vec<_> = shown.actions.iter().map(|a| a.url.as_deref()).collect();
        assert_eq!(urls, [Some("/inbox/7"), None], "a request is not a page to open");
        assert_eq!(shown.data.unwrap()["id"], 7);
    }

    #[test]
    fn firebases_web_payload_is_read_with_its_link_and_data() {
        let message = json!({
            "notification": {"title": "Sale", "body": "Today only", "image": "/sale.jpg"},
            "data": {"sku": "42"}, "fcmOptions": {"link": "/sale"}, "from": "1234", "collapse_key": "do_not_collapse"
        });
        let shown = decode(message.to_string().as_bytes());
        assert_eq!((shown.title.as_str(), shown.url.as_deref()), ("Sale", Some("/sale")));
        assert_eq!(shown.image.as_deref(), Some("/sale.jpg"));
        assert_eq!(shown.data, Some(json!({"sku": "42"})));
        let legacy = json!({"notification": {"title": "Old", "click_action": "/old"}});
        assert_eq!(decode(legacy.to_string().as_bytes()).url.as_deref(), Some("/old"));
    }

    #[test]
    fn a_message_with_its_own_title_is_ours_even_with_a_notification_member() {
        let shown = decode(br#"{"title": "Ours", "notification": {"title": "Theirs"}}"#);
        assert_eq!(shown.title, "Ours");
    }
}
