//! Session tokens: HS256 JWTs that carry the session id. The token only names the
//! session; whether the session is still alive is asked of the store every time.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use natter_domain::Timestamp;
use natter_domain::entities::Session;
use natter_domain::ids::{SessionId, UserId};
use serde::{Deserialize, Serialize};

const ISSUER: &str = "natter";
const AUDIENCE: &str = "natter-session";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    sid: String,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// What a valid token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: UserId,
    pub session_id: SessionId,
}

pub struct TokenCodec {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenCodec {
    pub fn new(key: &[u8; 32]) -> Self {
        // The algorithm is pinned: a token claiming `none` or any other algorithm is
        // refused before its signature is looked at.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        // Expiry is checked against the injected clock in `decode`, with no leeway.
        validation.validate_exp = false;
        validation.leeway = 0;
        Self { encoding: EncodingKey::from_secret(key), decoding: DecodingKey::from_secret(key), validation }
    }

    pub fn encode(&self, session: &Session) -> anyhow::Result<String> {
        let claims = Claims {
            sub: session.user_id.to_string(),
            sid: session.id.to_string(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: session.created_at.as_millis() / 1000,
            exp: session.expires_at.as_millis() / 1000,
        };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// `None` for anything that is not a well-formed, correctly signed, unexpired token.
    pub fn decode(&self, token: &str, now: Timestamp) -> Option<TokenSubject> {
        if token.len() > 4096 {
            return None;
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        let c = data.claims;
        if c.exp.saturating_mul(1000) <= now.as_millis() {
            return None;
        }
        Some(TokenSubject { user_id: c.sub.parse().ok()?, session_id: c.sid.parse().ok()? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(now: i64, ttl_ms: i64) -> Session {
        Session {
            id: SessionId::new(),
            user_id: UserId::new(),
            created_at: Timestamp::from_millis(now),
            expires_at: Timestamp::from_millis(now + ttl_ms),
        }
    }

    #[test]
    fn a_token_round_trips_until_it_expires() {
        let codec = TokenCodec::new(&[1; 32]);
        let s = session(1_000_000, 60_000);
        let t = codec.encode(&s).ok();
        let t = t.as_deref().unwrap_or_default();
        let got = codec.decode(t, Timestamp::from_millis(1_000_000));
        assert_eq!(got, Some(TokenSubject { user_id: s.user_id, session_id: s.id }));
        assert_eq!(codec.decode(t, Timestamp::from_millis(1_060_000)), None);
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let s = session(1_000_000, 60_000);
        let t = TokenCodec::new(&[2; 32]).encode(&s).unwrap_or_default();
        assert_eq!(TokenCodec::new(&[1; 32]).decode(&t, Timestamp::from_millis(1_000_000)), None);
    }

    #[test]
    fn an_unsigned_alg_none_token_is_refused() {
        use base64_like::b64;
        let s = session(1_000_000, 60_000);
        let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
        let body = format!(
            r#"{{"sub":"{}","sid":"{}","iss":"natter","aud":"natter-session","iat":1000,"exp":99999999999}}"#,
            s.user_id, s.id
        );
        let t = format!("{header}.{}.", b64(body.as_bytes()));
        assert_eq!(TokenCodec::new(&[1; 32]).decode(&t, Timestamp::from_millis(1_000_000)), None);
    }

    /// Unpadded URL-safe base64, enough to forge a header in a test.
    mod base64_like {
        pub fn b64(bytes: &[u8]) -> String {
            const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
                for i in 0..=chunk.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        }
    }
}
