//! In-process rate limiting for a single node: a sliding log of hit times per key.
//! Exact ("at least 60 s apart" means 60 s), and bounded: a key is forgotten once its
//! last hit has left its longest window, and beyond `MAX_KEYS` live keys the one that
//! would be forgotten soonest makes room for the new one.
//!
//! Eviction is the trade-off of a bounded table: an attacker who makes 200k fresh keys
//! (200k requests from as many addresses) can push out the oldest key's history, which
//! is far better than the alternative of refusing every new key, where the same flood
//! locked every honest user out.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use natter_domain::Timestamp;
use natter_domain::ports::{Decision, Limiter, LimiterUnavailable, Rate};

/// Live keys kept at most: about 200 bytes each, so ~40 MB at the cap.
const MAX_KEYS: usize = 200_000;
/// Forgotten keys removed per hit. More than one, so the table shrinks faster than one
/// hit can grow it; few, so no hit pays for a sweep of the whole table.
const SWEEP_PER_HIT: usize = 4;

#[derive(Default)]
pub struct MemoryLimiter {
    inner: Mutex<Inner>,
}

/// When a key's last hit leaves its longest window, with a sequence number that keeps
/// two keys of the same instant apart (and orders them oldest first).
type Expiry = (i64, u64);

#[derive(Default)]
struct Inner {
    keys: HashMap<Arc<str>, Log>,
    /// Every key once, the key that is forgotten soonest first.
    by_expiry: BTreeMap<Expiry, Arc<str>>,
    next_seq: u64,
}

struct Log {
    hits: VecDeque<i64>,
    /// The longest window any rate for this key uses; older hits can be forgotten.
    horizon_ms: i64,
    expiry: Expiry,
}

impl MemoryLimiter {
    pub fn new() -> Self {
        Self::default()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map(|i| i.keys.len()).unwrap_or(0)
    }
}

impl Inner {
    /// Forget up to `n` keys whose every hit has left its windows.
    fn sweep(&mut self, now: i64, n: usize) {
        for _ in 0..n {
            match self.by_expiry.first_key_value() {
                Some((&(at, _), _)) if at <= now => {
                    if let Some((_, key)) = self.by_expiry.pop_first() {
                        self.keys.remove(&key);
                    }
                }
                _ => break,
            }
        }
    }

    /// Make room for one more key: the one forgotten soonest goes.
    fn evict_one(&mut self) {
        if let Some((_, key)) = self.by_expiry.pop_first() {
            self.keys.remove(&key);
        }
    }

    fn record(&mut self, key: &str, now: i64, horizon_ms: i64) {
        self.next_seq += 1;
        let seq = self.next_seq;
        if let Some(log) = self.keys.get_mut(key) {
            log.hits.push_back(now);
            log.horizon_ms = log.horizon_ms.max(horizon_ms);
            let stored = self.by_expiry.remove(&log.expiry).unwrap_or_else(|| Arc::from(key));
            log.expiry = (now.saturating_add(log.horizon_ms), seq);
            self.by_expiry.insert(log.expiry, stored);
            return;
        }
        if self.keys.len() >= MAX_KEYS {
            self.evict_one();
        }
        let key: Arc<str> = Arc::from(key);
        let expiry = (now.saturating_add(horizon_ms), seq);
        self.by_expiry.insert(expiry, Arc::clone(&key));
        self.keys.insert(key, Log { hits: VecDeque::from([now]), horizon_ms, expiry });
    }
}

#[async_trait]
impl Limiter for MemoryLimiter {
    async fn hit(&self, key: &str, rates: &[Rate], now: Timestamp) -> Result<Decision, LimiterUnavailable> {
        let now = now.as_millis();
        let horizon_ms = rates.iter().map(|r| millis(r.window)).max().unwrap_or(0);
        let mut inner = self.inner.lock().map_err(|_| LimiterUnavailable("its lock is poisoned".into()))?;
        inner.sweep(now, SWEEP_PER_HIT);
        let mut wait_ms = 0i64;
        if let Some(log) = inner.keys.get_mut(key) {
            let horizon = log.horizon_ms.max(horizon_ms);
            while log.hits.front().is_some_and(|&t| t <= now - horizon) {
                log.hits.pop_front();
            }
            for rate in rates {
                let window = millis(rate.window);
                // Hits are in time order: those inside the window are a suffix.
                let first_inside = log.hits.partition_point(|&t| t <= now - window);
                let inside = log.hits.len() - first_inside;
                let limit = usize::try_from(rate.limit).unwrap_or(usize::MAX);
                if limit > 0 && inside >= limit {
                    // The hit that must leave the window before one more fits.
                    let blocking = log.hits.get(log.hits.len() - limit).copied().unwrap_or(now);
                    wait_ms = wait_ms.max(blocking + window - now);
                }
            }
        }
        if wait_ms > 0 || rates.iter().any(|r| r.limit == 0) {
            return Ok(Decision::Limited {
                retry_after: Duration::from_millis(u64::try_from(wait_ms.max(1000)).unwrap_or(1000)),
            });
        }
        inner.record(key, now, horizon_ms);
        Ok(Decision::Allowed)
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_millis(1_000_000_000 + s * 1000)
    }

