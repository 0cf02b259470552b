//! Serving the worker's files from an axum app (feature `axum`), with the headers a service
//! worker needs.

use axum::http::header::{HeaderName, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use std::path::PathBuf;

/// The files `cargo wasm-push build` makes for the worker, as served.
///
/// ```
/// assert!(wasm_push::server::WORKER_FILES.contains(&"sw.js"));
/// ```
pub const WORKER_FILES: [&str; 4] = ["sw.js", "push.js", "wasm_push_sw_bg.wasm", "module/push.mjs"];

const SERVICE_WORKER_ALLOWED: HeaderName = HeaderName::from_static("service-worker-allowed");

/// Routes serving the worker's files ([`WORKER_FILES`]) from `dir` at the path `at` (`"/"`, or
/// `"/push/"` for a site that imports `push.js` from there), for a worker registered with
/// `scope`. Each answers with:
/// - its content type (`text/javascript`, `application/wasm`: a worker script served as
///   anything else is refused);
/// - `Cache-Control: no-cache`: browsers check the worker script for updates, and the wasm's
///   name does not change between versions, so both are revalidated every time;
/// - `Service-Worker-Allowed` on `sw.js` when `scope` reaches above `at` (a worker served from
///   `/push/` for the scope `/`), which browsers otherwise refuse.
///
/// A file missing from `dir` answers 404.
///
/// ```no_run
/// let app: axum::Router = axum::Router::new()
///     .merge(wasm_push::server::worker_routes("target/dist", "/", "/"));
/// ```
pub fn worker_routes<S: Clone + Send + Sync + 'static>(
    dir: impl Into<PathBuf>,
    at: &str,
    scope: &str,
) -> axum::Router<S> {
    let dir = dir.into();
    WORKER_FILES.iter().fold(axum::Router::new(), |router, file| {
        let path = dir.join(file);
        // A scope with characters a header cannot carry is left out: the browser then refuses the
        // wider scope, as it would without this header.
        let headers: HeaderMap = headers(file, at, scope)
            .into_iter()
            .filter_map(|(name, value)| Some((name, HeaderValue::from_str(&value).ok()?)))
            .collect();
        router.route(
            &[at, file].concat(),
            get(move || async move {
                match tokio::fs::read(&path).await {
                    Ok(bytes) => (headers.clone(), bytes).into_response(),
                    Err(_) => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
    })
}

/// The headers `file`, served at `at`, answers with for a worker of `scope`.
fn headers(file: &str, at: &str, scope: &str) -> Vec<(HeaderName, String)> {
    let content_type = if file.ends_with(".wasm") { "application/wasm" } else { "text/javascript" };
    let mut headers = vec![(CONTENT_TYPE, content_type.to_owned()), (CACHE_CONTROL, "no-cache".to_owned())];
    if file == "sw.js" && !scope.starts_with(at) {
        headers.push((SERVICE_WORKER_ALLOWED, scope.to_owned()));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_wasm_get_their_types_and_are_revalidated_and_a_wider_scope_is_allowed() {
        let names = |headers: Vec<(HeaderName, String)>| {
            headers.into_iter().map(|(name, value)| (name.as_str().to_owned(), value)).collect::<Vec<_>>()
        };
        let pair = |name: &str, value: &str| (name.to_owned(), value.to_owned());
        assert_eq!(
            names(headers("sw.js", "/", "/")),
            [pair("content-type", "text/javascript"), pair("cache-control", "no-cache")]
        );
        assert_eq!(
            names(headers("wasm_push_sw_bg.wasm", "/push/", "/")),
            [pair("content-type", "application/wasm"), pair("cache-control", "no-cache")]
        );
        assert_eq!(
            names(headers("sw.js", "/push/", "/")),
            [
                pair("content-type", "text/javascript"),
                pair("cache-control", "no-cache"),
                pair("service-worker-allowed", "/")
            ]
        );
        assert_eq!(names(headers("sw.js", "/app/", "/app/inbox/")).len(), 2, "a scope below the script needs nothing");
    }
}
