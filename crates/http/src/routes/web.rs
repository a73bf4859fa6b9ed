//! The web client, embedded at build time (see `build.rs`): hashed assets cached for
//! a year, everything else that is not an API path falls back to `index.html` so
//! client-side routes survive a reload.

use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::error::json_error;

include!(concat!(env!("OUT_DIR"), "/web_files.rs"));

/// Prefixes the client never owns: an unknown path there is a JSON 404.
const SERVER_PREFIXES: &[&str] = &["/api/", "/media/", "/socket.io/", "/dev/", "/healthz", "/readyz"];

pub async fn serve(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let not_found = || json_error(StatusCode::NOT_FOUND, "not_found", "There is nothing here.");
    if !matches!(method, Method::GET | Method::HEAD) || SERVER_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return not_found();
    }
    if let Some(bytes) = file(path) {
        let cache =
            if path.starts_with("/assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return asset(bytes, content_type(path), cache);
    }
    // A client route (/chat, /verify?email=...): the app decides what to show.
    match file("/index.html") {
        Some(index) if !path.contains('.') || path.ends_with(".html") => {
            asset(index, "text/html; charset=utf-8", "no-cache")
        }
        _ => not_found(),
    }
}

fn file(path: &str) -> Option<&'static [u8]> {
    WEB_FILES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

fn asset(bytes: &'static [u8], content_type: &'static str, cache: &'static str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json" | "webmanifest") => "application/json",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether this binary carries the web client.
pub fn embedded() -> bool {
    !WEB_FILES.is_empty()
}
