// The ready-made push worker: wasm-push's listeners (push.js), and a worker that takes over at
// once. Settings come from this script's URL: /sw.js?title=…&body=…&icon=… (see WorkerConfig).
// A site that has a worker already imports push.js into it instead (see push.js).
importScripts('./push.js');

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
