//! What an app server pushes and what the worker shows: the payload types, the fallback and the
//! limits, shared by both and compiled natively too. How the bytes of a push become a payload is
//! in `decode.rs`; the names of its fields, read and written, in `fields.rs`.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A push that names where its content is, for a worker with the `fetch_url` setting: the
/// worker `GET`s this URL (with the site's cookies; same origin unless `cross_origin`) and shows
/// what it answers, read like any payload, as it does for a push with no data at all. For
/// content over the 4 KB a push carries, or that the push service should not see. A push whose
/// JSON has a string `fetch_url` member is one; in a worker without the setting it is an
/// ordinary payload (with no title: the fallback's).
///
/// ```
/// let push = wasm_push::ContentAt::new("/api/push/7");
/// assert_eq!(serde_json::to_string(&push).unwrap(), r#"{"fetch_url":"/api/push/7"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentAt {
    /// Where the content is, resolved against the worker script's URL.
    pub fetch_url: String,
}

impl ContentAt {
    /// A push naming `url` as its content's.
    ///
    /// ```
    /// let push = wasm_push::ContentAt::new("/api/push/7");
    /// assert_eq!(push.fetch_url, "/api/push/7");
    /// ```
    pub fn new(url: impl Into<String>) -> Self {
        Self { fetch_url: url.into() }
    }
}

/// The notification an app server sends, as JSON in the push message body.
///
/// The app server serialises this very type; the worker reads it back. Every field but
/// `title` may be left out, and JavaScript's camelCase names (`requireInteraction`) are read
/// too. [`decode_push`](crate::decode_push) says what else the worker reads, and what it shows
/// for a push it cannot read.
///
/// ```
/// use wasm_push::{Action, NotificationPayload};
/// let payload = NotificationPayload {
///     body: Some("Your order has shipped".into()),
///     tag: Some("order-42".into()),
///     url: Some("/orders/42".into()),
///     actions: vec![Action::new("track", "Track it").with_url("/orders/42/tracking")],
///     ..NotificationPayload::new("Order #42")
/// };
/// let json = serde_json::to_string(&payload).unwrap(); // what any Web Push library sends
/// assert_eq!(
///     json,
///     r#"{"title":"Order #42","body":"Your order has shipped","tag":"order-42","actions":[{"action":"track","title":"Track it","url":"/orders/42/tracking"}],"url":"/orders/42"}"#
/// );
/// ```
///
/// The user sees a notification titled "Order #42" with that body and a "Track it" button; a
/// click opens `/orders/42` (the button: `/orders/42/tracking`) in a window of the site,
/// focusing one that is already there.
///
/// # What each browser does with the fields
///
/// The worker passes every field a browser accepts and drops or maps, knowingly, what would
/// make `showNotification` throw (then it shows the fallback rather than nothing). "Checked
/// here" means a test in this repository sees it in that browser.
///
/// | field | Chromium (desktop / Android) | Firefox | Safari | what wasm-push does |
/// | --- | --- | --- | --- | --- |
/// | `actions` | shown, `Notification.maxActions` = 2 (checked here, 156) | `maxActions` = 2 (checked here, 153 ESR) | not shown | capped at `Notification.maxActions` (4 where unknown); click URLs kept only for buttons shown |
/// | `renotify` | throws without a `tag` | ignored | ignored | sent only with a `tag` |
/// | `vibrate` | Android only; throws with `silent` | ignored on desktop | ignored | dropped when `silent`; capped at 32 entries of 10 s |
/// | `image` | shown | ignored | ignored | passed through |
/// | `badge` | Android status bar | ignored | ignored | passed through |
/// | `timestamp` | shown on some platforms | kept on the notification | ignored | passed through when finite and not negative |
/// | `requireInteraction` | desktop | some platforms | ignored | passed through |
/// | `silent`, `lang`, `dir`, `icon`, `tag`, `body` | yes | yes | `silent`, `tag`, `body`, `icon` | passed through |
/// | `app_badge` | `setAppBadge` where installed | no | installed web apps | called where it exists, failures ignored |
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

    /// Empty means absent: every optional text that is blank (empty or only spaces) becomes
    /// `None`, the buttons' too. A browser would take `"tag": ""` as a tag (Chromium then throws
    /// on `renotify`) and `"icon": ""` as an icon (the default one would not be added).
    pub(crate) fn drop_blank_fields(&mut self) {
        fn blank(text: &mut Option<String>) {
            if text.as_deref().is_some_and(|t| t.trim().is_empty()) {
                *text = None;
            }
        }
        for text in [
            &mut self.body,
            &mut self.icon,
            &mut self.badge,
            &mut self.image,
            &mut self.tag,
            &mut self.lang,
            &mut self.url,
        ] {
            blank(text);
        }
        for action in &mut self.actions {
            blank(&mut action.icon);
            blank(&mut action.url);
        }
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
        // `sw/shim/listeners.js` shows these too, when the wasm cannot start at all (a native test
        // holds the two to the same texts).
        Self { title: "New notification".into(), body: "Open the site to see what is new.".into() }
    }
}

