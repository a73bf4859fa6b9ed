//! Web Push: a user's devices (`/push/subscriptions`), which endpoints the server
//! agrees to call, and what a new message pushes. A message is pushed through the
//! jobs path: written with the message, looked at once `PUSH_GRACE` is over (a member
//! viewing the chat has read it by then, and is skipped), then one job per device.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use natter_domain::chat::{Message, MessageKind};
use natter_domain::entities::{JobKind, NewJob};
use natter_domain::ids::JobId;
use natter_domain::notify::{
    MAX_PUSH_ENDPOINT, MessageToNotify, PushDelivery, PushSubscription, is_public_ip,
};
use natter_domain::ports::{Clock, Decision, Limiter, Rate, Store};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tracing::instrument;

use crate::auth::AuthContext;
use crate::job_seal::JobSeal;
use crate::{AppError, AppResult};

/// How long after its commit a new message is looked at for pushing: the fan-out
/// marks it read for members viewing the chat well within it.
pub const PUSH_GRACE: Duration = Duration::from_secs(2);
/// How long a push service keeps a notification for a device that is offline.
pub const PUSH_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest notification text.
const MAX_BODY_CHARS: usize = 140;
/// Subscribing and unsubscribing, per user.
pub const SUBSCRIBE_RATES: [Rate; 2] =
    [Rate::per(10, Duration::from_secs(60)), Rate::per(60, Duration::from_secs(60 * 60))];

/// Which push endpoints the server calls: `https` to a public host, and the origins
/// an operator adds (`NATTER_PUSH_ALLOW`, for a push service on the operator's own
/// network or a test's). Anything else is refused when a client hands it in, so no
/// client can make the server call into its own network.
#[derive(Debug, Clone, Default)]
pub struct EndpointPolicy {
    /// Origins (`scheme://host[:port]`, lowercase, no trailing slash) allowed as well.
    pub allow: Vec<String>,
}

impl EndpointPolicy {
    pub fn new(allow: Vec<String>) -> Self {
        Self { allow }
    }

    /// `Ok` if the server may post to `endpoint`; else what is wrong with it.
    pub fn check(&self, endpoint: &str) -> Result<url::Url, &'static str> {
        if endpoint.len() > MAX_PUSH_ENDPOINT {
            return Err("The endpoint is too long.");
        }
        let url = url::Url::parse(endpoint).map_err(|_| "The endpoint is not a URL.")?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err("The endpoint may not carry credentials.");
        }
        let origin = url.origin().ascii_serialization();
        if self.allow.contains(&origin) {
            return Ok(url);
        }
        if url.scheme() != "https" {
            return Err("The endpoint must use https.");
        }
        match url.host() {
            Some(url::Host::Domain(d)) if public_name(d) => Ok(url),
            Some(url::Host::Ipv4(ip)) if is_public_ip(IpAddr::V4(ip)) => Ok(url),
            Some(url::Host::Ipv6(ip)) if is_public_ip(IpAddr::V6(ip)) => Ok(url),
            _ => Err("The endpoint must be on a public host."),
        }
    }
}

/// A name that can only be public: dotted, and not one of the names for this machine
/// or a private network.
fn public_name(d: &str) -> bool {
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    const PRIVATE: [&str; 7] =
        ["localhost", ".localhost", ".local", ".internal", ".lan", ".home.arpa", ".intranet"];
    d.contains('.') && !PRIVATE.iter().any(|p| if p.starts_with('.') { d.ends_with(p) } else { d == *p })
}

/// A subscription as a browser hands it in (`PushSubscription.toJSON()`).
#[derive(Debug, Clone)]
pub struct SubscriptionInput {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

pub struct PushService {
    store: Arc<dyn Store>,
    limiter: Arc<dyn Limiter>,
    clock: Arc<dyn Clock>,
    policy: EndpointPolicy,
    public_key: Vec<u8>,
}

impl PushService {
    pub fn new(
        store: Arc<dyn Store>,
        limiter: Arc<dyn Limiter>,
        clock: Arc<dyn Clock>,
        policy: EndpointPolicy,
        public_key: Vec<u8>,
    ) -> Self {
        Self { store, limiter, clock, policy, public_key }
    }

    /// The VAPID public key, base64url as `applicationServerKey` takes it.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.public_key)
    }

    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn subscribe(&self, who: AuthContext, input: SubscriptionInput) -> AppResult<()> {
        let bad = |code: &'static str, message: &str| AppError::BadRequest { code, message: message.into() };
        self.policy.check(&input.endpoint).map_err(|m| bad("invalid_push_endpoint", m))?;
        let p256dh = URL_SAFE_NO_PAD
            .decode(input.p256dh.trim_end_matches('='))
            .ok()
            .filter(|k| valid_public_key(k))
            .ok_or_else(|| bad("invalid_push_keys", "keys.p256dh must be a P-256 public key (base64url)."))?;
        let auth = URL_SAFE_NO_PAD
            .decode(input.auth.trim_end_matches('='))
            .ok()
            .filter(|a| a.len() == 16)
            .ok_or_else(|| bad("invalid_push_keys", "keys.auth must be 16 bytes (base64url)."))?;
        self.limit(who).await?;
        let sub = PushSubscription { endpoint: input.endpoint, p256dh, auth };
        self.store.put_push_subscription(who.user_id, sub, self.clock.now()).await?;
        Ok(())
    }

