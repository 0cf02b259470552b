//! What tests of app servers need around the push service: a scripted browser that speaks
//! Mozilla's protocol and decrypts what it receives, an app server's VAPID key pair, and a
//! sender that encrypts and signs with the `web-push` crate.

use crate::PushService;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
pub use web_push::Urgency;
pub use web_push::VapidSignature;
use web_push::{ContentEncoding, SubscriptionInfo, VapidSignatureBuilder, WebPushMessageBuilder};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An app server's VAPID key pair, derived from a seed so tests are repeatable.
pub struct AppServerKey {
    /// The private key, base64url, as the `web-push` crate takes it.
    pub private: String,
    /// The public key, base64url: the browser's `applicationServerKey`.
    pub public: String,
}

impl AppServerKey {
    /// The key pair for `seed`.
    pub fn from_seed(seed: u8) -> AppServerKey {
        let secret = p256::SecretKey::from_slice(&[seed; 32]).unwrap();
        let public = secret.public_key().to_encoded_point(false);
        AppServerKey {
            private: URL_SAFE_NO_PAD.encode(secret.to_bytes()),
            public: URL_SAFE_NO_PAD.encode(public.as_bytes()),
        }
    }
}

/// What a browser keeps for one subscription.
pub struct BrowserSubscription {
    /// Where app servers send.
    pub endpoint: String,
    /// The channel the push service knows it by.
    pub channel_id: String,
    keys: ece::EcKeyComponents,
    /// The browser's public key, base64url.
    pub p256dh: String,
    auth: [u8; 16],
}

impl BrowserSubscription {
    /// The subscription as `PushSubscription.toJSON()` gives it.
    pub fn to_json(&self) -> Value {
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": {"p256dh": self.p256dh, "auth": URL_SAFE_NO_PAD.encode(self.auth)},
        })
    }
}

/// A browser scripted in Rust: Mozilla's WebSocket protocol, real RFC 8291 decryption.
pub struct ScriptedBrowser {
    socket: Socket,
    /// The id the push service gave this browser.
    pub uaid: String,
}

impl ScriptedBrowser {
    /// Connects and says hello (with a known `uaid` to be recognised again).
    pub async fn connect(service: &PushService, uaid: Option<&str>) -> ScriptedBrowser {
        let mut request = service.websocket_url().into_client_request().unwrap();
        request.headers_mut().insert("Sec-WebSocket-Protocol", "push-notification".parse().unwrap());
        let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
        assert_eq!(response.headers()["sec-websocket-protocol"], "push-notification");
        let mut browser = ScriptedBrowser { socket, uaid: String::new() };
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

    /// Sends one protocol message.
    pub async fn send(&mut self, message: Value) {
        self.socket.send(Message::text(message.to_string())).await.unwrap();
    }

    /// The next protocol message (5 s at most).
    pub async fn recv(&mut self) -> Value {
        self.recv_within(Duration::from_secs(5)).await.expect("the push service answered within 5 s")
    }

    /// The next protocol message, if one comes within `wait`.
    pub async fn recv_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.socket.next()).await.ok()?;
            if let Message::Text(text) = next.unwrap().unwrap() {
                return Some(serde_json::from_str(&text).unwrap());
            }
        }
    }

    /// Nothing arrives within a short wait.
    pub async fn expect_silence(&mut self) {
        let next = tokio::time::timeout(Duration::from_millis(300), self.socket.next()).await;
        assert!(next.is_err(), "unexpected message: {next:?}");
    }

    /// Registers a channel for an app server's public key (base64url).
    pub async fn subscribe(&mut self, key: &str) -> BrowserSubscription {
        let channel_id = format!("{:08x}-0000-4000-8000-{:012x}", rand_u32(), rand_u32());
        self.send(json!({"messageType": "register", "channelID": channel_id, "key": key})).await;
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
    pub async fn receive(&mut self, sub: &BrowserSubscription) -> String {
        let message = self.recv().await;
        self.open(message, std::slice::from_ref(sub)).await.1
    }

    /// Receives one notification for any of `subs` within `wait`, decrypts it and acks it:
    /// which of them it was for, and its text. `None` when nothing came.
    pub async fn receive_from(&mut self, subs: &[BrowserSubscription], wait: Duration) -> Option<(usize, String)> {
        let message = self.recv_within(wait).await?;
        Some(self.open(message, subs).await)
    }

    async fn open(&mut self, message: Value, subs: &[BrowserSubscription]) -> (usize, String) {
        assert_eq!(message["messageType"], "notification", "{message}");
        let index = subs.iter().position(|sub| message["channelID"] == sub.channel_id.as_str());
        let sub = &subs[index.unwrap_or_else(|| panic!("a notification for a channel not asked for: {message}"))];
        assert_eq!(message["headers"]["encoding"], "aes128gcm");
        let body = URL_SAFE_NO_PAD.decode(message["data"].as_str().unwrap()).unwrap();
        let plain = ece::decrypt(&sub.keys, &sub.auth, &body).unwrap();
        self.send(json!({"messageType": "ack", "updates": [{"channelID": sub.channel_id, "version": message["version"], "code": 100}]})).await;
        (index.unwrap(), String::from_utf8(plain).unwrap())
    }

    /// Waits for the service to close the connection.
    pub async fn closed_by_service(&mut self) -> bool {
        matches!(
            tokio::time::timeout(Duration::from_secs(5), self.socket.next()).await,
            Ok(Some(Ok(Message::Close(_))) | None)
        )
    }
}

