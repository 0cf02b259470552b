//! Driving a [`Runtime`] from a test in a service worker: a push in, what it showed out; a
//! click in, where it would go; a subscription change fired at it.

use crate::js::get;
use crate::worker::Runtime;
use crate::NotificationPayload;
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Notification;

/// What a test pushes: nothing, bytes, text, or JSON (a payload is sent as its JSON).
///
/// ```no_run
/// use wasm_push::testing::PushData;
/// let from_text: PushData = "plain words".into();
/// let from_payload: PushData = (&wasm_push::NotificationPayload::new("Hi")).into();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum PushData {
    /// A push without data (`event.data` is null).
    Empty,
    /// These bytes, as an app server would send them after decryption.
    Bytes(Vec<u8>),
    /// A mutable Declarative Web Push message as Safari delivers it: no data, the notification
    /// the browser proposes (`{"title": …, "navigate": …, …}`, as `Notification` has them) in
    /// `event.notification`, and the badge in `event.appBadge`.
    Proposed {
        /// The proposed notification's members.
        notification: serde_json::Value,
        /// The proposed app badge.
        app_badge: Option<u64>,
    },
}

impl From<&str> for PushData {
    fn from(text: &str) -> Self {
        PushData::Bytes(text.as_bytes().to_vec())
    }
}

impl From<&[u8]> for PushData {
    fn from(bytes: &[u8]) -> Self {
        PushData::Bytes(bytes.to_vec())
    }
}

impl From<serde_json::Value> for PushData {
    fn from(json: serde_json::Value) -> Self {
        PushData::Bytes(json.to_string().into_bytes())
    }
}

impl From<Vec<u8>> for PushData {
    fn from(bytes: Vec<u8>) -> Self {
        PushData::Bytes(bytes)
    }
}

impl From<&NotificationPayload> for PushData {
    fn from(payload: &NotificationPayload) -> Self {
        PushData::Bytes(serde_json::to_vec(payload).unwrap_or_default())
    }
}

/// A notification a push showed, read back from the browser (`getNotifications()`).
///
/// ```no_run
/// # async fn run() -> Result<(), wasm_bindgen::JsValue> {
/// let runtime = wasm_push::worker::Runtime::new(Default::default());
/// let shown = wasm_push::testing::push(&runtime, "plain words").await?;
/// assert_eq!(shown[0].body, "plain words");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Shown {
    /// Its title.
    pub title: String,
    /// Its body ("" when none).
    pub body: String,
    /// Its tag ("" when none).
    pub tag: String,
    /// Its icon URL ("" when none).
    pub icon: String,
    /// Its buttons as the browser keeps them: (action, title), at most `Notification.maxActions`.
    pub actions: Vec<(String, String)>,
    /// The payload's `data`, as a click hook would see it (`null` when none).
    pub data: serde_json::Value,
    /// The browser's notification itself, for anything else.
    pub notification: Notification,
}

/// The notifications the worker's registration shows now.
async fn showing() -> Result<Vec<Notification>, JsValue> {
    let list = JsFuture::from(crate::js::worker_scope().registration().get_notifications()?).await?;
    Ok(Array::from(&list).iter().map(JsCast::unchecked_into).collect())
}

/// Pushes `data` into `runtime` as the browser would deliver it, waits for the push to be
/// handled, and answers what it showed: one notification (none when a focused page took it,
/// with `foreground=page`). The notifications showing before are closed first, and the ones
/// shown are left showing, so `click` can use them.
///
/// ```no_run
/// # async fn run() -> Result<(), wasm_bindgen::JsValue> {
/// let runtime = wasm_push::worker::Runtime::from_location();
/// let shown = wasm_push::testing::push(&runtime, r#"{"title":"Hi","tag":"t"}"#).await?;
/// assert_eq!(shown[0].title, "Hi");
/// # Ok(()) }
/// ```
pub async fn push(runtime: &Runtime, data: impl Into<PushData>) -> Result<Vec<Shown>, JsValue> {
    permitted()?;
    for notification in showing().await? {
        notification.close();
    }
    let init = web_sys::PushEventInit::new();
    let data = data.into();
    if let PushData::Bytes(bytes) = &data {
        init.set_data(&js_sys::Uint8Array::from(bytes.as_slice()).buffer());
    }
    let event = web_sys::PushEvent::new_with_event_init_dict("push", &init)?;
    if let PushData::Proposed { notification, app_badge } = data {
        // Browsers without Declarative Web Push have no such members: they are defined here.
        let proposed = js_sys::JSON::parse(&notification.to_string())?;
        define(&event, "notification", &proposed)?;
        define(&event, "appBadge", &app_badge.map_or(JsValue::NULL, |n| JsValue::from(n as f64)))?;
    }
    JsFuture::from(runtime.push(&event)).await?;
    Ok(showing().await?.into_iter().map(read).collect())
}

