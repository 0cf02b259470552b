//! The window side in a real browser: permission, registration, subscription.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_push::testing::RecordingAppServer;
use wasm_push::window::{permission, request_permission, AppServer, PermissionWatch, Registration, Synced};
use wasm_push::{ApplicationServerKey, Error, Permission, Subscription, Support};

mod common;

use common::{call, fresh_app_server, stored_endpoints, KEY};

wasm_bindgen_test_configure!(run_in_browser);

/// A second valid key: the app server after a VAPID key rotation.
const ROTATED_KEY: &str = "BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0";

fn sample_subscription(endpoint: &str) -> Subscription {
    serde_json::from_value(serde_json::json!({
        "endpoint": endpoint,
        "expirationTime": null,
        "keys": {"p256dh": "BOwgYbzbkJcX8GcEHCQbDoKfEvIY6q2Hq4zUmQ1m-VKsRD_IHj7rPqw8nTXhAqD9fK9Y7q-uC1iBk2d1jpfBgBQ", "auth": "x7aPzMh8OBZ3WDnsHjbBQQ"},
    }))
    .unwrap()
}

/// The empty test worker registered for `scope`, once it is active.
async fn ready_registration(scope: &str) -> Registration {
    Registration::register("/tests/fixtures/empty-sw.js", scope).await.unwrap().ready().await.unwrap()
}

fn set_meta_csrf_token(token: &str) {
    let document = web_sys::window().unwrap().document().unwrap();
    let meta = match document.query_selector("meta[name=csrf-token]").unwrap() {
        Some(meta) => meta,
        None => {
            let meta = document.create_element("meta").unwrap();
            meta.set_attribute("name", "csrf-token").unwrap();
            document.head().unwrap().append_child(&meta).unwrap();
            meta
        }
    };
    meta.set_attribute("content", token).unwrap();
}

/// Whether this browser has the Push API: Chromium and Firefox do; WebKitGTK, like many embedded
/// and older browsers, has service workers and notifications but no `PushManager`, and there
/// every call below must answer with a typed error.
fn push_here() -> bool {
    Support::detect().push_manager
}

/// Notification permission as the test browsers hold it: `webdriver.json` grants it in Chromium
/// and Firefox; WebKitGTK's WebDriver cannot, and it reads "default".
fn permission_here() -> Permission {
    if push_here() {
        Permission::Granted
    } else {
        Permission::Default
    }
}

#[wasm_bindgen_test]
fn a_secure_page_reports_what_push_needs_and_names_what_is_missing() {
    let support = Support::detect();
    assert!(support.secure_context, "127.0.0.1 is a secure context");
    assert!(support.service_worker && support.notification && support.show_notification);
    match support.push_manager {
        true => assert_eq!(support.check(), Ok(())),
        false => assert_eq!(support.check(), Err(Error::Unsupported("PushManager"))),
    }
}

/// Safari 17.5 on an iPhone, in a tab.
const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// Gives the page an own property over the browser's (`undefined` removes it again).
fn shadow(target: &JsValue, key: &str, value: &JsValue) {
    let key = JsValue::from_str(key);
    if value.is_undefined() {
        js_sys::Reflect::delete_property(target.unchecked_ref::<js_sys::Object>(), &key).unwrap();
        return;
    }
    let descriptor = js_sys::Object::new();
    js_sys::Reflect::set(&descriptor, &"value".into(), value).unwrap();
    js_sys::Reflect::set(&descriptor, &"configurable".into(), &true.into()).unwrap();
    js_sys::Reflect::define_property(target.unchecked_ref::<js_sys::Object>(), &key, &descriptor).unwrap();
}

