//! The shipped demo page and worker in headless Firefox ESR, subscribed at the loopback push
//! service, receiving a real RFC 8291 message sent with the `web-push` crate.

use e2e::{serve_site, Browser};
use push_service::testing::{send, AppServerKey, DEFAULT};
use push_service::PushService;
use serde_json::{json, Value};

#[tokio::test]
async fn an_encrypted_push_from_the_web_push_crate_shows_in_the_shipped_worker() {
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let site = serve_site().await;
    let browser = Browser::firefox(&service.websocket_url()).await;
    browser.goto(&format!("http://{site}/")).await;
    let status = browser.wait_for_worker().await;
    assert!(status.starts_with("Service worker registered and active"), "{status}");

    let key = AppServerKey::from_seed(42);
    let subscribe = format!(
        "navigator.serviceWorker.ready
           .then(r => r.pushManager.subscribe({{userVisibleOnly: true, applicationServerKey: '{}'}}))
           .then(s => JSON.stringify(s))",
        key.public
    );
    let subscription = browser.run_async(&subscribe).await;
    let subscription: Value = serde_json::from_str(subscription.as_str().unwrap_or_else(|| panic!("{subscription}"))).unwrap();
    assert!(subscription["endpoint"].as_str().unwrap().starts_with(&format!("http://{}/push/", service.addr())));

    let payload = json!({"title": "Encrypted hello", "body": "decrypted by Firefox, shown by Rust", "tag": "e2e-firefox"});
    assert_eq!(send(&subscription, &key, payload.to_string().as_bytes(), DEFAULT).await, 201);
    assert_eq!(
        browser.wait_for_notification("e2e-firefox").await,
        ("Encrypted hello".into(), "decrypted by Firefox, shown by Rust".into())
    );
    // Firefox told the push service it delivered the message (code 100).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !service.receipts().iter().any(|r| r.kind == "ack" && r.code == 100) {
        assert!(std::time::Instant::now() < deadline, "receipts: {:?}", service.receipts());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
