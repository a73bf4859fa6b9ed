//! The job worker: runs queued jobs (mail, the push check of a new message, one push
//! to one device) with retries and backoff. Jobs are leased, not deleted, while in
//! flight, so a worker that dies mid-job leaves it to be picked up again when the
//! lease runs out (also after a restart).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use natter_domain::StoreError;
use natter_domain::entities::{JobKind, LeasedJob, Mail};
use natter_domain::notify::{MessageToNotify, PushDelivery};
use natter_domain::ports::{Clock, Jobs, Mailer, PushOutcome, Pusher, Store};
use tokio::sync::Notify;

use crate::job_seal::JobSeal;
use crate::metrics::Metrics;
use crate::push::{PUSH_TTL, PushPayload, push_job};

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

/// `kind` as a metrics label: one of the names `JobKind` gives, never what a row says.
fn known_kind(kind: &str) -> &'static str {
    ["send_mail", "notify_message", "send_push"].into_iter().find(|k| *k == kind).unwrap_or("unknown")
}

/// What running a job came to.
enum Outcome {
    Done,
    /// Try again after the backoff (or give up once out of attempts).
    Retry(String),
    /// No try can succeed: dead-letter it now.
    Dead(String),
}

/// What a job worker needs besides the queue: where mail and pushes go, and the
/// store the push check reads.
pub struct JobTargets {
    pub mailer: Arc<dyn Mailer>,
    pub pusher: Arc<dyn Pusher>,
    pub store: Arc<dyn Store>,
    /// Wakes what takes jobs from the outbox (the relay to a broker, or this worker).
    pub outbox_wake: Arc<Notify>,
}

pub struct JobWorker {
    jobs: Arc<dyn Jobs>,
    targets: JobTargets,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    seal: JobSeal,
    metrics: Arc<Metrics>,
    policy: RetryPolicy,
}

impl JobWorker {
    pub fn new(
        jobs: Arc<dyn Jobs>,
        targets: JobTargets,
        clock: Arc<dyn Clock>,
        wake: Arc<Notify>,
        seal: JobSeal,
        metrics: Arc<Metrics>,
        policy: RetryPolicy,
    ) -> Self {
        Self { jobs, targets, clock, wake, seal, metrics, policy }
    }

