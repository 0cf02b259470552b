//! A push service on loopback, for tests and CI (see the README: how to start it, what a test
//! can read, what it refuses).
//!
//! Towards the browser it speaks Mozilla's WebSocket push protocol (what Firefox connects
//! to through `dom.push.serverURL`); towards app servers it is RFC 8030 with RFC 8292 VAPID:
//! `POST /push/{channel}` with an `aes128gcm` body.
//!
//! It keeps every message until the browser acks it, so a browser that is offline gets its
//! messages when it connects again; a message whose TTL ran out is dropped, and a queued
//! message is replaced by a newer one with the same `Topic`.
//!
//! Under `/app/` it also plays a recording app server for the window side's sync tests.
#![deny(missing_docs)]

mod app_server;
#[cfg(feature = "testing")]
pub mod testing;
mod vapid;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The most a push message body may hold (RFC 8030 asks services to take at least 4096).
pub const MAX_BODY: usize = 4096;

/// The longest a message is kept, in seconds: a longer `TTL` is cut to it, and the answer's
/// `TTL` header says so (Mozilla's service keeps 30 days at most).
pub const MAX_TTL: u64 = 30 * 24 * 60 * 60;

/// How many arrivals `GET /_test/pushes` keeps: the latest, up to this many.
pub const MAX_ARRIVALS: usize = 100_000;

/// A push an app server sent that the service took (201), as `GET /_test/pushes` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Arrival {
    /// The channel (subscription) it went to.
    pub channel_id: String,
    /// Its version, which the browser's receipt names; `None` when a `TTL` of 0 found the
    /// browser away, and it was dropped.
    pub version: Option<String>,
    /// Seconds it is kept, after [`MAX_TTL`].
    pub ttl: u64,
    /// Its `Urgency` header, if any.
    pub urgency: Option<String>,
    /// Its `Topic` header, if any.
    pub topic: Option<String>,
    /// The encrypted body's length.
    pub bytes: usize,
}

/// A running push service. Dropping it does not stop it; the tokio runtime does.
#[derive(Clone)]
pub struct PushService {
    addr: SocketAddr,
    state: Arc<Mutex<Inner>>,
}

/// What the browser answered for one message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Receipt {
    /// The channel (subscription) the message went to.
    pub channel_id: String,
    /// The message's version.
    pub version: String,
    /// `"ack"` or `"nack"`.
    pub kind: &'static str,
    /// 100 delivered, 101 decryption failed, 102 not delivered; 301-303 for nacks.
    pub code: i64,
}

#[derive(Default)]
struct Inner {
    /// By uaid: the connection of that browser, if any.
    browsers: HashMap<String, Option<mpsc::UnboundedSender<Value>>>,
    channels: HashMap<String, Channel>,
    /// Sent or waiting, until the browser acks or nacks; in order of arrival.
    pending: Vec<Pending>,
    receipts: Vec<Receipt>,
    arrivals: std::collections::VecDeque<Arrival>,
    next_version: u64,
    /// The next `hello` gets a fresh uaid, as when a push service loses a browser's record.
    forget_next_hello: bool,
    /// Browsers cannot connect (the upgrade is refused), as when the network is down.
    offline: bool,
    /// How long each push waits before the service reads it.
    push_delay: Duration,
}

impl Inner {
    /// Keeps `arrival`; past [`MAX_ARRIVALS`], the oldest goes, so a service left running does
    /// not grow without end.
    fn arrive(&mut self, arrival: Arrival) {
        if self.arrivals.len() >= MAX_ARRIVALS {
            self.arrivals.pop_front();
        }
        self.arrivals.push_back(arrival);
    }
}

struct Channel {
    uaid: String,
    key: Option<Vec<u8>>,
    active: bool,
}

struct Pending {
    uaid: String,
    channel_id: String,
    version: String,
    topic: Option<String>,
    expires: Instant,
    message: Value,
    sent: bool,
}

