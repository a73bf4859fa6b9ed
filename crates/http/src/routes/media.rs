//! `/media/<chat id>/<file>[?exp=&sig=]`: uploaded images, to members of that chat or
//! to the holder of a signed link (the URLs in messages are signed).

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, json_error};
use crate::extract::{Auth, Path};
use crate::state::AppState;
use natter_app::wire::ErrorDto;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_media))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Signature {
    /// When the link expires (Unix seconds).
    exp: Option<i64>,
    /// The link's signature.
    sig: Option<String>,
}

/// An uploaded image, for a valid unexpired signed link (the URLs in messages) or a
/// session of a member of its chat.
#[utoipa::path(
    get,
    path = "/media/{chat_id}/{file}",
    tag = "media",
    params(
        ("chat_id" = String, Path, description = "The chat the image was sent in."),
        ("file" = String, Path, description = "The file's name, as in a message's image URL."),
        Signature,
    ),
    security((), ("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The bytes, with `nosniff` and `CSP: default-src 'none'; sandbox`.",
            content(("image/jpeg"), ("image/png"), ("image/webp"), ("image/gif"))),
        (status = 404, description = "`not_found`: for anything you may not see, an expired or altered \
            signature and a malformed query included.", body = ErrorDto),
        (status = 503, description = "`unavailable` (the media storage cannot be reached) or `overloaded`: \
            try again after `Retry-After` seconds.", body = ErrorDto),
    ),
)]
async fn get_media(
    State(s): State<AppState>,
    auth: Result<Auth, Response>,
    path: Result<Path<(String, String)>, Response>,
    signature: Result<Query<Signature>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let not_found = || json_error(StatusCode::NOT_FOUND, "not_found", "There is nothing here.");
    let Ok(Path((chat_id, file))) = path else { return not_found() };
    let key = format!("{chat_id}/{file}");
    // A malformed query (an `exp` that is no integer) is one more thing that may not be
    // seen: the same 404, a session of a member notwithstanding.
    let Ok(Query(q)) = signature else { return not_found() };
    let signature = q.exp.zip(q.sig);
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
        // Nothing is learnt from these (they come after the access check): the client
        // should try again, not conclude that the image is gone.
        Err(e @ (natter_app::AppError::Unavailable { .. } | natter_app::AppError::Overloaded)) => {
            ApiError(e).into_response()
        }
        Err(_) => not_found(),
    }
}
