//! The `use_push` hooks, one file per framework (`yew.rs`, `leptos.rs`, `dioxus.rs`), and what
//! they share, here: their options, their state and how it changes, and the three flows (start,
//! subscribe, unsubscribe). Each hook only wires these to its framework's state, tasks and
//! cleanup.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

#[cfg(feature = "dioxus")]
pub mod dioxus;
#[cfg(feature = "leptos")]
pub mod leptos;
#[cfg(feature = "yew")]
pub(crate) mod yew;

use super::{permission, request_permission, AppServer, PermissionWatch, Registration, Synced};
use crate::{ApplicationServerKey, Error, Permission, Subscription, Support};

/// What `use_push` needs: the worker to register, and optionally the app server's key and
/// where subscriptions are sent.
///
/// ```no_run
/// let options = wasm_push::window::UsePushOptions::new("/sw.js", "/")
///     .application_server_key("BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U")
///     .server_url("/api/push/subscription");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsePushOptions {
    worker_url: String,
    scope: String,
    key: Option<String>,
    server_url: Option<String>,
}

impl UsePushOptions {
    /// Registers `worker_url` (a classic worker) for `scope`.
    ///
    /// ```no_run
    /// let options = wasm_push::window::UsePushOptions::new("/sw.js", "/");
    /// ```
    pub fn new(worker_url: impl Into<String>, scope: impl Into<String>) -> Self {
        Self { worker_url: worker_url.into(), scope: scope.into(), key: None, server_url: None }
    }

    /// The app server's VAPID public key, base64url; `subscribe` needs it.
    ///
    /// ```no_run
    /// let options = wasm_push::window::UsePushOptions::new("/sw.js", "/").application_server_key("BEl6…");
    /// ```
    pub fn application_server_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Where `subscribe` POSTs and `unsubscribe` DELETEs the subscription (see [`AppServer`]).
    ///
    /// ```no_run
    /// let options = wasm_push::window::UsePushOptions::new("/sw.js", "/").server_url("/api/push/subscription");
    /// ```
    pub fn server_url(mut self, url: impl Into<String>) -> Self {
        self.server_url = Some(url.into());
        self
    }
}

/// The state `use_push` keeps.
///
/// ```no_run
/// # fn show(state: &wasm_push::window::PushState) {
/// let subscribed = state.subscription.is_some() && state.error.is_none();
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PushState {
    /// What the browser can do.
    pub support: Support,
    /// Notification permission now (kept current by a Permissions API watch).
    pub permission: Permission,
    /// The current subscription.
    pub subscription: Option<Subscription>,
    /// The worker's scope once it is registered and active.
    pub scope: Option<String>,
    /// Whether a registration, subscribe or unsubscribe is under way; also, before the
    /// component is mounted in a browser (and in server-side rendering), that nothing is known
    /// yet: then `support` is all `false`.
    pub loading: bool,
    /// The last failure.
    pub error: Option<Error>,
}

/// One change to a [`PushState`].
pub(crate) enum Change {
    /// What the browser can do, read once the component is mounted.
    Detected {
        support: Support,
        permission: Permission,
    },
    Ready {
        scope: String,
        subscription: Option<Subscription>,
    },
    Permission(Permission),
    Loading,
    Subscribed(Option<Subscription>),
    Failed(Error),
}

impl PushState {
    /// The state every render starts from, on the server and in the browser alike, so that a
    /// page hydrated in the browser matches what the server rendered: nothing known yet,
    /// loading. Once the component is mounted in a browser, the hook reads what it can do
    /// ([`Change::Detected`]); on the server nothing runs and it stays so.
    pub(crate) fn unknown() -> PushState {
        PushState {
            support: Support::default(),
            permission: Permission::Default,
            subscription: None,
            scope: None,
            loading: true,
            error: None,
        }
    }

    /// What the browser can do: the change a mounted hook makes first, and whether to start.
    pub(crate) fn detect() -> (Change, bool) {
        let support = Support::detect();
        let permission = permission().unwrap_or(Permission::Default);
        (Change::Detected { support, permission }, support.can_push())
    }

