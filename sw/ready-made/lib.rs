//! The ready-made push worker, wasm half: the wasm-push runtime with its settings read from the
//! script URL (`/sw.js?title=…`, see `WorkerConfig`). `cargo wasm-push build` builds this file as
//! a crate of its own, against the app's `wasm-push`; `shim/listeners.js` adds the listeners and
//! calls the entry points `export_worker!` makes; each returns the promise for `event.waitUntil`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

// A free-list allocator of a few hundred bytes in place of std's dlmalloc: the worker is 3 KB
// gzip smaller. A worker instance lives seconds to minutes and holds little, so the simpler
// allocator costs little: head to head in `cargo xtask bench`'s harness (two runs, in turns),
// cold starts were the same and six 500-push bursts took a median 540 ms against dlmalloc's
// 509 ms, within the bursts' spread (399-636 ms), with the same wasm memory after them.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());

wasm_push::export_worker!(wasm_push::worker::Runtime::from_location());
