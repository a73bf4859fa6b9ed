//! Jobs from the store's outbox table, polled: the embedded default. A job is written
//! with the state that caused it (`Store::put_login_code`) and leased from the same
//! table, so nothing but the store is needed.

use std::sync::Arc;

use async_trait::async_trait;
use natter_domain::Timestamp;
use natter_domain::entities::LeasedJob;
use natter_domain::ports::{Jobs, Store};

pub struct StoreJobs {
    store: Arc<dyn Store>,
}

impl StoreJobs {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl Jobs for StoreJobs {
    async fn claim(&self, now: Timestamp, lease_until: Timestamp) -> anyhow::Result<Option<LeasedJob>> {
        Ok(self.store.claim_job(now, lease_until).await?)
    }

    async fn complete(&self, job: &LeasedJob, now: Timestamp) -> anyhow::Result<bool> {
        Ok(self.store.complete_job(job.id, job.lease, now).await?)
    }

    async fn fail(
        &self,
        job: &LeasedJob,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> anyhow::Result<bool> {
        Ok(self.store.fail_job(job.id, job.lease, error, retry_at, now).await?)
    }
}
