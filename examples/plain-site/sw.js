/// <reference path="push/wasm-push.d.ts" />
// The site's own service worker. It keeps its own listeners (a cache, say) and gets push from
// wasm-push with one import: the settings, then push.js from the folder
// `cargo wasm-push build --out push` wrote.
self.wasmPush = { path: '/push/', query: 'title=Plain%20site' };
importScripts('/push/push.js');

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
