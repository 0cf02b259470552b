//! A click on a notification or one of its buttons, and a notification closed: where the click
//! goes (held to the worker's origin), and the receipts.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use super::click_target_in_worker;
use super::clients::open_or_focus;
use super::options::ours;
use super::runtime::{scope, Click, Inner, Runtime, Slot};
use crate::js::promise::{first, quietly, resolved, sleep, then};
use crate::js::{get, sys};
use js_sys::Promise;
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
        self.decide(event, AfterClickHooks::Open)
    }

    /// Where a click on `event`'s notification goes once every hook had its say, the async
    /// ones until the deadline: the promise of its URL (the test kit's `click`).
    /// Public (hidden) so that a host build with the feature on, where the kit itself does not
    /// exist, has no dead code.
    #[cfg(feature = "testing")]
    #[doc(hidden)]
    pub fn click_target(&self, event: &NotificationEvent) -> Promise {
        self.decide(event, AfterClickHooks::Answer)
    }

    /// Decides the click (the synchronous hooks, then the async ones when there are any) and
    /// goes on to `after`.
    fn decide(&self, event: &NotificationEvent, after: AfterClickHooks) -> Promise {
        let (click, data) = self.click_of(event);
        match &self.inner.on_click_async {
            Some((_, wait)) => wait(self.inner.clone(), click, data, after),
            None => after.go(self.inner.clone(), click, data),
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
        let scope_url = scope().registration().scope();
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
}

/// What a click decided by the async hooks goes on to.
pub(super) enum AfterClickHooks {
    /// Focus or open its target, then send the receipt: a real click.
    Open,
    /// Answer its target: the test kit, which opens nothing.
    #[cfg(feature = "testing")]
    Answer,
}

impl AfterClickHooks {
    /// Goes on with the decided click: a real one focuses a window on its target or opens one,
    /// then sends the "clicked" receipt; the test kit's answers its target.
    fn go(self, inner: Rc<Inner>, click: Click, data: JsValue) -> Promise {
        match self {
            AfterClickHooks::Open => then(&open_or_focus(click.target.clone()), move |opened| {
                opened?;
                Ok(inner.receipt("clicked", &click.tag, &click.action, &data).into())
            }),
            #[cfg(feature = "testing")]
            AfterClickHooks::Answer => resolved(click.target),
        }
    }
}

impl Inner {
    /// Runs the async click hooks until the deadline, then goes on with the click sent where
    /// they said (held to the worker's origin), or where it was going when they were late.
    pub(super) fn wait_for_click_hooks(
        self: Rc<Self>,
        mut click: Click,
        data: JsValue,
        after: AfterClickHooks,
    ) -> Promise {
        let Some((hook, _)) = self.on_click_async.clone() else {
            return after.go(self, click, data);
        };
        let answer: Rc<Slot<Option<String>>> = Rc::default();
        let done = hook(&click, &data, answer.clone());
        then(&first(&quietly(&done), &sleep(self.deadline_ms)), move |_| {
            if let Some(Some(url)) = answer.take() {
                click.target = click_target_in_worker(&scope().registration().scope(), Some(&url));
            }
            Ok(after.go(self, click, data).into())
        })
    }
}
