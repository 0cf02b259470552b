//! The worker runtime inside a real service worker: push event in, notification out, read back
//! with `getNotifications()`.
#![cfg(target_arch = "wasm32")]

use serde_json::json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_push::worker::Runtime;
use wasm_push::{click_target, Fallback, WorkerConfig, CLICK_TABLE, TABLE_SCOPE};
use web_sys::{Notification, PushEvent, PushEventInit, ServiceWorkerGlobalScope};

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

fn bytes_push(bytes: &[u8]) -> PushEvent {
    push_event(Some(js_sys::Uint8Array::from(bytes).buffer().into()))
}

fn registration() -> web_sys::ServiceWorkerRegistration {
    js_sys::global().unchecked_into::<ServiceWorkerGlobalScope>().registration()
}

/// Every notification this worker shows now.
async fn notifications() -> Vec<Notification> {
    let list = JsFuture::from(registration().get_notifications().unwrap()).await.unwrap();
    js_sys::Array::from(&list).iter().map(|n| n.unchecked_into()).collect()
}

/// Handles the push with `runtime`, returns what is shown, and closes it all for the next test.
async fn shown_by(runtime: &Runtime, event: &PushEvent) -> Vec<Notification> {
    JsFuture::from(runtime.push(event)).await.unwrap();
    let shown = notifications().await;
    for notification in &shown {
        notification.close();
    }
    shown
}

async fn shown_for(event: &PushEvent) -> Vec<Notification> {
    shown_by(&Runtime::new(WorkerConfig::default()), event).await
}

fn titles(shown: &[Notification]) -> Vec<String> {
    shown.iter().map(|n| n.title()).collect()
}

fn data_of(notification: &Notification) -> serde_json::Value {
    let text = js_sys::JSON::stringify(&notification.data()).unwrap();
    serde_json::from_str(&String::from(text)).unwrap()
}

fn only<'a>(shown: &'a [Notification], tag: &str) -> &'a Notification {
    let ours: Vec<_> = shown.iter().filter(|n| n.tag().as_deref() == Some(tag)).collect();
    assert_eq!(ours.len(), 1, "exactly one notification tagged {tag:?}; shown: {:?}", titles(shown));
    ours[0]
}

#[wasm_bindgen_test]
async fn a_json_push_shows_its_title_body_tag_and_data() {
    let payload = json!({
        "title": "Hello from a push", "body": "It works", "tag": "json-1",
        "icon": "/icon.png", "lang": "en-GB", "dir": "ltr", "url": "/orders/1",
        "data": {"order": 1}
    });
    let shown = shown_for(&text_push(&payload.to_string())).await;
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
async fn actions_reach_the_notification_where_the_browser_shows_them() {
    let payload = json!({
        "title": "Actions", "tag": "actions-1",
        "actions": [{"action": "open", "title": "Open it", "url": "/a"}, {"action": "later", "title": "Later"}]
    });
    let shown = shown_for(&text_push(&payload.to_string())).await;
    let notification = only(&shown, "actions-1");
    assert_eq!(data_of(notification)["actions"], json!({"open": "/a"}));
    let actions = js_sys::Reflect::get(notification, &"actions".into()).unwrap();
    if actions.is_undefined() {
        console_log!("SKIPPED: this browser has no Notification.actions");
        return;
    }
    let labels: Vec<String> = js_sys::Array::from(&actions)
        .iter()
        .map(|a| js_sys::Reflect::get(&a, &"title".into()).unwrap().as_string().unwrap())
        .collect();
    let max = js_sys::Reflect::get(&js_sys::global(), &"Notification".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"maxActions".into()))
        .ok()
        .and_then(|m| m.as_f64())
        .unwrap_or(0.0) as usize;
    let expected = ["Open it", "Later"];
    assert_eq!(labels, expected[..max.min(2)], "Notification.maxActions is {max}");
}

#[wasm_bindgen_test]
async fn a_declarative_web_push_message_shows_its_notification() {
    let message = json!({"web_push": 8030, "notification": {"title": "Declared", "body": "by the spec", "navigate": "/news", "tag": "dwp-1"}});
    let shown = shown_for(&text_push(&message.to_string())).await;
    let notification = only(&shown, "dwp-1");
    assert_eq!(notification.title(), "Declared");
    assert_eq!(notification.body().as_deref(), Some("by the spec"));
    assert_eq!(data_of(notification)["url"], "/news");
}

#[wasm_bindgen_test]
async fn a_plain_text_push_is_the_body_under_the_configured_title() {
    let config = WorkerConfig::from_query("title=Acme%20News");
    let shown = shown_by(&Runtime::new(config), &text_push("The doors open at 9")).await;
    assert_eq!(titles(&shown), ["Acme News"]);
    assert_eq!(shown[0].body().as_deref(), Some("The doors open at 9"));
}

#[wasm_bindgen_test]
async fn an_empty_push_still_shows_the_fallback_notification() {
    let shown = shown_for(&push_event(None)).await;
    assert_eq!(titles(&shown), [Fallback::default().title]);
    assert_eq!(shown[0].body(), Some(Fallback::default().body));
}

#[wasm_bindgen_test]
async fn malformed_json_and_bytes_that_are_not_utf8_still_show_a_notification() {
    let shown = shown_for(&text_push(r#"{"title": "unterminated"#)).await;
    assert_eq!(titles(&shown), [Fallback::default().title]);
    let shown = shown_for(&bytes_push(&[0xff, 0xfe, 0x00, 0x80])).await;
    assert_eq!(titles(&shown), [Fallback::default().title]);
    assert_eq!(shown[0].body(), Some(Fallback::default().body));
}

#[wasm_bindgen_test]
async fn options_a_browser_would_refuse_do_not_lose_the_notification() {
    // Chromium throws on renotify without a tag and on vibration with silent.
    let payload = json!({"title": "Still shown", "renotify": true, "silent": true, "vibrate": [200, 100, 200]});
    let shown = shown_for(&text_push(&payload.to_string())).await;
    assert_eq!(titles(&shown), ["Still shown"]);
}

#[wasm_bindgen_test]
async fn a_second_push_with_the_same_tag_replaces_the_first() {
    let runtime = Runtime::new(WorkerConfig::default());
    JsFuture::from(runtime.push(&text_push(r#"{"title":"First","tag":"score"}"#))).await.unwrap();
    let shown = shown_by(&runtime, &text_push(r#"{"title":"Second","tag":"score"}"#)).await;
    assert_eq!(titles(&shown), ["Second"]);
}

#[wasm_bindgen_test]
async fn a_transform_hook_changes_what_is_shown_but_never_shows_twice() {
    let runtime = Runtime::new(WorkerConfig::default()).transform(|mut payload| {
        payload.title = format!("Acme: {}", payload.title);
        payload.tag = Some("hooked".into());
        payload
    });
    let shown = shown_by(&runtime, &text_push(r#"{"title":"Sale"}"#)).await;
    assert_eq!(titles(&shown), ["Acme: Sale"]);

    let blanking = Runtime::new(WorkerConfig::default()).transform(|mut payload| {
        payload.title.clear();
        payload
    });
    let shown = shown_by(&blanking, &text_push(r#"{"title":"Gone"}"#)).await;
    assert_eq!(titles(&shown), [Fallback::default().title], "an emptied title gets the fallback");
}

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
