// wasm-push in a classic service worker. It adds the push listeners to the worker that imports
// it and leaves everything else (install, activate, fetch) to that worker:
//
//   self.wasmPush = { path: '/push/', query: 'title=Acme&subscription_url=/api/subscription' };
//   importScripts('/push/push.js');
//
// `path` is where `wasm_push_sw_bg.wasm` is served (default: beside the worker script); `query`
// holds the settings (default: the worker script's own query, as in /sw.js?title=…; see
// WorkerConfig). A module worker imports `module/push.mjs` instead.
//
// `cargo xtask dist` ships this file with `listeners.js` and the glue (`wasm_push_sw.js`) put in
// front of it, one script: each script a worker imports is one more read from the browser's
// storage at every cold start. Served as it is here (a worker of your own built with
// `export_worker!`), it imports those two from `path`.
{
  const config = self.wasmPush || {};
  const path = new URL(config.path || './', self.location.href).href;
  if (typeof wasm_bindgen === 'undefined') {
    importScripts(new URL('listeners.js', path).href, new URL('wasm_push_sw.js', path).href);
  }
  const wasm = new URL('wasm_push_sw_bg.wasm', path).href;
  self.wasmPushListen(wasm_bindgen, () => wasm_bindgen({ module_or_path: wasm }), config.query || self.location.search);
}
