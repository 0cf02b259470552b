//! The worker runtime inside a real service worker: push event in, notification out, read back
//! with `getNotifications()`.
#![cfg(target_arch = "wasm32")]

use serde_json::json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_push::testing::fixtures::{click_target_in_worker, CLICK_TABLE, TABLE_SCOPE};
use wasm_push::window::{AppServer, Registration};
use wasm_push::worker::{Runtime, WorkerConfig};
use wasm_push::{click_target, ApplicationServerKey, Fallback};
use web_sys::{
    Notification, NotificationEvent, NotificationEventInit, PushEvent, PushEventInit, ServiceWorkerGlobalScope,
};

mod common;

use common::{call, fresh_app_server, requests_seen, stored_endpoints, KEY};
use wasm_push::testing::{click, push, subscription_change, PushData, RecordingAppServer, Shown};

/// A subscription the recording app server acknowledged, then dropped by the push service: the
/// server's base URL, its subscription URL, the registration, and the old subscription (also
/// as the browser's object, for `oldSubscription`).
async fn subscribed_and_dropped() -> (String, String, Registration, wasm_push::Subscription, JsValue) {
    let base = fresh_app_server().await;
    let url = format!("{base}/app/subscription");
    let registration = Registration::from_raw(registration());
    let old = registration.subscribe(&ApplicationServerKey::from_base64url(KEY).unwrap()).await.unwrap();
    AppServer::new(url.as_str()).save(&old).await.unwrap();
    let raw_old =
        JsFuture::from(registration.as_raw().push_manager().unwrap().get_subscription().unwrap()).await.unwrap();
    assert!(registration.unsubscribe().await.unwrap());
    (base, url, registration, old, raw_old)
}

wasm_bindgen_test_configure!(run_in_service_worker);

fn push_event(data: Option<JsValue>) -> PushEvent {
    let init = PushEventInit::new();
    if let Some(data) = data {
        init.set_data(&data);
    }
    PushEvent::new_with_event_init_dict("push", &init).unwrap()
}

fn text_push(text: &str) -> PushEvent {
    push_event(Some(JsValue::from_str(text)))
}

fn registration() -> web_sys::ServiceWorkerRegistration {
    js_sys::global().unchecked_into::<ServiceWorkerGlobalScope>().registration()
}

/// Every notification this worker shows now.
async fn notifications() -> Vec<Notification> {
    let list = JsFuture::from(registration().get_notifications().unwrap()).await.unwrap();
    js_sys::Array::from(&list).iter().map(|n| n.unchecked_into()).collect()
}

/// Pushes `data` into `runtime` with the test kit, returns what it showed, and closes it all
/// for the next test.
async fn shown_by(runtime: &Runtime, data: impl Into<PushData>) -> Vec<Shown> {
    let shown = push(runtime, data).await.unwrap();
    shown.iter().for_each(|shown| shown.notification.close());
    shown
}

async fn shown_for(data: impl Into<PushData>) -> Vec<Shown> {
    shown_by(&Runtime::new(WorkerConfig::default()), data).await
}

fn titles(shown: &[Shown]) -> Vec<String> {
    shown.iter().map(|shown| shown.title.clone()).collect()
}

/// The titles of the notifications showing now, which are then closed.
async fn titles_now() -> Vec<String> {
    let showing = notifications().await;
    showing.iter().for_each(Notification::close);
    showing.iter().map(Notification::title).collect()
}

fn data_of(notification: &Notification) -> serde_json::Value {
    let text = js_sys::JSON::stringify(&notification.data()).unwrap();
    serde_json::from_str(&String::from(text)).unwrap()
}

fn only<'a>(shown: &'a [Shown], tag: &str) -> &'a Notification {
    let ours: Vec<_> = shown.iter().filter(|shown| shown.tag == tag).collect();
    assert_eq!(ours.len(), 1, "exactly one notification tagged {tag:?}; shown: {:?}", titles(shown));
    &ours[0].notification
}

#[wasm_bindgen_test]
async fn a_json_push_shows_its_title_body_tag_and_data() {
    let payload = json!({
        "title": "Hello from a push", "body": "It works", "tag": "json-1",
        "icon": "/icon.png", "lang": "en-GB", "dir": "ltr", "url": "/orders/1",
        "data": {"order": 1}
    });
    let shown = shown_for(payload).await;
    let notification = only(&shown, "json-1");
    assert_eq!(notification.title(), "Hello from a push");
    assert_eq!(notification.body().as_deref(), Some("It works"));
    assert!(notification.icon().unwrap_or_default().ends_with("/icon.png"));
    assert_eq!(notification.lang().as_deref(), Some("en-GB"));
    assert_eq!(notification.dir(), web_sys::NotificationDirection::Ltr);
    let data = data_of(notification);
    assert_eq!(data["url"], "/orders/1");
    assert_eq!(data["data"], json!({"order": 1}));
}

