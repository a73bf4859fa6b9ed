//! Every error leaves as the JSON of the wire contract: `{ message, code, fields? }`.
//! An unexpected cause is logged once, inside the request span, and never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use natter_app::AppError;
use natter_app::wire::ErrorDto;

pub fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(ErrorDto::new(code, message))).into_response()
}

/// A use-case error on its way out.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The status of each kind of use-case error; what the body says is `ErrorDto::of`,
/// the one mapping that the socket acks use too.
fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Validation(_) | AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
        AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Overloaded | AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Some(body) = ErrorDto::of(&self.0) else {
            tracing::error!(error = ?self.0, "request failed");
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side.",
            );
        };
        let mut res = (status_of(&self.0), axum::Json(body)).into_response();
        // When to try again: as the limit says, or in a moment when the server is busy.
        let retry_after = match &self.0 {
            AppError::RateLimited { retry_after, .. } => {
                Some((retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0)).max(1))
            }
            AppError::Overloaded => Some(1),
            AppError::Unavailable { .. } => Some(5),
            _ => None,
        };
        if let Some(secs) = retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}
