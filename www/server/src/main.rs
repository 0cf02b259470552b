//! The demo server: serves the built app and worker, keeps subscriptions in SQLite, and sends
//! pushes with `wasm_push::server` (RFC 8291 and VAPID over ring, rustls).
//!
//! Settings, each a flag or an environment variable:
//! `--addr` / `WASM_PUSH_ADDR` (127.0.0.1:8080), `--data` / `WASM_PUSH_DATA` (./wasm-push-data:
//! the SQLite file and the VAPID keys), `--root` / `WASM_PUSH_ROOT` (target/www: the built site),
//! `--subject` / `WASM_PUSH_SUBJECT` (the VAPID `sub`: a contact of
//! your own, required when the demo listens beyond loopback; on loopback by default the project's page,
//! `https://crates.io/crates/wasm-push`, since Apple's push service refuses `localhost` and reserved names),
//! `--origin` / `WASM_PUSH_ORIGIN` (the site's origin as browsers see it, comma-separated when
//! several; by default `http://<addr>`, and `http://localhost:<port>` too on loopback),
//! `--endpoints` / `WASM_PUSH_ENDPOINTS` (`known`: only the known push services, FCM, Mozilla,
//! Apple and Windows, over `https://`, the default; `public`: any `https://` host on a public
//! address, which visitors then choose; `loopback`: a test suite's push service on this machine
//! too),
//! `--delay-ms` / `WASM_PUSH_DELAY_MS` (0: every answer that many milliseconds late, as from a
//! server far away; the benchmark's origin 100 ms away).
//!
//! Every request must name one of the site's origins in `Host` (a DNS-rebinding page names its
//! own host: 421). Every state-changing request must come from the page itself: the `Origin`
//! header must be one of the site's origins and `X-CSRF-Token` must carry the token the page
//! was given. The one exception is
//! the worker's `pushsubscriptionchange`, which has no page: a subscription that names a stored
//! `oldEndpoint` (a secret capability URL) may replace it with a new endpoint without the token,
//! never change a stored row. A subscription is stored only when the sender would send to it
//! (`Sender::check`: its endpoint and its keys). Log lines name the
//! push service, never an endpoint or a key.

mod send;
mod store;
mod vapid;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use wasm_push::server::{
    Endpoints, RemoveSubscription, SaveSubscription, Sender, VapidSubject, CSRF_HEADER, KNOWN_PUSH_SERVICES,
};

/// The demo's settings: each a flag or an environment variable.
#[derive(clap::Parser)]
#[command(about = "The wasm-push demo server: the built site, subscriptions in SQLite, pushes sent with wasm-push")]
struct Args {
    /// Where to listen
    #[arg(long, env = "WASM_PUSH_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The SQLite file and the VAPID keys
    #[arg(long, env = "WASM_PUSH_DATA", default_value = "wasm-push-data")]
    data: PathBuf,
    /// The built site
    #[arg(long, env = "WASM_PUSH_ROOT", default_value = "target/www")]
    root: PathBuf,
    /// The VAPID `sub`: a contact of your own, required beyond loopback
    #[arg(long, env = "WASM_PUSH_SUBJECT", default_value = DEFAULT_SUBJECT)]
    subject: String,
    /// The site's origins as browsers see them (default: http://<addr>, and http://localhost:<port> on loopback)
    #[arg(long, env = "WASM_PUSH_ORIGIN", value_delimiter = ',')]
    origin: Vec<String>,
    /// Which push services visitors may name
    #[arg(long, env = "WASM_PUSH_ENDPOINTS", value_enum, default_value = "known")]
    endpoints: EndpointRule,
    /// Every answer this many milliseconds late, as from a server far away
    #[arg(long, env = "WASM_PUSH_DELAY_MS", default_value_t = 0)]
    delay_ms: u64,
}

/// `--endpoints`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum EndpointRule {
    /// Only the known push services (FCM, Mozilla, Apple, Windows) over https://
    Known,
    /// Any https:// host on a public address, which visitors then choose
    Public,
    /// A test suite's push service on this machine too
    Loopback,
}

struct Settings {
    addr: SocketAddr,
    data: PathBuf,
    root: PathBuf,
    subject: VapidSubject,
    /// `--origin`, when given.
    origins: Option<Vec<String>>,
    endpoints: Endpoints,
    /// How late every answer is.
    delay: std::time::Duration,
}

/// The VAPID subject until `--subject` names the operator's own contact.
const DEFAULT_SUBJECT: &str = "https://crates.io/crates/wasm-push";

