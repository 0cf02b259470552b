//! Sending one push: the payload's JSON encrypted for the subscription (RFC 8291), signed with
//! the app server's VAPID key (RFC 8292), POSTed to the push service (RFC 8030), and the answer
//! read (`answer.rs`).

use super::answer::{answer, retry_after_secs, unreachable};
use super::endpoint::Endpoints;
use super::push::body;
use super::{Push, VapidKeys, VapidSubject};
use crate::{Error, Subscription, Unreachable};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Url;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How long a send may wait for a connection to the push service.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole send may take, from connecting to the end of the answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// What an app does to the sender's HTTP client ([`Sender::with_client`]).
type Configure = Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// Sends pushes for one app server: its VAPID keys and subject, and an HTTP client.
///
/// ```no_run
/// # async fn run(subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
/// use wasm_push::server::{Push, Sender, VapidKeys, VapidSubject};
/// let sender = Sender::new(VapidKeys::generate()?, VapidSubject::new("mailto:ops@shop.example")?);
/// sender.send(&subscription, &Push::new(&wasm_push::NotificationPayload::new("Hi"))).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Sender {
    keys: VapidKeys,
    subject: VapidSubject,
    endpoints: Endpoints,
    configure: Option<Configure>,
    /// The client, or why it could not be built (a TLS back end that cannot start): that is
    /// the answer of every send, never a panic.
    client: Result<reqwest::Client, String>,
    /// The VAPID signature of each audience (a push service's origin) and when it was made,
    /// shared by the sender's clones.
    signatures: Arc<Mutex<HashMap<String, (web_push::VapidSignature, Instant)>>>,
}

