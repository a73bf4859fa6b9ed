mod auth;
mod chats;
mod dev;
mod health;
mod invites;
mod media;
mod messages;
mod users;
mod web;

use axum::Router;
use axum::http::Request;
use axum::middleware::{from_fn, from_fn_with_state};
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::layers::{REQUEST_ID, json_errors, origin_guard, security_headers};
use crate::state::AppState;

/// Bodies of JSON endpoints; an upload route sets its own, larger limit.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

pub use web::embedded as web_client_embedded;

/// The whole HTTP surface except what other crates mount (Socket.IO, the web client).
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(auth::router())
        .merge(users::router())
        .merge(invites::router())
        .merge(chats::router())
        .layer(RequestBodyLimitLayer::new(JSON_BODY_LIMIT))
        .merge(messages::router());
    let mut app = Router::new().nest("/api/v1", api).merge(health::router()).merge(media::router());
    if state.mailbox.is_some() {
        app = app.merge(dev::router());
    }
    app.fallback(web::serve)
        .layer(from_fn_with_state(state.clone(), origin_guard))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("http", request.id = %id, method = %req.method(), path = %req.uri().path())
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(from_fn(security_headers))
                .layer(from_fn(json_errors)),
        )
        .with_state(state)
}
