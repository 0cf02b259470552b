//! The demo server's API against the real binary, a real SQLite file and the loopback push
//! service; its log is captured and checked for secrets.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use wasm_push_service::testing::ScriptedBrowser;
use wasm_push_service::PushService;

/// A running demo server with its own data directory; its stdout is collected.
struct Server {
    _child: KillOnDrop,
    base: String,
    data: PathBuf,
    log: Arc<Mutex<Vec<String>>>,
    token: String,
    vapid_public: String,
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasm-push-demo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Server {
    /// The server as the test suite runs it: the loopback push service is a push service.
    async fn start(data: &Path) -> Server {
        Server::start_with(data, &["--endpoints", "loopback"]).await
    }

    async fn start_with(data: &Path, args: &[&str]) -> Server {
        let root = data.join("site");
        std::fs::create_dir_all(&root).unwrap();
        let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/index.html");
        std::fs::copy(template, root.join("index.html")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_wasm-push-demo-server"))
            .args(["--addr", "127.0.0.1:0", "--data"])
            .arg(data)
            .arg("--root")
            .arg(&root)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        // From here on the server dies with the test, even when an assertion below fails.
        let mut child = KillOnDrop(child);
        let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let base = first.split("open ").nth(1).unwrap().split('/').take(3).collect::<Vec<_>>().join("/");
        let log = Arc::new(Mutex::new(vec![first]));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let page = reqwest::get(format!("{base}/")).await.unwrap().text().await.unwrap();
        let meta = |name: &str| {
            let pattern = format!("name=\"{name}\" content=\"");
            let start = page.find(&pattern).unwrap() + pattern.len();
            page[start..].split('"').next().unwrap().to_owned()
        };
        let (token, vapid_public) = (meta("csrf-token"), meta("vapid-key"));
        assert_eq!(token.len(), 48);
        assert_eq!(vapid_public.len(), 87, "a 65-byte P-256 point in base64url");
        Server { _child: child, base, data: data.to_owned(), log, token, vapid_public }
    }

    /// A request as the page makes it: same Origin, CSRF token.
    async fn call(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        self.call_with(method, path, body, Some(&self.base), Some(&self.token)).await
    }

    async fn call_with(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
        origin: Option<&str>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut request = reqwest::Client::new().request(method, format!("{}{path}", self.base)).json(body);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        if let Some(token) = token {
            request = request.header("X-CSRF-Token", token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    fn rows(&self) -> Vec<String> {
        let db = rusqlite::Connection::open(self.data.join("subscriptions.sqlite3")).unwrap();
        let mut statement = db.prepare("SELECT endpoint FROM subscriptions ORDER BY endpoint").unwrap();
        statement.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser's subscription keys, as `toJSON()` gives them.
const P256DH: &str = "BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0";
/// Another browser's (any P-256 public key): what an attacker would have a subscriber's pushes
/// encrypted to.
fn other_p256dh() -> String {
    wasm_push::server::VapidKeys::generate().unwrap().public_key().to_base64url()
}

fn subscription(endpoint: &str) -> Value {
    json!({"endpoint": endpoint, "expirationTime": null, "keys": {"p256dh": P256DH, "auth": "x7aPzMh8OBZ3WDnsHjbBQQ"}})
}

#[test]
fn a_demo_listening_beyond_loopback_needs_a_contact_of_its_own() {
    // Refused before it binds anything: the project's page is no contact for a site others use.
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasm-push-demo-server"))
        .args(["--addr", "0.0.0.0:0", "--data"])
        .arg(scratch_dir("beyond-loopback"))
        .env_remove("WASM_PUSH_SUBJECT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A server that started anyway would serve for ever: it is stopped, and the test fails.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the demo started beyond loopback without a contact of its own");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("--subject") && said.contains("your own contact"), "{said}");
}

#[tokio::test]
async fn the_workers_files_are_served_with_their_types_and_revalidated() {
    let data = scratch_dir("worker-files");
    let server = Server::start(&data).await;
    let site = data.join("site");
    std::fs::create_dir_all(site.join("module")).unwrap();
    std::fs::write(site.join("sw.js"), "// the worker").unwrap();
    std::fs::write(site.join("wasm_push_sw_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(site.join("module/push.mjs"), "// the module entry").unwrap();
    for (path, content_type) in [
        ("/sw.js", "text/javascript"),
        ("/wasm_push_sw_bg.wasm", "application/wasm"),
        ("/module/push.mjs", "text/javascript"),
    ] {
        let answer = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
        assert_eq!(answer.status(), 200, "{path}");
        assert_eq!(answer.headers()["content-type"], content_type, "{path}");
        assert_eq!(answer.headers()["cache-control"], "no-cache", "{path}");
    }
    assert_eq!(reqwest::get(format!("{}/push.js", server.base)).await.unwrap().status(), 404, "not built: missing");
}

#[tokio::test]
async fn saving_twice_stores_one_row_and_delete_removes_it() {
    let server = Server::start(&scratch_dir("upsert")).await;
    let sub = subscription("https://push.example/capability-1");
    assert_eq!(server.call(reqwest::Method::POST, "/api/subscription", &sub).await.0, 201);
    assert_eq!(server.call(reqwest::Method::POST, "/api/subscription", &sub).await.0, 201);
    assert_eq!(server.rows(), ["https://push.example/capability-1"]);

    let gone = json!({"endpoint": "https://push.example/capability-1"});
    assert_eq!(server.call(reqwest::Method::DELETE, "/api/subscription", &gone).await.0, 204);
    assert!(server.rows().is_empty());
}

#[tokio::test]
async fn a_changed_subscription_replaces_the_old_row() {
    let server = Server::start(&scratch_dir("replace")).await;
    server.call(reqwest::Method::POST, "/api/subscription", &subscription("https://push.example/old")).await;
    let mut changed = subscription("https://push.example/new");
    changed["oldEndpoint"] = "https://push.example/old".into();
    assert_eq!(server.call(reqwest::Method::POST, "/api/subscription", &changed).await.0, 201);
    assert_eq!(server.rows(), ["https://push.example/new"]);
}

#[tokio::test]
async fn the_worker_replaces_a_stored_subscription_without_the_token_but_not_an_unknown_one() {
    let server = Server::start(&scratch_dir("worker")).await;
    server.call(reqwest::Method::POST, "/api/subscription", &subscription("https://push.example/old")).await;
    let mut changed = subscription("https://push.example/new");
    changed["oldEndpoint"] = "https://push.example/old".into();
    let (status, _) =
        server.call_with(reqwest::Method::POST, "/api/subscription", &changed, Some(&server.base), None).await;
    assert_eq!(status, 201);
    assert_eq!(server.rows(), ["https://push.example/new"]);

    changed["oldEndpoint"] = "https://push.example/guessed".into();
    changed["endpoint"] = "https://push.example/attacker".into();
    let (status, body) =
        server.call_with(reqwest::Method::POST, "/api/subscription", &changed, Some(&server.base), None).await;
    assert_eq!((status, &body["error"]["id"]), (403, &json!("csrf")));
    let (status, _) =
        server.call_with(reqwest::Method::POST, "/api/subscription", &changed, Some("http://evil.example"), None).await;
    assert_eq!(status, 403);
    assert_eq!(server.rows(), ["https://push.example/new"]);
}

#[tokio::test]
async fn requests_without_the_token_or_from_another_origin_are_refused_and_nothing_is_stored() {
    let server = Server::start(&scratch_dir("csrf")).await;
    let sub = subscription("https://push.example/forged");
    let cases = [
        (Some(server.base.as_str()), None, "csrf"),
        (Some(server.base.as_str()), Some("wrong-token"), "csrf"),
        (Some("http://evil.example"), Some(server.token.as_str()), "origin"),
        (None, Some(server.token.as_str()), "origin"),
    ];
    for (origin, token, id) in cases {
        for (method, path) in [
            (reqwest::Method::POST, "/api/subscription"),
            (reqwest::Method::POST, "/api/send"),
            (reqwest::Method::DELETE, "/api/subscription"),
        ] {
            let (status, body) = server.call_with(method.clone(), path, &sub, origin, token).await;
            assert_eq!(status, 403, "{method} {path} from {origin:?} with {token:?}");
            assert_eq!(body["error"]["id"], id, "{body}");
            assert!(body["error"]["message"].is_string());
        }
    }
    assert!(server.rows().is_empty());
}

#[tokio::test]
async fn bad_bodies_get_400_in_the_error_shape() {
    let server = Server::start(&scratch_dir("bad")).await;
    let (status, body) = server.call(reqwest::Method::POST, "/api/subscription", &json!({"endpoint": 5})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["id"], "bad-request");
    let (status, body) =
        server.call(reqwest::Method::POST, "/api/subscription", &subscription("javascript:alert(1)")).await;
    assert_eq!((status, &body["error"]["id"]), (400, &json!("endpoint")));
    assert!(server.rows().is_empty());
}

#[tokio::test]
async fn a_save_without_the_pages_token_never_changes_a_stored_rows_keys() {
    let server = Server::start(&scratch_dir("keys")).await;
    let (victim, other) = ("https://push.example/victim", "https://push.example/other");
    for endpoint in [victim, other] {
        assert_eq!(server.call(reqwest::Method::POST, "/api/subscription", &subscription(endpoint)).await.0, 201);
    }
    // Naming a stored row as old and new at once, or another stored row as the new one:
    // without the token, refused, and the keys stay the subscriber's.
    for (new, old) in [(victim, victim), (victim, other), (other, victim)] {
        let mut forged = subscription(new);
        forged["keys"]["p256dh"] = other_p256dh().into();
        forged["oldEndpoint"] = old.into();
        let (status, body) =
            server.call_with(reqwest::Method::POST, "/api/subscription", &forged, Some(&server.base), None).await;
        assert_eq!((status, &body["error"]["id"]), (403, &json!("csrf")), "{new} in place of {old}");
    }
    let db = rusqlite::Connection::open(server.data.join("subscriptions.sqlite3")).unwrap();
    let key = |endpoint: &str| -> String {
        db.query_row("SELECT p256dh FROM subscriptions WHERE endpoint = ?1", [endpoint], |row| row.get(0)).unwrap()
    };
    assert_eq!((key(victim), key(other)), (P256DH.to_owned(), P256DH.to_owned()));
    // What the worker sends after a change the server half took: the subscription it already
    // holds, under the same keys, in place of the old row. Without the token, taken: the old
    // row goes and no keys change.
    let mut change = subscription(victim);
    change["oldEndpoint"] = other.into();
    let (status, _) =
        server.call_with(reqwest::Method::POST, "/api/subscription", &change, Some(&server.base), None).await;
    assert_eq!(status, 201);
    assert_eq!(server.rows(), [victim]);
    assert_eq!(key(victim), P256DH);
}

#[tokio::test]
async fn keys_no_browser_makes_are_refused_when_saved_and_either_base64_alphabet_is_taken() {
    let server = Server::start(&scratch_dir("bad-keys")).await;
    for (p256dh, auth) in [("BPk-p256dh-secret", "x7aPzMh8OBZ3WDnsHjbBQQ"), (P256DH, "short")] {
        let mut sub = subscription("https://push.example/bad-keys");
        sub["keys"] = json!({"p256dh": p256dh, "auth": auth});
        let (status, body) = server.call(reqwest::Method::POST, "/api/subscription", &sub).await;
        assert_eq!((status, &body["error"]["id"]), (400, &json!("keys")), "{p256dh} {auth}: {body}");
    }
    assert!(server.rows().is_empty());
    let mut standard = subscription("https://push.example/standard");
    standard["keys"] =
        json!({"p256dh": P256DH.replace('-', "+").replace('_', "/"), "auth": "x7aPzMh8OBZ3WDnsHjbBQQ=="});
    assert_eq!(server.call(reqwest::Method::POST, "/api/subscription", &standard).await.0, 201);
}

#[tokio::test]
async fn by_default_only_the_known_push_services_are_stored() {
    let server = Server::start_with(&scratch_dir("public"), &[]).await;
    for endpoint in [
        // Any other public host: a visitor's own server, where each send could wait 10 s.
        "https://push.example/x",
        "https://evilfcm.googleapis.com.example/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "http://push.example/x",
        "https://127.0.0.1:6379/",
        "https://localhost/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/push",
        "https://push.example:8443/x",
        "/x",
    ] {
        let (status, body) = server.call(reqwest::Method::POST, "/api/subscription", &subscription(endpoint)).await;
        assert_eq!((status, &body["error"]["id"]), (400, &json!("endpoint")), "{endpoint}: {body}");
    }
    assert!(server.rows().is_empty());
    let (status, _) = server
        .call(reqwest::Method::POST, "/api/subscription", &subscription("https://fcm.googleapis.com/fcm/send/ok"))
        .await;
    assert_eq!(status, 201);
    assert_eq!(server.rows(), ["https://fcm.googleapis.com/fcm/send/ok"]);
    // `--endpoints public` takes any public https:// host, as the operator chose.
    let public = Server::start_with(&scratch_dir("any-public"), &["--endpoints", "public"]).await;
    assert_eq!(
        public.call(reqwest::Method::POST, "/api/subscription", &subscription("https://push.example/ok")).await.0,
        201
    );
}

#[tokio::test]
async fn a_page_on_a_rebound_dns_name_is_refused_though_its_origin_matches_its_own_host() {
    let server = Server::start(&scratch_dir("rebind")).await;
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    // DNS rebinding: evil.example now resolves to this server, so the browser sends
    // `Host: evil.example:PORT` and `Origin: http://evil.example:PORT`, which agree.
    let client = reqwest::Client::new();
    let rebound = format!("evil.example:{port}");
    let page = client.get(format!("{}/", server.base)).header("Host", &rebound).send().await.unwrap();
    assert_eq!(page.status(), 421);
    assert!(!page.text().await.unwrap().contains(&server.token), "the page's CSRF token was served");
    let save = client
        .post(format!("{}/api/subscription", server.base))
        .header("Host", &rebound)
        .header("Origin", format!("http://{rebound}"))
        .header("X-CSRF-Token", &server.token)
        .json(&subscription("https://push.example/rebound"))
        .send()
        .await
        .unwrap();
    assert_eq!(save.status(), 421);
    // Its own Host but a rebound page's Origin: refused too.
    let (status, body) = server
        .call_with(
            reqwest::Method::POST,
            "/api/subscription",
            &subscription("https://push.example/rebound"),
            Some(&format!("http://{rebound}")),
            Some(&server.token),
        )
        .await;
    assert_eq!((status, &body["error"]["id"]), (403, &json!("origin")));
    // localhost is the same site on loopback.
    let (status, _) = server
        .call_with(
            reqwest::Method::POST,
            "/api/subscription",
            &subscription("https://push.example/localhost"),
            Some(&format!("http://localhost:{port}")),
            Some(&server.token),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(server.rows(), ["https://push.example/localhost"]);
}

#[tokio::test]
async fn a_push_reaches_a_real_subscription_and_a_gone_one_is_pruned() {
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let server = Server::start(&scratch_dir("send")).await;
    let mut browser = ScriptedBrowser::connect(&service, None).await;
    let browser_sub = browser.subscribe(&server.vapid_public).await;
    let sub = browser_sub.to_json();
    assert_eq!(server.call(reqwest::Method::POST, "/api/subscription", &sub).await.0, 201);

    // Too large for any push service: one answer, and nothing sent.
    let long = json!({"to": "all", "notification": {"title": "Long", "body": "x".repeat(4000)}, "ttl": 60});
    let (status, body) = server.call(reqwest::Method::POST, "/api/send", &long).await;
    assert_eq!((status, &body["error"]["id"]), (413, &json!("payload")), "{body}");
    browser.expect_silence().await;

    let notification = json!({"title": "Hello from the demo", "body": "typed in the form", "url": "/"});
    let request = json!({"to": "me", "endpoint": sub["endpoint"], "notification": notification, "ttl": 60, "urgency": "high", "topic": "demo"});
    let (status, body) = server.call(reqwest::Method::POST, "/api/send", &request).await;
    assert_eq!((status, body.clone()), (200, json!({"sent": 1, "removed": 0, "failed": 0, "later": 0})));
    let received: Value = serde_json::from_str(&browser.receive(&browser_sub).await).unwrap();
    assert_eq!(received, notification);

    // The user unsubscribes; the push service answers 410; the row goes.
    browser.send(json!({"messageType": "unregister", "channelID": browser_sub.channel_id})).await;
    browser.recv().await;
    let everyone = json!({"to": "all", "notification": {"title": "To all"}});
    let (status, body) = server.call(reqwest::Method::POST, "/api/send", &everyone).await;
    assert_eq!((status, body), (200, json!({"sent": 0, "removed": 1, "failed": 0, "later": 0})));
    assert!(server.rows().is_empty());

    // Nothing secret reached the log.
    let log = server.log();
    assert!(log.contains(&format!("saved a subscription at http://{}", service.addr())), "{log}");
    for secret in [browser_sub.channel_id.as_str(), browser_sub.p256dh.as_str(), sub["keys"]["auth"].as_str().unwrap()]
    {
        assert!(!log.contains(secret), "the log shows {secret}:\n{log}");
    }
}

#[tokio::test]
async fn vapid_keys_and_subscriptions_survive_a_restart() {
    let data = scratch_dir("restart");
    let first = Server::start(&data).await;
    first.call(reqwest::Method::POST, "/api/subscription", &subscription("https://push.example/kept")).await;
    let key = first.vapid_public.clone();
    drop(first);
    let second = Server::start(&data).await;
    assert_eq!(second.vapid_public, key);
    assert_eq!(second.rows(), ["https://push.example/kept"]);
}

/// A push service on loopback that answers `answers[i]` (status, `Retry-After`) to its i-th
/// push and 201 once they run out; it records when each push came.
struct BusyPushService {
    endpoint: String,
    asked: Arc<Mutex<Vec<(std::time::Instant, u16)>>>,
}

impl BusyPushService {
    async fn start(answers: &'static [(u16, &'static str)], then: u16) -> BusyPushService {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let record = asked.clone();
        let app = axum::Router::new().fallback(move || {
            let mut asked = record.lock().unwrap();
            let (status, wait) = answers.get(asked.len()).copied().unwrap_or((then, "1"));
            asked.push((std::time::Instant::now(), status));
            let status = axum::http::StatusCode::from_u16(status).unwrap();
            async move { (status, [("retry-after", wait)]) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}/push/busy", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        BusyPushService { endpoint, asked }
    }

    fn statuses(&self) -> Vec<u16> {
        self.asked.lock().unwrap().iter().map(|(_, status)| *status).collect()
    }
}

/// Four "not now" answers: the fan-out's try and its three retries, the last asking for 3 s.
const BUSY_FOR_A_FAN_OUT: &[(u16, &str)] = &[(429, "1"), (503, "1"), (429, "1"), (503, "3")];

#[tokio::test]
async fn a_push_the_push_service_asked_to_wait_for_is_sent_once_after_the_wait() {
    let service = BusyPushService::start(BUSY_FOR_A_FAN_OUT, 201).await;
    let server = Server::start(&scratch_dir("later")).await;
    let sub = subscription(&service.endpoint);
    assert_eq!(server.call(reqwest::Method::POST, "/api/subscription", &sub).await.0, 201);

    let request = json!({"to": "all", "notification": {"title": "After the wait"}, "ttl": 60});
    let (status, body) = server.call(reqwest::Method::POST, "/api/send", &request).await;
    assert_eq!((status, body), (200, json!({"sent": 0, "removed": 0, "failed": 0, "later": 1})));
    assert_eq!(service.statuses(), [429, 503, 429, 503]);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while service.statuses().len() < 5 {
        assert!(std::time::Instant::now() < deadline, "not sent again: {:?}\n{}", service.statuses(), server.log());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Taken once, and never sent again.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(service.statuses(), [429, 503, 429, 503, 201], "{}", server.log());
    let asked = service.asked.lock().unwrap().clone();
    assert!(asked[4].0 - asked[3].0 >= std::time::Duration::from_secs(3), "sent again before the wait it asked for");
    assert_eq!(server.rows(), [service.endpoint.as_str()]);
}

#[tokio::test]
async fn a_subscription_deleted_while_its_push_waits_is_not_sent_to() {
    let service = BusyPushService::start(&[], 429).await;
    let server = Server::start(&scratch_dir("later-opt-out")).await;
    let sub = subscription(&service.endpoint);
    assert_eq!(server.call(reqwest::Method::POST, "/api/subscription", &sub).await.0, 201);
    let request = json!({"to": "all", "notification": {"title": "Not after opting out"}, "ttl": 60});
    let (status, body) = server.call(reqwest::Method::POST, "/api/send", &request).await;
    assert_eq!((status, &body["later"]), (200, &json!(1)), "{body}");

    // The user turns notifications off during the wait.
    let gone = json!({"endpoint": service.endpoint});
    assert_eq!(server.call(reqwest::Method::DELETE, "/api/subscription", &gone).await.0, 204);
    let asked = service.statuses().len();
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    assert_eq!(service.statuses().len(), asked, "sent to a deleted subscription\n{}", server.log());
}

#[tokio::test]
async fn a_wait_longer_than_the_pushs_ttl_gives_up_at_once_and_says_so() {
    // The largest wait a header can say, and the one the type holds.
    for wait in ["86400", "18446744073709551615"] {
        let answers: &'static [(u16, &'static str)] = Box::leak(Box::new([(503, wait)]));
        let service = BusyPushService::start(answers, 201).await;
        let server = Server::start(&scratch_dir("later-stale")).await;
        let sub = subscription(&service.endpoint);
        assert_eq!(server.call(reqwest::Method::POST, "/api/subscription", &sub).await.0, 201);
        let request = json!({"to": "all", "notification": {"title": "Stale by then"}, "ttl": 60});
        let (status, body) = server.call(reqwest::Method::POST, "/api/send", &request).await;
        assert_eq!((status, &body["later"]), (200, &json!(1)), "{body}");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(service.statuses(), [503], "{}", server.log());
        assert!(server.log().contains("gave up on 1 push(es)"), "{}", server.log());
    }
}

#[tokio::test]
async fn each_push_service_waits_on_its_own_and_a_long_wait_gives_up_on_no_other() {
    let never: &'static [(u16, &'static str)] = &[(503, "86400")];
    let (slow, quick) = (BusyPushService::start(never, 201).await, BusyPushService::start(&[(503, "1"); 4], 201).await);
    let server = Server::start(&scratch_dir("later-each")).await;
    for service in [&slow, &quick] {
        assert_eq!(
            server.call(reqwest::Method::POST, "/api/subscription", &subscription(&service.endpoint)).await.0,
            201
        );
    }
    let request = json!({"to": "all", "notification": {"title": "Each on its own"}, "ttl": 600});
    let (status, body) = server.call(reqwest::Method::POST, "/api/send", &request).await;
    assert_eq!((status, &body["later"]), (200, &json!(2)), "{body}");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while quick.statuses().len() < 5 {
        assert!(std::time::Instant::now() < deadline, "not sent again: {:?}\n{}", quick.statuses(), server.log());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(quick.statuses(), [503, 503, 503, 503, 201]);
    // A day's wait is past the push's ten minutes: given up on, and said so.
    assert_eq!(slow.statuses(), [503]);
    assert!(server.log().contains("gave up on 1 push(es) via http://127.0.0.1"), "{}", server.log());
}
