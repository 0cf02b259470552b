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

const handOver = (name) => (event) => event.waitUntil(started.then(() => wasm_bindgen[name](event)));

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('push', (event) => {
  event.waitUntil(started.then(() => wasm_bindgen.on_push(event)).catch(fallback));
});
self.addEventListener('notificationclick', handOver('on_notification_click'));
self.addEventListener('notificationclose', handOver('on_notification_close'));
self.addEventListener('pushsubscriptionchange', handOver('on_push_subscription_change'));
