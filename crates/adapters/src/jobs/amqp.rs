//! Jobs from RabbitMQ (`NATTER_AMQP_URL`): the mail role's side of the broker. A task
//! consumes `natter.mail` (manual acks, a prefetch) and hands deliveries to the mail
//! worker through this port; the worker's verdict moves the message on: done is
//! acknowledged, a failed try goes to the delay queue of its backoff (and from there
//! back to work) with its try counted in a header, a job given up on goes to
//! `natter.mail.dead`.
//!
//! The broker delivers at least once (a consumer that dies before its ack gets its
//! messages redelivered; a relay that dies between the confirm and its mark publishes
//! again), so the store's row decides: a delivery takes the job under a lease
//! (`Store::take_relayed_job`) and the worker marks it done there after sending and
//! before the ack. A delivery of a job that is done already is acknowledged unmailed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use lapin::acker::Acker;
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use natter_domain::Timestamp;
use natter_domain::entities::{LeaseId, LeasedJob, RelayedClaim};
use natter_domain::ports::{Jobs, Store};
use tokio::sync::{Notify, mpsc};

use super::topology::{self, DEAD_QUEUE, JobMessage, WORK_QUEUE};
use crate::amqp_conn::AmqpLink;

/// Deliveries the broker may hand this node before it acknowledged any: enough to
/// keep the worker busy across a round trip, few enough that a node that dies takes
/// little with it (the broker redelivers those).
pub const PREFETCH: u16 = 8;
/// The pause between two tries to start consuming while the broker is away (the link
/// paces the connects themselves).
const RESUBSCRIBE_EVERY: Duration = Duration::from_millis(200);

pub struct AmqpJobs {
    link: Arc<AmqpLink>,
    store: Arc<dyn Store>,
    deliveries: tokio::sync::Mutex<mpsc::Receiver<Delivery>>,
    /// The acker of each delivery the worker holds, by the lease it took.
    held: Mutex<HashMap<LeaseId, Acker>>,
}

impl AmqpJobs {
    /// Start consuming (now, or as soon as the broker is reachable); `wake` is notified
    /// on each delivery, for the worker that waits on it.
    pub fn start(link: Arc<AmqpLink>, store: Arc<dyn Store>, wake: Arc<Notify>) -> Arc<Self> {
        let (tx, rx) = mpsc::channel(usize::from(PREFETCH));
        tokio::spawn(consume(link.clone(), tx, wake));
        Arc::new(Self {
            link,
            store,
            deliveries: tokio::sync::Mutex::new(rx),
            held: Mutex::new(HashMap::new()),
        })
    }

    fn hold(&self, lease: LeaseId, acker: Acker) {
        self.held.lock().unwrap_or_else(PoisonError::into_inner).insert(lease, acker);
    }

    fn release(&self, lease: LeaseId) -> Option<Acker> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner).remove(&lease)
    }

    /// Move a copy of the message on to `queue` (confirmed), with `attempts` tries so
    /// far; the delivery itself is acknowledged only after that.
    async fn forward(
        &self,
        queue: &str,
        message: &JobMessage,
        body: &[u8],
        attempts: u32,
    ) -> anyhow::Result<()> {
        let next = JobMessage { attempts, ..message.clone() };
        self.link.publish(queue, body, next.properties()).await
    }

    /// Publish to the delay queue of `delay`, declared first (idempotent).
    async fn delay(
        &self,
        delay: Duration,
        message: &JobMessage,
        body: &[u8],
        attempts: u32,
    ) -> anyhow::Result<()> {
        let queue = topology::retry_queue(delay);
        self.link.declare(&queue, topology::retry_arguments(delay)).await?;
        self.forward(&queue, message, body, attempts).await
    }
}

#[async_trait]
impl Jobs for AmqpJobs {
    async fn claim(&self, now: Timestamp, lease_until: Timestamp) -> anyhow::Result<Option<LeasedJob>> {
        loop {
            let Ok(delivery) = self.deliveries.lock().await.try_recv() else { return Ok(None) };
            let Some(message) = JobMessage::read(&delivery.properties) else {
                // Not one of natter's messages: kept for an operator, out of the way.
                tracing::error!("a message without a job id on {WORK_QUEUE}: moved to {DEAD_QUEUE}");
                self.link.publish(DEAD_QUEUE, &delivery.data, delivery.properties.clone()).await?;
                ack(&delivery.acker).await;
                continue;
            };
            let claim = match self.store.take_relayed_job(message.id, now, lease_until).await {
                Ok(claim) => claim,
                Err(e) => {
                    // Undecided: back to the broker, and the worker pauses before the next.
                    nack(&delivery.acker).await;
                    return Err(e.into());
                }
            };
            match claim {
                RelayedClaim::Leased(lease) => {
                    self.hold(lease, delivery.acker);
                    return Ok(Some(LeasedJob {
                        id: message.id,
                        kind: message.kind,
                        sealed: delivery.data,
                        attempts: message.attempts,
                        lease,
                    }));
                }
                RelayedClaim::Settled => {
                    tracing::info!(job.id = %message.id, "a job delivered again after it was settled: acknowledged, not mailed");
                    ack(&delivery.acker).await;
                }
                RelayedClaim::Busy => {
                    // Another delivery holds it: this copy comes back when that lease
                    // ends, and is dropped then if the job was done meanwhile.
                    let wait = between(now, lease_until);
                    self.delay(wait, &message, &delivery.data, message.attempts).await?;
                    ack(&delivery.acker).await;
                }
                RelayedClaim::Unknown => {
                    tracing::error!(job.id = %message.id, "a message for a job this store does not have: moved to {DEAD_QUEUE}");
                    self.forward(DEAD_QUEUE, &message, &delivery.data, message.attempts).await?;
                    ack(&delivery.acker).await;
                }
            }
        }
    }

