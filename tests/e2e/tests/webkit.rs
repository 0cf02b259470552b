//! The demo in WebKitGTK, which has service workers and notifications but no Push API: the page
//! says so, offers no button, and nothing breaks.

use e2e::{Browser, DemoServer};

#[tokio::test]
async fn in_a_browser_without_the_push_api_the_demo_says_so_and_offers_no_button() {
    let server = DemoServer::start("webkit").await;
    let browser = Browser::webkit().await;
    browser.goto(&format!("{}/", server.origin)).await;
    assert_eq!(browser.wait_for_worker().await, "Service worker not registered: push is not supported here");
    assert_eq!(browser.text_of("#support").await.as_deref(), Some("No: push is not supported here: no PushManager"));
    assert_eq!(browser.run("return document.getElementById('toggle') === null").await, true, "no button to press");
    let shot = browser.screenshot("demo-webkit").await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000, "a screenshot of the page");
}
