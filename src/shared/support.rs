//! What this browser can do, as one value a UI can branch on. Reading it off the browser is the
//! window side's (`window/support.rs`).

use super::error::Error;

/// The push-related features of the current browser. Reading it never throws.
///
/// ```
/// use wasm_push::Support;
/// let none = Support::default();
/// assert!(!none.can_push());
/// assert_eq!(none.check(), Err(wasm_push::Error::InsecureContext));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Support {
    /// HTTPS or localhost: everything below needs it.
    pub secure_context: bool,
    /// `navigator.serviceWorker`.
    pub service_worker: bool,
    /// `PushManager`.
    pub push_manager: bool,
    /// `Notification`.
    pub notification: bool,
    /// `ServiceWorkerRegistration.prototype.showNotification`.
    pub show_notification: bool,
    /// `navigator.permissions` (for watching permission changes).
    pub permissions_api: bool,
    /// `navigator.setAppBadge`.
    pub app_badge: bool,
    /// iOS or iPadOS 16.4 or later, in a browser tab rather than a web app opened from the Home
    /// Screen, no `PushManager`, and a page that links a web app manifest (its `display` must be
    /// `standalone`): adding the site to the Home Screen and opening it from there turns push
    /// on. Without a manifest it stays `false`, since the Home Screen would open a tab again. [`check`]
    /// answers [`Error::NeedsHomeScreen`] for it, where every other missing piece is
    /// [`Error::Unsupported`].
    ///
    /// [`check`]: Support::check
    pub home_screen: bool,
}

impl Support {
    /// Whether subscribing and showing notifications can work at all.
    ///
    /// ```
    /// let all = wasm_push::Support { secure_context: true, service_worker: true, push_manager: true,
    ///     notification: true, show_notification: true, ..Default::default() };
    /// assert!(all.can_push());
    /// ```
    pub fn can_push(&self) -> bool {
        self.check().is_ok()
    }

    /// The first missing requirement as an error, or `Ok(())`.
    ///
    /// ```
    /// let no_push = wasm_push::Support { secure_context: true, service_worker: true,
    ///     notification: true, show_notification: true, ..Default::default() };
    /// assert_eq!(no_push.check(), Err(wasm_push::Error::Unsupported("PushManager")));
    /// ```
    pub fn check(&self) -> Result<(), Error> {
        let required = [
            (self.service_worker, "navigator.serviceWorker"),
            (self.push_manager, "PushManager"),
            (self.notification, "Notification"),
            (self.show_notification, "ServiceWorkerRegistration.showNotification"),
        ];
        if !self.secure_context {
            return Err(Error::InsecureContext);
        }
        if self.home_screen && !self.push_manager {
            return Err(Error::NeedsHomeScreen);
        }
        match required.iter().find(|(present, _)| !present) {
            Some((_, name)) => Err(Error::Unsupported(name)),
            None => Ok(()),
        }
    }

    /// Whether push would turn on once this browser opens the site from the Home Screen: iOS or
    /// iPadOS 16.4 or later, in Safari or a browser that presents itself as Safari (every iOS
    /// browser is WebKit; Safari can add to the Home Screen from 16.4, other browsers in their
    /// recent versions), not an app's web view that says so (Facebook's, Instagram's, the
    /// Google app's), and not already there. `max_touch_points` tells an iPad, whose Safari
    /// presents itself as a Mac's, from a Mac. [`detect`](Support::detect) reads the three from
    /// the browser, and also needs the page to link a web app manifest; a server that renders
    /// the page can pass the `User-Agent` header and `0`, and then knows iPhones only.
    ///
    /// ```
    /// let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
    ///     (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    /// assert!(wasm_push::Support::home_screen_would_push(iphone, 5, false));
    /// assert!(!wasm_push::Support::home_screen_would_push(iphone, 5, true), "already there");
    /// ```
    pub fn home_screen_would_push(user_agent: &str, max_touch_points: u32, standalone: bool) -> bool {
        let says = |marker: &[u8]| after(user_agent.as_bytes(), marker).is_some();
        let handheld = says(b"iPhone") || says(b"iPad") || says(b"iPod");
        let ipad_as_mac = says(b"Macintosh") && max_touch_points > 1;
        // An app's web view cannot add to the Home Screen: most do not say `Safari/`, and some
        // that do name their app.
        let in_app = says(b"FBAN") || says(b"Instagram") || says(b"GSA/");
        let browser = says(b"Safari/") && !in_app;
        let recent = apple_version(user_agent.as_bytes()).is_some_and(|version| version >= (16, 4));
        (handheld || ipad_as_mac) && browser && recent && !standalone
    }
}

/// What follows the first `marker` in `text`. A plain scan: core's string searcher would add
/// two kilobytes to every page's wasm.
fn after<'t>(text: &'t [u8], marker: &[u8]) -> Option<&'t [u8]> {
    let at = text.windows(marker.len()).position(|window| window == marker)?;
    text.get(at + marker.len()..)
}

