//! `/media/<chat id>/<file>`: uploaded images, to members of that chat only.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::json_error;
use crate::extract::Auth;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/media/{*key}", get(get_media))
}

async fn get_media(
    State(s): State<AppState>,
    auth: Result<Auth, Response>,
    Path(key): Path<String>,
) -> Response {
    let not_found = || json_error(StatusCode::NOT_FOUND, "not_found", "There is nothing here.");
    // Without a session the answer is the same as for a key that does not exist.
    let Ok(auth) = auth else { return not_found() };
    match s.media.fetch(auth.ctx, &key).await {
        Ok(obj) => {
            let mut res = obj.bytes.into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(obj.content_type));
            // Keys are random and never reused for other bytes.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
            h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
            // Bytes from users: even opened as a page of their own, they run nothing,
            // load nothing, and other sites may not embed them.
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            );
            h.insert(
                axum::http::HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("same-site"),
            );
            res
        }
        Err(natter_app::AppError::Unexpected(e)) => {
            tracing::error!(error = ?e, "media read failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side.")
        }
        Err(_) => not_found(),
    }
}
