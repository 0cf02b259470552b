//! A click on a notification or one of its buttons, and a notification closed: where the click
//! goes (held to the worker's origin), and the receipts.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::click_target_in_worker;
use super::clients::open_or_focus;
use super::options::ours;
use super::runtime::{to_serde, AfterClick, AsyncClickHook, Click, Inner, Runtime, Slot};
use crate::js::promise::{first, quietly, resolved, sleep, then};
use crate::js::{get, sys, worker_scope};
use js_sys::Promise;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::NotificationEvent;

impl Runtime {
    /// Handles `notificationclick` of a notification wasm-push showed (others are left to the
    /// site's own listeners): closes the notification, then focuses a window already on
    /// the target URL, else navigates an open window there, else opens one. The target is the
    /// clicked button's URL or the notification's, held to the worker's origin.
    ///
    /// ```no_run
    /// # fn run(event: web_sys::NotificationEvent) -> Result<(), wasm_bindgen::JsValue> {
    /// let runtime = wasm_push::worker::Runtime::from_location();
    /// event.wait_until(&runtime.notification_click(&event))?;
    /// # Ok(()) }
    /// ```
    pub fn notification_click(&self, event: &NotificationEvent) -> Promise {
        // A notification the site showed itself (in a worker that imports `push.js`) is the
        // site's to handle: not closed, not opened, no receipt.
        if !ours(&event.notification().data()) {
            return resolved(JsValue::UNDEFINED);
        }
        event.notification().close();
        self.decide(event, Inner::open_click)
    }

    /// Where a click on `event`'s notification goes once every hook had its say, the async
    /// ones until the deadline: the promise of its URL (the test kit's `click`).
    /// Public (hidden) so that a host build with the feature on, where the kit itself does not
    /// exist, has no dead code.
    #[cfg(feature = "testing")]
    #[doc(hidden)]
    pub fn click_target(&self, event: &NotificationEvent) -> Promise {
        self.decide(event, Inner::target_only)
    }

    /// Decides the click (the synchronous hooks, then the async ones when there are any) and
    /// goes on to `after`.
    fn decide(&self, event: &NotificationEvent, after: AfterClick) -> Promise {
        let (click, data) = self.click_of(event);
        match &self.inner.on_click_async {
            Some((_, wait)) => wait(self.inner.clone(), click, data, after),
            None => after(self.inner.clone(), click, data),
        }
    }

    /// What a click means, decided by the synchronous hooks: the button, the tag, and where it
    /// goes (the button's URL or the notification's, the hooks' say, held to the worker's
    /// origin); and the payload's `data` as the browser holds it.
    fn click_of(&self, event: &NotificationEvent) -> (Click, JsValue) {
        let notification = event.notification();
        let action = event.unchecked_ref::<sys::NotificationEventWithAction>().action().unwrap_or_default();
        // What `options.rs` put in the notification's data: its URL, each button's, the payload's data.
        let meta = notification.data();
        let requested = match action.is_empty() {
            true => None,
            false => get(&get(&meta, "actions"), &action).as_string(),
        };
        let requested = requested.or_else(|| get(&meta, "url").as_string());
        let data = get(&meta, "data");
        let scope_url = worker_scope().registration().scope();
        let mut click = Click {
            target: click_target_in_worker(&scope_url, requested.as_deref()),
            tag: notification.tag().unwrap_or_default(),
            data: serde_json::Value::Null,
            action,
        };
        if let Some(url) = self.inner.on_click.as_ref().and_then(|hook| hook(&click, &data)) {
            click.target = click_target_in_worker(&scope_url, Some(&url));
        }
        (click, data)
    }

