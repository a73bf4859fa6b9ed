mod auth;
mod chats;
mod dev;
pub(crate) mod docs;
mod groups;
mod health;
mod invites;
mod media;
pub(crate) mod messages;
mod metrics;
mod push;
mod search;
mod settings;
mod users;
mod web;

use axum::Router;
use axum::http::Request;
use axum::middleware::{from_fn, from_fn_with_state};
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::api_doc::{ApiDoc, add_common_errors};
use crate::layers::{REQUEST_ID, json_errors, origin_guard};
use crate::state::AppState;

/// Bodies of JSON endpoints; an upload route sets its own, larger limit.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

pub use metrics::standalone as metrics_router;
pub use web::embedded as web_client_embedded;

/// What this node's HTTP listener serves besides `/healthz` and `/readyz`, which
/// every node answers. A node serves only its roles' routes: a mail or realtime node
/// has no REST API, media or web client.
#[derive(Debug, Clone, Copy)]
pub struct Surface {
    /// The REST API, media, the API's description and the web client.
    pub api: bool,
    /// `/dev/mailbox`, on the node whose mail worker prints to the console mailer.
    pub mail: bool,
}

/// Every route of `surface`, before state and the cross-cutting layers, and the
/// OpenAPI description of the REST ones. A route's description is registered with it
/// (`utoipa_axum::routes!`), except for `/api/openapi.json`, which serves the result
/// and is listed by `ApiDoc` itself. The dev mailbox and the docs page are left out
/// of it on purpose.
pub fn routes(surface: Surface) -> (Router<AppState>, OpenApi) {
    let mut app =
        OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(health::router()).merge(metrics::router());
    if surface.api {
        let api = OpenApiRouter::new()
            .merge(auth::router())
            .merge(users::router())
            .merge(settings::router())
            .merge(invites::router())
            .merge(chats::router())
            .merge(groups::router())
            .merge(search::router())
            .merge(push::router())
            .layer(RequestBodyLimitLayer::new(JSON_BODY_LIMIT))
            .merge(messages::router());
        app = app.nest("/api/v1", api).merge(media::router());
    }
    let (mut router, mut spec) = app.split_for_parts();
    add_common_errors(&mut spec);
    if surface.api {
        router = router.merge(docs::router(&spec)).fallback(web::serve);
    }
    if surface.mail {
        router = router.merge(dev::router());
    }
    (router, spec)
}

/// The description `GET /api/openapi.json` serves.
pub fn openapi() -> OpenApi {
    routes(Surface { api: true, mail: false }).1
}

/// The HTTP surface except what other crates mount (Socket.IO); `edge` wraps it
/// all, Socket.IO included, with CORS and the security headers.
pub fn router(state: AppState, surface: Surface) -> Router {
    let surface = Surface { mail: surface.mail && state.mailbox.is_some(), ..surface };
    let (app, _) = routes(surface);
    app.layer(from_fn_with_state(state.clone(), origin_guard))
        .layer(from_fn_with_state(state.clone(), metrics::count_requests))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("http", request.id = %id, method = %req.method(), path = %req.uri().path())
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(from_fn(json_errors)),
        )
        .with_state(state)
}
