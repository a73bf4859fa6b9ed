//! Backends that fail on command, wrapped around the real ones, for tests of what a
//! node does when a part of it breaks.

use std::sync::Arc;

use async_trait::async_trait;
use natter_domain::bus::{Bus, BusError, BusEvent, Lagged, Subscription};
use tokio::sync::watch;

/// A real in-process bus whose subscriptions end when the test says so, as a bus
/// whose connection is gone for good would.
pub struct ClosableBus {
    inner: Arc<dyn Bus>,
    closed: watch::Sender<bool>,
}

impl ClosableBus {
    pub fn new(inner: Arc<dyn Bus>) -> Self {
        Self { inner, closed: watch::channel(false).0 }
    }

    /// Every subscription ends now.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }
}

#[async_trait]
impl Bus for ClosableBus {
    async fn publish(&self, event: BusEvent) -> Result<(), BusError> {
        self.inner.publish(event).await
    }

    fn subscribe(&self) -> Box<dyn Subscription> {
        Box::new(ClosableSubscription { inner: self.inner.subscribe(), closed: self.closed.subscribe() })
    }

    fn backlog(&self) -> usize {
        self.inner.backlog()
    }
}

struct ClosableSubscription {
    inner: Box<dyn Subscription>,
    closed: watch::Receiver<bool>,
}

#[async_trait]
impl Subscription for ClosableSubscription {
    async fn next(&mut self) -> Option<Result<BusEvent, Lagged>> {
        if *self.closed.borrow() {
            return None;
        }
        tokio::select! {
            e = self.inner.next() => e,
            _ = self.closed.wait_for(|c| *c) => None,
        }
    }
}

/// The bus of a node that dies right after each commit: it spans nodes, but nothing it
/// is given ever leaves (and nothing is confirmed), as when the process is killed
/// between commit and publish. Only the other nodes' sweepers can deliver its rows.
pub struct DyingNodeBus;

#[async_trait]
impl Bus for DyingNodeBus {
    async fn publish(&self, _event: BusEvent) -> Result<(), BusError> {
        Err(BusError::Unavailable("this node died before it could publish".into()))
    }

    fn subscribe(&self) -> Box<dyn Subscription> {
        Box::new(Silence)
    }

    fn backlog(&self) -> usize {
        0
    }

    fn spans_nodes(&self) -> bool {
        true
    }

    /// A dead node reaches nobody: its sweeper, which would not run, claims nothing.
    fn connected(&self) -> bool {
        false
    }
}

struct Silence;

#[async_trait]
impl Subscription for Silence {
    async fn next(&mut self) -> Option<Result<BusEvent, Lagged>> {
        std::future::pending().await
    }
}