    pub(crate) fn apply(&mut self, change: Change) {
        match change {
            Change::Detected { support, permission } => {
                self.support = support;
                self.permission = permission;
                // Loading on, while the worker registers, only where push can work.
                self.loading = support.can_push();
            }
            Change::Ready { scope, subscription } => {
                self.scope = Some(scope);
                self.subscription = subscription;
                self.loading = false;
            }
            Change::Permission(permission) => self.permission = permission,
            Change::Loading => {
                self.loading = true;
                self.error = None;
            }
            Change::Subscribed(subscription) => {
                self.subscription = subscription;
                self.loading = false;
            }
            Change::Failed(error) => {
                if error == Error::PermissionDenied {
                    self.permission = Permission::Denied;
                }
                self.error = Some(error);
                self.loading = false;
            }
        }
    }
}

/// Registers the worker and hands it to `keep` (so the actions work from then on), reads the
/// subscription, brings the app server in step with it (when a server URL is set), then watches
/// the permission. Answers the watch (where the Permissions API is), for the hook to keep.
pub(crate) async fn start(
    options: &UsePushOptions,
    keep: impl FnOnce(Registration),
    emit: impl Fn(Change) + Clone + 'static,
) -> Option<PermissionWatch> {
    let ready = async {
        let registered = Registration::register(&options.worker_url, &options.scope).await?.ready().await?;
        let subscription = registered.subscription().await?;
        Ok::<_, Error>((registered, subscription))
    };
    match ready.await {
        Ok((registered, subscription)) => {
            keep(registered.clone());
            emit(Change::Ready { scope: registered.as_raw().scope(), subscription });
            // Every page load brings the app server in step: a subscription it missed (it was
            // down, or the browser changed it) is sent now.
            if let Some(url) = &options.server_url {
                match AppServer::new(url.as_str()).sync(&registered).await {
                    Ok(Synced::Renewed(again) | Synced::Resubscribed(again)) => emit(Change::Subscribed(Some(again))),
                    Ok(Synced::TurnedOff) => emit(Change::Subscribed(None)),
                    Ok(_) => {}
                    Err(error) => emit(Change::Failed(error)),
                }
            }
        }
        Err(error) => emit(Change::Failed(error)),
    }
    let on_change = emit.clone();
    PermissionWatch::new(move |p| on_change(Change::Permission(p))).await.ok()
}

/// Asks permission (from a click), subscribes, and sends the subscription to the server URL
/// when one is set.
pub(crate) async fn subscribe(
    registered: Registration,
    options: UsePushOptions,
    emit: impl Fn(Change),
) -> Result<Option<Subscription>, Error> {
    let granted = request_permission().await?;
    emit(Change::Permission(granted));
    if granted != Permission::Granted {
        return Ok(None);
    }
    let key = options.key.as_deref().ok_or(Error::MissingKey("none given in UsePushOptions"))?;
    let subscription = registered.subscribe(&ApplicationServerKey::from_base64url(key)?).await?;
    if let Some(url) = &options.server_url {
        AppServer::new(url.as_str()).save(&subscription).await?;
    }
    Ok(Some(subscription))
}

/// Turns notifications off: the browser unsubscribes, then the server is told, the opt-out
/// kept until it has been ([`AppServer::unsubscribe`]).
pub(crate) async fn unsubscribe(
    registered: Registration,
    options: UsePushOptions,
) -> Result<Option<Subscription>, Error> {
    match &options.server_url {
        Some(url) => AppServer::new(url.as_str()).unsubscribe(&registered).await?,
        None => drop(registered.unsubscribe().await?),
    }
    Ok(None)
}

/// Runs one of the actions on the registration: loading while it runs, then the subscription
/// it ends with, or its error; `NotReady` before the worker is registered.
pub(crate) fn act<Work, Done>(registered: Option<Registration>, emit: impl Fn(Change) + 'static, work: Work)
where
    Work: FnOnce(Registration) -> Done,
    Done: std::future::Future<Output = Result<Option<Subscription>, Error>> + 'static,
{
    emit(Change::Loading);
    let Some(registered) = registered else {
        emit(Change::Failed(Error::NotReady("the worker is not registered yet")));
        return;
    };
    let done = work(registered);
    wasm_bindgen_futures::spawn_local(async move {
        emit(match done.await {
            Ok(subscription) => Change::Subscribed(subscription),
            Err(error) => Change::Failed(error),
        });
    });
}
