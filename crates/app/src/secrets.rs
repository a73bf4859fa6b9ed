//! Server secrets: one master key, from which each use derives its own key, so a
//! leak of one derived key reveals nothing about the others.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct Secrets {
    /// Signs session tokens.
    pub token_key: [u8; 32],
    /// Keys the hash under which login codes are stored.
    pub code_key: [u8; 32],
    /// Signs media URLs (`media_links`).
    pub media_key: [u8; 32],
    /// Seals job payloads at rest (`job_seal`).
    pub job_key: [u8; 32],
    /// The seed of the VAPID key pair Web Push is signed with (`push::VapidKey`).
    pub vapid_seed: [u8; 32],
}

impl Secrets {
    pub fn derive(master: &[u8]) -> Self {
        Self {
            token_key: derive(master, b"natter session token v1"),
            code_key: derive(master, b"natter login code v1"),
            media_key: derive(master, b"natter media url v1"),
            job_key: derive(master, b"natter job payload v1"),
            vapid_seed: derive(master, b"natter vapid key v1"),
        }
    }
}

fn derive(master: &[u8], purpose: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = match HmacSha256::new_from_slice(master) {
        Ok(m) => m,
        Err(_) => unreachable_hmac(),
    };
    mac.update(purpose);
    mac.finalize().into_bytes().into()
}

/// Keyed hash of a login code, bound to the address it was sent to.
pub fn code_hash(key: &[u8; 32], email: &str, code: &str) -> Vec<u8> {
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable_hmac(),
    };
    mac.update(email.as_bytes());
    mac.update(&[0]);
    mac.update(code.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cold]
fn unreachable_hmac() -> ! {
    // hmac's `new_from_slice` only fails for fixed-size-key MACs; HMAC has none.
    panic!("HMAC rejected a key")
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_differ_per_purpose_and_never_print() {
        let s = Secrets::derive(b"master");
        assert_ne!(s.token_key, s.code_key);
        assert_ne!(s.media_key, s.code_key);
        assert_ne!(s.media_key, s.token_key);
        assert_eq!(format!("{s:?}"), "Secrets([redacted])");
    }

    #[test]
    fn a_code_hash_is_bound_to_its_address() {
        let k = [7u8; 32];
        assert_ne!(code_hash(&k, "a@x.com", "123456"), code_hash(&k, "b@x.com", "123456"));
        assert_eq!(code_hash(&k, "a@x.com", "123456"), code_hash(&k, "a@x.com", "123456"));
    }
}
