//! What a Rust app server does with the crate, natively: the `web-push` crate takes a
//! `Subscription`'s JSON as it is, and `wasm_push::server` sends a `NotificationPayload` to it
//! through the loopback push service, to a scripted browser that decrypts it (RFC 8291) after
//! the service checked the VAPID signature (RFC 8292).
#![cfg(not(target_arch = "wasm32"))]

use serde_json::json;
use std::time::Duration;
use wasm_push::server::{
    Endpoints, FanOut, Push, Sender, Urgency, VapidKeys, VapidSubject, Verdict, MAX_PAYLOAD_BYTES,
};
use wasm_push::{decode_push, Error, Fallback, NotificationPayload, Subscription, Unreachable};
use wasm_push_service::testing::ScriptedBrowser;
use wasm_push_service::PushService;

const BROWSER_JSON: &str = r#"{"endpoint":"http://127.0.0.1:9/push/0c9f","expirationTime":null,"keys":{"auth":"x7aPzMh8OBZ3WDnsHjbBQQ","p256dh":"BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"}}"#;

#[test]
fn the_web_push_crate_takes_the_subscription_json_as_it_is_and_encrypts_a_payload_for_it() {
    let sub: Subscription = serde_json::from_str(BROWSER_JSON).unwrap();
    let info: web_push::SubscriptionInfo = serde_json::from_str(&serde_json::to_string(&sub).unwrap()).unwrap();
    assert_eq!(info.endpoint, sub.endpoint);
    assert_eq!(info.keys.p256dh, sub.keys.p256dh);
    assert_eq!(info.keys.auth, sub.keys.auth);
    let payload = serde_json::to_vec(&NotificationPayload::new("Order #42")).unwrap();
    assert_eq!(decode_push(Some(&payload), &Fallback::default()).title, "Order #42");
    let mut builder = web_push::WebPushMessageBuilder::new(&info);
    builder.set_payload(web_push::ContentEncoding::Aes128Gcm, &payload);
    let message = builder.build().unwrap();
    assert_eq!(message.endpoint.to_string(), sub.endpoint);
    assert!(message.payload.unwrap().content.len() > payload.len(), "encrypted, with its header and tag");
}

/// A sender for the loopback push service (`http://127.0.0.1:<port>`).
fn sender(keys: &VapidKeys) -> Sender {
    Sender::new(keys.clone(), VapidSubject::new("mailto:ops@your.site").unwrap())
        .with_endpoints(Endpoints::loopback_for_tests())
}

/// A browser subscribed through the loopback push service for `keys`' public half.
async fn subscribed(
    service: &PushService,
    keys: &VapidKeys,
) -> (ScriptedBrowser, wasm_push_service::testing::BrowserSubscription, Subscription) {
    let mut browser = ScriptedBrowser::connect(service, None).await;
    let sub = browser.subscribe(&keys.public_key().to_base64url()).await;
    let subscription: Subscription = serde_json::from_value(sub.to_json()).unwrap();
    (browser, sub, subscription)
}

#[tokio::test]
async fn a_payload_sent_by_the_server_side_arrives_as_the_browser_decrypts_it() {
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let keys = VapidKeys::generate().unwrap();
    let (mut browser, sub, subscription) = subscribed(&service, &keys).await;
    let payload =
        NotificationPayload { body: Some("Out for delivery".into()), ..NotificationPayload::new("Order #42") };
    let push = Push::new(&payload).ttl(60).urgency(Urgency::High).topic("order-42").unwrap();
    assert_eq!(sender(&keys).send(&subscription, &push).await, Ok(()));
    let received = browser.receive(&sub).await;
    assert_eq!(decode_push(Some(received.as_bytes()), &Fallback::default()), payload);
}

