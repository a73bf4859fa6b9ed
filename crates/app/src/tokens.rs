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
    /// Never issued; a token that carries one is held to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<i64>,
}

/// How far ahead of our clock a token's `iat` or `nbf` may lie. Tokens are minted and
/// checked by the nodes of one deployment, and a client uses its fresh token at once,
/// often on another node (login on an api node, the socket on a realtime node) whose
/// NTP-kept clock may trail the minting node's by a fraction of a second. Two seconds
/// covers that; a token stamped further in the future was not minted by us just now.
const CLOCK_SKEW_MS: i64 = 2_000;

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
            nbf: None,
        };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// `None` for anything that is not a well-formed, correctly signed, unexpired token.
    pub fn decode(&self, token: &str, now: Timestamp) -> Option<TokenSubject> {
        if token.len() > 4096 {
            return None;
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        // We issue `typ: JWT` and nothing else in the header: a key id or a key
        // reference names a key we do not have, so the token is not one of ours.
        let h = &data.header;
        if !h.typ.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("JWT"))
            || h.kid.is_some()
            || h.jku.is_some()
            || h.jwk.is_some()
            || h.x5u.is_some()
            || h.x5c.is_some()
        {
            return None;
        }
        let c = data.claims;
        let now = now.as_millis();
        let ahead = |seconds: i64| seconds.saturating_mul(1000) > now.saturating_add(CLOCK_SKEW_MS);
        if c.exp.saturating_mul(1000) <= now || ahead(c.iat) || c.nbf.is_some_and(ahead) {
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

    /// A token signed with the right key, with this header and these claims on top
    /// of a valid set: what someone holding the key, or a bug of ours, could produce.
    fn forged(key: &[u8; 32], header: &str, extra: &[(&str, serde_json::Value)], s: &Session) -> String {
        use base64_like::b64;
        use hmac::{Hmac, Mac};
        let mut claims = serde_json::json!({
            "sub": s.user_id.to_string(), "sid": s.id.to_string(), "iss": "natter",
            "aud": "natter-session", "iat": s.created_at.as_millis() / 1000,
            "exp": s.expires_at.as_millis() / 1000,
        });
        for (k, v) in extra {
            claims[*k] = v.clone();
        }
        let signing_input = format!("{}.{}", b64(header.as_bytes()), b64(claims.to_string().as_bytes()));
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
        mac.update(signing_input.as_bytes());
        format!("{signing_input}.{}", b64(&mac.finalize().into_bytes()))
    }

    const GOOD_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

    #[test]
    fn a_forged_token_with_our_header_and_claims_is_accepted() {
        // The control for the tests below: the forging itself is sound.
        let s = session(1_000_000, 60_000);
        let t = forged(&[1; 32], GOOD_HEADER, &[], &s);
        let got = TokenCodec::new(&[1; 32]).decode(&t, Timestamp::from_millis(1_000_000));
        assert_eq!(got, Some(TokenSubject { user_id: s.user_id, session_id: s.id }));
    }

    #[test]
    fn a_token_not_valid_before_a_later_time_is_refused_until_then() {
        let s = session(1_000_000, 3_600_000);
        let codec = TokenCodec::new(&[1; 32]);
        let t = forged(&[1; 32], GOOD_HEADER, &[("nbf", serde_json::json!(1_600))], &s);
        assert_eq!(codec.decode(&t, Timestamp::from_millis(1_000_000)), None);
        assert!(codec.decode(&t, Timestamp::from_millis(1_600_000)).is_some());
    }

    #[test]
    fn a_token_issued_in_the_future_is_refused() {
        let s = session(1_000_000, 3_600_000);
        let codec = TokenCodec::new(&[1; 32]);
        let t = forged(&[1; 32], GOOD_HEADER, &[("iat", serde_json::json!(1_100))], &s);
        assert_eq!(codec.decode(&t, Timestamp::from_millis(1_000_000)), None);
        // Within the allowed skew of another node's clock it is fine.
        let t = forged(&[1; 32], GOOD_HEADER, &[("iat", serde_json::json!(1_002))], &s);
        assert!(codec.decode(&t, Timestamp::from_millis(1_000_000)).is_some());
    }

    #[test]
    fn a_token_with_another_type_or_a_key_reference_is_refused() {
        let s = session(1_000_000, 60_000);
        let codec = TokenCodec::new(&[1; 32]);
        for header in [
            r#"{"alg":"HS256"}"#,
            r#"{"alg":"HS256","typ":"at+jwt"}"#,
            r#"{"alg":"HS256","typ":"JWT","kid":"natter-1"}"#,
            r#"{"alg":"HS256","typ":"JWT","jku":"https://evil.example/keys"}"#,
            r#"{"alg":"HS256","typ":"JWT","x5u":"https://evil.example/cert"}"#,
        ] {
            let t = forged(&[1; 32], header, &[], &s);
            assert_eq!(codec.decode(&t, Timestamp::from_millis(1_000_000)), None, "{header}");
        }
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
