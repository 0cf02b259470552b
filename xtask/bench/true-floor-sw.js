// The true floor's worker script (see xtask/bench/true-floor.wat): the wasm compiled and instantiated
// at start, as wasm-bindgen's glue does it, and the push listener handing the event to it.
const show = (event) => {
  const payload = event.data ? event.data.json() : {};
  return self.registration.showNotification(payload.title || '', payload);
};
const ready = WebAssembly.instantiateStreaming(fetch('./true_floor.wasm'), { env: { show } });
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('push', (event) => event.waitUntil(ready.then(({ instance }) => instance.exports.push(event))));
