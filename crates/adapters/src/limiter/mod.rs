mod memory;
mod redis;

pub use memory::MemoryLimiter;
pub use redis::RedisLimiter;

use std::sync::Arc;

use async_trait::async_trait;
use natter_domain::Timestamp;
use natter_domain::ports::{Decision, Limiter, LimiterUnavailable, Rate};

/// The shared limits, and this node's own while they cannot answer: for what must go
/// on during an outage of the shared limiter (sending, which each node still limits
/// by the same numbers for its own clients), unlike logins, which fail closed.
pub struct LocalWhileDown {
    shared: Arc<dyn Limiter>,
    local: MemoryLimiter,
}

impl LocalWhileDown {
    pub fn new(shared: Arc<dyn Limiter>) -> Self {
        Self { shared, local: MemoryLimiter::new() }
    }
}

#[async_trait]
impl Limiter for LocalWhileDown {
    async fn hit(&self, key: &str, rates: &[Rate], now: Timestamp) -> Result<Decision, LimiterUnavailable> {
        match self.shared.hit(key, rates, now).await {
            Ok(decision) => Ok(decision),
            Err(e) => {
                tracing::debug!(error = %e, "the shared limiter is down; this node's own limits apply");
                self.local.hit(key, rates, now).await
            }
        }
    }
}
