//! The in-process bus of a single node: a bounded broadcast channel. A subscriber
//! that falls more than `capacity` events behind is told how many it lost.

use async_trait::async_trait;
use natter_domain::bus::{Bus, BusError, BusEvent, Subscription};
use tokio::sync::broadcast;

use super::LocalSubscription;

pub struct MemoryBus {
    tx: broadcast::Sender<BusEvent>,
}

impl MemoryBus {
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity);
        Self { tx }
    }
}

#[async_trait]
impl Bus for MemoryBus {
    async fn publish(&self, event: BusEvent) -> Result<(), BusError> {
        // No subscriber (an api-only node with no realtime role) is not an error.
        let _ = self.tx.send(event);
        Ok(())
    }

    fn subscribe(&self) -> Box<dyn Subscription> {
        Box::new(LocalSubscription(self.tx.subscribe()))
    }

    fn backlog(&self) -> usize {
        self.tx.len()
    }
}

#[cfg(test)]
mod tests {
    use natter_domain::ids::SessionId;

    use super::*;

    fn event() -> BusEvent {
        BusEvent::SessionRevoked { session_id: SessionId::new() }
    }

    #[tokio::test]
    async fn the_backlog_is_what_the_slowest_subscriber_has_not_taken() {
        let bus = MemoryBus::new(16);
        let mut slow = bus.subscribe();
        let mut fast = bus.subscribe();
        for _ in 0..3 {
            bus.publish(event()).await.unwrap();
        }
        for _ in 0..3 {
            fast.next().await.unwrap().unwrap();
        }
        assert_eq!(bus.backlog(), 3);
        slow.next().await.unwrap().unwrap();
        assert_eq!(bus.backlog(), 2);
    }
}
