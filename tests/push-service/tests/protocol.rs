//! The loopback push service against a scripted browser (Mozilla's WebSocket protocol) and a
//! real app-server sender (the `web-push` crate: RFC 8291 encryption, RFC 8292 VAPID).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use push_service::PushService;
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use web_push::{ContentEncoding, SubscriptionInfo, Urgency, VapidSignatureBuilder, WebPushMessageBuilder};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct AppServerKey {
    private: String,
    public: String,
}

fn app_server_key(seed: u8) -> AppServerKey {
    let secret = p256::SecretKey::from_slice(&[seed; 32]).unwrap();
    let public = secret.public_key().to_encoded_point(false);
    AppServerKey {
        private: URL_SAFE_NO_PAD.encode(secret.to_bytes()),
        public: URL_SAFE_NO_PAD.encode(public.as_bytes()),
    }
}

/// What a browser keeps for one subscription.
struct BrowserSubscription {
    endpoint: String,
    channel_id: String,
    keys: ece::EcKeyComponents,
    p256dh: String,
    auth: [u8; 16],
}

struct Browser {
    socket: Socket,
    uaid: String,
}

impl Browser {
    async fn connect(service: &PushService, uaid: Option<&str>) -> Browser {
        let mut request = service.websocket_url().into_client_request().unwrap();
        request.headers_mut().insert("Sec-WebSocket-Protocol", "push-notification".parse().unwrap());
        let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
        assert_eq!(response.headers()["sec-websocket-protocol"], "push-notification");
        let mut browser = Browser { socket, uaid: String::new() };
        let mut hello = json!({"messageType": "hello", "broadcasts": {}, "use_webpush": true});
        if let Some(uaid) = uaid {
            hello["uaid"] = uaid.into();
        }
        browser.send(hello).await;
        let answer = browser.recv().await;
        assert_eq!(answer["messageType"], "hello");
        assert_eq!(answer["status"], 200);
        browser.uaid = answer["uaid"].as_str().unwrap().to_owned();
        assert_eq!(browser.uaid.len(), 32);
        browser
    }

    async fn send(&mut self, message: Value) {
        self.socket.send(Message::text(message.to_string())).await.unwrap();
    }

    async fn recv(&mut self) -> Value {
        loop {
            let next = tokio::time::timeout(Duration::from_secs(5), self.socket.next())
                .await
                .expect("the push service answered within 5 s");
            if let Message::Text(text) = next.unwrap().unwrap() {
                return serde_json::from_str(&text).unwrap();
            }
        }
    }

    /// Nothing arrives within a short wait.
    async fn expect_silence(&mut self) {
        let next = tokio::time::timeout(Duration::from_millis(300), self.socket.next()).await;
        assert!(next.is_err(), "unexpected message: {next:?}");
    }

    async fn subscribe(&mut self, key: &AppServerKey) -> BrowserSubscription {
        let channel_id = format!("{:08x}-0000-4000-8000-{:012x}", rand_u32(), rand_u32());
        self.send(json!({"messageType": "register", "channelID": channel_id, "key": key.public})).await;
        let answer = self.recv().await;
        assert_eq!(answer["messageType"], "register");
        assert_eq!(answer["status"], 200);
        assert_eq!(answer["channelID"], channel_id);
        let (pair, auth) = ece::generate_keypair_and_auth_secret().unwrap();
        BrowserSubscription {
            endpoint: answer["pushEndpoint"].as_str().unwrap().to_owned(),
            channel_id,
            p256dh: URL_SAFE_NO_PAD.encode(pair.pub_as_raw().unwrap()),
            keys: pair.raw_components().unwrap(),
            auth,
        }
    }

    /// Receives one notification for `sub`, decrypts it and acks it.
    async fn receive(&mut self, sub: &BrowserSubscription) -> String {
        let message = self.recv().await;
        assert_eq!(message["messageType"], "notification", "{message}");
        assert_eq!(message["channelID"], sub.channel_id);
        assert_eq!(message["headers"]["encoding"], "aes128gcm");
        let body = URL_SAFE_NO_PAD.decode(message["data"].as_str().unwrap()).unwrap();
        let plain = ece::decrypt(&sub.keys, &sub.auth, &body).unwrap();
        self.send(json!({"messageType": "ack", "updates": [{"channelID": sub.channel_id, "version": message["version"], "code": 100}]})).await;
        String::from_utf8(plain).unwrap()
    }
}

fn rand_u32() -> u32 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).unwrap();
    u32::from_le_bytes(b)
}

struct Send<'a> {
    ttl: u32,
    topic: Option<&'a str>,
    urgency: Option<Urgency>,
}

const DEFAULT: Send<'static> = Send { ttl: 60, topic: None, urgency: None };

