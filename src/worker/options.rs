//! What `showNotification` is given: every field a browser accepts, without what would make it
//! throw, and what a click needs later (the URLs) travelling with the notification as its data.
#![deny(clippy::disallowed_macros, clippy::disallowed_methods)] // the size rules: clippy.toml

use crate::js::{get, object};
use crate::{Direction, NotificationPayload, MAX_ACTIONS};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::NotificationOptions;

/// The member of a notification's `data` that marks it as shown by wasm-push (by the runtime,
/// or the shim's fallback in `sw/shim/listeners.js`, held to the same name by a native test):
/// clicks and closes of other notifications (a site's own, in a worker that imports `push.js`)
/// are left alone.
const OURS: &str = "wasmPushShown";

/// The options for `showNotification`, with what a browser would refuse left out.
pub(super) fn options(payload: &NotificationPayload, data: &JsValue) -> NotificationOptions {
    let options = NotificationOptions::new();
    let set = |value: &Option<String>, setter: fn(&NotificationOptions, &str)| {
        if let Some(value) = value {
            setter(&options, value);
        }
    };
    set(&payload.body, NotificationOptions::set_body);
    set(&payload.icon, NotificationOptions::set_icon);
    set(&payload.badge, NotificationOptions::set_badge);
    set(&payload.image, NotificationOptions::set_image);
    set(&payload.tag, NotificationOptions::set_tag);
    set(&payload.lang, NotificationOptions::set_lang);
    // Chromium throws a TypeError for renotify without a tag, and for vibration when silent.
    options.set_renotify(payload.renotify && payload.tag.is_some());
    options.set_require_interaction(payload.require_interaction);
    options.set_silent(Some(payload.silent));
    if !payload.vibrate.is_empty() && !payload.silent {
        let pattern: js_sys::Array = payload.vibrate.iter().map(|ms| JsValue::from(*ms)).collect();
        options.set_vibrate(&pattern);
    }
    if let Some(timestamp) = payload.timestamp {
        options.set_timestamp(timestamp);
    }
    if let Some(dir) = payload.dir {
        options.set_dir(match dir {
            Direction::Auto => web_sys::NotificationDirection::Auto,
            Direction::Ltr => web_sys::NotificationDirection::Ltr,
            Direction::Rtl => web_sys::NotificationDirection::Rtl,
        });
    }
    // Only the buttons this browser shows (`Notification.maxActions`: 2 in Chromium), so the
    // URLs kept for clicks are those of buttons the user can press.
    let shown_actions = &payload.actions[..payload.actions.len().min(max_actions())];
    if !shown_actions.is_empty() {
        let actions: Array = shown_actions
            .iter()
            .map(|action| {
                let button =
                    object(&[("action", action.action.as_str().into()), ("title", action.title.as_str().into())]);
                if let Some(icon) = &action.icon {
                    let _ = Reflect::set(&button, &"icon".into(), &icon.as_str().into());
                }
                JsValue::from(button)
            })
            .collect();
        options.set_actions(&actions);
    }
    // What a click needs later travels with the notification: its URL, each button's URL, and
    // the payload's own data.
    let action_urls = Object::new();
    for action in shown_actions {
        if let Some(url) = &action.url {
            let _ = Reflect::set(&action_urls, &action.action.as_str().into(), &url.as_str().into());
        }
    }
    let url = payload.url.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    let data = if data.is_undefined() { JsValue::NULL } else { data.clone() };
    options.set_data(&object(&[(OURS, true.into()), ("url", url), ("actions", action_urls.into()), ("data", data)]));
    options
}

/// Whether a notification's `data` says wasm-push showed it (the runtime, or the shim's
/// fallback): in a site's own worker, the site's own notifications are not ours to click or close.
pub(super) fn ours(data: &JsValue) -> bool {
    get(data, OURS).is_truthy()
}

/// `Notification.maxActions` where the browser has it, else [`MAX_ACTIONS`].
fn max_actions() -> usize {
    let max = get(&get(&js_sys::global(), "Notification"), "maxActions").as_f64();
    max.map_or(MAX_ACTIONS, |max| max.max(0.0) as usize)
}
