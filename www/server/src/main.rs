//! The demo server: serves the built app and worker, keeps subscriptions in SQLite, and sends
//! pushes with the `web-push` crate.
//!
//! Settings, each a flag or an environment variable:
//! `--addr` / `WASM_PUSH_ADDR` (127.0.0.1:8080), `--data` / `WASM_PUSH_DATA` (./wasm-push-data:
//! the SQLite file and the VAPID keys), `--root` / `WASM_PUSH_ROOT` (target/www: the built site),
//! `--subject` / `WASM_PUSH_SUBJECT` (the VAPID `sub`, mailto:wasm-push-demo@localhost).
//!
//! Every state-changing request must come from the page itself: the `Origin` header must name
//! this server and `X-CSRF-Token` must carry the token the page was given. The one exception is
//! the worker's `pushsubscriptionchange`, which has no page: a subscription that names a stored
//! `oldEndpoint` (a secret capability URL) may replace it without the token. Log lines name the
//! push service, never an endpoint or a key.

mod store;
mod vapid;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use wasm_push::server::{Push, Sender, Urgency, VapidSubject};
use wasm_push::{Error, NotificationPayload, Subscription};

struct Settings {
    addr: SocketAddr,
    data: PathBuf,
    root: PathBuf,
    subject: VapidSubject,
}

impl Settings {
    fn read() -> Result<Settings, String> {
        let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
        let mut addr = env("WASM_PUSH_ADDR", "127.0.0.1:8080");
        let mut data = env("WASM_PUSH_DATA", "wasm-push-data");
        let mut root = env("WASM_PUSH_ROOT", "target/www");
        // Push services refuse a mailbox at localhost (Apple's does): a reserved domain instead.
        let mut subject = env("WASM_PUSH_SUBJECT", "mailto:wasm-push-demo@example.invalid");
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--addr" => addr = value,
                "--data" => data = value,
                "--root" => root = value,
                "--subject" => subject = value,
                _ => return Err(format!("unknown flag {flag}; flags: --addr --data --root --subject")),
            }
        }
        let addr = addr.parse().map_err(|e| format!("address {addr}: {e}"))?;
        let subject = VapidSubject::new(&subject).map_err(|e| format!("--subject: {e}"))?;
        Ok(Settings { addr, data: data.into(), root: root.into(), subject })
    }
}

struct App {
    store: Mutex<store::Store>,
    sender: Sender,
    csrf_token: String,
    index: String,
}

type Shared = Arc<App>;

