//! A worker whose `transform` hook panics on one title: what happens when your own hook has a
//! bug. That push shows the fallback notification (the shim catches the trap) and the next push
//! is handled by a fresh wasm instance, as if nothing had happened. The end-to-end tests serve
//! this worker to prove it; build it like `examples/tested-worker`.
//!
//! The hook keeps state, as real hooks do: it numbers the pushes this instance has shown. It
//! panics while it holds that state borrowed, which a trap never gives back: an instance that
//! went on after the trap would fail every later push on the borrow.

#[cfg(target_arch = "wasm32")]
mod worker {
    use std::cell::RefCell;

    thread_local! {
        static SHOWN: RefCell<u32> = const { RefCell::new(0) };
    }

    wasm_push::export_worker!(wasm_push::worker::Runtime::from_location().transform(|mut payload| {
        SHOWN.with(|shown| {
            let mut shown = shown.borrow_mut();
            // A stand-in for any bug in a hook: an unwrap on data that is not there.
            if payload.title == "panic in the hook" {
                payload.data.as_ref().and_then(|data| data.get("missing")).expect("the hook's bug");
            }
            *shown += 1;
            payload.body = Some(shown.to_string());
        });
        payload
    }));
}