    #[tokio::test]
    async fn allows_once_per_interval_and_says_how_long_to_wait() {
        let l = MemoryLimiter::new();
        let rates = [Rate::per(1, Duration::from_secs(60))];
        assert_eq!(l.hit("k", &rates, at(0)).await.ok(), Some(Decision::Allowed));
        assert_eq!(
            l.hit("k", &rates, at(20)).await.ok(),
            Some(Decision::Limited { retry_after: Duration::from_secs(40) })
        );
        assert_eq!(l.hit("other", &rates, at(20)).await.ok(), Some(Decision::Allowed));
        assert_eq!(l.hit("k", &rates, at(60)).await.ok(), Some(Decision::Allowed));
    }

    #[tokio::test]
    async fn every_rate_must_allow_and_a_refused_hit_is_not_counted() {
        let l = MemoryLimiter::new();
        let rates = [Rate::per(1, Duration::from_secs(60)), Rate::per(3, Duration::from_secs(3600))];
        for minute in 0..3 {
            assert_eq!(l.hit("k", &rates, at(minute * 61)).await.ok(), Some(Decision::Allowed));
            // Refused hits in between do not use up the hourly budget.
            assert!(matches!(l.hit("k", &rates, at(minute * 61 + 1)).await, Ok(Decision::Limited { .. })));
        }
        match l.hit("k", &rates, at(4 * 61)).await {
            Ok(Decision::Limited { retry_after }) => {
                assert_eq!(retry_after, Duration::from_secs(3600 - 4 * 61))
            }
            other => panic!("expected a limit, got {other:?}"),
        }
        assert_eq!(l.hit("k", &rates, at(3600)).await.ok(), Some(Decision::Allowed));
    }

    #[tokio::test]
    async fn a_full_table_forgets_its_oldest_key_instead_of_refusing_new_ones() {
        let l = MemoryLimiter::new();
        let rates = [Rate::per(1, Duration::from_secs(600))];
        for i in 0..MAX_KEYS {
            // Spread over time, so key 0 is the one that would be forgotten soonest.
            let now = Timestamp::from_millis(1_000_000_000 + i64::try_from(i).unwrap_or(0));
            assert_eq!(l.hit(&format!("k{i}"), &rates, now).await.ok(), Some(Decision::Allowed));
        }
        assert_eq!(l.len(), MAX_KEYS);
        let later = at(1);
        assert_eq!(l.hit("newcomer", &rates, later).await.ok(), Some(Decision::Allowed));
        assert_eq!(l.len(), MAX_KEYS, "the table does not grow past its cap");
        // The newcomer is limited like any key, and recent keys kept their history...
        assert!(matches!(l.hit("newcomer", &rates, later).await, Ok(Decision::Limited { .. })));
        let last = format!("k{}", MAX_KEYS - 1);
        assert!(matches!(l.hit(&last, &rates, later).await, Ok(Decision::Limited { .. })));
        // ...while the oldest one made room (and, hit again, takes the next oldest's place).
        assert_eq!(l.hit("k0", &rates, later).await.ok(), Some(Decision::Allowed));
        assert_eq!(l.len(), MAX_KEYS);
        assert_eq!(l.hit("k1", &rates, later).await.ok(), Some(Decision::Allowed));
    }

    #[tokio::test]
    async fn keys_whose_hits_left_their_windows_are_forgotten() {
        let l = MemoryLimiter::new();
        let rates = [Rate::per(1, Duration::from_secs(60))];
        for i in 0..10 {
            assert_eq!(l.hit(&format!("k{i}"), &rates, at(0)).await.ok(), Some(Decision::Allowed));
        }
        assert_eq!(l.len(), 10);
        // Each hit sweeps a few expired keys: a few hits later they are all gone.
        for _ in 0..3 {
            let _ = l.hit("fresh", &rates, at(61)).await;
        }
        assert_eq!(l.len(), 1);
    }
}
