//! Sending one push: the payload's JSON encrypted for the subscription (RFC 8291,
//! `encrypt.rs`), signed with the app server's VAPID key (RFC 8292), POSTed to the push service
//! (RFC 8030) over rustls, and the answer read (`answer.rs`).

use super::answer::{answer, unreachable};
use super::encrypt::{encrypt, encrypt_spread};
use super::endpoint::Endpoints;
use super::keys::subscription_keys;
use super::push::body;
use super::signatures::Signatures;
use super::{Push, VapidKeys, VapidSubject};
use crate::{Error, Subscription, Unreachable};
use reqwest::Url;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long a send may wait for a connection to the push service, at most.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole send may take by default, from connecting to the end of the answer: short
/// enough for a request handler that sends before it answers ([`Sender::deadline`]).
const DEADLINE: Duration = Duration::from_secs(10);

/// What an app does to the sender's HTTP client ([`Sender::with_client`]).
type Configure = Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

/// Sends pushes for one app server: its VAPID keys and subject, and an HTTP client.
///
/// ```no_run
/// # async fn run(subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
/// use wasm_push::server::{Push, Sender, VapidKeys, VapidSubject};
/// let sender = Sender::new(VapidKeys::generate()?, VapidSubject::new("mailto:ops@your.site")?);
/// sender.send(&subscription, &Push::new(&wasm_push::NotificationPayload::new("Hi"))).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Sender {
    keys: VapidKeys,
    subject: VapidSubject,
    endpoints: Endpoints,
    configure: Option<Configure>,
    deadline: Duration,
    /// The client, or why it could not be built (a TLS back end that cannot start): that is
    /// the answer of every send, never a panic.
    client: Result<reqwest::Client, String>,
    /// The VAPID signature of each audience (a push service's origin), shared by the sender's
    /// clones.
    signatures: Arc<Signatures>,
}

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
    /// (public `https://` on port 443). Its client follows no redirect, waits 5 s at most
    /// for a connection and 10 s for a whole send ([`Sender::deadline`]), uses no proxy, and
    /// refuses a host name that resolves to an address the endpoint rules refuse.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@your.site").unwrap());
    /// ```
    pub fn new(keys: VapidKeys, subject: VapidSubject) -> Self {
        let endpoints = Endpoints::default();
        let client = client(&endpoints, DEADLINE, None);
        Sender { keys, subject, endpoints, configure: None, deadline: DEADLINE, client, signatures: Arc::default() }
    }

    /// The same, with each send given at most `deadline`, from connecting to the end of the
    /// answer (10 s by default; the connection itself at most 5 s of it, and at most half).
    /// A push service that
    /// has not answered by then is [`Error::PushServiceUnreachable`], with
    /// [`Unreachable::NoAnswer`] when the request went out: it may have taken the push. A
    /// timeout set in [`Sender::with_client`] takes the place of this one.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@your.site").unwrap());
    /// let sender = sender.deadline(std::time::Duration::from_secs(3));
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self.client = client(&self.endpoints, deadline, self.configure.as_ref());
        self
    }

    /// The same, taking the endpoints `endpoints` takes.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@your.site").unwrap());
    /// let sender = sender.with_endpoints(Endpoints::default().only_hosts(KNOWN_PUSH_SERVICES));
    /// ```
    pub fn with_endpoints(mut self, endpoints: Endpoints) -> Self {
        self.client = client(&endpoints, self.deadline, self.configure.as_ref());
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
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@your.site").unwrap());
    /// let sender = sender.with_client(|client| client.timeout(std::time::Duration::from_secs(5)).user_agent("shop/1"));
    /// ```
    pub fn with_client(
        mut self,
        configure: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        let configure: Configure = Arc::new(configure);
        self.client = client(&self.endpoints, self.deadline, Some(&configure));
        self.configure = Some(configure);
        self
    }

    /// Whether this sender will send to `subscription`, checked as a send checks it before
    /// anything goes out: its endpoint against the rules ([`Error::InvalidEndpoint`],
    /// [`Error::EndpointNotAllowed`]) and its keys ([`Error::InvalidSubscriptionKeys`]; either
    /// base64 alphabet is taken). An app server calls it when a subscription is saved, so no
    /// row a send would refuse is ever stored. A host name's addresses are checked again at
    /// each send.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@your.site").unwrap());
    /// let saved: wasm_push::Subscription = serde_json::from_str(
    ///     r#"{"endpoint":"http://127.0.0.1:6379/","keys":{"p256dh":"BAAA","auth":"AAAA"}}"#,
    /// ).unwrap();
    /// assert!(sender.check(&saved).is_err());
    /// ```
    pub fn check(&self, subscription: &Subscription) -> Result<(), Error> {
        self.endpoints.parse(&subscription.endpoint)?;
        subscription_keys(subscription, true).map(drop)
    }

    /// The endpoint rules it sends under: an app server checks a subscription with them when
    /// it is saved, before it is ever sent to ([`Sender::check`] checks its keys too).
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@your.site").unwrap());
    /// assert!(sender.endpoints().check("http://127.0.0.1:6379/").is_err());
    /// ```
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The keys it signs with; their public half is what browsers subscribe with.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@your.site").unwrap());
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
    /// [`Error::PushServiceUnreachable`], with its cause. A VAPID token the push service
    /// refuses (401, 403) is dropped, and when it was a kept one, the push is sent once more
    /// with a new one (so such a send may take twice its deadline).
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
        let audience = endpoint.origin().ascii_serialization();
        self.post(&endpoint, &audience, to, push, &body, None).await
    }

    /// [`Sender::send`] to an endpoint these rules already took (the fan-out reads each once,
    /// and hands its origin, the VAPID `audience`, with it), its push encrypted by
    /// [`encrypt_spread`]: on the runtime's workers when the fan-out is
    /// polled from outside its tasks. With the result, whether the push service was tried (a
    /// request went out, or the connection to it failed, the lookup of its name included): a
    /// push refused before that (its keys, its payload) tells nothing of it.
    pub(super) async fn send_to(
        &self,
        endpoint: &Url,
        audience: &str,
        to: &Subscription,
        push: &Push<'_>,
    ) -> (Result<(), Error>, bool) {
        let mut reached = false;
        let result = match body(push) {
            Ok(body) => self.post(endpoint, audience, to, push, &body, Some(&mut reached)).await,
            Err(error) => Err(error),
        };
        (result, reached)
    }

    /// Encrypts, signs for `audience` (`endpoint`'s origin) and POSTs `body` to `endpoint`, and
    /// reads the answer; once more with a new VAPID token when the push service refused a kept
    /// one. For a fan-out's send (`tried` given), the push is encrypted by [`encrypt_spread`],
    /// and `tried` set as the push service is first tried.
    async fn post(
        &self,
        endpoint: &Url,
        audience: &str,
        to: &Subscription,
        push: &Push<'_>,
        body: &Arc<[u8]>,
        mut tried: Option<&mut bool>,
    ) -> Result<(), Error> {
        let client = self.client.as_ref().map_err(|why| Error::PushServiceUnreachable {
            cause: Unreachable::Other,
            detail: format!("the HTTP client could not be built: {why}"),
        })?;
        // The point itself is checked by the key agreement, which refuses one off the curve.
        let (p256dh, auth) = subscription_keys(to, false)?;
        let mut retried = false;
        loop {
            let (token, reused) = self.token(endpoint, audience)?;
            let encrypted = match tried {
                Some(_) => encrypt_spread(&p256dh, auth, body).await?,
                None => encrypt(&p256dh, &auth, body)?,
            };
            if let Some(tried) = tried.as_deref_mut() {
                *tried = true;
            }
            let answer = exchange(client, endpoint, push, &token, encrypted, body.len()).await;
            if let Err(Error::VapidRejected { .. }) = answer {
                self.signatures.refused(audience, &token);
                if reused && !retried {
                    retried = true;
                    continue;
                }
            }
            return answer;
        }
    }

    /// The VAPID `Authorization` for `audience`, the endpoint's whole origin, its port included
    /// (RFC 8292 §2), and whether it was a kept one.
    fn token(&self, endpoint: &Url, audience: &str) -> Result<(String, bool), Error> {
        let known = self.endpoints.is_known(endpoint);
        self.signatures
            .get(audience, known, SystemTime::now(), |exp| self.keys.authorization(audience, &self.subject, exp))
    }
}

