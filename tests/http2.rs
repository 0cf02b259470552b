//! The sender over TLS and HTTP/2, as push services serve it: a push service on loopback with
//! a self-signed certificate (which the test's client alone trusts) and ALPN `h2`, counting the
//! connections it accepts and the streams on them.
#![cfg(not(target_arch = "wasm32"))]

use futures_util::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use wasm_push::server::{Endpoints, FanOut, Push, Sender, VapidKeys, VapidSubject, Verdict};
use wasm_push::{Error, NotificationPayload, Subscription, Unreachable};

const KEYS: &str = r#""keys":{"auth":"x7aPzMh8OBZ3WDnsHjbBQQ","p256dh":"BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"}"#;

/// What the push service saw.
#[derive(Default)]
struct Seen {
    connections: AtomicUsize,
    /// Connections whose ALPN was `h2`.
    h2_connections: AtomicUsize,
    /// Requests (streams, over HTTP/2) that were HTTP/2.
    h2_streams: AtomicUsize,
    streams: AtomicUsize,
}

/// A TLS server on `https://127.0.0.1:PORT` offering `alpn`, with a self-signed certificate:
/// its listener, URL, acceptor and certificate (DER).
async fn tls_listener(
    alpn: &[&[u8]],
) -> (tokio::net::TcpListener, String, tokio_rustls::TlsAcceptor, rustls::pki_types::CertificateDer<'static>) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let certificate = certified.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    // The provider the sender's own TLS uses (reqwest's rustls over ring).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate.clone()], key)
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    (listener, url, acceptor, certificate)
}

/// A push service on `https://127.0.0.1:PORT` answering 201 to each well-formed push; its
/// certificate (DER) and what it saw.
async fn tls_push_service() -> (String, Vec<u8>, Arc<Seen>) {
    let (listener, url, acceptor, certificate) = tls_listener(&[b"h2", b"http/1.1"]).await;
    let seen = Arc::new(Seen::default());
    let counts = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            counts.connections.fetch_add(1, Ordering::SeqCst);
            let (acceptor, counts) = (acceptor.clone(), counts.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                if tls.get_ref().1.alpn_protocol() == Some(b"h2") {
                    counts.h2_connections.fetch_add(1, Ordering::SeqCst);
                }
                let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let counts = counts.clone();
                    async move {
                        counts.streams.fetch_add(1, Ordering::SeqCst);
                        if request.version() == hyper::Version::HTTP_2 {
                            counts.h2_streams.fetch_add(1, Ordering::SeqCst);
                        }
                        let pushed = request.headers().get("content-encoding").is_some_and(|v| v == "aes128gcm")
                            && request
                                .headers()
                                .get("authorization")
                                .is_some_and(|v| v.as_bytes().starts_with(b"vapid t="));
                        let status = if pushed { 201 } else { 400 };
                        let answer = hyper::Response::builder()
                            .status(status)
                            .body(http_body_util::Empty::<bytes::Bytes>::new());
                        Ok::<_, std::convert::Infallible>(answer.unwrap())
                    }
                });
                let builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
                let _ = builder.serve_connection(hyper_util::rt::TokioIo::new(tls), service).await;
            });
        }
    });
    (url, certificate.to_vec(), seen)
}

fn sender(trusting: Option<Vec<u8>>, endpoints: Endpoints) -> Sender {
    let keys = VapidKeys::generate().unwrap();
    let sender = Sender::new(keys, VapidSubject::new("mailto:ops@your.site").unwrap()).with_endpoints(endpoints);
    match trusting {
        Some(der) => {
            sender.with_client(move |client| client.add_root_certificate(reqwest::Certificate::from_der(&der).unwrap()))
        }
        None => sender,
    }
}

