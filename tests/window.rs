//! The window side in a real browser: permission, registration, subscription.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_push::{ApplicationServerKey, Permission, Registration, Subscription};

wasm_bindgen_test_configure!(run_in_browser);

const KEY: &str = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";

fn is_firefox() -> bool {
    let agent = web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default();
    agent.contains("Firefox/")
}

/// What `cargo xtask test` wrote about the loopback push service it started.
async fn loopback_push_service() -> serde_json::Value {
    let window = web_sys::window().unwrap();
    let response = JsFuture::from(window.fetch_with_str("/target/browser-tests/push-service.json"))
        .await
        .expect("cargo xtask test serves target/browser-tests/push-service.json");
    let response: web_sys::Response = response.dyn_into().unwrap();
    assert!(response.ok(), "target/browser-tests/push-service.json is missing: run through `cargo xtask test`");
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    serde_json::from_str(&text.as_string().unwrap()).unwrap()
}

#[wasm_bindgen_test]
fn notification_permission_reads_granted() {
    // webdriver.json grants it in both browsers.
    assert_eq!(wasm_push::permission().unwrap(), Permission::Granted);
}

#[wasm_bindgen_test]
async fn a_registered_worker_becomes_ready() {
    let registration = Registration::register("/tests/fixtures/empty-sw.js", "/tests/fixtures/").await.unwrap();
    let ready = registration.ready().await.unwrap();
    assert!(ready.as_raw().active().is_some());
    assert!(ready.as_raw().scope().ends_with("/tests/fixtures/"));
}

#[wasm_bindgen_test]
async fn a_subscription_from_the_loopback_push_service_round_trips_through_json() {
    // `cargo xtask test` skips this in Chromium, which cannot subscribe here and whose
    // subscribe() may never settle; run by hand there, it says so instead of hanging.
    if !is_firefox() {
        panic!("needs Firefox pointed at the loopback push service (cargo xtask test does that)");
    }
    let service = loopback_push_service().await;
    let push_base = service["http"].as_str().unwrap();
    let key = ApplicationServerKey::from_base64url(KEY).unwrap();
    let registration = Registration::register("/tests/fixtures/empty-sw.js", "/tests/fixtures/").await.unwrap();
    let registration = registration.ready().await.unwrap();

    let subscription = registration.subscribe(&key).await.unwrap();
    assert!(
        subscription.endpoint.starts_with(&format!("{push_base}/push/")),
        "the endpoint comes from the loopback push service: {}",
        subscription.endpoint
    );
    assert_eq!(subscription.keys.auth.len(), 22, "16 bytes of auth secret, base64url");
    assert_eq!(subscription.keys.p256dh.len(), 87, "65 bytes of P-256 point, base64url");

    // The browser's own toJSON(), read without this crate, equals what the crate serialises.
    let push_manager = registration.as_raw().push_manager().unwrap();
    let raw = JsFuture::from(push_manager.get_subscription().unwrap()).await.unwrap();
    let browser_json = String::from(js_sys::JSON::stringify(&raw).unwrap());
    let browser_value: serde_json::Value = serde_json::from_str(&browser_json).unwrap();
    assert_eq!(serde_json::to_value(&subscription).unwrap(), browser_value);
    let back: Subscription = serde_json::from_str(&serde_json::to_string(&subscription).unwrap()).unwrap();
    assert_eq!(back, subscription);

    assert_eq!(registration.subscription().await.unwrap(), Some(subscription));
    assert!(registration.unsubscribe().await.unwrap());
    assert_eq!(registration.subscription().await.unwrap(), None);
}
