// wasm-push in a module service worker (registered with `type: 'module'`): one import adds the
// push listeners and leaves everything else to the worker.
//
//   self.wasmPush = { query: 'title=Acme&subscription_url=/api/subscription' }; // optional
//   import '/push/module/push.mjs';
//
// The settings come from `self.wasmPush.query` when set before the import runs (a module's
// imports run first, so set it in a module imported before this one), else from the worker
// script's own query. `cargo wasm-push build` puts `listeners.js` and the classic glue in front
// of these lines (a module may hold a classic script: the glue, as `self.wasmPushGlue`, makes
// wasm-bindgen's `wasm_bindgen`), and the wasm is the classic worker's, one folder up.
self.wasmPushListen(
  self.wasmPushGlue,
  new URL('../wasm_push_sw_bg.wasm', import.meta.url).href,
  (self.wasmPush || {}).query || self.location.search,
);
