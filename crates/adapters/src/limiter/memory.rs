//! In-process rate limiting for a single node: a sliding log of hit times per key.
//! Exact ("at least 60 s apart" means 60 s), and bounded: keys whose hits have all
//! left their windows are swept, and the number of keys is capped.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use natter_domain::Timestamp;
use natter_domain::ports::{Decision, Limiter, Rate};

/// Beyond this many live keys new keys are refused rather than grow memory without
/// bound (an attacker cycling through addresses cannot exhaust the heap).
const MAX_KEYS: usize = 200_000;
const SWEEP_EVERY: u32 = 4096;

#[derive(Default)]
pub struct MemoryLimiter {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    keys: HashMap<String, Log>,
    hits_since_sweep: u32,
}

struct Log {
    hits: VecDeque<i64>,
    /// The longest window any rate for this key uses; older hits can be forgotten.
    horizon_ms: i64,
}

impl MemoryLimiter {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Limiter for MemoryLimiter {
    async fn hit(&self, key: &str, rates: &[Rate], now: Timestamp) -> anyhow::Result<Decision> {
        let now = now.as_millis();
        let horizon_ms = rates.iter().map(|r| millis(r.window)).max().unwrap_or(0);
        let mut inner = self.inner.lock().map_err(|_| anyhow::anyhow!("limiter lock poisoned"))?;
        inner.hits_since_sweep += 1;
        if inner.hits_since_sweep >= SWEEP_EVERY {
            inner.hits_since_sweep = 0;
            inner.keys.retain(|_, log| log.hits.back().is_some_and(|&t| t > now - log.horizon_ms));
        }
        if !inner.keys.contains_key(key) && inner.keys.len() >= MAX_KEYS {
            return Ok(Decision::Limited { retry_after: Duration::from_secs(60) });
        }
        let log =
            inner.keys.entry(key.to_owned()).or_insert_with(|| Log { hits: VecDeque::new(), horizon_ms });
        log.horizon_ms = log.horizon_ms.max(horizon_ms);
        while log.hits.front().is_some_and(|&t| t <= now - log.horizon_ms) {
            log.hits.pop_front();
        }
        let mut wait_ms = 0i64;
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
        if wait_ms > 0 || rates.iter().any(|r| r.limit == 0) {
            return Ok(Decision::Limited {
                retry_after: Duration::from_millis(u64::try_from(wait_ms.max(1000)).unwrap_or(1000)),
            });
        }
        log.hits.push_back(now);
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
}
