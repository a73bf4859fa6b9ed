//! Cross-cutting HTTP behaviour: request ids, tracing, security headers, the origin
//! rule for unsafe requests, and JSON for every error whoever produced it.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::json_error;
use crate::extract::{bearer_token, is_safe};
use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A browser that sends an `Origin` on an unsafe request must be one of ours, on every
/// route: that stops cross-site forms from logging a victim into someone else's
/// account. Bearer-authenticated API clients are not browsers and are exempt.
pub async fn origin_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_safe(req.method()) {
        let (parts, body) = req.into_parts();
        let origin = parts.headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        if let Some(origin) = origin
            && bearer_token(&parts).is_none()
            && !state.origins.allows(origin)
        {
            return json_error(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "This request must come from the natter web client.",
            );
        }
        return next.run(Request::from_parts(parts, body)).await;
    }
    next.run(req).await
}

/// Whatever answered with an error (a layer, the router, an extractor we did not
/// wrap), the client gets JSON and never HTML or an internal cause.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "There is nothing here."),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "This method is not allowed here."),
        StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "The request body is too large."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "This content type is not accepted here.")
        }
        StatusCode::REQUEST_TIMEOUT => ("timeout", "The request took too long."),
        StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "Too many requests."),
        s if s.is_client_error() => ("bad_request", "The request is not valid."),
        _ => ("internal", "Something went wrong on our side."),
    };
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let json = json_error(status, code, message);
    let (json_parts, body) = json.into_parts();
    for (name, value) in json_parts.headers.iter() {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, Body::new(body))
}

/// Headers every response carries (applied by `edge`, so Socket.IO's too). A route
/// that sets one of them (media) keeps its own.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; \
         connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'",
    );
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()");
    res
}
