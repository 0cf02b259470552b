//! Same-origin URL decisions, in plain Rust so they are table-tested natively: where a click
//! may go, and where the worker may send a subscription.
//!
//! The decisions take the URL reading as a [`SameOrigin`] function: natively (an app server's
//! declarative messages, the native tests) the parser in this file; in the worker the browser's
//! own `URL` (`js/url.rs`), which costs the worker a few imports instead of this parser (2.4 KB
//! gzip). Both are held to [`CLICK_TABLE`]: this one natively, the browser's in the browser suites.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::error::decimal;

/// Where a click on a notification goes: the requested URL when it resolves to the worker's
/// own origin (http or https), else the scope itself. `javascript:`, `data:`, other origins,
/// credentials in the URL, and anything unparsable all fall back to the scope.
///
/// ```
/// use wasm_push::click_target;
/// let scope = "https://app.example/inbox/";
/// assert_eq!(click_target(scope, Some("/orders/1")), "https://app.example/orders/1");
/// assert_eq!(click_target(scope, Some("msg/7")), "https://app.example/inbox/msg/7");
/// assert_eq!(click_target(scope, Some("https://evil.example/")), scope);
/// assert_eq!(click_target(scope, Some("javascript:alert(1)")), scope);
/// assert_eq!(click_target(scope, None), scope);
/// ```
pub fn click_target(scope: &str, requested: Option<&str>) -> String {
    click_target_by(same_origin_url, scope, requested)
}

/// `url` resolved against `base` when it stays on `base`'s http(s) origin (without credentials),
/// `None` otherwise: [`same_origin_url`], or the browser's reading of the same rule.
pub(crate) type SameOrigin = fn(base: &str, url: &str) -> Option<String>;

/// [`click_target`] with the URLs read by `resolve`.
pub(crate) fn click_target_by(resolve: SameOrigin, scope: &str, requested: Option<&str>) -> String {
    requested.and_then(|url| resolve(scope, url)).unwrap_or_else(|| scope.to_owned())
}

/// `url` resolved against `base`, when it stays on `base`'s origin; `None` otherwise.
///
/// ```
/// use wasm_push::same_origin_url;
/// assert_eq!(same_origin_url("https://a.example/x/", "y").as_deref(), Some("https://a.example/x/y"));
/// assert_eq!(same_origin_url("https://a.example/", "//b.example/"), None);
/// ```
pub fn same_origin_url(base: &str, url: &str) -> Option<String> {
    let base = Parsed::absolute(base)?;
    // What the URL parser ignores or rewrites, done first, so "java\tscript:" or "/\evil"
    // are judged as a browser would read them.
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .map(|c| if c == '\\' { '/' } else { c })
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    // A URL with the base's own scheme and no authority ("https:page") is relative to the base,
    // as the URL standard reads it for http(s).
    let relative = match scheme(&cleaned) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case(&base.scheme) && !rest.starts_with("//") => Some(rest),
        Some(_) => None,
        None => Some(cleaned.as_str()),
    };
    let resolved = match relative {
        _ if cleaned.starts_with("//") => Parsed::absolute(&[base.scheme.as_str(), ":", &cleaned].concat())?,
        None => Parsed::absolute(&cleaned)?,
        Some(path) if path.starts_with('/') => Parsed { path_and_rest: path.to_owned(), ..base.clone() },
        Some(rest) if rest.starts_with('?') || rest.starts_with('#') => {
            let path = base.path_and_rest.split(['?', '#']).next().unwrap_or("/");
            Parsed { path_and_rest: [path, rest].concat(), ..base.clone() }
        }
        Some(relative) => {
            let path = base.path_and_rest.split(['?', '#']).next().unwrap_or("/");
            let directory = path.rsplit_once('/').map_or(String::new(), |(directory, _)| [directory, "/"].concat());
            Parsed { path_and_rest: [directory.as_str(), relative].concat(), ..base.clone() }
        }
    };
    (resolved.scheme == base.scheme && resolved.host == base.host && resolved.port == base.port)
        .then(|| resolved.href())
}

/// The scheme of a URL that has one, and what follows its colon.
#[allow(clippy::disallowed_methods)] // char patterns: no two-way searcher
fn scheme(url: &str) -> Option<(&str, &str)> {
    // No slicing by index, here or in the other string cuts on the worker's paths: a slice that
    // could panic brings its panic message, and with it core's Unicode tables, into the worker.
    let (scheme, rest) = url.split_once(':')?;
    let delimited = url.find(['/', '?', '#']).is_some_and(|delimiter| delimiter < scheme.len());
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (!delimited && valid).then_some((scheme, rest))
}

#[derive(Clone)]
struct Parsed {
    scheme: String,
    host: String,
    port: u16,
    /// From the first `/` (or `?`, `#`) after the authority; at least `/`.
    path_and_rest: String,
}

