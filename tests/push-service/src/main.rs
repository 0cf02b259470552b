//! Runs the loopback push service until its standard input closes (so it dies with the
//! process that started it) or it is killed.
use std::net::SocketAddr;
use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut addr: SocketAddr = "127.0.0.1:0".parse().expect("a valid address");
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--listen", Some(value)) => match value.parse() {
                Ok(parsed) => addr = parsed,
                Err(e) => return eprintln!("push-service: --listen {value}: {e}"),
            },
            _ => return eprintln!("usage: push-service [--listen 127.0.0.1:PORT]"),
        }
    }
    let service = match push_service::PushService::start(addr).await {
        Ok(service) => service,
        Err(e) => return eprintln!("push-service: cannot listen on {addr}: {e}"),
    };
    // The one line a harness reads to find the port.
    println!("push-service listening on {}", service.addr());
    let mut sink = [0u8; 64];
    let mut stdin = tokio::io::stdin();
    while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
}