impl PushService {
    /// Starts the service on `addr` (port 0 picks a free one) in the current tokio runtime.
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let service = PushService { addr: listener.local_addr()?, state: Arc::default() };
        let app = Router::new()
            .route("/", get(websocket))
            .route("/push/{channel}", post(push))
            .route("/_test/receipts", get(receipts))
            .route("/_test/pushes", get(arrivals))
            .route("/_test/disconnect", post(disconnect))
            .route("/_test/forget", post(forget))
            .route("/_test/channel/{channel}", get(channel_state))
            .with_state(service.clone())
            .merge(app_server::routes())
            // Browser tests run on another loopback port: let them call both parts.
            .layer(tower_http::cors::CorsLayer::very_permissive());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(service)
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL for Firefox's `dom.push.serverURL`.
    pub fn websocket_url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// The Firefox preferences that point its push at this service and let a test see what
    /// it shows: for `moz:firefoxOptions.prefs` (geckodriver), or as `user_pref` lines in a
    /// profile's `user.js`.
    pub fn firefox_prefs(&self) -> Value {
        json!({
            "dom.push.serverURL": self.websocket_url(),
            // The service is plain `ws://` on loopback.
            "dom.push.testing.allowInsecureServerURL": true,
            "dom.push.enabled": true,
            // Mozilla's own test profile turns the connection off; a test wants the real one.
            "dom.push.connection.enabled": true,
            // Reconnect soon after the service drops the connection (default 5 s, doubling).
            "dom.push.retryBaseInterval": 300,
            // Notifications allowed without a prompt, and shown by Firefox itself, so that
            // `getNotifications()` lists them on a machine without a desktop.
            "permissions.default.desktop-notification": 1,
            "dom.push.testing.ignorePermission": true,
            "alerts.useSystemBackend": false
        })
    }

    /// Every ack and nack so far.
    pub fn receipts(&self) -> Vec<Receipt> {
        self.lock().receipts.clone()
    }

    /// Every push an app server sent that the service took, in order.
    pub fn arrivals(&self) -> Vec<Arrival> {
        self.lock().arrivals.iter().cloned().collect()
    }

    /// Closes every browser connection, as a network drop would.
    pub fn disconnect_all(&self) {
        for sender in self.lock().browsers.values_mut() {
            *sender = None;
        }
    }

    /// Closes every browser connection and refuses new ones until [`PushService::go_online`]:
    /// what a browser sees when its network is down. App servers can still send; messages wait.
    pub fn go_offline(&self) {
        self.lock().offline = true;
        self.disconnect_all();
    }

    /// Lets browsers connect again; each reconnects on its own retry schedule.
    pub fn go_online(&self) {
        self.lock().offline = false;
    }

    /// Makes the next `hello` answer with a new uaid, so the browser drops its subscriptions
    /// and fires `pushsubscriptionchange`.
    pub fn forget_browsers_on_next_hello(&self) {
        self.lock().forget_next_hello = true;
    }

    /// Makes every push wait `delay` before the service reads it, as a push service far away
    /// does: a test can then stop a sender while pushes are in flight.
    pub fn answer_after(&self, delay: Duration) {
        self.lock().push_delay = delay;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock is a bug in this fixture; keep serving regardless.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source works");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn uuid() -> String {
    let h = random_hex(16);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

async fn websocket(ws: WebSocketUpgrade, State(service): State<PushService>) -> Response {
    if service.lock().offline {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    // Firefox asks for this subprotocol and closes the socket when the answer lacks it.
    ws.protocols(["push-notification"]).on_upgrade(move |socket| browser_session(socket, service))
}

async fn browser_session(mut socket: WebSocket, service: PushService) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    // The sender lives only in the service's state (from `hello` on), so that dropping it
    // there (`disconnect_all`, a newer connection) ends this loop.
    let mut tx = Some(tx);
    let mut uaid: Option<String> = None;
    loop {
        tokio::select! {
            outgoing = rx.recv() => match outgoing {
                Some(message) => {
                    if socket.send(Message::text(message.to_string())).await.is_err() { break; }
                }
                // The sender was dropped: `disconnect_all` or a newer connection took over.
                None => { let _ = socket.send(Message::Close(None)).await; break; }
            },
            incoming = socket.recv() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text.to_string(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_))) => continue,
                    _ => break,
                };
                let Ok(request) = serde_json::from_str::<Value>(&text) else { break };
                let reply = service.handle_browser_message(&request, &mut uaid, &mut tx);
                if let Some(reply) = reply {
                    if socket.send(Message::text(reply.to_string())).await.is_err() { break; }
                }
                if request["messageType"] == "hello" {
                    if let Some(uaid) = &uaid { service.flush(uaid); }
                }
            }
        }
    }
    drop(rx);
    if let Some(uaid) = uaid {
        let mut inner = service.lock();
        if let Some(slot) = inner.browsers.get_mut(&uaid) {
            // Only this connection's own sender is closed now; a newer one stays.
            if slot.as_ref().is_some_and(|sender| sender.is_closed()) {
                *slot = None;
            }
        }
        // What was sent but not acked goes out again on the next connection.
        for pending in inner.pending.iter_mut().filter(|p| p.uaid == uaid) {
            pending.sent = false;
        }
    }
}

