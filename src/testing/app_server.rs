//! An app server that lives in the test itself: a stand-in for `fetch` that answers the requests
//! under one path of the page's (or worker's) own origin and records them.

use crate::js::get;
use js_sys::{Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// The path the recording app server answers under, on the test's own origin.
const PATH: &str = "/wasm-push-test/";

/// A request the [`RecordingAppServer`] answered.
///
/// ```no_run
/// # async fn run() {
/// let server = wasm_push::testing::RecordingAppServer::start().await;
/// // … the code under test sends a subscription to server.url("subscription") …
/// for request in server.requests() {
///     assert_eq!(request.method, "POST");
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// `POST`, `DELETE`, …
    pub method: String,
    /// The path after the server's own (`subscription` for `/wasm-push-test/subscription`).
    pub path: String,
    /// The request's headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body as JSON (`null` when empty, a string when it is not JSON).
    pub body: serde_json::Value,
}

impl RecordedRequest {
    /// The value of header `name` (any case), if sent.
    ///
    /// ```no_run
    /// # fn run(request: wasm_push::testing::RecordedRequest) {
    /// assert_eq!(request.header("X-CSRF-Token"), Some("token-1"));
    /// # }
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(header, _)| *header == name).map(|(_, value)| value.as_str())
    }
}

#[derive(Debug)]
struct State {
    requests: Vec<RecordedRequest>,
    /// `None`: as if the server were unreachable (fetch rejects).
    answer: Option<(u16, String)>,
}

/// An app server for tests: while it lives, `fetch` requests to [`RecordingAppServer::url`]
/// (from the page or the service worker the test runs in, so from `AppServer` and from the
/// worker's `subscription_url` and `receipts_url` alike) are answered here and recorded; every
/// other request goes to the network as usual. Dropping it puts the browser's `fetch` back.
///
/// ```no_run
/// # async fn run(subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
/// use wasm_push::testing::RecordingAppServer;
/// let server = RecordingAppServer::start().await;
/// wasm_push::window::AppServer::new(server.url("subscription")).csrf_token("token-1").save(&subscription).await?;
/// let sent = &server.requests()[0];
/// assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "subscription"));
/// assert_eq!(sent.body["endpoint"], subscription.endpoint.as_str());
/// # Ok(()) }
/// ```
#[must_use = "the browser's fetch is back once this is dropped"]
pub struct RecordingAppServer {
    state: Rc<RefCell<State>>,
    original: JsValue,
    _stand_in: Closure<dyn FnMut(JsValue, JsValue) -> Promise>,
}

impl std::fmt::Debug for RecordingAppServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingAppServer").field("state", &self.state.borrow()).finish()
    }
}

impl RecordingAppServer {
    /// Starts answering, with `201 Created` and `{}` until told otherwise. A new server knows no
    /// subscription, so the origin's record of what an app server was told is forgotten too.
    ///
    /// ```no_run
    /// # async fn run() {
    /// let server = wasm_push::testing::RecordingAppServer::start().await;
    /// # }
    /// ```
    pub async fn start() -> Self {
        let _ = crate::js::in_step::forget().await;
        let global = js_sys::global();
        let original = get(&global, "fetch");
        let state = Rc::new(RefCell::new(State { requests: Vec::new(), answer: Some((201, "{}".into())) }));
        let prefix = [get(&get(&global, "location"), "origin").as_string().unwrap_or_default().as_str(), PATH].concat();
        let (recorded, network) = (state.clone(), original.clone());
        let stand_in = Closure::<dyn FnMut(JsValue, JsValue) -> Promise>::new(move |input: JsValue, init: JsValue| {
            let request: Option<web_sys::Request> = match input.dyn_ref::<web_sys::Request>() {
                // `Clone::clone`: `Request::clone` is the JavaScript method, which copies the body.
                Some(request) => Some(Clone::clone(request)),
                None => {
                    let url = input.as_string().unwrap_or_default();
                    web_sys::Request::new_with_str_and_init(&url, init.unchecked_ref()).ok()
                }
            };
            match request {
                Some(request) if request.url().starts_with(&prefix) => answer(recorded.clone(), request, &prefix),
                // Anything else goes to the network, as the browser's fetch would send it.
                _ => network
                    .unchecked_ref::<js_sys::Function>()
                    .call2(&js_sys::global(), &input, &init)
                    .map_or_else(|error| Promise::reject(&error), JsCast::unchecked_into),
            }
        });
        let _ = Reflect::set(&global, &"fetch".into(), stand_in.as_ref());
        RecordingAppServer { state, original, _stand_in: stand_in }
    }

