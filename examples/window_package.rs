//! What a typical app ships of the window side, as one wasm module: detect support, register
//! the worker, ask permission, subscribe, tell the server. `cargo xtask dist` builds it as
//! `wasm_push_window*` so its size is measured and reported beside the worker's.

#[cfg(target_arch = "wasm32")]
mod window {
    use wasm_bindgen::prelude::*;
    use wasm_push::window::{request_permission, AppServer, Registration};
    use wasm_push::{ApplicationServerKey, Permission, Support};

    /// Turns notifications on; resolves to the subscription's JSON, or `null` when the prompt
    /// was dismissed.
    #[wasm_bindgen]
    pub async fn enable_push(worker_url: String, key: String, server_url: String) -> Result<JsValue, JsValue> {
        Support::detect().check()?;
        let key = ApplicationServerKey::from_base64url(&key)?;
        let registration = Registration::register(&worker_url, "/").await?.ready().await?;
        if request_permission().await? != Permission::Granted {
            return Ok(JsValue::NULL);
        }
        let subscription = registration.subscribe(&key).await?;
        AppServer::new(server_url).save(&subscription).await?;
        Ok(subscription.to_js().into())
    }

    /// Turns notifications off.
    #[wasm_bindgen]
    pub async fn disable_push(server_url: String) -> Result<(), JsValue> {
        if let Some(registration) = Registration::existing("").await? {
            if let Some(subscription) = registration.subscription().await? {
                AppServer::new(server_url).remove(&subscription).await?;
            }
            registration.unsubscribe().await?;
        }
        Ok(())
    }
}
