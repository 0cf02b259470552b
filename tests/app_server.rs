//! What a Rust app server does with the crate, natively: the `web-push` crate takes a
//! `Subscription`'s JSON as it is, and `wasm_push::server` sends a `NotificationPayload` to it
//! through the loopback push service, to a scripted browser that decrypts it (RFC 8291) after
//! the service checked the VAPID signature (RFC 8292).
#![cfg(not(target_arch = "wasm32"))]

use push_service::testing::ScriptedBrowser;
use push_service::PushService;
use serde_json::json;
use wasm_push::server::{Push, Sender, Urgency, VapidKeys, VapidSubject, MAX_PAYLOAD_BYTES};
use wasm_push::{decode_push, Error, Fallback, NotificationPayload, Subscription};

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

fn sender(keys: &VapidKeys) -> Sender {
    Sender::new(keys.clone(), VapidSubject::new("mailto:ops@shop.example").unwrap())
}

/// A browser subscribed through the loopback push service for `keys`' public half.
async fn subscribed(
    service: &PushService,
    keys: &VapidKeys,
) -> (ScriptedBrowser, push_service::testing::BrowserSubscription, Subscription) {
    let mut browser = ScriptedBrowser::connect(service, None).await;
    let sub = browser.subscribe(&keys.public_key().to_base64url()).await;
    let subscription: Subscription = serde_json::from_value(sub.to_json()).unwrap();
    (browser, sub, subscription)
}

#[tokio::test]
async fn a_payload_sent_by_the_server_side_arrives_as_the_browser_decrypts_it() {
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let keys = VapidKeys::generate().unwrap();
    let (mut browser, sub, subscription) = subscribed(&service, &keys).await;
    let payload =
        NotificationPayload { body: Some("Out for delivery".into()), ..NotificationPayload::new("Order #42") };
    let push = Push::new(&payload).ttl(60).urgency(Urgency::High).topic("order-42");
    assert_eq!(sender(&keys).send(&subscription, &push).await, Ok(()));
    let received = browser.receive(&sub).await;
    assert_eq!(decode_push(Some(received.as_bytes()), &Fallback::default()), payload);
}

#[tokio::test]
async fn what_the_push_service_refuses_comes_back_as_what_to_do() {
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let keys = VapidKeys::generate().unwrap();
    let (mut browser, sub, subscription) = subscribed(&service, &keys).await;
    let small = NotificationPayload::new("Hi");

    // Too large for Web Push: refused here, nothing sent.
    let big = NotificationPayload { body: Some("x".repeat(4000)), ..NotificationPayload::new("Big") };
    let bytes = serde_json::to_vec(&big).unwrap().len();
    assert_eq!(
        sender(&keys).send(&subscription, &Push::new(&big)).await,
        Err(Error::PayloadTooLarge { bytes, max: Some(MAX_PAYLOAD_BYTES) })
    );
    browser.expect_silence().await;

    // Signed with another key than the one the browser subscribed with.
    let other = VapidKeys::generate().unwrap();
    assert_eq!(sender(&other).send(&subscription, &Push::new(&small)).await, Err(Error::VapidRejected { status: 403 }));

    // An endpoint the service never issued, and one whose browser unsubscribed: delete them.
    let mut unknown = subscription.clone();
    unknown.endpoint.push_str("-unknown");
    assert_eq!(sender(&keys).send(&unknown, &Push::new(&small)).await, Err(Error::SubscriptionGone { status: 404 }));
    browser.send(json!({"messageType": "unregister", "channelID": sub.channel_id})).await;
    assert_eq!(browser.recv().await["status"], 200);
    assert_eq!(
        sender(&keys).send(&subscription, &Push::new(&small)).await,
        Err(Error::SubscriptionGone { status: 410 })
    );

    // No push service there at all.
    let mut nowhere = subscription.clone();
    nowhere.endpoint = "http://127.0.0.1:9/push/x".into();
    assert!(matches!(sender(&keys).send(&nowhere, &Push::new(&small)).await, Err(Error::PushServiceUnreachable(_))));
}
