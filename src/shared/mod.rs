//! What the window side, the worker and an app server share, compiled for every target: the
//! payload and how a push's bytes become one, the subscription, the application server key,
//! the error, permission and support as values, the sync decision and the same-origin rules.
//! Plain Rust, tested natively; nothing here touches a browser.

mod declarative;
// The proposal reader runs in the worker only; natively it is here to be tested.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod decode;
mod error;
// The field writer, the worker's key reading and the sync decision run in the browser only;
// natively they are here to be tested.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod fields;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod in_step;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod key;
mod payload;
mod permission;
mod subscription;
mod support;
mod url;

pub use decode::decode_push;
pub use error::Error;
#[cfg(feature = "server")]
pub use error::Unreachable;
pub use key::ApplicationServerKey;
pub use payload::{
    Action, ContentAt, Direction, Fallback, NotificationPayload, MAX_ACTIONS, MAX_BODY_CHARS, MAX_TITLE_CHARS,
    MAX_VIBRATE_ENTRIES, MAX_VIBRATE_MS,
};
pub use permission::Permission;
pub use subscription::{Subscription, SubscriptionKeys};
pub use support::Support;
pub(crate) use url::SameOrigin;
pub use url::{click_target, same_origin_url};
// For the test kit's fixtures (the browser suites).
#[cfg(all(target_arch = "wasm32", feature = "testing"))]
pub use url::{CLICK_TABLE, TABLE_SCOPE};

#[allow(unused_imports)] // The worker's half is wasm32 only.
pub(crate) use {
    decode::{decode_proposal, decode_with},
    fields::{read_fields, write_fields, JsonBuild, JsonView},
    in_step::{next_step, Step, SyncRecord},
    key::decode_base64,
    url::click_target_by,
};
