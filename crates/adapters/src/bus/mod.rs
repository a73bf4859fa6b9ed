mod memory;
mod redis;

pub use memory::MemoryBus;
pub use redis::RedisBus;

use async_trait::async_trait;
use natter_domain::bus::{BusEvent, Lagged, Subscription};
use tokio::sync::broadcast;

/// A subscriber of a node's local broadcast, which both buses deliver through.
struct LocalSubscription(broadcast::Receiver<BusEvent>);

#[async_trait]
impl Subscription for LocalSubscription {
    async fn next(&mut self) -> Option<Result<BusEvent, Lagged>> {
        match self.0.recv().await {
            Ok(e) => Some(Ok(e)),
            Err(broadcast::error::RecvError::Lagged(n)) => Some(Err(Lagged(n))),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}
