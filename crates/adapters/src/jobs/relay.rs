//! The outbox relay (`NATTER_AMQP_URL`): moves due jobs from the store's outbox to the
//! broker's work queue and marks each relayed only after the broker confirmed it.
//!
//! Safe on every node at once: a job is claimed under a lease (`for update skip
//! locked` on PostgreSQL), so two relays never publish it together. A relay that dies
//! between the confirm and its mark leaves the lease to run out and the job is
//! published again: the consumers' dedupe (the store's row) mails it once. While the
//! broker is away nothing is claimed: logins go on writing to the outbox, and the
//! relay catches up once the link connects again.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use natter_domain::ports::{Clock, Store};
use tokio::sync::Notify;

use super::topology::{JobMessage, WORK_QUEUE};
use crate::amqp_conn::AmqpLink;

/// How long a claimed job is the relay's: long enough for a publish and its confirm
/// (the link gives up on a confirm after 5 s), short, because a publish that failed
/// leaves the job waiting this long before any relay tries it again.
pub const RELAY_LEASE: Duration = Duration::from_secs(10);
/// How often to look at the outbox when nothing wakes the relay (a login on this node
/// does; one on another node is seen here within this).
const POLL_EVERY: Duration = Duration::from_millis(500);
/// After a failure (broker or store away): the link paces its connects on its own.
const RETRY_EVERY: Duration = Duration::from_millis(200);

pub struct AmqpRelay {
    link: Arc<AmqpLink>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
}

impl AmqpRelay {
    /// `wake` is what the use-cases notify after they queued a job.
    pub fn new(link: Arc<AmqpLink>, store: Arc<dyn Store>, clock: Arc<dyn Clock>, wake: Arc<Notify>) -> Self {
        Self { link, store, clock, wake }
    }

    /// Relay until `shutdown` resolves; a publish in flight is finished first.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut failing = false;
        loop {
            let pause = match self.relay_due().await {
                Ok(relayed) => {
                    if failing {
                        tracing::info!(relayed, "the outbox relay reaches the broker again");
                        failing = false;
                    }
                    POLL_EVERY
                }
                Err(e) => {
                    // Once per outage: the mail waits in the outbox meanwhile.
                    if !failing {
                        tracing::warn!(error = %format!("{e:#}"), "the outbox relay cannot publish; mail waits in the outbox");
                        failing = true;
                    }
                    RETRY_EVERY
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Publish every due job, one at a time, each confirmed before it is marked.
    pub async fn relay_due(&self) -> anyhow::Result<usize> {
        // Claim nothing while the broker is away: a claimed job that cannot be
        // published waits out its lease.
        self.link.ready().await?;
        let mut relayed = 0;
        loop {
            let now = self.clock.now();
            let Some(job) =
                self.store.claim_job(now, now.plus(RELAY_LEASE)).await.context("cannot read the outbox")?
            else {
                return Ok(relayed);
            };
            let message = JobMessage { id: job.id, kind: job.kind.clone(), attempts: job.attempts };
            self.link.publish(WORK_QUEUE, &job.sealed, message.properties()).await?;
            if !self.store.relay_job(job.id, job.lease, self.clock.now()).await? {
                // A consumer got the message before this mark and took the job.
                tracing::debug!(job.id = %job.id, "relayed job was taken before it was marked");
            }
            relayed += 1;
        }
    }
}
