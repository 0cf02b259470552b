//! The worker runtime inside a real service worker: push event in, notification out.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_push::{worker, Fallback};
use web_sys::{Notification, PushEvent, PushEventInit, ServiceWorkerGlobalScope};

wasm_bindgen_test_configure!(run_in_service_worker);

fn push_event(data: Option<&str>) -> PushEvent {
    let init = PushEventInit::new();
    if let Some(data) = data {
        init.set_data(&JsValue::from_str(data));
    }
    PushEvent::new_with_event_init_dict("push", &init).unwrap()
}

/// Shows the push, then reads back every notification of this worker and closes them.
async fn shown_for(event: &PushEvent) -> Vec<Notification> {
    JsFuture::from(worker::show_push(event, &Fallback::default())).await.unwrap();
    let scope: ServiceWorkerGlobalScope = js_sys::global().unchecked_into();
    let list = JsFuture::from(scope.registration().get_notifications().unwrap()).await.unwrap();
    let shown: Vec<Notification> = js_sys::Array::from(&list).iter().map(|n| n.unchecked_into()).collect();
    for notification in &shown {
        notification.close();
    }
    shown
}

#[wasm_bindgen_test]
async fn a_json_push_shows_its_title_body_and_tag() {
    let event = push_event(Some(r#"{"title":"Hello from a push","body":"It works","tag":"json-1"}"#));
    let shown = shown_for(&event).await;
    let ours: Vec<_> = shown.iter().filter(|n| n.tag().as_deref() == Some("json-1")).collect();
    assert_eq!(ours.len(), 1, "exactly one notification for the push");
    assert_eq!(ours[0].title(), "Hello from a push");
    assert_eq!(ours[0].body().as_deref(), Some("It works"));
}

#[wasm_bindgen_test]
async fn an_empty_push_still_shows_the_fallback_notification() {
    let shown = shown_for(&push_event(None)).await;
    assert!(
        shown.iter().any(|n| n.title() == Fallback::default().title && n.body() == Some(Fallback::default().body)),
        "titles shown: {:?}",
        shown.iter().map(|n| n.title()).collect::<Vec<_>>()
    );
}