impl Parsed {
    /// An absolute http(s) URL with a plain host; anything else is `None`.
    #[allow(clippy::disallowed_methods)] // char patterns: no two-way searcher
    fn absolute(url: &str) -> Option<Parsed> {
        let (scheme, rest) = url.split_once(':')?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let rest = rest.strip_prefix("//")?;
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at_checked(authority_end)?;
        if authority.contains('@') || authority.contains('%') {
            return None;
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
                let port = if port.is_empty() { default_port } else { port.parse().ok()? };
                (host, port)
            }
            _ => (authority, default_port),
        };
        if host.is_empty() {
            return None;
        }
        let path_and_rest = if path.starts_with('/') { path.to_owned() } else { ["/", path].concat() };
        Some(Parsed { scheme, host: host.to_ascii_lowercase(), port, path_and_rest })
    }

    fn default_port(&self) -> bool {
        (self.scheme == "http" && self.port == 80) || (self.scheme == "https" && self.port == 443)
    }
}

impl Parsed {
    /// The URL as text, built without `core::fmt` (this runs in the worker on every click).
    fn href(&self) -> String {
        let mut out = [self.scheme.as_str(), "://", &self.host].concat();
        if !self.default_port() {
            out.push(':');
            out.push_str(&decimal(u64::from(self.port)));
        }
        out.push_str(&self.path_and_rest);
        out
    }
}

/// Click-URL cases shared by the native test and the in-browser cross-check against the
/// browser's own URL parser: (requested, expected target) under [`TABLE_SCOPE`]. The browser
/// suites reach it as `wasm_push::testing::fixtures::CLICK_TABLE`.
#[allow(dead_code)] // a build with neither this file's tests nor the test kit has no use for it
pub const CLICK_TABLE: &[(&str, &str)] = &[
    ("/orders/1", "https://app.example:8443/orders/1"),
    ("msg/7?x=1#top", "https://app.example:8443/inbox/msg/7?x=1#top"),
    ("?page=2", "https://app.example:8443/inbox/?page=2"),
    ("#frag", "https://app.example:8443/inbox/#frag"),
    ("https://app.example:8443/ok", "https://app.example:8443/ok"),
    ("HTTPS://APP.EXAMPLE:8443/case", "https://app.example:8443/case"),
    ("//app.example:8443/same", "https://app.example:8443/same"),
    ("  /trimmed  ", "https://app.example:8443/trimmed"),
    ("", TABLE_SCOPE),
    ("https://evil.example/", TABLE_SCOPE),
    ("https://app.example/other-port", TABLE_SCOPE),
    ("http://app.example:8443/other-scheme", TABLE_SCOPE),
    ("//evil.example/x", TABLE_SCOPE),
    ("/\\evil.example/x", TABLE_SCOPE),
    ("\\\\evil.example/x", TABLE_SCOPE),
    ("javascript:alert(1)", TABLE_SCOPE),
    ("JaVaScRiPt:alert(1)", TABLE_SCOPE),
    ("java\tscript:alert(1)", TABLE_SCOPE),
    (" javascript:alert(1)", TABLE_SCOPE),
    ("data:text/html,<script>alert(1)</script>", TABLE_SCOPE),
    ("blob:https://app.example:8443/uuid", TABLE_SCOPE),
    ("https://user:pass@app.example:8443/", TABLE_SCOPE),
    ("https://app.example:8443@evil.example/", TABLE_SCOPE),
    ("https://evil.example#@app.example:8443/", TABLE_SCOPE),
    ("mailto:someone@app.example", TABLE_SCOPE),
    // The base's own scheme without "//" is a path relative to the base, as browsers read it.
    ("https:evil.example", "https://app.example:8443/inbox/evil.example"),
    ("HTTPS:/root", "https://app.example:8443/root"),
    ("http:other-scheme", TABLE_SCOPE),
];

/// The scope [`CLICK_TABLE`] is read under.
#[allow(dead_code)] // as CLICK_TABLE
pub const TABLE_SCOPE: &str = "https://app.example:8443/inbox/";

#[cfg(test)]
#[allow(clippy::disallowed_macros, clippy::disallowed_methods)] // tests are not shipped
mod tests {
    use super::*;

    #[test]
    fn click_url_decision_table() {
        for (requested, expected) in CLICK_TABLE {
            assert_eq!(click_target(TABLE_SCOPE, Some(requested)), *expected, "{requested:?}");
        }
    }

    #[test]
    fn default_ports_are_the_same_origin_written_or_not() {
        let scope = "https://app.example/";
        assert_eq!(click_target(scope, Some("https://app.example:443/a")), "https://app.example/a");
        let local = "http://127.0.0.1:8080/";
        assert_eq!(click_target(local, Some("http://127.0.0.1:8080/x")), "http://127.0.0.1:8080/x");
        assert_eq!(click_target(local, Some("http://127.0.0.1:8081/x")), local);
    }

    #[test]
    fn a_bad_scope_never_yields_a_target_other_than_itself() {
        assert_eq!(click_target("not a url", Some("/x")), "not a url");
    }
}
