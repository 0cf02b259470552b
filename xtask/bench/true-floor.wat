;; The benchmark's true floor: a wasm module with no wasm-bindgen, one hand-written import and one
;; export. On a push, the wasm hands the event back to the host's `show` and returns its promise
;; for waitUntil: the least any wasm worker does. Beside the wasm floor (`bench/floor`, the same
;; job through wasm-bindgen) it tells what wasm-bindgen's loading costs, and beside the
;; JavaScript baseline what any wasm costs on a cold start. Assembled by binaryen's wasm-as.
(module
  (import "env" "show" (func $show (param externref) (result externref)))
  (func (export "push") (param $event externref) (result externref)
    (call $show (local.get $event))))
