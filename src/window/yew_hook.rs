//! Yew integration (feature `yew`): the whole subscribe flow as one hook.

use super::{permission, request_permission, AppServer, PermissionWatch, Registration, Synced};
use crate::{ApplicationServerKey, Error, Permission, Subscription, Support};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// What [`use_push`] needs: the worker to register, and optionally the app server's key and
/// where subscriptions are sent.
///
/// ```no_run
/// let options = wasm_push::window::UsePushOptions::new("/sw.js", "/")
///     .application_server_key("BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U")
///     .server_url("/api/push/subscription");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UsePushOptions {
    worker_url: AttrValue,
    scope: AttrValue,
    key: Option<AttrValue>,
    server_url: Option<AttrValue>,
}

impl UsePushOptions {
    /// Registers `worker_url` (a classic worker) for `scope`.
    ///
    /// ```no_run
    /// let options = wasm_push::window::UsePushOptions::new("/sw.js", "/");
    /// ```
    pub fn new(worker_url: impl Into<AttrValue>, scope: impl Into<AttrValue>) -> Self {
        Self { worker_url: worker_url.into(), scope: scope.into(), key: None, server_url: None }
    }

    /// The app server's VAPID public key, base64url; `subscribe` needs it.
    ///
    /// ```no_run
    /// let options = wasm_push::window::UsePushOptions::new("/sw.js", "/").application_server_key("BEl6…");
    /// ```
    pub fn application_server_key(mut self, key: impl Into<AttrValue>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Where `subscribe` POSTs and `unsubscribe` DELETEs the subscription (see [`AppServer`]).
    ///
    /// ```no_run
    /// let options = wasm_push::window::UsePushOptions::new("/sw.js", "/").server_url("/api/push/subscription");
    /// ```
    pub fn server_url(mut self, url: impl Into<AttrValue>) -> Self {
        self.server_url = Some(url.into());
        self
    }
}

/// The state [`use_push`] keeps; read it through the handle.
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
    /// Whether a registration, subscribe or unsubscribe is under way.
    pub loading: bool,
    /// The last failure.
    pub error: Option<Error>,
}

enum Change {
    Ready { scope: String, subscription: Option<Subscription> },
    Permission(Permission),
    Loading,
    Subscribed(Option<Subscription>),
    Failed(Error),
}

/// The reducer behind the hook; private, so its actions are too.
#[derive(PartialEq)]
struct Store(PushState);

impl Reducible for Store {
    type Action = Change;

    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        let mut next = self.0.clone();
        match change {
            Change::Ready { scope, subscription } => {
                next.scope = Some(scope);
                next.subscription = subscription;
                next.loading = false;
            }
            Change::Permission(permission) => next.permission = permission,
            Change::Loading => {
                next.loading = true;
                next.error = None;
            }
            Change::Subscribed(subscription) => {
                next.subscription = subscription;
                next.loading = false;
            }
            Change::Failed(error) => {
                if error == Error::PermissionDenied {
                    next.permission = Permission::Denied;
                }
                next.error = Some(error);
                next.loading = false;
            }
        }
        Rc::new(Store(next))
    }
}

/// What [`use_push`] returns: the state (through `Deref`) and the two actions.
#[derive(Clone)]
pub struct UsePushHandle {
    state: UseReducerHandle<Store>,
    /// Asks permission (call it from a click), subscribes, and sends the subscription to the
    /// server URL when one is set.
    pub subscribe: Callback<()>,
    /// Removes the subscription from the server and the browser.
    pub unsubscribe: Callback<()>,
}

impl std::fmt::Debug for UsePushHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("UsePushHandle").field(&self.state.0).finish()
    }
}

impl std::ops::Deref for UsePushHandle {
    type Target = PushState;

    fn deref(&self) -> &PushState {
        &self.state.0
    }
}

