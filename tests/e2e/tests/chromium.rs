//! The shipped demo page and worker in headless Chromium, with real `push` events delivered
//! through the DevTools protocol (Chromium has no push service here; the data arrives
//! unencrypted, so this path proves the worker, not decryption).

use e2e::{demo_serving, eventually, Browser, DemoServer};
use serde_json::json;
use std::time::Duration;

/// The demo served by its server, open in Chromium, its worker active, and a DevTools session
/// that knows the worker's registration id.
async fn demo_with_worker(name: &str) -> (DemoServer, Browser, e2e::DevTools, String) {
    demo_serving(name, &std::path::PathBuf::from(e2e::setting("WASM_PUSH_SITE"))).await
}

/// Delivers one real `push` event with `data` to the worker, and lets it settle.
async fn deliver(devtools: &mut e2e::DevTools, origin: &str, registration: &str, data: &str) {
    let params = json!({"origin": origin, "registrationId": registration, "data": data});
    devtools.call("ServiceWorker.deliverPushMessage", params).await;
    // Headless Chromium 156 loses a notification when the page calls getNotifications() while
    // the worker's showNotification is under way (seen in about half the runs; the worker's
    // own promise resolves). Let the push settle before the page looks.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
}

#[tokio::test]
async fn the_demo_page_registers_the_shipped_worker() {
    let (server, browser, _devtools, _) = demo_with_worker("registers").await;
    let scope = browser.run_async("navigator.serviceWorker.ready.then(r => r.scope)").await;
    assert_eq!(scope, format!("{}/", server.origin));
    assert_eq!(browser.text_of("#support").await.as_deref(), Some("Yes"));
    assert_eq!(browser.text_of("#permission").await.as_deref(), Some("Granted"));
}

#[tokio::test]
async fn screenshots_of_the_demo_where_push_is_unsupported_and_before_permission() {
    let server = DemoServer::start_for_hosts("screens", &["demo.test"]).await;
    let port = server.origin.rsplit(':').next().unwrap().to_owned();

    // A plain-http host name other than localhost is not a secure context: no push there.
    let insecure = Browser::chromium_with(true, &["--host-resolver-rules=MAP demo.test 127.0.0.1"]).await;
    insecure.goto(&format!("http://demo.test:{port}/")).await;
    assert_eq!(insecure.wait_for_worker().await, "Service worker not registered: push is not supported here");
    let support = insecure.text_of("#support").await.unwrap();
    assert!(support.starts_with("No: push needs a secure context"), "{support}");
    assert_eq!(insecure.text_of("#permission").await.as_deref(), Some("Not available here"));
    assert!(insecure.text_of("#toggle").await.is_none(), "no subscribe button where push cannot work");
    insecure.screenshot("demo-unsupported").await;

    let fresh = Browser::chromium_with(false, &[]).await;
    fresh.goto(&format!("{}/", server.origin)).await;
    fresh.wait_for_worker().await;
    assert_eq!(fresh.text_of("#permission").await.as_deref(), Some("Not asked yet"));
    assert_eq!(fresh.text_of("#toggle").await.as_deref(), Some("Turn on notifications"));
    assert_eq!(fresh.text_of("#subscription").await.as_deref(), Some("Not subscribed"));
    fresh.screenshot("demo-default").await;

    // Phone-sized: nothing wider than the screen.
    let phone = Browser::chromium_with(false, &["--window-size=390,844"]).await;
    phone.goto(&format!("{}/", server.origin)).await;
    phone.wait_for_worker().await;
    let overflow =
        phone.run("return document.documentElement.scrollWidth - document.documentElement.clientWidth").await;
    assert_eq!(overflow, 0, "the page scrolls sideways on a 390 px screen");
    phone.screenshot("demo-phone").await;
}

#[tokio::test]
async fn a_real_push_event_shows_the_payload_warm_and_after_a_cold_start() {
    let (server, browser, mut devtools, registration) = demo_with_worker("warm-cold").await;
    let origin = server.origin.clone();

    let warm = json!({"title": "Warm push", "body": "worker already running", "tag": "warm"});
    deliver(&mut devtools, &origin, &registration, &warm.to_string()).await;
    assert_eq!(browser.wait_for_notification("warm").await, ("Warm push".into(), "worker already running".into()));

    devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
    let cold = json!({"title": "Cold push", "body": "worker started for it", "tag": "cold"});
    deliver(&mut devtools, &origin, &registration, &cold.to_string()).await;
    assert_eq!(browser.wait_for_notification("cold").await, ("Cold push".into(), "worker started for it".into()));
}

#[tokio::test]
async fn a_cold_push_while_the_site_is_down_shows_its_content_from_the_kept_wasm() {
    let (server, browser, mut devtools, registration) = demo_with_worker("site-down").await;
    let origin = server.origin.clone();
    let kept = browser.run_async("caches.keys().then(names => names.filter(n => n.startsWith('wasm-push ')))").await;
    assert_eq!(kept.as_array().map(Vec::len), Some(1), "the installed worker keeps its wasm: {kept}");
    // The origin goes down (a deploy, an outage, a captive portal), and the worker is stopped.
    drop(server);
    let unreachable =
        browser.run_async("fetch('/wasm_push_sw_bg.wasm').then(() => 'reached', () => 'unreachable')").await;
    assert_eq!(unreachable, "unreachable");
    devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
    let cold = json!({"title": "Sent while the site is down", "body": "shown all the same", "tag": "down"});
    deliver(&mut devtools, &origin, &registration, &cold.to_string()).await;
    assert_eq!(
        browser.wait_for_notification("down").await,
        ("Sent while the site is down".into(), "shown all the same".into()),
        "a cold start while the site is unreachable showed the fallback"
    );
}

#[tokio::test]
async fn a_wasm_served_slowly_at_install_is_kept_before_the_worker_runs_and_shows_a_cold_push_while_the_site_is_down() {
    // Every answer a second late, as from a host far away or under load: the worker becomes
    // active only once its wasm is kept, so the site going down right after costs nothing.
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_SITE"));
    let (server, browser, mut devtools, registration) =
        e2e::demo_serving_with("slow-install", &site, &["--delay-ms", "1000"]).await;
    let origin = server.origin.clone();
    drop(server);
    devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
    let cold = json!({"title": "Kept at install", "body": "though it came slowly", "tag": "slow"});
    deliver(&mut devtools, &origin, &registration, &cold.to_string()).await;
    assert_eq!(browser.wait_for_notification("slow").await, ("Kept at install".into(), "though it came slowly".into()));
}