fn rand_u32() -> u32 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).unwrap();
    u32::from_le_bytes(b)
}

/// The headers an app server may set on a message.
#[derive(Clone, Copy)]
pub struct Send<'a> {
    /// Seconds the service keeps it for an offline browser.
    pub ttl: u32,
    /// A newer message with the same topic replaces a queued one.
    pub topic: Option<&'a str>,
    /// How urgent it is.
    pub urgency: Option<Urgency>,
}

/// TTL 60, no topic, no urgency.
pub const DEFAULT: Send<'static> = Send { ttl: 60, topic: None, urgency: None };

/// Sends like an app server does: encrypt with `web-push` for `subscription` (the `toJSON()`
/// form), sign with VAPID, POST. Returns the push service's status.
pub async fn send(subscription: &Value, key: &AppServerKey, payload: &[u8], options: Send<'_>) -> u16 {
    let info: SubscriptionInfo = serde_json::from_value(subscription.clone()).expect("a toJSON() subscription");
    let mut builder = WebPushMessageBuilder::new(&info);
    builder.set_payload(ContentEncoding::Aes128Gcm, payload);
    builder.set_vapid_signature(vapid_signature(key, &info, &[]));
    builder.set_ttl(options.ttl);
    if let Some(topic) = options.topic {
        builder.set_topic(topic.to_owned());
    }
    if let Some(urgency) = options.urgency {
        builder.set_urgency(urgency);
    }
    post(web_push::request_builder::build_request::<Vec<u8>>(builder.build().unwrap())).await
}

/// The VAPID signature a correct sender makes for `info`'s endpoint: `aud` its whole origin,
/// port included (RFC 8292 §2; the `web-push` crate would leave the port out), then `claims`
/// over it (an `exp`, another `aud`), for tests of what the service refuses.
pub fn vapid_signature(
    key: &AppServerKey,
    info: &SubscriptionInfo,
    claims: &[(&str, Value)],
) -> web_push::VapidSignature {
    let mut signature = VapidSignatureBuilder::from_base64(&key.private, info).unwrap();
    signature.add_claim("aud", origin(&info.endpoint));
    signature.add_claim("sub", "mailto:test@your.site");
    for (name, value) in claims {
        signature.add_claim(name, value.clone());
    }
    signature.build().unwrap()
}

/// `scheme://host[:port]` of an absolute URL.
pub fn origin(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..].find(['/', '?', '#']).map_or(url.len(), |i| after_scheme + i);
    url[..end].to_owned()
}

/// `web-push` builds an `http` 0.2 request; hand it to a client ourselves.
async fn post(request: http02::Request<Vec<u8>>) -> u16 {
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
    status.as_u16()
}