    /// The URL of `path` on this server, for `AppServer::new` or a worker's settings.
    ///
    /// ```no_run
    /// # async fn run() {
    /// let server = wasm_push::testing::RecordingAppServer::start().await;
    /// assert_eq!(server.url("subscription"), "/wasm-push-test/subscription");
    /// # }
    /// ```
    pub fn url(&self, path: &str) -> String {
        [PATH, path.trim_start_matches('/')].concat()
    }

    /// Every request answered so far, oldest first.
    ///
    /// ```no_run
    /// # async fn run() { let server = wasm_push::testing::RecordingAppServer::start().await;
    /// assert!(server.requests().is_empty());
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.borrow().requests.clone()
    }

    /// Answers from now on with this status and body (an app server that refuses, say).
    ///
    /// ```no_run
    /// # async fn run() { let server = wasm_push::testing::RecordingAppServer::start().await;
    /// server.answer_with(403, r#"{"error":{"id":"csrf","message":"bad token"}}"#);
    /// # }
    /// ```
    pub fn answer_with(&self, status: u16, body: &str) {
        self.state.borrow_mut().answer = Some((status, body.to_owned()));
    }

    /// From now on, answers nothing: `fetch` rejects, as for a server that is down or offline.
    /// [`RecordingAppServer::answer_with`] brings it back. Requests are still recorded.
    ///
    /// ```no_run
    /// # async fn run() { let server = wasm_push::testing::RecordingAppServer::start().await;
    /// server.go_down();
    /// # }
    /// ```
    pub fn go_down(&self) {
        self.state.borrow_mut().answer = None;
    }
}

impl Drop for RecordingAppServer {
    fn drop(&mut self) {
        let _ = Reflect::set(&js_sys::global(), &"fetch".into(), &self.original);
    }
}

/// Records `request` and answers it as the state says.
fn answer(state: Rc<RefCell<State>>, request: web_sys::Request, prefix: &str) -> Promise {
    let path = request.url().get(prefix.len()..).unwrap_or_default().to_owned();
    let headers = js_sys::try_iter(&request.headers()).ok().flatten().into_iter().flatten().filter_map(|entry| {
        let entry = js_sys::Array::from(&entry.ok()?);
        Some((entry.get(0).as_string()?.to_ascii_lowercase(), entry.get(1).as_string()?))
    });
    let mut recorded =
        RecordedRequest { method: request.method(), path, headers: headers.collect(), body: serde_json::Value::Null };
    future_to_promise(async move {
        let text = JsFuture::from(request.text()?).await?.as_string().unwrap_or_default();
        if !text.is_empty() {
            recorded.body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        }
        let answer = {
            let mut state = state.borrow_mut();
            state.requests.push(recorded);
            state.answer.clone()
        };
        let Some((status, body)) = answer else {
            return Err(js_sys::TypeError::new("the recording app server is down").into());
        };
        let init = web_sys::ResponseInit::new();
        init.set_status(status);
        init.set_headers(&js_sys::Array::of1(&js_sys::Array::of2(&"Content-Type".into(), &"application/json".into())));
        // 204 and its kin may carry no body at all.
        let body = (!body.is_empty()).then_some(body.as_str());
        Ok(web_sys::Response::new_with_opt_str_and_init(body, &init)?.into())
    })
}
