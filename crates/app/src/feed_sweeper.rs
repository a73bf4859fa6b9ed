//! The change feed's safety net on a bus that spans nodes. A use-case publishes a feed
//! row after its commit; if the node dies in between, no other node hears of the row.
//! So every row published on such a bus is confirmed in the store (`published_at`,
//! written in batches off the request path), and a sweeper on every node publishes the
//! rows that stayed unconfirmed past a grace period (an indexed query: the index holds
//! only unconfirmed rows). Each sweep claims its rows for a while, so the sweepers of
//! several nodes share the work instead of all publishing every row. A row may still
//! arrive twice or late; the fan-out drops what it delivered by `(chat, seq)` and
//! orders the rest.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use natter_domain::Timestamp;
use natter_domain::bus::{Bus, BusError, BusEvent, Subscription};
use natter_domain::ids::{ChatId, UserId};
use natter_domain::ports::{Clock, Store};
use tokio::sync::mpsc;

/// A row younger than this may still be on its way from the node that wrote it (a
/// publish takes milliseconds; a late confirmation only costs a duplicate, which the
/// fan-out drops). With `SWEEP_EVERY`, a row whose node died between commit and
/// publish reaches the other nodes within 1.5 s.
pub const SWEEP_GRACE: Duration = Duration::from_secs(1);
/// Rows older than this are left to catch-up: every socket of that time reconnected
/// (and read the store) long since.
pub const SWEEP_HORIZON: Duration = Duration::from_secs(60);
/// How often the sweeper looks.
pub const SWEEP_EVERY: Duration = Duration::from_millis(500);
/// How long the rows a sweeper took are its own to publish: the sweepers of the other
/// nodes take them only if it died, or its publish failed, before their confirmation
/// was written. Short, since a claim that runs out early costs only a duplicate.
pub const SWEEP_CLAIM: Duration = Duration::from_secs(2);
/// Rows per sweep and confirmations per store write.
const BATCH: usize = 500;

/// A bus that spans nodes, with each published feed row confirmed in the store.
pub struct ConfirmingBus {
    inner: Arc<dyn Bus>,
    confirmed: mpsc::UnboundedSender<(ChatId, i64)>,
}

/// Writes the confirmations of a `ConfirmingBus` into the store, many per write.
pub struct Confirmations {
    rx: mpsc::UnboundedReceiver<(ChatId, i64)>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl ConfirmingBus {
    pub fn new(
        inner: Arc<dyn Bus>,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> (Arc<Self>, Confirmations) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Arc::new(Self { inner, confirmed: tx }), Confirmations { rx, store, clock })
    }
}

#[async_trait]
impl Bus for ConfirmingBus {
    async fn publish(&self, event: BusEvent) -> Result<(), BusError> {
        let row = match &event {
            BusEvent::Feed { event, .. } => Some((event.chat_id, event.seq)),
            _ => None,
        };
        self.inner.publish(event).await?;
        if let Some(row) = row {
            // Closed only at shutdown; the sweeper then republishes the row, harmlessly.
            let _ = self.confirmed.send(row);
        }
        Ok(())
    }

    fn subscribe(&self) -> Box<dyn Subscription> {
        self.inner.subscribe()
    }

    fn backlog(&self) -> usize {
        self.inner.backlog()
    }

    fn spans_nodes(&self) -> bool {
        self.inner.spans_nodes()
    }

    fn connected(&self) -> bool {
        self.inner.connected()
    }
}

impl Confirmations {
    /// Until the bus is dropped: take what is waiting, write it in one go.
    pub async fn run(mut self) {
        let mut rows = Vec::with_capacity(BATCH);
        while self.rx.recv_many(&mut rows, BATCH).await > 0 {
            if let Err(e) = self.store.mark_published(&rows, self.clock.now()).await {
                // The rows stay unconfirmed: the sweeper publishes them once more.
                tracing::warn!(error = %e, rows = rows.len(), "could not confirm published feed rows");
            }
            rows.clear();
        }
    }
}

pub struct FeedSweeper {
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    clock: Arc<dyn Clock>,
}

impl FeedSweeper {
    /// `bus` confirms what it publishes (a `ConfirmingBus`).
    pub fn new(store: Arc<dyn Store>, bus: Arc<dyn Bus>, clock: Arc<dyn Clock>) -> Self {
        Self { store, bus, clock }
    }

    /// Publish the rows written between `SWEEP_HORIZON` and `SWEEP_GRACE` ago that no
    /// bus confirmed; how many it published.
    pub async fn sweep_once(&self) -> anyhow::Result<usize> {
        // Rows claimed now could not be published, and would wait out their claim.
        if !self.bus.connected() {
            return Ok(0);
        }
        let now = self.clock.now();
        let from = Timestamp::from_millis(now.as_millis() - SWEEP_HORIZON.as_millis() as i64);
        let until = Timestamp::from_millis(now.as_millis() - SWEEP_GRACE.as_millis() as i64);
        let rows =
            self.store.claim_unpublished(from, until, BATCH as u32, now, now.plus(SWEEP_CLAIM)).await?;
        let mut members: HashMap<ChatId, Vec<UserId>> = HashMap::new();
        let mut published = 0;
        for event in rows {
            let members = match members.entry(event.chat_id) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(self.store.get_chat(event.chat_id).await?.members),
            };
            // The chat's members now, and whoever the row removed, so they hear of it.
            let mut to = members.clone();
            to.extend(event.removed_users().into_iter().filter(|u| !members.contains(u)));
            self.bus.publish(BusEvent::Feed { event, members: to }).await?;
            published += 1;
        }
        Ok(published)
    }

    /// Sweep every `SWEEP_EVERY` until `stop`.
    pub async fn run(self, stop: impl Future<Output = ()>) {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let sweeping = async {
            loop {
                tick.tick().await;
                match self.sweep_once().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(rows = n, "published feed rows that their node did not"),
                    Err(e) => tracing::warn!(error = %e, "the feed sweep failed; it runs again"),
                }
            }
        };
        tokio::select! {
            () = sweeping => {}
            () = stop => {}
        }
    }
}
