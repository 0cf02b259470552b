// The floor worker's script (see xtask/bench/floor/src/lib.rs): the wasm loaded at start, and the
// push listener handing the event to Rust. `cargo xtask bench` puts the glue in front of it,
// one script, as the shipped worker is.
const ready = wasm_bindgen({ module_or_path: './floor_bg.wasm' });
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('push', (event) => event.waitUntil(ready.then(() => wasm_bindgen.on_push(event))));
