//! The app server (feature `ssr`): renders the page, keeps subscriptions in SQLite, serves the
//! worker's files, and sends.
//!
//! Settings, besides cargo-leptos' `LEPTOS_SITE_ADDR` and `LEPTOS_SITE_ROOT`:
//! - `PUSH_DATA`: the folder of the SQLite file and the VAPID key (`push-data`);
//! - `VAPID_SUBJECT`: your contact, `mailto:` or `https:` (push services may write to it);
//! - `SITE_ORIGIN`: the site's origin as browsers see it (`http://` and the site address);
//!   saves, removals and sends from any other origin are refused;
//! - `WASM_PUSH_ENDPOINTS`: `known` (only the known push services: FCM, Mozilla's, Apple's,
//!   Windows'; the default), `public` (any `https://` push service on a public address) or
//!   `loopback` (a push service on this machine, for tests).

use crate::app::{shell, App, Head, SUBSCRIPTION_URL};
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use futures_util::StreamExt;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasm_push::server::{
    Endpoints, FanOut, Push, RemoveSubscription, SaveSubscription, Sender, VapidKeys, VapidSubject, Verdict,
    CSRF_HEADER, KNOWN_PUSH_SERVICES, MAX_PAUSE,
};
use wasm_push::{NotificationPayload, Subscription, SubscriptionKeys};

/// The router's state: Leptos' options, and the app's.
#[derive(Clone)]
pub struct Server {
    options: LeptosOptions,
    app: Arc<AppState>,
}

struct AppState {
    store: Mutex<rusqlite::Connection>,
    sender: Sender,
    /// Pushes waiting to be sent again, in all (at most [`MAX_WAITING`]).
    waiting: AtomicUsize,
    head: Head,
    origin: String,
}

impl AppState {
    /// The store, also after a handler panicked while holding it.
    fn store(&self) -> std::sync::MutexGuard<'_, rusqlite::Connection> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl FromRef<Server> for LeptosOptions {
    fn from_ref(server: &Server) -> LeptosOptions {
        server.options.clone()
    }
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Starts the server and serves until it is stopped.
pub async fn run() -> Result<(), String> {
    let options = get_configuration(None).map_err(|e| e.to_string())?.leptos_options;
    let data = PathBuf::from(env("PUSH_DATA", "push-data"));
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    let keys = vapid_keys(&data)?;
    let subject = VapidSubject::new(
        &std::env::var("VAPID_SUBJECT").map_err(|_| "set VAPID_SUBJECT to your contact, mailto: or https:")?,
    )
    .map_err(|e| e.to_string())?;
    let endpoints = match env("WASM_PUSH_ENDPOINTS", "known").as_str() {
        "known" => Endpoints::default().only_hosts(KNOWN_PUSH_SERVICES),
        "public" => Endpoints::default(),
        "loopback" => Endpoints::loopback_for_tests(),
        other => return Err(format!("WASM_PUSH_ENDPOINTS={other}: known, public or loopback")),
    };
    let head = Head { vapid_public_key: keys.public_key().to_base64url(), csrf_token: random_token() };
    let app = Arc::new(AppState {
        store: Mutex::new(open_store(&data.join("subscriptions.sqlite3"))?),
        sender: Sender::new(keys, subject).with_endpoints(endpoints),
        waiting: AtomicUsize::new(0),
        head,
        origin: env("SITE_ORIGIN", &format!("http://{}", options.site_addr)),
    });
    let server = Server { options: options.clone(), app };
    let page = {
        let server = server.clone();
        move || shell(server.options.clone(), server.app.head.clone())
    };
    let key = server.app.head.vapid_public_key.clone();
    let routes = generate_route_list(move || view! { <App vapid_public_key=key.clone()/> });
    let head = server.app.head.clone();
    let router = axum::Router::new()
        .route(SUBSCRIPTION_URL, post(save).delete(remove))
        // The worker's files with the headers a service worker needs (cargo-leptos copied them
        // from `public/` to the site's root).
        .merge(wasm_push::server::worker_routes(options.site_root.as_ref(), "/", "/"))
        .leptos_routes(&server, routes, page)
        .fallback(leptos_axum::file_and_error_handler::<Server, _>(move |options| shell(options, head.clone())))
        .with_state(server);
    let listener = tokio::net::TcpListener::bind(options.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.site_addr))?;
    println!("listening on http://{}", options.site_addr);
    axum::serve(listener, router).await.map_err(|e| e.to_string())
}