impl PushService {
    fn handle_browser_message(
        &self,
        request: &Value,
        uaid: &mut Option<String>,
        tx: &mut Option<mpsc::UnboundedSender<Value>>,
    ) -> Option<Value> {
        let mut inner = self.lock();
        let channel_id = request["channelID"].as_str().unwrap_or_default().to_owned();
        match request["messageType"].as_str() {
            Some("hello") => {
                let asked = request["uaid"].as_str().filter(|u| inner.browsers.contains_key(*u));
                let id = match asked {
                    Some(known) if !inner.forget_next_hello => known.to_owned(),
                    _ => {
                        if let Some(old) = asked.map(str::to_owned) {
                            inner.browsers.remove(&old);
                            inner.channels.retain(|_, c| c.uaid != old);
                            inner.pending.retain(|p| p.uaid != old);
                        }
                        random_hex(16)
                    }
                };
                inner.forget_next_hello = false;
                if let Some(sender) = tx.take() {
                    inner.browsers.insert(id.clone(), Some(sender));
                }
                *uaid = Some(id.clone());
                Some(json!({"messageType": "hello", "status": 200, "uaid": id, "use_webpush": true}))
            }
            Some("register") => {
                let Some(owner) = uaid.clone() else {
                    return Some(json!({"messageType": "register", "channelID": channel_id, "status": 401}));
                };
                let key = request["key"].as_str().and_then(vapid::decode_key);
                if request["key"].is_string() && key.is_none() {
                    return Some(json!({"messageType": "register", "channelID": channel_id, "status": 400}));
                }
                inner.channels.insert(channel_id.clone(), Channel { uaid: owner, key, active: true });
                Some(json!({
                    "messageType": "register", "channelID": channel_id, "status": 200,
                    "pushEndpoint": format!("http://{}/push/{}", self.addr, channel_id),
                }))
            }
            Some("unregister") => {
                if let Some(channel) = inner.channels.get_mut(&channel_id) {
                    channel.active = false;
                }
                inner.pending.retain(|p| p.channel_id != channel_id);
                Some(json!({"messageType": "unregister", "channelID": channel_id, "status": 200}))
            }
            Some(kind @ ("ack" | "nack")) => {
                let kind = if kind == "ack" { "ack" } else { "nack" };
                let updates = match kind {
                    "ack" => request["updates"].as_array().cloned().unwrap_or_default(),
                    _ => vec![request.clone()],
                };
                for update in updates {
                    let channel_id = update["channelID"].as_str().unwrap_or_default().to_owned();
                    let version = update["version"].as_str().unwrap_or_default().to_owned();
                    inner.pending.retain(|p| !(p.channel_id == channel_id && p.version == version));
                    let code = update["code"].as_i64().unwrap_or(if kind == "ack" { 100 } else { 0 });
                    inner.receipts.push(Receipt { channel_id, version, kind, code });
                }
                None
            }
            // `{}` is a ping; anything else (broadcast_subscribe, …) needs no answer either.
            _ if request.as_object().is_some_and(|o| o.is_empty()) => Some(json!({})),
            _ => None,
        }
    }

    /// Sends what waits for this browser, dropping what expired on the way.
    fn flush(&self, uaid: &str) {
        let mut inner = self.lock();
        let now = Instant::now();
        inner.pending.retain(|p| p.sent || p.expires > now);
        let Some(Some(sender)) = inner.browsers.get(uaid).cloned() else { return };
        for pending in inner.pending.iter_mut().filter(|p| p.uaid == uaid && !p.sent) {
            if sender.send(pending.message.clone()).is_ok() {
                pending.sent = true;
            }
        }
    }
}

fn error(status: StatusCode, errno: u16, message: &str) -> Response {
    let body = json!({"code": status.as_u16(), "errno": errno, "error": status.canonical_reason(), "message": message});
    (status, Json(body)).into_response()
}