#[wasm_bindgen_test]
async fn actions_reach_the_notification_up_to_the_browsers_max_actions() {
    let payload = json!({
        "title": "Actions", "tag": "actions-1",
        "actions": [
            {"action": "open", "title": "Open it", "url": "/a"}, {"action": "later", "title": "Later"},
            {"action": "third", "title": "Third", "url": "/c"}, {"action": "fourth", "title": "Fourth", "url": "/d"}
        ]
    });
    let shown = shown_for(payload).await;
    let notification = only(&shown, "actions-1");
    let max = js_sys::Reflect::get(&js_sys::global(), &"Notification".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"maxActions".into()))
        .ok()
        .and_then(|m| m.as_f64());
    // The click URLs kept are those of the buttons shown.
    let expected_urls = match max.map(|m| m as usize) {
        Some(0) => json!({}),
        Some(1) => json!({"open": "/a"}),
        Some(2) => json!({"open": "/a"}),
        Some(3) => json!({"open": "/a", "third": "/c"}),
        _ => json!({"open": "/a", "third": "/c", "fourth": "/d"}),
    };
    assert_eq!(data_of(notification)["actions"], expected_urls, "Notification.maxActions is {max:?}");
    let actions = js_sys::Reflect::get(notification, &"actions".into()).unwrap();
    if actions.is_undefined() {
        console_log!("SKIPPED: this browser has no Notification.actions");
        return;
    }
    let labels: Vec<String> = js_sys::Array::from(&actions)
        .iter()
        .map(|a| js_sys::Reflect::get(&a, &"title".into()).unwrap().as_string().unwrap())
        .collect();
    let expected = ["Open it", "Later", "Third", "Fourth"];
    let max = max.map_or(4, |m| m as usize);
    assert_eq!(labels, expected[..max.min(4)], "Notification.maxActions is {max}");
}

#[wasm_bindgen_test]
async fn a_declarative_web_push_message_shows_its_notification() {
    let message = json!({"web_push": 8030, "notification": {"title": "Declared", "body": "by the spec", "navigate": "/news", "tag": "dwp-1"}});
    let shown = shown_for(message).await;
    let notification = only(&shown, "dwp-1");
    assert_eq!(notification.title(), "Declared");
    assert_eq!(notification.body().as_deref(), Some("by the spec"));
    assert_eq!(data_of(notification)["url"], "/news");
}

#[wasm_bindgen_test]
async fn an_angular_swpush_message_shows_and_clicks_where_angular_would_open() {
    let runtime = Runtime::new(WorkerConfig::default());
    let message = json!({"notification": {"title": "From Angular", "tag": "ng-1",
        "actions": [{"action": "open", "title": "Open"}],
        "data": {"onActionClick": {"default": {"operation": "openWindow", "url": "/inbox"},
                                   "open": {"operation": "navigateLastFocusedOrOpen", "url": "/inbox/7"}}}}});
    let shown = shown_by(&runtime, message).await;
    assert_eq!(titles(&shown), ["From Angular"]);
    let scope = registration().scope();
    let at = |path: &str| web_sys::Url::new_with_base(path, &scope).unwrap().href();
    assert_eq!(click(&runtime, &shown[0], "").await.unwrap(), at("/inbox"));
    assert_eq!(click(&runtime, &shown[0], "open").await.unwrap(), at("/inbox/7"));
}

#[wasm_bindgen_test]
async fn a_declarative_proposal_as_safari_delivers_it_is_shown_after_the_hooks_with_its_own_click_url() {
    let runtime = Runtime::new(WorkerConfig::default()).transform(|mut payload| {
        payload.title = format!("Acme: {}", payload.title);
        payload
    });
    let proposal = json!({"title": "Proposed", "body": "by the server", "navigate": "/news/1", "tag": "dwp-safari",
        "data": {"id": 1}, "actions": [{"action": "more", "title": "More", "navigate": "/news/1#more"}]});
    let shown = shown_by(&runtime, PushData::Proposed { notification: proposal, app_badge: Some(4) }).await;
    assert_eq!(titles(&shown), ["Acme: Proposed"], "the hooks changed the proposal, and it shows once");
    assert_eq!((shown[0].body.as_str(), shown[0].data.clone()), ("by the server", json!({"id": 1})));
    let scope = registration().scope();
    let at = |path: &str| web_sys::Url::new_with_base(path, &scope).unwrap().href();
    assert_eq!(click(&runtime, &shown[0], "").await.unwrap(), at("/news/1"));
    assert_eq!(click(&runtime, &shown[0], "more").await.unwrap(), at("/news/1#more"));
}

#[wasm_bindgen_test]
async fn a_push_without_data_fetches_its_content_with_no_content_type_so_no_cors_preflight() {
    // The worker's fetch, recorded: a GET with `Content-Type: application/json` is not a
    // simple request, so a content server on another origin would first get an OPTIONS.
    let record = js_sys::Function::new_no_args(
        "const real = self.fetch; self.seenTypes = []; \
         self.fetch = (request) => (self.seenTypes.push(request.headers.get('content-type')), \
           Promise.resolve(new Response('{\"title\": \"Fetched\"}', { headers: { 'content-type': 'application/json' } }))); \
         return () => { self.fetch = real; };",
    );
    let restore: js_sys::Function = record.call0(&JsValue::NULL).unwrap().unchecked_into();
    let runtime = Runtime::new(WorkerConfig::from_query("fetch_url=https://content.example/latest&cross_origin=1"));
    let shown = push(&runtime, PushData::Empty).await;
    restore.call0(&JsValue::NULL).unwrap();
    let shown = shown.unwrap();
    shown.iter().for_each(|shown| shown.notification.close());
    assert_eq!(titles(&shown), ["Fetched"]);
    let seen = js_sys::Reflect::get(&js_sys::global(), &"seenTypes".into()).unwrap();
    assert_eq!(js_sys::JSON::stringify(&seen).unwrap(), "[null]");
}

