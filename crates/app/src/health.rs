//! Readiness: is every backend this node depends on reachable?

use std::sync::Arc;

use natter_domain::ports::Store;

use crate::AppResult;

pub struct Health {
    store: Arc<dyn Store>,
}

impl Health {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    pub async fn ready(&self) -> AppResult<()> {
        self.store.ping().await?;
        Ok(())
    }
}
