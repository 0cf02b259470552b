//! The default worker's settings, read from its script URL: `/sw.js?title=…&icon=…`.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::shared::SameOrigin;
use crate::{same_origin_url, Fallback};

/// Settings of the ready-made worker, taken from the query of the URL it was registered with,
/// so a site configures it without touching JavaScript:
///
/// | key | meaning | default |
/// | --- | --- | --- |
/// | `title` | fallback title for pushes without one | "New notification" |
/// | `body` | fallback body for pushes with nothing readable | "Open the site to see what is new." |
/// | `icon` | icon for notifications that name none | none |
/// | `subscription_url` | where `pushsubscriptionchange` POSTs the new subscription (`toJSON()` plus `oldEndpoint`), retried with growing waits (same origin) | none |
/// | `receipts_url` | where `{"event": "shown"/"clicked"/"closed", "tag", "action", "data"}` reports go (same origin); reports are off without it | none |
/// | `key` | VAPID public key for resubscribing when neither the old subscription's key nor the key the page last subscribed with is known | none |
/// | `cross_origin` | `1` lets the two URLs above, and `fetch_url`, be on another origin | off |
/// | `foreground` | when a window of the site is focused and visible: `show` the notification, hand the push to the `page` instead (see `ForegroundMessages`; in WebKit the notification shows too), or `both` | `show` |
/// | `fetch_url` | where a push without data gets its content: a `GET` with the site's cookies, whose 2xx answer is read like any payload. For pushes sent without a payload (privacy, or content over 4 KB). A redirect, an error or no answer within the deadline (20 s) shows the fallback; same origin unless `cross_origin`. With it set, a push naming its content's URL ([`ContentAt`](crate::ContentAt)) gets that one | none |
///
/// ```
/// use wasm_push::worker::WorkerConfig;
/// let config = WorkerConfig::from_query("?title=Acme%20News&receipts_url=/push/receipts");
/// assert_eq!(config.fallback.title, "Acme News");
/// assert_eq!(config.receipts_url.as_deref(), Some("/push/receipts"));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkerConfig {
    /// What a push without readable content shows.
    pub fallback: Fallback,
    /// The icon of notifications whose payload names none.
    pub default_icon: Option<String>,
    /// Where a changed subscription is sent (`POST`, `toJSON()` plus `oldEndpoint`).
    pub subscription_url: Option<String>,
    /// Where delivery receipts go; `None` turns them off.
    pub receipts_url: Option<String>,
    /// The app server's VAPID public key, base64url.
    pub application_server_key: Option<String>,
    /// Whether the URLs above may point at another origin.
    pub allow_cross_origin: bool,
    /// What a push does while a window of the site is focused and visible.
    pub foreground: Foreground,
    /// Where a push that carries no data gets its content (`GET`): for pushes sent without a
    /// payload, for privacy or because the content is over 4 KB. Set, it also lets a push name
    /// its own content's URL ([`ContentAt`](crate::ContentAt)).
    pub fetch_url: Option<String>,
}

/// What a push does while a window of the site is focused and visible.
///
/// Browsers let a worker skip the notification only then (Chrome otherwise shows its own "this
/// site has been updated in the background"), so with any setting a push shows its notification
/// when no such window is there.
///
/// ```
/// use wasm_push::worker::{Foreground, WorkerConfig};
/// assert_eq!(WorkerConfig::from_query("foreground=page").foreground, Foreground::Page);
/// assert_eq!(WorkerConfig::default().foreground, Foreground::Show);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Foreground {
    /// Show the notification, as in the background.
    #[default]
    Show,
    /// Hand the push to the focused page instead of showing it.
    Page,
    /// Hand it to the page and show it too.
    Both,
}

