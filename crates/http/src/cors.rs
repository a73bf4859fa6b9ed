//! CORS for web pages served from elsewhere (API.md, "Cross-origin clients"): the
//! public URL's origin and each of `NATTER_ALLOWED_ORIGINS` may call `/api/*`,
//! `/media/*` and `/socket.io/` with credentials. Any other origin gets no CORS header
//! at all, so its pages cannot read our answers; `*` and `null` are never sent.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use natter_app::origins::Origins;

use crate::error::json_error;

/// Every method a route of ours answers, beyond the simple GET/POST.
const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";
/// The bearer token, JSON bodies, and a client's own request id.
const ALLOW_HEADERS: &str = "authorization, content-type, x-request-id";
/// What a client needs to read beyond the simple headers: how long to back off, and
/// the id to quote in a bug report.
const EXPOSE_HEADERS: &str = "retry-after, x-request-id";
/// Two hours, Chromium's ceiling: without a cached preflight a chat client pays a
/// second round trip for every call. The answer only changes when the configuration
/// does, and even a cached preflight does not let a removed origin read an answer:
/// each answer carries its own `Access-Control-Allow-Origin`.
const MAX_AGE: &str = "7200";

fn is_cross_origin_surface(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/media/") || path.starts_with("/socket.io")
}

pub async fn cors(State(origins): State<Arc<Origins>>, req: Request, next: Next) -> Response {
    if !is_cross_origin_surface(req.uri().path()) {
        return next.run(req).await;
    }
    let origin = req.headers().get(header::ORIGIN).cloned();
    let allowed = origin.clone().filter(|o| o.to_str().is_ok_and(|o| origins.allows(o)));
    let is_preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if is_preflight && origin.is_some() {
        let mut res = match &allowed {
            Some(_) => StatusCode::NO_CONTENT.into_response(),
            None => json_error(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "This origin may not call natter; add it to NATTER_ALLOWED_ORIGINS.",
            ),
        };
        let h = res.headers_mut();
        h.append(header::VARY, HeaderValue::from_static("origin"));
        h.append(header::VARY, HeaderValue::from_static("access-control-request-method"));
        h.append(header::VARY, HeaderValue::from_static("access-control-request-headers"));
        if let Some(origin) = allowed {
            allow(h, origin);
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOW_HEADERS));
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE));
        }
        return res;
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // Whatever answered, CORS is decided here and only here.
    let stray: Vec<_> = h.keys().filter(|k| k.as_str().starts_with("access-control-")).cloned().collect();
    for name in stray {
        h.remove(name);
    }
    // The answer differs by Origin: a cache must not hand one origin's to another.
    h.append(header::VARY, HeaderValue::from_static("origin"));
    if let Some(origin) = allowed {
        allow(h, origin);
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSE_HEADERS));
    }
    res
}

/// The exact origin that asked, never `*`: credentials are allowed.
fn allow(h: &mut HeaderMap, origin: HeaderValue) {
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
}
