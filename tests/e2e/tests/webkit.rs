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

/// Safari 17.5 on an iPhone, in a tab.
const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

#[tokio::test]
async fn on_an_iphone_in_a_tab_the_demo_says_push_needs_the_home_screen_instead_of_unsupported() {
    let server = DemoServer::start("webkit-iphone").await;
    let browser = Browser::webkit_as(IPHONE_SAFARI).await;
    browser.goto(&format!("{}/", server.origin)).await;
    browser.wait_for_worker().await;
    assert_eq!(
        browser.text_of("#support").await.as_deref(),
        Some("No: push needs this site on the Home Screen: tap Share, then Add to Home Screen, and open it from there")
    );
    assert_eq!(browser.run("return document.getElementById('toggle') === null").await, true, "no button to press");
}
