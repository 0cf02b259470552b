// wasm-push in a classic service worker. It adds the push listeners to the worker that imports
// it and leaves everything else (install, activate, fetch) to that worker:
//
//   self.wasmPush = { path: '/push/', query: 'title=Acme&subscription_url=/api/subscription' };
//   importScripts('/push/push.js');
//
// `path` is where this file, `listeners.js`, `wasm_push_sw.js` and `wasm_push_sw_bg.wasm` are
// served (default: beside the worker script); `query` holds the settings (default: the worker
// script's own query, as in /sw.js?title=…; see WorkerConfig). A module worker imports
// `module/push.mjs` instead.
{
  const config = self.wasmPush || {};
  const path = new URL(config.path || './', self.location.href).href;
  importScripts(new URL('listeners.js', path).href, new URL('wasm_push_sw.js', path).href);
  const wasm = new URL('wasm_push_sw_bg.wasm', path).href;
  self.wasmPushListen(wasm_bindgen, () => wasm_bindgen({ module_or_path: wasm }), config.query || self.location.search);
}
