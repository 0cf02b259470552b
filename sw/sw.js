// The push worker's shim: the only JavaScript in it. Browsers only honour listeners added
// during this first synchronous run of the script, while the wasm loads asynchronously,
// so every listener waits for `started` inside its event's waitUntil.
importScripts('./wasm_push_sw.js');

const started = wasm_bindgen({ module_or_path: './wasm_push_sw_bg.wasm' });

// Shown when the wasm cannot start: a push must never end without a notification
// (Chrome shows its own "site updated in the background" instead; Firefox cuts the quota).
const fallback = () =>
  self.registration.showNotification('New notification', { body: 'Open the site to see what is new.' });

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('push', (event) => {
  event.waitUntil(started.then(() => wasm_bindgen.on_push(event)).catch(fallback));
});
