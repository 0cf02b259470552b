//! `sender-bench sink-tls <certificate.der>`: the sink over TLS with ALPN `h2`, as push services
//! serve: a self-signed certificate for 127.0.0.1, written to the file named so that the
//! sender alone trusts it, and every push answered 201 at once over HTTP/2.

use std::sync::Arc;

/// Serves until killed; prints `listening on https://127.0.0.1:PORT` once the certificate is
/// written.
pub async fn sink(certificate_path: &str) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let certificate = certified.cert.der().clone();
    std::fs::write(certificate_path, &certificate).expect("the certificate written");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    // The provider the sender's own TLS uses (reqwest's rustls over ring).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate], key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("listening on https://{}", listener.local_addr().unwrap());
    loop {
        let Ok((tcp, _)) = listener.accept().await else { return };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else { return };
            // The push read whole, as a push service reads it (a stream answered before its body
            // is read is reset, and h2 takes many resets for an attack).
            let service = hyper::service::service_fn(|request: hyper::Request<hyper::body::Incoming>| async {
                let _ = http_body_util::BodyExt::collect(request.into_body()).await;
                let created = hyper::Response::builder().status(201).body(http_body_util::Empty::<bytes::Bytes>::new());
                Ok::<_, std::convert::Infallible>(created.unwrap())
            });
            let builder = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
            let _ = builder.serve_connection(hyper_util::rt::TokioIo::new(tls), service).await;
        });
    }
}
