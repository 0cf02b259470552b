//! The tables the crate's own browser suites hold the worker to, beside the native tests that
//! hold the shared rules to them: fixtures, not an API.

pub use crate::shared::{CLICK_TABLE, TABLE_SCOPE};

/// Where a click goes, as the worker decides it (the browser's URL parser under the shared
/// rule): what the browser suites hold to [`CLICK_TABLE`].
///
/// ```no_run
/// let target = wasm_push::testing::fixtures::click_target_in_worker("https://app.example/", Some("/inbox"));
/// assert_eq!(target, "https://app.example/inbox");
/// ```
pub fn click_target_in_worker(scope: &str, requested: Option<&str>) -> String {
    crate::worker::click_target_in_worker(scope, requested)
}