#[wasm_bindgen_test]
async fn the_test_kit_says_what_to_give_a_browser_that_does_not_permit_notifications() {
    // A browser started without the webdriver.json that allows notifications; the real
    // `Notification.permission` (an own accessor of the constructor) is put back after.
    let deny = js_sys::Function::new_no_args(
        "const real = Object.getOwnPropertyDescriptor(Notification, 'permission'); \
         Object.defineProperty(Notification, 'permission', { get: () => 'denied', configurable: true }); \
         return () => Object.defineProperty(Notification, 'permission', real);",
    );
    let restore: js_sys::Function = deny.call0(&JsValue::NULL).unwrap().unchecked_into();
    let refused = push(&Runtime::new(WorkerConfig::default()), "anything").await;
    restore.call0(&JsValue::NULL).unwrap();
    let permission = js_sys::Reflect::get(&js_sys::global(), &"Notification".into())
        .and_then(|notification| js_sys::Reflect::get(&notification, &"permission".into()))
        .unwrap();
    assert_eq!(permission.as_string().as_deref(), Some("granted"), "the real permission is back");
    let Err(refused) = refused else { panic!("the kit pushed in a browser that denies notifications") };
    let said = js_sys::Reflect::get(&refused, &"message".into()).unwrap();
    let said = said.as_string().unwrap();
    assert!(said.contains("\"denied\"") && said.contains("webdriver.json"), "{said}");
}

#[wasm_bindgen_test]
fn the_settings_mean_what_the_browsers_url_search_params_read_in_the_same_query() {
    // The shim's fallback reads the query with URLSearchParams; Rust must read the same values.
    let global = js_sys::global();
    let params: js_sys::Function = js_sys::Reflect::get(&global, &"URLSearchParams".into()).unwrap().unchecked_into();
    for query in [
        "title=First&title=Second",
        "title=&title=Second",
        "title&title=Second",
        "%74itle=Encoded&title=Plain",
        "&&title=After+gaps&",
        "?title=Leading",
        "??title=Two+marks",
        "title=%C3%A9t%C3%A9",
        "title=%zz%",
        "title=a%2",
        "title=%FF%FE",
        "title=a=b",
        "title=%2B+plus",
    ] {
        let read = js_sys::Reflect::construct(&params, &js_sys::Array::of1(&query.into())).unwrap();
        let get: js_sys::Function = js_sys::Reflect::get(&read, &"get".into()).unwrap().unchecked_into();
        let browser = get.call1(&read, &"title".into()).unwrap().as_string().filter(|title| !title.is_empty());
        let title = browser.unwrap_or(Fallback::default().title);
        assert_eq!(WorkerConfig::from_query(query).fallback.title, title, "{query}");
    }
}

#[wasm_bindgen_test]
async fn a_plain_text_push_is_the_body_under_the_configured_title() {
    let config = WorkerConfig::from_query("title=Acme%20News");
    let shown = shown_by(&Runtime::new(config), "The doors open at 9").await;
    assert_eq!(titles(&shown), ["Acme News"]);
    assert_eq!(shown[0].body, "The doors open at 9");
}

#[wasm_bindgen_test]
async fn an_empty_push_still_shows_the_fallback_notification() {
    let shown = shown_for(PushData::Empty).await;
    assert_eq!(titles(&shown), [Fallback::default().title]);
    assert_eq!(shown[0].body, Fallback::default().body);
}

