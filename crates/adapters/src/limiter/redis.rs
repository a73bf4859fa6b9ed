//! Rate limits shared by every node, on Redis: the same sliding log as
//! `MemoryLimiter` (a sorted set of hit times per key), checked and recorded in one
//! Lua script so that two nodes cannot both let the last allowed hit through. Times
//! come from the caller's clock, not Redis's, so the limits are the same numbers as
//! on one node. Redis down: `LimiterUnavailable`, and what the limit guards is refused.

use std::time::Duration;

use async_trait::async_trait;
use natter_domain::Timestamp;
use natter_domain::ports::{Decision, Limiter, LimiterUnavailable, Rate};
use redis::aio::ConnectionManager;

use crate::redis_conn::{REDIS_TIMEOUT, manager};

/// KEYS[1]: the key. ARGV: now (ms), a unique member, then (limit, window ms) pairs.
/// Answers 0 when the hit was recorded, else the ms until it would be allowed.
const HIT: &str = r"
local now = tonumber(ARGV[1])
local horizon = 0
local wait = 0
for i = 3, #ARGV, 2 do
  local limit = tonumber(ARGV[i])
  local window = tonumber(ARGV[i + 1])
  if window > horizon then horizon = window end
  local inside = redis.call('ZCOUNT', KEYS[1], '(' .. (now - window), '+inf')
  if inside >= limit then
    -- The hit that must leave the window before one more fits in it.
    local leaving = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), '+inf', 'WITHSCORES', 'LIMIT', inside - limit, 1)
    local w = tonumber(leaving[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - horizon)
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], horizon)
return 0
";

pub struct RedisLimiter {
    conn: ConnectionManager,
    script: redis::Script,
}

impl RedisLimiter {
    /// Connects to `url`; fails when Redis cannot be reached now.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let conn = manager(&redis::Client::open(url)?).await?;
        Ok(Self { conn, script: redis::Script::new(HIT) })
    }
}

#[async_trait]
impl Limiter for RedisLimiter {
    async fn hit(&self, key: &str, rates: &[Rate], now: Timestamp) -> Result<Decision, LimiterUnavailable> {
        let now = now.as_millis();
        let mut invocation = self.script.key(format!("natter:limit:{key}"));
        invocation.arg(now).arg(format!("{now}-{}", uuid::Uuid::now_v7().simple()));
        for rate in rates {
            invocation.arg(rate.limit).arg(i64::try_from(rate.window.as_millis()).unwrap_or(i64::MAX));
        }
        let mut conn = self.conn.clone();
        let wait_ms: i64 = tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async(&mut conn))
            .await
            .map_err(|_| LimiterUnavailable("Redis did not answer in time".into()))?
            .map_err(|e| LimiterUnavailable(e.to_string()))?;
        Ok(if wait_ms <= 0 {
            Decision::Allowed
        } else {
            Decision::Limited { retry_after: Duration::from_millis(wait_ms.unsigned_abs()) }
        })
    }
}
