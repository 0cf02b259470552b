// wasm-push's listeners, shared by the classic entry (push.js) and the module one (push.mjs): the
// only JavaScript in the worker besides them. Browsers honour only the listeners added during
// the worker's first synchronous run, while the wasm loads asynchronously, so each listener
// waits for the wasm inside its event's waitUntil and then hands the event to Rust. This file is
// both a classic script and an ES module: it only defines `self.wasmPushListen`.
self.wasmPushListen = (glue, wasm, query, push) => {
  // `glue()` gives wasm-bindgen's glue, not yet started: a fresh copy each time when
  // `cargo wasm-push build` put it in front (`self.wasmPushGlue`), the one imported otherwise.
  // `wasm` is the whole worker. `push`, when the build made one, is the module a push loads
  // (`on_push` alone, so less to compile and start on a cold push) with its glue (the same
  // glue, each module a copy of its own); the other events load the whole worker when they come.
  // The wasm is kept in Cache Storage under its build's version (`self.wasmPushVersion`, which
  // `cargo wasm-push build` writes into the script: a new wasm is a new worker script, which the
  // browser's own update check installs). A cold start reads it from there: it never waits for
  // the network, and shows the push while the site is down. Fetched at install (both modules, so
  // a click opens the site while it is down too), else at first use; without a version (a glue
  // built elsewhere), fetched every time.
  const version = self.wasmPushVersion;
  const kept = version && `wasm-push-wasm-${version}`;
  const fetchInto = (cache, url) => fetch(url).then((answer) => (answer.ok && cache.put(url, answer.clone()), answer));
  const load = (url) =>
    kept ? caches.open(kept).then((cache) => cache.match(url).then((hit) => hit || fetchInto(cache, url)), () => fetch(url)) : url;
  const urls = push ? [push.wasm, wasm] : [wasm];
  if (kept) {
    self.addEventListener('install', (event) => event.waitUntil(caches.open(kept).then((cache) =>
      Promise.all(urls.map((url) => fetchInto(cache, url).catch(() => {})))).catch(() => {})));
    // Earlier versions go once this one is active; a lost cache is fetched again.
    self.addEventListener('activate', (event) => event.waitUntil(caches.keys().then((names) =>
      Promise.all(names.filter((name) => name.startsWith('wasm-push-wasm-') && name !== kept).map((name) => caches.delete(name))))));
  }

  // One module and its glue. A load that failed (the wasm was unreachable) is tried again by
  // the next event: the glue forgets a failed start, and hands back the running instance once
  // there is one. Once it runs, an event goes to Rust in the listener's own turn, without a
  // promise hop. After a trap (`renew`), the next event runs in a fresh copy of the glue, when
  // the glue makes copies.
  const module = (glue, url) => {
    const it = { rust: glue(), ready: false };
    const start = () => {
      const rust = it.rust;
      return rust({ module_or_path: load(url) }).then(() => rust);
    };
    it.begin = () => start().then(() => (it.ready = true), () => {});
    it.when = (handle) => (it.ready ? new Promise((done) => done(handle(it.rust))) : start().then(handle));
    it.renew = (now) => {
      const fresh = glue();
      if (fresh !== it.rust) (it.rust = fresh), (it.ready = false), now && it.begin();
    };
    return it;
  };
  // The push module acts on the default settings alone (`PUSH_MODULE`, worker/runtime.rs): with
  // receipts, content fetched for a push or a page told first, pushes go to the whole worker.
  const settings = new URLSearchParams(query);
  const whole = module(glue, wasm);
  const needsWhole =
    settings.get('receipts_url') || settings.get('fetch_url') || ['page', 'both'].includes(settings.get('foreground'));
  const first = push && !needsWhole ? module(push.glue, push.wasm) : whole;
  // The module pushes go to starts loading now, while the worker script runs.
  first.begin();

  // When the wasm cannot start or traps, a push must still show something (the texts of Rust's
  // Fallback::default(), which a native test holds these to): Chrome otherwise
  // shows its own "site updated in the background", and Firefox cuts the site's push quota.
  // The prototype's method, since a trap inside a transform hook leaves the registration's own
  // do-nothing stand-in in place (the Rust side sets it while a hook runs).
  const show = ServiceWorkerRegistration.prototype.showNotification;
  // Marked as wasm-push's (as Rust marks what it shows), so its click opens the site, while a
  // site's own notifications are left to the site.
  const fallback = () =>
    show.call(self.registration, settings.get('title') || 'New notification', {
      body: settings.get('body') || 'Open the site to see what is new.',
      data: { wasmPush: true },
    });

  // A trap in Rust's call or in a step of its promise chain (a panicking hook, say) rejects the
  // push's promise. One inside a task of wasm-bindgen's executor (async work a worker crate of
  // one's own spawns) rejects nothing: it surfaces as an `error` event on the worker. Either way
  // every push still waiting for Rust shows the fallback, and the next event runs in a fresh
  // instance, since a trapped one may hold broken state (a borrowed RefCell, a half-done
  // allocation): a fresh copy of the glue, started now. That is what recovers a wasm built with
  // -Cpanic=immediate-abort, which runs no panic hook; an imported glue has only the panic
  // hook's request for a fresh instance (`recover_after_panics`). What the trapped instance
  // still has under way keeps its own glue.
  // `modules` trapped; an `error` event does not say which, so both start afresh. The push
  // module starts again at once, the whole worker at its next event.
  const trapped = (error, ...modules) =>
    error instanceof WebAssembly.RuntimeError && modules.forEach((it) => it.renew(it === first));
  const waiting = new Set();
  self.addEventListener('error', (event) => {
    if (event.error instanceof WebAssembly.RuntimeError) trapped(event.error, ...new Set([first, whole])), waiting.forEach((fail) => fail());
  });

  self.addEventListener('push', (event) => {
    event.waitUntil(new Promise((resolve) => {
      // Settles once, whichever comes first: Rust's promise, its rejection, or a trap. Exactly
      // one notification per push: `event.wasmPush` is "shown" once Rust called showNotification
      // (or a page took the push; worker/push.rs), and then a trap, ours or another module's,
      // adds nothing; else "fallback" tells Rust not to show it too.
      const fail = () =>
        waiting.delete(fail) &&
        (event.wasmPush === 'shown' ? resolve() : ((event.wasmPush = 'fallback'), fallback().then(resolve, resolve)));
      waiting.add(fail);
      // The push module leaves sending the app server a subscription it never took to the
      // whole worker: it answers `RETRY` (worker/mod.rs) for that.
      const retry = () => whole.when((rust) => rust.retry_subscription()).catch((error) => trapped(error, whole));
      first.when((rust) => rust.on_push(event)).then(
        (after) => waiting.delete(fail) && resolve(after === 'wasm-push:retry-subscription' && retry()),
        (error) => (trapped(error, first), fail()));
    }));
  });

  const handOver = (name, after) => (event) =>
    event.waitUntil(whole.when((rust) => rust[name](event)).then(
      (done) => (after && after(), done),
      (error) => (trapped(error, whole), after && after(), Promise.reject(error))));
  self.addEventListener('notificationclick', handOver('on_notification_click'));
  self.addEventListener('notificationclose', handOver('on_notification_close'));
  // The push module keeps whether the app server has the current subscription; after a
  // subscription change in the whole worker, it starts afresh and reads the sync record again.
  self.addEventListener('pushsubscriptionchange',
    handOver('on_push_subscription_change', first !== whole && (() => first.renew(true))));
};
