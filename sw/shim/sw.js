// The ready-made push worker: wasm-push's listeners (push.js), and a worker that takes over at
// once. Settings come from this script's URL: /sw.js?title=…&body=…&icon=… (see WorkerConfig).
// A site that has a worker already imports push.js into it instead (see push.js). As shipped by
// `cargo wasm-push build`, push.js is already in this file, in front of these lines.
if (typeof self.wasmPushListen === 'undefined') importScripts('./push.js');

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