    /// Handles `notificationclose` of a notification wasm-push showed: sends the "closed"
    /// receipt when receipts are on.
    ///
    /// ```no_run
    /// # fn run(event: web_sys::NotificationEvent) -> Result<(), wasm_bindgen::JsValue> {
    /// let runtime = wasm_push::worker::Runtime::from_location();
    /// event.wait_until(&runtime.notification_close(&event))?;
    /// # Ok(()) }
    /// ```
    pub fn notification_close(&self, event: &NotificationEvent) -> Promise {
        let notification = event.notification();
        let meta = notification.data();
        if !ours(&meta) {
            return resolved(JsValue::UNDEFINED);
        }
        let data = get(&meta, "data");
        self.inner.receipt("closed", &notification.tag().unwrap_or_default(), "", &data)
    }

    /// Decides where a click goes with work that waits (the site's windows, storage, a
    /// `fetch`): `Some(url)` replaces the target (still held to the worker's origin), `None`
    /// keeps it. It runs after the synchronous [`on_click`](Self::on_click) hooks, with the
    /// target they decided, under the deadline ([`deadline`](Self::deadline)); when that
    /// passes first, the click goes where they sent it. With several, the one added last that
    /// answers `Some` decides. Keep it short: a browser lets a click open a window only for a
    /// few seconds after it.
    ///
    /// ```no_run
    /// let runtime = wasm_push::worker::Runtime::from_location().on_click_async(|click| async move {
    ///     (click.tag == "chat").then(|| "/chat".to_owned())
    /// });
    /// ```
    pub fn on_click_async<Hook, Done>(self, hook: Hook) -> Self
    where
        Hook: Fn(Click) -> Done + 'static,
        Done: Future<Output = Option<String>> + 'static,
    {
        let hook: Rc<AsyncClickHook> = Rc::new(move |click, data, slot| {
            let done = hook(Click { data: to_serde(data).unwrap_or_default(), ..click.clone() });
            wasm_bindgen_futures::future_to_promise(async move {
                *slot.borrow_mut() = Some(done.await);
                Ok(JsValue::UNDEFINED)
            })
        });
        self.with(|inner| {
            let hooks: Rc<AsyncClickHook> = match inner.on_click_async.take() {
                Some((before, _)) => Rc::new(move |click: &Click, data: &JsValue, slot: Rc<Slot<Option<String>>>| {
                    let (click, data, before) = (click.clone(), data.clone(), before.clone());
                    let mine = hook(&click, &data, slot.clone());
                    crate::js::promise::then(&mine, move |_| {
                        if slot.borrow().as_ref().is_some_and(Option::is_some) {
                            return Ok(JsValue::UNDEFINED);
                        }
                        Ok(before(&click, &data, slot).into())
                    })
                }),
                None => hook,
            };
            inner.on_click_async = Some((hooks, Inner::wait_for_click_hooks));
        })
    }
}

impl Inner {
    /// A real click, decided: focus a window on its target or open one, then send the
    /// "clicked" receipt.
    fn open_click(self: Rc<Self>, click: Click, data: JsValue) -> Promise {
        then(&open_or_focus(click.target.clone()), move |opened| {
            opened?;
            Ok(self.receipt("clicked", &click.tag, &click.action, &data).into())
        })
    }

    /// The test kit's click, decided: its target, with nothing opened.
    #[cfg(feature = "testing")]
    fn target_only(self: Rc<Self>, click: Click, _: JsValue) -> Promise {
        resolved(click.target)
    }

    /// Runs the async click hooks until the deadline, then goes on with the click sent where
    /// they said (held to the worker's origin), or where it was going when they were late.
    pub(super) fn wait_for_click_hooks(self: Rc<Self>, mut click: Click, data: JsValue, after: AfterClick) -> Promise {
        let Some((hook, _)) = self.on_click_async.clone() else {
            return after(self, click, data);
        };
        let answer: Rc<Slot<Option<String>>> = Rc::default();
        let done = hook(&click, &data, answer.clone());
        then(&first(&quietly(&done), &sleep(self.deadline_ms)), move |_| {
            if let Some(Some(url)) = answer.take() {
                click.target = click_target_in_worker(&worker_scope().registration().scope(), Some(&url));
            }
            Ok(after(self, click, data).into())
        })
    }
}
