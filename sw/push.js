// wasm-push in a service worker: the only JavaScript in it. It adds the push listeners to the
// worker that imports it and leaves everything else (install, activate, fetch) to that worker:
//
//   self.wasmPush = { path: '/push/', query: 'title=Acme&subscription_url=/api/subscription' };
//   importScripts('/push/push.js');
//
// `path` is where this file, `wasm_push_sw.js` and `wasm_push_sw_bg.wasm` are served (default:
// beside the worker script); `query` holds the settings (default: the worker script's own query,
// as in /sw.js?title=…; see WorkerConfig). Browsers honour only the listeners added during the
// worker's first synchronous run, while the wasm loads asynchronously, so each listener waits
// for the wasm inside its event's waitUntil and then hands the event to Rust.
// Everything in a block: nothing here clashes with the importing worker's own names.
{
  const path = new URL((self.wasmPush && self.wasmPush.path) || './', self.location.href).href;
  importScripts(new URL('wasm_push_sw.js', path).href);

  // Loading starts now, while the worker script runs; each event then waits for it. A load that
  // failed (the wasm was unreachable) is tried again by the next event: the glue forgets a
  // failed start, and hands back the running instance once there is one.
  const wasm = new URL('wasm_push_sw_bg.wasm', path).href;
  const started = () => wasm_bindgen({ module_or_path: wasm });
  // Once it runs, an event goes to Rust in the listener's own turn, without a promise hop.
  let ready = false;
  started().then(() => (ready = true), () => {});
  const whenReady = (handle) => (ready ? new Promise((done) => done(handle())) : started().then(handle));
  const settings = new URLSearchParams((self.wasmPush && self.wasmPush.query) || self.location.search);

  // When the wasm cannot start or traps, a push must still show something: Chrome otherwise shows
  // its own "site updated in the background", and Firefox cuts the site's push quota.
  const fallback = () =>
    self.registration.showNotification(settings.get('title') || 'New notification', {
      body: settings.get('body') || 'Open the site to see what is new.',
    });

  // A trap inside Rust's async code (a panicking hook, say) rejects nothing: it surfaces as an
  // `error` event on the worker. Every push still waiting for Rust then shows the fallback; the
  // panic hook has already asked for a fresh wasm instance for the next event.
  const waiting = new Set();
  self.addEventListener('error', (event) => {
    if (event.error instanceof WebAssembly.RuntimeError) waiting.forEach((fail) => fail());
  });

  self.addEventListener('push', (event) => {
    event.waitUntil(new Promise((resolve) => {
      // Settles once, whichever comes first: Rust's promise, its rejection, or a trap.
      const fail = () => waiting.delete(fail) && fallback().then(resolve, resolve);
      waiting.add(fail);
      whenReady(() => wasm_bindgen.on_push(event)).then(() => waiting.delete(fail) && resolve(), fail);
    }));
  });

  const handOver = (name) => (event) => event.waitUntil(whenReady(() => wasm_bindgen[name](event)));
  self.addEventListener('notificationclick', handOver('on_notification_click'));
  self.addEventListener('notificationclose', handOver('on_notification_close'));
  self.addEventListener('pushsubscriptionchange', handOver('on_push_subscription_change'));
}
