//! Keeping the app server told: send a subscription, take it back.

use crate::sync::{next_step, store, Step, SyncRecord};
use crate::{Error, Registration, Subscription};
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
/// let server = wasm_push::AppServer::new("/api/push/subscription");
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
    /// let server = wasm_push::AppServer::new("/api/push/subscription");
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
    /// let server = wasm_push::AppServer::new("/subscribe").remove_with("POST", "/unsubscribe");
    /// ```
    pub fn remove_with(mut self, method: impl Into<String>, url: impl Into<String>) -> Self {
        self.remove_method = method.into();
        self.remove_url = url.into();
        self
    }

    /// Uses this token instead of the page's `<meta name="csrf-token">`.
    ///
    /// ```no_run
    /// let server = wasm_push::AppServer::new("/api/push").csrf_token("3f9a…");
    /// ```
    pub fn csrf_token(mut self, token: impl Into<String>) -> Self {
        self.csrf_token = Some(token.into());
        self
    }

    /// Sends the token in another header than `X-CSRF-Token`.
    ///
    /// ```no_run
    /// let server = wasm_push::AppServer::new("/api/push").csrf_header("X-XSRF-TOKEN");
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
    /// # async fn run(server: wasm_push::AppServer, subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
    /// server.save(&subscription).await?;
    /// # Ok(()) }
    /// ```
    pub async fn save(&self, subscription: &Subscription) -> Result<(), Error> {
        let record = store::load().await;
        // The server still holds an endpoint this browser had before: drop it with this save.
        let old_endpoint = record.as_ref().and_then(SyncRecord::server_endpoint).filter(|e| *e != subscription.endpoint);
        let old_endpoint = old_endpoint.map(str::to_owned);
        self.post(record, old_endpoint.as_deref(), subscription).await
    }

    /// Tells the app server to forget the subscription.
    ///
    /// ```no_run
    /// # async fn run(server: wasm_push::AppServer, subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
    /// server.remove(&subscription).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove(&self, subscription: &Subscription) -> Result<(), Error> {
        self.fetch(&self.remove_method, &self.remove_url, &subscription.to_js()).await?;
        store::forget().await;
        Ok(())
    }

    /// Sends a subscription that replaces another: the `toJSON()` form plus `oldEndpoint` (left
    /// out when `None`), so a server that knows the field drops the old row and one that does
    /// not still stores the new.
    ///
    /// ```no_run
    /// # async fn run(server: wasm_push::AppServer, subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
    /// server.replace(Some("https://push.example/old"), &subscription).await?;
    /// # Ok(()) }
    /// ```
    pub async fn replace(&self, old_endpoint: Option<&str>, subscription: &Subscription) -> Result<(), Error> {
        self.post(store::load().await, old_endpoint, subscription).await
    }

    /// Brings the app server in step with the browser, as a page should on every load: sends the
    /// current subscription when the server never acknowledged it (an earlier save failed, or it
    /// changed while no page was open), dropping the endpoint the server held before; and renews
    /// a subscription once half its `expirationTime` lifetime is gone. What the server was told
    /// is kept in the browser (Cache Storage), where the worker reads it too.
    ///
    /// ```no_run
    /// # async fn run(registration: wasm_push::Registration) -> Result<(), wasm_push::Error> {
    /// let server = wasm_push::AppServer::new("/api/push/subscription");
    /// let synced = server.sync(&registration).await?;
    /// # Ok(()) }
    /// ```
    pub async fn sync(&self, registration: &Registration) -> Result<Synced, Error> {
        let Some(current) = registration.subscription().await? else {
            return Ok(Synced::NotSubscribed);
        };
        let record = store::load().await;
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

    /// POSTs the subscription (with `oldEndpoint` when there is one) and keeps what the server
    /// was told, acknowledged or not, beside the `record` it had before.
    async fn post(&self, record: Option<SyncRecord>, old_endpoint: Option<&str>, subscription: &Subscription) -> Result<(), Error> {
        let body = subscription.to_js();
        if let Some(old_endpoint) = old_endpoint {
            js_sys::Reflect::set(&body, &"oldEndpoint".into(), &old_endpoint.into()).map_err(Error::from)?;
        }
        let sent = self.fetch("POST", &self.save_url, &body).await;
        store::keep(&SyncRecord::after_send(record.as_ref(), subscription, sent.is_ok(), store::now())).await;
        sent
    }

    async fn fetch(&self, method: &str, url: &str, body: &js_sys::Object) -> Result<(), Error> {
        let body = js_sys::JSON::stringify(body).map_err(Error::from)?;
        let token = self.csrf_token.clone().or_else(meta_csrf_token);
        let csrf = token.as_deref().map(|token| (self.csrf_header.as_str(), token));
        fetch_json(method, url, &body, csrf).await
    }
}

/// What [`AppServer::sync`] did.
///
/// ```no_run
/// # async fn run(server: wasm_push::AppServer, registration: wasm_push::Registration) -> Result<(), wasm_push::Error> {
/// if let wasm_push::Synced::Renewed(subscription) = server.sync(&registration).await? {
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
}

/// Sends JSON with same-origin credentials from a window or a worker; a non-2xx answer is
/// [`Error::Server`], no answer at all [`Error::Network`].
pub(crate) async fn fetch_json(method: &str, url: &str, body: &JsValue, header: Option<(&str, &str)>) -> Result<(), Error> {
    let response = match fetch(url, method, body, header).await {
        Ok(response) => response,
        // fetch rejects only when no answer came back at all.
        Err(err) => return Err(Error::Network(Error::from(err).to_string())),
    };
    if response.ok() {
        return Ok(());
    }
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    };
    Err(server_error(response.status(), text.as_deref().unwrap_or("")))
}

/// [`Error::from_server_answer`] with the browser's `JSON.parse`, keeping serde_json out of the
/// window-side wasm.
fn server_error(status: u16, body: &str) -> Error {
    let error = js_sys::JSON::parse(body).map_or(JsValue::UNDEFINED, |answer| crate::js::get(&answer, "error"));
    let field = |name: &str| crate::js::get(&error, name).as_string();
    Error::Server { status, id: field("id"), message: field("message") }
}

/// `fetch` with a JSON body and same-origin credentials, from a window or a worker; rejects
/// only when no answer came back. The worker calls this directly, without [`Error`].
pub(crate) async fn fetch(
    url: &str,
    method: &str,
    body: &JsValue,
    header: Option<(&str, &str)>,
) -> Result<web_sys::Response, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    init.set_body(body);
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    if let Some((name, value)) = header {
        headers.set(name, value)?;
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    // `fetch` lives on Window and on WorkerGlobalScope: call whichever this global is.
    let global = js_sys::global();
    let fetch: js_sys::Function = js_sys::Reflect::get(&global, &JsValue::from_str("fetch"))?.dyn_into()?;
    let promise: js_sys::Promise = fetch.call1(&global, &request)?.unchecked_into();
    Ok(JsFuture::from(promise).await?.unchecked_into())
}

fn meta_csrf_token() -> Option<String> {
    let document = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("document")).ok()?;
    let document: web_sys::Document = document.dyn_into().ok()?;
    let meta = document.query_selector("meta[name=\"csrf-token\"]").ok()??;
    meta.get_attribute("content").filter(|token| !token.is_empty())
}
