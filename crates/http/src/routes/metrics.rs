//! `GET /metrics`: Prometheus text, on every node; on the main listener unless
//! `NATTER_METRICS_LISTEN` gives it one of its own.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use natter_app::metrics::MetricsReport;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, json_error};
use crate::state::AppState;

const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(on_main_listener))
}

/// The router of the metrics listener: `/metrics` and nothing else.
pub fn standalone(report: Arc<MetricsReport>) -> Router {
    Router::new().route("/metrics", get(render)).with_state(report)
}

/// Prometheus text (format 0.0.4) about this node: requests by route and status,
/// sockets, deliveries, send and fan-out latency, the write queue, jobs by state.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses(
        (status = 200, description = "The metrics.", content_type = "text/plain", body = String),
        (status = 404, description = "`not_found`: served on `NATTER_METRICS_LISTEN` instead.", body = natter_app::wire::ErrorDto),
    )
)]
async fn on_main_listener(State(s): State<AppState>) -> Response {
    match s.metrics_report {
        Some(report) => render(State(report)).await,
        None => json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "Metrics are served on the metrics listener (NATTER_METRICS_LISTEN).",
        ),
    }
}

async fn render(State(report): State<Arc<MetricsReport>>) -> Response {
    match report.render().await {
        Ok(text) => ([(header::CONTENT_TYPE, TEXT_FORMAT)], text).into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

/// Counts each answer by its declared route (not its path) and status.
pub async fn count_requests(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = req.method().clone();
    let started = Instant::now();
    let res = next.run(req).await;
    s.metrics.request(method.as_str(), &route, res.status().as_u16(), started.elapsed());
    res
}