/// How long one VAPID signature serves its audience: the `web-push` crate sets `exp` 12 hours
/// ahead (push services refuse more than 24), so a reused token always has an hour left.
const SIGNATURE_REUSE: Duration = Duration::from_secs(11 * 3600);
/// The most audiences whose signatures are kept: endpoints are the visitors' choice, so their
/// origins are too.
const SIGNATURES_KEPT: usize = 256;

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("keys", &self.keys)
            .field("subject", &self.subject)
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// A sender with its own HTTP client, taking the endpoints [`Endpoints::default`] takes
    /// (public `https://` on port 443). Its client follows no redirect, waits 10 s at most
    /// for a connection and 30 s for a whole send, uses no proxy, and refuses a host name
    /// that resolves to an address the endpoint rules refuse.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@shop.example").unwrap());
    /// ```
    pub fn new(keys: VapidKeys, subject: VapidSubject) -> Self {
        let endpoints = Endpoints::default();
        let client = client(&endpoints, None);
        Sender { keys, subject, endpoints, configure: None, client, signatures: Arc::default() }
    }

    /// The same, taking the endpoints `endpoints` takes.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:a@b.example").unwrap());
    /// let sender = sender.with_endpoints(Endpoints::default().only_hosts(KNOWN_PUSH_SERVICES));
    /// ```
    pub fn with_endpoints(mut self, endpoints: Endpoints) -> Self {
        self.client = client(&endpoints, self.configure.as_ref());
        self.endpoints = endpoints;
        self
    }

    /// The same, with its HTTP client built by `configure` from the default builder (its
    /// timeouts, its pool, a proxy). Redirects stay off and the resolver stays the checking
    /// one whatever `configure` does; a proxy resolves names itself, so then the check of
    /// where a host name leads is the proxy's.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:a@b.example").unwrap());
    /// let sender = sender.with_client(|client| client.timeout(std::time::Duration::from_secs(5)).user_agent("shop/1"));
    /// ```
    pub fn with_client(
        mut self,
        configure: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        let configure: Configure = Arc::new(configure);
        self.client = client(&self.endpoints, Some(&configure));
        self.configure = Some(configure);
        self
    }

    /// The endpoint rules it sends under: an app server checks a subscription with them when
    /// it is saved, before it is ever sent to.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:a@b.example").unwrap());
    /// assert!(sender.endpoints().check("http://127.0.0.1:6379/").is_err());
    /// ```
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The keys it signs with; their public half is what browsers subscribe with.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:a@b.example").unwrap());
    /// let for_the_page = sender.keys().public_key().to_base64url();
    /// ```
    pub fn keys(&self) -> &VapidKeys {
        &self.keys
    }

    /// Sends `push` to `to`. `Ok` once the push service took it (2xx). Refused before
    /// anything is sent: a payload over [`MAX_PAYLOAD_BYTES`](super::MAX_PAYLOAD_BYTES)
    /// ([`Error::PayloadTooLarge`]), an endpoint that is malformed ([`Error::InvalidEndpoint`]) or that the endpoint rules
    /// refuse ([`Error::EndpointNotAllowed`], also when its host resolves inside), keys that
    /// are malformed ([`Error::InvalidSubscriptionKeys`]). The push service's refusals are
    /// [`Error::SubscriptionGone`] (delete the subscription), [`Error::PayloadTooLarge`],
    /// [`Error::RateLimited`], [`Error::PushServiceUnavailable`], [`Error::VapidRejected`]
    /// or [`Error::PushServiceRefused`] (a redirect too); no answer in time is
    /// [`Error::PushServiceUnreachable`], with its cause.
    ///
    /// ```no_run
    /// # async fn run(sender: wasm_push::server::Sender, subscription: wasm_push::Subscription) {
    /// use wasm_push::Error;
    /// let payload = wasm_push::NotificationPayload::new("Hi");
    /// match sender.send(&subscription, &wasm_push::server::Push::new(&payload)).await {
    ///     Err(Error::SubscriptionGone { .. } | Error::InvalidEndpoint(_) | Error::InvalidSubscriptionKeys(_)) => {
    ///         // delete the subscription
    ///     }
    ///     _ => {}
    /// }
    /// # }
    /// ```
    pub async fn send(&self, to: &Subscription, push: &Push<'_>) -> Result<(), Error> {
        let body = body(push)?;
        let endpoint = self.endpoints.parse(&to.endpoint)?;
        self.post(&endpoint, to, push, &body).await
    }

    /// [`Sender::send`] to an endpoint these rules already took (the fan-out reads each once).
    pub(super) async fn send_to(&self, endpoint: &Url, to: &Subscription, push: &Push<'_>) -> Result<(), Error> {
        self.post(endpoint, to, push, &body(push)?).await
    }

    /// Encrypts, signs and POSTs `body` to `endpoint`, and reads the answer.
    async fn post(&self, endpoint: &Url, to: &Subscription, push: &Push<'_>, body: &[u8]) -> Result<(), Error> {
        let request = self.request(endpoint, to, push, body)?;
        let client = self.client.as_ref().map_err(|why| Error::PushServiceUnreachable {
            cause: Unreachable::Other,
            detail: format!("the HTTP client could not be built: {why}"),
        })?;
        let mut outgoing = client.post(endpoint.clone());
        for (name, value) in request.headers() {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
        let mut response = outgoing.body(request.into_body()).send().await.map_err(unreachable)?;
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after_secs(v, SystemTime::now()));
        let status = response.status().as_u16();
        // Read the answer's body (a few bytes, if any; at most 64 KB) so the connection goes
        // back to the pool for the next push to this push service.
        let mut read = 0;
        while let Ok(Some(chunk)) = response.chunk().await {
            read += chunk.len();
            if read > 64 * 1024 {
                break;
            }
        }
        answer(status, retry_after, body.len())
    }

    /// The encrypted, signed request, as the `web-push` crate builds it, for an endpoint the
    /// rules took. The VAPID audience is the endpoint's whole origin, its port included (RFC
    /// 8292 §2), which the crate would leave out.
    fn request(
        &self,
        endpoint: &Url,
        to: &Subscription,
        push: &Push<'_>,
        body: &[u8],
    ) -> Result<http02::Request<Vec<u8>>, Error> {
        let (p256dh, auth) = subscription_keys(to)?;
        let info = web_push::SubscriptionInfo::new(endpoint.as_str(), &p256dh, &auth);
        // The crate parses the endpoint again (as an `http` URI): a refusal there is the
        // endpoint's, whichever step it comes from, never the keys'.
        let blame = |e: web_push::WebPushError, other: fn(web_push::WebPushError) -> Error| match e {
            web_push::WebPushError::InvalidUri => Error::InvalidEndpoint("not a URI an HTTP request can carry".into()),
            e => other(e),
        };
        let private_key = |e| blame(e, |e| Error::InvalidKey(format!("the VAPID private key: {e}")));
        let keys = |e| blame(e, |e| Error::InvalidSubscriptionKeys(e.to_string()));
        let audience = endpoint.origin().ascii_serialization();
        let signature = self.signature(&audience, &info).map_err(private_key)?;
        let mut builder = web_push::WebPushMessageBuilder::new(&info);
        builder.set_payload(web_push::ContentEncoding::Aes128Gcm, body);
        builder.set_vapid_signature(signature);
        builder.set_ttl(push.ttl);
        if let Some(urgency) = push.urgency {
            builder.set_urgency(urgency);
        }
        if let Some(topic) = &push.topic {
            builder.set_topic(topic.clone());
        }
        Ok(web_push::request_builder::build_request(builder.build().map_err(keys)?))
    }

    /// The VAPID signature for `audience`: the one made for it within [`SIGNATURE_REUSE`], else
    /// a new one (an ES256 signature: most of a push's own work), kept for the next push there.
    fn signature(
        &self,
        audience: &str,
        info: &web_push::SubscriptionInfo,
    ) -> Result<web_push::VapidSignature, web_push::WebPushError> {
        let mut kept = self.signatures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((signature, made)) = kept.get(audience) {
            if made.elapsed() < SIGNATURE_REUSE {
                return Ok(signature.clone());
            }
        }
        let mut builder = web_push::VapidSignatureBuilder::from_base64(self.keys.private_base64url(), info)?;
        builder.add_claim("aud", audience);
        builder.add_claim("sub", self.subject.as_str());
        let signature = builder.build()?;
        if kept.len() >= SIGNATURES_KEPT {
            kept.retain(|_, (_, made)| made.elapsed() < SIGNATURE_REUSE);
            if kept.len() >= SIGNATURES_KEPT {
                kept.clear();
            }
        }
        kept.insert(audience.to_owned(), (signature.clone(), Instant::now()));
        Ok(signature)
    }
}