/// A fan-out to a browser's subscriptions, a payload each, on the runtime the test runs on:
/// each payload arrives once, for its own subscription, as the browser decrypts it.
async fn a_fan_out_arrives_once_each_as_the_browser_decrypts_it() {
    use futures_util::StreamExt;
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let keys = VapidKeys::generate().unwrap();
    let mut browser = ScriptedBrowser::connect(&service, None).await;
    let mut subs = Vec::new();
    for _ in 0..24 {
        subs.push(browser.subscribe(&keys.public_key().to_base64url()).await);
    }
    let payloads: Vec<NotificationPayload> =
        (0..subs.len()).map(|i| NotificationPayload::new(format!("Order #{i}"))).collect();
    let sender = sender(&keys);
    let pushes = futures_util::stream::iter(subs.iter().zip(&payloads).enumerate().map(|(i, (sub, payload))| {
        let to: Subscription = serde_json::from_value(sub.to_json()).unwrap();
        (i, to, Push::new(payload).ttl(60))
    }));
    let outcomes: Vec<_> = sender.fan_out(pushes, FanOut::default().concurrency(8).per_origin(8)).collect().await;
    assert_eq!(outcomes.len(), subs.len());
    assert!(outcomes.iter().all(|outcome| outcome.verdict == Verdict::Sent), "{outcomes:?}");
    let mut arrived = vec![0; subs.len()];
    for _ in 0..subs.len() {
        let (i, text) = browser.receive_from(&subs, Duration::from_secs(10)).await.expect("every push arrives");
        assert_eq!(decode_push(Some(text.as_bytes()), &Fallback::default()), payloads[i]);
        arrived[i] += 1;
    }
    assert_eq!(arrived, vec![1; subs.len()]);
    browser.expect_silence().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fan_out_on_the_multi_threaded_runtime_arrives_once_each_as_the_browser_decrypts_it() {
    a_fan_out_arrives_once_each_as_the_browser_decrypts_it().await;
}

#[tokio::test]
async fn a_fan_out_on_the_current_thread_runtime_arrives_once_each_as_the_browser_decrypts_it() {
    a_fan_out_arrives_once_each_as_the_browser_decrypts_it().await;
}

#[tokio::test]
async fn what_the_push_service_refuses_comes_back_as_what_to_do() {
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let keys = VapidKeys::generate().unwrap();
    let (mut browser, sub, subscription) = subscribed(&service, &keys).await;
    let small = NotificationPayload::new("Hi");

    // Too large for Web Push: refused here, nothing sent.
    let big = NotificationPayload { body: Some("x".repeat(4000)), ..NotificationPayload::new("Big") };
    let bytes = serde_json::to_vec(&big).unwrap().len();
    assert_eq!(
        sender(&keys).send(&subscription, &Push::new(&big)).await,
        Err(Error::PayloadTooLarge { bytes, max: Some(MAX_PAYLOAD_BYTES) })
    );
    browser.expect_silence().await;

    // Signed with another key than the one the browser subscribed with.
    let other = VapidKeys::generate().unwrap();
    assert_eq!(sender(&other).send(&subscription, &Push::new(&small)).await, Err(Error::VapidRejected { status: 403 }));

    // An endpoint the service never issued, and one whose browser unsubscribed: delete them.
    let mut unknown = subscription.clone();
    unknown.endpoint.push_str("-unknown");
    assert_eq!(sender(&keys).send(&unknown, &Push::new(&small)).await, Err(Error::SubscriptionGone { status: 404 }));
    browser.send(json!({"messageType": "unregister", "channelID": sub.channel_id})).await;
    assert_eq!(browser.recv().await["status"], 200);
    assert_eq!(
        sender(&keys).send(&subscription, &Push::new(&small)).await,
        Err(Error::SubscriptionGone { status: 410 })
    );

    // No push service there at all.
    let mut nowhere = subscription.clone();
    nowhere.endpoint = "http://127.0.0.1:9/push/x".into();
    assert!(matches!(
        sender(&keys).send(&nowhere, &Push::new(&small)).await,
        Err(Error::PushServiceUnreachable { cause: Unreachable::Refused, .. })
    ));
}

/// A listener on loopback that counts the connections it gets, and answers each with `answer`
/// (or holds it open, never answering, when `answer` is `None`).
struct Listener {
    url: String,
    connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Listener {
    async fn start(answer: Option<String>) -> Listener {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = connections.clone();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                match &answer {
                    Some(answer) => {
                        let mut buffer = [0u8; 8192];
                        let _ = stream.read(&mut buffer).await;
                        let _ = stream.write_all(answer.as_bytes()).await;
                    }
                    None => held.push(stream),
                }
            }
        });
        Listener { url, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

fn subscription_at(endpoint: &str) -> Subscription {
    let mut sub: Subscription = serde_json::from_str(BROWSER_JSON).unwrap();
    sub.endpoint = endpoint.to_owned();
    sub
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_endpoints_get_a_typed_error_and_the_servers_own_network_receives_nothing() {
    let inside = Listener::start(Some("HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n".into())).await;
    let port = inside.url.rsplit(':').next().unwrap();
    let keys = VapidKeys::generate().unwrap();
    let strict = Sender::new(keys.clone(), VapidSubject::new("mailto:ops@your.site").unwrap());
    let payload = NotificationPayload::new("Hi");
    let push = Push::new(&payload);

    // Malformed: no scheme (this panicked inside the `web-push` crate), no host, not http(s).
    for endpoint in ["/x", "", "push.example/x", "https://", "mailto:ops@your.site", "javascript:alert(1)"] {
        let sent = strict.send(&subscription_at(endpoint), &push).await;
        assert!(matches!(sent, Err(Error::InvalidEndpoint(_))), "{endpoint:?}: {sent:?}");
    }
    // The app server's own network: the listener, written every way, and through DNS.
    let widened = strict.clone().with_endpoints(Endpoints::default().allow_http().allow_any_port());
    for (sender, endpoint) in [
        (&strict, inside.url.clone()),
        (&strict, format!("https://127.0.0.1:{port}/")),
        (&widened, inside.url.clone()),
        (&widened, format!("http://[::ffff:127.0.0.1]:{port}/")),
        (&widened, format!("http://2130706433:{port}/")),
        (&widened, format!("http://localhost:{port}/push")),
        (&widened, format!("http://LOCALHOST.:{port}/push")),
    ] {
        let sent = sender.send(&subscription_at(&endpoint), &push).await;
        assert!(matches!(sent, Err(Error::EndpointNotAllowed(_))), "{endpoint}: {sent:?}");
    }
    assert_eq!(inside.connections(), 0, "a refused endpoint was connected to");

    // Allowed on purpose, the same endpoint is reached: the refusals above are the rules'.
    let tests = strict.clone().with_endpoints(Endpoints::loopback_for_tests());
    assert_eq!(tests.send(&subscription_at(&format!("http://localhost:{port}/push")), &push).await, Ok(()));
    assert_eq!(inside.connections(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_is_not_followed_and_a_push_service_that_never_answers_may_have_taken_the_push() {
    let elsewhere = Listener::start(Some("HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n".into())).await;
    let redirecting = Listener::start(Some(format!(
        "HTTP/1.1 307 Temporary Redirect\r\nlocation: {}/push\r\ncontent-length: 0\r\n\r\n",
        elsewhere.url
    )))
    .await;
    let silent = Listener::start(None).await;
    let keys = VapidKeys::generate().unwrap();
    let payload = NotificationPayload::new("Hi");
    let sender = sender(&keys).with_client(|client| client.timeout(std::time::Duration::from_millis(500)));
    assert_eq!(
        sender.send(&subscription_at(&format!("{}/push", redirecting.url)), &Push::new(&payload)).await,
        Err(Error::PushServiceRefused { status: 307 })
    );
    assert_eq!(redirecting.connections(), 1);
    assert_eq!(elsewhere.connections(), 0, "the redirect was followed");

    let started = std::time::Instant::now();
    let sent = sender.send(&subscription_at(&format!("{}/push", silent.url)), &Push::new(&payload)).await;
    assert!(matches!(sent, Err(Error::PushServiceUnreachable { cause: Unreachable::NoAnswer, .. })), "{sent:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(silent.connections(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_and_outages_say_when_to_retry_as_seconds_or_as_a_date() {
    let in_two_minutes = httpdate::fmt_http_date(std::time::SystemTime::now() + std::time::Duration::from_secs(120));
    let keys = VapidKeys::generate().unwrap();
    let payload = NotificationPayload::new("Hi");
    for (status, retry_after, expected) in [
        (429, "30".to_owned(), 30..=30),
        (503, "45".to_owned(), 45..=45),
        // A date is whole seconds, and the send takes a moment: a wait of about two minutes.
        (503, in_two_minutes, 110..=120),
    ] {
        let service = Listener::start(Some(format!(
            "HTTP/1.1 {status} No\r\nretry-after: {retry_after}\r\ncontent-length: 0\r\n\r\n"
        )))
        .await;
        let sent = sender(&keys).send(&subscription_at(&format!("{}/push", service.url)), &Push::new(&payload)).await;
        let wait = match sent {
            Err(Error::RateLimited { retry_after_secs: Some(wait) }) if status == 429 => wait,
            Err(Error::PushServiceUnavailable { retry_after_secs: Some(wait), .. }) if status == 503 => wait,
            other => panic!("{status} {retry_after}: {other:?}"),
        };
        assert!(expected.contains(&wait), "{status} {retry_after}: waits {wait} s");
    }
}

#[tokio::test]
async fn a_push_service_on_its_own_port_takes_the_push_and_says_when_the_subscription_is_gone() {
    // The loopback push service checks `aud` as Mozilla's does: the origin with its port.
    let service = PushService::start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let keys = VapidKeys::generate().unwrap();
    let (mut browser, sub, subscription) = subscribed(&service, &keys).await;
    assert!(subscription.endpoint.starts_with(&format!("http://{}/", service.addr())));
    assert_eq!(sender(&keys).send(&subscription, &Push::new(&NotificationPayload::new("Hi"))).await, Ok(()));
    browser.receive(&sub).await;
    browser.send(json!({"messageType": "unregister", "channelID": sub.channel_id})).await;
    assert_eq!(browser.recv().await["status"], 200);
    assert_eq!(
        sender(&keys).send(&subscription, &Push::new(&NotificationPayload::new("Hi"))).await,
        Err(Error::SubscriptionGone { status: 410 })
    );
}

/// Inside a network namespace of its own (only `lo`, as root), private and link-local addresses
/// are put on `lo` and listened on, and a host name resolves to one of them (`/etc/hosts`,
/// bind-mounted in a mount namespace): a default sender reaches none of them, one that allows
/// internal destinations reaches each. The test runs itself again under `unshare`.
#[test]
fn private_and_link_local_destinations_are_refused_inside_a_network_namespace_of_its_own() {
    const INSIDE: &str = "WASM_PUSH_TEST_IN_NETNS";
    if std::env::var_os(INSIDE).is_none() {
        let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let namespaces =
            || std::process::Command::new("unshare").args(["-n", "-m", "true"]).status().is_ok_and(|s| s.success());
        if !root || !namespaces() {
            println!(
                "skipped: needs root and network namespaces for `unshare -n -m` (cargo xtask test runs as root in CI)"
            );
            return;
        }
        let test = std::env::current_exe().unwrap();
        let status = std::process::Command::new("unshare")
            .args(["-n", "-m", "--"])
            .arg(test)
            .args([
                "--exact",
                "private_and_link_local_destinations_are_refused_inside_a_network_namespace_of_its_own",
                "--nocapture",
            ])
            .env(INSIDE, "1")
            .status()
            .expect("unshare runs");
        assert!(status.success(), "the test in the namespace failed");
        return;
    }
    let run = |command: &str| {
        let status = std::process::Command::new("sh").args(["-c", command]).status().unwrap();
        assert!(status.success(), "{command}");
    };
    // Never outside the namespace: the caller above is the only way here.
    run("ip link set lo up && ip addr add 10.20.30.40/32 dev lo && ip addr add 169.254.169.254/32 dev lo && ip addr add fd00::7/128 dev lo");
    let hosts = std::env::temp_dir().join(format!("wasm-push-hosts-{}", std::process::id()));
    std::fs::write(
        &hosts,
        "127.0.0.1 localhost\n169.254.169.254 metadata.push.example\n10.20.30.40 push.corp.example\n",
    )
    .unwrap();
    run(&format!("mount --make-rprivate / && mount --bind {} /etc/hosts", hosts.display()));

    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let connections = std::sync::Arc::new(AtomicUsize::new(0));
        for addr in ["10.20.30.40:443", "169.254.169.254:443", "[fd00::7]:443"] {
            let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
            let count = connections.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    count.fetch_add(1, Ordering::SeqCst);
                    drop(stream);
                }
            });
        }
        let endpoints = [
            "https://10.20.30.40/push",
            "https://169.254.169.254/latest/meta-data/",
            "https://[fd00::7]/push",
            "https://metadata.push.example/latest/meta-data/",
            "https://push.corp.example/push",
        ];
        let keys = VapidKeys::generate().unwrap();
        let strict = Sender::new(keys.clone(), VapidSubject::new("mailto:ops@your.site").unwrap());
        let payload = NotificationPayload::new("Hi");
        for endpoint in endpoints {
            let sent = strict.send(&subscription_at(endpoint), &Push::new(&payload)).await;
            assert!(matches!(sent, Err(Error::EndpointNotAllowed(_))), "{endpoint}: {sent:?}");
        }
        assert_eq!(connections.load(Ordering::SeqCst), 0, "an internal destination was connected to");
        // Allowed on purpose, each is reached (the listeners are not TLS, so the send fails there).
        let inside = strict.with_endpoints(Endpoints::default().allow_internal());
        for endpoint in endpoints {
            let sent = inside.send(&subscription_at(endpoint), &Push::new(&payload)).await;
            assert!(matches!(sent, Err(Error::PushServiceUnreachable { .. })), "{endpoint}: {sent:?}");
        }
        assert_eq!(connections.load(Ordering::SeqCst), endpoints.len());
        // A name nothing resolves (no DNS server is reachable in here) is blamed on DNS.
        let sent = inside.send(&subscription_at("https://nowhere.invalid/push"), &Push::new(&payload)).await;
        assert!(matches!(sent, Err(Error::PushServiceUnreachable { cause: Unreachable::Dns, .. })), "{sent:?}");
    });
}