#[tokio::main]
async fn main() {
    if let Err(message) = run().await {
        eprintln!("demo server: {message}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let settings = Settings::read()?;
    std::fs::create_dir_all(&settings.data).map_err(|e| format!("data directory {}: {e}", settings.data.display()))?;
    let keys = vapid::load_or_create(&settings.data).map_err(|e| format!("VAPID keys: {e}"))?;
    let database = settings.data.join("subscriptions.sqlite3");
    let store = store::Store::open(&database).map_err(|e| format!("{}: {e}", database.display()))?;
    let template = std::fs::read_to_string(settings.root.join("index.html"))
        .map_err(|e| format!("{}/index.html: {e} (build the site with `cargo xtask demo`)", settings.root.display()))?;
    let csrf_token = random_token();
    let public_key = keys.public_key().to_base64url();
    let page = template.replace("{{CSRF_TOKEN}}", &csrf_token).replace("{{VAPID_PUBLIC_KEY}}", &public_key);
    let app = Arc::new(App {
        store: Mutex::new(store),
        sender: Sender::new(keys, settings.subject),
        csrf_token,
        index: page,
    });
    let router = Router::new()
        .route("/", get(serve_index))
        .route("/index.html", get(serve_index))
        .route("/api/subscription", post(save).delete(remove))
        .route("/api/send", post(send_notification))
        // The worker's files with the headers a service worker needs; the rest as it is.
        .merge(wasm_push::server::worker_routes(&settings.root, "/", "/"))
        .fallback_service(tower_http::services::ServeDir::new(&settings.root))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("wasm-push demo: open http://{addr}/  (data in {}; Ctrl-C stops)", settings.data.display());
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())?;
    println!("demo server stopped");
    Ok(())
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An API error as `{"error":{"id":…,"message":…}}`.
struct ApiError(StatusCode, &'static str, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": {"id": self.1, "message": self.2}}))).into_response()
    }
}

fn storage_error(e: rusqlite::Error) -> ApiError {
    println!("storage error: {e}");
    ApiError(StatusCode::INTERNAL_SERVER_ERROR, "storage", "the subscription store failed".into())
}

/// The page's own requests only: `Origin` naming this host, and the token the page was given.
fn check_csrf(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    check_origin(headers)?;
    check_token(app, headers)
}

/// The token the page was given, in `X-CSRF-Token`.
fn check_token(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !constant_time_eq(token.as_bytes(), app.csrf_token.as_bytes()) {
        return Err(ApiError(StatusCode::FORBIDDEN, "csrf", "missing or wrong X-CSRF-Token".into()));
    }
    Ok(())
}

/// `Origin` must name this host: browsers send it on every cross-site POST and DELETE.
fn check_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = header("host").unwrap_or_default();
    let same_origin = header("origin")
        .is_some_and(|origin| origin == format!("http://{host}") || origin == format!("https://{host}"));
    if same_origin {
        Ok(())
    } else {
        Err(ApiError(StatusCode::FORBIDDEN, "origin", "requests must come from this site's own pages".into()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Parses a JSON body into `T`, or a 400 in the error shape.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError(StatusCode::BAD_REQUEST, "bad-request", e.to_string()))
}

async fn serve_index(State(app): State<Shared>) -> impl IntoResponse {
    ([("Cache-Control", "no-store")], Html(app.index.clone()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SaveRequest {
    #[serde(flatten)]
    subscription: Subscription,
    /// Sent by the worker's `pushsubscriptionchange`: the row it replaces.
    old_endpoint: Option<String>,
}

async fn save(State(app): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Result<StatusCode, ApiError> {
    check_origin(&headers)?;
    let request: SaveRequest = parse(&body)?;
    // The worker's `pushsubscriptionchange` has no page and so no token; it proves itself by
    // knowing a stored endpoint (a capability URL) instead.
    let replaces_stored = match &request.old_endpoint {
        Some(old) => app.store.lock().unwrap_or_else(|p| p.into_inner()).get(old).map_err(storage_error)?.is_some(),
        None => false,
    };
    if !replaces_stored {
        check_token(&app, &headers)?;
    }
    let subscription = request.subscription;
    if !(subscription.endpoint.starts_with("https://") || subscription.endpoint.starts_with("http://")) {
        return Err(ApiError(StatusCode::BAD_REQUEST, "bad-request", "the endpoint is not an http(s) URL".into()));
    }
    let store = app.store.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(old) = request.old_endpoint.filter(|old| *old != subscription.endpoint) {
        store.delete(&old).map_err(storage_error)?;
    }
    store.upsert(&subscription).map_err(storage_error)?;
    println!("saved a subscription at {}", subscription.push_service_origin());
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize)]
struct RemoveRequest {
    endpoint: String,
}

async fn remove(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    check_csrf(&app, &headers)?;
    let request: RemoveRequest = parse(&body)?;
    let removed =
        app.store.lock().unwrap_or_else(|p| p.into_inner()).delete(&request.endpoint).map_err(storage_error)?;
    println!("removed {} subscription", if removed { "a" } else { "no" });
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Audience {
    Me,
    All,
}

#[derive(Deserialize)]
struct SendRequest {
    to: Audience,
    /// With `"to": "me"`: the sender's own subscription.
    endpoint: Option<String>,
    notification: NotificationPayload,
    #[serde(default = "default_ttl")]
    ttl: u32,
    urgency: Option<Urgency>,
    topic: Option<String>,
}

fn default_ttl() -> u32 {
    // A day: long enough for a phone that is off for the night.
    24 * 60 * 60
}

async fn send_notification(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    check_csrf(&app, &headers)?;
    let request: SendRequest = parse(&body)?;
    if request.notification.title.trim().is_empty() {
        return Err(ApiError(StatusCode::BAD_REQUEST, "bad-request", "the notification needs a title".into()));
    }
    let targets = {
        let store = app.store.lock().unwrap_or_else(|p| p.into_inner());
        match (&request.to, &request.endpoint) {
            (Audience::All, _) => store.all().map_err(storage_error)?,
            (Audience::Me, Some(endpoint)) => store.get(endpoint).map_err(storage_error)?.into_iter().collect(),
            (Audience::Me, None) => {
                return Err(ApiError(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    "\"to\": \"me\" needs your endpoint".into(),
                ))
            }
        }
    };
    if targets.is_empty() {
        return Err(ApiError(StatusCode::NOT_FOUND, "no-subscription", "no stored subscription to send to".into()));
    }
    let mut push = Push::new(&request.notification).ttl(request.ttl);
    if let Some(urgency) = request.urgency {
        push = push.urgency(urgency);
    }
    if let Some(topic) = &request.topic {
        push = push.topic(topic.clone());
    }
    let (mut sent, mut removed, mut failed) = (0, 0, 0);
    for target in &targets {
        match app.sender.send(target, &push).await {
            Ok(()) => sent += 1,
            Err(Error::SubscriptionGone { .. }) => {
                app.store.lock().unwrap_or_else(|p| p.into_inner()).delete(&target.endpoint).map_err(storage_error)?;
                removed += 1;
            }
            Err(why) => {
                println!("sending via {} failed: {why}", target.push_service_origin());
                failed += 1;
            }
        }
    }
    println!("sent {sent}, removed {removed} gone, {failed} failed");
    Ok(Json(json!({"sent": sent, "removed": removed, "failed": failed})).into_response())
}
