//! The whole demo in headless Firefox ESR against the loopback push service: click "Turn on
//! notifications", the server stores the subscription, type a title and body, click "Send to
//! me", and the shipped worker shows exactly that (encrypted by the server with the `web-push`
//! crate, decrypted by Firefox).

use e2e::{Browser, DemoServer};
use push_service::PushService;

#[tokio::test]
async fn subscribe_send_and_unsubscribe_through_the_demo_page() {
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let server = DemoServer::start("firefox").await;
    let browser = Browser::firefox(&service.websocket_url()).await;
    browser.goto(&format!("{}/", server.origin)).await;
    assert_eq!(browser.wait_for_worker().await, format!("Service worker registered and active for {}/", server.origin));

    browser.click("#toggle").await;
    let push_service = format!("http://{}", service.addr());
    browser.wait_for_text("#subscription", &format!("Subscribed through {push_service}")).await;
    assert_eq!(browser.text_of("#permission").await.as_deref(), Some("Granted"));
    let stored = server.stored_endpoints();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].starts_with(&format!("{push_service}/push/")), "{stored:?}");

    browser.type_into("#title", "Typed in Firefox").await;
    browser.type_into("#body", "through the demo server and the push service").await;
    browser.click("#send-me").await;
    browser.wait_for_text("#outcome", "Sent to 1 subscription(s); 0 gone and removed; 0 failed.").await;
    assert_eq!(
        browser.wait_for_notification("demo-me").await,
        ("Typed in Firefox".into(), "through the demo server and the push service".into())
    );
    // What the user typed is still in the form after sending.
    assert_eq!(browser.run("return document.getElementById('title').value").await, "Typed in Firefox");
    browser.screenshot("demo-subscribed").await;
    // Firefox told the push service it delivered the message (code 100).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !service.receipts().iter().any(|r| r.kind == "ack" && r.code == 100) {
        assert!(std::time::Instant::now() < deadline, "receipts: {:?}", service.receipts());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    browser.click("#toggle").await;
    browser.wait_for_text("#subscription", "Not subscribed").await;
    assert!(server.stored_endpoints().is_empty());
}