/// Sends like an app server does: encrypt with `web-push`, sign with VAPID, POST.
async fn send(sub: &BrowserSubscription, key: &AppServerKey, text: &str, options: Send<'_>) -> reqwest::StatusCode {
    let auth = URL_SAFE_NO_PAD.encode(sub.auth);
    let info = SubscriptionInfo::new(sub.endpoint.as_str(), sub.p256dh.as_str(), auth.as_str());
    let mut signature = VapidSignatureBuilder::from_base64(&key.private, &info).unwrap();
    signature.add_claim("sub", "mailto:test@example.invalid");
    let mut builder = WebPushMessageBuilder::new(&info);
    builder.set_payload(ContentEncoding::Aes128Gcm, text.as_bytes());
    builder.set_vapid_signature(signature.build().unwrap());
    builder.set_ttl(options.ttl);
    if let Some(topic) = options.topic {
        builder.set_topic(topic.to_owned());
    }
    if let Some(urgency) = options.urgency {
        builder.set_urgency(urgency);
    }
    post(web_push::request_builder::build_request::<Vec<u8>>(builder.build().unwrap())).await
}

/// `web-push` builds an `http` 0.2 request; hand it to a client ourselves.
async fn post(request: http02::Request<Vec<u8>>) -> reqwest::StatusCode {
    let client = reqwest::Client::new();
    let mut outgoing = client.post(request.uri().to_string());
    for (name, value) in request.headers() {
        outgoing = outgoing.header(name.as_str(), value.as_bytes());
    }
    let response = outgoing.body(request.into_body()).send().await.unwrap();
    let status = response.status();
    if !status.is_success() {
        eprintln!("push service answered {status}: {}", response.text().await.unwrap_or_default());
    }
    status
}

async fn start() -> PushService {
    PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

#[tokio::test]
async fn a_message_from_the_web_push_crate_arrives_decrypted_and_is_acked() {
    let service = start().await;
    let key = app_server_key(7);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key).await;
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
    let sub = browser.subscribe(&key).await;
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
    let sub = browser.subscribe(&key).await;
    assert_eq!(send(&sub, &other, "forged", DEFAULT).await, 403);
    browser.expect_silence().await;
}

#[tokio::test]
async fn a_missing_or_tampered_vapid_token_is_refused_with_401() {
    let service = start().await;
    let key = app_server_key(3);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key).await;
    let client = reqwest::Client::new();
    let plain = client.post(&sub.endpoint).header("TTL", "60").send().await.unwrap();
    assert_eq!(plain.status(), 401);

    // A valid token with one claim changed no longer verifies.
    let auth = URL_SAFE_NO_PAD.encode(sub.auth);
    let info = SubscriptionInfo::new(sub.endpoint.as_str(), sub.p256dh.as_str(), auth.as_str());
    let mut builder = WebPushMessageBuilder::new(&info);
    builder.set_vapid_signature(VapidSignatureBuilder::from_base64(&key.private, &info).unwrap().build().unwrap());
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
    let answer = client
        .post(&sub.endpoint)
        .header("TTL", "60")
        .header("Authorization", tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    browser.expect_silence().await;
}

#[tokio::test]
async fn unknown_endpoints_are_404_and_unsubscribed_ones_410() {
    let service = start().await;
    let key = app_server_key(4);
    let mut browser = Browser::connect(&service, None).await;
    let sub = browser.subscribe(&key).await;
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
    let sub = browser.subscribe(&key).await;
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
    let sub = browser.subscribe(&key).await;
    let uaid = browser.uaid.clone();
    service.disconnect_all();
    // The service closes the socket; the browser sees the close.
    assert!(matches!(
        tokio::time::timeout(Duration::from_secs(5), browser.socket.next()).await.unwrap(),
        Some(Ok(Message::Close(_))) | None
    ));

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
    let sub = browser.subscribe(&key).await;
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
    let sub = browser.subscribe(&key).await;
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
    let sub = browser.subscribe(&key).await;
    // Take a valid VAPID header, then vary one other header at a time.
    let auth = URL_SAFE_NO_PAD.encode(sub.auth);
    let info = SubscriptionInfo::new(sub.endpoint.as_str(), sub.p256dh.as_str(), auth.as_str());
    let mut builder = WebPushMessageBuilder::new(&info);
    builder.set_vapid_signature(VapidSignatureBuilder::from_base64(&key.private, &info).unwrap().build().unwrap());
    // web-push adds the VAPID header only to a message with a payload.
    builder.set_payload(ContentEncoding::Aes128Gcm, b"x");
    let request = web_push::request_builder::build_request::<Vec<u8>>(builder.build().unwrap());
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
