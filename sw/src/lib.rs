//! The ready-made push worker, wasm half: the wasm-push runtime with its settings read from the
//! script URL (`/sw.js?title=…`, see `WorkerConfig`). `sw/listeners.js` adds the listeners and calls
//! the entry points `export_worker!` makes; each returns the promise for `event.waitUntil`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

wasm_push::export_worker!(wasm_push::worker::Runtime::from_location());
