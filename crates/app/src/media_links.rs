//! Signed media URLs. A message's image is named by an absolute URL under the public
//! URL that carries its own expiring signature, so a plain `<img>` loads it in any
//! client, also in one that keeps its token in JavaScript and sends no cookie. The
//! signature is an HMAC (a key derived from the server secret) over the object key and
//! the expiry, so it can neither be moved to another object nor extended.
//!
//! Expiries are rounded up to the next whole day and then a few days more: every URL
//! of one object made on one day is the same URL, so browsers and proxies cache it.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use natter_domain::ports::Clock;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const DAY_SECS: i64 = 24 * 3600;
/// A link stays valid for at least this many days after it was made (and at most one
/// more): long enough for a chat left open over a weekend, short enough that a URL
/// copied out of a chat stops working.
const VALID_DAYS: i64 = 3;

pub struct MediaLinks {
    /// The public origin, without a trailing slash.
    base: String,
    key: [u8; 32],
    clock: Arc<dyn Clock>,
}

impl MediaLinks {
    pub fn new(public_origin: &str, key: [u8; 32], clock: Arc<dyn Clock>) -> Self {
        Self { base: public_origin.trim_end_matches('/').to_owned(), key, clock }
    }

    /// `https://chat.example/media/<key>?exp=<unix seconds>&sig=<hex>`.
    pub fn url(&self, object_key: &str) -> String {
        let now = self.clock.now().as_millis().div_euclid(1000);
        let exp = (now.div_euclid(DAY_SECS) + 1 + VALID_DAYS) * DAY_SECS;
        format!("{}/media/{object_key}?exp={exp}&sig={}", self.base, hex::encode(self.mac(object_key, exp)))
    }

    /// Whether `sig` is this server's signature of `object_key` until `exp`, and `exp`
    /// has not passed. Compared in constant time.
    pub fn verify(&self, object_key: &str, exp: i64, sig: &str) -> bool {
        let now = self.clock.now().as_millis().div_euclid(1000);
        if exp <= now {
            return false;
        }
        let Ok(sig) = hex::decode(sig) else { return false };
        self.mac_state(object_key, exp).verify_slice(&sig).is_ok()
    }

    fn mac(&self, object_key: &str, exp: i64) -> Vec<u8> {
        self.mac_state(object_key, exp).finalize().into_bytes().to_vec()
    }

    fn mac_state(&self, object_key: &str, exp: i64) -> HmacSha256 {
        // HMAC takes keys of any length; `new_from_slice` only fails for fixed-size keys.
        let mut mac = match HmacSha256::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC accepts any key length"),
        };
        mac.update(object_key.as_bytes());
        mac.update(&[0]);
        mac.update(exp.to_string().as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use natter_domain::Timestamp;

    use super::*;

    struct At(Mutex<i64>);
    impl Clock for At {
        fn now(&self) -> Timestamp {
            Timestamp::from_millis(*self.0.lock().unwrap())
        }
    }

    fn parts(url: &str) -> (String, i64, String) {
        let (path, query) = url.split_once('?').unwrap();
        let key = path.split_once("/media/").unwrap().1.to_owned();
        let mut exp = 0;
        let mut sig = String::new();
        for pair in query.split('&') {
            match pair.split_once('=').unwrap() {
                ("exp", v) => exp = v.parse().unwrap(),
                ("sig", v) => sig = v.to_owned(),
                _ => {}
            }
        }
        (key, exp, sig)
    }

    fn links(now_ms: i64) -> (Arc<At>, MediaLinks) {
        let clock = Arc::new(At(Mutex::new(now_ms)));
        (clock.clone(), MediaLinks::new("https://chat.example/", [9; 32], clock))
    }

    #[test]
    fn a_link_verifies_for_its_object_until_it_expires() {
        let (clock, l) = links(1_800_000_000_000);
        let url = l.url("c/abc.png");
        assert!(url.starts_with("https://chat.example/media/c/abc.png?exp="), "{url}");
        let (key, exp, sig) = parts(&url);
        assert!(l.verify(&key, exp, &sig));
        assert!(!l.verify("c/other.png", exp, &sig), "moved to another object");
        assert!(!l.verify(&key, exp + DAY_SECS, &sig), "extended");
        let mut bad = sig.clone().into_bytes();
        bad[0] = if bad[0] == b'0' { b'1' } else { b'0' };
        assert!(!l.verify(&key, exp, std::str::from_utf8(&bad).unwrap()), "altered");
        assert!(!l.verify(&key, exp, "not hex"));
        *clock.0.lock().unwrap() = exp * 1000;
        assert!(!l.verify(&key, exp, &sig), "expired");
    }

    #[test]
    fn a_link_lives_three_to_four_days_and_is_stable_within_a_day() {
        let day_start = 1_800_000_000 / DAY_SECS * DAY_SECS;
        let (clock, l) = links(day_start * 1000 + 1000);
        let first = l.url("k");
        *clock.0.lock().unwrap() = (day_start + DAY_SECS - 1) * 1000;
        assert_eq!(l.url("k"), first, "the same URL all day, so caches hit");
        let (_, exp, _) = parts(&first);
        assert_eq!(exp - day_start, (VALID_DAYS + 1) * DAY_SECS);
    }
}
