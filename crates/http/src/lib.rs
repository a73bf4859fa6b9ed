//! natter's HTTP surface. A handler parses, calls one use-case and maps the result;
//! rules, SQL and fan-out never sit here.

mod api_doc;
mod cors;
mod edge;
mod error;
mod extract;
mod layers;
mod routes;
mod state;
mod upload_body;

pub use edge::edge;
pub use natter_app::origins::Origins;
pub use routes::{Surface, metrics_router, openapi, router, routes, web_client_embedded};
pub use state::AppState;
