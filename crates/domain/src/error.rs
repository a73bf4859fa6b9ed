use std::collections::BTreeMap;

/// A value from outside failed validation. `field` names the input it came from so
/// the HTTP layer can answer `{ fields: { email: "…" } }`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    pub code: &'static str,
    pub message: String,
    pub fields: BTreeMap<&'static str, String>,
}

impl ValidationError {
    pub fn field(code: &'static str, field: &'static str, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        let mut fields = BTreeMap::new();
        fields.insert(field, reason.clone());
        Self { code, message: format!("{field}: {reason}"), fields }
    }
}

/// What a Store backend may answer besides success; backends map their driver's
/// errors onto these so no driver type crosses the port.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    /// More work is waiting than the backend takes on: try again shortly.
    #[error("the store is at capacity")]
    Busy,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}
