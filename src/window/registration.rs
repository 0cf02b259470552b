//! Service-worker registration and the push subscription behind it.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::js::in_step;
use crate::js::subscription::{current, push_manager, subscribe_options, subscription_key};
use crate::{ApplicationServerKey, Error, Permission, Subscription};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{PushSubscription, ServiceWorkerRegistration};

/// How long `subscribe` may take before it is given up: Chromium without a push service
/// never settles it.
const SUBSCRIBE_TIMEOUT_MS: u32 = 20_000;

/// A service-worker registration: what push subscriptions hang off.
///
/// ```no_run
/// # async fn run() -> Result<(), wasm_push::Error> {
/// let registration = wasm_push::window::Registration::register("/sw.js", "/").await?;
/// let registration = registration.ready().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Registration {
    raw: ServiceWorkerRegistration,
}

impl Registration {
    /// Registers a classic worker script with a scope.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), wasm_push::Error> {
    /// let registration = wasm_push::window::Registration::register("/app/sw.js", "/app/").await?;
    /// # Ok(()) }
    /// ```
    pub async fn register(script_url: &str, scope: &str) -> Result<Self, Error> {
        Self::register_with(script_url, scope, "classic").await
    }

    /// Registers a module worker (`type: "module"`: Chromium, Firefox 147+, Safari).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), wasm_push::Error> {
    /// let registration = wasm_push::window::Registration::register_module("/sw.mjs", "/").await?;
    /// # Ok(()) }
    /// ```
    pub async fn register_module(script_url: &str, scope: &str) -> Result<Self, Error> {
        Self::register_with(script_url, scope, "module").await
    }

    async fn register_with(script_url: &str, scope: &str, kind: &str) -> Result<Self, Error> {
        let container = container()?;
        let options = web_sys::RegistrationOptions::new();
        options.set_scope(scope);
        options.set_type(kind);
        let raw = JsFuture::from(container.register_with_options(script_url, &options)).await?;
        Ok(Self { raw: raw.dyn_into().map_err(Error::from)? })
    }

