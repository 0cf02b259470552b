//! Keeping the app server told: send a subscription, take it back.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::Registration;
use crate::js::in_step::{self as store, send};
use crate::js::{fetch, get, lock, Js};
use crate::shared::{next_step, Step, SyncRecord};
use crate::{ApplicationServerKey, Error, Permission, Subscription};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where subscriptions go: `POST` JSON to save, `DELETE` (or another method) to remove, with
/// same-origin credentials and a CSRF token header.
///
/// The token comes from `<meta name="csrf-token" content="…">` unless given with
/// [`AppServer::csrf_token`].
///
/// ```no_run
/// # async fn run(subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
/// let server = wasm_push::window::AppServer::new("/api/push/subscription");
/// server.save(&subscription).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct AppServer {
    save_url: String,
    remove_url: String,
    remove_method: String,
    csrf_header: String,
    csrf_token: Option<String>,
}

impl AppServer {
    /// Saves with `POST url` and removes with `DELETE url`; CSRF token from the page's meta tag
    /// in the `X-CSRF-Token` header.
    ///
    /// ```no_run
    /// let server = wasm_push::window::AppServer::new("/api/push/subscription");
    /// ```
    pub fn new(url: impl Into<String>) -> Self {
        let url = url.into();
        Self {
            remove_url: url.clone(),
            save_url: url,
            remove_method: "DELETE".into(),
            csrf_header: "X-CSRF-Token".into(),
            csrf_token: None,
        }
    }

    /// Removes with another method and URL (for servers that take `POST /unsubscribe`).
    ///
    /// ```no_run
    /// let server = wasm_push::window::AppServer::new("/subscribe").remove_with("POST", "/unsubscribe");
    /// ```
    pub fn remove_with(mut self, method: impl Into<String>, url: impl Into<String>) -> Self {
        self.remove_method = method.into();
        self.remove_url = url.into();
        self
    }

    /// Uses this token instead of the page's `<meta name="csrf-token">`.
    ///
    /// ```no_run
    /// let server = wasm_push::window::AppServer::new("/api/push").csrf_token("3f9a…");
    /// ```
    pub fn csrf_token(mut self, token: impl Into<String>) -> Self {
        self.csrf_token = Some(token.into());
        self
    }

    /// Sends the token in another header than `X-CSRF-Token`.
    ///
    /// ```no_run
    /// let server = wasm_push::window::AppServer::new("/api/push").csrf_header("X-XSRF-TOKEN");
    /// ```
    pub fn csrf_header(mut self, name: impl Into<String>) -> Self {
        self.csrf_header = name.into();
        self
    }

    /// Sends the subscription (its `toJSON()` form) to the app server, with `oldEndpoint` when
    /// the server still holds an endpoint this browser had before, and keeps what the server
    /// was told (acknowledged or not) for [`AppServer::sync`] and the worker.
    ///
    /// ```no_run
    /// # async fn run(server: wasm_push::window::AppServer, subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
    /// server.save(&subscription).await?;
    /// # Ok(()) }
    /// ```
    pub async fn save(&self, subscription: &Subscription) -> Result<(), Error> {
        crate::js::browser()?;
        let _held = lock::hold().await;
        let record = kept().await;
        // The server still holds an endpoint this browser had before: drop it with this save.
        let old_endpoint =
            record.as_ref().and_then(SyncRecord::server_endpoint).filter(|e| *e != subscription.endpoint);
        let old_endpoint = old_endpoint.map(str::to_owned);
        self.post(record, old_endpoint.as_deref(), subscription).await
    }