async fn push(
    State(service): State<PushService>,
    Path(channel_id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let delay = service.lock().push_delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    // As Mozilla's service: the VAPID token is checked before the subscription's state, so a
    // sender whose token is wrong hears 401 even for a subscription that is gone.
    let (uaid, key, active) = {
        let inner = service.lock();
        match inner.channels.get(&channel_id) {
            None => return error(StatusCode::NOT_FOUND, 102, "no such subscription"),
            Some(c) => (c.uaid.clone(), c.key.clone(), c.active),
        }
    };
    if let Some(key) = &key {
        let audience = format!("http://{}", service.addr);
        if let Err(rejection) = vapid::verify(&headers, key, &audience) {
            return match rejection {
                vapid::Rejection::Unauthorized(why) => error(StatusCode::UNAUTHORIZED, 109, &why),
                vapid::Rejection::WrongKey => {
                    error(StatusCode::FORBIDDEN, 109, "VAPID key does not match the subscription's")
                }
            };
        }
    }
    if !active {
        return error(StatusCode::GONE, 105, "subscription is gone");
    }
    let Some(ttl) = header("ttl").and_then(|t| t.parse::<u64>().ok()) else {
        return error(StatusCode::BAD_REQUEST, 111, "missing or invalid TTL header");
    };
    let ttl = ttl.min(MAX_TTL);
    if let Some(urgency) = header("urgency") {
        if !matches!(urgency, "very-low" | "low" | "normal" | "high") {
            return error(StatusCode::BAD_REQUEST, 111, "invalid Urgency header");
        }
    }
    let topic = header("topic").map(str::to_owned);
    if topic
        .as_deref()
        .is_some_and(|t| t.len() > 32 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return error(StatusCode::BAD_REQUEST, 111, "Topic must be at most 32 base64url characters");
    }
    if body.len() > MAX_BODY {
        return error(StatusCode::PAYLOAD_TOO_LARGE, 104, "message body too large");
    }
    let mut message = json!({"messageType": "notification", "channelID": channel_id});
    if !body.is_empty() {
        match header("content-encoding") {
            Some("aes128gcm") => {
                message["data"] = URL_SAFE_NO_PAD.encode(&body).into();
                message["headers"] = json!({"encoding": "aes128gcm"});
            }
            _ => return error(StatusCode::BAD_REQUEST, 110, "a body needs Content-Encoding: aes128gcm"),
        }
    }

    let mut inner = service.lock();
    let online = matches!(inner.browsers.get(&uaid), Some(Some(_)));
    let mut arrival = Arrival {
        channel_id: channel_id.clone(),
        version: None,
        ttl,
        urgency: header("urgency").map(str::to_owned),
        topic: topic.clone(),
        bytes: body.len(),
    };
    if ttl == 0 && !online {
        // RFC 8030 §5.2: TTL 0 means deliver now or never.
        inner.arrive(arrival);
        return (StatusCode::CREATED, [("TTL", "0")]).into_response();
    }
    inner.next_version += 1;
    let version = format!("{}-{}", inner.next_version, &uuid()[..8]);
    arrival.version = Some(version.clone());
    inner.arrive(arrival);
    message["version"] = version.clone().into();
    if let Some(topic) = &topic {
        inner.pending.retain(|p| p.sent || p.channel_id != channel_id || p.topic.as_ref() != Some(topic));
    }
    inner.pending.push(Pending {
        uaid: uaid.clone(),
        channel_id,
        version: version.clone(),
        topic,
        expires: Instant::now() + Duration::from_secs(ttl),
        message,
        sent: false,
    });
    drop(inner);
    service.flush(&uaid);
    let location = format!("http://{}/m/{version}", service.addr);
    (StatusCode::CREATED, [("Location", location), ("TTL", ttl.to_string())]).into_response()
}

async fn receipts(State(service): State<PushService>) -> Json<Vec<Receipt>> {
    Json(service.receipts())
}

async fn arrivals(State(service): State<PushService>) -> Json<Vec<Arrival>> {
    Json(service.arrivals())
}

async fn disconnect(State(service): State<PushService>) -> StatusCode {
    service.disconnect_all();
    StatusCode::NO_CONTENT
}

/// A test's look at one endpoint without signing a push: `{"active": true|false}`, 404 when
/// the service never issued it. (An unsigned push to a VAPID-bound endpoint hears 401 before it
/// could hear 410, as at Mozilla's service.)
async fn channel_state(State(service): State<PushService>, Path(channel_id): Path<String>) -> Response {
    match service.lock().channels.get(&channel_id) {
        Some(channel) => Json(json!({"active": channel.active})).into_response(),
        None => error(StatusCode::NOT_FOUND, 102, "no such subscription"),
    }
}

async fn forget(State(service): State<PushService>) -> StatusCode {
    service.forget_browsers_on_next_hello();
    StatusCode::NO_CONTENT
}
