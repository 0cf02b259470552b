//! A worker whose `transform` hook panics on one title, and whose async transform panics on
//! another after it waited: what happens when your own hook has a bug. That push shows the fallback notification (the shim catches the trap) and the next push
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

    /// A promise that fulfils after `milliseconds`: the wait a hook's `fetch` would be.
    fn after(milliseconds: i32) -> wasm_bindgen_futures::JsFuture {
        let timer = js_sys::Promise::new(&mut |done, _| {
            let scope: web_sys::WorkerGlobalScope = wasm_bindgen::JsCast::unchecked_into(js_sys::global());
            let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&done, milliseconds);
        });
        wasm_bindgen_futures::JsFuture::from(timer)
    }

    wasm_push::export_worker!(wasm_push::worker::Runtime::from_location()
        .transform(|mut payload| {
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
        })
        // The same bug in an async hook, after it waited: the trap happens in a task of the async
        // executor, outside any call from the shim. The deadline is short, so the tests see what
        // the trapped instance's pending wait does when it ends.
        .transform_async(|payload| async move {
            if payload.title == "panic after waiting" {
                after(10).await?;
                payload.data.as_ref().and_then(|data| data.get("missing")).expect("the async hook's bug");
            }
            Ok(payload)
        })
        .deadline(1_000));
}
