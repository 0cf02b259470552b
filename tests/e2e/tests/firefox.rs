//! The whole demo in headless Firefox ESR against the loopback push service: click "Turn on
//! notifications", the server stores the subscription, type a title and body, click "Send to
//! me", and the shipped worker shows exactly that (encrypted by the server with the `web-push`
//! crate, decrypted by Firefox).

use e2e::{eventually, Browser, DemoServer};
use serde_json::{json, Value};
use std::time::Duration;
use wasm_push_service::PushService;

/// The demo in Firefox, subscribed through its page ("Turn on notifications") against a push
/// service of the test's own, and stored by the demo server.
async fn subscribed_demo(name: &str) -> (PushService, DemoServer, Browser) {
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let server = DemoServer::start(name).await;
    let browser = Browser::firefox(&service).await;
    browser.goto(&format!("{}/", server.origin)).await;
    browser.wait_for_worker().await;
    browser.click("#toggle").await;
    browser.wait_for_text("#subscription", &format!("Subscribed through http://{}", service.addr())).await;
    assert_eq!(server.stored_endpoints().len(), 1);
    (service, server, browser)
}

/// Asks the demo server to send (`POST /api/send`, with the page's CSRF token); its answer.
async fn send(browser: &Browser, request: Value) -> Value {
    browser
        .run_async(&format!(
            "fetch('/api/send', {{ method: 'POST', body: JSON.stringify({request}), headers: {{ \
               'Content-Type': 'application/json', \
               'X-CSRF-Token': document.querySelector('meta[name=\"csrf-token\"]').content }} }}).then(r => r.json())"
        ))
        .await
}

