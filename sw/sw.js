// The push worker's shim: the only JavaScript in it. Browsers honour only the listeners added
// during this first synchronous run of the script, while the wasm loads asynchronously, so each
// listener waits for `started` inside its event's waitUntil and then hands the event to Rust.
// Settings come from this script's URL: /sw.js?title=…&body=…&icon=… (see WorkerConfig).
importScripts('./wasm_push_sw.js');

const started = wasm_bindgen({ module_or_path: './wasm_push_sw_bg.wasm' });
const settings = new URLSearchParams(self.location.search);

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

const handOver = (name) => (event) => event.waitUntil(started.then(() => wasm_bindgen[name](event)));

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('push', (event) => {
  event.waitUntil(new Promise((resolve) => {
    // Settles once, whichever comes first: Rust's promise, its rejection, or a trap.
    const fail = () => waiting.delete(fail) && fallback().then(resolve, resolve);
    waiting.add(fail);
    started.then(() => wasm_bindgen.on_push(event)).then(() => waiting.delete(fail) && resolve(), fail);
  }));
});
self.addEventListener('notificationclick', handOver('on_notification_click'));
self.addEventListener('notificationclose', handOver('on_notification_close'));
self.addEventListener('pushsubscriptionchange', handOver('on_push_subscription_change'));