/// The iOS version a user agent says: Safari's own `Version/` first (iOS 26 froze the system's
/// number in the string at 18.6), else the system's (`OS 17_5 like Mac OS X`, which other
/// browsers give). `None` when it says neither in digits.
fn apple_version(user_agent: &[u8]) -> Option<(u32, u32)> {
    let digits = after(user_agent, b"Version/").or_else(|| after(user_agent, b" OS "))?;
    let (major, rest) = number(digits)?;
    // One separator (`.` or `_`), then the minor version, if any.
    let minor = rest.get(1..).and_then(number).map_or(0, |(minor, _)| minor);
    Some((major, minor))
}

/// The number `text` starts with, and what follows it; `None` without a digit, or past `u32`.
fn number(text: &[u8]) -> Option<(u32, &[u8])> {
    let end = text.iter().position(|byte| !byte.is_ascii_digit()).unwrap_or(text.len());
    let (digits, rest) = text.split_at_checked(end)?;
    if digits.is_empty() {
        return None;
    }
    let mut value: u32 = 0;
    for digit in digits {
        value = value.checked_mul(10)?.checked_add(u32::from(digit - b'0'))?;
    }
    Some((value, rest))
}

// Native only: proptest is a host dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const IPHONE_16_4: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.4 Mobile/15E148 Safari/604.1";
    const IPHONE_16_3: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.3 Mobile/15E148 Safari/604.1";
    const IPHONE_26: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Mobile/15E148 Safari/604.1";
    const IPAD_MOBILE_16_4_1: &str = "Mozilla/5.0 (iPad; CPU OS 16_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.4.1 Mobile/15E148 Safari/604.1";
    const IPAD_OR_MAC_17: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15";
    const CHROME_ON_IPHONE_17: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1";
    const CHROME_ON_IPHONE_15: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 15_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/109.0.5414.112 Mobile/15E148 Safari/604.1";
    const GOOGLE_APP: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/322.0.646009393 Mobile/15E148 Safari/604.1";
    const IN_APP_WEB_VIEW: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0]";
    const ANDROID_CHROME: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    const DESKTOP_FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    #[test]
    fn a_recent_iphone_or_ipad_in_a_browser_tab_would_push_from_the_home_screen() {
        for user_agent in [IPHONE_16_4, IPHONE_26, IPAD_MOBILE_16_4_1, CHROME_ON_IPHONE_17] {
            assert!(Support::home_screen_would_push(user_agent, 5, false), "{user_agent}");
        }
        assert!(
            Support::home_screen_would_push(IPAD_OR_MAC_17, 5, false),
            "an iPad's Safari presents itself as a Mac's"
        );
    }

    #[test]
    fn older_systems_macs_other_platforms_web_views_and_the_home_screen_itself_are_plain_answers() {
        for (user_agent, touch_points, standalone) in [
            (IPHONE_16_3, 5, false),
            (CHROME_ON_IPHONE_15, 5, false),
            (IPHONE_16_4, 5, true),
            (IPAD_OR_MAC_17, 0, false),
            (IN_APP_WEB_VIEW, 5, false),
            (GOOGLE_APP, 5, false),
            (ANDROID_CHROME, 5, false),
            (DESKTOP_FIREFOX, 0, false),
            ("", 0, false),
            ("iPhone Safari/ Version/", 5, false),
            ("iPhone Safari/ Version/99999999999999999999.1", 5, false),
            ("iPhone Safari/ Version/16.99999999999999999999", 5, false),
        ] {
            assert!(!Support::home_screen_would_push(user_agent, touch_points, standalone), "{user_agent}");
        }
    }

    #[test]
    fn a_tab_that_needs_the_home_screen_says_so_where_other_missing_pieces_say_unsupported() {
        let tab = Support { secure_context: true, service_worker: true, home_screen: true, ..Support::default() };
        assert_eq!(tab.check(), Err(Error::NeedsHomeScreen));
        assert!(tab.check().unwrap_err().to_string().contains("Add to Home Screen"));
        assert_eq!(Support { secure_context: false, ..tab }.check(), Err(Error::InsecureContext));
        let installed = Support { push_manager: true, notification: true, show_notification: true, ..tab };
        assert_eq!(installed.check(), Ok(()), "a PushManager is the last word");
        assert_eq!(Support { home_screen: false, ..tab }.check(), Err(Error::Unsupported("PushManager")));
    }

    proptest! {
        #[test]
        fn any_user_agent_is_read_without_a_panic(user_agent in ".{0,300}", touch_points: u32, standalone: bool) {
            let answer = Support::home_screen_would_push(&user_agent, touch_points, standalone);
            prop_assert!(!answer || !standalone);
        }
    }
}
