//! `/healthz`: the process answers. `/readyz`: every backend it needs answers too.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use natter_app::health::NotReady;

use crate::error::json_error;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(readyz))
}

#[derive(Serialize, ToSchema)]
#[schema(as = Status)]
struct StatusDto {
    /// `ok` from `/healthz`, `ready` from `/readyz`.
    #[schema(schema_with = status_schema)]
    status: &'static str,
    /// `/readyz`: every backend this node depends on, each of which answered
    /// (`store`, and `redis` when the node is one of several).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<&'static str>,
}

fn status_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["ok", "ready"]))
        .build()
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = StatusDto)))]
async fn healthz() -> Json<StatusDto> {
    Json(StatusDto { status: "ok", dependencies: Vec::new() })
}

/// The store, and every configured backend of this node's roles, answer.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, body = StatusDto),
        (status = 503, description = "`not_ready`: a backend is not reachable (the message names it) or a worker stopped.", body = natter_app::wire::ErrorDto),
    )
)]
async fn readyz(State(s): State<AppState>) -> Response {
    match s.health.ready().await {
        Ok(dependencies) => Json(StatusDto { status: "ready", dependencies }).into_response(),
        Err(NotReady(why)) => {
            tracing::warn!(%why, "not ready");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                &format!("This node is not ready: {why}."),
            )
        }
    }
}