/// Sends `title` and `body` to every stored subscription and deletes those the push service
/// says are gone (or that no push service could take).
pub async fn send_to_everyone(title: String, body: String) -> Result<String, ServerFnError> {
    let Server { app, .. } = expect_context::<Server>();
    let headers: HeaderMap = leptos_axum::extract().await?;
    // A form on another site could post here too: only the site's own pages may send.
    if !same_origin(&app, &headers) {
        return Err(ServerFnError::new("sends must come from this site's own pages"));
    }
    if title.trim().is_empty() {
        return Err(ServerFnError::new("the notification needs a title"));
    }
    let subscriptions = all(&app.store()).map_err(storage_error)?;
    let mut payload = NotificationPayload::new(title);
    payload.body = Some(body).filter(|body| !body.is_empty());
    let push = Push::new(&payload).ttl(TTL);
    // Too large for any push service: one error, not one per subscriber.
    push.check().map_err(|e| ServerFnError::new(e.to_string()))?;
    let arrived = Instant::now();
    let round = send_round(&app, subscriptions, &push, FanOut::default()).await;
    drop(push);
    let Round { sent, gone, mut failed, later } = round;
    let mut waiting = 0;
    let payload = Arc::new(payload);
    // Each push service that asked to wait, on its own: one's long wait holds up no other's.
    for (origin, mut later) in later {
        let reserved = Waiting::reserve(&app, &origin, later.endpoints.len());
        failed += later.endpoints.len() - reserved.count;
        later.endpoints.truncate(reserved.count);
        if reserved.count > 0 {
            waiting += reserved.count;
            tokio::spawn(send_later(app.clone(), later, payload.clone(), arrived, reserved));
        }
    }
    let mut said = format!("Sent to {sent}; {gone} gone and removed; {failed} failed.");
    if waiting > 0 {
        said += &format!(" {waiting} to be sent again after the push service's wait.");
    }
    Ok(said)
}

/// How long the push service keeps a push while the browser is offline: a day. A push a push
/// service asked to wait for is sent again until then, with what is left of it.
const TTL: u32 = 24 * 60 * 60;

/// The most pushes waiting to be sent again, in all; beyond it they count as failed.
const MAX_WAITING: usize = 10_000;

/// What one fan-out did, and what it leaves to be sent again.
#[derive(Default)]
struct Round {
    sent: usize,
    gone: usize,
    failed: usize,
    /// By push service (its origin): what it asked to wait for.
    later: std::collections::BTreeMap<String, Later>,
}

/// A push service's pushes to send again, and the longest wait it asked for.
#[derive(Default)]
struct Later {
    endpoints: Vec<String>,
    wait: Duration,
}

/// One fan-out; gone and malformed rows are deleted (one that cannot be counts as failed, and
/// the fan-out goes on: its sends under way may have arrived).
async fn send_round(app: &AppState, to: Vec<Subscription>, push: &Push<'_>, limits: FanOut) -> Round {
    let pushes = futures_util::stream::iter(to).map(|to| (to.clone(), to, push.clone()));
    let mut outcomes = std::pin::pin!(app.sender.fan_out(pushes, limits));
    let mut round = Round::default();
    while let Some(outcome) = outcomes.next().await {
        match outcome.verdict {
            Verdict::Sent => round.sent += 1,
            Verdict::Gone | Verdict::Malformed(_) => match delete(&app.store(), &outcome.id.endpoint) {
                Ok(_) => round.gone += 1,
                Err(e) => {
                    eprintln!("storage error: {e}");
                    round.failed += 1;
                }
            },
            Verdict::RetryAfter(wait) => {
                let later = round.later.entry(outcome.id.push_service_origin().to_owned()).or_default();
                later.wait = later.wait.max(wait.unwrap_or(MAX_PAUSE));
                later.endpoints.push(outcome.id.endpoint);
            }
            // MaybeSent, NotAllowed (kept: the rules may have been set wrong for this run) or
            // Refused.
            _ => round.failed += 1,
        }
    }
    round
}

