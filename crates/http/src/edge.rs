//! What wraps everything this listener answers, the Socket.IO layer included (both
//! transports: polling requests and the websocket upgrade): the client's address,
//! CORS, and the security headers. The router's own layers (request ids, JSON errors)
//! sit inside Socket.IO and never see its requests.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use natter_app::client_ip::{ClientAddr, TrustedProxies};
use natter_app::origins::Origins;

use crate::cors::cors;
use crate::layers::security_headers;

/// Wrap the whole app (routes, web client, Socket.IO) in the edge layers.
pub fn edge(app: Router, origins: Arc<Origins>, proxies: Arc<TrustedProxies>) -> Router {
    app.layer(from_fn_with_state(origins, cors))
        .layer(from_fn_with_state(proxies, client_addr))
        .layer(from_fn(security_headers))
}

/// Resolve the client's address once, for the login limits and the socket caps alike.
async fn client_addr(State(proxies): State<Arc<TrustedProxies>>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        let forwarded = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        let ip = proxies.client_ip(peer.ip(), forwarded);
        req.extensions_mut().insert(ClientAddr(ip));
    }
    next.run(req).await
}
