//! `/media/<chat id>/<file>[?exp=&sig=]`: uploaded images, to members of that chat or
//! to the holder of a signed link (the URLs in messages are signed).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::json_error;
use crate::extract::Auth;
use crate::state::AppState;
use natter_app::wire::ErrorDto;

pub fn router() -> Router<AppState> {
    Router::new().route("/media/{*key}", get(get_media))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Signature {
    /// When the link expires (Unix seconds).
    exp: Option<i64>,
    /// The link's signature.
    sig: Option<String>,
}

/// An uploaded image, for a valid unexpired signed link (the URLs in messages) or a
/// session of a member of its chat. The router takes the key as a wildcard
/// (`/media/{*key}`): it is `<chat id>/<file>`, a `/` included.
#[utoipa::path(
    get,
    path = "/media/{key}",
    tag = "media",
    params(("key" = String, Path, description = "`<chat id>/<file>`, as in a message's image URL."), Signature),
    security((), ("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The bytes, with `nosniff` and `CSP: default-src 'none'; sandbox`.",
            content(("image/jpeg"), ("image/png"), ("image/webp"), ("image/gif"))),
        (status = 404, description = "`not_found`: for anything you may not see, an expired or altered \
            signature and a malformed query included.", body = ErrorDto),
    ),
)]
pub(crate) async fn get_media(
    State(s): State<AppState>,
    auth: Result<Auth, Response>,
    Path(key): Path<String>,
    signature: Result<Query<Signature>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let not_found = || json_error(StatusCode::NOT_FOUND, "not_found", "There is nothing here.");
    // A malformed query is one more thing that may not be seen: the same 404.
    let signature = signature.ok().and_then(|Query(q)| q.exp.zip(q.sig));
    let who = auth.ok().map(|a| a.ctx);
    match s.media.fetch(who, &key, signature.as_ref().map(|(e, s)| (*e, s.as_str()))).await {
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