    /// Run jobs until `shutdown` resolves; a job in flight is finished first.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let worked = match self.run_one().await {
                Ok(worked) => worked,
                Err(e) => {
                    tracing::error!(error = ?e, "job worker could not read the job queue");
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

    /// Claim and run one due job; `false` when none was due.
    pub async fn run_one(&self) -> anyhow::Result<bool> {
        let now = self.clock.now();
        let Some(job) = self.jobs.claim(now, now.plus(self.policy.lease)).await? else {
            return Ok(false);
        };
        self.deliver(job).await?;
        Ok(true)
    }

    async fn deliver(&self, job: LeasedJob) -> anyhow::Result<()> {
        let (kind, outcome) = match self.seal.open(&job) {
            Ok(kind) => {
                let name = kind.name();
                let run = self.run_kind(kind);
                let outcome = match tokio::time::timeout(self.policy.send_timeout, run).await {
                    Ok(outcome) => outcome,
                    Err(_) => Outcome::Retry("timed out".to_owned()),
                };
                (name, outcome)
            }
            // Sealed with another secret, or corrupt: no retry can read it.
            Err(e) => (known_kind(&job.kind), Outcome::Dead(format!("its payload cannot be opened: {e:#}"))),
        };
        let now = self.clock.now();
        let error = match outcome {
            Outcome::Done => {
                self.settled(&job, self.jobs.complete(&job, now).await?);
                self.metrics.job_done(kind, "delivered");
                tracing::debug!(job.id = %job.id, job.kind = kind, "job done");
                return Ok(());
            }
            Outcome::Dead(error) => {
                tracing::error!(job.id = %job.id, job.kind = kind, %error, "job dead-lettered");
                self.settled(&job, self.jobs.fail(&job, &error, None, now).await?);
                self.metrics.job_done(kind, "dead");
                return Ok(());
            }
            Outcome::Retry(error) => error,
        };
        let attempts = job.attempts + 1;
        let retry_at = if attempts >= self.policy.max_attempts {
            tracing::error!(job.id = %job.id, job.kind = kind, %error, attempts, "job dead-lettered");
            None
        } else {
            let wait = self.policy.backoff(job.attempts);
            tracing::warn!(job.id = %job.id, job.kind = kind, %error, attempts, retry_in = ?wait, "job failed");
            Some(now.plus(wait))
        };
        self.settled(&job, self.jobs.fail(&job, &error, retry_at, now).await?);
        self.metrics.job_done(kind, if retry_at.is_some() { "retried" } else { "dead" });
        Ok(())
    }

    async fn run_kind(&self, kind: JobKind) -> Outcome {
        match kind {
            JobKind::SendMail(mail) => self.mail(&mail).await,
            JobKind::NotifyMessage(m) => self.notify(m).await,
            JobKind::SendPush(delivery) => self.push(&delivery).await,
        }
    }

    async fn mail(&self, mail: &Mail) -> Outcome {
        match self.targets.mailer.send(mail).await {
            Ok(()) => {
                tracing::info!(to = %mail.to, "mail delivered");
                Outcome::Done
            }
            Err(e) => Outcome::Retry(format!("{e:#}")),
        }
    }

    /// The push check of a new message: one push job per device of each member who
    /// has not read it by now and has not muted the chat.
    async fn notify(&self, m: MessageToNotify) -> Outcome {
        let store = &self.targets.store;
        let retry = |e: StoreError| Outcome::Retry(format!("{e:#}"));
        let message = match store.get_message(m.message_id).await {
            Ok(message) => message,
            // Gone with its chat: nothing to push.
            Err(StoreError::NotFound) => return Outcome::Done,
            Err(e) => return retry(e),
        };
        let targets = match store.push_targets(m.message_id).await {
            Ok(t) if t.is_empty() => return Outcome::Done,
            Ok(t) => t,
            Err(e) => return retry(e),
        };
        let (sender, chat) = match (store.get_user(message.sender).await, store.get_chat(m.chat_id).await) {
            (Ok(s), Ok(c)) => (s, c),
            (Err(StoreError::NotFound), _) | (_, Err(StoreError::NotFound)) => return Outcome::Done,
            (Err(e), _) | (_, Err(e)) => return retry(e),
        };
        let group_name = if chat.is_group { chat.name.as_deref() } else { None };
        let payload = match serde_json::to_string(&PushPayload::for_message(
            &message,
            sender.name.as_str(),
            group_name,
        )) {
            Ok(p) => p,
            Err(e) => return Outcome::Dead(format!("cannot encode the notification: {e}")),
        };
        let mut jobs = Vec::with_capacity(targets.len());
        for t in targets {
            let delivery =
                PushDelivery { user: t.user, subscription: t.subscription, payload: payload.clone() };
            match push_job(&self.seal, &message, delivery) {
                Ok(job) => jobs.push(job),
                Err(e) => return Outcome::Dead(format!("{e:#}")),
            }
        }
        match store.enqueue_jobs(jobs, self.clock.now()).await {
            Ok(()) => {
                self.targets.outbox_wake.notify_one();
                Outcome::Done
            }
            Err(e) => retry(e),
        }
    }

    async fn push(&self, d: &PushDelivery) -> Outcome {
        match self.targets.pusher.push(&d.subscription, d.payload.as_bytes(), PUSH_TTL).await {
            PushOutcome::Delivered => Outcome::Done,
            PushOutcome::Gone => {
                // The browser dropped the subscription: forget the device.
                match self.targets.store.delete_push_subscription(None, &d.subscription.endpoint).await {
                    Ok(_) => {
                        tracing::info!(user.id = %d.user, "push subscription gone; forgotten");
                        Outcome::Done
                    }
                    Err(e) => Outcome::Retry(format!("{e:#}")),
                }
            }
            PushOutcome::Refused(e) => Outcome::Dead(e),
            PushOutcome::Failed(e) => Outcome::Retry(e),
        }
    }

    /// A settle that found the lease gone: the job took longer than the lease and
    /// another worker holds it now (it may run it again: at least once).
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