impl Settings {
    fn read() -> anyhow::Result<Settings> {
        let args = <Args as clap::Parser>::parse();
        // Apple's push service refuses a contact at localhost or at a reserved name: until the
        // operator names their own, the contact is the page of the software that sends. It is a
        // contact for a demo on this machine, not for a site others use.
        if args.subject == DEFAULT_SUBJECT && !args.addr.ip().is_loopback() {
            anyhow::bail!(
                "--subject: a demo listening on {} sends for others: give your own contact \
                 (mailto:you@your.domain or https://your.domain)",
                args.addr
            );
        }
        let subject = VapidSubject::new(&args.subject).context("--subject")?;
        let endpoints = match args.endpoints {
            EndpointRule::Known => Endpoints::default().only_hosts(KNOWN_PUSH_SERVICES),
            EndpointRule::Public => Endpoints::default(),
            EndpointRule::Loopback => Endpoints::loopback_for_tests(),
        };
        let origins: Vec<String> = args
            .origin
            .iter()
            .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|o| !o.is_empty())
            .collect();
        Ok(Settings {
            addr: args.addr,
            data: args.data,
            root: args.root,
            subject,
            origins: (!origins.is_empty()).then_some(origins),
            endpoints,
            delay: std::time::Duration::from_millis(args.delay_ms),
        })
    }
}

struct App {
    /// The site's origins, `scheme://host[:port]`, as browsers send them in `Origin`.
    origins: Vec<String>,
    /// The subscriptions, the sender, and the pushes waiting to be sent again.
    outbox: Arc<send::Outbox>,
    csrf_token: String,
    index: String,
}

type Shared = Arc<App>;