/// POSTs the encrypted push with its headers (RFC 8030 §5, RFC 8291 §4, RFC 8292 §3) and reads
/// the push service's answer. Its body (a few bytes, if any; at most 64 KB, within the deadline)
/// is read so the connection goes back to the pool.
async fn exchange(
    client: &reqwest::Client,
    endpoint: &Url,
    push: &Push<'_>,
    token: &str,
    encrypted: Vec<u8>,
    bytes: usize,
) -> Result<(), Error> {
    let mut outgoing = client
        .post(endpoint.clone())
        .header("TTL", push.ttl)
        .header("Content-Encoding", "aes128gcm")
        .header("Content-Type", "application/octet-stream")
        .header("Authorization", token);
    if let Some(urgency) = push.urgency {
        outgoing = outgoing.header("Urgency", urgency.as_str());
    }
    if let Some(topic) = &push.topic {
        outgoing = outgoing.header("Topic", topic.as_str());
    }
    let mut response = outgoing.body(encrypted).send().await.map_err(unreachable)?;
    let now = SystemTime::now();
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").map(|v| v.as_bytes().to_vec());
    let mut read = 0;
    while let Ok(Some(chunk)) = response.chunk().await {
        read += chunk.len();
        if read > 64 * 1024 {
            break;
        }
    }
    answer(status, retry_after.as_deref(), bytes, now)
}

