//! Readiness: is every backend this node depends on reachable, and is every worker
//! this node runs (the fan-out, the mail worker) still running?

use std::sync::{Arc, Mutex, PoisonError};

use natter_domain::ports::Store;

use crate::{AppError, AppResult};

pub struct Health {
    store: Arc<dyn Store>,
    /// Set once a worker this node cannot do without has stopped.
    failed: Mutex<Option<&'static str>>,
}

impl Health {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store, failed: Mutex::new(None) }
    }

    pub async fn ready(&self) -> AppResult<()> {
        if let Some(what) = *self.failed.lock().unwrap_or_else(PoisonError::into_inner) {
            return Err(AppError::Unexpected(anyhow::anyhow!("{what} stopped")));
        }
        self.store.ping().await?;
        Ok(())
    }

    /// `what` ("the fan-out") stopped for good: this node is no longer ready.
    pub fn fail(&self, what: &'static str) {
        self.failed.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(what);
    }
}