#[wasm_bindgen_test]
fn an_iphone_tab_of_a_page_with_a_manifest_says_it_needs_the_home_screen_and_the_home_screen_app_does_not() {
    let global = js_sys::global();
    let navigator: JsValue = js_sys::Reflect::get(&global, &"navigator".into()).unwrap();
    let push_manager = js_sys::Reflect::get(&global, &"PushManager".into()).unwrap();
    // What Safari on an iPhone shows a tab: its user agent, and no PushManager.
    shadow(&navigator, "userAgent", &IPHONE_SAFARI.into());
    js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &"PushManager".into()).unwrap();
    // A page without a web app manifest, which the Home Screen would open as a tab again.
    let without_manifest = Support::detect();
    let document = web_sys::window().unwrap().document().unwrap();
    let manifest = document.create_element("link").unwrap();
    manifest.set_attribute("rel", "manifest").unwrap();
    manifest.set_attribute("href", "/manifest.webmanifest").unwrap();
    document.head().unwrap().append_child(&manifest).unwrap();
    let in_a_tab = Support::detect();
    // Opened from the Home Screen, Safari says `navigator.standalone`.
    shadow(&navigator, "standalone", &true.into());
    let from_the_home_screen = Support::detect();
    shadow(&navigator, "standalone", &JsValue::UNDEFINED);
    shadow(&navigator, "userAgent", &JsValue::UNDEFINED);
    manifest.remove();
    if !push_manager.is_undefined() {
        js_sys::Reflect::set(&global, &"PushManager".into(), &push_manager).unwrap();
    }
    let untouched = Support::detect();

    assert!(!without_manifest.home_screen, "{without_manifest:?}");
    assert_eq!(without_manifest.check(), Err(Error::Unsupported("PushManager")));
    assert!(in_a_tab.home_screen && !in_a_tab.push_manager, "{in_a_tab:?}");
    assert_eq!(in_a_tab.check(), Err(Error::NeedsHomeScreen));
    assert!(!from_the_home_screen.home_screen, "{from_the_home_screen:?}");
    assert_eq!(from_the_home_screen.check(), Err(Error::Unsupported("PushManager")));
    assert!(!untouched.home_screen, "this browser is no iPhone: {untouched:?}");
}

#[wasm_bindgen_test]
fn notification_permission_reads_what_the_browser_holds() {
    assert_eq!(permission().unwrap(), permission_here());
}

#[wasm_bindgen_test]
async fn requesting_a_granted_permission_answers_granted_without_a_prompt_and_a_refusal_is_typed() {
    match push_here() {
        true => assert_eq!(request_permission().await, Ok(Permission::Granted)),
        // WebKitGTK answers every request with "denied".
        false => assert_eq!(request_permission().await, Err(Error::PermissionDenied)),
    }
}

/// Runs `check` with `Notification.requestPermission` replaced by a stand-in written as
/// JavaScript `body` (taking `callback`), then puts the browser's own back.
async fn with_request_permission<F: std::future::Future<Output = ()>>(body: &str, check: impl FnOnce() -> F) {
    let notification = js_sys::Reflect::get(&js_sys::global(), &"Notification".into()).unwrap();
    let original = js_sys::Reflect::get(&notification, &"requestPermission".into()).unwrap();
    let stand_in = js_sys::Function::new_with_args("callback", body);
    js_sys::Reflect::set(&notification, &"requestPermission".into(), &stand_in).unwrap();
    check().await;
    js_sys::Reflect::set(&notification, &"requestPermission".into(), &original).unwrap();
}

