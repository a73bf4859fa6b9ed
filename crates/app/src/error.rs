use std::time::Duration;

use natter_domain::{StoreError, ValidationError};

pub type AppResult<T, E = AppError> = Result<T, E>;

/// What a use-case can answer besides success. The HTTP layer turns each into the JSON
/// error of the wire contract; `Unexpected` is logged there and never shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Validation(#[from] ValidationError),
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("you need to log in")]
    Unauthenticated,
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// The request fits the rules but not the thing's state now (a deleted message).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    PayloadTooLarge { message: String },
    /// Well-formed but refused for what it is (an image with too many pixels).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    #[error("{message}")]
    RateLimited { code: &'static str, message: String, retry_after: Duration },
    /// The server is at capacity: nothing was done, the same request may be retried.
    #[error("The server is busy. Try again in a moment.")]
    Overloaded,
    /// A backend this request needs is down (the shared rate limiter, say): nothing
    /// was done, and limits are never skipped for it.
    #[error("Part of natter is unavailable ({what}). Try again in a moment.")]
    Unavailable { what: &'static str },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::NotFound { code, message: message.into() }
    }
}

impl From<natter_domain::ports::LimiterUnavailable> for AppError {
    fn from(e: natter_domain::ports::LimiterUnavailable) -> Self {
        tracing::warn!(error = %e, "refused: the rate limiter cannot answer");
        Self::Unavailable { what: "rate limits" }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found("not_found", "not found"),
            StoreError::Conflict { constraint } => {
                Self::Unexpected(anyhow::anyhow!("unexpected conflict on {constraint}"))
            }
            StoreError::Busy => Self::Overloaded,
            StoreError::Other(e) => Self::Unexpected(e),
        }
    }
}
