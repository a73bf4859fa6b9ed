//! A push service of the test's own (RFC 8030's receiving end): an HTTP server on a
//! random loopback port that keeps every push it is sent, and browser-like devices
//! whose keys decrypt them (RFC 8291), as a vendor's service and a browser would.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// One push as the service received it.
#[derive(Debug, Clone)]
pub struct ReceivedPush {
    pub device: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

#[derive(Default)]
struct Shared {
    received: Vec<ReceivedPush>,
    /// Devices the service answers this status for instead of 201 (410: unsubscribed).
    answers: HashMap<String, u16>,
}

pub struct PushServiceProcess {
    pub origin: String,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl PushServiceProcess {
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let app = axum::Router::new().route("/push/{device}", post(receive)).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { origin, shared, task }
    }

    pub fn endpoint(&self, device: &str) -> String {
        format!("{}/push/{device}", self.origin)
    }

    /// Answer `status` to pushes for `device` from now on.
    pub fn answer(&self, device: &str, status: u16) {
        self.lock().answers.insert(device.to_owned(), status);
    }

    pub fn received(&self) -> Vec<ReceivedPush> {
        self.lock().received.clone()
    }

    pub fn received_for(&self, device: &str) -> Vec<ReceivedPush> {
        self.received().into_iter().filter(|p| p.device == device).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for PushServiceProcess {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(shared): State<Arc<Mutex<Shared>>>,
    Path(device): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let headers = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let mut s = shared.lock().unwrap_or_else(PoisonError::into_inner);
    s.received.push(ReceivedPush { device: device.clone(), headers, body: body.to_vec() });
    StatusCode::from_u16(s.answers.get(&device).copied().unwrap_or(201)).unwrap_or(StatusCode::CREATED)
}

/// A browser's side of one subscription: the keys it hands the server, and the
/// private key that decrypts what is pushed to it.
pub struct PushDevice {
    pub endpoint: String,
    secret: p256::SecretKey,
    auth: [u8; 16],
}

impl PushDevice {
    pub fn new(endpoint: String) -> Self {
        let mut auth = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut auth);
        Self { endpoint, secret: p256::SecretKey::random(&mut rand::rngs::OsRng), auth }
    }

    /// What `PushSubscription.toJSON()` gives a web client.
    pub fn subscription(&self) -> Value {
        let public =
            p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&self.secret.public_key(), false);
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": { "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()), "auth": URL_SAFE_NO_PAD.encode(self.auth) },
        })
    }

    /// The notification a push carried, decrypted as the browser would.
    pub fn decrypt(&self, push: &ReceivedPush) -> Value {
        let auth = web_push_native::Auth::clone_from_slice(&self.auth);
        let plain =
            web_push_native::decrypt(push.body.clone(), &self.secret, &auth).expect("the push decrypts");
        serde_json::from_slice(&plain).expect("the notification is JSON")
    }
}

/// Check the VAPID `Authorization` of `push` (RFC 8292): an ES256 JWT for the push
/// service's origin, signed by the key whose public half is `public_key` (base64url,
/// as `GET /push/key` gives it) and carried in `k=`. Returns its claims.
pub fn verify_vapid(push: &ReceivedPush, public_key: &str) -> Value {
    let header = push.headers.get("authorization").expect("an Authorization header");
    let rest = header.strip_prefix("vapid ").expect("the vapid scheme");
    let mut token = None;
    let mut k = None;
    for part in rest.split(',').map(str::trim) {
        if let Some(t) = part.strip_prefix("t=") {
            token = Some(t);
        } else if let Some(v) = part.strip_prefix("k=") {
            k = Some(v);
        }
    }
    assert_eq!(k, Some(public_key), "k= is the server's VAPID key");
    let bytes = URL_SAFE_NO_PAD.decode(public_key).unwrap();
    assert_eq!(bytes.len(), 65);
    let key = jsonwebtoken::DecodingKey::from_ec_components(
        &URL_SAFE_NO_PAD.encode(&bytes[1..33]),
        &URL_SAFE_NO_PAD.encode(&bytes[33..65]),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp", "aud", "sub"]);
    jsonwebtoken::decode::<Value>(token.expect("t="), &key, &validation)
        .expect("a valid VAPID signature")
        .claims
}