/// Sends again, after the push service's wait (at least a second, doubling), what it asked to
/// wait for, until none is left or the TTL would have run out. Each round reads the rows again,
/// so a subscription deleted meanwhile gets nothing, and retries nothing itself: the waiting is
/// all here. The waits live in this process: a restart forgets them.
async fn send_later(
    app: Arc<AppState>,
    mut later: Later,
    payload: Arc<NotificationPayload>,
    arrived: Instant,
    mut waiting: Waiting,
) {
    let stale = arrived + Duration::from_secs(TTL.into());
    for retry in 0.. {
        let wait = later.wait.max(Duration::from_secs(1 << retry.min(6)));
        if Instant::now() + wait >= stale {
            return waiting.give_up("the push service's wait runs past their TTL");
        }
        tokio::time::sleep(wait).await;
        let waited: std::collections::HashSet<&str> = later.endpoints.iter().map(String::as_str).collect();
        let to = match all(&app.store()) {
            Ok(rows) => rows.into_iter().filter(|row| waited.contains(row.endpoint.as_str())).collect(),
            Err(e) => return waiting.give_up(&format!("storage error: {e}")),
        };
        let left = stale.saturating_duration_since(Instant::now()).as_secs();
        let push = Push::new(&payload).ttl(u32::try_from(left).unwrap_or(TTL));
        later = send_round(&app, to, &push, FanOut::default().retries(0))
            .await
            .later
            .into_values()
            .next()
            .unwrap_or_default();
        waiting.shrink_to(later.endpoints.len());
        if later.endpoints.is_empty() {
            return;
        }
    }
}

/// A push service's share of [`MAX_WAITING`], given back as its pushes are sent or given up.
struct Waiting {
    app: Arc<AppState>,
    origin: String,
    count: usize,
}

impl Waiting {
    /// Up to `count` of what is left of [`MAX_WAITING`].
    fn reserve(app: &Arc<AppState>, origin: &str, count: usize) -> Waiting {
        let mut taken = 0;
        let _ = app.waiting.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            taken = count.min(MAX_WAITING.saturating_sub(n));
            Some(n + taken)
        });
        Waiting { app: app.clone(), origin: origin.to_owned(), count: taken }
    }

    fn shrink_to(&mut self, count: usize) {
        let count = count.min(self.count);
        self.app.waiting.fetch_sub(self.count - count, Ordering::SeqCst);
        self.count = count;
    }

    fn give_up(mut self, why: &str) {
        eprintln!("gave up on {} push(es) via {}: {why}", self.count, self.origin);
        self.shrink_to(0);
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if self.count > 0 {
            eprintln!(
                "{} push(es) via {} waiting to be sent again are dropped: the server stopped",
                self.count, self.origin
            );
            self.shrink_to(0);
        }
    }
}

fn storage_error(e: rusqlite::Error) -> ServerFnError {
    eprintln!("storage error: {e}");
    ServerFnError::new("the subscription store failed")
}

/// `POST` of a `SaveSubscription`, from the page (with the CSRF token) or from the worker's
/// `pushsubscriptionchange` (which proves itself by naming a stored endpoint instead).
async fn save(State(server): State<Server>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    let app = &server.app;
    let Ok(request) = serde_json::from_slice::<SaveSubscription>(&body) else { return StatusCode::BAD_REQUEST };
    let store = app.store();
    let takes_without_token = request.takes_without_token(|endpoint| stored_keys(&store, endpoint));
    if !same_origin(app, &headers) || !(takes_without_token || has_token(app, &headers)) {
        return StatusCode::FORBIDDEN;
    }
    // The endpoint is a URL the visitor chose: keep only what the sender would send to.
    if app.sender.check(&request.subscription).is_err() {
        return StatusCode::BAD_REQUEST;
    }
    let saved = (|| {
        if let Some(old) = &request.old_endpoint {
            delete(&store, old)?;
        }
        let s = &request.subscription;
        store.execute(
            "INSERT INTO subscriptions (endpoint, p256dh, auth, expiration_time) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(endpoint) DO UPDATE SET p256dh = ?2, auth = ?3, expiration_time = ?4",
            rusqlite::params![s.endpoint, s.keys.p256dh, s.keys.auth, s.expiration_time],
        )
    })();
    answered(saved, StatusCode::CREATED)
}