fn subscription(url: &str, i: usize) -> Subscription {
    serde_json::from_str(&format!(r#"{{"endpoint":"{url}/push/{i}",{KEYS}}}"#)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fan_out_to_an_http2_push_service_goes_over_one_connection_one_stream_a_push() {
    let (url, certificate, seen) = tls_push_service().await;
    let sender = sender(Some(certificate), Endpoints::loopback_for_tests());
    let payload = NotificationPayload::new("Over HTTP/2");
    let push = Push::new(&payload);
    let pushes = futures_util::stream::iter(0..300).map(|i| (i, subscription(&url, i), push.clone()));
    let outcomes: Vec<_> = sender.fan_out(pushes, FanOut::default().concurrency(64).per_origin(64)).collect().await;
    assert_eq!(outcomes.len(), 300);
    assert!(outcomes.iter().all(|outcome| outcome.verdict == Verdict::Sent), "{:?}", outcomes[0].verdict);
    assert_eq!(seen.connections.load(Ordering::SeqCst), 1, "one connection to the push service");
    assert_eq!(seen.h2_connections.load(Ordering::SeqCst), 1, "negotiated h2 by ALPN");
    assert_eq!(seen.streams.load(Ordering::SeqCst), 300, "one stream a push");
    assert_eq!(seen.h2_streams.load(Ordering::SeqCst), 300);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tests_trust_and_loopback_permission_do_not_leak_into_a_default_sender() {
    let (url, certificate, seen) = tls_push_service().await;
    let payload = NotificationPayload::new("Not sent");
    let push = Push::new(&payload);
    // The default rules refuse a push service on this machine, before anything is sent.
    let default = sender(Some(certificate), Endpoints::default());
    let refused = default.send(&subscription(&url, 0), &push).await;
    assert!(matches!(refused, Err(Error::EndpointNotAllowed(_))), "{refused:?}");
    // Loopback allowed, but without the test's certificate: the TLS fails, nothing is pushed.
    let untrusting = sender(None, Endpoints::loopback_for_tests());
    let failed = untrusting.send(&subscription(&url, 1), &push).await;
    assert!(matches!(failed, Err(Error::PushServiceUnreachable { cause: Unreachable::Tls, .. })), "{failed:?}");
    assert_eq!(seen.streams.load(Ordering::SeqCst), 0, "no push reached the push service");
}

/// A push service over HTTP/2 alone that refuses the first `refused` streams before processing
/// them (`RST_STREAM` with `REFUSED_STREAM`, RFC 9113 §8.7: "can be safely retried"), as a
/// server at its stream limit or shutting down does, and reads and takes (201) every other push.
/// Answers its URL, certificate, the streams it saw and the pushes it took.
async fn refusing_push_service(refused: usize) -> (String, Vec<u8>, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let (listener, url, acceptor, certificate) = tls_listener(&[b"h2"]).await;
    let (streams, taken) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (seen, took) = (streams.clone(), taken.clone());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let (acceptor, seen, took) = (acceptor.clone(), seen.clone(), took.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut connection) = h2::server::handshake(tls).await else { return };
                // Each stream on a task of its own, so the connection goes on being read (and
                // the push's body arrives) while a stream waits for it.
                while let Some(Ok((request, mut respond))) = connection.accept().await {
                    if seen.fetch_add(1, Ordering::SeqCst) < refused {
                        respond.send_reset(h2::Reason::REFUSED_STREAM);
                        continue;
                    }
                    let took = took.clone();
                    tokio::spawn(async move {
                        let mut body = request.into_body();
                        while let Some(Ok(chunk)) = body.data().await {
                            let _ = body.flow_control().release_capacity(chunk.len());
                        }
                        took.fetch_add(1, Ordering::SeqCst);
                        let created = http::Response::builder().status(201).body(()).unwrap();
                        let _ = respond.send_response(created, true);
                    });
                }
            });
        }
    });
    (url, certificate.to_vec(), streams, taken)
}

/// The sending again is reqwest's (its default retry policy, which retries refused streams and
/// graceful GOAWAYs within a budget); this guards that the sender keeps it, since without it
/// such a push comes back [`Verdict::MaybeSent`] and is lost.
#[tokio::test(flavor = "multi_thread")]
async fn a_push_the_push_service_refused_before_processing_it_is_sent_again_and_taken_once() {
    let (url, certificate, streams, taken) = refusing_push_service(1).await;
    let sender = sender(Some(certificate), Endpoints::loopback_for_tests());
    let payload = NotificationPayload::new("Refused, then taken");
    let sent = sender.send(&subscription(&url, 0), &Push::new(&payload)).await;
    assert_eq!(sent, Ok(()), "a stream refused unprocessed is safe to send again, and was");
    assert_eq!(streams.load(Ordering::SeqCst), 2, "refused once, then sent again");
    assert_eq!(taken.load(Ordering::SeqCst), 1, "taken once");
}
