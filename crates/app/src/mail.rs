//! The mail worker: delivers queued mail jobs with retries and backoff. Jobs are
//! leased, not deleted, while in flight, so a worker that dies mid-delivery leaves
//! the job to be picked up again when the lease runs out (also after a restart).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use natter_domain::entities::{JobKind, LeasedJob};
use natter_domain::ports::{Clock, Jobs, Mailer};
use tokio::sync::Notify;

use crate::job_seal::JobSeal;
use crate::metrics::Metrics;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// How long a claimed job stays invisible to other workers.
    pub lease: Duration,
    /// Wait before the first retry; doubles with each failure up to `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// After this many failed tries the job is dead-lettered.
    pub max_attempts: u32,
    /// How often to look for due jobs when nothing wakes the worker.
    pub poll_every: Duration,
    /// One delivery may take at most this long.
    pub send_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            max_attempts: 12,
            poll_every: Duration::from_secs(1),
            send_timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    fn backoff(&self, attempts_so_far: u32) -> Duration {
        let factor = 1u32.checked_shl(attempts_so_far.min(20)).unwrap_or(u32::MAX);
        self.first_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

pub struct MailWorker {
    jobs: Arc<dyn Jobs>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    seal: JobSeal,
    metrics: Arc<Metrics>,
    policy: RetryPolicy,
}

impl MailWorker {
    pub fn new(
        jobs: Arc<dyn Jobs>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        wake: Arc<Notify>,
        seal: JobSeal,
        metrics: Arc<Metrics>,
        policy: RetryPolicy,
    ) -> Self {
        Self { jobs, mailer, clock, wake, seal, metrics, policy }
    }

    /// Deliver jobs until `shutdown` resolves; an in-flight delivery is finished first.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let worked = match self.run_one().await {
                Ok(worked) => worked,
                Err(e) => {
                    tracing::error!(error = ?e, "mail worker could not read the job queue");
                    false
                }
            };
            if worked {
                continue;
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.policy.poll_every) => {}
            }
        }
    }

    /// Claim and deliver one due job; `false` when none was due.
    pub async fn run_one(&self) -> anyhow::Result<bool> {
        let now = self.clock.now();
        let Some(job) = self.jobs.claim(now, now.plus(self.policy.lease)).await? else {
            return Ok(false);
        };
        self.deliver(job).await?;
        Ok(true)
    }

    async fn deliver(&self, job: LeasedJob) -> anyhow::Result<()> {
        let mail = match self.seal.open(&job) {
            Ok(JobKind::SendMail(mail)) => mail,
            Err(e) => {
                // Sealed with another secret, or corrupt: no retry can read it.
                let error = format!("{e:#}");
                tracing::error!(job.id = %job.id, %error, "job dead-lettered: its payload cannot be opened");
                self.metrics.mailed("dead");
                self.settled(&job, self.jobs.fail(&job, &error, None, self.clock.now()).await?);
                return Ok(());
            }
        };
        let result = tokio::time::timeout(self.policy.send_timeout, self.mailer.send(&mail)).await;
        let now = self.clock.now();
        let error = match result {
            Ok(Ok(())) => {
                self.settled(&job, self.jobs.complete(&job, now).await?);
                self.metrics.mailed("delivered");
                tracing::info!(job.id = %job.id, to = %mail.to, "mail delivered");
                return Ok(());
            }
            Ok(Err(e)) => format!("{e:#}"),
            Err(_) => "delivery timed out".to_owned(),
        };
        let attempts = job.attempts + 1;
        let retry_at = if attempts >= self.policy.max_attempts {
            tracing::error!(job.id = %job.id, to = %mail.to, %error, attempts, "mail dead-lettered");
            None
        } else {
            let wait = self.policy.backoff(job.attempts);
            tracing::warn!(job.id = %job.id, to = %mail.to, %error, attempts, retry_in = ?wait, "mail delivery failed");
            Some(now.plus(wait))
        };
        self.settled(&job, self.jobs.fail(&job, &error, retry_at, now).await?);
        self.metrics.mailed(if retry_at.is_some() { "retried" } else { "dead" });
        Ok(())
    }

    /// A settle that found the lease gone: the delivery took longer than the lease and
    /// another worker holds the job now (it may mail it again: at least once).
    fn settled(&self, job: &LeasedJob, held: bool) {
        if !held {
            tracing::warn!(job.id = %job.id, lease = ?self.policy.lease, "job lease lost before it was settled");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0), Duration::from_secs(1));
        assert_eq!(p.backoff(3), Duration::from_secs(8));
        assert_eq!(p.backoff(30), Duration::from_secs(300));
    }
}
