//! Sending to many with `Sender::fan_out`, natively, against push services on loopback that
//! count what they are sent: the limits in all and per push service, a push service that asks
//! to wait paused alone, what to do about each subscription, one VAPID signature per push
//! service, and memory bounded by the concurrency.
#![cfg(not(target_arch = "wasm32"))]

use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasm_push::server::{Endpoints, FanOut, Push, Sender, VapidKeys, VapidSubject, Verdict};
use wasm_push::{NotificationPayload, Subscription};

const KEYS: &str = r#""keys":{"auth":"x7aPzMh8OBZ3WDnsHjbBQQ","p256dh":"BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"}"#;

/// A request a sink received.
#[derive(Debug, Clone)]
struct Received {
    at: Instant,
    path: String,
    authorization: String,
    status: u16,
    /// The sender's end of the connection it came on.
    connection: std::net::SocketAddr,
}

/// A push service on loopback that answers after `delay`, the scripted answers first (status,
/// `Retry-After`), then 201 (410 for paths that start with `gone`); it counts the requests
/// under way, here and in `all` (shared by the sinks of one test).
#[derive(Clone)]
struct Sink {
    url: String,
    state: Arc<SinkState>,
}

struct SinkState {
    delay: Duration,
    answers: Mutex<VecDeque<(u16, Option<String>)>>,
    received: Mutex<Vec<Received>>,
    now: AtomicUsize,
    most: AtomicUsize,
    /// Requests that arrived, answered or not.
    arrived: AtomicUsize,
    all: Arc<(AtomicUsize, AtomicUsize)>,
}