#[tokio::main]
async fn main() {
    // What the server does, one line each: the push service it talked to, never an endpoint or
    // a key.
    tracing_subscriber::fmt().with_target(false).init();
    if let Err(error) = run().await {
        eprintln!("demo server: {error:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let settings = Settings::read()?;
    std::fs::create_dir_all(&settings.data).with_context(|| format!("data directory {}", settings.data.display()))?;
    let keys = vapid::load_or_create(&settings.data).context("VAPID keys")?;
    let database = settings.data.join("subscriptions.sqlite3");
    let store = store::Store::open(&database).with_context(|| database.display().to_string())?;
    let template = std::fs::read_to_string(settings.root.join("index.html"))
        .with_context(|| format!("{}/index.html (build the site with `cargo xtask demo`)", settings.root.display()))?;
    let csrf_token = random_token();
    let public_key = keys.public_key().to_base64url();
    let page = template.replace("{{CSRF_TOKEN}}", &csrf_token).replace("{{VAPID_PUBLIC_KEY}}", &public_key);
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .with_context(|| format!("cannot listen on {}", settings.addr))?;
    let addr = listener.local_addr()?;
    let origins = settings.origins.unwrap_or_else(|| {
        let mut origins = vec![format!("http://{addr}")];
        if addr.ip().is_loopback() {
            origins.push(format!("http://localhost:{}", addr.port()));
        }
        origins
    });
    let default_subject = settings.subject.as_str() == DEFAULT_SUBJECT;
    let app = Arc::new(App {
        origins,
        outbox: Arc::new(send::Outbox::new(
            store,
            Sender::new(keys, settings.subject).with_endpoints(settings.endpoints),
        )),
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
        .layer(axum::middleware::from_fn_with_state(app.clone(), check_host))
        .layer(axum::middleware::from_fn_with_state(settings.delay, answer_late))
        .with_state(app);
    // What the operator reads first (and the tests wait for): plain lines, not log records.
    println!("wasm-push demo: open http://{addr}/  (data in {}; Ctrl-C stops)", settings.data.display());
    if default_subject {
        println!("VAPID subject: {DEFAULT_SUBJECT} (--subject gives your own contact)");
    }
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    tracing::info!("demo server stopped");
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
    tracing::error!("storage error: {e}");
    ApiError(StatusCode::INTERNAL_SERVER_ERROR, "storage", "the subscription store failed".into())
}

/// Every request names one of the site's own hosts in `Host`: a page whose DNS name was
/// rebound to this server's address names its own, and is answered 421 Misdirected Request.
/// Every answer `delay` late (`--delay-ms`), as a server far away gives it.
async fn answer_late(
    State(delay): State<std::time::Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    next.run(request).await
}

async fn check_host(
    State(app): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request.headers().get("host").and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let ours =
        app.origins.iter().any(|origin| origin.split_once("://").is_some_and(|(_, authority)| authority == host));
    if !ours {
        return ApiError(StatusCode::MISDIRECTED_REQUEST, "host", "this server does not serve that host".into())
            .into_response();
    }
    next.run(request).await
}

/// The page's own requests only: `Origin` one of the site's, and the token the page was given.
fn check_csrf(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    check_origin(app, headers)?;
    check_token(app, headers)
}

/// The token the page was given, in `X-CSRF-Token`.
fn check_token(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    // In constant time: how much of a guess matched never shows in how long the answer took.
    if !bool::from(subtle::ConstantTimeEq::ct_eq(token.as_bytes(), app.csrf_token.as_bytes())) {
        return Err(ApiError(StatusCode::FORBIDDEN, "csrf", "missing or wrong X-CSRF-Token".into()));
    }
    Ok(())
}

/// `Origin` must be one of the site's configured origins (never read from the request's own
/// `Host`, which a rebound DNS name sets): browsers send it on every POST and DELETE.
fn check_origin(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    let origin = headers.get("origin").and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase);
    if origin.is_some_and(|origin| app.origins.contains(&origin)) {
        Ok(())
    } else {
        Err(ApiError(StatusCode::FORBIDDEN, "origin", "requests must come from this site's own pages".into()))
    }
}

/// Parses a JSON body into `T`, or a 400 in the error shape.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError(StatusCode::BAD_REQUEST, "bad-request", e.to_string()))
}

async fn serve_index(State(app): State<Shared>) -> impl IntoResponse {
    ([("Cache-Control", "no-store")], Html(app.index.clone()))
}

async fn save(State(app): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Result<StatusCode, ApiError> {
    check_origin(&app, &headers)?;
    // `oldEndpoint`, sent by the worker's `pushsubscriptionchange` and by page loads that
    // repair or replace a subscription, names the row it replaces.
    let request: SaveSubscription = parse(&body)?;
    // One lock from the check to the write: what was checked is what is changed.
    let store = app.outbox.store();
    // The worker's `pushsubscriptionchange` has no page and so no token; it proves itself by
    // knowing a stored endpoint (a capability URL) instead, and may only replace that row. A
    // row that cannot be read fails the save, never lets it through.
    let unread = std::cell::Cell::new(None);
    let takes_without_token = request.takes_without_token(|endpoint| {
        store.get(endpoint).map(|row| row.map(|stored| stored.keys)).unwrap_or_else(|e| {
            unread.set(Some(e));
            None
        })
    });
    if let Some(e) = unread.take() {
        return Err(storage_error(e));
    }
    if !takes_without_token {
        check_token(&app, &headers)?;
    }
    let subscription = request.subscription;
    // The endpoint is a URL the visitor chose, and the keys are theirs too: only what the
    // sender would send to is kept, so no bad row ever reaches a send.
    if let Err(why) = app.outbox.sender.check(&subscription) {
        let id = if matches!(why, wasm_push::Error::InvalidSubscriptionKeys(_)) { "keys" } else { "endpoint" };
        return Err(ApiError(StatusCode::BAD_REQUEST, id, why.to_string()));
    }
    if let Some(old) = request.old_endpoint.filter(|old| *old != subscription.endpoint) {
        store.delete(&old).map_err(storage_error)?;
    }
    store.upsert(&subscription).map_err(storage_error)?;
    tracing::info!("saved a subscription at {}", subscription.push_service_origin());
    Ok(StatusCode::CREATED)
}

async fn remove(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    check_csrf(&app, &headers)?;
    let request: RemoveSubscription = parse(&body)?;
    let removed = app.outbox.store().delete(&request.endpoint).map_err(storage_error)?;
    tracing::info!("removed {} subscription", if removed { "a" } else { "no" });
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
    #[serde(flatten)]
    message: send::Message,
}

async fn send_notification(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let arrived = Instant::now();
    check_csrf(&app, &headers)?;
    let SendRequest { to, endpoint, message } = parse(&body)?;
    if message.notification.title.trim().is_empty() {
        return Err(ApiError(StatusCode::BAD_REQUEST, "bad-request", "the notification needs a title".into()));
    }
    match message.push(message.ttl) {
        Ok(_) => {}
        // Too large for any push service: one answer, not one refusal per subscriber.
        Err(e @ wasm_push::Error::PayloadTooLarge { .. }) => {
            return Err(ApiError(StatusCode::PAYLOAD_TOO_LARGE, "payload", e.to_string()))
        }
        Err(e) => return Err(ApiError(StatusCode::BAD_REQUEST, "bad-request", e.to_string())),
    }
    let targets = {
        let store = app.outbox.store();
        match (&to, &endpoint) {
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
    let round = send::send(&app.outbox, targets, message, arrived).await;
    let send::Round { sent, removed, failed, waiting: later, .. } = round;
    tracing::info!(sent, removed, failed, later, "sent {sent}, removed {removed} gone, {failed} failed, {later} later");
    Ok(Json(json!({"sent": sent, "removed": removed, "failed": failed, "later": later})).into_response())
}