impl Foreground {
    /// Whether a push handed to a focused page is shown as a notification too, in the browser
    /// whose user agent this is: with `both`, and with `page` in WebKit (Safari, and every
    /// browser on iOS), which revokes the subscription of a site whose pushes skip
    /// `showNotification`.
    ///
    /// ```
    /// use wasm_push::worker::Foreground;
    /// let safari = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.4 Safari/605.1.15";
    /// assert!(Foreground::Page.shows_too(safari));
    /// assert!(!Foreground::Page.shows_too("Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"));
    /// ```
    pub fn shows_too(self, user_agent: &str) -> bool {
        // A byte window, not `str::contains`: its two-way searcher is 1.8 KB of the worker's wasm.
        let has = |needle: &str| user_agent.as_bytes().windows(needle.len()).any(|w| w == needle.as_bytes());
        let webkit = has("AppleWebKit/") && !has("Chrome/") && !has("Chromium/");
        match self {
            Foreground::Show | Foreground::Both => true,
            Foreground::Page => webkit,
        }
    }
}

impl WorkerConfig {
    /// Reads the settings from a URL query (with or without the leading `?`) as the browser's
    /// `URLSearchParams.get` does, which the shim's fallback reads too: a key given twice means
    /// its first value. Unknown keys are ignored and empty values mean "not set".
    ///
    /// ```
    /// let config = wasm_push::worker::WorkerConfig::from_query("");
    /// assert_eq!(config, wasm_push::worker::WorkerConfig::default());
    /// let twice = wasm_push::worker::WorkerConfig::from_query("title=&title=Later");
    /// assert_eq!(twice, wasm_push::worker::WorkerConfig::default());
    /// ```
    pub fn from_query(query: &str) -> Self {
        let mut config = WorkerConfig::default();
        let mut seen: Vec<String> = Vec::new();
        let query = query.strip_prefix('?').unwrap_or(query);
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(key);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key.clone());
            let value = percent_decode(value);
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "title" => config.fallback.title = value,
                "body" => config.fallback.body = value,
                "icon" => config.default_icon = Some(value),
                "subscription_url" => config.subscription_url = Some(value),
                "receipts_url" => config.receipts_url = Some(value),
                "key" => config.application_server_key = Some(value),
                "fetch_url" => config.fetch_url = Some(value),
                "cross_origin" => config.allow_cross_origin = value == "1" || value == "true",
                "foreground" => {
                    config.foreground = match value.as_str() {
                        "page" => Foreground::Page,
                        "both" => Foreground::Both,
                        _ => Foreground::Show,
                    }
                }
                _ => {}
            }
        }
        config
    }

    /// A server URL from the settings, resolved against the worker's location, when it may be
    /// used: same origin, or any http(s) URL with `cross_origin=1`.
    ///
    /// ```
    /// let config = wasm_push::worker::WorkerConfig::from_query("receipts_url=https://evil.example/r");
    /// assert_eq!(config.server_url("https://app.example/sw.js", config.receipts_url.as_deref()), None);
    /// ```
    pub fn server_url(&self, location: &str, url: Option<&str>) -> Option<String> {
        self.server_url_by(same_origin_url, location, url)
    }

    /// [`WorkerConfig::server_url`] with the URLs read by `resolve` (in the worker, the
    /// browser's `URL`).
    pub(crate) fn server_url_by(&self, resolve: SameOrigin, location: &str, url: Option<&str>) -> Option<String> {
        let url = url?;
        resolve(location, url).or_else(|| {
            let absolute = url.starts_with("https://") || url.starts_with("http://");
            (self.allow_cross_origin && absolute).then(|| url.to_owned())
        })
    }
}