#[wasm_bindgen_test]
async fn request_permission_works_where_it_only_takes_a_callback() {
    // Safari before 15: no promise, the answer comes through the callback.
    with_request_permission("setTimeout(() => callback('granted'), 10); return undefined;", || async {
        assert_eq!(request_permission().await, Ok(Permission::Granted));
    })
    .await;
    with_request_permission("setTimeout(() => callback('denied'), 10);", || async {
        assert_eq!(request_permission().await, Err(Error::PermissionDenied));
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_dismissed_prompt_is_not_an_error_and_a_denial_is_a_typed_one() {
    with_request_permission("return Promise.resolve('default');", || async {
        assert_eq!(request_permission().await, Ok(Permission::Default));
    })
    .await;
    with_request_permission("return Promise.resolve('denied');", || async {
        assert_eq!(request_permission().await, Err(Error::PermissionDenied));
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_permission_watch_reads_the_current_state() {
    let watch = PermissionWatch::new(|_| {}).await.unwrap();
    assert_eq!(watch.current(), permission_here());
}

#[wasm_bindgen_test]
async fn push_permission_of_a_registration_reads_granted_or_is_unsupported() {
    let registration = Registration::register("/tests/fixtures/empty-sw.js", "/tests/fixtures/").await.unwrap();
    let registration = registration.ready().await.unwrap();
    match push_here() {
        true => assert_eq!(registration.push_permission().await, Ok(Permission::Granted)),
        false => assert_eq!(registration.push_permission().await, Err(Error::Unsupported("PushManager"))),
    }
}

#[wasm_bindgen_test]
async fn without_a_push_manager_every_subscription_call_is_a_typed_unsupported_error() {
    if push_here() {
        return; // Chromium and Firefox have one: the other tests cover them.
    }
    let registration = Registration::register("/tests/fixtures/empty-sw.js", "/tests/fixtures/").await.unwrap();
    let registration = registration.ready().await.unwrap();
    let key = ApplicationServerKey::from_base64url(KEY).unwrap();
    let unsupported = Error::Unsupported("PushManager");
    assert_eq!(registration.subscribe(&key).await, Err(unsupported.clone()));
    assert_eq!(registration.subscription().await, Err(unsupported.clone()));
    assert_eq!(registration.unsubscribe().await, Err(unsupported.clone()));
    let server = RecordingAppServer::start().await;
    assert_eq!(AppServer::new(server.url("subscription")).sync(&registration).await, Err(unsupported));
    assert!(server.requests().is_empty(), "nothing reaches the app server");
}

#[wasm_bindgen_test]
async fn an_invalid_key_fails_with_a_typed_error_and_leaves_no_subscription() {
    let registration = Registration::register("/tests/fixtures/empty-sw.js", "/tests/fixtures/").await.unwrap();
    let registration = registration.ready().await.unwrap();
    let compressed = "AkVmOi9ZuUXFrdpu1jaSVYowm_N3-8pqcKywb9wzSXZB";
    match ApplicationServerKey::from_base64url(compressed) {
        Err(Error::InvalidKey(why)) => assert!(why.contains("compressed"), "{why}"),
        other => panic!("expected InvalidKey, got {other:?}"),
    }
    // The key never became a value `subscribe` accepts, so the browser was not asked.
    let none = if push_here() { Ok(None) } else { Err(Error::Unsupported("PushManager")) };
    assert_eq!(registration.subscription().await, none);
}

#[wasm_bindgen_test]
async fn a_module_worker_registers_and_becomes_ready() {
    let registration =
        Registration::register_module("/tests/fixtures/module-sw.js", "/tests/fixtures/module/").await.unwrap();
    let ready = registration.ready().await.unwrap();
    assert!(ready.as_raw().scope().ends_with("/tests/fixtures/module/"));
    let found = Registration::existing("/tests/fixtures/module/page").await.unwrap();
    assert_eq!(found.map(|r| r.as_raw().scope()), Some(ready.as_raw().scope()));
}

#[wasm_bindgen_test]
async fn a_saved_subscription_reaches_the_app_server_as_json_with_the_meta_csrf_token() {
    let server = RecordingAppServer::start().await;
    set_meta_csrf_token("token-from-meta");
    let subscription = sample_subscription("http://127.0.0.1:9/push/saved");
    AppServer::new(server.url("subscription")).save(&subscription).await.unwrap();
    AppServer::new(server.url("subscription")).save(&subscription).await.unwrap();
    AppServer::new(server.url("subscription")).csrf_token("explicit-token").remove(&subscription).await.unwrap();

    let json = serde_json::to_value(&subscription).unwrap();
    let sent: Vec<_> = server
        .requests()
        .into_iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.header("x-csrf-token").map(str::to_owned), r.body))
        .collect();
    let token = |t: &str| Some(t.to_owned());
    assert_eq!(
        sent,
        [
            ("POST".into(), "subscription".into(), token("token-from-meta"), json.clone()),
            ("POST".into(), "subscription".into(), token("token-from-meta"), json.clone()),
            ("DELETE".into(), "subscription".into(), token("explicit-token"), json),
        ]
    );
    assert!(server.requests().iter().all(|r| r.header("content-type") == Some("application/json")));
}

#[wasm_bindgen_test]
async fn refusals_from_the_app_server_come_back_as_typed_errors() {
    let server = RecordingAppServer::start().await;
    let subscription = sample_subscription("http://127.0.0.1:9/push/refused");
    let refused = |status: u16| format!(r#"{{"error":{{"id":"test-{status}","message":"refused on purpose"}}}}"#);
    for status in [403u16, 500] {
        server.answer_with(status, &refused(status));
        assert_eq!(
            AppServer::new(server.url("subscription")).save(&subscription).await,
            Err(Error::Server {
                status,
                id: Some(format!("test-{status}")),
                message: Some("refused on purpose".into())
            })
        );
    }
    server.answer_with(502, "<html>Bad gateway</html>");
    let answer = AppServer::new(server.url("subscription")).save(&subscription).await;
    assert_eq!(answer, Err(Error::Server { status: 502, id: None, message: None }));
    server.go_down();
    let answer = AppServer::new(server.url("subscription")).save(&subscription).await;
    assert!(matches!(answer, Err(Error::Network(_))), "{answer:?}");
}

/// This page's `fetch`, routed for as long as it lives through a window that the worker
/// `tests/fixtures/redirecting-sw.js` controls (an iframe in its scope): the browser's own
/// fetch, redirects and all, meets what that worker answers. Put back when dropped.
struct FetchUnderRedirectingWorker {
    original: JsValue,
    frame: web_sys::Element,
}

impl FetchUnderRedirectingWorker {
    const SCOPE: &'static str = "/tests/fixtures/redirect/";

    async fn start() -> Self {
        Registration::register("/tests/fixtures/redirecting-sw.js", Self::SCOPE).await.unwrap().ready().await.unwrap();
        let document = web_sys::window().unwrap().document().unwrap();
        let frame = document.create_element("iframe").unwrap();
        let loaded = js_sys::Promise::new(&mut |resolve, _| {
            let _ = js_sys::Reflect::set(&frame, &"onload".into(), &resolve);
        });
        frame.set_attribute("src", &format!("{}frame", Self::SCOPE)).unwrap();
        document.body().unwrap().append_child(&frame).unwrap();
        wasm_bindgen_futures::JsFuture::from(loaded).await.unwrap();
        let inner = js_sys::Reflect::get(&frame, &"contentWindow".into()).unwrap();
        let controller =
            js_sys::Reflect::get(&js_sys::Reflect::get(&inner, &"navigator".into()).unwrap(), &"serviceWorker".into())
                .and_then(|c| js_sys::Reflect::get(&c, &"controller".into()))
                .unwrap();
        assert!(!controller.is_null(), "the frame is controlled by the redirecting worker");
        let fetch: js_sys::Function = js_sys::Reflect::get(&inner, &"fetch".into()).unwrap().unchecked_into();
        let global = js_sys::global();
        let original = js_sys::Reflect::get(&global, &"fetch".into()).unwrap();
        js_sys::Reflect::set(&global, &"fetch".into(), &fetch.bind0(&inner)).unwrap();
        FetchUnderRedirectingWorker { original, frame }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", Self::SCOPE)
    }
}

impl Drop for FetchUnderRedirectingWorker {
    fn drop(&mut self) {
        let _ = js_sys::Reflect::set(&js_sys::global(), &"fetch".into(), &self.original);
        self.frame.remove();
    }
}

#[wasm_bindgen_test]
async fn a_redirect_to_a_login_page_is_not_the_app_servers_acknowledgement() {
    let caches: web_sys::CacheStorage =
        js_sys::Reflect::get(&js_sys::global(), &"caches".into()).unwrap().unchecked_into();
    wasm_bindgen_futures::JsFuture::from(caches.delete("wasm-push")).await.unwrap();
    let first = sample_subscription("http://127.0.0.1:9/push/redirected");
    {
        let server = FetchUnderRedirectingWorker::start().await;
        // The route is real: a plain 201 through the same worker is taken.
        assert_eq!(
            AppServer::new(server.url("taken")).save(&sample_subscription("http://127.0.0.1:9/push/t")).await,
            Ok(())
        );
        wasm_bindgen_futures::JsFuture::from(caches.delete("wasm-push")).await.unwrap();
        // The session expired: 302 to a login page, which answers 200.
        assert_eq!(AppServer::new(server.url("expired")).save(&first).await, Err(Error::Redirected));
    }
    // The server never took `first`, so the next save does not claim it held it (no
    // `oldEndpoint`), and a page load sends `first` again rather than thinking it is up to date.
    let recording = RecordingAppServer::start().await;
    let second = sample_subscription("http://127.0.0.1:9/push/after-login");
    AppServer::new(recording.url("subscription")).save(&second).await.unwrap();
    let sent = recording.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body, serde_json::to_value(&second).unwrap(), "the server was told it held the redirected one");
}

#[wasm_bindgen_test]
async fn a_removal_answered_404_or_410_is_done_and_one_that_fails_is_finished_by_the_next_page_load() {
    if !push_here() {
        return; // `sync` reads the browser's subscription, which needs a PushManager
    }
    let caches: web_sys::CacheStorage =
        js_sys::Reflect::get(&js_sys::global(), &"caches".into()).unwrap().unchecked_into();
    JsFuture::from(caches.delete("wasm-push")).await.unwrap();
    let server = RecordingAppServer::start().await;
    let app = AppServer::new(server.url("subscription"));
    let registration = ready_registration("/tests/fixtures/removal/").await;
    let gone = sample_subscription("http://127.0.0.1:9/push/turned-off");
    // The server never had it, or has forgotten it: the user is off all the same.
    for status in [404, 410] {
        server.answer_with(status, "");
        assert_eq!(app.remove(&gone).await, Ok(()), "{status}");
        // The next page load has only the browser's part left, and the browser has no such
        // subscription: nothing is sent.
        let before = server.requests().len();
        assert_eq!(app.sync(&registration).await, Ok(Synced::TurnedOff), "{status}");
        assert_eq!(server.requests().len(), before, "the server was told twice after {status}");
        assert_eq!(app.sync(&registration).await, Ok(Synced::NotSubscribed), "nothing left to finish after {status}");
    }
    // The server is down: the removal is kept, and the next page load sends it.
    server.go_down();
    assert!(matches!(app.remove(&gone).await, Err(Error::Network(_))));
    assert!(app.sync(&registration).await.is_err(), "a page load while it is still down");
    server.answer_with(204, "");
    let before = server.requests().len();
    assert_eq!(app.sync(&registration).await, Ok(Synced::TurnedOff));
    let sent = &server.requests()[before..];
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].method.as_str(), sent[0].body.clone()), ("DELETE", serde_json::to_value(&gone).unwrap()));
    // Done: the next load has nothing to send.
    assert_eq!(app.sync(&registration).await, Ok(Synced::NotSubscribed));
    assert_eq!(server.requests().len(), before + 1);
}

#[wasm_bindgen_test]
async fn an_app_server_that_is_down_is_a_network_error() {
    // Port 9 (discard) has no listener on these machines: the connection is refused.
    let server = AppServer::new("http://127.0.0.1:9/app/subscription");
    let result = server.save(&sample_subscription("http://127.0.0.1:9/push/x")).await;
    assert!(matches!(result, Err(Error::Network(_))), "{result:?}");
}

#[wasm_bindgen_test]
async fn a_registered_worker_becomes_ready() {
    let registration = Registration::register("/tests/fixtures/empty-sw.js", "/tests/fixtures/").await.unwrap();
    let ready = registration.ready().await.unwrap();
    assert!(ready.as_raw().active().is_some());
    assert!(ready.as_raw().scope().ends_with("/tests/fixtures/"));
}

#[wasm_bindgen_test]
async fn a_worker_that_fails_to_install_is_not_ready_rather_than_a_browser_exception() {
    let scope = "/tests/fixtures/failing/";
    let registration = Registration::register("/tests/fixtures/failing-install-sw.js", scope).await.unwrap();
    assert_eq!(registration.ready().await.unwrap_err(), Error::NotReady("the worker failed to install"));
}

/// Subscribing for real, through the loopback push service `cargo xtask test` points Firefox
/// at: Firefox only (Chromium cannot subscribe without its own push service, so `cargo xtask
/// test` skips this module there).
mod loopback_push_service {
    use super::*;

    #[wasm_bindgen_test]
    async fn a_real_subscription_round_trips_through_json() {
        if !common::can_subscribe_here().await {
            return;
        }
        let service = common::loopback_push_service().await;
        let push_base = service["http"].as_str().unwrap();
        let key = ApplicationServerKey::from_base64url(KEY).unwrap();
        let registration = Registration::register("/tests/fixtures/empty-sw.js", "/tests/fixtures/").await.unwrap();
        let registration = registration.ready().await.unwrap();

        let subscription = registration.subscribe(&key).await.unwrap();
        assert!(
            subscription.endpoint.starts_with(&format!("{push_base}/push/")),
            "the endpoint comes from the loopback push service: {}",
            subscription.endpoint
        );
        assert_eq!(subscription.keys.auth.len(), 22, "16 bytes of auth secret, base64url");
        assert_eq!(subscription.keys.p256dh.len(), 87, "65 bytes of P-256 point, base64url");

        // The browser's own toJSON(), read without this crate, equals what the crate serialises.
        let push_manager = registration.as_raw().push_manager().unwrap();
        let raw = JsFuture::from(push_manager.get_subscription().unwrap()).await.unwrap();
        let browser_json = String::from(js_sys::JSON::stringify(&raw).unwrap());
        let browser_value: serde_json::Value = serde_json::from_str(&browser_json).unwrap();
        assert_eq!(serde_json::to_value(&subscription).unwrap(), browser_value);
        let back: Subscription = serde_json::from_str(&serde_json::to_string(&subscription).unwrap()).unwrap();
        assert_eq!(back, subscription);

        assert_eq!(registration.subscription().await.unwrap(), Some(subscription.clone()));
        assert!(registration.unsubscribe().await.unwrap());
        assert_eq!(registration.subscription().await.unwrap(), None);
    }

    #[wasm_bindgen_test]
    async fn key_rotation_ends_the_old_endpoint_at_the_push_service() {
        if !common::can_subscribe_here().await {
            return;
        }
        let registration = ready_registration("/tests/fixtures/rotation/").await;
        let key = ApplicationServerKey::from_base64url(KEY).unwrap();
        let first = registration.subscribe(&key).await.unwrap();
        let again = registration.subscribe(&key).await.unwrap();
        assert_eq!(again.endpoint, first.endpoint, "the same key keeps the subscription");

        let rotated = ApplicationServerKey::from_base64url(ROTATED_KEY).unwrap();
        let second = registration.subscribe(&rotated).await.unwrap();
        assert_ne!(second.endpoint, first.endpoint, "a new key gets a new subscription");
        assert_eq!(registration.subscription().await.unwrap(), Some(second.clone()));

        let state = |endpoint: &str| endpoint.replace("/push/", "/_test/channel/");
        let (status, first_state) = call("GET", &state(&first.endpoint), &[]).await;
        assert_eq!((status, first_state), (200, serde_json::json!({"active": false})), "the old endpoint is gone");
        let (status, second_state) = call("GET", &state(&second.endpoint), &[]).await;
        assert_eq!((status, second_state), (200, serde_json::json!({"active": true})), "the new one is live");
        let (status, _) = call("POST", &second.endpoint, &[("TTL", "60")]).await;
        assert_eq!(status, 401, "and wants VAPID");

        assert!(registration.unsubscribe().await.unwrap());
        let (status, second_state) = call("GET", &state(&second.endpoint), &[]).await;
        assert_eq!((status, second_state), (200, serde_json::json!({"active": false})), "unsubscribed, it is gone");
    }

    #[wasm_bindgen_test]
    async fn a_subscription_the_app_server_missed_while_down_reaches_it_on_the_next_page_load() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, server, registration, first) = subscribed_and_saved("/tests/fixtures/sync/").await;
        assert_eq!(server.sync(&registration).await, Ok(Synced::UpToDate));

        // The app server goes down, and meanwhile the app rotates its VAPID key.
        call("POST", &format!("{base}/app/outage"), &[]).await;
        let second = registration.subscribe(&ApplicationServerKey::from_base64url(ROTATED_KEY).unwrap()).await.unwrap();
        let refused = server.save(&second).await;
        assert!(matches!(refused, Err(Error::Server { status: 503, .. })), "{refused:?}");
        assert!(server.sync(&registration).await.is_err(), "a page load while it is still down");
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&first.endpoint));

        // It is back: the next page load sends the new subscription and drops the old one.
        call("DELETE", &format!("{base}/app/outage"), &[]).await;
        assert_eq!(server.sync(&registration).await, Ok(Synced::Sent));
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&second.endpoint));
        assert_eq!(server.sync(&registration).await, Ok(Synced::UpToDate));
        registration.unsubscribe().await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn a_subscription_changed_behind_the_servers_back_is_replaced_on_the_next_page_load() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, server, registration, first) = subscribed_and_saved("/tests/fixtures/behind/").await;
        // Another script (or the browser) replaced the subscription without telling the server.
        drop_behind_the_back(&registration).await;
        let second = registration.subscribe(&ApplicationServerKey::from_base64url(KEY).unwrap()).await.unwrap();
        assert_ne!(second.endpoint, first.endpoint);

        assert_eq!(server.sync(&registration).await, Ok(Synced::Sent));
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&second.endpoint));
        registration.unsubscribe().await.unwrap();
        assert_eq!(server.sync(&registration).await, Ok(Synced::NotSubscribed));
    }

    /// Where each sync test starts: a fresh recording app server, a worker registered for
    /// `scope`, subscribed with [`KEY`], and that subscription saved.
    async fn subscribed_and_saved(scope: &str) -> (String, AppServer, Registration, Subscription) {
        let base = fresh_app_server().await;
        let server = AppServer::new(format!("{base}/app/subscription"));
        let registration = ready_registration(scope).await;
        let first = registration.subscribe(&ApplicationServerKey::from_base64url(KEY).unwrap()).await.unwrap();
        server.save(&first).await.unwrap();
        (base, server, registration, first)
    }

    /// Ends the browser's subscription behind the crate's back, as a `pushsubscriptionchange`
    /// or a renewal does before a new `subscribe` that then fails (offline, push service down).
    async fn drop_behind_the_back(registration: &Registration) {
        let raw = registration.as_raw().push_manager().unwrap();
        let old = JsFuture::from(raw.get_subscription().unwrap()).await.unwrap();
        JsFuture::from(old.unchecked_into::<web_sys::PushSubscription>().unsubscribe().unwrap()).await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn a_subscription_lost_to_a_failed_resubscribe_is_made_again_on_the_next_page_load() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, server, registration, first) = subscribed_and_saved("/tests/fixtures/lost/").await;
        drop_behind_the_back(&registration).await;
        assert_eq!(registration.subscription().await, Ok(None));

        // The user opted in and never opted out: the page load subscribes again and the server
        // swaps the old row for the new one.
        let Ok(Synced::Resubscribed(again)) = server.sync(&registration).await else {
            panic!("the lost subscription was not made again");
        };
        assert_ne!(again.endpoint, first.endpoint);
        assert_eq!(registration.subscription().await, Ok(Some(again.clone())));
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&again.endpoint));
        assert_eq!(server.sync(&registration).await, Ok(Synced::UpToDate));
        registration.unsubscribe().await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn a_site_clearing_every_cache_loses_no_subscription() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, server, registration, first) = subscribed_and_saved("/tests/fixtures/cleared/").await;
        // A site's worker deletes every cache but its own on activate, wasm-push's among them.
        let caches: web_sys::CacheStorage =
            js_sys::Reflect::get(&js_sys::global(), &"caches".into()).unwrap().unchecked_into();
        let names = js_sys::Array::from(&JsFuture::from(caches.keys()).await.unwrap());
        for name in names.iter() {
            JsFuture::from(caches.delete(&name.as_string().unwrap())).await.unwrap();
        }
        // The next page load sends the subscription again; the server still holds one row.
        assert_eq!(server.sync(&registration).await, Ok(Synced::Sent));
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&first.endpoint));
        // And the key is kept again: a subscription lost later is still repaired.
        drop_behind_the_back(&registration).await;
        let Ok(Synced::Resubscribed(again)) = server.sync(&registration).await else {
            panic!("after the caches were cleared, a lost subscription was not made again");
        };
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&again.endpoint));
        registration.unsubscribe().await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn turning_off_after_the_browser_lost_its_subscription_still_tells_the_server() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, server, registration, _) = subscribed_and_saved("/tests/fixtures/lost-then-off/").await;
        drop_behind_the_back(&registration).await;
        assert_eq!(server.unsubscribe(&registration).await, Ok(()));
        assert!(stored_endpoints(&base).await.is_empty(), "the server still holds the lost subscription");
        // And nothing repairs it behind the user's back.
        assert_eq!(server.sync(&registration).await, Ok(Synced::NotSubscribed));
        assert_eq!(registration.subscription().await, Ok(None));
    }

    #[wasm_bindgen_test]
    async fn turning_off_is_honoured_when_the_server_is_down_and_finished_on_the_next_page_load() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, server, registration, first) = subscribed_and_saved("/tests/fixtures/off/").await;

        call("POST", &format!("{base}/app/outage"), &[]).await;
        let refused = server.unsubscribe(&registration).await;
        assert!(matches!(refused, Err(Error::Server { status: 503, .. })), "{refused:?}");
        // The browser is off at once, and stays off: nothing subscribes the user again.
        assert_eq!(registration.subscription().await, Ok(None));
        assert!(server.sync(&registration).await.is_err(), "a page load while it is still down");
        assert_eq!(registration.subscription().await, Ok(None));
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&first.endpoint));

        call("DELETE", &format!("{base}/app/outage"), &[]).await;
        assert_eq!(server.sync(&registration).await, Ok(Synced::TurnedOff));
        assert!(stored_endpoints(&base).await.is_empty());
        assert_eq!(server.sync(&registration).await, Ok(Synced::NotSubscribed));
        assert_eq!(registration.subscription().await, Ok(None));

        // Turned on again: the opt-out is over, and a lost subscription is repaired again.
        let again = registration.subscribe(&ApplicationServerKey::from_base64url(KEY).unwrap()).await.unwrap();
        server.save(&again).await.unwrap();
        assert_eq!(server.sync(&registration).await, Ok(Synced::UpToDate));
        registration.unsubscribe().await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn a_removal_stands_on_the_next_page_load_and_the_browser_follows_it() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, server, registration, first) = subscribed_and_saved("/tests/fixtures/removed/").await;
        assert_eq!(server.remove(&first).await, Ok(()));
        assert!(stored_endpoints(&base).await.is_empty());
        // The next page load does not send the removed subscription again: it ends it in the
        // browser too, so both sides say the user is off.
        assert_eq!(server.sync(&registration).await, Ok(Synced::TurnedOff));
        assert!(stored_endpoints(&base).await.is_empty(), "the page load undid the removal");
        assert_eq!(registration.subscription().await, Ok(None));
        assert_eq!(server.sync(&registration).await, Ok(Synced::NotSubscribed));
        assert!(stored_endpoints(&base).await.is_empty());
    }

    #[wasm_bindgen_test]
    async fn an_opt_out_left_to_finish_also_ends_a_subscription_the_worker_made_meanwhile() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, server, registration, first) = subscribed_and_saved("/tests/fixtures/opt-out-change/").await;
        call("POST", &format!("{base}/app/outage"), &[]).await;
        assert!(server.remove(&first).await.is_err());
        call("DELETE", &format!("{base}/app/outage"), &[]).await;
        // Meanwhile the push service ended the subscription and the worker's
        // `pushsubscriptionchange` made another and saved it, as the worker does: not through
        // `Registration::subscribe`, which would have ended the opt-out.
        drop_behind_the_back(&registration).await;
        let options = web_sys::PushSubscriptionOptionsInit::new();
        options.set_user_visible_only(true);
        let key = ApplicationServerKey::from_base64url(KEY).unwrap();
        options.set_application_server_key(&js_sys::Uint8Array::from(&key.as_bytes()[..]));
        let manager = registration.as_raw().push_manager().unwrap();
        JsFuture::from(manager.subscribe_with_options(&options).unwrap()).await.unwrap();
        let second = registration.subscription().await.unwrap().unwrap();
        assert_ne!(second.endpoint, first.endpoint);
        server.replace(Some(&first.endpoint), &second).await.unwrap();
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&second.endpoint));
        // The next page load finishes the opt-out the user chose: off in the browser and on
        // the server, the worker's subscription included.
        assert_eq!(server.sync(&registration).await, Ok(Synced::TurnedOff));
        assert_eq!(registration.subscription().await, Ok(None));
        assert!(stored_endpoints(&base).await.is_empty(), "{:?}", stored_endpoints(&base).await);
    }

    #[wasm_bindgen_test]
    async fn a_subscribe_clicked_while_a_page_load_finishes_an_opt_out_stands_in_the_browser_and_on_the_server() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, server, registration, first) = subscribed_and_saved("/tests/fixtures/opt-out-race/").await;
        // The user removed the subscription while the server was down: an opt-out for the next
        // page load to finish, with the browser still subscribed.
        call("POST", &format!("{base}/app/outage"), &[]).await;
        assert!(server.remove(&first).await.is_err());
        call("DELETE", &format!("{base}/app/outage"), &[]).await;
        // The page load finishes the opt-out while the user clicks to turn notifications on.
        let key = ApplicationServerKey::from_base64url(KEY).unwrap();
        let click = async {
            let subscription = registration.subscribe(&key).await?;
            server.save(&subscription).await?;
            Ok::<_, Error>(subscription)
        };
        let (_, clicked) = futures_util::future::join(server.sync(&registration), click).await;
        let on = clicked.unwrap();
        // What the user chose last is on: the browser holds the subscription the page shows,
        // and the server stores exactly it.
        assert_eq!(registration.subscription().await, Ok(Some(on.clone())), "the user was shown as on");
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&on.endpoint));
        assert_eq!(server.sync(&registration).await, Ok(Synced::UpToDate));
        registration.unsubscribe().await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn two_tabs_subscribing_at_once_end_with_one_subscription_and_one_stored_row() {
        if !common::can_subscribe_here().await {
            return;
        }
        let base = fresh_app_server().await;
        let registration = ready_registration("/tests/fixtures/tabs/").await;
        // Two pages of the origin share the registration; each runs the whole flow at the same time.
        let flow = || async {
            let subscription =
                registration.subscribe(&ApplicationServerKey::from_base64url(KEY).unwrap()).await.unwrap();
            AppServer::new(format!("{base}/app/subscription")).save(&subscription).await.unwrap();
            subscription
        };
        let (one, other) = futures_util::future::join(flow(), flow()).await;
        let current = registration.subscription().await.unwrap().expect("subscribed");
        assert_eq!(one.endpoint, other.endpoint);
        assert_eq!(one, current);
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&current.endpoint));
        registration.unsubscribe().await.unwrap();
    }
}
