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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::Validation(_) => match ErrorDto::of(&self.0) {
                Some(body) => (StatusCode::BAD_REQUEST, axum::Json(body)).into_response(),
                None => json_error(StatusCode::BAD_REQUEST, "invalid_body", "The request is not valid."),
            },
            AppError::BadRequest { code, message } => json_error(StatusCode::BAD_REQUEST, code, &message),
            AppError::Unauthenticated => {
                json_error(StatusCode::UNAUTHORIZED, "unauthenticated", "You need to log in.")
            }
            AppError::Forbidden { code, message } => json_error(StatusCode::FORBIDDEN, code, &message),
            AppError::NotFound { code, message } => json_error(StatusCode::NOT_FOUND, code, &message),
            AppError::PayloadTooLarge { message } => {
                json_error(StatusCode::PAYLOAD_TOO_LARGE, "too_large", &message)
            }
            AppError::Unprocessable { code, message } => {
                json_error(StatusCode::UNPROCESSABLE_ENTITY, code, &message)
            }
            AppError::RateLimited { code, message, retry_after } => {
                let mut res = json_error(StatusCode::TOO_MANY_REQUESTS, code, &message);
                let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
                res
            }
            AppError::Overloaded => {
                let mut res = json_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "overloaded",
                    &AppError::Overloaded.to_string(),
                );
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(1));
                res
            }
            AppError::Unexpected(e) => {
                tracing::error!(error = ?e, "request failed");
                json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side.")
            }
        }
    }
}
