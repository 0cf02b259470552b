/// <reference path="wasm-push.d.ts" />
// The worker: wasm-push's listeners (push.js, written by `cargo wasm-push shim`) around the glue
// Trunk built from the worker crate, which push.js finds by the name given here.
self.wasmPush = { glue: 'tested-worker' };
importScripts('./push.js');

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
