//! The server binary `cargo leptos build` makes (feature `ssr`).

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    if let Err(message) = leptos_ssr_push_recipe::server::run().await {
        eprintln!("leptos-ssr-push-recipe: {message}");
        std::process::exit(1);
    }
}

/// Without `ssr` (the page's wasm) there is no server.
#[cfg(not(feature = "ssr"))]
fn main() {}
