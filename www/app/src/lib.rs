//! The demo page: registers the push worker and says how that went.
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::*;

/// Runs when the page loads the module.
#[wasm_bindgen(start)]
pub fn start() {
    wasm_bindgen_futures::spawn_local(async {
        let text = match register().await {
            Ok(scope) => format!("Service worker registered and active for {scope}"),
            Err(err) => format!("Service worker not registered: {err}"),
        };
        set_status(&text);
    });
}

async fn register() -> Result<String, wasm_push::Error> {
    let registration = wasm_push::Registration::register("/sw.js", "/").await?;
    let active = registration.ready().await?;
    Ok(active.as_raw().scope())
}

fn set_status(text: &str) {
    let element = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("status"));
    if let Some(element) = element {
        element.set_text_content(Some(text));
        let _ = element.set_attribute("data-state", "done");
    }
}