fn percent_decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[allow(clippy::disallowed_macros, clippy::disallowed_methods)] // tests are not shipped
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_means_its_first_value_as_the_browsers_url_search_params_read_it() {
        let read = |query: &str| WorkerConfig::from_query(query).fallback.title;
        let default = Fallback::default().title;
        assert_eq!(read("title=First&title=Second"), "First");
        assert_eq!(read("title=&title=Second"), default, "the first, empty, means not set");
        assert_eq!(read("title&title=Second"), default);
        assert_eq!(read("%74itle=Encoded&title=Plain"), "Encoded");
        assert_eq!(read("&&title=After+gaps"), "After gaps");
        assert_eq!(read("??title=Second+mark"), default, "one leading ? goes, as the browser drops one");
    }

    #[test]
    fn every_setting_is_read_from_the_query() {
        let config = WorkerConfig::from_query(
            "?title=Acme+News&body=Tap%20to%20open&icon=%2Ficon.png&subscription_url=/api/sub\
             &receipts_url=/api/receipts&key=BEl6&cross_origin=1&foreground=both&fetch_url=/api/push/latest&unknown=x",
        );
        assert_eq!(config.fallback, Fallback { title: "Acme News".into(), body: "Tap to open".into() });
        assert_eq!(config.default_icon.as_deref(), Some("/icon.png"));
        assert_eq!(config.subscription_url.as_deref(), Some("/api/sub"));
        assert_eq!(config.receipts_url.as_deref(), Some("/api/receipts"));
        assert_eq!(config.application_server_key.as_deref(), Some("BEl6"));
        assert!(config.allow_cross_origin);
        assert_eq!(config.foreground, Foreground::Both);
        assert_eq!(config.fetch_url.as_deref(), Some("/api/push/latest"));
    }

    #[test]
    fn fetch_url_is_read_on_the_sites_origin_and_elsewhere_only_with_cross_origin() {
        let location = "https://news.example/sw.js?fetch_url=x";
        let same = WorkerConfig::from_query("fetch_url=/api/push/latest");
        assert_eq!(
            same.server_url(location, same.fetch_url.as_deref()).as_deref(),
            Some("https://news.example/api/push/latest")
        );
        let other = WorkerConfig::from_query("fetch_url=https://tracker.example/latest");
        assert_eq!(other.server_url(location, other.fetch_url.as_deref()), None);
        let allowed = WorkerConfig::from_query("fetch_url=https://cdn.example/latest&cross_origin=1");
        assert_eq!(
            allowed.server_url(location, allowed.fetch_url.as_deref()).as_deref(),
            Some("https://cdn.example/latest")
        );
        assert_eq!(WorkerConfig::from_query("title=x").fetch_url, None);
    }

    #[test]
    fn foreground_page_still_shows_in_webkit_and_only_there() {
        let webkit = [
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.4 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/138.0.0.0 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
        ];
        let others = [
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 Edg/156.0.0.0",
            "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
        ];
        for agent in webkit {
            assert!(Foreground::Page.shows_too(agent), "{agent}");
        }
        for agent in others {
            assert!(!Foreground::Page.shows_too(agent), "{agent}");
            assert!(Foreground::Both.shows_too(agent), "{agent}");
        }
    }

    #[test]
    fn broken_percent_escapes_are_kept_as_text() {
        for (query, title) in [
            ("title=100%", "100%"),
            ("title=%zz", "%zz"),
            ("title=%4", "%4"),
            ("title=%C3%A9", "é"),
            ("title=%é", "%é"),
        ] {
            assert_eq!(WorkerConfig::from_query(query).fallback.title, title, "{query}");
        }
    }

    #[test]
    fn server_urls_stay_on_the_workers_origin_unless_allowed() {
        let location = "https://app.example/sw.js?x=1";
        let config = WorkerConfig::default();
        assert_eq!(config.server_url(location, Some("/api/sub")).as_deref(), Some("https://app.example/api/sub"));
        assert_eq!(config.server_url(location, Some("https://other.example/api")), None);
        assert_eq!(config.server_url(location, Some("javascript:x")), None);
        let open = WorkerConfig { allow_cross_origin: true, ..WorkerConfig::default() };
        assert_eq!(
            open.server_url(location, Some("https://other.example/api")).as_deref(),
            Some("https://other.example/api")
        );
        assert_eq!(open.server_url(location, Some("javascript:x")), None);
    }
}