/// The titles of the notifications showing, sorted, once `expected` many show, or when 15 s
/// have passed (a test that expects nothing more waits this out).
async fn titles_once(browser: &Browser, expected: usize) -> Vec<String> {
    let titles = async || {
        let mut titles: Vec<String> = browser.notifications().await.into_iter().map(|(title, _, _)| title).collect();
        titles.sort();
        titles
    };
    let enough = async {
        loop {
            let shown = titles().await;
            if shown.len() >= expected {
                return shown;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    match tokio::time::timeout(Duration::from_secs(15), enough).await {
        Ok(shown) => shown,
        Err(_) => titles().await,
    }
}

#[tokio::test]
async fn subscribe_send_and_unsubscribe_through_the_demo_page() {
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let server = DemoServer::start("firefox").await;
    let browser = Browser::firefox(&service).await;
    browser.goto(&format!("{}/", server.origin)).await;
    assert_eq!(browser.wait_for_worker().await, format!("Service worker registered and active for {}/", server.origin));

    browser.click("#toggle").await;
    let push_service = format!("http://{}", service.addr());
    browser.wait_for_text("#subscription", &format!("Subscribed through {push_service}")).await;
    assert_eq!(browser.text_of("#permission").await.as_deref(), Some("Granted"));
    let stored = server.stored_endpoints();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].starts_with(&format!("{push_service}/push/")), "{stored:?}");

    browser.type_into("#title", "Typed in Firefox").await;
    browser.type_into("#body", "through the demo server and the push service").await;
    browser.click("#send-me").await;
    browser.wait_for_text("#outcome", "Sent to 1 subscription(s); 0 gone and removed; 0 failed.").await;
    assert_eq!(
        browser.wait_for_notification("demo-me").await,
        ("Typed in Firefox".into(), "through the demo server and the push service".into())
    );
    // What the user typed is still in the form after sending.
    assert_eq!(browser.run("return document.getElementById('title').value").await, "Typed in Firefox");
    browser.screenshot("demo-subscribed").await;
    // Firefox told the push service it delivered the message (code 100).
    eventually(Duration::from_secs(5), Duration::from_millis(50), async || {
        let receipts = service.receipts();
        receipts
            .iter()
            .any(|r| r.kind == "ack" && r.code == 100)
            .then_some(())
            .ok_or_else(|| format!("receipts: {receipts:?}"))
    })
    .await;

    browser.click("#toggle").await;
    browser.wait_for_text("#subscription", "Not subscribed").await;
    assert!(server.stored_endpoints().is_empty());
}

#[tokio::test]
async fn pushes_sent_while_the_browser_is_offline_arrive_on_reconnect_unless_expired_or_replaced_by_topic() {
    let (service, _server, browser) = subscribed_demo("offline").await;
    service.go_offline();
    for (title, ttl, topic) in [
        ("kept while offline", 3600, None),
        ("expired while offline", 1, None),
        ("replaced by the same topic", 3600, Some("news")),
        ("the topic's latest", 3600, Some("news")),
    ] {
        let request = json!({"to": "all", "notification": {"title": title, "tag": title}, "ttl": ttl, "topic": topic});
        assert_eq!(send(&browser, request).await, json!({"sent": 1, "removed": 0, "failed": 0, "later": 0}), "{title}");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(browser.notifications().await.is_empty(), "nothing arrives while the browser is offline");

    service.go_online();
    assert_eq!(titles_once(&browser, 2).await, ["kept while offline", "the topic's latest"]);
    // Nothing else comes later either.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(titles_once(&browser, 3).await.len(), 2);
}

#[tokio::test]
async fn a_subscription_the_browser_dropped_is_pruned_by_the_servers_next_send() {
    let (_service, server, browser) = subscribed_demo("dropped").await;
    // Unsubscribed behind the app server's back (site data cleared, say).
    let unsubscribed = browser
        .run_async(
            "navigator.serviceWorker.ready.then(r => r.pushManager.getSubscription()).then(s => s.unsubscribe())",
        )
        .await;
    assert_eq!(unsubscribed, true);
    let request = json!({"to": "all", "notification": {"title": "to nobody"}});
    assert_eq!(send(&browser, request).await, json!({"sent": 0, "removed": 1, "failed": 0, "later": 0}));
    assert!(server.stored_endpoints().is_empty(), "the push service's 410 removed the row");
}

#[tokio::test]
async fn when_the_push_service_forgets_the_browser_the_worker_resubscribes_and_the_server_keeps_only_the_new_subscription(
) {
    let (service, server, browser) = subscribed_demo("forgotten").await;
    let old = server.stored_endpoints();
    // The push service lost its record of this browser: on reconnecting, Firefox is told a new
    // uaid, drops its subscriptions and fires `pushsubscriptionchange` in the worker.
    service.forget_browsers_on_next_hello();
    service.disconnect_all();
    let stored = eventually(Duration::from_secs(20), Duration::from_millis(200), async || {
        let stored = server.stored_endpoints();
        (stored != old).then_some(stored).ok_or_else(|| format!("the server still holds only {old:?}"))
    })
    .await;
    let current = browser
        .run_async(
            "navigator.serviceWorker.ready.then(r => r.pushManager.getSubscription()).then(s => s && s.endpoint)",
        )
        .await;
    assert_eq!(stored, vec![current.as_str().unwrap_or("no subscription in the browser").to_owned()], "old: {old:?}");
    // And the server reaches the user through it.
    let request = json!({"to": "all", "notification": {"title": "after the change", "tag": "after"}});
    assert_eq!(send(&browser, request).await, json!({"sent": 1, "removed": 0, "failed": 0, "later": 0}));
    assert_eq!(titles_once(&browser, 1).await, ["after the change"]);
}

#[tokio::test]
async fn a_subscription_change_the_app_server_missed_is_sent_after_the_next_push() {
    let (_service, server, browser) = subscribed_demo("missed-change").await;
    let current = server.stored_endpoints();
    // What a `pushsubscriptionchange` leaves when the app server was down: the browser's record
    // says the server still has another endpoint (stored here beside the real one, as a
    // subscription the change replaced) and has not taken the current subscription.
    let missed = browser
        .run_async(
            "navigator.serviceWorker.ready.then((r) => r.pushManager.getSubscription()).then((s) => { \
               const subscription = s.toJSON(); \
               const replaced = { ...subscription, endpoint: subscription.endpoint + '-replaced' }; \
               const token = document.querySelector('meta[name=\"csrf-token\"]').content; \
               return fetch('/api/subscription', { method: 'POST', body: JSON.stringify(replaced), \
                   headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token } }) \
                 .then((r) => r.ok ? caches.open('wasm-push') : r.text().then((t) => { throw new Error(r.status + ' ' + t); })) \
                 .then((cache) => cache.put('/wasm-push/last-subscription.json', new Response(JSON.stringify({ \
                   subscription, oldEndpoint: replaced.endpoint, acknowledged: false, since: Date.now() })))) \
                 .then(() => replaced.endpoint); })",
        )
        .await;
    let mut both = [current.clone(), vec![missed.as_str().unwrap().to_owned()]].concat();
    both.sort();
    let mut stored = server.stored_endpoints();
    stored.sort();
    assert_eq!(stored, both);

    // A push to the current subscription: the worker shows it, finds the change not taken, and
    // sends it, which replaces the old row.
    let request = json!({"to": "me", "endpoint": current[0], "notification": {"title": "after the missed change"}});
    assert_eq!(send(&browser, request).await, json!({"sent": 1, "removed": 0, "failed": 0, "later": 0}));
    assert_eq!(titles_once(&browser, 1).await, ["after the missed change"]);
    eventually(Duration::from_secs(10), Duration::from_millis(200), async || {
        let stored = server.stored_endpoints();
        (stored == current).then_some(()).ok_or_else(|| format!("the server holds {stored:?}, not {current:?}"))
    })
    .await;
}

#[tokio::test]
async fn a_subscription_changed_behind_the_demo_servers_back_is_put_right_on_the_next_page_load() {
    let (_service, server, browser) = subscribed_demo("reload").await;
    let old = server.stored_endpoints();
    // Another script replaces the subscription and tells nobody.
    let key = browser.run("return document.querySelector('meta[name=\"vapid-key\"]').content").await;
    let new = browser
        .run_async(&format!(
            "navigator.serviceWorker.ready.then(async (r) => {{ \
               await (await r.pushManager.getSubscription()).unsubscribe(); \
               const key = Uint8Array.from(atob({key}.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)); \
               return (await r.pushManager.subscribe({{ userVisibleOnly: true, applicationServerKey: key }})).endpoint; }})"
        ))
        .await;
    let new = new.as_str().expect("subscribed again").to_owned();
    assert_ne!(std::slice::from_ref(&new), old.as_slice());
    assert_eq!(server.stored_endpoints(), old, "the server has not heard of it yet");

    // The next visit: the page's use_push brings the server in step.
    browser.goto(&format!("{}/", server.origin)).await;
    browser.wait_for_worker().await;
    eventually(Duration::from_secs(10), Duration::from_millis(100), async || {
        let stored = server.stored_endpoints();
        (stored == [new.clone()]).then_some(()).ok_or_else(|| format!("stored: {stored:?}, browser: {new}"))
    })
    .await;
}

/// `examples/leptos-ssr`'s server, as `cargo leptos build --release` built it
/// (`WASM_PUSH_LEPTOS_SSR_SERVER`, its site in `WASM_PUSH_LEPTOS_SSR_SITE`), started as its
/// README deploys it, on a free loopback port with a fresh data folder; stopped when dropped.
struct LeptosSsrServer {
    origin: String,
    data: std::path::PathBuf,
    _process: tokio::process::Child,
}

impl LeptosSsrServer {
    async fn start() -> LeptosSsrServer {
        let port = e2e::free_port().await;
        let data = e2e::fresh_data("leptos-ssr");
        let mut command = tokio::process::Command::new(e2e::setting("WASM_PUSH_LEPTOS_SSR_SERVER"));
        command
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", e2e::setting("WASM_PUSH_LEPTOS_SSR_SITE"))
            .env("PUSH_DATA", &data)
            .env("VAPID_SUBJECT", "mailto:ops@your.site")
            // The loopback push service is the push service here.
            .env("WASM_PUSH_ENDPOINTS", "loopback");
        let (process, first) = e2e::start_server(command, "the recipe's server").await;
        assert_eq!(first, format!("listening on http://127.0.0.1:{port}"));
        LeptosSsrServer { origin: format!("http://127.0.0.1:{port}"), data, _process: process }
    }

    fn stored_endpoints(&self) -> Vec<String> {
        e2e::stored_endpoints(&self.data.join("subscriptions.sqlite3"))
    }
}

#[tokio::test]
async fn the_full_stack_leptos_recipe_renders_on_its_server_then_subscribes_stores_and_sends_exactly_that_notification()
{
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let server = LeptosSsrServer::start().await;

    // The server renders the page, hook and all, without a browser: nothing known yet.
    let html = reqwest::get(format!("{}/", server.origin)).await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"<p id="status">Loading…</p>"#), "{html}");
    assert!(html.contains(r#"<meta name="csrf-token" content=""#), "{html}");
    assert!(html.contains("Turn on notifications</button>"), "{html}");

    // A save needs the page's origin and its token (a subscription is a URL the visitor chose).
    let token = html.split(r#"<meta name="csrf-token" content=""#).nth(1).unwrap().split('"').next().unwrap();
    let body = format!(
        r#"{{"endpoint":"http://{}/push/forged","keys":{{"p256dh":"BPk","auth":"c2VjcmV0"}}}}"#,
        service.addr()
    );
    let save = async |origin: &str, token: &str| {
        let url = format!("{}/api/push/subscription", server.origin);
        let request = reqwest::Client::new().post(url).header("Origin", origin).header("X-CSRF-Token", token);
        request.body(body.clone()).send().await.unwrap().status().as_u16()
    };
    assert_eq!(save(&server.origin, "").await, 403, "no token");
    assert_eq!(save("https://elsewhere.example", token).await, 403, "another site's page");
    assert!(server.stored_endpoints().is_empty());

    // The browser hydrates it, and the hook registers the worker.
    let browser = Browser::firefox(&service).await;
    browser.goto(&format!("{}/", server.origin)).await;
    assert_eq!(browser.wait_for_text("#status", "subscribed").await, "Not subscribed");
    browser.click("#toggle").await;
    assert_eq!(browser.wait_for_text("#status", "Subscribed").await, "Subscribed");
    assert_eq!(browser.text_of("#toggle").await.as_deref(), Some("Turn off notifications"));
    let stored = eventually(Duration::from_secs(10), Duration::from_millis(100), async || {
        let stored = server.stored_endpoints();
        (stored.len() == 1).then_some(stored.clone()).ok_or_else(|| format!("stored: {stored:?}"))
    })
    .await;
    assert!(stored[0].starts_with(&format!("http://{}/push/", service.addr())), "{stored:?}");

    // The page's form calls the server function, which fans out to every stored subscription.
    browser.type_into("#title", "Sent from the Leptos server").await;
    browser.type_into("#body", "through its fan-out").await;
    browser.click("#send").await;
    browser.wait_for_text("#outcome", "Sent to 1; 0 gone and removed; 0 failed.").await;
    assert_eq!(titles_once(&browser, 1).await, ["Sent from the Leptos server"]);
    let shown = browser.notifications().await;
    assert_eq!(shown.len(), 1, "exactly that notification: {shown:?}");
    assert_eq!(shown[0].1, "through its fan-out");

    // Turning notifications off removes the stored subscription.
    browser.click("#toggle").await;
    assert_eq!(browser.wait_for_text("#status", "subscribed").await, "Not subscribed");
    eventually(Duration::from_secs(10), Duration::from_millis(100), async || {
        let stored = server.stored_endpoints();
        stored.is_empty().then_some(()).ok_or_else(|| format!("stored: {stored:?}"))
    })
    .await;
}