/// Push notifications for a Yew component: registers the worker, reads the subscription, brings
/// the app server in step with it ([`AppServer::sync`], when a server URL is set), keeps the
/// permission current, and gives `subscribe` / `unsubscribe` callbacks. The permission
/// watch is dropped when the component unmounts; nothing leaks.
///
/// ```no_run
/// use yew::prelude::*;
/// use wasm_push::window::{use_push, UsePushOptions};
///
/// #[function_component]
/// fn NotificationsToggle() -> Html {
///     let push = use_push(UsePushOptions::new("/sw.js", "/")
///         .application_server_key("BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U")
///         .server_url("/api/push/subscription"));
///     let onclick = {
///         let push = push.clone();
///         Callback::from(move |_| if push.subscription.is_some() { push.unsubscribe.emit(()) } else { push.subscribe.emit(()) })
///     };
///     html! {
///         <button {onclick} disabled={push.loading || !push.support.can_push()}>
///             { if push.subscription.is_some() { "Turn off notifications" } else { "Turn on notifications" } }
///         </button>
///     }
/// }
/// ```
#[hook]
pub fn use_push(options: UsePushOptions) -> UsePushHandle {
    let state = use_reducer(|| {
        let support = Support::detect();
        Store(PushState {
            permission: permission().unwrap_or(Permission::Default),
            loading: support.can_push(),
            support,
            subscription: None,
            scope: None,
            error: None,
        })
    });
    let registration: Rc<RefCell<Option<Registration>>> = use_mut_ref(|| None);

    {
        let dispatcher = state.dispatcher();
        let registration = registration.clone();
        let can_push = state.0.support.can_push();
        use_effect_with(options.clone(), move |options| {
            // Dropping the watch removes its listener; `alive` stops a late one from being kept.
            let watch: Rc<RefCell<Option<PermissionWatch>>> = Rc::default();
            let alive = Rc::new(std::cell::Cell::new(true));
            if can_push {
                let (options, watch, alive) = (options.clone(), watch.clone(), alive.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let ready = async {
                        let registered =
                            Registration::register(&options.worker_url, &options.scope).await?.ready().await?;
                        let subscription = registered.subscription().await?;
                        Ok::<_, Error>((registered, subscription))
                    };
                    match ready.await {
                        Ok((registered, subscription)) => {
                            let scope = registered.as_raw().scope();
                            *registration.borrow_mut() = Some(registered.clone());
                            dispatcher.dispatch(Change::Ready { scope, subscription });
                            // Every page load brings the app server in step: a subscription it
                            // missed (it was down, or the browser changed it) is sent now.
                            if let Some(url) = &options.server_url {
                                match AppServer::new(url.as_str()).sync(&registered).await {
                                    Ok(Synced::Renewed(renewed)) => {
                                        dispatcher.dispatch(Change::Subscribed(Some(renewed)))
                                    }
                                    Ok(_) => {}
                                    Err(error) => dispatcher.dispatch(Change::Failed(error)),
                                }
                            }
                        }
                        Err(error) => dispatcher.dispatch(Change::Failed(error)),
                    }
                    let on_change = dispatcher.clone();
                    if let Ok(started) = PermissionWatch::new(move |p| on_change.dispatch(Change::Permission(p))).await
                    {
                        if alive.get() {
                            *watch.borrow_mut() = Some(started);
                        }
                    }
                });
            }
            move || {
                alive.set(false);
                watch.borrow_mut().take();
            }
        });
    }

    let subscribe = action(&state, &registration, &options, |registered, options, dispatcher| async move {
        let granted = request_permission().await?;
        dispatcher.dispatch(Change::Permission(granted));
        if granted != Permission::Granted {
            return Ok(None);
        }
        let key = options.key.as_deref().ok_or(Error::MissingKey("none given in UsePushOptions"))?;
        let subscription = registered.subscribe(&ApplicationServerKey::from_base64url(key)?).await?;
        if let Some(url) = &options.server_url {
            AppServer::new(url.as_str()).save(&subscription).await?;
        }
        Ok(Some(subscription))
    });
    let unsubscribe = action(&state, &registration, &options, |registered, options, _| async move {
        if let (Some(url), Some(subscription)) = (&options.server_url, registered.subscription().await?) {
            AppServer::new(url.as_str()).remove(&subscription).await?;
        }
        registered.unsubscribe().await?;
        Ok(None)
    });

    UsePushHandle { state, subscribe, unsubscribe }
}

/// One of the hook's actions as a callback: loading while `work` runs on the registration, then
/// the subscription it ends with, or its error.
fn action<Work, Done>(
    state: &UseReducerHandle<Store>,
    registration: &Rc<RefCell<Option<Registration>>>,
    options: &UsePushOptions,
    work: Work,
) -> Callback<()>
where
    Work: Fn(Registration, UsePushOptions, UseReducerDispatcher<Store>) -> Done + 'static,
    Done: std::future::Future<Output = Result<Option<Subscription>, Error>> + 'static,
{
    let (dispatcher, registration, options) = (state.dispatcher(), registration.clone(), options.clone());
    Callback::from(move |()| {
        let registered = registration.borrow().clone();
        dispatcher.dispatch(Change::Loading);
        let Some(registered) = registered else {
            dispatcher.dispatch(Change::Failed(Error::NotReady("the worker is not registered yet")));
            return;
        };
        let done = work(registered, options.clone(), dispatcher.clone());
        let dispatcher = dispatcher.clone();
        wasm_bindgen_futures::spawn_local(async move {
            dispatcher.dispatch(match done.await {
                Ok(subscription) => Change::Subscribed(subscription),
                Err(error) => Change::Failed(error),
            });
        });
    })
}
