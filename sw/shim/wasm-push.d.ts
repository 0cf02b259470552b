// Types for wasm-push's worker scripts, for JavaScript and TypeScript users: `self.wasmPush`,
// set before a worker imports `push.js` (or `module/push.mjs`), and the settings its `query`
// (or the worker script's own URL) holds. Written by `cargo wasm-push build` beside the files.
//
//   /// <reference path="push/wasm-push.d.ts" />
//   self.wasmPush = { path: '/push/', query: 'title=Acme&subscription_url=/api/subscription' };
//   importScripts('/push/push.js');

/** The settings of the ready-made worker, as keys of a URL query (`WorkerConfig` in Rust). */
interface WasmPushSettings {
  /** Fallback title for pushes without one. Default: "New notification". */
  title?: string;
  /** Fallback body for pushes with nothing readable. Default: "Open the site to see what is new." */
  body?: string;
  /** Icon for notifications that name none. */
  icon?: string;
  /** Where `pushsubscriptionchange` POSTs the new subscription (same origin). */
  subscription_url?: string;
  /** Where shown/clicked/closed receipts go (same origin); receipts are off without it. */
  receipts_url?: string;
  /** VAPID public key (base64url) for subscribing again when the old subscription's is unknown. */
  key?: string;
  /** `1` lets the two URLs above be on another origin. */
  cross_origin?: '1' | 'true';
  /** While a window of the site is focused and visible: show the notification, hand the push to the page, or both. Default: `show`. */
  foreground?: 'show' | 'page' | 'both';
  /** Where a push without data gets its content (GET, the site's cookies; same origin unless cross_origin). */
  fetch_url?: string;
}

/** What a worker sets before importing wasm-push's listeners. */
interface WasmPushOptions {
  /** Where the worker's files are served. Default: beside the worker script. */
  path?: string;
  /** The settings, as a query string (`new URLSearchParams(settings).toString()` makes one). Default: the worker script's own query. */
  query?: string;
  /** The base name of wasm-bindgen's no-modules output (`<glue>.js`, `<glue>_bg.wasm`). Default: `wasm_push_sw`. */
  glue?: string;
}

interface ServiceWorkerGlobalScope {
  wasmPush?: WasmPushOptions;
}

declare var wasmPush: WasmPushOptions | undefined;