impl Sink {
    async fn start(delay: Duration, answers: &[(u16, Option<&str>)], all: &Arc<(AtomicUsize, AtomicUsize)>) -> Sink {
        let state = Arc::new(SinkState {
            delay,
            answers: Mutex::new(answers.iter().map(|(s, r)| (*s, r.map(str::to_owned))).collect()),
            received: Mutex::default(),
            now: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            arrived: AtomicUsize::new(0),
            all: all.clone(),
        });
        let app = axum::Router::new().route("/push/{id}", axum::routing::post(answer)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Sink { url, state }
    }

    fn subscription(&self, id: &str) -> Subscription {
        serde_json::from_str(&format!(r#"{{"endpoint":"{}/push/{id}",{KEYS}}}"#, self.url)).unwrap()
    }

    fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    fn most_at_once(&self) -> usize {
        self.state.most.load(Ordering::SeqCst)
    }

    fn arrived(&self) -> usize {
        self.state.arrived.load(Ordering::SeqCst)
    }
}

async fn answer(
    State(state): State<Arc<SinkState>>,
    ConnectInfo(connection): ConnectInfo<std::net::SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    state.arrived.fetch_add(1, Ordering::SeqCst);
    let now = state.now.fetch_add(1, Ordering::SeqCst) + 1;
    state.most.fetch_max(now, Ordering::SeqCst);
    let all = state.all.0.fetch_add(1, Ordering::SeqCst) + 1;
    state.all.1.fetch_max(all, Ordering::SeqCst);
    tokio::time::sleep(state.delay).await;
    if id.starts_with("hang") {
        // A push service that stops answering.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if id.starts_with("hold") {
        // Held open, then answered within the tests' deadlines.
        tokio::time::sleep(Duration::from_millis(1200)).await;
    }
    if id.starts_with("slow") {
        // A moment of trouble: slower than the tests' deadlines.
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    let scripted = state.answers.lock().unwrap().pop_front();
    let (status, retry_after) = scripted.unwrap_or(if id.starts_with("gone") { (410, None) } else { (201, None) });
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    state.received.lock().unwrap().push(Received { at: Instant::now(), path: id, authorization, status, connection });
    state.now.fetch_sub(1, Ordering::SeqCst);
    state.all.0.fetch_sub(1, Ordering::SeqCst);
    let mut response = axum::http::StatusCode::from_u16(status).unwrap().into_response();
    if let Some(wait) = retry_after {
        response.headers_mut().insert("retry-after", wait.parse().unwrap());
    }
    response
}

fn sender() -> Sender {
    Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@your.site").unwrap())
        .with_endpoints(Endpoints::loopback_for_tests())
}

fn counters() -> Arc<(AtomicUsize, AtomicUsize)> {
    Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)))
}

/// Runs a fan-out of `subscriptions` (each with its id) with one payload; the verdicts by id.
async fn fan_out(
    sender: &Sender,
    subscriptions: Vec<(String, Subscription)>,
    limits: FanOut,
) -> HashMap<String, Vec<Verdict>> {
    let payload = NotificationPayload::new("Breaking news");
    let push = Push::new(&payload).ttl(60);
    let pushes = futures_util::stream::iter(subscriptions).map(|(id, to)| (id, to, push.clone()));
    let outcomes: Vec<_> = sender.fan_out(pushes, limits).collect().await;
    let mut verdicts: HashMap<String, Vec<Verdict>> = HashMap::new();
    for outcome in outcomes {
        verdicts.entry(outcome.id).or_default().push(outcome.verdict);
    }
    verdicts
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fan_out_keeps_to_its_limits_in_all_and_per_push_service_and_sends_each_push_once() {
    let all = counters();
    let a = Sink::start(Duration::from_millis(40), &[], &all).await;
    let b = Sink::start(Duration::from_millis(40), &[], &all).await;
    let subscriptions: Vec<_> = (0..40)
        .flat_map(|i| {
            [(format!("a{i}"), a.subscription(&format!("a{i}"))), (format!("b{i}"), b.subscription(&format!("b{i}")))]
        })
        .collect();
    let verdicts = fan_out(&sender(), subscriptions, FanOut::default().concurrency(6).per_origin(4)).await;
    assert_eq!(verdicts.len(), 80);
    assert!(verdicts.values().all(|v| v == &[Verdict::Sent]), "{verdicts:?}");
    assert!(
        a.most_at_once() <= 4 && b.most_at_once() <= 4,
        "per push service: {} {}",
        a.most_at_once(),
        b.most_at_once()
    );
    assert!(all.1.load(Ordering::SeqCst) <= 6, "in all: {}", all.1.load(Ordering::SeqCst));
    assert!(a.most_at_once() >= 2, "the limits were never reached: the test proves nothing");
    for sink in [&a, &b] {
        let mut paths: Vec<_> = sink.received().into_iter().map(|r| r.path).collect();
        paths.sort();
        paths.dedup();
        assert_eq!((sink.received().len(), paths.len()), (40, 40), "each push sent once");
        // Connections are kept and reused: about as many as the pushes that were ever at once,
        // not one a push. Not exactly 4: hyper hands a finished send's connection back to its
        // pool from a task of its own, and a send that starts before that task runs opens
        // another (a fifth in 1 run of 20 here). A client that did not keep them would open 40.
        let mut connections: Vec<_> = sink.received().into_iter().map(|r| r.connection).collect();
        connections.sort();
        connections.dedup();
        assert!(connections.len() <= 8, "{} connections for 40 pushes, 4 at once", connections.len());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_service_that_asks_to_wait_is_paused_alone_and_its_pushes_are_sent_after_the_pause() {
    let all = counters();
    let limited = Sink::start(Duration::from_millis(10), &[(429, Some("1"))], &all).await;
    let down = Sink::start(Duration::from_millis(10), &[(503, Some("1"))], &all).await;
    let fine = Sink::start(Duration::from_millis(10), &[], &all).await;
    let mut subscriptions = vec![];
    for i in 0..10 {
        for (name, sink) in [("limited", &limited), ("down", &down), ("fine", &fine)] {
            subscriptions.push((format!("{name}{i}"), sink.subscription(&format!("{name}{i}"))));
        }
    }
    let started = Instant::now();
    let verdicts = fan_out(&sender(), subscriptions, FanOut::default().concurrency(6).per_origin(1)).await;
    assert!(verdicts.values().all(|v| v == &[Verdict::Sent]), "{verdicts:?}");
    // The push service that is fine never waited for the others' pauses.
    let fine_done = fine.received().iter().map(|r| r.at).max().unwrap();
    assert!(fine_done - started < Duration::from_millis(900), "the others stalled: {:?}", fine_done - started);
    for sink in [&limited, &down] {
        let received = sink.received();
        let refused = received.iter().find(|r| r.status != 201).unwrap();
        let after: Vec<_> = received.iter().filter(|r| r.at > refused.at).collect();
        assert!(!after.is_empty());
        assert!(
            after.iter().all(|r| r.at - refused.at >= Duration::from_millis(950)),
            "sent again before the Retry-After of 1 s was over"
        );
        // The refused push was sent again, once; none that was taken was sent again.
        assert_eq!(received.len(), 11);
        assert_eq!(received.iter().filter(|r| r.path == refused.path).count(), 2);
        let mut taken: Vec<_> = received.iter().filter(|r| r.status == 201).map(|r| r.path.clone()).collect();
        taken.sort();
        taken.dedup();
        assert_eq!(taken.len(), 10);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_subscription_comes_back_with_what_to_do_about_it() {
    let all = counters();
    let sink = Sink::start(Duration::ZERO, &[], &all).await;
    let always_limited = Sink::start(Duration::ZERO, &[(429, Some("0")), (429, Some("0"))], &all).await;
    let mut bad_keys = sink.subscription("bad-keys");
    bad_keys.keys.auth = "short".into();
    let mut no_scheme = sink.subscription("x");
    no_scheme.endpoint = "/x".into();
    let mut internal = sink.subscription("x");
    internal.endpoint = "http://10.1.2.3/push/x".into();
    let subscriptions = vec![
        ("sent".to_owned(), sink.subscription("ok")),
        ("gone".to_owned(), sink.subscription("gone-1")),
        ("bad-keys".to_owned(), bad_keys),
        ("no-scheme".to_owned(), no_scheme),
        ("internal".to_owned(), internal),
        ("limited".to_owned(), always_limited.subscription("limited")),
    ];
    let verdicts = fan_out(&sender(), subscriptions, FanOut::default().retries(1)).await;
    let one = |id: &str| match verdicts[id].as_slice() {
        [verdict] => verdict.clone(),
        other => panic!("{id}: {other:?}"),
    };
    assert_eq!(one("sent"), Verdict::Sent);
    assert_eq!(one("gone"), Verdict::Gone);
    assert!(matches!(one("bad-keys"), Verdict::Malformed(wasm_push::Error::InvalidSubscriptionKeys(_))));
    assert!(matches!(one("no-scheme"), Verdict::Malformed(wasm_push::Error::InvalidEndpoint(_))));
    // The rules refuse the URL itself: this sender will never send there, which its verdict
    // says apart from a malformed row (rules set wrong for one run must not delete rows).
    assert!(matches!(one("internal"), Verdict::NotAllowed(wasm_push::Error::EndpointNotAllowed(_))));
    assert_eq!(one("limited"), Verdict::RetryAfter(Some(Duration::ZERO)), "after its one retry");
    assert_eq!(always_limited.received().len(), 2);
    assert_eq!(sink.received().len(), 2, "nothing malformed or refused was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_vapid_signature_serves_every_push_to_a_push_service() {
    let all = counters();
    let a = Sink::start(Duration::ZERO, &[], &all).await;
    let b = Sink::start(Duration::ZERO, &[], &all).await;
    let subscriptions: Vec<_> = (0..20)
        .flat_map(|i| {
            [(format!("a{i}"), a.subscription(&format!("a{i}"))), (format!("b{i}"), b.subscription(&format!("b{i}")))]
        })
        .collect();
    let sender = sender();
    fan_out(&sender, subscriptions, FanOut::default()).await;
    // ES256 signatures are randomised: the same token twice is the same signature reused.
    let tokens = |sink: &Sink| {
        let mut tokens: Vec<_> = sink.received().into_iter().map(|r| r.authorization).collect();
        tokens.dedup();
        tokens
    };
    let (at_a, at_b) = (tokens(&a), tokens(&b));
    assert_eq!((at_a.len(), at_b.len()), (1, 1), "one signature per push service");
    assert_ne!(at_a, at_b, "each push service has its own audience");
    let jwt = at_a[0].split("t=").nth(1).unwrap().split(',').next().unwrap();
    let claims = jwt.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: serde_json::Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["aud"], a.url, "the audience is the origin, port included");
    // A clone of the sender shares its signatures; a single send reuses them too.
    let payload = NotificationPayload::new("Again");
    sender.clone().send(&a.subscription("again"), &Push::new(&payload)).await.unwrap();
    assert_eq!(tokens(&a), at_a);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_subscriptions_read_ahead_are_bounded_by_the_concurrency_not_by_their_number() {
    let all = counters();
    let sink = Sink::start(Duration::from_millis(2), &[], &all).await;
    let read = Arc::new(AtomicUsize::new(0));
    let counted = read.clone();
    let payload = NotificationPayload::new("Many");
    let push = Push::new(&payload);
    let template = sink.subscription("n");
    let pushes = futures_util::stream::iter(0..2_000).map(move |i| {
        counted.fetch_add(1, Ordering::SeqCst);
        (i, template.clone(), push.clone())
    });
    let sender = sender();
    let outcomes = sender.fan_out(pushes, FanOut::default().concurrency(8));
    let mut outcomes = std::pin::pin!(outcomes);
    let (mut done, mut most_ahead, mut most_ahead_later) = (0, 0, 0);
    while let Some(outcome) = outcomes.next().await {
        assert_eq!(outcome.verdict, Verdict::Sent);
        done += 1;
        let ahead = read.load(Ordering::SeqCst) - done;
        most_ahead = most_ahead.max(ahead);
        if done > 100 {
            most_ahead_later = most_ahead_later.max(ahead);
        }
    }
    assert_eq!(done, 2_000);
    // While a push service's first push is under way, half the read-ahead (8 times the
    // concurrency) waits for it apart, beyond the usual twice the concurrency.
    assert!(most_ahead <= 10 * 8, "{most_ahead} subscriptions were held at once for a concurrency of 8");
    assert!(most_ahead_later <= 3 * 8, "{most_ahead_later} held at once once the push service answered");
}

/// The verdict of each id, which must have exactly one.
fn one_each(verdicts: &HashMap<String, Vec<Verdict>>) -> HashMap<String, Verdict> {
    verdicts
        .iter()
        .map(|(id, v)| match v.as_slice() {
            [verdict] => (id.clone(), verdict.clone()),
            other => panic!("{id}: {other:?}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_as_large_as_a_u64_or_years_ahead_neither_panics_nor_holds_up_the_fan_out() {
    let all = counters();
    let huge = u64::MAX.to_string();
    let forever = Sink::start(Duration::ZERO, &[(429, Some(huge.as_str())); 40], &all).await;
    let far = Sink::start(Duration::ZERO, &[(503, Some("Fri, 31 Dec 9999 23:59:59 GMT")); 40], &all).await;
    let fine = Sink::start(Duration::ZERO, &[], &all).await;
    let mut subscriptions = vec![];
    for i in 0..20 {
        for (name, sink) in [("forever", &forever), ("far", &far), ("fine", &fine)] {
            subscriptions.push((format!("{name}{i}"), sink.subscription(&format!("{name}{i}"))));
        }
    }
    let started = Instant::now();
    let verdicts = one_each(&fan_out(&sender(), subscriptions, FanOut::default().per_origin(2)).await);
    assert!(started.elapsed() < Duration::from_secs(5), "the fan-out waited {:?}", started.elapsed());
    assert_eq!(verdicts.len(), 60);
    let a_day = Duration::from_secs(wasm_push::server::MAX_RETRY_AFTER_SECS);
    for (id, verdict) in &verdicts {
        if id.starts_with("fine") {
            assert_eq!(verdict, &Verdict::Sent);
        } else {
            // Every push to them comes back to be sent again in a day: none is lost, none
            // waits in the fan-out.
            assert!(
                matches!(verdict, Verdict::RetryAfter(Some(wait)) if *wait <= a_day && *wait > a_day - Duration::from_secs(60)),
                "{id}: {verdict:?}"
            );
        }
    }
    // After the first answers, the others were answered without being sent.
    assert!(forever.arrived() <= 2 && far.arrived() <= 2, "{} {}", forever.arrived(), far.arrived());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gateway_or_server_that_fails_for_now_is_retried_and_the_push_arrives() {
    let all = counters();
    let flaky = Sink::start(
        Duration::ZERO,
        &[(502, Some("0")), (500, Some("0")), (504, Some("0")), (408, Some("0")), (503, Some("0"))],
        &all,
    )
    .await;
    let verdicts = fan_out(&sender(), vec![("x".into(), flaky.subscription("x"))], FanOut::default().retries(5)).await;
    assert_eq!(one_each(&verdicts)["x"], Verdict::Sent);
    assert_eq!(flaky.received().iter().map(|r| r.status).collect::<Vec<_>>(), [502, 500, 504, 408, 503, 201]);
    // Past its retries, the push comes back to be sent later, never as refused.
    let down = Sink::start(Duration::ZERO, &[(502, None), (502, None)], &all).await;
    let verdicts = fan_out(&sender(), vec![("y".into(), down.subscription("y"))], FanOut::default().retries(1)).await;
    assert_eq!(one_each(&verdicts)["y"], Verdict::RetryAfter(None));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_push_service_holds_up_no_other_when_the_input_is_a_channel() {
    let all = counters();
    let limited = Sink::start(Duration::ZERO, &[(429, Some("3"))], &all).await;
    let fine = Sink::start(Duration::ZERO, &[], &all).await;
    let sender = sender();
    let payload = NotificationPayload::new("Breaking news");
    let push = Push::new(&payload);
    let (input, pushes) = futures_channel::mpsc::unbounded();
    let outcomes = sender.fan_out(pushes, FanOut::default());
    let seen: Mutex<Vec<(String, Verdict, Instant)>> = Mutex::default();
    let collect = outcomes.for_each(|outcome| {
        seen.lock().unwrap().push((outcome.id, outcome.verdict, Instant::now()));
        async {}
    });
    let feed = async {
        input.unbounded_send(("limited".to_owned(), limited.subscription("limited"), push.clone())).unwrap();
        while limited.received().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Its 429 has been read by now, and its push waits out the pause.
        tokio::time::sleep(Duration::from_millis(300)).await;
        // The only push waiting now is the paused push service's: a push to another must
        // still be read and sent at once.
        let asked = Instant::now();
        input.unbounded_send(("fine".to_owned(), fine.subscription("fine"), push.clone())).unwrap();
        while fine.received().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let answered = Instant::now() - asked;
        input.close_channel();
        answered
    };
    let (answered, ()) = tokio::join!(feed, collect);
    assert!(answered < Duration::from_secs(1), "the other push service waited {answered:?} for the pause");
    let seen = seen.into_inner().unwrap();
    let verdicts: HashMap<_, _> = seen.iter().map(|(id, verdict, _)| (id.as_str(), verdict)).collect();
    assert_eq!(verdicts, HashMap::from([("limited", &Verdict::Sent), ("fine", &Verdict::Sent)]));
    assert_eq!(limited.received().len(), 2, "sent again after its pause");
}

/// A push service that asked to wait, with nothing left to send, is remembered with its pause:
/// a push read for it while the pause lasts waits the pause out and is sent, neither sent at
/// once nor left waiting for a pause nobody ends.
#[tokio::test(flavor = "multi_thread")]
async fn a_push_service_met_again_while_its_pause_lasts_waits_it_out_though_its_state_went() {
    let all = counters();
    let limited = Sink::start(Duration::ZERO, &[(429, Some("3"))], &all).await;
    let sender = sender();
    let payload = NotificationPayload::new("Breaking news");
    let push = Push::new(&payload);
    let (input, pushes) = futures_channel::mpsc::unbounded();
    // No retries: the first push's outcome is the wait, and its push service has nothing left.
    let mut outcomes = std::pin::pin!(sender.fan_out(pushes, FanOut::default().retries(0)));
    input.unbounded_send(("first".to_owned(), limited.subscription("first"), push.clone())).unwrap();
    let first = outcomes.next().await.unwrap();
    assert_eq!((first.id.as_str(), first.verdict), ("first", Verdict::RetryAfter(Some(Duration::from_secs(3)))));
    let paused_at = limited.received()[0].at;
    // A hundred others pause as well meanwhile, for 2 s each, with nothing left: their pauses,
    // all in the heap together, outnumber the run's states, and the ones no state holds any
    // more (the first's among them) are dropped.
    let mut others = Vec::new();
    for i in 0..100 {
        let other = Sink::start(Duration::ZERO, &[(429, Some("2"))], &all).await;
        input.unbounded_send((format!("other{i}"), other.subscription("other"), push.clone())).unwrap();
        others.push(other);
    }
    for _ in 0..100 {
        let other = outcomes.next().await.unwrap();
        assert_eq!(other.verdict, Verdict::RetryAfter(Some(Duration::from_secs(2))), "{}", other.id);
    }
    // Read while the pause lasts, or the test shows nothing.
    assert!(paused_at.elapsed() < Duration::from_secs(2), "the others took {:?}", paused_at.elapsed());
    input.unbounded_send(("second".to_owned(), limited.subscription("second"), push.clone())).unwrap();
    input.close_channel();
    let second =
        tokio::time::timeout(Duration::from_secs(10), outcomes.next()).await.expect("the pause ended").unwrap();
    assert_eq!((second.id.as_str(), second.verdict), ("second", Verdict::Sent));
    let received = limited.received();
    assert_eq!(received.len(), 2);
    let waited = received[1].at - paused_at;
    assert!(waited >= Duration::from_millis(2900), "sent {waited:?} after the push service asked for 3 s");
    assert!(outcomes.next().await.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_service_met_again_after_a_lull_takes_its_pushes_side_by_side_not_one_at_a_time() {
    // Each push is answered 300 ms after it arrives, so pushes sent one after another are
    // never under way together.
    let sink = Sink::start(Duration::from_millis(300), &[], &counters()).await;
    let sender = sender();
    let payload = NotificationPayload::new("Breaking news");
    let push = Push::new(&payload);
    let (input, pushes) = futures_channel::mpsc::unbounded();
    let seen: Mutex<Vec<(String, Verdict)>> = Mutex::default();
    let collect = sender.fan_out(pushes, FanOut::default()).for_each(|outcome| {
        seen.lock().unwrap().push((outcome.id, outcome.verdict));
        async {}
    });
    let feed = async {
        input.unbounded_send(("first".to_owned(), sink.subscription("first"), push.clone())).unwrap();
        // A lull in the input (a database's next page, say): the first push is answered and
        // nothing else is under way or waiting for that push service.
        while seen.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for i in 0..4 {
            input
                .unbounded_send((format!("after-{i}"), sink.subscription(&format!("after-{i}")), push.clone()))
                .unwrap();
        }
        input.close_channel();
    };
    tokio::join!(feed, collect);
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len(), 5);
    assert!(seen.iter().all(|(_, verdict)| *verdict == Verdict::Sent), "{seen:?}");
    // Its connection was set up by the first push: the four after the lull go out together
    // rather than the first of them alone, as for a push service never seen.
    assert_eq!(sink.most_at_once(), 4, "pushes under way together at most");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_that_may_have_reached_the_push_service_has_its_own_verdict_and_is_not_sent_again() {
    let all = counters();
    let slow = Sink::start(Duration::from_secs(3), &[], &all).await;
    let sender = sender().deadline(Duration::from_millis(300));
    let verdicts = fan_out(&sender, vec![("slow".into(), slow.subscription("slow"))], FanOut::default()).await;
    assert!(
        matches!(
            &one_each(&verdicts)["slow"],
            Verdict::MaybeSent(wasm_push::Error::PushServiceUnreachable {
                cause: wasm_push::Unreachable::NoAnswer,
                ..
            })
        ),
        "{verdicts:?}"
    );
    assert_eq!(slow.arrived(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_fan_out_stops_its_sends_and_each_push_without_an_outcome_was_sent_at_most_once() {
    let all = counters();
    let sink = Sink::start(Duration::from_millis(200), &[], &all).await;
    let subscriptions: Vec<_> = (0..100).map(|i| (format!("n{i}"), sink.subscription(&format!("n{i}")))).collect();
    let payload = NotificationPayload::new("Breaking news");
    let push = Push::new(&payload);
    let pushes = futures_util::stream::iter(subscriptions).map(|(id, to)| (id, to, push.clone()));
    let sender = sender();
    let mut outcomes = Box::pin(sender.fan_out(pushes, FanOut::default().concurrency(8)));
    let mut seen = vec![];
    while seen.len() < 10 {
        seen.push(outcomes.next().await.unwrap().id);
    }
    drop(outcomes);
    // A request written just before the drop may still be on its way.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let at_drop = sink.arrived();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.arrived(), at_drop, "a push was sent after the fan-out was dropped");
    assert!(at_drop <= seen.len() + 8, "{at_drop} sent, {} outcomes seen, 8 at once", seen.len());
    let mut paths: Vec<_> = sink.received().into_iter().map(|r| r.path).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), sink.received().len(), "a push was sent twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_concurrency_as_large_as_a_usize_is_taken_as_no_limit() {
    let all = counters();
    let sink = Sink::start(Duration::ZERO, &[], &all).await;
    let subscriptions: Vec<_> = (0..50).map(|i| (format!("n{i}"), sink.subscription(&format!("n{i}")))).collect();
    let limits = FanOut::default().concurrency(usize::MAX).per_origin(usize::MAX).retries(u32::MAX);
    let verdicts = one_each(&fan_out(&sender(), subscriptions, limits).await);
    assert!(verdicts.values().all(|v| v == &Verdict::Sent), "{verdicts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vapid_token_the_push_service_refuses_is_replaced_and_the_push_sent_once_more() {
    let all = counters();
    let sink =
        Sink::start(Duration::ZERO, &[(201, None), (403, None), (201, None), (401, None), (401, None)], &all).await;
    let sender = sender();
    let payload = NotificationPayload::new("Hi");
    // The first push makes the token the second reuses; the push service refuses it (a key
    // rotated on its side, a token it judges expired): a new token takes the push.
    assert_eq!(sender.send(&sink.subscription("a"), &Push::new(&payload)).await, Ok(()));
    assert_eq!(sender.send(&sink.subscription("b"), &Push::new(&payload)).await, Ok(()));
    let tokens: Vec<_> = sink.received().into_iter().map(|r| r.authorization).collect();
    assert_eq!(tokens.len(), 3);
    assert_eq!(tokens[0], tokens[1]);
    assert_ne!(tokens[1], tokens[2], "the refused token was sent again");
    // A new token refused too is the push service's answer: no third try.
    assert_eq!(
        sender.send(&sink.subscription("c"), &Push::new(&payload)).await,
        Err(wasm_push::Error::VapidRejected { status: 401 })
    );
    assert_eq!(sink.arrived(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vapid_token_refused_in_a_fan_out_is_replaced_and_the_push_sent_once_more() {
    let all = counters();
    let sink = Sink::start(Duration::ZERO, &[(201, None), (403, None), (201, None)], &all).await;
    let sender = sender();
    // One at a time: the first push makes the token, the second reuses it and is refused.
    let subscriptions = vec![("a".to_owned(), sink.subscription("a")), ("b".to_owned(), sink.subscription("b"))];
    let verdicts = fan_out(&sender, subscriptions, FanOut::default().concurrency(1)).await;
    assert_eq!(one_each(&verdicts), HashMap::from([("a".into(), Verdict::Sent), ("b".into(), Verdict::Sent)]));
    let received = sink.received();
    let paths: Vec<_> = received.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["a", "b", "b"]);
    assert_eq!(received[0].authorization, received[1].authorization);
    assert_ne!(received[1].authorization, received[2].authorization, "the refused token was sent again");
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_in_the_standard_base64_alphabet_are_sent_to_not_deleted() {
    let all = counters();
    let sink = Sink::start(Duration::ZERO, &[], &all).await;
    let mut standard = sink.subscription("standard");
    standard.keys.p256dh = standard.keys.p256dh.replace('-', "+").replace('_', "/") + "=";
    standard.keys.auth = "x7aPzMh8OBZ3WDnsHjbBQQ==".into();
    assert!(sender().check(&standard).is_ok());
    let verdicts = fan_out(&sender(), vec![("standard".into(), standard)], FanOut::default()).await;
    assert_eq!(one_each(&verdicts)["standard"], Verdict::Sent);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_push_service_holds_about_half_the_read_ahead_and_its_other_pushes_come_back_at_once() {
    let all = counters();
    let limited = Sink::start(Duration::ZERO, &[(429, Some("2"))], &all).await;
    let subscriptions: Vec<_> = (0..60).map(|i| (format!("n{i}"), limited.subscription(&format!("n{i}")))).collect();
    let started = Instant::now();
    let verdicts = one_each(&fan_out(&sender(), subscriptions, FanOut::default().concurrency(2)).await);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let told = verdicts
        .values()
        .filter(|v| matches!(v, Verdict::RetryAfter(Some(wait)) if *wait <= Duration::from_secs(2)))
        .count();
    let sent = verdicts.values().filter(|v| **v == Verdict::Sent).count();
    assert_eq!(told + sent, 60, "{verdicts:?}");
    // Concurrency 2: the paused push service keeps half the read-ahead (16 times 2, halved)
    // for after its pause, and the 4 (twice the concurrency) read beyond that while its first
    // push was under way, and that first one; the rest come back to be sent later, unsent.
    assert!((16..=21).contains(&sent), "{sent} sent, {told} answered at once");
    assert_eq!(limited.arrived(), sent + 1);
}

/// A push service that never answers holds its first push until the deadline, but the pushes
/// read for it meanwhile no longer stop the reading of the others' (before, the fast one's 20
/// took 2.4 s, three deadlines); after its pause it is tried with one push again, not a full
/// share of slots, and once it is seen to be down its others come back at once.
#[tokio::test(flavor = "multi_thread")]
async fn a_push_service_whose_first_push_never_answers_holds_up_the_others_for_one_deadline_at_most() {
    let all = counters();
    let never = Sink::start(Duration::from_secs(3600), &[], &all).await;
    let fast = Sink::start(Duration::ZERO, &[], &all).await;
    let deadline = Duration::from_millis(800);
    let sender = sender().deadline(deadline);
    // Interleaved, so the silent push service's pushes fill the read-ahead while its first one
    // waits for an answer that never comes.
    let subscriptions: Vec<_> = (0..40)
        .map(|i| {
            let (sink, name) = if i % 2 == 0 { (&never, format!("never{i}")) } else { (&fast, format!("fast{i}")) };
            (name.clone(), sink.subscription(&name))
        })
        .collect();
    let payload = NotificationPayload::new("Breaking news");
    let push = Push::new(&payload);
    let pushes = futures_util::stream::iter(subscriptions).map(|(id, to)| (id, to, push.clone()));
    let started = Instant::now();
    let mut outcomes = std::pin::pin!(sender.fan_out(pushes, FanOut::default().concurrency(8)));
    let (mut fast_done, mut last_fast) = (0, Duration::ZERO);
    while let Some(outcome) = outcomes.next().await {
        if outcome.id.starts_with("fast") {
            assert_eq!(outcome.verdict, Verdict::Sent, "{}", outcome.id);
            fast_done += 1;
            last_fast = started.elapsed();
        } else {
            // Sent and not answered, or, once it failed again after its pause, handed back.
            let verdict = &outcome.verdict;
            assert!(
                matches!(verdict, Verdict::MaybeSent(_) | Verdict::RetryAfter(Some(_))),
                "{}: {verdict:?}",
                outcome.id
            );
        }
    }
    assert_eq!(fast_done, 20);
    // The silent push service's first push waits out its deadline, its others wait apart, and
    // the fast one's pushes are all done before that deadline.
    assert!(last_fast < deadline, "the fast push service's last push came after {last_fast:?}");
    // Then: a pause of a second, one more push alone that fails (it has no connection that
    // answers: not a round of eight, each holding a slot for a deadline), and its others
    // handed back at once, not each after a deadline.
    let ended = started.elapsed();
    assert!(ended < deadline * 3 + Duration::from_secs(1), "the fan-out ended after {ended:?}");
    assert_eq!(never.arrived(), 2, "requests the silent push service was sent");
}

/// A push service that answers its first push and then never again (a visitor's endpoint on a
/// host that stops answering) takes the slots for one deadline; then it is paused, its pushes
/// wait apart or come back at once, and the others' go on.
#[tokio::test(flavor = "multi_thread")]
async fn a_push_service_that_answers_once_then_never_holds_up_the_others_for_one_deadline_at_most() {
    let all = counters();
    let hanging = Sink::start(Duration::ZERO, &[], &all).await;
    let fast = Sink::start(Duration::ZERO, &[], &all).await;
    let deadline = Duration::from_millis(500);
    let sender = sender().deadline(deadline);
    let mut subscriptions = vec![("first".to_owned(), hanging.subscription("first"))];
    for i in 0..400 {
        subscriptions.push((format!("hang{i}"), hanging.subscription(&format!("hang{i}"))));
        subscriptions.push((format!("fast{i}"), fast.subscription(&format!("fast{i}"))));
    }
    let payload = NotificationPayload::new("Breaking news");
    let push = Push::new(&payload);
    let pushes = futures_util::stream::iter(subscriptions).map(|(id, to)| (id, to, push.clone()));
    let started = Instant::now();
    let mut outcomes = std::pin::pin!(sender.fan_out(pushes, FanOut::default().concurrency(8)));
    let mut fast_done = 0;
    while let Some(outcome) = outcomes.next().await {
        match outcome.id.as_str() {
            "first" => assert_eq!(outcome.verdict, Verdict::Sent),
            id if id.starts_with("fast") => {
                assert_eq!(outcome.verdict, Verdict::Sent, "{id}");
                fast_done += 1;
                if fast_done == 400 {
                    break;
                }
            }
            id => assert!(
                matches!(outcome.verdict, Verdict::MaybeSent(_) | Verdict::RetryAfter(_)),
                "{id}: {:?}",
                outcome.verdict
            ),
        }
    }
    let last_fast = started.elapsed();
    assert_eq!(fast_done, 400);
    // Before, each of the hanging push service's turns took every slot for a deadline, and
    // the fast one's 400 pushes took dozens of deadlines.
    assert!(last_fast < deadline * 2, "the fast push service's last push came after {last_fast:?}");
}

/// A subscription on `http://{host}/push/{id}`, with its id.
fn on(host: &str, id: &str) -> (String, Subscription) {
    (id.to_owned(), serde_json::from_str(&format!(r#"{{"endpoint":"http://{host}/push/{id}",{KEYS}}}"#)).unwrap())
}

/// The subscriptions on one of a visitor's hosts (`h{o}.localhost`, served by `hostile`): one
/// answered, then eight held open.
fn visitors_host(hostile: &Sink, o: usize) -> Vec<(String, Subscription)> {
    let host = format!("h{o}.localhost:{}", hostile.url.rsplit(':').next().unwrap());
    let mut subscriptions = vec![on(&host, &format!("first{o}"))];
    subscriptions.extend((0..8).map(|i| on(&host, &format!("hang{o}-{i}"))));
    subscriptions
}

/// Sends `subscriptions`, 8 at once and at most 8 to a push service, with rules that take
/// loopback and name `localhost` as the app's push service, until the `expected` pushes whose
/// ids start with `ours` are sent; how long that took.
async fn until_ours_are_sent(
    subscriptions: Vec<(String, Subscription)>,
    expected: usize,
    deadline: Duration,
) -> Duration {
    let sender = sender().with_endpoints(Endpoints::loopback_for_tests().only_hosts(["localhost"])).deadline(deadline);
    let payload = NotificationPayload::new("Breaking news");
    let push = Push::new(&payload);
    let pushes = futures_util::stream::iter(subscriptions).map(|(id, to)| (id, to, push.clone()));
    let started = Instant::now();
    let mut outcomes = std::pin::pin!(sender.fan_out(pushes, FanOut::default().concurrency(8).per_origin(8)));
    let mut ours = 0;
    while let Some(outcome) = outcomes.next().await {
        if outcome.id.starts_with("ours") {
            assert_eq!(outcome.verdict, Verdict::Sent, "{}", outcome.id);
            ours += 1;
            if ours == expected {
                break;
            }
        }
    }
    started.elapsed()
}

/// Visitors choose endpoints, so push services: blocks of subscriptions on hosts of one
/// visitor's, each answering its first push and then never again, take at most half the slots
/// while pushes to the app's own push services wait (here `localhost`, named in `only_hosts`;
/// its subdomains are the visitor's), and the input is read on past them. Before, each of those
/// hosts took its whole share for a deadline in turn, and the app's push service's last push
/// came after 3 s (8 s after a block of theirs).
#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_visitors_push_services_that_answer_once_then_never_takes_at_most_half_the_slots_from_the_apps_own()
{
    // The visitor's subscriptions among the app's, or in one block, 180 long, after the app's
    // first: longer than the half of the read-ahead their pushes may hold (64).
    for (hosts, block) in [(10, false), (20, true)] {
        let all = counters();
        let (hostile, apps) =
            (Sink::start(Duration::ZERO, &[], &all).await, Sink::start(Duration::ZERO, &[], &all).await);
        let ours = format!("localhost:{}", apps.url.rsplit(':').next().unwrap());
        let (mut subscriptions, mut later) = (vec![on(&ours, "ours")], Vec::new());
        for o in 0..hosts {
            subscriptions.extend(visitors_host(&hostile, o));
            let theirs = (0..4).map(|i| on(&ours, &format!("ours{o}-{i}")));
            match block {
                true => later.extend(theirs),
                false => subscriptions.extend(theirs),
            }
        }
        subscriptions.extend(later);
        let deadline = Duration::from_secs(1);
        let last = until_ours_are_sent(subscriptions, 1 + 4 * hosts, deadline).await;
        assert_eq!(apps.arrived(), 1 + 4 * hosts, "block: {block}");
        assert!(last < deadline, "block: {block}: the app's push service's last push came after {last:?}");
    }
}

/// The app's own push service keeps its half of the slots while it is paused too: a visitor's
/// hosts read meanwhile do not take every slot for a deadline, so its pushes go when its pause
/// is over, not a deadline later (3 s before).
#[tokio::test(flavor = "multi_thread")]
async fn the_apps_own_push_service_keeps_its_half_of_the_slots_through_its_pause() {
    let all = counters();
    let hostile = Sink::start(Duration::ZERO, &[], &all).await;
    // "Not now, for a second" to the first push.
    let apps = Sink::start(Duration::ZERO, &[(429, Some("1"))], &all).await;
    let ours = format!("localhost:{}", apps.url.rsplit(':').next().unwrap());
    let mut subscriptions = vec![on(&ours, "ours")];
    for o in 0..6 {
        subscriptions.extend(visitors_host(&hostile, o));
        subscriptions.extend((0..4).map(|i| on(&ours, &format!("ours{o}-{i}"))));
    }
    let last = until_ours_are_sent(subscriptions, 25, Duration::from_secs(3)).await;
    // The pause of a second, then the pushes at once: not after the deadline of the hosts'
    // sends that took every slot during the pause.
    assert!(last < Duration::from_secs(2), "the app's push service's last push came after {last:?}");
}

/// A healthy push service's moment of trouble (every send under way at once finds no answer,
/// as when its connection drops) is one failure: it pauses for a second and its other pushes
/// wait and are sent, none handed back; the sends that failed together do not each double the
/// pause up to a minute.
#[tokio::test(flavor = "multi_thread")]
async fn sends_that_fail_together_are_one_failure_and_the_push_services_other_pushes_wait_and_are_sent() {
    let all = counters();
    let sink = Sink::start(Duration::ZERO, &[], &all).await;
    let sender = sender().deadline(Duration::from_secs(1));
    let mut subscriptions = vec![("first".to_owned(), sink.subscription("first"))];
    subscriptions.extend((0..8).map(|i| (format!("slow{i}"), sink.subscription(&format!("slow{i}")))));
    // Fewer than the half of the read-ahead a paused push service keeps (8 times 8).
    subscriptions.extend((0..50).map(|i| (format!("n{i}"), sink.subscription(&format!("n{i}")))));
    let started = Instant::now();
    let verdicts = one_each(&fan_out(&sender, subscriptions, FanOut::default().concurrency(8)).await);
    let ended = started.elapsed();
    for (id, verdict) in &verdicts {
        match id.starts_with("slow") {
            true => assert!(matches!(verdict, Verdict::MaybeSent(_)), "{id}: {verdict:?}"),
            false => assert_eq!(*verdict, Verdict::Sent, "{id}"),
        }
    }
    assert_eq!(verdicts.len(), 59);
    // The deadline, a one-second pause, the rest (about 2 s): not a minute's pause.
    assert!(ended < Duration::from_secs(5), "the fan-out took {ended:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_to_a_burst_sent_together_are_one_refusal_not_one_doubling_of_the_pause_each() {
    let all = counters();
    // "Not now" without a wait to the first push (a new push service gets one at a time) and
    // to the burst of 8 sent after the pause.
    let sink = Sink::start(Duration::from_millis(20), &[(429, None); 9], &all).await;
    let subscriptions = (0..24).map(|i| (format!("n{i}"), sink.subscription(&format!("n{i}")))).collect();
    let started = Instant::now();
    let limits = FanOut::default().concurrency(8).per_origin(8);
    let verdicts = one_each(&fan_out(&sender(), subscriptions, limits).await);
    let ended = started.elapsed();
    assert_eq!(verdicts.len(), 24);
    assert!(verdicts.values().all(|verdict| *verdict == Verdict::Sent), "{verdicts:?}");
    // A pause of 1 s, then one of 2 s: not a pause doubled by each answer of the burst, to a
    // minute.
    assert!(ended < Duration::from_secs(8), "the fan-out took {ended:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_under_way_with_a_failure_counts_with_it_even_when_it_fails_after_the_pause() {
    let all = counters();
    // Each answer 700 ms late; the slow ones never within the 2 s deadline.
    let sink = Sink::start(Duration::from_millis(700), &[], &all).await;
    let sender = sender().deadline(Duration::from_secs(2));
    // Two at a time. slow0 holds one slot from 0.7 s and fails at 2.7 s, which pauses the push
    // service until 3.7 s. slow1 starts in the other slot after two fast pushes, at 2.1 s, and
    // fails at 4.1 s: after the pause, before the push started at its end is answered (4.4 s).
    // It was under way with the first failure, so it is not a second one.
    let mut ids = vec!["first".to_owned(), "slow0".to_owned(), "n0".to_owned(), "n1".to_owned(), "slow1".to_owned()];
    ids.extend((2..8).map(|i| format!("n{i}")));
    let subscriptions = ids.iter().map(|id| (id.clone(), sink.subscription(id))).collect();
    let limits = FanOut::default().concurrency(2).per_origin(2);
    let verdicts = one_each(&fan_out(&sender, subscriptions, limits).await);
    assert_eq!(verdicts.len(), 11);
    for (id, verdict) in &verdicts {
        match id.starts_with("slow") {
            true => assert!(matches!(verdict, Verdict::MaybeSent(_)), "{id}: {verdict:?}"),
            // One failure, one pause: the push service's other pushes wait and are sent, not
            // handed back as if it had failed twice.
            false => assert_eq!(*verdict, Verdict::Sent, "{id}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_held_open_since_before_a_failure_does_not_make_the_push_service_look_well() {
    let all = counters();
    let sink = Sink::start(Duration::from_millis(700), &[], &all).await;
    let sender = sender().deadline(Duration::from_secs(2));
    // Two at a time. slow0 fails at 2.7 s, pausing the push service until 3.7 s. "hold" started
    // at 1.4 s, before that failure, and is answered at 3.3 s. After the pause slow1 goes
    // alone, as after any failure (the answer to "hold" does not count as one from a working
    // connection), and fails at 5.7 s: a second failure, with no send started since the first
    // answered. Before, "hold" made it look connected: slow1 and slow2 went together.
    let mut ids: Vec<String> = ["first", "slow0", "n0", "hold", "slow1", "slow2"].map(String::from).to_vec();
    ids.extend((1..7).map(|i| format!("n{i}")));
    let subscriptions = ids.iter().map(|id| (id.clone(), sink.subscription(id))).collect();
    let limits = FanOut::default().concurrency(2).per_origin(2);
    let verdicts = one_each(&fan_out(&sender, subscriptions, limits).await);
    assert_eq!(verdicts.len(), 12);
    for (id, verdict) in &verdicts {
        match id.as_str() {
            "first" | "n0" | "hold" => assert_eq!(*verdict, Verdict::Sent, "{id}"),
            "slow0" | "slow1" => assert!(matches!(verdict, Verdict::MaybeSent(_)), "{id}: {verdict:?}"),
            // Down for now: handed back at once, not sent into a push service that failed twice.
            _ => assert!(matches!(verdict, Verdict::RetryAfter(_)), "{id}: {verdict:?}"),
        }
    }
    assert_eq!(sink.arrived(), 5, "requests the push service was sent");
}