    /// Tells the app server to forget the subscription. A 404 or 410 (the server never had it,
    /// or has forgotten it) is success too. The removal is kept in the browser as an opt-out
    /// that the next [`AppServer::sync`] (a page load) finishes: it tells the server again if it
    /// was down, and ends the browser's subscription when it is this one, so the server and the
    /// browser agree that the user is off. [`Registration::subscribe`] ends the opt-out.
    ///
    /// ```no_run
    /// # async fn run(server: wasm_push::window::AppServer, subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
    /// server.remove(&subscription).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove(&self, subscription: &Subscription) -> Result<(), Error> {
        crate::js::browser()?;
        let _held = lock::hold().await;
        let _ = JsFuture::from(store::keep_opt_out(subscription, false)).await;
        self.tell_removal(subscription).await?;
        // The server took it: what remains is the browser's part, for the next page load.
        let _ = JsFuture::from(store::keep_opt_out(subscription, true)).await;
        let _ = JsFuture::from(store::forget_sent()).await;
        Ok(())
    }

    /// Asks the server to forget `subscription`: `Ok` once it did, or said it never had it.
    async fn tell_removal(&self, subscription: &Subscription) -> Result<(), Error> {
        let body = js_sys::JSON::stringify(&subscription.to_js())?;
        let token = self.token();
        match taken(fetch(&self.remove_url, &self.remove_method, &body, self.csrf(&token)).await).await {
            Ok(()) | Err(Error::Server { status: 404 | 410, .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// Turns notifications off for good, whatever fails on the way: the opt-out is kept in the
    /// browser first, then the browser unsubscribes, then the app server is told
    /// ([`AppServer::remove`]). When a step fails, the error comes back and the next
    /// [`AppServer::sync`] (every page load) finishes the rest; nothing subscribes the user again
    /// until [`Registration::subscribe`] is called.
    ///
    /// ```no_run
    /// # async fn run(registration: wasm_push::window::Registration) -> Result<(), wasm_push::Error> {
    /// wasm_push::window::AppServer::new("/api/push/subscription").unsubscribe(&registration).await?;
    /// # Ok(()) }
    /// ```
    pub async fn unsubscribe(&self, registration: &Registration) -> Result<(), Error> {
        crate::js::browser()?;
        let _held = lock::hold().await;
        // The browser's subscription; else one an earlier opt-out left, or the one the server
        // took last (the browser lost it): the server must forget it all the same.
        let subscription = match registration.subscription().await? {
            Some(subscription) => Some(subscription),
            None => match opt_out().await {
                Some((gone, _)) => Some(gone),
                None => kept().await.filter(|record| record.acknowledged).map(|record| record.subscription),
            },
        };
        let Some(subscription) = subscription else { return Ok(()) };
        let _ = JsFuture::from(store::keep_opt_out(&subscription, false)).await;
        registration.unsubscribe().await?;
        self.tell_removal(&subscription).await?;
        let _ = JsFuture::from(store::forget()).await;
        Ok(())
    }

    /// Sends a subscription that replaces another: the `toJSON()` form plus `oldEndpoint` (left
    /// out when `None`), so a server that knows the field drops the old row and one that does
    /// not still stores the new.
    ///
    /// ```no_run
    /// # async fn run(server: wasm_push::window::AppServer, subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
    /// server.replace(Some("https://push.example/old"), &subscription).await?;
    /// # Ok(()) }
    /// ```
    pub async fn replace(&self, old_endpoint: Option<&str>, subscription: &Subscription) -> Result<(), Error> {
        crate::js::browser()?;
        let _held = lock::hold().await;
        self.post(kept().await, old_endpoint, subscription).await
    }

    /// Brings the app server in step with the browser, as a page should on every load: sends the
    /// current subscription when the server never acknowledged it (an earlier save failed, or it
    /// changed while no page was open), dropping the endpoint the server held before; and renews
    /// a subscription once half its `expirationTime` lifetime is gone. What the server was told
    /// is kept in the browser (Cache Storage), where the worker reads it too.
    ///
    /// ```no_run
    /// # async fn run(registration: wasm_push::window::Registration) -> Result<(), wasm_push::Error> {
    /// let server = wasm_push::window::AppServer::new("/api/push/subscription");
    /// let synced = server.sync(&registration).await?;
    /// # Ok(()) }
    /// ```
    pub async fn sync(&self, registration: &Registration) -> Result<Synced, Error> {
        crate::js::browser()?;
        // Held throughout: a subscribe the user clicks meanwhile comes after, and stands.
        let _held = lock::hold().await;
        // The user turned notifications off and part of it is left: finish it. A subscription
        // the browser has now is not the user's choice either (subscribing ends the opt-out):
        // one the worker made on a `pushsubscriptionchange` meanwhile ends too, on both sides.
        if let Some((gone, told)) = opt_out().await {
            if let Some(current) = registration.subscription().await? {
                registration.unsubscribe().await?;
                if current.endpoint != gone.endpoint {
                    self.tell_removal(&current).await?;
                }
            }
            if !told {
                self.tell_removal(&gone).await?;
            }
            let _ = JsFuture::from(store::forget()).await;
            return Ok(Synced::TurnedOff);
        }
        let record = kept().await;
        let Some(current) = registration.subscription().await? else {
            // The user opted in (the key is kept, permission granted) but the browser has no
            // subscription: a resubscribe failed after the old one ended (offline, the push
            // service down). Subscribe again and tell the server, dropping what it holds.
            let key = JsFuture::from(store::load_key()).await.ok().and_then(|key| key.as_string());
            let key = key.and_then(|key| ApplicationServerKey::from_base64url(&key).ok());
            let (Some(key), Ok(Permission::Granted)) = (key, super::permission()) else {
                return Ok(Synced::NotSubscribed);
            };
            let again = registration.subscribe_holding(&key).await?;
            let old_endpoint = record.as_ref().and_then(SyncRecord::server_endpoint).map(str::to_owned);
            self.post(record, old_endpoint.as_deref(), &again).await?;
            return Ok(Synced::Resubscribed(again));
        };
        // The site's caches may have been cleared (the record and the key with them): the
        // record's loss sends the subscription again (the server keeps one row per endpoint);
        // the key is kept again from the subscription itself.
        registration.keep_current_key().await;
        match next_step(&current, record.as_ref(), store::now()) {
            Step::UpToDate => Ok(Synced::UpToDate),
            Step::Send { old_endpoint } => {
                self.post(record, old_endpoint.as_deref(), &current).await?;
                Ok(Synced::Sent)
            }
            Step::Renew => {
                let renewed = registration.renew().await?;
                self.post(record, Some(&current.endpoint), &renewed).await?;
                Ok(Synced::Renewed(renewed))
            }
        }
    }

    /// Sends the subscription, replacing `old_endpoint`, in the one way window and worker share
    /// (`js/in_step.rs`), which keeps what the server was told beside the `record` it had before.
    async fn post(
        &self,
        record: Option<SyncRecord>,
        old_endpoint: Option<&str>,
        subscription: &Subscription,
    ) -> Result<(), Error> {
        let token = self.token();
        taken(send(&self.save_url, subscription, old_endpoint, record, self.csrf(&token)).await).await
    }

    /// The CSRF token: the one given, else the page's `<meta name="csrf-token">`.
    fn token(&self) -> Option<String> {
        self.csrf_token.clone().or_else(meta_csrf_token)
    }

    /// The CSRF header to send, when there is a token.
    fn csrf<'a>(&'a self, token: &'a Option<String>) -> Option<(&'a str, &'a str)> {
        token.as_deref().map(|token| (self.csrf_header.as_str(), token))
    }
}

/// What [`AppServer::sync`] did.
///
/// ```no_run
/// # async fn run(server: wasm_push::window::AppServer, registration: wasm_push::window::Registration) -> Result<(), wasm_push::Error> {
/// if let wasm_push::window::Synced::Renewed(subscription) = server.sync(&registration).await? {
///     println!("renewed: {subscription}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Synced {
    /// The browser has no subscription.
    NotSubscribed,
    /// The server already had the current subscription.
    UpToDate,
    /// The current subscription was sent (it had changed, or never reached the server).
    Sent,
    /// The subscription was close to expiring; this new one replaced it, on the server too.
    Renewed(Subscription),
    /// The browser had lost the subscription of a user who opted in (a resubscribe that
    /// failed): this new one replaced it, on the server too.
    Resubscribed(Subscription),
    /// The user had turned notifications off and a step of it had failed: it is finished now
    /// (the browser unsubscribed, the app server told).
    TurnedOff,
}

/// What the sync record says the app server was last told, if anything.
async fn kept() -> Option<SyncRecord> {
    store::stored(&store::load().await.ok()?)
}

/// The subscription the user turned off and whose removal is not finished, and whether the
/// app server was told already.
async fn opt_out() -> Option<(Subscription, bool)> {
    let json = JsFuture::from(store::load_opt_out()).await.ok()?;
    Some((Subscription::from_js(&json)?, get(&json, "told").as_bool() == Some(true)))
}

/// Whether the app server took what was sent (a fetch's outcome), as the window side's `Result`: a non-2xx response
/// is [`Error::Server`] (with the error the body names, read by the one reader of such
/// answers), a redirect [`Error::Redirected`], no answer at all [`Error::Network`].
async fn taken(response: Result<JsValue, JsValue>) -> Result<(), Error> {
    let response: web_sys::Response = match response {
        Ok(response) => response.unchecked_into(),
        // fetch rejects only when no answer came back at all.
        Err(err) => return Err(Error::Network(Error::from(err).message())),
    };
    if response.ok() {
        return Ok(());
    }
    // `redirect: "manual"` (js/fetch.rs): a redirect's answer is opaque, with status 0.
    if response.status() == 0 {
        return Err(Error::Redirected);
    }
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    };
    let parsed = text.and_then(|text| js_sys::JSON::parse(&text).ok()).map(Js);
    Err(Error::from_server_json(response.status(), parsed))
}

fn meta_csrf_token() -> Option<String> {
    crate::js::browser().ok()?;
    let document: web_sys::Document = get(&js_sys::global(), "document").dyn_into().ok()?;
    let meta = document.query_selector("meta[name=\"csrf-token\"]").ok()??;
    meta.get_attribute("content").filter(|token| !token.is_empty())
}