/// `DELETE` of a `RemoveSubscription`, from the page, with the CSRF token.
async fn remove(State(server): State<Server>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    let app = &server.app;
    if !same_origin(app, &headers) || !has_token(app, &headers) {
        return StatusCode::FORBIDDEN;
    }
    let Ok(request) = serde_json::from_slice::<RemoveSubscription>(&body) else { return StatusCode::BAD_REQUEST };
    answered(delete(&app.store(), &request.endpoint), StatusCode::NO_CONTENT)
}

/// `ok` once the store did its part; else 500, and the store's error in the log.
fn answered(done: rusqlite::Result<usize>, ok: StatusCode) -> StatusCode {
    match done {
        Ok(_) => ok,
        Err(e) => {
            eprintln!("storage error: {e}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// Browsers send `Origin` on every `POST` and `DELETE`: it must be the site's own.
fn same_origin(app: &AppState, headers: &HeaderMap) -> bool {
    headers.get("origin").and_then(|v| v.to_str().ok()).is_some_and(|origin| origin.eq_ignore_ascii_case(&app.origin))
}

/// The token the page was given, in `X-CSRF-Token`, compared in constant time.
fn has_token(app: &AppState, headers: &HeaderMap) -> bool {
    let token = headers.get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    let ours = app.head.csrf_token.as_bytes();
    token.len() == ours.len() && token.iter().zip(ours).fold(0, |acc, (a, b)| acc | (a ^ b)) == 0
}

fn open_store(path: &Path) -> Result<rusqlite::Connection, String> {
    let db = rusqlite::Connection::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS subscriptions (
             endpoint        TEXT PRIMARY KEY,
             p256dh          TEXT NOT NULL,
             auth            TEXT NOT NULL,
             expiration_time REAL
         );",
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(db)
}

fn delete(store: &rusqlite::Connection, endpoint: &str) -> rusqlite::Result<usize> {
    store.execute("DELETE FROM subscriptions WHERE endpoint = ?1", [endpoint])
}

/// The keys stored for `endpoint`, if it is stored; a row that cannot be read has keys no
/// subscription has, so a save that depends on it is refused.
fn stored_keys(store: &rusqlite::Connection, endpoint: &str) -> Option<SubscriptionKeys> {
    let keys = |row: &rusqlite::Row<'_>| Ok(SubscriptionKeys { p256dh: row.get(0)?, auth: row.get(1)? });
    match store.query_row("SELECT p256dh, auth FROM subscriptions WHERE endpoint = ?1", [endpoint], keys) {
        Ok(keys) => Some(keys),
        Err(rusqlite::Error::QueryReturnedNoRows) => None,
        Err(_) => Some(SubscriptionKeys { p256dh: String::new(), auth: String::new() }),
    }
}

fn all(store: &rusqlite::Connection) -> rusqlite::Result<Vec<Subscription>> {
    let mut statement = store.prepare("SELECT endpoint, p256dh, auth, expiration_time FROM subscriptions")?;
    let rows = statement.query_map([], |row| {
        Ok(Subscription {
            endpoint: row.get(0)?,
            keys: SubscriptionKeys { p256dh: row.get(1)?, auth: row.get(2)? },
            expiration_time: row.get(3)?,
        })
    })?;
    rows.collect()
}

/// The VAPID key pair in `dir/vapid-private-key` (made on the first start, readable by the
/// owner only): subscriptions are made with its public key, so it must outlive restarts.
fn vapid_keys(dir: &Path) -> Result<VapidKeys, String> {
    let path = dir.join("vapid-private-key");
    if let Ok(private) = std::fs::read_to_string(&path) {
        return VapidKeys::from_private(private.trim()).map_err(|e| format!("{}: {e}", path.display()));
    }
    let keys = VapidKeys::generate().map_err(|e| e.to_string())?;
    std::fs::write(&path, keys.private_base64url()).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
    }
    Ok(keys)
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