/// The client a sender sends with: `configure`'s settings over the defaults, and whatever they
/// say, no redirects and the checking resolver.
fn client(endpoints: &Endpoints, deadline: Duration, configure: Option<&Configure>) -> Result<reqwest::Client, String> {
    // The connection's own timeout comes first, so a send that never connected is told apart
    // from one that may have reached the push service.
    let connect = CONNECT_TIMEOUT.min(deadline / 2);
    let mut builder = reqwest::Client::builder().no_proxy().connect_timeout(connect).timeout(deadline);
    if let Some(configure) = configure {
        builder = configure(builder);
    }
    builder
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(endpoints.resolver()))
        .build()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fan_outs_send_says_whether_it_tried_the_push_service() {
        let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@your.site").unwrap());
        let loopback = sender.clone().with_endpoints(Endpoints::loopback_for_tests());
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
        let subscription = |endpoint: &str, auth: &str| -> Subscription {
            serde_json::from_value(serde_json::json!({"endpoint": endpoint, "keys": {"auth": auth,
                "p256dh": "BMTFvR1_qzNWVHc6yfOw2KZ1nmV1MP3kX3TiJkzK2MZ9V7i0PMhZhf3J1WLbQcWUQLp5w2O6YP-GuAWJOeGhvQ0"}}))
            .unwrap()
        };
        let (auth, short) = ("x7aPzMh8OBZ3WDnsHjbBQQ", "x7aP");
        let payload = crate::NotificationPayload::new("Hi");
        let large =
            crate::NotificationPayload { body: Some("x".repeat(4000)), ..crate::NotificationPayload::new("Hi") };
        let (push, too_large) = (Push::new(&payload), Push::new(&large));
        let port = format!("http://{closed}/x");
        let cases = [
            // Refused before: its keys, its payload.
            (&sender, "https://push.example/x", short, &push, false),
            (&sender, "https://push.example/x", auth, &too_large, false),
            // Tried: nothing listens there; its name leads inside, which the resolver refuses
            // (a push service that is met as working then takes its share, each push refused
            // as fast, rather than one at a time).
            (&loopback, port.as_str(), auth, &push, true),
            (&sender, "https://localhost/x", auth, &push, true),
        ];
        for (sender, endpoint, auth, push, tried) in cases {
            let url = Url::parse(endpoint).unwrap();
            let audience = url.origin().ascii_serialization();
            let (result, reached) = sender.send_to(&url, &audience, &subscription(endpoint, auth), push).await;
            assert!(result.is_err(), "{endpoint}");
            assert_eq!(reached, tried, "{endpoint}: {result:?}");
        }
    }
}
