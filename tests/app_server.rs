//! What a Rust app server does with the shared types, natively: the `web-push` crate takes a
//! `Subscription`'s JSON as it is and encrypts a `NotificationPayload` for it.
#![cfg(not(target_arch = "wasm32"))]

use wasm_push::{decode_push, Fallback, NotificationPayload, Subscription};

const BROWSER_JSON: &str = r#"{"endpoint":"http://127.0.0.1:9/push/0c9f","expirationTime":null,"keys":{"auth":"x7aPzMh8OBZ3WDnsHjbBQQ","p256dh":"BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"}}"#;

#[test]
fn the_web_push_crate_takes_the_subscription_json_as_it_is_and_encrypts_a_payload_for_it() {
    let sub: Subscription = serde_json::from_str(BROWSER_JSON).unwrap();
    let info: web_push::SubscriptionInfo = serde_json::from_str(&serde_json::to_string(&sub).unwrap()).unwrap();
    assert_eq!(info.endpoint, sub.endpoint);
    assert_eq!(info.keys.p256dh, sub.keys.p256dh);
    assert_eq!(info.keys.auth, sub.keys.auth);
    let payload = serde_json::to_vec(&NotificationPayload::new("Order #42")).unwrap();
    assert_eq!(decode_push(Some(&payload), &Fallback::default()).title, "Order #42");
    let mut builder = web_push::WebPushMessageBuilder::new(&info);
    builder.set_payload(web_push::ContentEncoding::Aes128Gcm, &payload);
    let message = builder.build().unwrap();
    assert_eq!(message.endpoint.to_string(), sub.endpoint);
    assert!(message.payload.unwrap().content.len() > payload.len(), "encrypted, with its header and tag");
}