    /// Forget one of the caller's devices; another user's endpoint is left alone.
    pub async fn unsubscribe(&self, who: AuthContext, endpoint: &str) -> AppResult<()> {
        self.limit(who).await?;
        self.store.delete_push_subscription(Some(who.user_id), endpoint).await?;
        Ok(())
    }

    async fn limit(&self, who: AuthContext) -> AppResult<()> {
        let key = format!("push:user:{}", who.user_id);
        match self.limiter.hit(&key, &SUBSCRIBE_RATES, self.clock.now()).await? {
            Decision::Allowed => Ok(()),
            Decision::Limited { retry_after } => Err(AppError::RateLimited {
                code: "rate_limited",
                message: "Too many changes to notifications. Try again later.".into(),
                retry_after,
            }),
        }
    }
}

fn valid_public_key(bytes: &[u8]) -> bool {
    bytes.len() == 65 && p256::PublicKey::from_sec1_bytes(bytes).is_ok()
}

/// The VAPID key pair (RFC 8292), derived from the server's master secret: the same
/// on every node of a deployment, and kept across restarts with the secret itself
/// (generated once into the data directory, or `NATTER_SECRET`).
pub struct VapidKey {
    pub private: [u8; 32],
    pub public: Vec<u8>,
}

impl VapidKey {
    pub fn derive(seed: &[u8; 32]) -> Self {
        // A seed at or past the curve's order (odds 2^-32) is hashed again.
        let mut candidate = *seed;
        loop {
            if let Ok(key) = p256::SecretKey::from_slice(&candidate) {
                let public = key.public_key();
                let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&public, false);
                return Self { private: candidate, public: point.as_bytes().to_vec() };
            }
            candidate = Sha256::digest(candidate).into();
        }
    }
}

/// What the service worker gets (decrypted) for a new message.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushPayload {
    pub v: u8,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub chat_id: String,
    pub message_id: String,
    pub seq: i64,
    pub sender_id: String,
    pub title: String,
    pub body: String,
    pub url: String,
}

impl PushPayload {
    pub fn for_message(m: &Message, sender_name: &str, group_name: Option<&str>) -> Self {
        let first_line = m.text.lines().next().unwrap_or_default();
        let mut body: String = first_line.chars().take(MAX_BODY_CHARS).collect();
        if first_line.chars().count() > MAX_BODY_CHARS {
            body.push('…');
        }
        if m.kind == MessageKind::Image {
            body = if body.is_empty() { "📷 Photo".to_owned() } else { format!("📷 {body}") };
        }
        let title = match group_name {
            Some(group) => format!("{sender_name} · {group}"),
            None => sender_name.to_owned(),
        };
        Self {
            v: 1,
            kind: "message",
            chat_id: m.chat_id.to_string(),
            message_id: m.id.to_string(),
            seq: m.seq,
            sender_id: m.sender.to_string(),
            title,
            body,
            url: format!("/chat/{}", m.chat_id),
        }
    }
}

/// The push check of a new message, sealed for the outbox.
pub fn notify_job(seal: &JobSeal, m: MessageToNotify) -> anyhow::Result<NewJob> {
    seal.seal(&JobKind::NotifyMessage(m))
}

/// One device's push of one message, with an id that is the same however often the
/// check runs (a retried check enqueues nothing twice).
pub fn push_job(seal: &JobSeal, message: &Message, delivery: PushDelivery) -> anyhow::Result<NewJob> {
    let mut h = Sha256::new();
    h.update(message.id.to_string().as_bytes());
    h.update([0]);
    h.update(delivery.subscription.endpoint.as_bytes());
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let id = JobId::from(uuid::Builder::from_custom_bytes(bytes).into_uuid());
    seal.seal_as(id, &JobKind::SendPush(delivery))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_to_a_public_host_unless_allowed() {
        let p = EndpointPolicy::new(vec!["http://127.0.0.1:9999".into()]);
        assert!(p.check("https://fcm.googleapis.com/fcm/send/abc").is_ok());
        assert!(p.check("https://updates.push.services.mozilla.com/wpush/v2/x").is_ok());
        assert!(p.check("http://127.0.0.1:9999/push/1").is_ok(), "allowed by the operator");
        for bad in [
            "http://fcm.googleapis.com/x",
            "https://localhost/x",
            "https://127.0.0.1/x",
            "https://10.0.0.5/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest/meta-data",
            "https://printer.local/x",
            "https://intranet/x",
            "https://user:pw@fcm.googleapis.com/x",
            "http://127.0.0.1:9998/x",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(p.check(bad).is_err(), "{bad} must be refused");
        }
        assert!(p.check(&format!("https://a.example/{}", "x".repeat(MAX_PUSH_ENDPOINT))).is_err());
    }

    #[test]
    fn the_vapid_key_is_stable_per_secret() {
        let a = VapidKey::derive(&[7; 32]);
        assert_eq!(a.public, VapidKey::derive(&[7; 32]).public);
        assert_ne!(a.public, VapidKey::derive(&[8; 32]).public);
        assert_eq!(a.public.len(), 65);
        assert!(valid_public_key(&a.public));
    }
}
