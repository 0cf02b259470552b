//! The loopback push service against a scripted browser (Mozilla's WebSocket protocol) and a
//! real app-server sender (the `web-push` crate: RFC 8291 encryption, RFC 8292 VAPID).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use std::time::Duration;
use wasm_push_service::testing::{
    send as send_json, vapid_signature, AppServerKey, BrowserSubscription, ScriptedBrowser as Browser, Send, Urgency,
    DEFAULT,
};
use wasm_push_service::PushService;
use web_push::{ContentEncoding, SubscriptionInfo, WebPushMessageBuilder};

fn app_server_key(seed: u8) -> AppServerKey {
    AppServerKey::from_seed(seed)
}

async fn send(sub: &BrowserSubscription, key: &AppServerKey, text: &str, options: Send<'_>) -> u16 {
    send_json(&sub.to_json(), key, text.as_bytes(), options).await
}

/// The request a correct app server makes for `payload` to `sub` (`web-push`'s encryption, a
/// VAPID header for the whole origin), for a test to send with headers of its own.
fn signed_request(sub: &BrowserSubscription, key: &AppServerKey, payload: &[u8]) -> http02::Request<Vec<u8>> {
    let info: SubscriptionInfo = serde_json::from_value(sub.to_json()).unwrap();
    let mut builder = WebPushMessageBuilder::new(&info);
    builder.set_vapid_signature(vapid_signature(key, &info, &[]));
    // web-push adds the VAPID header only to a message with a payload.
    builder.set_payload(ContentEncoding::Aes128Gcm, payload);
    web_push::request_builder::build_request::<Vec<u8>>(builder.build().unwrap())
}