    async fn complete(&self, job: &LeasedJob, now: Timestamp) -> anyhow::Result<bool> {
        // Done in the store before the ack: a delivery of it after a crash right here
        // finds it done and is not mailed again.
        let done = self.store.complete_job(job.id, job.lease, now).await;
        let acker = self.release(job.lease);
        match (&done, acker) {
            (Ok(_), Some(acker)) => ack(&acker).await,
            // Not recorded: the broker delivers it again, and it may be mailed twice.
            (Err(_), Some(acker)) => nack(&acker).await,
            (_, None) => {}
        }
        Ok(done?)
    }

    async fn fail(
        &self,
        job: &LeasedJob,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> anyhow::Result<bool> {
        let Some(acker) = self.release(job.lease) else {
            return Ok(self.store.fail_job(job.id, job.lease, error, retry_at, now).await?);
        };
        let recorded = match self.store.fail_job(job.id, job.lease, error, retry_at, now).await {
            Ok(held) => held,
            Err(e) => {
                nack(&acker).await;
                return Err(e.into());
            }
        };
        let message = JobMessage { id: job.id, kind: job.kind.clone(), attempts: job.attempts };
        let tried = job.attempts + 1;
        let moved = match retry_at {
            Some(at) => {
                let wait = between(now, at);
                self.delay(wait, &message, &job.sealed, tried).await
            }
            None => self.forward(DEAD_QUEUE, &message, &job.sealed, tried).await,
        };
        match moved {
            Ok(()) => ack(&acker).await,
            // The store has the try; the broker delivers the message again (a try
            // sooner than its backoff), or finds it dead and drops it.
            Err(e) => {
                nack(&acker).await;
                return Err(e);
            }
        }
        Ok(recorded)
    }
}

/// Feed deliveries of `natter.mail` into `tx` for as long as the port lives,
/// consuming again whenever the channel or the connection is lost.
async fn consume(link: Arc<AmqpLink>, tx: mpsc::Sender<Delivery>, wake: Arc<Notify>) {
    loop {
        let mut consumer = tokio::select! {
            () = tx.closed() => return,
            started = link.consume(WORK_QUEUE, PREFETCH) => match started {
                Ok(c) => c,
                Err(e) => {
                    tracing::debug!(error = %format!("{e:#}"), "not consuming mail jobs yet");
                    tokio::time::sleep(RESUBSCRIBE_EVERY).await;
                    continue;
                }
            },
        };
        tracing::info!("consuming mail jobs from {WORK_QUEUE}");
        loop {
            let next = tokio::select! {
                () = tx.closed() => return,
                next = consumer.next() => next,
            };
            match next {
                Some(Ok(delivery)) => {
                    if tx.send(delivery).await.is_err() {
                        return;
                    }
                    wake.notify_one();
                }
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "the mail consumer lost its channel; consuming again");
                    break;
                }
                None => {
                    tracing::warn!("the broker ended the mail consumer; consuming again");
                    break;
                }
            }
        }
        tokio::time::sleep(RESUBSCRIBE_EVERY).await;
    }
}

/// From `now` until `then`, at least a millisecond: a delay queue of 0 ms would not
/// delay at all.
fn between(now: Timestamp, then: Timestamp) -> Duration {
    Duration::from_millis(u64::try_from(then.as_millis() - now.as_millis()).unwrap_or(0).max(1))
}

/// Acknowledge; an ack that cannot reach the broker any more (its channel is gone) is
/// no loss: the broker delivers the message again and the store says it is settled.
async fn ack(acker: &Acker) {
    if let Err(e) = acker.ack(BasicAckOptions::default()).await {
        tracing::debug!(error = %e, "an ack did not reach the broker; it will deliver the message again");
    }
}

/// Give the delivery back to the broker, to be delivered again.
async fn nack(acker: &Acker) {
    let options = BasicNackOptions { requeue: true, ..BasicNackOptions::default() };
    if let Err(e) = acker.nack(options).await {
        tracing::debug!(error = %e, "a nack did not reach the broker; it will deliver the message again");
    }
}