impl Fallback {
    /// The notification a push shows when nothing in it can be read or shown.
    ///
    /// ```
    /// let shown = wasm_push::Fallback::default().payload();
    /// assert_eq!(shown.title, "New notification");
    /// assert_eq!(shown.body.as_deref(), Some("Open the site to see what is new."));
    /// ```
    pub fn payload(&self) -> NotificationPayload {
        NotificationPayload { body: Some(self.body.clone()), ..NotificationPayload::new(self.title.clone()) }
    }

    /// Gives `payload` the fallback title when its own is blank: no notification is untitled.
    ///
    /// ```
    /// let mut payload = wasm_push::NotificationPayload::new("  ");
    /// wasm_push::Fallback::default().fill_title(&mut payload);
    /// assert_eq!(payload.title, "New notification");
    /// ```
    pub fn fill_title(&self, payload: &mut NotificationPayload) {
        if payload.title.trim().is_empty() {
            payload.title = self.title.clone();
        }
    }
}

/// The longest title the worker shows, in characters; a longer one is cut to this many, the
/// "…" that marks the cut among them.
///
/// ```
/// assert_eq!(wasm_push::MAX_TITLE_CHARS, 200);
/// ```
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest body the worker shows, in characters; a longer one is cut to this many, the "…"
/// among them.
///
/// ```
/// assert_eq!(wasm_push::MAX_BODY_CHARS, 1000);
/// ```
pub const MAX_BODY_CHARS: usize = 1000;
/// The most action buttons kept (browsers show at most `Notification.maxActions`: 2 in Chromium).
///
/// ```
/// assert_eq!(wasm_push::MAX_ACTIONS, 4);
/// ```
pub const MAX_ACTIONS: usize = 4;
/// The longest vibration pattern kept, in entries.
///
/// ```
/// assert_eq!(wasm_push::MAX_VIBRATE_ENTRIES, 32);
/// ```
pub const MAX_VIBRATE_ENTRIES: usize = 32;
/// The longest single vibration or pause kept, in milliseconds; longer ones are capped.
///
/// ```
/// assert_eq!(wasm_push::MAX_VIBRATE_MS, 10_000);
/// ```
pub const MAX_VIBRATE_MS: u32 = 10_000;

#[cfg(test)]
#[allow(clippy::disallowed_macros, clippy::disallowed_methods)] // tests are not shipped
pub(crate) mod tests {
    use super::*;

    /// A payload with every field set, for the decoder's and the field code's tests.
    pub(crate) fn full_payload() -> NotificationPayload {
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
            data: Some(serde_json::json!({"id": 7, "nested": [1, 2]})),
            actions: vec![Action::new("open", "Open").with_url("/a"), Action::new("later", "Later")],
            url: Some("/x".into()),
            app_badge: Some(3),
            ..NotificationPayload::new("Title")
        }
    }

    #[test]
    fn the_shim_shows_the_same_fallback_when_the_wasm_cannot_start() {
        let shim = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/sw/shim/listeners.js")).unwrap();
        let Fallback { title, body } = Fallback::default();
        assert!(shim.contains(&format!("|| '{title}'")), "sw/shim/listeners.js's fallback title is not {title:?}");
        assert!(shim.contains(&format!("|| '{body}'")), "sw/shim/listeners.js's fallback body is not {body:?}");
        // Marked as the runtime marks what it shows (`worker/options.rs`), so its click is ours.
        let options = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/worker/options.rs")).unwrap();
        assert!(options.contains(r#"const OURS: &str = "wasmPushShown";"#));
        assert!(shim.contains("data: { wasmPushShown: true }"), "sw/shim/listeners.js's fallback is not marked ours");
        // The push event's claim, read and written on both sides (`worker/push.rs`).
        let push = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/worker/push.rs")).unwrap();
        assert!(push.contains(r#"const CLAIM: &str = "wasmPushClaim";"#) && push.contains(r#"Some("fallback")"#));
        assert!(shim.contains("event.wasmPushClaim instanceof Promise") && shim.contains("['showing', 'page']"));
        for state in ["\"claimed\"", "\"showing\"", "\"page\""] {
            assert!(push.contains(state), "worker/push.rs never sets {state}");
        }
        assert!(shim.contains("event.wasmPushClaim = 'fallback'"));
    }
}