    /// The registration whose scope covers `client_url` (the page itself with `""`), if any:
    /// one a PWA or Workbox made, for instance.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), wasm_push::Error> {
    /// if let Some(existing) = wasm_push::window::Registration::existing("").await? {
    ///     let subscription = existing.subscription().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn existing(client_url: &str) -> Result<Option<Self>, Error> {
        let raw = JsFuture::from(container()?.get_registration_with_document_url(client_url)).await?;
        Ok(raw.dyn_into().ok().map(|raw| Self { raw }))
    }

    /// Waits until this registration has an active worker (for any scope, unlike
    /// `navigator.serviceWorker.ready`, which only settles for the page's own scope).
    ///
    /// ```no_run
    /// # async fn run(registration: wasm_push::window::Registration) -> Result<(), wasm_push::Error> {
    /// let active = registration.ready().await?;
    /// # Ok(()) }
    /// ```
    pub async fn ready(&self) -> Result<Self, Error> {
        const FAILED: Error = Error::NotReady("the worker failed to install");
        // The worker last waited on: once it is redundant and no other took its place, the
        // registration has no worker because that one failed.
        let mut watched: Option<web_sys::ServiceWorker> = None;
        loop {
            if self.raw.active().is_some() {
                return Ok(self.clone());
            }
            let Some(worker) = self.raw.installing().or_else(|| self.raw.waiting()) else {
                return Err(match watched.map(|w| w.state()) {
                    Some(web_sys::ServiceWorkerState::Redundant) => FAILED,
                    _ => Error::NotReady("the registration has no worker"),
                });
            };
            let (sender, changed) = futures_channel::oneshot::channel::<()>();
            let mut sender = Some(sender);
            let _listener = gloo_events::EventListener::new(&worker, "statechange", move |_| {
                if let Some(sender) = sender.take() {
                    let _ = sender.send(());
                }
            });
            // The state may have moved on before the listener was added.
            if self.raw.active().is_some() {
                continue;
            }
            if worker.state() == web_sys::ServiceWorkerState::Redundant {
                return Err(FAILED);
            }
            let _ = changed.await;
            watched = Some(worker);
        }
    }

    /// Wraps a registration made elsewhere (a PWA's own worker, Workbox, …).
    ///
    /// ```no_run
    /// # fn run(raw: web_sys::ServiceWorkerRegistration) {
    /// let registration = wasm_push::window::Registration::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: ServiceWorkerRegistration) -> Self {
        Self { raw }
    }

    /// The underlying `web_sys` object.
    ///
    /// ```no_run
    /// # fn run(registration: wasm_push::window::Registration) {
    /// let scope: String = registration.as_raw().scope();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &ServiceWorkerRegistration {
        &self.raw
    }

    /// Subscribes to push with the app server's key (`userVisibleOnly: true`, which Chrome
    /// requires), and returns the subscription as `toJSON()` gives it.
    ///
    /// With a subscription for the same key already there, that one is returned. With one
    /// for another key (the app server rotated its VAPID key), it is ended and a new one made.
    ///
    /// ```no_run
    /// # async fn run(registration: wasm_push::window::Registration) -> Result<(), wasm_push::Error> {
    /// let key = wasm_push::ApplicationServerKey::from_base64url("BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U")?;
    /// let subscription = registration.subscribe(&key).await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe(&self, key: &ApplicationServerKey) -> Result<Subscription, Error> {
        crate::js::browser()?;
        let _held = crate::js::lock::hold().await;
        self.subscribe_holding(key).await
    }

    /// [`Registration::subscribe`], with the window side's lock held already (by
    /// `AppServer::sync`, or [`Registration::renew`]'s caller).
    pub(crate) async fn subscribe_holding(&self, key: &ApplicationServerKey) -> Result<Subscription, Error> {
        let subscription = self.subscribe_raw(key).await?;
        // Kept for the worker, which subscribes again with it when a change event carries nothing.
        let _ = in_step::keep_key(&key.to_base64url()).await;
        // The user turned notifications on (again): an earlier opt-out is over.
        let _ = in_step::forget_opt_out().await;
        to_subscription(&subscription)
    }

    /// The subscription for `key`: the existing one when it was made with `key`, else a new one.
    async fn subscribe_raw(&self, key: &ApplicationServerKey) -> Result<PushSubscription, Error> {
        if let Some(existing) = self.raw_subscription().await? {
            if subscription_key(&existing).as_deref() == Some(&key.as_bytes()[..]) {
                return Ok(existing);
            }
            JsFuture::from(existing.unsubscribe().map_err(Error::from)?).await?;
        }
        let promise =
            self.push_manager()?.subscribe_with_options(&subscribe_options(key.as_bytes())).map_err(Error::from)?;
        let raw =
            with_timeout(promise, SUBSCRIBE_TIMEOUT_MS, "PushManager.subscribe").await.map_err(
                |error| match error {
                    Error::Browser { name, .. } if name == "NotAllowedError" => Error::PermissionDenied,
                    other => other,
                },
            )?;
        raw.dyn_into().map_err(Error::from)
    }

    /// Keeps the key of the browser's current subscription, when the kept one is gone (a
    /// site's "delete every cache but the current one" step reaches Cache Storage too): the sign
    /// that the user opted in, which a later repair ([`AppServer::sync`](super::AppServer::sync))
    /// and the worker's `pushsubscriptionchange` subscribe again with.
    pub(crate) async fn keep_current_key(&self) {
        if JsFuture::from(in_step::load_key()).await.is_ok_and(|key| key.is_string()) {
            return;
        }
        let Ok(Some(raw)) = self.raw_subscription().await else { return };
        if let Some(key) = subscription_key(&raw).and_then(|key| ApplicationServerKey::from_bytes(&key).ok()) {
            let _ = JsFuture::from(in_step::keep_key(&key.to_base64url())).await;
        }
    }

    /// Push permission for this registration (`PushManager.permissionState` with
    /// `userVisibleOnly: true`), which can differ from `Notification.permission` in a worker.
    ///
    /// ```no_run
    /// # async fn run(registration: wasm_push::window::Registration) -> Result<(), wasm_push::Error> {
    /// let state = registration.push_permission().await?;
    /// # Ok(()) }
    /// ```
    pub async fn push_permission(&self) -> Result<Permission, Error> {
        let options = web_sys::PushSubscriptionOptionsInit::new();
        options.set_user_visible_only(true);
        let promise = self.push_manager()?.permission_state_with_options(&options).map_err(Error::from)?;
        let state = JsFuture::from(promise).await?;
        Ok(Permission::from_str_lossy(&state.as_string().unwrap_or_default()))
    }

    /// The current subscription, if any.
    ///
    /// ```no_run
    /// # async fn run(registration: wasm_push::window::Registration) -> Result<(), wasm_push::Error> {
    /// if let Some(subscription) = registration.subscription().await? {
    ///     println!("{subscription}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn subscription(&self) -> Result<Option<Subscription>, Error> {
        Ok(match self.raw_subscription().await? {
            Some(raw) => Some(to_subscription(&raw)?),
            None => None,
        })
    }

    /// Subscribes again with the current subscription's key, for a subscription about to expire;
    /// the new one has a new endpoint.
    pub(crate) async fn renew(&self) -> Result<Subscription, Error> {
        let raw = self.raw_subscription().await?.ok_or(Error::NotSubscribed)?;
        let key = subscription_key(&raw).ok_or(Error::MissingKey("the subscription to renew has none"))?;
        let key = ApplicationServerKey::from_bytes(&key)?;
        JsFuture::from(raw.unsubscribe().map_err(Error::from)?).await?;
        self.subscribe_holding(&key).await
    }

    /// Ends the current subscription; `Ok(false)` when there was none.
    ///
    /// ```no_run
    /// # async fn run(registration: wasm_push::window::Registration) -> Result<(), wasm_push::Error> {
    /// registration.unsubscribe().await?;
    /// # Ok(()) }
    /// ```
    pub async fn unsubscribe(&self) -> Result<bool, Error> {
        // A user who turned notifications off is not subscribed again by a change event.
        let _ = in_step::forget_key().await;
        match self.raw_subscription().await? {
            Some(raw) => {
                let done = JsFuture::from(raw.unsubscribe().map_err(Error::from)?).await?;
                Ok(done.as_bool().unwrap_or(false))
            }
            None => Ok(false),
        }
    }

    fn push_manager(&self) -> Result<web_sys::PushManager, Error> {
        // Throws where the browser has service workers but no Push API (Safari before 16).
        push_manager(&self.raw).ok_or(Error::Unsupported("PushManager"))
    }

    async fn raw_subscription(&self) -> Result<Option<PushSubscription>, Error> {
        self.push_manager()?;
        Ok(current(&self.raw).await?.dyn_into().ok())
    }
}

/// `navigator.serviceWorker`, which foreground messages listen on too.
pub(super) fn container() -> Result<web_sys::ServiceWorkerContainer, Error> {
    crate::js::browser()?;
    let container = crate::js::get(&crate::js::get(&js_sys::global(), "navigator"), "serviceWorker");
    if container.is_undefined() {
        return Err(Error::Unsupported("navigator.serviceWorker"));
    }
    Ok(container.unchecked_into())
}

/// [`Subscription::from_raw`] as the window side's `Result`.
fn to_subscription(raw: &PushSubscription) -> Result<Subscription, Error> {
    Subscription::from_raw(raw).ok_or(Error::UnexpectedValue("PushSubscription.toJSON() shape"))
}

/// Races a promise against a timer; the timer is cleared when the promise wins.
async fn with_timeout(promise: js_sys::Promise, ms: u32, what: &'static str) -> Result<wasm_bindgen::JsValue, Error> {
    use futures_util::future::{select, Either};
    let call = JsFuture::from(promise);
    let timer = gloo_timers::future::TimeoutFuture::new(ms);
    match select(call, timer).await {
        Either::Left((result, _timer)) => result.map_err(Error::from),
        Either::Right(((), _call)) => Err(Error::Timeout(what)),
    }
}