/// The client a sender sends with: `configure`'s settings over the defaults, and whatever they
/// say, no redirects and the checking resolver.
fn client(endpoints: &Endpoints, configure: Option<&Configure>) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder().no_proxy().connect_timeout(CONNECT_TIMEOUT).timeout(SEND_TIMEOUT);
    if let Some(configure) = configure {
        builder = configure(builder);
    }
    builder
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(endpoints.resolver()))
        .build()
        .map_err(|e| e.to_string())
}

/// The subscription's keys, checked as a browser makes them (`p256dh` a P-256 point, `auth`
/// 16 bytes) and given back as unpadded base64url.
fn subscription_keys(to: &Subscription) -> Result<(String, String), Error> {
    let decode = |name: &str, text: &str| {
        URL_SAFE_NO_PAD
            .decode(text.trim().trim_end_matches('='))
            .map_err(|_| Error::InvalidSubscriptionKeys(format!("{name} is not base64url")))
    };
    let p256dh = decode("p256dh", &to.keys.p256dh)?;
    if p256dh.len() != 65 || p256::PublicKey::from_sec1_bytes(&p256dh).is_err() {
        return Err(Error::InvalidSubscriptionKeys("p256dh is not an uncompressed P-256 public key".into()));
    }
    let auth = decode("auth", &to.keys.auth)?;
    if auth.len() != 16 {
        return Err(Error::InvalidSubscriptionKeys(format!("auth is {} bytes; a browser makes 16", auth.len())));
    }
    Ok((URL_SAFE_NO_PAD.encode(p256dh), URL_SAFE_NO_PAD.encode(auth)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_subscription_keys_are_their_own_error_not_the_vapid_key() {
        let good: Subscription = serde_json::from_str(r#"{"endpoint":"https://push.example/x","keys":{"auth":"x7aPzMh8OBZ3WDnsHjbBQQ","p256dh":"BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"}}"#).unwrap();
        assert!(subscription_keys(&good).is_ok());
        let mut padded = good.clone();
        padded.keys.auth.push_str("==");
        assert_eq!(subscription_keys(&padded), subscription_keys(&good));
        let bad_keys = [
            ("x7aPzMh8OBZ3WDnsHjbBQQ", ""),
            ("x7aPzMh8OBZ3WDnsHjbBQQ", "not base64!"),
            ("x7aPzMh8OBZ3WDnsHjbBQQ", "BAAA"),
            // 65 bytes that are not a point on the curve.
            ("x7aPzMh8OBZ3WDnsHjbBQQ", &format!("B{}", "A".repeat(86))),
            ("", &good.keys.p256dh),
            ("x7aPzMh8OBZ3WDnsHjbB", &good.keys.p256dh),
        ];
        for (auth, p256dh) in bad_keys {
            let mut sub = good.clone();
            sub.keys.auth = auth.into();
            sub.keys.p256dh = p256dh.into();
            assert!(matches!(subscription_keys(&sub), Err(Error::InvalidSubscriptionKeys(_))), "{auth:?} {p256dh:?}");
        }
    }
}
