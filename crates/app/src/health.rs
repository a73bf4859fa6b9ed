//! Readiness: is every backend this node depends on reachable, and is every worker
//! this node runs (the fan-out, the mail worker) still running?

use std::sync::{Arc, Mutex, PoisonError};

use natter_domain::ports::Store;

/// Whether a backend other than the store answers now (it keeps its own state).
pub type Probe = Arc<dyn Fn() -> bool + Send + Sync>;

pub struct Health {
    store: Arc<dyn Store>,
    probes: Vec<(&'static str, Probe)>,
    /// Set once a worker this node cannot do without has stopped.
    failed: Mutex<Option<&'static str>>,
}

/// Why this node is not ready, in words for the answer (names, never secrets).
#[derive(Debug, PartialEq, Eq)]
pub struct NotReady(pub String);

impl Health {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store, probes: Vec::new(), failed: Mutex::new(None) }
    }

    /// Another backend this node needs, named as `/readyz` reports it.
    pub fn with_probe(mut self, name: &'static str, probe: Probe) -> Self {
        self.probes.push((name, probe));
        self
    }

    /// The dependencies checked, when all answer.
    pub async fn ready(&self) -> Result<Vec<&'static str>, NotReady> {
        if let Some(what) = *self.failed.lock().unwrap_or_else(PoisonError::into_inner) {
            return Err(NotReady(format!("{what} stopped")));
        }
        let mut down = Vec::new();
        if let Err(e) = self.store.ping().await {
            tracing::warn!(error = %e, "the store does not answer");
            down.push("store");
        }
        down.extend(self.probes.iter().filter(|(_, up)| !up()).map(|(name, _)| *name));
        if !down.is_empty() {
            return Err(NotReady(format!("not reachable: {}", down.join(", "))));
        }
        Ok(std::iter::once("store").chain(self.probes.iter().map(|(name, _)| *name)).collect())
    }

    /// `what` ("the fan-out") stopped for good: this node is no longer ready.
    pub fn fail(&self, what: &'static str) {
        self.failed.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(what);
    }
}
