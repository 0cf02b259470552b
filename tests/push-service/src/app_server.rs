//! A recording app server for the window side's sync tests: it keeps what it was sent, with
//! the CSRF header it came with, and answers errors on demand.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Recorded {
    /// Stored subscriptions, one per endpoint.
    subscriptions: Arc<Mutex<Vec<Value>>>,
    /// The `X-CSRF-Token` of every request, in order (`null` where it was missing).
    csrf: Arc<Mutex<Vec<Value>>>,
    /// Delivery receipts from workers, in order.
    receipts: Arc<Mutex<Vec<Value>>>,
    /// While set, saving and removing answer 503, as a server that is down behind a proxy.
    down: Arc<std::sync::atomic::AtomicBool>,
}

pub fn routes() -> Router {
    Router::new()
        .route("/app/subscription", post(save).delete(remove))
        .route("/app/stored", get(stored).delete(clear))
        .route("/app/receipts", post(receipt))
        .route("/app/fail/{status}", post(fail))
        .route("/app/outage", post(outage_starts).delete(outage_ends))
        .route("/app/expired", post(expired))
        .with_state(Recorded::default())
}

/// An app server whose session expired: every save is redirected (302) to a page that answers
/// 200 (`/app/stored`), which only a sender that follows redirects takes for an answer. Each
/// save is counted among the requests seen.
async fn expired(State(state): State<Recorded>, headers: HeaderMap) -> Response {
    record_csrf(&state, &headers);
    (StatusCode::FOUND, [("location", "/app/stored")]).into_response()
}

fn record_csrf(state: &Recorded, headers: &HeaderMap) {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    state.csrf.lock().unwrap_or_else(|p| p.into_inner()).push(json!(token));
}

/// Stores by endpoint; a body with `oldEndpoint` (a changed subscription) replaces that row.
async fn save(State(state): State<Recorded>, headers: HeaderMap, Json(body): Json<Value>) -> StatusCode {
    record_csrf(&state, &headers);
    if state.is_down() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let mut stored = state.subscriptions.lock().unwrap_or_else(|p| p.into_inner());
    stored.retain(|s| s["endpoint"] != body["endpoint"] && s["endpoint"] != body["oldEndpoint"]);
    stored.push(body);
    StatusCode::CREATED
}

async fn remove(State(state): State<Recorded>, headers: HeaderMap, Json(body): Json<Value>) -> StatusCode {
    record_csrf(&state, &headers);
    if state.is_down() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    state.subscriptions.lock().unwrap_or_else(|p| p.into_inner()).retain(|s| s["endpoint"] != body["endpoint"]);
    StatusCode::NO_CONTENT
}

async fn receipt(State(state): State<Recorded>, Json(body): Json<Value>) -> StatusCode {
    state.receipts.lock().unwrap_or_else(|p| p.into_inner()).push(body);
    StatusCode::NO_CONTENT
}

async fn stored(State(state): State<Recorded>) -> Json<Value> {
    let read = |list: &Arc<Mutex<Vec<Value>>>| list.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Json(json!({
        "subscriptions": read(&state.subscriptions),
        "csrf": read(&state.csrf),
        "receipts": read(&state.receipts),
    }))
}

impl Recorded {
    fn is_down(&self) -> bool {
        self.down.load(std::sync::atomic::Ordering::SeqCst)
    }
}

async fn outage_starts(State(state): State<Recorded>) -> StatusCode {
    state.down.store(true, std::sync::atomic::Ordering::SeqCst);
    StatusCode::NO_CONTENT
}

async fn outage_ends(State(state): State<Recorded>) -> StatusCode {
    state.down.store(false, std::sync::atomic::Ordering::SeqCst);
    StatusCode::NO_CONTENT
}

async fn clear(State(state): State<Recorded>) -> StatusCode {
    state.down.store(false, std::sync::atomic::Ordering::SeqCst);
    for list in [&state.subscriptions, &state.csrf, &state.receipts] {
        list.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
    StatusCode::NO_CONTENT
}

async fn fail(Path(status): Path<u16>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({"error": {"id": format!("test-{}", status.as_u16()), "message": "refused on purpose"}});
    (status, Json(body)).into_response()
}