async fn start() -> PushService {
    PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

#[tokio::test]
async fn a_message_from_the_web_push_crate_arrives_decrypted_and_is_acked() {
    let service = start().await;
    let key = app_server_key(7);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    assert_eq!(send(&sub, &key, r#"{"title":"Hello"}"#, DEFAULT).await, 201);
    assert_eq!(browser.receive(&sub).await, r#"{"title":"Hello"}"#);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let receipts = service.receipts();
    assert_eq!(receipts.len(), 1);
    assert_eq!((receipts[0].kind, receipts[0].code), ("ack", 100));
}

#[tokio::test]
async fn urgency_is_accepted_and_a_ping_is_answered() {
    let service = start().await;
    let key = app_server_key(8);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    let options = Send { urgency: Some(Urgency::High), ..DEFAULT };
    assert_eq!(send(&sub, &key, "urgent", options).await, 201);
    assert_eq!(browser.receive(&sub).await, "urgent");
    browser.send(json!({})).await;
    assert_eq!(browser.recv().await, json!({}));
}

#[tokio::test]
async fn a_signature_from_another_key_is_refused_with_403() {
    let service = start().await;
    let (key, other) = (app_server_key(1), app_server_key(2));
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    assert_eq!(send(&sub, &other, "forged", DEFAULT).await, 403);
    browser.expect_silence().await;
}

#[tokio::test]
async fn a_missing_or_tampered_vapid_token_is_refused_with_401() {
    let service = start().await;
    let key = app_server_key(3);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    let client = reqwest::Client::new();
    let plain = client.post(&sub.endpoint).header("TTL", "60").send().await.unwrap();
    assert_eq!(plain.status(), 401);

    // A valid token with one claim changed no longer verifies.
    let info: SubscriptionInfo = serde_json::from_value(sub.to_json()).unwrap();
    let mut builder = WebPushMessageBuilder::new(&info);
    builder.set_vapid_signature(vapid_signature(&key, &info, &[]));
    // web-push adds the VAPID header only to a message with a payload.
    builder.set_payload(ContentEncoding::Aes128Gcm, b"x");
    let request = web_push::request_builder::build_request::<Vec<u8>>(builder.build().unwrap());
    let header = request.headers()["authorization"].to_str().unwrap().to_owned();
    let token = header.split("t=").nth(1).unwrap().split(',').next().unwrap();
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    claims["exp"] = (claims["exp"].as_u64().unwrap() - 60).into();
    parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
    let tampered = header.replace(token, &parts.join("."));
    let answer = client.post(&sub.endpoint).header("TTL", "60").header("Authorization", tampered).send().await.unwrap();
    assert_eq!(answer.status(), 401);
    browser.expect_silence().await;
}

/// The `Authorization` header of a push to `sub` signed with `claims` over the correct ones.
fn authorization(sub: &BrowserSubscription, key: &AppServerKey, claims: &[(&str, Value)]) -> String {
    let info: SubscriptionInfo = serde_json::from_value(sub.to_json()).unwrap();
    let mut builder = WebPushMessageBuilder::new(&info);
    builder.set_vapid_signature(vapid_signature(key, &info, claims));
    // web-push adds the VAPID header only to a message with a payload.
    builder.set_payload(ContentEncoding::Aes128Gcm, b"x");
    let request = web_push::request_builder::build_request::<Vec<u8>>(builder.build().unwrap());
    request.headers()["authorization"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_token_for_another_audience_or_too_far_ahead_is_refused_as_mozillas_service_refuses_it() {
    let service = start().await;
    let key = app_server_key(12);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    let client = reqwest::Client::new();
    let status = |authorization: String| {
        let request = client.post(&sub.endpoint).header("TTL", "60").header("Authorization", authorization);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let origin = wasm_push_service::testing::origin(&sub.endpoint);
    assert!(origin.starts_with("http://127.0.0.1:"), "{origin}");
    // The service's own origin, port included, with exp within a day: taken.
    assert_eq!(status(authorization(&sub, &key, &[])).await, 201);
    assert_eq!(status(authorization(&sub, &key, &[("exp", (now + 24 * 3600 - 60).into())])).await, 201);
    let without_port = origin.rsplit_once(':').unwrap().0.to_owned();
    for claims in [
        vec![("aud", without_port.into())],
        vec![("aud", format!("{origin}/").into())],
        vec![("aud", "https://push.example".into())],
        vec![("exp", (now + 24 * 3600 + 60).into())],
        vec![("exp", (now - 1).into())],
    ] {
        assert_eq!(status(authorization(&sub, &key, &claims)).await, 401, "{claims:?}");
    }
    // The two it took arrive; none of those it refused does.
    for _ in 0..2 {
        assert_eq!(browser.recv().await["messageType"], "notification");
    }
    browser.expect_silence().await;
}

#[tokio::test]
async fn unknown_endpoints_are_404_and_unsubscribed_ones_410() {
    let service = start().await;
    let key = app_server_key(4);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    let unknown = format!("http://{}/push/nobody", service.addr());
    let client = reqwest::Client::new();
    assert_eq!(client.post(unknown).header("TTL", "1").send().await.unwrap().status(), 404);

    browser.send(json!({"messageType": "unregister", "channelID": sub.channel_id})).await;
    let answer = browser.recv().await;
    assert_eq!((answer["messageType"].as_str(), answer["status"].as_i64()), (Some("unregister"), Some(200)));
    assert_eq!(send(&sub, &key, "too late", DEFAULT).await, 410);
}

#[tokio::test]
async fn a_message_sent_while_offline_arrives_on_reconnect() {
    let service = start().await;
    let key = app_server_key(5);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    let uaid = browser.uaid.clone();
    drop(browser);
    tokio::time::sleep(Duration::from_millis(100)).await;

    assert_eq!(send(&sub, &key, "queued", DEFAULT).await, 201);
    assert_eq!(send(&sub, &key, "gone at once", Send { ttl: 0, ..DEFAULT }).await, 201);
    assert_eq!(send(&sub, &key, "expires", Send { ttl: 1, ..DEFAULT }).await, 201);
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let mut browser = Browser::connect(&service, Some(&uaid)).await;
    assert_eq!(browser.uaid, uaid, "a known uaid is kept");
    assert_eq!(browser.receive(&sub).await, "queued");
    browser.expect_silence().await;
}

#[tokio::test]
async fn a_newer_message_with_the_same_topic_replaces_the_queued_one() {
    let service = start().await;
    let key = app_server_key(6);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    let uaid = browser.uaid.clone();
    service.disconnect_all();
    // The service closes the socket; the browser sees the close.
    assert!(browser.closed_by_service().await);

    let topic = Send { topic: Some("score"), ..DEFAULT };
    assert_eq!(send(&sub, &key, "1-0", topic).await, 201);
    assert_eq!(send(&sub, &key, "other", DEFAULT).await, 201);
    assert_eq!(send(&sub, &key, "2-0", Send { topic: Some("score"), ..DEFAULT }).await, 201);

    let mut browser = Browser::connect(&service, Some(&uaid)).await;
    assert_eq!(browser.receive(&sub).await, "other");
    assert_eq!(browser.receive(&sub).await, "2-0");
    browser.expect_silence().await;
}

#[tokio::test]
async fn an_unacked_message_is_delivered_again_after_a_reconnect() {
    let service = start().await;
    let key = app_server_key(9);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    assert_eq!(send(&sub, &key, "once more", DEFAULT).await, 201);
    let first = browser.recv().await;
    assert_eq!(first["messageType"], "notification");
    let uaid = browser.uaid.clone();
    drop(browser);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut browser = Browser::connect(&service, Some(&uaid)).await;
    assert_eq!(browser.receive(&sub).await, "once more");
}

#[tokio::test]
async fn a_forgotten_browser_gets_a_new_uaid_and_its_endpoints_are_gone() {
    let service = start().await;
    let key = app_server_key(10);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    let uaid = browser.uaid.clone();
    drop(browser);
    service.forget_browsers_on_next_hello();
    let browser = Browser::connect(&service, Some(&uaid)).await;
    assert_ne!(browser.uaid, uaid);
    assert_eq!(send(&sub, &key, "lost", DEFAULT).await, 404);
}

#[tokio::test]
async fn bad_ttl_urgency_topic_and_size_are_refused_with_400_or_413() {
    let service = start().await;
    let key = app_server_key(11);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    // Take a valid VAPID header, then vary one other header at a time.
    let request = signed_request(&sub, &key, b"x");
    let authorization = request.headers()["authorization"].to_str().unwrap().to_owned();
    let client = reqwest::Client::new();
    type Case<'a> = (&'a [(&'a str, &'a str)], Vec<u8>, u16);
    let cases: [Case; 5] = [
        (&[], vec![], 400),
        (&[("TTL", "60"), ("Urgency", "now!")], vec![], 400),
        (&[("TTL", "60"), ("Topic", "has spaces")], vec![], 400),
        (&[("TTL", "60"), ("Content-Encoding", "aes128gcm")], vec![0; 4097], 413),
        (&[("TTL", "60")], vec![1, 2, 3], 400),
    ];
    for (headers, body, expected) in cases {
        let mut request = client.post(&sub.endpoint).header("Authorization", &authorization);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let status = request.body(body).send().await.unwrap().status();
        assert_eq!(status, expected, "{headers:?}");
    }
    browser.expect_silence().await;
}

#[tokio::test]
async fn a_ttl_as_large_as_a_u64_is_taken_and_cut_to_thirty_days_as_mozillas_service_cuts_it() {
    let service = start().await;
    let key = app_server_key(12);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key.public).await;
    let request = signed_request(&sub, &key, b"for a long time");
    let mut post = reqwest::Client::new().post(&sub.endpoint).header("TTL", u64::MAX.to_string());
    for name in ["authorization", "content-encoding"] {
        post = post.header(name, request.headers()[name].to_str().unwrap());
    }
    let answer = post.body(request.body().clone()).send().await.unwrap();
    assert_eq!(answer.status(), 201);
    assert_eq!(answer.headers()["ttl"], "2592000");
    assert_eq!(browser.receive(&sub).await, "for a long time");
    let arrived = reqwest::get(format!("http://{}/_test/pushes", service.addr())).await.unwrap().text().await.unwrap();
    let arrived: Value = serde_json::from_str(&arrived).unwrap();
    assert_eq!(arrived[0]["ttl"], 2_592_000, "{arrived}");
    assert_eq!(arrived[0]["bytes"], request.body().len(), "{arrived}");
}

#[test]
fn the_program_says_where_it_listens_and_the_firefox_preferences_that_point_push_there() {
    use std::io::{BufRead, BufReader, Read};
    let mut program = std::process::Command::new(env!("CARGO_BIN_EXE_wasm-push-service"))
        .args(["--listen", "127.0.0.1:0", "--exit-when-stdin-closes"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(program.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let addr = first.trim().strip_prefix("wasm-push-service listening on ").expect(&first).to_owned();
    // Its standard input closes: it ends, having printed the rest at once.
    drop(program.stdin.take());
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert!(program.wait().unwrap().success());
    assert!(rest.contains(&format!(r#""dom.push.serverURL": "ws://{addr}/""#)), "{rest}");
    assert!(rest.contains(&format!(r#"user_pref("dom.push.serverURL", "ws://{addr}/");"#)), "{rest}");
    assert!(rest.contains(&format!("GET http://{addr}/_test/pushes")), "{rest}");
}