/// `Ok` when the test browser lets the worker show notifications; else an error that says what
/// to give it, rather than the browser's own refusal deep in a push.
fn permitted() -> Result<(), JsValue> {
    let permission = get(&get(&js_sys::global(), "Notification"), "permission").as_string();
    match permission.as_deref() {
        Some("granted") => Ok(()),
        other => Err(js_sys::Error::new(&format!(
            "wasm_push::testing: this test browser does not let the worker show notifications \
             (Notification.permission is {}): give it a webdriver.json beside Cargo.toml that allows them \
             (Chrome: prefs profile.default_content_setting_values.notifications = 1; Firefox: \
             permissions.default.desktop-notification = 1), as wasm-push's own webdriver.json does",
            other.map_or("missing".to_owned(), |p| format!("{p:?}"))
        ))
        .into()),
    }
}

/// Gives `target` an own, read-only `name` of `value`.
fn define(target: &JsValue, name: &str, value: &JsValue) -> Result<(), JsValue> {
    let descriptor = js_sys::Object::new();
    Reflect::set(&descriptor, &"value".into(), value)?;
    Reflect::define_property(target.unchecked_ref::<js_sys::Object>(), &name.into(), &descriptor)?;
    Ok(())
}

fn read(notification: Notification) -> Shown {
    let text = |value: Option<String>| value.unwrap_or_default();
    let actions = Array::from(&get(&notification, "actions"))
        .iter()
        .map(|button| (text(get(&button, "action").as_string()), text(get(&button, "title").as_string())))
        .collect();
    let data = js_sys::JSON::stringify(&get(&notification.data(), "data")).ok().and_then(|t| t.as_string());
    Shown {
        title: notification.title(),
        body: text(notification.body()),
        tag: text(notification.tag()),
        icon: text(notification.icon()),
        actions,
        data: data.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default(),
        notification,
    }
}

/// Where a click on `shown` would go with `runtime`'s hooks: `action` is the button's id, or ""
/// for the notification itself. The URL the worker would focus or open; nothing is opened.
///
/// ```no_run
/// # async fn run() -> Result<(), wasm_bindgen::JsValue> {
/// let runtime = wasm_push::worker::Runtime::from_location();
/// let shown = wasm_push::testing::push(&runtime, r#"{"title":"Hi","url":"/inbox"}"#).await?;
/// assert!(wasm_push::testing::click(&runtime, &shown[0], "").await?.ends_with("/inbox"));
/// # Ok(()) }
/// ```
///
/// It waits for the async click hooks ([`Runtime::on_click_async`]) as the worker does, up to
/// the runtime's deadline.
pub async fn click(runtime: &Runtime, shown: &Shown, action: &str) -> Result<String, JsValue> {
    let init = web_sys::NotificationEventInit::new(&shown.notification);
    Reflect::set(&init, &"action".into(), &action.into())?;
    let event = web_sys::NotificationEvent::new("notificationclick", &init)?;
    let target = JsFuture::from(runtime.click_target(&event)).await?;
    target.as_string().ok_or(target)
}

/// Fires a `pushsubscriptionchange` at `runtime`, with `old_subscription` as the browser would
/// give it (Firefox does; Chromium and Safari give none), and waits until it is handled: the
/// runtime subscribes again and sends the new subscription to its `subscription_url` (a
/// [`RecordingAppServer`](super::RecordingAppServer)'s, say). Subscribing needs a browser that
/// can reach a push service.
///
/// ```no_run
/// # async fn run(old: web_sys::PushSubscription) -> Result<(), wasm_bindgen::JsValue> {
/// let server = wasm_push::testing::RecordingAppServer::start().await;
/// let settings = format!("subscription_url={}", server.url("subscription"));
/// let runtime = wasm_push::worker::Runtime::new(wasm_push::worker::WorkerConfig::from_query(&settings));
/// wasm_push::testing::subscription_change(&runtime, Some(&old)).await?;
/// assert_eq!(server.requests()[0].body["oldEndpoint"], old.endpoint().as_str());
/// # Ok(()) }
/// ```
pub async fn subscription_change(
    runtime: &Runtime,
    old_subscription: Option<&web_sys::PushSubscription>,
) -> Result<(), JsValue> {
    let init = js_sys::Object::new();
    if let Some(old) = old_subscription {
        Reflect::set(&init, &"oldSubscription".into(), old)?;
    }
    let constructor: js_sys::Function = get(&js_sys::global(), "PushSubscriptionChangeEvent").dyn_into()?;
    let event = Reflect::construct(&constructor, &Array::of2(&"pushsubscriptionchange".into(), &init))?;
    JsFuture::from(runtime.subscription_change(event.unchecked_ref())).await.map(drop)
}
