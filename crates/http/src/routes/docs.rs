//! `GET /api/openapi.json`, the description of the REST API, and `/api/docs`, a page
//! that renders it with Swagger UI. Swagger UI's files are embedded in the binary at
//! build time (`utoipa-swagger-ui`, vendored: from crates.io, nothing downloaded), the
//! page and its start-up script are ours, so it makes no request beyond this server.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::OpenApi;

use crate::error::json_error;
use crate::state::AppState;

/// The description, serialized once.
#[derive(Clone)]
pub(crate) struct Spec(Bytes);

pub fn router(spec: &OpenApi) -> Router<AppState> {
    let json = match serde_json::to_vec(spec) {
        Ok(json) => json,
        // The description is plain data: serializing it cannot fail in practice.
        Err(e) => {
            tracing::error!(error = %e, "cannot serialize the OpenAPI description");
            Vec::new()
        }
    };
    let description =
        Router::new().route("/api/openapi.json", get(openapi_json)).with_state(Spec(Bytes::from(json)));
    let swagger = Arc::new(utoipa_swagger_ui::Config::default());
    let page = Router::new()
        .route("/api/docs", get(docs_page))
        .route("/api/docs/natter-docs.js", get(docs_script))
        .route("/api/docs/{file}", get(swagger_file))
        .with_state(swagger);
    description.merge(page)
}

/// This document: every REST operation, its request and answers, its errors.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1.", content_type = "application/json", body = Object)),
)]
pub(crate) async fn openapi_json(State(Spec(json)): State<Spec>) -> Response {
    if json.is_empty() {
        return json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on our side.",
        );
    }
    let mut res = json.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// Only this server's files, and no inline script: the page runs under a CSP of its own
/// that allows nothing else (`script-src 'self'`; Swagger UI styles elements inline,
/// and draws its icons from `data:` URLs).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
                   frame-ancestors 'none'";

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>natter API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/natter-docs.js"></script>
</body>
</html>
"#;

/// Swagger UI on our description. `validatorUrl: null`: no badge from the outside
/// validator Swagger UI would otherwise load.
const SCRIPT: &str = r##"window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
"##;

async fn docs_page() -> Response {
    page_file(PAGE.as_bytes().to_vec(), "text/html; charset=utf-8")
}

async fn docs_script() -> Response {
    page_file(SCRIPT.as_bytes().to_vec(), "text/javascript; charset=utf-8")
}

async fn swagger_file(
    State(config): State<Arc<utoipa_swagger_ui::Config<'static>>>,
    Path(file): Path<String>,
) -> Response {
    match utoipa_swagger_ui::serve(&file, config) {
        // Its own index page and start-up script would load the petstore example.
        Ok(Some(f)) if !matches!(file.as_str(), "index.html" | "swagger-initializer.js") => {
            let content_type = f.content_type.clone();
            let mut res = page_file(f.bytes.into_owned(), "application/octet-stream");
            if let Ok(v) = HeaderValue::from_str(&content_type) {
                res.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            res
        }
        Ok(_) => json_error(StatusCode::NOT_FOUND, "not_found", "There is nothing here."),
        Err(e) => {
            tracing::error!(error = %e, "cannot serve a Swagger UI file");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side.")
        }
    }
}

fn page_file(bytes: Vec<u8>, content_type: &'static str) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    res
}
