//! Sending one push: the payload's JSON encrypted for the subscription (RFC 8291), signed with
//! the app server's VAPID key (RFC 8292), POSTed to the push service (RFC 8030), and the answer
//! read.

use super::{VapidKeys, VapidSubject};
use crate::{Error, NotificationPayload, Subscription};

pub use web_push::Urgency;

/// The most payload JSON, in bytes, that Web Push carries (4096 bytes of record less
/// aes128gcm's header and padding, as the `web-push` crate counts it). Larger payloads are
/// refused before anything is sent.
///
/// ```
/// assert_eq!(wasm_push::server::MAX_PAYLOAD_BYTES, 3052);
/// ```
pub const MAX_PAYLOAD_BYTES: usize = 3052;

/// One push to send: the payload and the headers an app server may set.
///
/// ```
/// let payload = wasm_push::NotificationPayload::new("Flash sale");
/// let push = wasm_push::server::Push::new(&payload)
///     .ttl(600)
///     .urgency(wasm_push::server::Urgency::High)
///     .topic("sale");
/// ```
#[derive(Debug, Clone)]
pub struct Push<'a> {
    payload: &'a NotificationPayload,
    ttl: u32,
    urgency: Option<Urgency>,
    topic: Option<String>,
}

impl<'a> Push<'a> {
    /// The payload, kept by the push service for a day while the browser is offline.
    ///
    /// ```
    /// let payload = wasm_push::NotificationPayload::new("Hi");
    /// let push = wasm_push::server::Push::new(&payload);
    /// ```
    pub fn new(payload: &'a NotificationPayload) -> Self {
        Push { payload, ttl: 24 * 3600, urgency: None, topic: None }
    }

    /// How long, in seconds, the push service keeps it for a browser that is offline (0: only
    /// if the browser is there now).
    ///
    /// ```
    /// # let payload = wasm_push::NotificationPayload::new("Hi");
    /// let push = wasm_push::server::Push::new(&payload).ttl(0);
    /// ```
    pub fn ttl(mut self, seconds: u32) -> Self {
        self.ttl = seconds;
        self
    }

    /// How urgent it is: push services may hold back `VeryLow` and `Low` on a device saving
    /// battery.
    ///
    /// ```
    /// # let payload = wasm_push::NotificationPayload::new("Hi");
    /// let push = wasm_push::server::Push::new(&payload).urgency(wasm_push::server::Urgency::Low);
    /// ```
    pub fn urgency(mut self, urgency: Urgency) -> Self {
        self.urgency = Some(urgency);
        self
    }

    /// A topic: a later push with the same topic replaces this one while it waits for an
    /// offline browser (at most 32 base64url characters).
    ///
    /// ```
    /// # let payload = wasm_push::NotificationPayload::new("Hi");
    /// let push = wasm_push::server::Push::new(&payload).topic("score");
    /// ```
    pub fn topic(mut self, topic: impl Into<String>) -> Self {
        self.topic = Some(topic.into());
        self
    }
}

/// Sends pushes for one app server: its VAPID keys and subject, and an HTTP client.
///
/// ```no_run
/// # async fn run(subscription: wasm_push::Subscription) -> Result<(), wasm_push::Error> {
/// use wasm_push::server::{Push, Sender, VapidKeys, VapidSubject};
/// let sender = Sender::new(VapidKeys::generate()?, VapidSubject::new("mailto:ops@shop.example")?);
/// sender.send(&subscription, &Push::new(&wasm_push::NotificationPayload::new("Hi"))).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Sender {
    keys: VapidKeys,
    subject: VapidSubject,
    client: reqwest::Client,
}

impl Sender {
    /// A sender with its own HTTP client.
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:ops@shop.example").unwrap());
    /// ```
    pub fn new(keys: VapidKeys, subject: VapidSubject) -> Self {
        Sender { keys, subject, client: reqwest::Client::new() }
    }

