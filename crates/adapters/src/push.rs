//! Web Push over HTTP: the payload encrypted for the device (RFC 8291, aes128gcm, by
//! web-push-native), the request signed with the server's VAPID key (RFC 8292, an
//! ES256 JWT), posted to the subscription's endpoint (RFC 8030).
//!
//! Endpoints come from clients, so the client that posts them never follows a
//! redirect and connects only to public addresses: a host name is resolved here and
//! an answer with a private address is refused (no DNS trick reaches the server's
//! own network), unless the endpoint's origin is one the operator allowed
//! (`NATTER_PUSH_ALLOW`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use natter_domain::notify::{PushSubscription, is_public_ip};
use natter_domain::ports::{PushOutcome, Pusher};
use p256::pkcs8::EncodePrivateKey;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde::Serialize;

/// One push may take this long, connect included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a VAPID signature is good for (RFC 8292 allows up to 24 h).
const VAPID_VALID: Duration = Duration::from_secs(12 * 60 * 60);

pub struct WebPusher {
    client: reqwest::Client,
    key: EncodingKey,
    public_key: Vec<u8>,
    /// `mailto:` or `https:` contact the push services may write to (the VAPID `sub`).
    contact: String,
    /// Origins (`scheme://host[:port]`) posted to whatever they resolve to.
    allow: Vec<String>,
}

impl WebPusher {
    /// `private`: the VAPID key's scalar (32 bytes, big-endian).
    pub fn new(private: &[u8; 32], contact: String, allow: Vec<String>) -> anyhow::Result<Self> {
        let secret = p256::SecretKey::from_slice(private)?;
        let public_key =
            p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&secret.public_key(), false)
                .as_bytes()
                .to_vec();
        let der = secret.to_pkcs8_der().map_err(|e| anyhow::anyhow!("cannot encode the VAPID key: {e}"))?;
        let allowed_hosts = allow
            .iter()
            .filter_map(|o| url::Url::parse(o).ok().and_then(|u| u.host_str().map(str::to_owned)))
            .collect();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .dns_resolver(Arc::new(PublicOnly { allowed_hosts }))
            .user_agent(concat!("natter/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, key: EncodingKey::from_ec_der(der.as_bytes()), public_key, contact, allow })
    }

    fn vapid(&self, endpoint: &url::Url) -> anyhow::Result<String> {
        #[derive(Serialize)]
        struct Claims<'a> {
            aud: String,
            exp: u64,
            sub: &'a str,
        }
        let exp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() + VAPID_VALID.as_secs();
        let claims = Claims { aud: endpoint.origin().ascii_serialization(), exp, sub: &self.contact };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &self.key)?;
        Ok(format!("vapid t={token}, k={}", URL_SAFE_NO_PAD.encode(&self.public_key)))
    }

    fn allowed(&self, endpoint: &url::Url) -> bool {
        let origin = endpoint.origin().ascii_serialization();
        if self.allow.contains(&origin) {
            return true;
        }
        // A host name is checked as it resolves; an address literal here.
        endpoint.scheme() == "https"
            && match endpoint.host() {
                Some(url::Host::Domain(_)) => true,
                Some(url::Host::Ipv4(ip)) => is_public_ip(IpAddr::V4(ip)),
                Some(url::Host::Ipv6(ip)) => is_public_ip(IpAddr::V6(ip)),
                None => false,
            }
    }
}

#[async_trait]
impl Pusher for WebPusher {
    fn public_key(&self) -> Vec<u8> {
        self.public_key.clone()
    }

