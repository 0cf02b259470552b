//! The worker's hooks, tested in a real service worker with wasm-push's test kit: what the user
//! would see, and where a click would take them.
#![cfg(target_arch = "wasm32")]

use serde_json::json;
use wasm_bindgen_test::*;
use wasm_push::testing::{click, push};

wasm_bindgen_test_configure!(run_in_service_worker);

#[wasm_bindgen_test]
async fn every_title_carries_the_brand() {
    let shown =
        push(&tested_worker::runtime(), json!({"title": "Your order shipped", "tag": "order-42"})).await.unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].title, "Acme · Your order shipped");
    assert_eq!(shown[0].tag, "order-42");
}

#[wasm_bindgen_test]
async fn chat_messages_are_shown_under_the_one_chat_tag_with_their_data() {
    let runtime = tested_worker::runtime();
    let shown = push(&runtime, json!({"title": "Ana: 12:30", "tag": "ana", "data": {"chat": 7}})).await.unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!((shown[0].title.as_str(), shown[0].tag.as_str()), ("Acme · Ana: 12:30", "chat"));
    assert_eq!(shown[0].data, json!({"chat": 7}));
    // Not a chat: its own tag stays.
    let shown = push(&runtime, json!({"title": "Invoice", "tag": "invoice-3"})).await.unwrap();
    assert_eq!(shown[0].tag, "invoice-3");
}

#[wasm_bindgen_test]
async fn the_mute_button_opens_the_settings_and_the_rest_open_the_message() {
    let runtime = tested_worker::runtime();
    let message = json!({"title": "Ana", "url": "/chat/7",
        "actions": [{"action": "mute", "title": "Mute"}, {"action": "reply", "title": "Reply", "url": "/chat/7#reply"}]});
    let shown = push(&runtime, message).await.unwrap();
    let mute = click(&runtime, &shown[0], "mute").await.unwrap();
    assert!(mute.ends_with("/settings/notifications"), "{mute}");
    let body = click(&runtime, &shown[0], "").await.unwrap();
    assert!(body.ends_with("/chat/7"), "{body}");
}