#[tokio::test]
async fn a_real_push_with_malformed_or_no_data_still_shows_a_notification() {
    let (server, browser, mut devtools, registration) = demo_with_worker("malformed").await;
    let origin = server.origin.clone();
    // One at a time: each must show its own notification (no tag, so they stack).
    for (data, expected) in [("{\"title\": ", 1), ("", 2)] {
        deliver(&mut devtools, &origin, &registration, data).await;
        eventually(Duration::from_secs(15), Duration::from_millis(50), async || {
            let shown = browser.notifications().await;
            let fallbacks = shown.iter().filter(|(title, _, _)| title == "New notification").count();
            (fallbacks == expected).then_some(()).ok_or_else(|| format!("after {data:?}: {shown:?}"))
        })
        .await;
    }
    let shown = browser.notifications().await;
    let bodies: Vec<&str> = shown.iter().map(|(_, body, _)| body.as_str()).collect();
    assert!(bodies.contains(&"{\"title\":"), "the malformed text is the body: {bodies:?}");
    assert!(bodies.contains(&"Open the site to see what is new."), "{bodies:?}");
}

/// Malformed pushes, each delivered for real into the shipped worker: every one must show
/// exactly one notification with a title, and nothing in it may send a click off the site.
#[tokio::test]
async fn every_malformed_push_shows_one_sane_notification_and_no_click_leaves_the_site() {
    let (server, browser, mut devtools, registration) = demo_with_worker("malformed-table").await;
    let origin = server.origin.clone();
    let scope = format!("{origin}/");
    let long = "é".repeat(10_000);
    let exactly_4096 = {
        let head = r#"{"title":"4096 bytes","body":""#;
        let tail = r#""}"#;
        format!("{head}{}{tail}", "a".repeat(4096 - head.len() - tail.len()))
    };
    let deep = format!("{}{}", "[".repeat(3000), "]".repeat(3000));
    let hundred_actions: Vec<serde_json::Value> =
        (0..100).map(|i| json!({"action": format!("a{i}"), "title": "Go", "url": "https://evil.example/"})).collect();
    let cases: Vec<(&str, String)> = vec![
        ("invalid JSON", r#"{"title": "#.into()),
        ("title of the wrong type", r#"{"title": 5, "body": ["x"]}"#.into()),
        ("empty", String::new()),
        ("exactly 4096 bytes", exactly_4096),
        ("over 4096 bytes", json!({"title": "big", "body": "b".repeat(8000)}).to_string()),
        ("deep nesting", deep),
        ("unknown fields", r#"{"title":"T","zzz":1,"nested":{"a":[1,2]}}"#.into()),
        ("missing title", r#"{"body":"only a body"}"#.into()),
        ("javascript: url", r#"{"title":"t","url":"javascript:alert(1)"}"#.into()),
        ("data: url", r#"{"title":"t","url":"data:text/html,<script>alert(1)</script>"}"#.into()),
        ("other-origin url", r#"{"title":"t","url":"https://evil.example/phish"}"#.into()),
        ("protocol-relative url", r#"{"title":"t","url":"//evil.example/x"}"#.into()),
        ("backslash url", r#"{"title":"t","url":"/\\evil.example/x"}"#.into()),
        ("100 actions to another origin", json!({"title": "actions", "actions": hundred_actions}).to_string()),
        ("NaN timestamp", r#"{"title":"t","timestamp":NaN}"#.into()),
        ("negative timestamp", r#"{"title":"t","timestamp":-5}"#.into()),
        ("huge vibrate", json!({"title": "buzz", "vibrate": vec![100u32; 1000]}).to_string()),
        (
            "declarative, wrong number",
            r#"{"web_push":8031,"notification":{"title":"x","navigate":"https://evil.example/"}}"#.into(),
        ),
        ("declarative, no notification", r#"{"web_push":8030}"#.into()),
        ("declarative, no title", r#"{"web_push":8030,"notification":{"navigate":"/x"}}"#.into()),
        (
            "declarative, other-origin navigate",
            r#"{"web_push":8030,"notification":{"title":"d","navigate":"https://evil.example/"}}"#.into(),
        ),
        ("empty title", r#"{"title":""}"#.into()),
        ("whitespace title", r#"{"title":"   \n\t "}"#.into()),
        ("10 000-character title", json!({"title": long}).to_string()),
        ("body of the wrong type", r#"{"title":"t","body":42}"#.into()),
        ("actions not a list", r#"{"title":"t","actions":"open"}"#.into()),
        ("actions without labels", r#"{"title":"t","actions":[{"action":"x"},{"title":"y"}]}"#.into()),
        ("invalid dir", r#"{"title":"t","dir":"sideways"}"#.into()),
        ("tag of the wrong type", r#"{"title":"t","tag":{"a":1}}"#.into()),
        ("javascript: icon", r#"{"title":"t","icon":"javascript:alert(1)"}"#.into()),
        ("renotify without a tag", r#"{"title":"t","renotify":true}"#.into()),
        ("silent with vibration", r#"{"title":"t","silent":true,"vibrate":[200,100]}"#.into()),
        ("top-level array", "[1,2,3]".into()),
        ("JSON null", "null".into()),
        ("JSON string", r#""just a string""#.into()),
        ("lone surrogate", r#"{"title":"\ud800"}"#.into()),
        ("negative app badge", r#"{"title":"t","app_badge":-1}"#.into()),
        ("control characters", "{\"title\":\"a\u{0}b\u{7}c\"}".into()),
    ];
    assert!(cases.len() >= 30);
    for (name, data) in &cases {
        deliver(&mut devtools, &origin, &registration, data).await;
        let shown = browser
            .run_async(
                "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => {
                   const seen = ns.map(n => ({title: n.title, data: n.data})); ns.forEach(n => n.close()); return seen; })",
            )
            .await;
        let shown = shown.as_array().unwrap_or_else(|| panic!("{name}: {shown}"));
        assert_eq!(shown.len(), 1, "{name}: one notification, got {shown:?}");
        let notification = &shown[0];
        let title = notification["title"].as_str().unwrap_or_default();
        assert!(!title.trim().is_empty(), "{name}: empty title");
        assert!(title.chars().count() <= wasm_push::MAX_TITLE_CHARS, "{name}: title too long");
        let mut requested: Vec<Option<&str>> = vec![notification["data"]["url"].as_str()];
        if let Some(actions) = notification["data"]["actions"].as_object() {
            requested.extend(actions.values().map(|url| url.as_str()));
        }
        for url in requested {
            let target = wasm_push::click_target(&scope, url);
            assert!(target.starts_with(&scope), "{name}: a click on {url:?} would open {target}");
        }
    }
}

#[tokio::test]
async fn a_panicking_hook_costs_only_its_own_push_which_shows_the_fallback_and_the_next_push_is_normal() {
    // The worker's wasm is examples/panicking_hook.rs: its transform numbers the pushes its
    // instance showed, and panics on one title while holding that count borrowed. Built twice:
    // - on stable, where the panic hook asks for a fresh instance before the trap, served as a
    //   glue built some other way is (Trunk's `data-type="worker"`): under its crate's name,
    //   which sw.js gives `push.js` as `cargo wasm-push shim` writes it;
    // - with -Cpanic=immediate-abort, where no hook runs and only the trap is left, served as
    //   `cargo wasm-push build` writes it: the shim's fresh copy of the glue recovers it.
    let abort = e2e::setting("WASM_PUSH_PANICKING_ABORT_SITE");
    let mut builds = vec![("stable", std::path::PathBuf::from(e2e::setting("WASM_PUSH_PANICKING_SITE")))];
    if abort == "none" {
        eprintln!("no nightly with rust-src here: only the stable build is tested");
    } else {
        builds.push(("immediate-abort", abort.into()));
    }
    for (build, site) in builds {
        panicking_hook_costs_only_its_own_push(build, &site).await;
    }
}

async fn panicking_hook_costs_only_its_own_push(build: &str, site: &std::path::Path) {
    let worker_script = std::fs::read_to_string(site.join("sw.js")).unwrap();
    let wasm_file = if build == "stable" { "panicking_hook_bg.wasm" } else { "wasm_push_sw_bg.wasm" };
    let wasm = std::fs::read(site.join(wasm_file)).unwrap();
    // The hook's panic message is in the wasm only when std's panic machinery is.
    let has_message = wasm.windows(14).any(|w| w == b"the hook's bug");
    if build == "stable" {
        assert!(worker_script.contains("glue: 'panicking_hook'") && has_message);
        assert!(!site.join("wasm_push_sw_bg.wasm").exists(), "only the named glue's wasm is there to load");
    } else {
        assert!(worker_script.contains("wasmPushGlue") && !site.join("panicking_hook_bg.wasm").exists());
        assert!(!has_message, "an immediate-abort build keeps no panic message");
    }
    let (server, browser, mut devtools, registration) = demo_serving(&format!("panicking-{build}"), site).await;
    let origin = server.origin.clone();
    let push = |title: &str, tag: &str| json!({"title": title, "tag": tag}).to_string();

    for start in ["warm", "cold"] {
        if start == "cold" {
            devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
        }
        deliver(&mut devtools, &origin, &registration, &push("before", "before")).await;
        deliver(&mut devtools, &origin, &registration, &push("panic in the hook", "panic")).await;
        deliver(&mut devtools, &origin, &registration, &push("after", "after")).await;
        deliver(&mut devtools, &origin, &registration, &push("panic after waiting", "async-panic")).await;
        deliver(&mut devtools, &origin, &registration, &push("and after that", "later")).await;
        // The trapped instance's deadline (1 s) ends while the next pushes are handled.
        tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
        deliver(&mut devtools, &origin, &registration, &push("once its wait ended", "last")).await;

        let mut shown = browser.notifications().await;
        shown.sort();
        // The body is the hook's count of pushes shown by its wasm instance: a fresh instance
        // after each panic starts again at 1.
        let fallback = ("New notification", "Open the site to see what is new.", "");
        let expected = [
            fallback,
            fallback,
            ("after", "1", "after"),
            ("and after that", "1", "later"),
            ("before", "1", "before"),
            ("once its wait ended", "2", "last"),
        ];
        let expected: Vec<(String, String, String)> =
            expected.iter().map(|(t, b, g)| (t.to_string(), b.to_string(), g.to_string())).collect();
        assert_eq!(shown, expected, "{build}, {start}: one fallback for each push that panicked, the others as sent");
        // Once both traps are behind it, the site's own code in the worker shows notifications
        // again: no guard of a trapped instance is left in the way.
        let own = "self.registration.showNotification('shown by the site', {tag: 'own'}).then(() => \
                   self.registration.getNotifications({tag: 'own'})).then(ns => ns.map(n => n.title))";
        assert_eq!(devtools.worker_evaluate(&origin, own).await, json!(["shown by the site"]), "{build}, {start}");
        browser
            .run_async(
                "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.forEach(n => n.close()))",
            )
            .await;
    }
}

#[tokio::test]
async fn a_site_with_its_own_worker_adds_push_with_one_import_and_keeps_its_own_handlers() {
    // /sw.js is the site's precaching worker; wasm-push lives in /push/ and is imported by it.
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_EXISTING_WORKER_SITE"));
    assert!(!site.join("push.js").exists() && site.join("push/push.js").exists());
    let (server, browser, mut devtools, registration) = demo_serving("existing-worker", &site).await;
    let origin = server.origin.clone();

    // The existing worker's own fetch handler still answers from its precache.
    let page = browser
        .run_async(
            "(navigator.serviceWorker.controller ? Promise.resolve() : new Promise(r => \
               navigator.serviceWorker.addEventListener('controllerchange', r, { once: true })))\
               .then(() => fetch('/offline.html')).then(r => r.text())",
        )
        .await;
    assert_eq!(page, "<p>offline page from the existing worker</p>");

    // Push works in the same worker, with the settings the import gave (its fallback title).
    deliver(
        &mut devtools,
        &origin,
        &registration,
        &json!({"title": "Pushed", "body": "into an existing worker", "tag": "x"}).to_string(),
    )
    .await;
    deliver(&mut devtools, &origin, &registration, "").await;
    let mut shown = browser.notifications().await;
    shown.sort();
    assert_eq!(
        shown,
        vec![
            ("Existing site".to_owned(), "Open the site to see what is new.".to_owned(), String::new()),
            ("Pushed".to_owned(), "into an existing worker".to_owned(), "x".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_trap_in_another_module_of_the_sites_worker_never_makes_a_second_notification() {
    // The site's own worker (tests/e2e/fixtures/existing-sw.js) has a wasm module of its own
    // that traps: right after wasm-push asks for a notification, or before it has shown one.
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_EXISTING_WORKER_SITE"));
    let (server, browser, mut devtools, registration) = demo_serving("trap-elsewhere", &site).await;
    let origin = server.origin.clone();
    let close_all =
        "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.forEach(n => n.close()))";

    // Shown, then a trap elsewhere: the push's own notification and no fallback beside it.
    let warm = json!({"title": "Shown before a trap elsewhere", "tag": "warm-trap"}).to_string();
    deliver(&mut devtools, &origin, &registration, &warm).await;
    assert_eq!(
        browser.notifications().await,
        [("Shown before a trap elsewhere".into(), String::new(), "warm-trap".into())]
    );
    browser.run_async(close_all).await;

    // A cold start, and the trap comes while the wasm loads: the fallback shows, and wasm-push,
    // once it runs, shows nothing more for that push.
    devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
    let cold = json!({"title": "trap first", "tag": "cold-trap"}).to_string();
    deliver(&mut devtools, &origin, &registration, &cold).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        browser.notifications().await,
        [("Existing site".into(), "Open the site to see what is new.".into(), String::new())]
    );
}

#[tokio::test]
async fn a_push_without_data_shows_what_fetch_url_answers_and_the_fallback_when_that_is_not_content() {
    // The demo with its worker set to `fetch_url=/push/latest.json` (fixtures/fetch-sw.js): the
    // content an app server keeps for pushes it sends without a payload.
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_FETCH_SITE"));
    let latest = site.join("push/latest.json");
    let clear = || {
        let _ = std::fs::remove_file(&latest);
        let _ = std::fs::remove_dir_all(&latest);
    };
    clear();
    let (server, browser, mut devtools, registration) = demo_serving("fetch", &site).await;
    let origin = server.origin.clone();
    let fallback = ("Nothing fetched", "Open the site", "");
    // (the push's data, what the app server keeps, the (title, body, tag) that shows)
    type Case<'a> = (&'a str, Option<&'a str>, (&'a str, &'a str, &'a str));
    // What a push that names its content's URL (`ContentAt`) points to.
    std::fs::write(
        site.join("push/named.json"),
        r#"{"title": "Named news", "body": "where the push said", "tag": "named"}"#,
    )
    .unwrap();
    let cases: [Case; 7] = [
        // A push naming where its content is: that URL, not the setting's.
        (
            r#"{"fetch_url": "/push/named.json"}"#,
            Some(r#"{"title": "Not this"}"#),
            ("Named news", "where the push said", "named"),
        ),
        // Named on another origin: refused (no cross_origin), and nothing fetched.
        (r#"{"fetch_url": "https://tracker.example/push.json"}"#, Some(r#"{"title": "Not this"}"#), fallback),
        // What the app server keeps: read like any payload.
        (
            "",
            Some(r#"{"title": "Fetched news", "body": "kept by the app server", "tag": "latest"}"#),
            ("Fetched news", "kept by the app server", "latest"),
        ),
        // A push that carries data shows it; nothing is fetched.
        (r#"{"title": "Carried", "tag": "own"}"#, Some(r#"{"title": "Not this"}"#), ("Carried", "", "own")),
        // Plain text is a body, as in a push.
        ("", Some("plain words"), ("Nothing fetched", "plain words", "")),
        // Nothing there (404): the fallback.
        ("", None, fallback),
        // A redirect is not the content: `latest.json` a folder, which the server redirects to
        // `latest.json/`, whose index would show "Redirected" if the worker followed it.
        ("", Some("folder"), fallback),
    ];
    for (data, kept, expected) in cases {
        clear();
        match kept {
            Some("folder") => {
                std::fs::create_dir_all(&latest).unwrap();
                std::fs::write(latest.join("index.html"), r#"{"title": "Redirected"}"#).unwrap();
            }
            Some(text) => std::fs::write(&latest, text).unwrap(),
            None => {}
        }
        deliver(&mut devtools, &origin, &registration, data).await;
        let shown =
            e2e::eventually(std::time::Duration::from_secs(10), std::time::Duration::from_millis(50), async || {
                let shown = browser.notifications().await;
                if shown.is_empty() {
                    Err("nothing shown yet".to_owned())
                } else {
                    Ok(shown)
                }
            })
            .await;
        let expected = (expected.0.to_owned(), expected.1.to_owned(), expected.2.to_owned());
        assert_eq!(shown, [expected], "push {data:?} with {kept:?} kept");
        browser
            .run_async(
                "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.forEach(n => n.close()))",
            )
            .await;
    }
    clear();
}

#[tokio::test]
async fn with_foreground_page_a_push_goes_to_the_page_being_looked_at_and_shows_as_a_notification_otherwise() {
    // The demo with its worker set to `foreground=page`; the page listens with ForegroundMessages.
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_FOREGROUND_SITE"));
    let (server, browser, mut devtools, registration) = demo_serving("foreground", &site).await;
    let origin = server.origin.clone();
    let looked_at = browser.run("return [document.hasFocus(), document.visibilityState]").await;
    assert_eq!(looked_at, json!([true, "visible"]), "headless Chromium's page is focused and visible");

    let push = json!({"title": "While you look", "body": "handed to the page", "tag": "here"}).to_string();
    deliver(&mut devtools, &origin, &registration, &push).await;
    browser.wait_for_text("#foreground-title", "While you look").await;
    assert_eq!(browser.text_of("#foreground-body").await.as_deref(), Some("handed to the page"));
    assert!(browser.notifications().await.is_empty(), "no notification while the page is looked at");

    // A page of the site that does not listen (the worker's own script, shown as text) is
    // focused and visible too, but nothing there takes the push: it shows as a notification.
    browser.goto(&format!("{origin}/push.js")).await;
    let looked_at = browser.run("return [document.hasFocus(), document.visibilityState]").await;
    assert_eq!(looked_at, json!([true, "visible"]));
    let push = json!({"title": "Nobody listening", "body": "still shown", "tag": "unheard"}).to_string();
    deliver(&mut devtools, &origin, &registration, &push).await;
    assert_eq!(browser.wait_for_notification("unheard").await, ("Nobody listening".into(), "still shown".into()));
    browser
        .run_async(
            "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.forEach(n => n.close()))",
        )
        .await;

    // No page of the site open: the notification shows.
    browser.goto("about:blank").await;
    let push = json!({"title": "While you are away", "body": "a notification", "tag": "away"}).to_string();
    deliver(&mut devtools, &origin, &registration, &push).await;
    browser.goto(&format!("{origin}/")).await;
    browser.wait_for_worker().await;
    assert_eq!(browser.notifications().await, [("While you are away".into(), "a notification".into(), "away".into())]);
}

#[tokio::test]
async fn a_worker_whose_wasm_cannot_load_shows_the_fallback_and_handles_the_next_push_once_it_can() {
    // The site is served without its wasm at first.
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_LATE_WASM_SITE"));
    let _ = std::fs::remove_file(site.join(SHIPPED_WASM));
    let (server, browser, mut devtools, registration) = demo_serving("late-wasm", &site).await;
    let origin = server.origin.clone();
    let push = |title: &str| json!({"title": title, "tag": title}).to_string();

    deliver(&mut devtools, &origin, &registration, &push("while the wasm is missing")).await;
    assert_eq!(
        browser.notifications().await,
        [("New notification".into(), "Open the site to see what is new.".into(), String::new())]
    );

    // The file is there now (a deploy finished, the network came back): the same running worker
    // loads it for the next push.
    std::fs::copy(std::path::PathBuf::from(e2e::setting("WASM_PUSH_SITE")).join(SHIPPED_WASM), site.join(SHIPPED_WASM))
        .unwrap();
    deliver(&mut devtools, &origin, &registration, &push("once it loads")).await;
    let titles: Vec<String> = browser.notifications().await.into_iter().map(|(title, _, _)| title).collect();
    assert!(titles.contains(&"once it loads".to_owned()), "{titles:?}");
    assert_eq!(titles.len(), 2, "{titles:?}");
}

/// The worker's wasm, as `cargo wasm-push build` ships it.
const SHIPPED_WASM: &str = "wasm_push_sw_bg.wasm";

/// A copy of the demo site named `name`, its `sw.js` replaced by the ready-made worker's
/// (`push.js` imported, taking over at once) between `before` and `after`.
fn site_with_worker(name: &str, before: &str, after: &str) -> std::path::PathBuf {
    let site = std::env::temp_dir().join(format!("wasm-push-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&site);
    copy_folder(&std::path::PathBuf::from(e2e::setting("WASM_PUSH_SITE")), &site);
    std::fs::write(
        site.join("sw.js"),
        format!(
            "{before}\nimportScripts('./push.js');\n\
             self.addEventListener('install', () => self.skipWaiting());\n\
             self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));\n{after}\n"
        ),
    )
    .unwrap();
    site
}

/// The fallback notification of the demo's worker, as `notifications()` lists it.
fn demo_fallback() -> (String, String, String) {
    ("New notification".into(), "Open the site to see what is new.".into(), String::new())
}

#[tokio::test]
async fn the_wasm_of_another_build_is_never_kept_or_run_and_its_push_shows_the_fallback() {
    // The host answers other bytes than the build's own (a cache or a CDN still serving the last
    // deploy, a half-done upload): a valid wasm with the same imports, one section more.
    let site = site_with_worker("other-bytes", "", "");
    let mut other = std::fs::read(site.join(SHIPPED_WASM)).unwrap();
    other.extend([0, 5, 4, b'o', b't', b'h', b'r']);
    std::fs::write(site.join(SHIPPED_WASM), other).unwrap();
    let (server, browser, mut devtools, registration) = demo_serving("other-bytes", &site).await;

    let kept = browser
        .run_async(
            "caches.keys().then(names => Promise.all(names.filter(n => n.startsWith('wasm-push ')) \
               .map(n => caches.open(n).then(c => c.keys()).then(k => k.length))))",
        )
        .await;
    assert!(kept.as_array().unwrap().iter().all(|n| n == 0), "another build's bytes were kept: {kept}");
    devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
    let push = json!({"title": "Run by other bytes", "tag": "other"}).to_string();
    deliver(&mut devtools, &server.origin, &registration, &push).await;
    assert_eq!(browser.notifications().await, [demo_fallback()], "the push ran in another build's wasm");
    let _ = std::fs::remove_dir_all(&site);
}

#[tokio::test]
async fn the_wasm_answered_through_a_redirect_is_never_run_and_its_push_shows_the_fallback() {
    // The worker looks for its wasm at /moved_bg.wasm, a folder on this host: the server
    // answers with a redirect to /moved_bg.wasm/, whose index is the build's own bytes. A
    // redirect can lead anywhere (a login page, another deploy), so it is refused even then.
    let site = site_with_worker("redirected", "self.wasmPush = { glue: 'moved' };", "");
    std::fs::create_dir_all(site.join("moved_bg.wasm")).unwrap();
    std::fs::copy(site.join(SHIPPED_WASM), site.join("moved_bg.wasm/index.html")).unwrap();
    let (server, browser, mut devtools, registration) = demo_serving("redirected", &site).await;
    let redirected =
        browser.run_async("fetch('/moved_bg.wasm', { redirect: 'manual' }).then((r) => r.type + ' ' + r.status)").await;
    assert_eq!(redirected, "opaqueredirect 0", "the host does not redirect: the test proves nothing");
    let push = json!({"title": "Run by redirected bytes", "tag": "moved"}).to_string();
    deliver(&mut devtools, &server.origin, &registration, &push).await;
    assert_eq!(browser.notifications().await, [demo_fallback()], "the push ran in bytes behind a redirect");
    let _ = std::fs::remove_dir_all(&site);
}

#[tokio::test]
async fn a_wasm_the_storage_refuses_to_keep_is_fetched_for_each_start_and_pushes_show_their_content() {
    // Cache Storage refuses every write, as it does past the origin's quota; the worker's
    // fetches of its wasm are counted.
    let full = "Cache.prototype.put = () => Promise.reject(new DOMException('full', 'QuotaExceededError'));\n\
        self.wasmFetches = 0;\n\
        const realFetch = self.fetch;\n\
        self.fetch = (url, init) => ((String(url).endsWith('_bg.wasm') && (self.wasmFetches += 1)), realFetch(url, init));";
    let site = site_with_worker("storage-full", full, "");
    let (server, browser, mut devtools, registration) = demo_serving("storage-full", &site).await;
    for tag in ["first", "cold"] {
        devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
        let push = json!({"title": "Not kept", "body": tag, "tag": tag}).to_string();
        deliver(&mut devtools, &server.origin, &registration, &push).await;
        assert_eq!(browser.wait_for_notification(tag).await, ("Not kept".into(), tag.into()));
        // Nothing was kept, so this start fetched its wasm.
        assert_eq!(devtools.worker_evaluate(&server.origin, "self.wasmFetches").await, json!(1), "{tag}");
    }
    let _ = std::fs::remove_dir_all(&site);
}

#[tokio::test]
async fn a_cold_push_compiles_the_wasm_once() {
    // Every instantiation the worker makes, counted.
    let counting = "self.wasmStarts = 0;\n\
        for (const name of ['instantiate', 'instantiateStreaming']) {\n\
          const real = WebAssembly[name];\n\
          WebAssembly[name] = (...args) => ((self.wasmStarts += 1), real(...args));\n\
        }";
    let site = site_with_worker("one-start", counting, "");
    let (server, browser, mut devtools, registration) = demo_serving("one-start", &site).await;
    devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
    let push = json!({"title": "Cold", "body": "one start", "tag": "cold"}).to_string();
    deliver(&mut devtools, &server.origin, &registration, &push).await;
    assert_eq!(browser.wait_for_notification("cold").await, ("Cold".into(), "one start".into()));
    assert_eq!(devtools.worker_evaluate(&server.origin, "self.wasmStarts").await, json!(1));
    let _ = std::fs::remove_dir_all(&site);
}

#[tokio::test]
async fn a_show_the_browser_refuses_after_rust_claimed_the_push_still_ends_with_the_fallback() {
    // Every showNotification rejects once the listeners are in (as for a permission revoked a
    // moment before): Rust claims the push, and its show and its own fallback both fail. The
    // shim's fallback, with the method it took at the start, is what shows.
    let refusing =
        "ServiceWorkerRegistration.prototype.showNotification = () => Promise.reject(new TypeError('refused'));";
    let site = site_with_worker("show-refused", "", refusing);
    let (server, browser, mut devtools, registration) = demo_serving("show-refused", &site).await;
    let push = json!({"title": "Refused", "tag": "refused"}).to_string();
    deliver(&mut devtools, &server.origin, &registration, &push).await;
    assert_eq!(browser.notifications().await, [demo_fallback()]);
    let _ = std::fs::remove_dir_all(&site);
}

#[tokio::test]
async fn an_update_whose_wasm_the_host_does_not_serve_yet_keeps_the_running_worker_and_its_pushes() {
    let site = std::env::temp_dir().join(format!("wasm-push-stale-deploy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&site);
    copy_folder(&std::path::PathBuf::from(e2e::setting("WASM_PUSH_SITE")), &site);
    let (server, browser, mut devtools, registration) = demo_serving("stale-deploy", &site).await;
    // A deploy whose script is new while the host (a CDN, a cache) still serves the old wasm:
    // the new script names another digest (here, of no bytes).
    let script = std::fs::read_to_string(site.join("sw.js")).unwrap();
    let at = script.find("sha256-").expect("sw.js names its wasm's digest");
    let old = &script[at..at + "sha256-".len() + 44];
    let new = script.replace(old, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    std::fs::write(site.join("sw.js"), new).unwrap();
    browser.run_async("navigator.serviceWorker.getRegistration().then((r) => r.update().then(() => 0, () => 0))").await;
    eventually(Duration::from_secs(20), Duration::from_millis(200), async || {
        let pending = browser
            .run_async("navigator.serviceWorker.getRegistration().then((r) => !!(r.installing || r.waiting))")
            .await;
        (pending == json!(false)).then_some(()).ok_or_else(|| "the update is still installing".to_owned())
    })
    .await;
    let kept =
        browser.run_async("caches.keys().then((names) => names.filter((n) => n.startsWith('wasm-push ')))").await;
    assert!(kept.to_string().contains(old), "the running worker's wasm is gone: {kept}");
    devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
    let push = json!({"title": "From the running worker", "body": "until its update can be had", "tag": "stale"});
    deliver(&mut devtools, &server.origin, &registration, &push.to_string()).await;
    assert_eq!(
        browser.notifications().await,
        [("From the running worker".into(), "until its update can be had".into(), "stale".into())]
    );
    let _ = std::fs::remove_dir_all(&site);
}

#[tokio::test]
async fn two_registrations_of_one_origin_each_keep_their_own_wasm() {
    let (_server, browser, _devtools, _registration) = demo_with_worker("two-scopes").await;
    // A second registration under another scope of the same origin, installed and activated
    // beside the first: its activation deletes only its own scope's older versions.
    // Then the first is updated (another script URL for its scope), and activates again.
    let other = browser
        .run_async(
            "((active) => navigator.serviceWorker.register('/sw.js?title=Other', { scope: '/other/' }).then(active) \
               .then(() => navigator.serviceWorker.register('/sw.js?title=Again', { scope: '/' })).then(active) \
               .then(() => caches.keys()).then((names) => names.filter((n) => n.startsWith('wasm-push ')) \
               .map((n) => n.split(' ')[1]).sort())) \
             ((r) => new Promise((done) => { const w = r.installing || r.waiting || r.active; \
               if (w.state === 'activated') return done(); \
               w.addEventListener('statechange', () => w.state === 'activated' && done()); }))",
        )
        .await;
    let origin = browser.run("return location.origin").await;
    let origin = origin.as_str().unwrap();
    assert_eq!(other, json!([format!("{origin}/"), format!("{origin}/other/")]), "each scope keeps its wasm");
}

#[tokio::test]
async fn a_module_worker_adds_push_with_one_import_and_keeps_its_own_listeners() {
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_MODULE_WORKER_SITE"));
    let (server, browser, mut devtools, _) = demo_serving("module-worker", &site).await;
    let origin = server.origin.clone();
    // Registered beside the demo's own worker, in a scope of its own, as a module.
    let registered = browser
        .run_async(
            "navigator.serviceWorker.register('/module-sw.mjs', { type: 'module', scope: '/module-scope/' }) \
               .then((r) => new Promise((done) => { \
                 const worker = r.installing || r.waiting || r.active; \
                 if (worker.state === 'activated') return done(worker.state); \
                 worker.addEventListener('statechange', () => worker.state === 'activated' && done(worker.state)); }))",
        )
        .await;
    assert_eq!(registered, "activated");
    let registration = devtools.registration_id(&format!("{origin}/module-scope/")).await;

    // Its own message listener still answers.
    let answer = browser
        .run_async(
            "navigator.serviceWorker.getRegistration('/module-scope/').then((r) => new Promise((done) => { \
               navigator.serviceWorker.addEventListener('message', (e) => done(e.data), { once: true }); \
               r.active.postMessage('hello'); }))",
        )
        .await;
    assert_eq!(answer, "the module worker answers");

    deliver(
        &mut devtools,
        &origin,
        &registration,
        &json!({"title": "From a module worker", "tag": "module"}).to_string(),
    )
    .await;
    let shown = browser
        .run_async(
            "navigator.serviceWorker.getRegistration('/module-scope/') \
               .then((r) => r.getNotifications()).then((ns) => ns.map((n) => [n.title, n.tag]))",
        )
        .await;
    assert_eq!(shown, json!([["From a module worker", "module"]]));
}

#[tokio::test]
async fn a_warm_worker_keeps_its_memory_steady_through_bursts_of_pushes() {
    let (server, browser, mut devtools, registration) = demo_with_worker("soak").await;
    let origin = server.origin.clone();
    let mut after = Vec::new();
    for round in 0..4 {
        for i in 0..200 {
            let data = json!({"title": "soak", "tag": format!("soak-{round}-{i}")}).to_string();
            let params = json!({"origin": origin, "registrationId": registration, "data": data});
            devtools.call("ServiceWorker.deliverPushMessage", params).await;
        }
        // Read only once the burst has settled (see `deliver`), then close them all.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let prefix = format!("soak-{round}-");
        eventually(Duration::from_secs(20), Duration::from_millis(200), async || {
            let shown =
                browser.notifications().await.into_iter().filter(|(_, _, tag)| tag.starts_with(&prefix)).count();
            (shown == 200).then_some(()).ok_or_else(|| format!("burst {round}: {shown} of 200 shown"))
        })
        .await;
        browser
            .run_async(
                "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.forEach(n => n.close()))",
            )
            .await;
        after.push(devtools.worker_memory(&origin).await);
    }
    // By the second burst the worker has made the allocations it needs: from there nothing grows.
    let wasm = |i: usize| after[i]["wasm_memory"].as_u64().expect("a wasm memory figure");
    assert_eq!(wasm(3), wasm(1), "wasm memory after each burst: {after:?}");
    let heap = |i: usize| after[i]["js_heap"].as_f64().expect("a JS heap figure");
    assert!(heap(3) <= heap(1) * 1.10, "JS heap after each burst, collected: {after:?}");
}

/// `examples/tested-worker` served from `setting`'s folder: its transform brands every title and
/// puts chat messages under one tag.
async fn tested_worker_runs_its_hooks(setting: &str) {
    let site = std::path::PathBuf::from(e2e::setting(setting));
    let (server, browser, mut devtools, registration) = demo_serving(setting, &site).await;
    let chat = json!({"title": "Ana", "body": "Lunch?", "data": {"chat": 7}});
    deliver(&mut devtools, &server.origin, &registration, &chat.to_string()).await;
    let shown = browser.notifications().await;
    assert_eq!(shown, [("Acme · Ana".to_owned(), "Lunch?".to_owned(), "chat".to_owned())], "{setting}");
}

#[tokio::test]
async fn a_worker_crate_of_ones_own_built_by_cargo_wasm_push_runs_its_hooks() {
    // Built by `cargo wasm-push build --worker tested-worker`.
    tested_worker_runs_its_hooks("WASM_PUSH_OWN_WORKER_SITE").await;
}

#[tokio::test]
async fn a_worker_crate_trunk_builds_itself_runs_under_push_js_named_for_its_glue() {
    // examples/trunk-worker after `trunk build --release`: Trunk's `data-type="worker"` build of
    // tested-worker (tested-worker.js and tested-worker_bg.wasm, named after the crate), and
    // push.js from `cargo wasm-push shim`, told the glue's name by sw.js.
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_TRUNK_WORKER_RECIPE_SITE"));
    for file in ["push.js", "sw.js", "tested-worker.js", "tested-worker_bg.wasm"] {
        assert!(site.join(file).is_file(), "the recipe's dist has no {file}");
    }
    tested_worker_runs_its_hooks("WASM_PUSH_TRUNK_WORKER_RECIPE_SITE").await;
}

/// A recipe under `examples/`, built as its README says (`cargo xtask test` names its served
/// folder in `setting`), with `files` in that folder, served: its page registers its worker,
/// which shows a JSON push as sent and a text push under the title the recipe set (`title` in
/// the worker's settings).
async fn recipe_registers_its_worker_and_shows_pushes(setting: &str, files: &[&str], worker: &str, title: &str) {
    let site = std::path::PathBuf::from(e2e::setting(setting));
    for file in files {
        assert!(site.join(file).is_file(), "the recipe's site ({setting}) has no {file}");
    }
    let (server, browser, mut devtools, registration) = demo_serving(setting, &site).await;
    let script = browser.run_async("navigator.serviceWorker.ready.then(r => r.active.scriptURL)").await;
    assert_eq!(script, format!("{}{worker}", server.origin));

    let push = json!({"title": "From the recipe", "body": "shown by its worker", "tag": "recipe"});
    deliver(&mut devtools, &server.origin, &registration, &push.to_string()).await;
    deliver(&mut devtools, &server.origin, &registration, "plain words").await;
    let mut shown = browser.notifications().await;
    shown.sort();
    let expected = [("From the recipe", "shown by its worker", "recipe"), (title, "plain words", "")];
    let mut expected: Vec<(String, String, String)> =
        expected.iter().map(|(t, b, g)| (t.to_string(), b.to_string(), g.to_string())).collect();
    expected.sort();
    assert_eq!(shown, expected, "{setting}");
}

#[tokio::test]
async fn the_yew_recipe_built_with_trunk_as_its_readme_says_registers_its_worker_and_shows_pushes() {
    // examples/yew-trunk after `trunk build --release`: Trunk built the page, its hook ran
    // `cargo wasm-push build` into the same folder.
    recipe_registers_its_worker_and_shows_pushes(
        "WASM_PUSH_YEW_RECIPE_SITE",
        &["index.html", "sw.js", "push.js", "module/push.mjs", "wasm_push_sw_bg.wasm", "wasm-push.d.ts"],
        "/sw.js?title=Yew%20recipe",
        "Yew recipe",
    )
    .await;
}

#[tokio::test]
async fn the_leptos_recipe_built_with_trunk_as_its_readme_says_registers_its_worker_and_shows_pushes() {
    recipe_registers_its_worker_and_shows_pushes(
        "WASM_PUSH_LEPTOS_RECIPE_SITE",
        &["index.html", "sw.js", "wasm_push_sw_bg.wasm"],
        "/sw.js?title=Leptos%20recipe",
        "Leptos recipe",
    )
    .await;
}

#[tokio::test]
async fn the_dioxus_recipe_built_with_dx_as_its_readme_says_registers_its_worker_and_shows_pushes() {
    // examples/dioxus after `cargo wasm-push build --out public` and `dx build --platform web
    // --release`: dx copied public/ (the worker) to the site's root beside its own page. The
    // page says "done" only once the hook's state signal has re-rendered it with the scope.
    recipe_registers_its_worker_and_shows_pushes(
        "WASM_PUSH_DIOXUS_RECIPE_SITE",
        &["index.html", "sw.js", "wasm_push_sw_bg.wasm"],
        "/sw.js?title=Dioxus%20recipe",
        "Dioxus recipe",
    )
    .await;
}

#[tokio::test]
async fn the_plain_site_recipe_imports_push_js_into_its_own_worker_which_shows_pushes() {
    // Its own sw.js sets self.wasmPush (path /push/, title "Plain site") and imports push.js.
    recipe_registers_its_worker_and_shows_pushes(
        "WASM_PUSH_PLAIN_RECIPE_SITE",
        &["sw.js", "push/push.js"],
        "/sw.js",
        "Plain site",
    )
    .await;
}

/// Every notification the site's worker shows now, with each member the ServiceWorker
/// Cookbook's push recipes set; then they are closed.
async fn shown_in_full(browser: &e2e::Browser) -> Vec<serde_json::Value> {
    let script = "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.map(n => (n.close(), \
                  {title: n.title, body: n.body, tag: n.tag, lang: n.lang, icon: n.icon, vibrate: Array.from(n.vibrate || [])})))";
    browser.run_async(script).await.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn the_cookbooks_simple_payload_rich_and_replace_recipes_need_only_the_ready_made_workers_settings() {
    // The ready-made worker with the cookbook's title and body as its settings
    // (fixtures/cookbook-sw.js); the app server sends what each recipe's server.js sends.
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_COOKBOOK_SITE"));
    let (server, browser, mut devtools, registration) = demo_serving("cookbook", &site).await;
    let origin = server.origin.clone();
    let cookbook = "ServiceWorker Cookbook";

    // push-simple: a push with nothing in it shows the recipe's title and body.
    deliver(&mut devtools, &origin, &registration, "").await;
    let shown = shown_in_full(&browser).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!((&shown[0]["title"], &shown[0]["body"]), (&json!(cookbook), &json!("Alea iacta est")));

    // push-payload: the text sent is the body.
    deliver(&mut devtools, &origin, &registration, "Veni, vidi, vici").await;
    let shown = shown_in_full(&browser).await;
    assert_eq!((&shown[0]["title"], &shown[0]["body"]), (&json!(cookbook), &json!("Veni, vidi, vici")));

    // push-rich: language, icon and vibration, sent as the payload's members.
    let rich = json!({"title": cookbook, "body": "Alea iacta est", "lang": "la", "icon": "caesar.jpg", "vibrate": [500, 100, 500]});
    deliver(&mut devtools, &origin, &registration, &rich.to_string()).await;
    let shown = shown_in_full(&browser).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!((&shown[0]["lang"], &shown[0]["icon"]), (&json!("la"), &json!(format!("{origin}/caesar.jpg"))));
    assert_eq!(shown[0]["vibrate"], json!([500, 100, 500]));

    // push-replace: each push under the tag "swc" replaces the one before.
    for n in 1..=3 {
        let replacing = json!({"title": cookbook, "body": format!("Notification {n}"), "tag": "swc"});
        deliver(&mut devtools, &origin, &registration, &replacing.to_string()).await;
    }
    let shown = shown_in_full(&browser).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!((&shown[0]["body"], &shown[0]["tag"]), (&json!("Notification 3"), &json!("swc")));
}

#[tokio::test]
async fn the_cookbooks_push_clients_recipe_says_whether_the_site_is_looked_at_or_closed() {
    // examples/cookbook's worker crate: an async transform reads the site's windows.
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_COOKBOOK_HOOKS_SITE"));
    let (server, browser, mut devtools, registration) = demo_serving("cookbook-clients", &site).await;
    let origin = server.origin.clone();
    let push = json!({"title": "ServiceWorker Cookbook", "tag": "clients", "data": {"recipe": "clients"}}).to_string();

    deliver(&mut devtools, &origin, &registration, &push).await;
    let shown = shown_in_full(&browser).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["body"], json!("You're still here, thanks!"), "the page is open and focused");

    browser.goto("about:blank").await;
    deliver(&mut devtools, &origin, &registration, &push).await;
    browser.goto(&format!("{origin}/")).await;
    browser.wait_for_worker().await;
    let shown = shown_in_full(&browser).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["body"], json!("You have closed the page, click here to re-open it!"));
}

#[tokio::test]
async fn the_cookbooks_push_quota_recipe_counts_every_push_shown_across_worker_restarts() {
    // examples/cookbook's worker crate: an async transform keeps a count in Cache Storage.
    let site = std::path::PathBuf::from(e2e::setting("WASM_PUSH_COOKBOOK_HOOKS_SITE"));
    let (server, browser, mut devtools, registration) = demo_serving("cookbook-quota", &site).await;
    let origin = server.origin.clone();
    let push = json!({"title": "ServiceWorker Cookbook", "tag": "quota", "data": {"recipe": "quota"}}).to_string();
    for n in 1..=3 {
        if n == 3 {
            // A global in the worker would start again from zero here.
            devtools.call("ServiceWorker.stopAllWorkers", json!({})).await;
        }
        deliver(&mut devtools, &origin, &registration, &push).await;
        let shown = shown_in_full(&browser).await;
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert_eq!(shown[0]["body"], json!(format!("Received {n} visible notifications")));
    }
    // The recipe's "invisible" push (its payload `false`) costs a browser's quota when nothing
    // shows; with wasm-push, it shows.
    deliver(&mut devtools, &origin, &registration, "false").await;
    assert_eq!(shown_in_full(&browser).await.len(), 1);
}

#[tokio::test]
async fn with_receipts_a_push_posts_its_shown_receipt() {
    // A listener of the test's own takes the receipts (another origin, so `cross_origin=1`),
    // answering the browser's preflight.
    let receipts = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/receipts", receipts.local_addr().unwrap());
    let (posted, mut bodies) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut connection, _)) = receipts.accept().await {
            let mut request = Vec::new();
            let mut chunk = [0u8; 4096];
            // Headers, then as many bytes as Content-Length says.
            while let Ok(n @ 1..) = connection.read(&mut chunk).await {
                request.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&request).into_owned();
                let Some((head, body)) = text.split_once("\r\n\r\n") else { continue };
                let length = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if body.len() < length {
                    continue;
                }
                if head.starts_with("POST") {
                    let _ = posted.send(body.to_owned());
                }
                let answer = "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\n\
                              Access-Control-Allow-Headers: content-type\r\nAccess-Control-Allow-Methods: POST\r\n\
                              Connection: close\r\n\r\n";
                let _ = connection.write_all(answer.as_bytes()).await;
                break;
            }
        }
    });
    // The demo site, its worker given `receipts_url`.
    let site = std::env::temp_dir().join(format!("wasm-push-receipts-{}", std::process::id()));
    copy_folder(&std::path::PathBuf::from(e2e::setting("WASM_PUSH_SITE")), &site);
    let query = format!("receipts_url={url}&cross_origin=1&subscription_url=/api/subscription");
    std::fs::write(
        site.join("sw.js"),
        format!(
            "self.wasmPush = {{ query: '{query}' }};\nimportScripts('./push.js');\n\
                 self.addEventListener('install', () => self.skipWaiting());\n\
                 self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));\n"
        ),
    )
    .unwrap();
    let (server, browser, mut devtools, registration) = demo_serving("receipts", &site).await;

    let push = json!({"title": "With a receipt", "body": "told", "tag": "receipted"}).to_string();
    deliver(&mut devtools, &server.origin, &registration, &push).await;
    assert_eq!(browser.notifications().await, [("With a receipt".into(), "told".into(), "receipted".into())]);
    let body = tokio::time::timeout(Duration::from_secs(10), bodies.recv()).await.expect("a receipt within 10 s");
    let receipt: serde_json::Value = serde_json::from_str(&body.unwrap()).unwrap();
    assert_eq!((receipt["event"].clone(), receipt["tag"].clone()), (json!("shown"), json!("receipted")), "{receipt}");
    let _ = std::fs::remove_dir_all(&site);
}

/// `from` copied into `to`, folders and all.
fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        match entry.path().is_dir() {
            true => copy_folder(&entry.path(), &to.join(entry.file_name())),
            false => drop(std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap()),
        }
    }
}
