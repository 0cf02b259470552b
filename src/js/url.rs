//! The browser's own URL parser under the shared same-origin rule (`shared/url.rs`): what the
//! worker decides clicks and server URLs with, so it carries no URL parser of its own.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use web_sys::Url;

/// `url` resolved against `base` by the browser, when it stays on `base`'s http(s) origin and
/// carries no credentials; `None` otherwise, and for a blank `url` (which the browser would read
/// as `base` itself). A `shared::SameOrigin`.
pub(crate) fn same_origin_url(base: &str, url: &str) -> Option<String> {
    // The characters the URL parser strips from the ends: nothing left means nothing asked for.
    if url.chars().all(|c| c <= ' ') {
        return None;
    }
    let base = Url::new(base).ok()?;
    let resolved = Url::new_with_base(url, &base.href()).ok()?;
    let protocol = resolved.protocol();
    // `host` has the port, without the scheme's default; a `blob:` URL's `origin` would be its
    // inner URL's, so the scheme is compared rather than the origin.
    let same = protocol == base.protocol() && resolved.host() == base.host();
    let plain = matches!(protocol.as_str(), "http:" | "https:")
        && resolved.username().is_empty()
        && resolved.password().is_empty();
    (same && plain).then(|| resolved.href())
}
