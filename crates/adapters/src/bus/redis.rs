//! The bus of several nodes, on Redis pub/sub. Each node holds one subscription (one
//! connection, whatever its number of sockets) and one multiplexed connection for
//! publishing. An event is handed to this node's own subscribers at once and
//! published to the others as an `Envelope` framed with the id of the node that sent
//! it, so a node never delivers its own events twice and keeps serving its own
//! sockets while Redis is down. What the other nodes miss meanwhile (pub/sub keeps
//! nothing) comes back through the change feed: unconfirmed rows are swept and
//! republished, and a fan-out that meets a gap reads it from the store.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_util::StreamExt as _;
use natter_domain::bus::{Bus, BusError, BusEvent, Envelope, Subscription};
use redis::AsyncCommands as _;
use redis::aio::ConnectionManager;
use tokio::sync::broadcast;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::LocalSubscription;
use crate::redis_conn::{RECONNECT_AT_MOST_EVERY, REDIS_TIMEOUT, manager};

/// The one channel every node publishes on and subscribes to.
const CHANNEL: &str = "natter:bus:v1";
/// The wait between two attempts to subscribe again after Redis went away, and after
/// a failed publish before the next one tries Redis rather than failing at once.
const RETRY_EVERY: Duration = RECONNECT_AT_MOST_EVERY;

pub struct RedisBus {
    node: uuid::Uuid,
    local: broadcast::Sender<BusEvent>,
    publisher: ConnectionManager,
    /// Whether this node's subscription is in place.
    subscribed: Arc<AtomicBool>,
    /// After a failed publish, publishes fail at once until then instead of each
    /// waiting for a timeout.
    publish_again_at: Mutex<Option<Instant>>,
    _subscriber: DropGuard,
}

impl RedisBus {
    /// Connects to `url` (`redis://host:port/db`) and starts this node's subscription.
    /// Fails when Redis cannot be reached now: a node does not start half-connected.
    pub async fn connect(url: &str, capacity: usize) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let publisher = manager(&client).await?;
        let (local, _) = broadcast::channel(capacity);
        let node = uuid::Uuid::now_v7();
        let subscribed = Arc::new(AtomicBool::new(false));
        let stop = CancellationToken::new();
        // Dropped on the error paths below too, which stops the subscriber.
        let subscriber = stop.clone().drop_guard();
        let (first_tx, first_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(subscribe_forever(client, node, local.clone(), subscribed.clone(), stop, first_tx));
        tokio::time::timeout(REDIS_TIMEOUT * 4, first_rx)
            .await
            .map_err(|_| anyhow::anyhow!("could not subscribe on Redis"))?
            .map_err(|_| anyhow::anyhow!("the Redis subscriber stopped"))?;
        Ok(Self {
            node,
            local,
            publisher,
            subscribed,
            publish_again_at: Mutex::new(None),
            _subscriber: subscriber,
        })
    }

    fn publish_failed(&self, why: String) -> BusError {
        *self.publish_again_at.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Instant::now() + RETRY_EVERY);
        BusError::Unavailable(why)
    }
}

#[async_trait]
impl Bus for RedisBus {
    async fn publish(&self, event: BusEvent) -> Result<(), BusError> {
        let frame = frame(self.node, &event);
        // This node's sockets first: they never wait for, or depend on, Redis.
        let _ = self.local.send(event);
        let waiting = self
            .publish_again_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|t| Instant::now() < t);
        if waiting || !self.connected() {
            return Err(BusError::Unavailable(
                "Redis is down; the other nodes catch up from the store".into(),
            ));
        }
        let mut conn = self.publisher.clone();
        match tokio::time::timeout(REDIS_TIMEOUT, conn.publish::<_, _, i64>(CHANNEL, frame)).await {
            Ok(Ok(_receivers)) => Ok(()),
            Ok(Err(e)) => Err(self.publish_failed(e.to_string())),
            Err(_) => Err(self.publish_failed("Redis did not answer in time".into())),
        }
    }

    fn subscribe(&self) -> Box<dyn Subscription> {
        Box::new(LocalSubscription(self.local.subscribe()))
    }

    fn backlog(&self) -> usize {
        self.local.len()
    }

    fn spans_nodes(&self) -> bool {
        true
    }

    /// Whether this node's subscription is in place: it hears the others.
    fn connected(&self) -> bool {
        self.subscribed.load(Ordering::Relaxed)
    }
}

/// `<node id>\n<envelope JSON>`.
fn frame(node: uuid::Uuid, event: &BusEvent) -> Vec<u8> {
    let mut out = node.as_hyphenated().to_string().into_bytes();
    out.push(b'\n');
    out.extend_from_slice(&Envelope::encode(event));
    out
}

/// The sender and the event of a frame; `None` for one that is not ours to read.
fn unframe(bytes: &[u8]) -> Option<(uuid::Uuid, Result<BusEvent, BusError>)> {
    let split = bytes.iter().position(|b| *b == b'\n')?;
    let node = std::str::from_utf8(&bytes[..split]).ok()?.parse().ok()?;
    Some((node, Envelope::decode(&bytes[split + 1..])))
}

/// The node's one subscription: forwards the other nodes' events to the local
/// subscribers, and subscribes again whenever the connection drops.
async fn subscribe_forever(
    client: redis::Client,
    node: uuid::Uuid,
    local: broadcast::Sender<BusEvent>,
    subscribed: Arc<AtomicBool>,
    stop: CancellationToken,
    first: tokio::sync::oneshot::Sender<()>,
) {
    let mut first = Some(first);
    loop {
        let attempt = async {
            let mut pubsub =
                tokio::time::timeout(REDIS_TIMEOUT, client.get_async_pubsub()).await.ok()?.ok()?;
            pubsub.subscribe(CHANNEL).await.ok()?;
            Some(pubsub)
        };
        let pubsub = tokio::select! {
            () = stop.cancelled() => return,
            p = attempt => p,
        };
        if let Some(pubsub) = pubsub {
            if let Some(tx) = first.take() {
                let _ = tx.send(());
            } else {
                tracing::info!("subscribed on Redis again; cross-node delivery resumes");
            }
            subscribed.store(true, Ordering::Relaxed);
            let mut messages = pubsub.into_on_message();
            loop {
                let msg = tokio::select! {
                    () = stop.cancelled() => return,
                    m = messages.next() => m,
                };
                let Some(msg) = msg else { break };
                match unframe(msg.get_payload_bytes()) {
                    Some((from, _)) if from == node => {}
                    Some((_, Ok(event))) => {
                        let _ = local.send(event);
                    }
                    Some((_, Err(e))) => tracing::warn!(error = %e, "dropped a bus event from another node"),
                    None => tracing::warn!("dropped a message on the bus channel that no natter node sent"),
                }
            }
            subscribed.store(false, Ordering::Relaxed);
            tracing::warn!("lost the Redis subscription; this node serves its own sockets until it is back");
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(RETRY_EVERY) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use natter_domain::ids::SessionId;

    use super::*;

    #[test]
    fn a_frame_names_its_node_and_round_trips() {
        let node = uuid::Uuid::now_v7();
        let event = BusEvent::SessionRevoked { session_id: SessionId::new() };
        let (from, back) = unframe(&frame(node, &event)).unwrap();
        assert_eq!(from, node);
        assert_eq!(back.unwrap(), event);
        assert!(unframe(b"no newline").is_none());
        assert!(unframe(b"not-a-uuid\n{}").is_none());
    }
}
