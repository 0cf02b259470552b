//! A Chrome DevTools Protocol session on one page: commands, events, the worker's registration id.

use crate::eventually;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// A Chrome DevTools Protocol session on one page.
pub struct DevTools {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    next_id: u64,
    /// Events seen so far, oldest first.
    pub events: Vec<Value>,
}

impl DevTools {
    /// Connects to a target's `webSocketDebuggerUrl`.
    pub(crate) async fn connect(url: &str) -> DevTools {
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        DevTools { socket, next_id: 0, events: Vec::new() }
    }

    /// Sends a command and waits for its result, keeping the events that arrive meanwhile.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.call_in(None, method, params).await
    }

    /// The same, in a session attached with `Target.attachToTarget` (`flatten: true`).
    pub async fn call_in(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut request = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            request["sessionId"] = session.into();
        }
        self.socket.send(Message::text(request.to_string())).await.unwrap();
        loop {
            let message = self.next().await;
            if message["id"] == id {
                if message["error"].is_object() {
                    panic!("{method} failed: {}", message["error"]);
                }
                return message["result"].clone();
            }
            self.events.push(message);
        }
    }

    /// Waits for the next event named one of `methods`: (its name, its params).
    pub async fn next_event_any(&mut self, methods: &[&str]) -> (String, Value) {
        loop {
            let message = self.next().await;
            if let Some(method) = message["method"].as_str().filter(|m| methods.contains(m)) {
                return (method.to_owned(), message["params"].clone());
            }
            self.events.push(message);
        }
    }

    async fn next(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(15), self.socket.next())
                .await
                .expect("DevTools answered within 15 s")
                .expect("DevTools connection open")
                .unwrap();
            if let Message::Text(text) = frame {
                return serde_json::from_str(&text).unwrap();
            }
        }
    }

    /// The id of the service-worker registration for `scope_url`, from the
    /// `ServiceWorker.workerRegistrationUpdated` events (the domain must be enabled).
    pub async fn registration_id(&mut self, scope_url: &str) -> String {
        // No pause between tries: each one that finds nothing waits for the next event.
        eventually(Duration::from_secs(15), Duration::ZERO, async || {
            let found = self.events.iter().rev().find_map(|event| {
                (event["method"] == "ServiceWorker.workerRegistrationUpdated").then_some(())?;
                event["params"]["registrations"].as_array()?.iter().find_map(|r| {
                    (r["scopeURL"] == scope_url && r["isDeleted"] != true)
                        .then(|| r["registrationId"].as_str().map(str::to_owned))?
                })
            });
            if let Some(id) = found {
                return Ok(id);
            }
            let event = self.next().await;
            self.events.push(event);
            Err(format!("no registration for {scope_url} in {:?}", self.events))
        })
        .await
    }

    /// The memory of `origin`'s running service worker, after a garbage collection so that only
    /// what it still holds counts: `{"js_heap": bytes, "wasm_memory": bytes or null}` (null
    /// where the worker has no wasm); both null when no worker of `origin` runs.
    pub async fn worker_memory(&mut self, origin: &str) -> Value {
        let Some(session) = self.attach_to_worker(origin).await else {
            return json!({"js_heap": null, "wasm_memory": null});
        };
        self.call_in(Some(&session), "HeapProfiler.collectGarbage", json!({})).await;
        let heap = self.call_in(Some(&session), "Runtime.getHeapUsage", json!({})).await;
        // Every wasm memory the worker still holds, found by its prototype (the worker's glue
        // is a local of its listeners, not a global); a JS worker has none.
        let prototype = self
            .call_in(Some(&session), "Runtime.evaluate", json!({"expression": "WebAssembly.Memory.prototype"}))
            .await;
        let params = json!({"prototypeObjectId": prototype["result"]["objectId"]});
        let memories = self.call_in(Some(&session), "Runtime.queryObjects", params).await;
        let sum = "function () { return this.length ? this.reduce((n, m) => n + m.buffer.byteLength, 0) : null; }";
        let params =
            json!({"objectId": memories["objects"]["objectId"], "functionDeclaration": sum, "returnByValue": true});
        let wasm = self.call_in(Some(&session), "Runtime.callFunctionOn", params).await["result"]["value"].clone();
        self.call("Target.detachFromTarget", json!({"sessionId": session})).await;
        json!({"js_heap": heap["usedSize"], "wasm_memory": wasm})
    }

    /// The value of `expression` (a promise is awaited) in `origin`'s running service worker;
    /// null when none runs.
    pub async fn worker_evaluate(&mut self, origin: &str, expression: &str) -> Value {
        let Some(session) = self.attach_to_worker(origin).await else { return Value::Null };
        let value = self.evaluate_in(&session, expression).await;
        self.call("Target.detachFromTarget", json!({"sessionId": session})).await;
        value
    }

    /// A session attached to `origin`'s running service worker, if one runs.
    async fn attach_to_worker(&mut self, origin: &str) -> Option<String> {
        let targets = self.call("Target.getTargets", json!({})).await;
        let worker = targets["targetInfos"]
            .as_array()?
            .iter()
            .find(|t| t["type"] == "service_worker" && t["url"].as_str().is_some_and(|u| u.starts_with(origin)))?;
        let target = worker["targetId"].clone();
        let attached = self.call("Target.attachToTarget", json!({"targetId": target, "flatten": true})).await;
        attached["sessionId"].as_str().map(str::to_owned)
    }

    async fn evaluate_in(&mut self, session: &str, expression: &str) -> Value {
        let params = json!({"expression": expression, "awaitPromise": true, "returnByValue": true});
        self.call_in(Some(session), "Runtime.evaluate", params).await["result"]["value"].clone()
    }
}