#[wasm_bindgen_test]
async fn malformed_json_and_bytes_that_are_not_utf8_still_show_a_notification() {
    let shown = shown_for(r#"{"title": "unterminated"#).await;
    assert_eq!(titles(&shown), [Fallback::default().title]);
    let shown = shown_for(&[0xff, 0xfe, 0x00, 0x80][..]).await;
    assert_eq!(titles(&shown), [Fallback::default().title]);
    assert_eq!(shown[0].body, Fallback::default().body);
}

#[wasm_bindgen_test]
async fn options_a_browser_would_refuse_do_not_lose_the_notification() {
    // Chromium throws on renotify without a tag and on vibration with silent.
    let payload = json!({"title": "Still shown", "renotify": true, "silent": true, "vibrate": [200, 100, 200]});
    let shown = shown_for(payload).await;
    assert_eq!(titles(&shown), ["Still shown"]);
}

#[wasm_bindgen_test]
async fn an_empty_tag_or_icon_is_no_tag_or_icon_so_the_push_shows_as_sent_with_the_default_icon() {
    // Chromium throws on renotify with the tag "", which showed the fallback instead.
    let runtime = Runtime::new(WorkerConfig::from_query("icon=/default-icon.png"));
    let payload =
        json!({"title": "Order shipped", "body": "Out for delivery", "tag": "", "renotify": true, "icon": ""});
    let shown = shown_by(&runtime, payload).await;
    assert_eq!(titles(&shown), ["Order shipped"]);
    assert_eq!(shown[0].body, "Out for delivery");
    assert!(shown[0].notification.icon().unwrap_or_default().ends_with("/default-icon.png"));
    // A hook that blanks a field: the same.
    let blanking = Runtime::new(WorkerConfig::from_query("icon=/default-icon.png")).transform(|mut payload| {
        payload.tag = Some(String::new());
        payload.icon = Some("  ".into());
        payload.renotify = true;
        payload
    });
    let shown = shown_by(&blanking, json!({"title": "Blanked by a hook"})).await;
    assert_eq!(titles(&shown), ["Blanked by a hook"]);
    assert!(shown[0].notification.icon().unwrap_or_default().ends_with("/default-icon.png"));
    // Safari's proposal, read from a Notification object (whose icon is "" when none is set).
    let proposal = json!({"title": "Proposed", "tag": "", "renotify": true, "icon": ""});
    let shown = shown_by(&runtime, PushData::Proposed { notification: proposal, app_badge: None }).await;
    assert_eq!(titles(&shown), ["Proposed"]);
    assert!(shown[0].notification.icon().unwrap_or_default().ends_with("/default-icon.png"));
}

#[wasm_bindgen_test]
async fn a_second_push_with_the_same_tag_replaces_the_first() {
    let runtime = Runtime::new(WorkerConfig::default());
    // Raw pushes: the kit's `push` closes what shows before it pushes.
    JsFuture::from(runtime.push(&text_push(r#"{"title":"First","tag":"score"}"#))).await.unwrap();
    JsFuture::from(runtime.push(&text_push(r#"{"title":"Second","tag":"score"}"#))).await.unwrap();
    assert_eq!(titles_now().await, ["Second"]);
}

#[wasm_bindgen_test]
async fn a_transform_hook_changes_what_is_shown_but_never_shows_twice() {
    let runtime = Runtime::new(WorkerConfig::default()).transform(|mut payload| {
        payload.title = format!("Acme: {}", payload.title);
        payload.tag = Some("hooked".into());
        payload
    });
    let shown = shown_by(&runtime, r#"{"title":"Sale"}"#).await;
    assert_eq!(titles(&shown), ["Acme: Sale"]);

    let blanking = Runtime::new(WorkerConfig::default()).transform(|mut payload| {
        payload.title.clear();
        payload
    });
    let shown = shown_by(&blanking, r#"{"title":"Gone"}"#).await;
    assert_eq!(titles(&shown), [Fallback::default().title], "an emptied title gets the fallback");
}

#[wasm_bindgen_test]
async fn transforms_added_one_after_another_each_run_once_and_one_notification_shows() {
    use std::cell::Cell;
    use std::rc::Rc;
    let calls = Rc::new(Cell::new((0, 0)));
    let (first, second) = (calls.clone(), calls.clone());
    let runtime = Runtime::new(WorkerConfig::default())
        .transform(move |mut payload| {
            first.set((first.get().0 + 1, first.get().1));
            payload.title = format!("Acme: {}", payload.title);
            payload
        })
        .transform(move |mut payload| {
            second.set((second.get().0, second.get().1 + 1));
            payload.title.push_str(" (2)");
            payload.tag = Some("composed".into());
            payload
        });
    JsFuture::from(runtime.push(&text_push(r#"{"title":"One"}"#))).await.unwrap();
    JsFuture::from(runtime.push(&text_push(r#"{"title":"Two"}"#))).await.unwrap();
    assert_eq!(titles_now().await, ["Acme: Two (2)"], "one notification: the second replaced the first by tag");
    assert_eq!(calls.get(), (2, 2), "each transform ran once per push");
}

#[wasm_bindgen_test]
async fn a_transform_hook_that_also_shows_a_notification_still_leaves_one() {
    let runtime = Runtime::new(WorkerConfig::default()).transform(|mut payload| {
        // As code moved from Firebase's onBackgroundMessage would do.
        let _ = registration().show_notification("Shown by the hook");
        payload.title = format!("Changed: {}", payload.title);
        payload
    });
    let shown = shown_by(&runtime, r#"{"title":"Once","tag":"hook-shows"}"#).await;
    assert_eq!(titles(&shown), ["Changed: Once"]);
    // And showNotification works again afterwards.
    JsFuture::from(registration().show_notification("Outside the hook").unwrap()).await.unwrap();
    assert_eq!(titles_now().await, ["Outside the hook"]);
}

/// A promise that fulfils after `milliseconds`, for hooks that wait.
async fn after(milliseconds: i32) {
    let timer = js_sys::Promise::new(&mut |done, _| {
        let scope = js_sys::global().unchecked_into::<web_sys::WorkerGlobalScope>();
        scope.set_timeout_with_callback_and_timeout_and_arguments_0(&done, milliseconds).unwrap();
    });
    JsFuture::from(timer).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_async_transform_waits_for_what_it_reads_after_the_sync_ones_and_its_payload_is_shown() {
    let runtime = Runtime::new(WorkerConfig::default())
        .transform(|mut payload| {
            payload.title = format!("Acme: {}", payload.title);
            payload
        })
        .transform_async(|mut payload| async move {
            after(50).await;
            // What the push-clients recipe reads: the site's windows.
            let scope = js_sys::global().unchecked_into::<ServiceWorkerGlobalScope>();
            let windows = JsFuture::from(scope.clients().match_all()).await?;
            payload.body = Some(format!(
                "{} open; room {}",
                js_sys::Array::from(&windows).length(),
                payload.data.as_ref().unwrap()["room"]
            ));
            payload.tag = Some("waited".into());
            Ok(payload)
        })
        .transform_async(|mut payload| async move {
            after(10).await;
            payload.title.push_str(" (2)");
            Ok(payload)
        });
    let shown = shown_by(&runtime, json!({"title": "Lunch", "data": {"room": "ops"}})).await;
    assert_eq!(titles(&shown), ["Acme: Lunch (2)"], "the sync transform, then each async one in turn");
    assert!(shown[0].body.ends_with(" open; room \"ops\""), "{}", shown[0].body);
    assert_eq!(shown[0].tag, "waited");
}

#[wasm_bindgen_test]
async fn an_async_transform_that_fails_or_misses_the_deadline_leaves_the_push_as_sent_and_one_notification() {
    let failing =
        Runtime::new(WorkerConfig::default()).transform_async(|_| async { Err(JsValue::from_str("no content")) });
    let shown = shown_by(&failing, r#"{"title":"As sent","body":"own words"}"#).await;
    assert_eq!((titles(&shown), shown[0].body.as_str()), (vec!["As sent".to_owned()], "own words"));

    let late = Runtime::new(WorkerConfig::default())
        .transform(|mut payload| {
            payload.tag = Some("late".into());
            payload
        })
        .transform_async(|payload| async move {
            std::future::pending::<()>().await;
            Ok(payload)
        })
        .deadline(200);
    let started = js_sys::Date::now();
    let shown = shown_by(&late, "never waited for").await;
    let waited = js_sys::Date::now() - started;
    assert_eq!(titles(&shown), [Fallback::default().title], "the push's own payload, the sync hooks' change kept");
    assert_eq!((shown[0].body.as_str(), shown[0].tag.as_str()), ("never waited for", "late"));
    assert!((190.0..5_000.0).contains(&waited), "waited {waited} ms for a 200 ms deadline");

    // A first async transform that fails fails the second too: it never runs.
    let second_ran = std::rc::Rc::new(std::cell::Cell::new(false));
    let ran = second_ran.clone();
    let chained = Runtime::new(WorkerConfig::default())
        .transform_async(|_| async { Err(JsValue::NULL) })
        .transform_async(move |payload| {
            ran.set(true);
            async move { Ok(payload) }
        });
    assert_eq!(titles(&shown_by(&chained, r#"{"title":"Chained"}"#).await), ["Chained"]);
    assert!(!second_ran.get());
}

#[wasm_bindgen_test]
async fn an_async_transform_that_shows_its_own_notification_leaves_one_and_pushes_meanwhile_still_show() {
    let runtime = Runtime::new(WorkerConfig::default()).transform_async(|mut payload| async move {
        if payload.title == "Slow" {
            after(150).await;
        }
        // As code moved from onBackgroundMessage would, after awaiting its content.
        let _ = registration().show_notification("Shown by the hook");
        payload.title = format!("Changed: {}", payload.title);
        Ok(payload)
    });
    titles_now().await;
    let slow = JsFuture::from(runtime.push(&text_push(r#"{"title":"Slow","tag":"slow"}"#)));
    // While the slow hook waits, another push (and a notification of the site's own, shown
    // outside any hook) both go through.
    JsFuture::from(runtime.push(&text_push(r#"{"title":"Quick","tag":"quick"}"#))).await.unwrap();
    slow.await.unwrap();
    let mut titles = titles_now().await;
    titles.sort();
    assert_eq!(titles, ["Changed: Quick", "Changed: Slow"]);
    JsFuture::from(registration().show_notification("Outside the hook").unwrap()).await.unwrap();
    assert_eq!(titles_now().await, ["Outside the hook"], "showNotification works again once the hooks are done");
}

#[wasm_bindgen_test]
async fn an_async_click_hook_decides_after_the_sync_ones_held_to_the_origin_and_is_not_waited_for_past_the_deadline() {
    let hooked = |deadline| {
        Runtime::new(WorkerConfig::default())
            .on_click(|click| (click.action == "mute").then(|| "/settings".to_owned()))
            .on_click_async(|click| async move {
                after(30).await;
                match click.data["room"].as_str() {
                    Some("ops") => Some("https://evil.example/".to_owned()),
                    Some("late") => std::future::pending().await,
                    Some(room) => Some(format!("/rooms/{room}?from={}", click.target.rsplit('/').next().unwrap_or(""))),
                    None => None,
                }
            })
            .deadline(deadline)
    };
    let runtime = hooked(20_000);
    let scope = registration().scope();
    let at = |path: &str| web_sys::Url::new_with_base(path, &scope).unwrap().href();
    let shown = shown_by(&runtime, json!({"title": "Room", "url": "/inbox", "data": {"room": "main"}})).await;
    assert_eq!(click(&runtime, &shown[0], "").await.unwrap(), at("/rooms/main?from=inbox"), "it sees the sync target");
    let shown = shown_by(&runtime, json!({"title": "No room", "url": "/inbox"})).await;
    assert_eq!(click(&runtime, &shown[0], "").await.unwrap(), at("/inbox"), "None keeps the target");
    let shown = shown_by(&runtime, json!({"title": "Ops", "url": "/ops", "data": {"room": "ops"}})).await;
    assert_eq!(click(&runtime, &shown[0], "").await.unwrap(), scope, "off-site, the scope opens");
    let late = hooked(100);
    let shown = shown_by(&late, json!({"title": "Late", "url": "/inbox", "data": {"room": "late"}, "actions": [{"action": "mute", "title": "Mute"}]})).await;
    assert_eq!(
        click(&late, &shown[0], "mute").await.unwrap(),
        at("/settings"),
        "past the deadline, the sync hooks' target"
    );
}

#[wasm_bindgen_test]
async fn adding_a_hook_to_a_cloned_runtime_keeps_the_hooks_it_had() {
    let branded = Runtime::new(WorkerConfig::default()).transform(|mut payload| {
        payload.title = format!("Acme: {}", payload.title);
        payload
    });
    let kept = branded.clone();
    let both = branded.on_click(|_| None);
    let shown = shown_by(&both, r#"{"title":"Kept"}"#).await;
    assert_eq!(titles(&shown), ["Acme: Kept"]);
    let shown = shown_by(&kept, r#"{"title":"Still"}"#).await;
    assert_eq!(titles(&shown), ["Acme: Still"]);
}

#[wasm_bindgen_test]
async fn receipts_report_shown_and_closed_to_the_configured_url_and_are_off_by_default() {
    let server = RecordingAppServer::start().await;
    shown_for(r#"{"title":"No receipt","tag":"quiet"}"#).await;

    let runtime = Runtime::new(WorkerConfig::from_query(&format!("receipts_url={}", server.url("receipts"))));
    let shown = push(&runtime, r#"{"title":"Receipt","tag":"receipt-1","data":{"id":9}}"#).await.unwrap();
    let notification = &shown[0].notification;
    notification.close();
    let close = NotificationEvent::new("notificationclose", &NotificationEventInit::new(notification)).unwrap();
    JsFuture::from(runtime.notification_close(&close)).await.unwrap();

    let sent: Vec<_> = server.requests().into_iter().map(|r| (r.method, r.path, r.body)).collect();
    assert_eq!(
        sent,
        [
            (
                "POST".into(),
                "receipts".into(),
                json!({"event": "shown", "tag": "receipt-1", "action": "", "data": {"id": 9}})
            ),
            (
                "POST".into(),
                "receipts".into(),
                json!({"event": "closed", "tag": "receipt-1", "action": "", "data": {"id": 9}})
            ),
        ]
    );
}

#[wasm_bindgen_test]
async fn a_notification_the_site_showed_itself_is_not_closed_opened_or_reported_by_the_runtime() {
    let server = RecordingAppServer::start().await;
    let runtime = Runtime::new(WorkerConfig::from_query(&format!("receipts_url={}", server.url("receipts"))));
    // The site's own worker shows a notification of its own, with a URL in its data.
    let options = web_sys::NotificationOptions::new();
    options.set_tag("site-own");
    options.set_data(&serde_wasm_data(json!({"url": "https://evil.example/", "id": 1})));
    JsFuture::from(registration().show_notification_with_options("The site's own", &options).unwrap()).await.unwrap();
    let own = notifications().await.into_iter().find(|n| n.tag().as_deref() == Some("site-own")).expect("shown");
    let click = NotificationEvent::new("notificationclick", &NotificationEventInit::new(&own)).unwrap();
    JsFuture::from(runtime.notification_click(&click)).await.unwrap();
    let close = NotificationEvent::new("notificationclose", &NotificationEventInit::new(&own)).unwrap();
    JsFuture::from(runtime.notification_close(&close)).await.unwrap();
    assert_eq!(titles_now().await, ["The site's own"], "the runtime closed the site's notification");
    assert!(server.requests().is_empty(), "receipts for a notification the runtime never showed");

    // Ours still are: a close sends its receipt.
    let shown = push(&runtime, json!({"title": "Ours", "tag": "ours"})).await.unwrap();
    let close =
        NotificationEvent::new("notificationclose", &NotificationEventInit::new(&shown[0].notification)).unwrap();
    JsFuture::from(runtime.notification_close(&close)).await.unwrap();
    shown[0].notification.close();
    let events: Vec<_> = server.requests().into_iter().map(|r| r.body["event"].clone()).collect();
    assert_eq!(events, [json!("shown"), json!("closed")]);
}

/// A JSON value as the browser's own object, as a site's script would hand it over.
fn serde_wasm_data(value: serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

#[wasm_bindgen_test]
async fn a_click_goes_to_its_buttons_url_or_the_notifications_and_a_hook_can_send_it_elsewhere() {
    let runtime = Runtime::new(WorkerConfig::default())
        .on_click(|click| (click.action == "mute").then(|| "/settings".to_owned()))
        .on_click(|click| (click.data["room"] == "ops").then(|| "https://evil.example/".to_owned()));
    let payload = json!({"title": "Click me", "tag": "click-1", "url": "/inbox/7", "data": {"room": "main"},
        "actions": [{"action": "reply", "title": "Reply", "url": "/inbox/7#reply"}, {"action": "mute", "title": "Mute"}]});
    let shown = shown_by(&runtime, payload).await;
    let scope = registration().scope();
    let at = |path: &str| web_sys::Url::new_with_base(path, &scope).unwrap().href();
    assert_eq!(click(&runtime, &shown[0], "").await.unwrap(), at("/inbox/7"));
    assert_eq!(click(&runtime, &shown[0], "reply").await.unwrap(), at("/inbox/7#reply"));
    assert_eq!(click(&runtime, &shown[0], "mute").await.unwrap(), at("/settings"), "the hook decides");
    // A hook's URL is held to the worker's origin too: off-site, the scope opens.
    let shown = shown_by(&runtime, json!({"title": "Ops", "data": {"room": "ops"}, "url": "/ops"})).await;
    assert_eq!(click(&runtime, &shown[0], "").await.unwrap(), scope);
}

/// While alive, `PushManager.prototype.subscribe` subscribes nowhere: it answers a made-up
/// subscription (`https://push.example/1`, `/2`, …) and records the key it was asked with, as
/// base64url. For the paths that need no push service to be proven in every browser.
struct SubscribeStandIn {
    original: JsValue,
    asked: js_sys::Array,
}

impl SubscribeStandIn {
    fn install() -> Self {
        let prototype = js_sys::Reflect::get(&js_sys::global(), &"PushManager".into()).unwrap();
        let prototype = js_sys::Reflect::get(&prototype, &"prototype".into()).unwrap();
        let original = js_sys::Reflect::get(&prototype, &"subscribe".into()).unwrap();
        let asked = js_sys::Array::new();
        let make = js_sys::Function::new_with_args(
            "asked",
            "return function (options) {
                const key = btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey)));
                asked.push(key.replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, ''));
                const json = { endpoint: 'https://push.example/' + asked.length, expirationTime: null,
                               keys: { p256dh: 'BPk', auth: 'c2VjcmV0' } };
                const made = { endpoint: json.endpoint, toJSON: () => json };
                return Promise.resolve(Object.setPrototypeOf(made, PushSubscription.prototype));
            };",
        );
        let stand_in = make.call1(&JsValue::NULL, &asked).unwrap();
        js_sys::Reflect::set(&prototype, &"subscribe".into(), &stand_in).unwrap();
        SubscribeStandIn { original, asked }
    }

    fn keys_asked(&self) -> Vec<String> {
        self.asked.iter().map(|key| key.as_string().unwrap()).collect()
    }
}

impl Drop for SubscribeStandIn {
    fn drop(&mut self) {
        let prototype = js_sys::Reflect::get(&js_sys::global(), &"PushManager".into()).unwrap();
        let prototype = js_sys::Reflect::get(&prototype, &"prototype".into()).unwrap();
        js_sys::Reflect::set(&prototype, &"subscribe".into(), &self.original).unwrap();
    }
}

#[wasm_bindgen_test]
async fn a_change_event_with_no_subscription_at_all_subscribes_again_with_the_key_the_page_used() {
    let server = RecordingAppServer::start().await;
    let stand_in = SubscribeStandIn::install();
    let registration = Registration::from_raw(registration());
    let first = registration.subscribe(&ApplicationServerKey::from_base64url(KEY).unwrap()).await.unwrap();
    assert_eq!(first.endpoint, "https://push.example/1");

    // Chrome 138, after permission is granted again: neither oldSubscription nor newSubscription,
    // and this worker has no `key=` setting.
    let runtime = Runtime::new(WorkerConfig::from_query(&format!("subscription_url={}", server.url("subscription"))));
    subscription_change(&runtime, None).await.unwrap();
    assert_eq!(stand_in.keys_asked(), [KEY, KEY], "the page's subscribe, then the worker's, with the same key");
    let sent: Vec<_> = server.requests().into_iter().map(|r| r.body["endpoint"].clone()).collect();
    assert_eq!(sent, [json!("https://push.example/2")]);

    // A user who turned notifications off is not subscribed again.
    registration.unsubscribe().await.unwrap();
    let refused = subscription_change(&runtime, None).await.unwrap_err();
    assert_eq!(refused.as_string().as_deref(), Some("no application server key to subscribe again with"));
    assert_eq!(stand_in.keys_asked().len(), 2);
}

/// Subscribing for real, through the loopback push service `cargo xtask test` points Firefox
/// at: Firefox only (Chromium cannot subscribe without its own push service, so `cargo xtask
/// test` skips this module there).
mod loopback_push_service {
    use super::*;

    #[wasm_bindgen_test]
    async fn pushsubscriptionchange_sends_the_new_subscription_with_the_old_endpoint() {
        if !common::can_subscribe_here().await {
            return;
        }
        let base = fresh_app_server().await;
        let registration = Registration::from_raw(registration());
        let old = registration.subscribe(&ApplicationServerKey::from_base64url(KEY).unwrap()).await.unwrap();
        let push_manager = registration.as_raw().push_manager().unwrap();
        let raw_old = JsFuture::from(push_manager.get_subscription().unwrap()).await.unwrap();
        // What Firefox does when the push service drops a subscription: the old one is gone, and the
        // worker gets the event with `oldSubscription` only.
        assert!(registration.unsubscribe().await.unwrap());

        let config = WorkerConfig::from_query(&format!("subscription_url={base}/app/subscription&cross_origin=1"));
        subscription_change(&Runtime::new(config), Some(raw_old.unchecked_ref())).await.unwrap();

        let new = registration.subscription().await.unwrap().expect("subscribed again with the old key");
        assert_ne!(new.endpoint, old.endpoint);
        let (_, stored) = call("GET", &format!("{base}/app/stored"), &[]).await;
        let mut expected = serde_json::to_value(&new).unwrap();
        expected["oldEndpoint"] = old.endpoint.clone().into();
        assert_eq!(stored["subscriptions"], json!([expected]));
        registration.unsubscribe().await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn pushsubscriptionchange_without_old_subscription_drops_the_endpoint_the_server_was_last_sent() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, url, registration, old, _) = subscribed_and_dropped().await;
        // Firefox before 137: the event says nothing about which subscription was dropped.
        let config = WorkerConfig::from_query(&format!("subscription_url={url}&key={KEY}&cross_origin=1"));
        subscription_change(&Runtime::new(config), None).await.unwrap();

        let new = registration.subscription().await.unwrap().expect("subscribed again with the configured key");
        assert_ne!(new.endpoint, old.endpoint);
        assert_eq!(
            stored_endpoints(&base).await,
            std::slice::from_ref(&new.endpoint),
            "the old row went, from the kept record"
        );
        registration.unsubscribe().await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn pushsubscriptionchange_after_the_user_turned_notifications_off_neither_subscribes_again_nor_tells_the_server(
    ) {
        if !common::can_subscribe_here().await {
            return;
        }
        let base = fresh_app_server().await;
        let url = format!("{base}/app/subscription");
        let registration = Registration::from_raw(registration());
        let old = registration.subscribe(&ApplicationServerKey::from_base64url(KEY).unwrap()).await.unwrap();
        let app_server = AppServer::new(url.as_str());
        app_server.save(&old).await.unwrap();
        // The user turned notifications off: the server removed the row, and the page has not
        // yet had the browser unsubscribe when the push service drops the subscription.
        app_server.remove(&old).await.unwrap();
        assert!(stored_endpoints(&base).await.is_empty());
        let push_manager = registration.as_raw().push_manager().unwrap();
        let raw_old = JsFuture::from(push_manager.get_subscription().unwrap()).await.unwrap();
        assert!(registration.unsubscribe().await.unwrap());
        let before = requests_seen(&base).await;

        let config = WorkerConfig::from_query(&format!("subscription_url={url}&key={KEY}&cross_origin=1"));
        subscription_change(&Runtime::new(config), Some(raw_old.unchecked_ref())).await.unwrap();

        assert_eq!(registration.subscription().await.unwrap(), None, "subscribed again though the user said no");
        assert_eq!(requests_seen(&base).await, before, "the app server was told of a subscription");
        assert!(stored_endpoints(&base).await.is_empty());
        // The opt-out is this test's alone.
        fresh_app_server().await;
    }

    #[wasm_bindgen_test]
    async fn a_redirect_from_the_app_server_is_not_taken_for_its_answer_and_the_subscription_stays_pending() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, _, registration, old, raw_old) = subscribed_and_dropped().await;
        // The session expired: every save is redirected to a page that answers 200.
        let expired = format!("{base}/app/expired");
        let runtime = Runtime::new(WorkerConfig::from_query(&format!("subscription_url={expired}&cross_origin=1")));
        let before = requests_seen(&base).await;
        let given_up = subscription_change(&runtime, Some(raw_old.unchecked_ref())).await;
        assert!(given_up.is_err(), "a redirect was taken for the server's answer");
        assert_eq!(requests_seen(&base).await - before, 4, "it offered the subscription four times");
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&old.endpoint));
        registration.unsubscribe().await.unwrap();
    }

    #[wasm_bindgen_test]
    async fn a_changed_subscription_the_server_could_not_take_is_sent_after_the_next_push() {
        if !common::can_subscribe_here().await {
            return;
        }
        let (base, url, registration, old, raw_old) = subscribed_and_dropped().await;

        // The app server is down through every try of the event (about 7 s of growing waits).
        call("POST", &format!("{base}/app/outage"), &[]).await;
        let runtime = Runtime::new(WorkerConfig::from_query(&format!("subscription_url={url}&cross_origin=1")));
        let before = requests_seen(&base).await;
        let given_up = subscription_change(&runtime, Some(raw_old.unchecked_ref())).await;
        assert!(given_up.is_err(), "the event reports that the server never took it");
        assert_eq!(requests_seen(&base).await - before, 4, "it offered the subscription four times");
        let new = registration.subscription().await.unwrap().expect("subscribed again with the old key");
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&old.endpoint));

        // Back up: the next push shows its notification and then sends what was pending.
        call("DELETE", &format!("{base}/app/outage"), &[]).await;
        JsFuture::from(runtime.push(&text_push(r#"{"title":"after the outage","tag":"outage"}"#))).await.unwrap();
        assert_eq!(stored_endpoints(&base).await, std::slice::from_ref(&new.endpoint));
        for notification in notifications().await {
            notification.close();
        }
        registration.unsubscribe().await.unwrap();
    }
}

/// The tests that need no push event and no notification: they run in every engine, WebKitGTK
/// too (which has no `PushEvent` and denies notifications), where `cargo xtask test` runs only
/// this module.
mod without_push {
    use super::*;

    #[wasm_bindgen_test]
    fn click_targets_agree_with_the_browsers_own_url_parser() {
        let scope_origin = web_sys::Url::new(TABLE_SCOPE).unwrap().origin();
        for (requested, expected) in CLICK_TABLE {
            let target = click_target(TABLE_SCOPE, Some(requested));
            assert_eq!(target, *expected, "{requested:?}");
            // Whatever we decided stays on the scope's origin…
            assert_eq!(web_sys::Url::new(&target).unwrap().origin(), scope_origin, "{requested:?}");
            // …and where we follow the requested URL, the browser resolves it to the same place.
            if target != TABLE_SCOPE {
                let browser = web_sys::Url::new_with_base(requested, TABLE_SCOPE).unwrap().href();
                assert_eq!(browser, target, "{requested:?}");
            }
        }
    }

    #[wasm_bindgen_test]
    fn the_worker_reading_urls_with_the_browsers_parser_sends_every_click_where_the_table_says() {
        for (requested, expected) in CLICK_TABLE {
            assert_eq!(click_target_in_worker(TABLE_SCOPE, Some(requested)), *expected, "{requested:?}");
        }
        // The scope's default port is the same origin, written or not; an unreadable scope never
        // yields another target.
        let scope = "https://app.example/";
        assert_eq!(click_target_in_worker(scope, Some("https://app.example:443/a")), "https://app.example/a");
        assert_eq!(click_target_in_worker("not a url", Some("/x")), "not a url");
        assert_eq!(click_target_in_worker(scope, Some("\t\n ")), scope, "blank is nothing asked for");
    }
}
