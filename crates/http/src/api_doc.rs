//! `GET /api/openapi.json`: the REST API described from the Rust types. Each handler
//! carries its own `#[utoipa::path]` (request, answers, its own errors) and is mounted
//! with `utoipa_axum::routes!`, which registers the route and its description together;
//! the errors every operation of a kind can give (no session, a foreign Origin, a bad
//! body, a busy store) are added here, once, from what each operation declares.

use natter_app::wire::ErrorDto;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Content, Header, OpenApi, Ref, RefOr};
use utoipa::{Modify, PartialSchema, ToSchema};

/// The security scheme names operations refer to.
const BEARER: &str = "bearer";
const SESSION_COOKIE: &str = "session";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "natter",
        description = "natter's REST API. JSON field names are camelCase with Mongo-style `_id`, \
            ids are opaque strings, times RFC 3339 UTC with milliseconds. Every 4xx/5xx answer \
            is an `ApiErrorBody`. Authenticate with `Authorization: Bearer <token>` (the token \
            `POST /api/v1/verify` answers) or the session cookie it sets; a cookie on an unsafe \
            method also needs an allowed `Origin`. The real-time half (Socket.IO at `/socket.io/`) \
            is described in the wire contract, not here.",
        license(name = "AGPL-3.0-only", identifier = "AGPL-3.0-only"),
    ),
    paths(crate::routes::docs::openapi_json),
    components(schemas(ErrorDto)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "Email-code login and sessions"),
        (name = "users", description = "Profiles and the user directory"),
        (name = "invites", description = "Who may join a closed install"),
        (name = "chats", description = "Chats, read markers and the catch-up feed"),
        (name = "messages", description = "Sending and paging messages"),
        (name = "media", description = "Uploaded images"),
        (name = "notifications", description = "Web Push devices"),
        (name = "operations", description = "Health, readiness and this document"),
    )
)]
pub struct ApiDoc;

/// The bearer token and the session cookie (`extract::Auth` takes either).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, api: &mut OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The `token` of `POST /api/v1/verify`."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            SESSION_COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "natter_session",
                "The HttpOnly cookie `POST /api/v1/verify` sets (`__Host-natter_session` on https). \
                 On POST/PUT/PATCH/DELETE it must come with an allowed `Origin`.",
            ))),
        );
    }
}

/// Add the cross-cutting answers to every operation of `api`, from what it declares:
/// - a required session: 401 `unauthenticated` (none, or a bad, expired or revoked one);
/// - an unsafe method: 403 `origin_not_allowed` (a browser on a site that may not call
///   natter, or the session cookie without an allowed `Origin`);
/// - a JSON body: 400 `invalid_body`, 413 `too_large`, 415 `unsupported_media_type`;
/// - path parameters: 404 `not_found` for a path that cannot be decoded (`extract::Path`);
/// - query parameters: 400 `invalid_query`;
/// - under `/api/v1`: 503 `overloaded` with `Retry-After` (the store is at capacity).
///
/// Run once the routes' paths are in: the router adds them after the derive's modifiers ran.
pub fn add_common_errors(api: &mut OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        let operations = [
            (HttpMethod::Get, item.get.as_mut()),
            (HttpMethod::Post, item.post.as_mut()),
            (HttpMethod::Put, item.put.as_mut()),
            (HttpMethod::Patch, item.patch.as_mut()),
            (HttpMethod::Delete, item.delete.as_mut()),
        ];
        for (method, op) in operations {
            if let Some(op) = op {
                add_to_operation(path, &method, op);
            }
        }
    }
}

fn add_to_operation(path: &str, method: &HttpMethod, op: &mut Operation) {
    let unsafe_method = !matches!(method, HttpMethod::Get | HttpMethod::Head | HttpMethod::Options);
    // An empty requirement among the alternatives makes the session optional (media).
    let authenticated = op
        .security
        .as_ref()
        .is_some_and(|s| !s.is_empty() && !s.iter().any(|r| *r == SecurityRequirement::default()));
    if authenticated {
        add(op, 401, "No session, or a bad, expired or revoked one: `unauthenticated`.", &[]);
    }
    if unsafe_method {
        add(
            op,
            403,
            "`origin_not_allowed`: a browser on a site that may not call natter, or the session \
             cookie without an allowed `Origin`.",
            &[],
        );
    }
    let json_body = op.request_body.as_ref().is_some_and(|b| b.content.contains_key("application/json"));
    if json_body {
        add(op, 400, "`invalid_body`: not JSON, or not of this shape.", &[]);
        add(op, 413, "`too_large`: the body is larger than allowed.", &[]);
        add(op, 415, "`unsupported_media_type`: the body is not sent as `application/json`.", &[]);
    }
    let has_query = op
        .parameters
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query)));
    let has_path_params = op
        .parameters
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| matches!(p.parameter_in, ParameterIn::Path)));
    if has_path_params {
        add(op, 404, "`not_found`: a path that cannot be decoded (not UTF-8).", &[]);
    }
    if has_query && !path.starts_with("/media/") {
        add(op, 400, "`invalid_query`: a query parameter is not valid.", &[]);
    }
    if path.starts_with("/api/v1/") {
        add(
            op,
            503,
            "`overloaded`: the server is at capacity; nothing was done, retry after `Retry-After`.",
            &["Retry-After"],
        );
    }
}

/// Add `status` with the error body, or extend the description of the one the handler
/// declared (its own codes come first).
fn add(op: &mut Operation, status: u16, description: &str, headers: &[&str]) {
    let key = status.to_string();
    match op.responses.responses.get_mut(&key) {
        Some(RefOr::T(existing)) => {
            if !existing.description.contains(description) {
                existing.description = format!("{} Or {description}", existing.description);
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            op.responses.responses.insert(key, RefOr::T(error_response(description, headers)));
        }
    }
}

/// An `ApiErrorBody` answer.
fn error_response(description: &str, headers: &[&str]) -> Response {
    let mut builder = ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(Ref::from_schema_name(ErrorDto::name()))));
    for name in headers {
        builder = builder.header(*name, retry_after());
    }
    builder.build()
}

/// `Retry-After`, in whole seconds.
fn retry_after() -> Header {
    let mut h = Header::new(u64::schema());
    h.description = Some("Seconds to wait before trying again.".into());
    h
}
