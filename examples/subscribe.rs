//! The whole window-side flow: check support, register the worker, ask permission (call this
//! from a click), subscribe with the app server's key, and hand the subscription to the server.
//! Built for wasm32 by `cargo xtask test`, so this example always compiles.

#[cfg(target_arch = "wasm32")]
pub async fn turn_on_notifications() -> Result<Option<wasm_push::Subscription>, wasm_push::Error> {
    use wasm_push::window::{request_permission, AppServer, Registration};
    use wasm_push::{ApplicationServerKey, Permission, Support};

    Support::detect().check()?; // Error::Unsupported / Error::InsecureContext
    let key = ApplicationServerKey::from_base64url(
        "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U",
    )?; // Error::InvalidKey, before the browser sees it
    let registration = Registration::register("/sw.js", "/").await?.ready().await?;
    // A denial is Error::PermissionDenied; a dismissed prompt is not an error: ask again later.
    if request_permission().await? != Permission::Granted {
        return Ok(None);
    }
    let subscription = registration.subscribe(&key).await?;
    // POSTs the toJSON() form with the <meta name="csrf-token"> token; Error::Server on non-2xx.
    AppServer::new("/api/push/subscription").save(&subscription).await?;
    Ok(Some(subscription))
}

fn main() {}