    /// The same, sending through `client` (its timeouts, its proxy).
    ///
    /// ```
    /// # use wasm_push::server::*;
    /// # let sender = Sender::new(VapidKeys::generate().unwrap(), VapidSubject::new("mailto:a@b.example").unwrap());
    /// let sender = sender.with_client(reqwest::Client::new());
    /// ```
    pub fn with_client(mut self, client: reqwest::Client) -> Self {
        self.client = client;
        self
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

    /// Sends `push` to `to`. `Ok` once the push service took it (2xx). A payload over
    /// [`MAX_PAYLOAD_BYTES`] is [`Error::PayloadTooLarge`] before anything is sent; the push
    /// service's refusals are [`Error::SubscriptionGone`] (delete the subscription),
    /// [`Error::PayloadTooLarge`], [`Error::RateLimited`], [`Error::VapidRejected`] or
    /// [`Error::PushServiceRefused`]; no answer is [`Error::PushServiceUnreachable`].
    ///
    /// ```no_run
    /// # async fn run(sender: wasm_push::server::Sender, subscription: wasm_push::Subscription) {
    /// let payload = wasm_push::NotificationPayload::new("Hi");
    /// if let Err(wasm_push::Error::SubscriptionGone { .. }) = sender.send(&subscription, &wasm_push::server::Push::new(&payload)).await {
    ///     // delete the subscription
    /// }
    /// # }
    /// ```
    pub async fn send(&self, to: &Subscription, push: &Push<'_>) -> Result<(), Error> {
        // serde_json cannot fail on a payload: string keys only, and a non-finite number is null.
        let body = serde_json::to_vec(push.payload).unwrap_or_default();
        if body.len() > MAX_PAYLOAD_BYTES {
            return Err(Error::PayloadTooLarge { bytes: body.len(), max: Some(MAX_PAYLOAD_BYTES) });
        }
        let request = self.request(to, push, &body)?;
        let mut outgoing = self.client.post(request.uri().to_string());
        for (name, value) in request.headers() {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
        let response = outgoing
            .body(request.into_body())
            .send()
            .await
            .map_err(|e| Error::PushServiceUnreachable(e.without_url().to_string()))?;
        let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
        answer(response.status().as_u16(), retry_after.as_deref(), body.len())
    }

    /// The encrypted, signed request, as the `web-push` crate builds it.
    fn request(&self, to: &Subscription, push: &Push<'_>, body: &[u8]) -> Result<http02::Request<Vec<u8>>, Error> {
        let info =
            web_push::SubscriptionInfo::new(to.endpoint.as_str(), to.keys.p256dh.as_str(), to.keys.auth.as_str());
        let private_key = |e: web_push::WebPushError| Error::InvalidKey(format!("the VAPID private key: {e}"));
        let subscription_keys = |e: web_push::WebPushError| Error::InvalidKey(format!("the subscription's keys: {e}"));
        let mut signature =
            web_push::VapidSignatureBuilder::from_base64(self.keys.private_base64url(), &info).map_err(private_key)?;
        signature.add_claim("sub", self.subject.as_str());
        let mut builder = web_push::WebPushMessageBuilder::new(&info);
        builder.set_payload(web_push::ContentEncoding::Aes128Gcm, body);
        builder.set_vapid_signature(signature.build().map_err(private_key)?);
        builder.set_ttl(push.ttl);
        if let Some(urgency) = push.urgency {
            builder.set_urgency(urgency);
        }
        if let Some(topic) = &push.topic {
            builder.set_topic(topic.clone());
        }
        Ok(web_push::request_builder::build_request(builder.build().map_err(subscription_keys)?))
    }
}

/// The push service's answer, read: 2xx is `Ok`, every refusal the variant that says what to do.
fn answer(status: u16, retry_after: Option<&str>, bytes: usize) -> Result<(), Error> {
    match status {
        200..=299 => Ok(()),
        404 | 410 => Err(Error::SubscriptionGone { status }),
        413 => Err(Error::PayloadTooLarge { bytes, max: None }),
        429 => Err(Error::RateLimited { retry_after_secs: retry_after.and_then(|r| r.trim().parse().ok()) }),
        401 | 403 => Err(Error::VapidRejected { status }),
        _ => Err(Error::PushServiceRefused { status }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_a_push_service_gives_is_read_into_what_to_do() {
        assert_eq!(answer(201, None, 10), Ok(()));
        assert_eq!(answer(410, None, 10), Err(Error::SubscriptionGone { status: 410 }));
        assert_eq!(answer(404, None, 10), Err(Error::SubscriptionGone { status: 404 }));
        assert_eq!(answer(413, None, 10), Err(Error::PayloadTooLarge { bytes: 10, max: None }));
        assert_eq!(answer(429, Some(" 120"), 10), Err(Error::RateLimited { retry_after_secs: Some(120) }));
        // An HTTP date instead of seconds: the wait is not known.
        assert_eq!(
            answer(429, Some("Wed, 21 Oct 2026 07:28:00 GMT"), 10),
            Err(Error::RateLimited { retry_after_secs: None })
        );
        assert_eq!(answer(403, None, 10), Err(Error::VapidRejected { status: 403 }));
        assert_eq!(answer(401, None, 10), Err(Error::VapidRejected { status: 401 }));
        assert_eq!(answer(500, None, 10), Err(Error::PushServiceRefused { status: 500 }));
    }
}
