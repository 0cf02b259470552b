// wasm-push's listeners, shared by the classic entry (push.js) and the module one (push.mjs): the
// only JavaScript in the worker besides them. Browsers honour only the listeners added during
// the worker's first synchronous run, while the wasm loads asynchronously, so each listener
// waits for the wasm inside its event's waitUntil and then hands the event to Rust. This file is
// both a classic script and an ES module: it only defines `self.wasmPushListen`.
self.wasmPushListen = (glue, wasm, query) => {
  // `glue()` gives wasm-bindgen's glue, not yet started: a fresh copy each time when
  // `cargo wasm-push build` put it in front (`self.wasmPushGlue`), the one imported otherwise.
  // `self.wasmPushVersion` is the digest of the one wasm this script was built for (subresource
  // integrity, `sha256-…`, which `cargo wasm-push build` writes into the script: a new wasm is a
  // new script, which the browser's own update check installs). Those bytes alone are fetched,
  // past the HTTP cache, never through a redirect, and checked against the digest by the
  // browser; they are kept in Cache Storage under this scope and digest, and a cold start reads
  // them from there: it never waits for the network, and shows the push while the site is down.
  // Install waits until they are kept and started. An update of a wasm-push worker of this
  // scope whose wasm cannot be had (a host still serving the last deploy's) fails, so the
  // running worker stays and the browser tries again later; a first install (or wasm-push
  // added to a site's own worker) goes on, and fetches at first use (a storage that refuses to
  // keep them, past its quota, costs only that). Without a digest (a glue built elsewhere),
  // fetched every time and not checked.
  const version = self.wasmPushVersion;
  const ours = `wasm-push ${self.registration.scope} `;
  const kept = version && ours + version;
  const older = (name) => kept && name.startsWith(ours) && name !== kept;
  const fetchWasm = () => fetch(wasm, version ? { cache: 'no-store', redirect: 'error', integrity: version } : {});
  const fetchInto = (cache) =>
    fetchWasm().then((answer) => (answer.ok ? cache.put(wasm, answer.clone()).then(() => answer, () => answer) : answer));
  const load = () =>
    kept ? caches.open(kept).then((cache) => cache.match(wasm).then((hit) => hit || fetchInto(cache)), fetchWasm) : fetchWasm();
  if (kept) {
    // This scope's earlier versions go once this one is active; other scopes' are theirs.
    self.addEventListener('activate', (event) => event.waitUntil(caches.keys().then((names) =>
      Promise.all(names.filter(older).map((name) => caches.delete(name))))));
  }

  // The running copy of the glue, started once: every event waits for the same start. A start
  // that failed (the wasm was unreachable) is tried again by the next event. Once it runs, an
  // event goes to Rust in the listener's own turn, without a promise hop. After a trap the next
  // event runs in a fresh copy of the glue, when the glue makes copies.
  let it = { glue: glue() };
  const start = (copy = it) =>
    copy.starting ||
    (copy.starting = copy.glue({ module_or_path: load() }).then(
      () => ((copy.ready = true), copy.glue),
      (error) => ((copy.starting = undefined), Promise.reject(error))));
  const when = (handle) => (it.ready ? new Promise((done) => done(handle(it.glue))) : start().then(handle));
  start().catch(() => {});
  self.addEventListener('install', (event) => event.waitUntil(start().catch((error) => caches.keys().then((names) => {
    if (names.some(older)) throw error;
  }))));

  // When the wasm cannot start or traps, a push must still show something (the texts of Rust's
  // Fallback::default(), which a native test holds these to): Chrome otherwise
  // shows its own "site updated in the background", and Firefox cuts the site's push quota.
  // The prototype's method, since a trap inside a transform hook leaves the registration's own
  // do-nothing stand-in in place (the Rust side sets it while a hook runs).
  const settings = new URLSearchParams(query);
  const show = ServiceWorkerRegistration.prototype.showNotification;
  // Marked as wasm-push's (as Rust marks what it shows), so its click opens the site, while a
  // site's own notifications are left to the site.
  const fallback = () =>
    show.call(self.registration, settings.get('title') || 'New notification', {
      body: settings.get('body') || 'Open the site to see what is new.',
      data: { wasmPushShown: true },
    });

  // A trap in Rust's call or in a step of its promise chain (a panicking hook, say) rejects the
  // push's promise. One inside a task of wasm-bindgen's executor (async work a worker crate of
  // one's own spawns) rejects nothing: it surfaces as an `error` event on the worker. Either way
  // every push still waiting for Rust shows the fallback, and the next event runs in a fresh
  // instance, since a trapped one may hold broken state (a borrowed RefCell, a half-done
  // allocation). That is what recovers a wasm built with -Cpanic=immediate-abort, which runs no
  // panic hook; an imported glue has only the panic hook's request for a fresh instance
  // (`recover_after_panics`). What the trapped instance still has under way keeps its own glue.
  const trapped = (error) => {
    const copy = error instanceof WebAssembly.RuntimeError && glue();
    if (copy && copy !== it.glue) it = { glue: copy };
  };
  const waiting = new Set();
  self.addEventListener('error', (event) => {
    if (event.error instanceof WebAssembly.RuntimeError) trapped(event.error), waiting.forEach((fail) => fail());
  });

  self.addEventListener('push', (event) => {
    event.waitUntil(new Promise((resolve) => {
      // Settles once, whichever comes first: Rust's promise, its rejection, or a trap. Exactly
      // one notification per push, by what Rust left in `event.wasmPushClaim` (worker/push.rs): the
      // promise of its show, which a trap, ours or another module's, waits for (the fallback
      // shows only if that show failed); "showing" or "page" (shown or taken: nothing to add);
      // else the fallback, and "fallback" tells Rust not to show it too.
      const showFallback = () => fallback().then(resolve, resolve);
      const fail = () =>
        waiting.delete(fail) &&
        (event.wasmPushClaim instanceof Promise
          ? event.wasmPushClaim.then(resolve, showFallback)
          : ['showing', 'page'].includes(event.wasmPushClaim) ? resolve() : ((event.wasmPushClaim = 'fallback'), showFallback()));
      waiting.add(fail);
      when((rust) => rust.on_push(event)).then(
        () => waiting.delete(fail) && resolve(),
        (error) => (trapped(error), fail()));
    }));
  });

  const handOver = (name) => (event) =>
    event.waitUntil(when((rust) => rust[name](event)).catch((error) => (trapped(error), Promise.reject(error))));
  self.addEventListener('notificationclick', handOver('on_notification_click'));
  self.addEventListener('notificationclose', handOver('on_notification_close'));
  self.addEventListener('pushsubscriptionchange', handOver('on_push_subscription_change'));
};
