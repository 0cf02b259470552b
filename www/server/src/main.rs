//! The demo server: serves the built app and worker. (Subscriptions, VAPID and sending come
//! with the demo issue.)
use std::net::SocketAddr;
use std::path::PathBuf;

#[tokio::main]
async fn main() {
    let mut addr: SocketAddr = "127.0.0.1:8080".parse().expect("a valid address");
    let mut root = PathBuf::from("target/www");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--addr", Some(value)) => match value.parse() {
                Ok(parsed) => addr = parsed,
                Err(e) => return eprintln!("demo server: --addr {value}: {e}"),
            },
            ("--root", Some(value)) => root = value.into(),
            _ => return eprintln!("usage: wasm-push-demo-server [--addr 127.0.0.1:8080] [--root DIR]"),
        }
    }
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => return eprintln!("demo server: cannot listen on {addr}: {e}"),
    };
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(&root));
    println!("wasm-push demo: open http://{addr}/  (serving {}; Ctrl-C stops)", root.display());
    let stopped = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    match stopped {
        Ok(()) => println!("demo server stopped"),
        Err(e) => eprintln!("demo server: {e}"),
    }
}
