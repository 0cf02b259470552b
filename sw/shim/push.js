// wasm-push in a classic service worker. It adds the push listeners to the worker that imports
// it and leaves everything else (install, activate, fetch) to that worker:
//
//   self.wasmPush = { path: '/push/', query: 'title=Acme&subscription_url=/api/subscription' };
//   importScripts('/push/push.js');
//
// `path` is where the worker's files are served (default: beside the worker script); `query`
// holds the settings (default: the worker script's own query, as in /sw.js?title=…; see
// WorkerConfig); `glue` is the name of wasm-bindgen's no-modules output, `<glue>.js` and
// `<glue>_bg.wasm` (default: `wasm_push_sw`, the name `cargo wasm-push build` gives it; a Trunk
// `data-type="worker"` build names it after the crate). A module worker imports
// `module/push.mjs` instead.
//
// `cargo wasm-push build` ships this file with `listeners.js` and the glue put in front of it,
// one script: each script a worker imports is one more read from the browser's storage at every
// cold start. `cargo wasm-push shim` writes it with only `listeners.js` in front, for a glue
// built some other way; it then imports `<glue>.js` from `path`.
{
  const config = self.wasmPush || {};
  const path = new URL(config.path || './', self.location.href).href;
  const glue = config.glue || 'wasm_push_sw';
  if (typeof self.wasmPushListen === 'undefined') importScripts(new URL('listeners.js', path).href);
  // In front of these lines, the glue is a function that makes a fresh copy of it.
  if (!self.wasmPushGlue && typeof wasm_bindgen === 'undefined') importScripts(new URL(`${glue}.js`, path).href);
  const wasm = new URL(`${glue}_bg.wasm`, path).href;
  self.wasmPushListen(self.wasmPushGlue || (() => wasm_bindgen), wasm, config.query || self.location.search);
}
