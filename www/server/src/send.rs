//! Sending a notification to one subscription with the `web-push` crate.

use crate::vapid::Vapid;
use wasm_push::{NotificationPayload, Subscription};

/// How a send went.
pub enum Outcome {
    Sent,
    /// The push service says the subscription is gone (404 or 410): forget it.
    Gone,
    Failed(String),
}

pub struct Message<'a> {
    pub payload: &'a NotificationPayload,
    pub ttl: u32,
    pub urgency: Option<web_push::Urgency>,
    pub topic: Option<String>,
}

pub async fn send(
    client: &reqwest::Client,
    vapid: &Vapid,
    subject: &str,
    to: &Subscription,
    message: &Message<'_>,
) -> Outcome {
    match build(vapid, subject, to, message) {
        Ok(request) => post(client, request).await,
        Err(e) => Outcome::Failed(format!("cannot build the message: {e}")),
    }
}

fn build(
    vapid: &Vapid,
    subject: &str,
    to: &Subscription,
    message: &Message<'_>,
) -> Result<http02::Request<Vec<u8>>, String> {
    let info = web_push::SubscriptionInfo::new(to.endpoint.as_str(), to.keys.p256dh.as_str(), to.keys.auth.as_str());
    let mut signature =
        web_push::VapidSignatureBuilder::from_base64(&vapid.private, &info).map_err(|e| e.to_string())?;
    signature.add_claim("sub", subject);
    let body = serde_json::to_vec(message.payload).map_err(|e| e.to_string())?;
    let mut builder = web_push::WebPushMessageBuilder::new(&info);
    builder.set_payload(web_push::ContentEncoding::Aes128Gcm, &body);
    builder.set_vapid_signature(signature.build().map_err(|e| e.to_string())?);
    builder.set_ttl(message.ttl);
    if let Some(urgency) = message.urgency {
        builder.set_urgency(urgency);
    }
    if let Some(topic) = &message.topic {
        builder.set_topic(topic.clone());
    }
    // The `web-push` crate refuses payloads over 3800 bytes here, with a typed error.
    Ok(web_push::request_builder::build_request(builder.build().map_err(|e| e.to_string())?))
}

async fn post(client: &reqwest::Client, request: http02::Request<Vec<u8>>) -> Outcome {
    let mut outgoing = client.post(request.uri().to_string());
    for (name, value) in request.headers() {
        outgoing = outgoing.header(name.as_str(), value.as_bytes());
    }
    match outgoing.body(request.into_body()).send().await {
        Ok(response) if response.status().is_success() => Outcome::Sent,
        Ok(response) if matches!(response.status().as_u16(), 404 | 410) => Outcome::Gone,
        Ok(response) => Outcome::Failed(format!("the push service answered {}", response.status())),
        Err(e) => Outcome::Failed(format!("the push service did not answer: {}", e.without_url())),
    }
}