    async fn push(&self, to: &PushSubscription, payload: &[u8], ttl: Duration) -> PushOutcome {
        let endpoint = match url::Url::parse(&to.endpoint) {
            Ok(u) if self.allowed(&u) => u,
            _ => return PushOutcome::Refused("the endpoint is not one the server may call".into()),
        };
        let request = match encrypt(to, payload, ttl) {
            Ok(r) => r,
            Err(e) => return PushOutcome::Refused(format!("cannot encrypt for this subscription: {e:#}")),
        };
        let authorization = match self.vapid(&endpoint) {
            Ok(a) => a,
            Err(e) => return PushOutcome::Failed(format!("cannot sign the request: {e:#}")),
        };
        let mut post = self
            .client
            .post(endpoint)
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header("Urgency", "high");
        for (name, value) in request.headers() {
            post = post.header(name, value);
        }
        match post.body(request.into_body()).send().await {
            Ok(res) => outcome(res.status()),
            Err(e) => {
                let refused = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
                    .any(|e| e.to_string().contains(NOT_PUBLIC));
                if refused {
                    PushOutcome::Refused(format!("{NOT_PUBLIC}: {}", to_origin(&to.endpoint)))
                } else {
                    PushOutcome::Failed(format!("cannot reach the push service: {e}"))
                }
            }
        }
    }
}

fn to_origin(endpoint: &str) -> String {
    url::Url::parse(endpoint).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
}

/// The request web-push-native builds: headers (TTL, Content-Encoding, ...) and the
/// encrypted body.
fn encrypt(to: &PushSubscription, payload: &[u8], ttl: Duration) -> anyhow::Result<http::Request<Vec<u8>>> {
    let key = p256::PublicKey::from_sec1_bytes(&to.p256dh)?;
    if to.auth.len() != 16 {
        anyhow::bail!("the auth secret is not 16 bytes");
    }
    let auth = web_push_native::Auth::clone_from_slice(&to.auth);
    let builder =
        web_push_native::WebPushBuilder::new(to.endpoint.parse()?, key, auth).with_valid_duration(ttl);
    Ok(builder.build(payload.to_vec())?)
}

/// RFC 8030 answers: 201 accepted, 404/410 the subscription is gone, 429 and 5xx
/// are worth a retry, any other refusal is not.
fn outcome(status: reqwest::StatusCode) -> PushOutcome {
    match status.as_u16() {
        200..=299 => PushOutcome::Delivered,
        404 | 410 => PushOutcome::Gone,
        429 | 500..=599 => PushOutcome::Failed(format!("the push service answered {status}")),
        _ => PushOutcome::Refused(format!("the push service answered {status}")),
    }
}

const NOT_PUBLIC: &str = "the push endpoint resolves to an address that is not public";

/// Resolves names for the push client, keeping only public addresses (except for the
/// hosts of allowed origins).
struct PublicOnly {
    allowed_hosts: Vec<String>,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(name.as_str()));
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> =
                addrs.into_iter().filter(|a| allowed || is_public_ip(a.ip())).collect();
            if kept.is_empty() {
                return Err(NOT_PUBLIC.into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_service_answers_map_to_outcomes() {
        assert_eq!(outcome(reqwest::StatusCode::CREATED), PushOutcome::Delivered);
        assert_eq!(outcome(reqwest::StatusCode::GONE), PushOutcome::Gone);
        assert_eq!(outcome(reqwest::StatusCode::NOT_FOUND), PushOutcome::Gone);
        assert!(matches!(outcome(reqwest::StatusCode::TOO_MANY_REQUESTS), PushOutcome::Failed(_)));
        assert!(matches!(outcome(reqwest::StatusCode::BAD_GATEWAY), PushOutcome::Failed(_)));
        assert!(matches!(outcome(reqwest::StatusCode::PAYLOAD_TOO_LARGE), PushOutcome::Refused(_)));
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_this_machine_is_refused() {
        let pusher = WebPusher::new(&[7; 32], "mailto:ops@example.com".into(), Vec::new())
            .unwrap_or_else(|e| panic!("{e}"));
        let key = p256::SecretKey::from_slice(&[9; 32]).unwrap_or_else(|e| panic!("{e}"));
        let sub = PushSubscription {
            // A name that resolves to loopback, as a public-looking one could.
            endpoint: "https://localhost/push".into(),
            p256dh: p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key.public_key(), false)
                .as_bytes()
                .to_vec(),
            auth: vec![1; 16],
        };
        match pusher.push(&sub, b"{}", Duration::from_secs(60)).await {
            PushOutcome::Refused(e) => assert!(e.contains("not public"), "{e}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
