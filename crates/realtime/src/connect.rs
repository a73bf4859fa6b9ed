//! The handshake: who is this socket? The token comes from `auth.token` or the
//! session cookie; anything else is refused with `unauthorized`, and a socket beyond
//! its user's or its address's cap with `too_many_connections`.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use natter_app::AppError;
use natter_app::auth::AuthContext;
use natter_app::client_ip::ClientAddr;
use natter_app::connections::ConnectionSlot;
use natter_app::presence::PresenceService;
use natter_domain::ids::UserId;
use serde::Deserialize;
use socketioxide::extract::{Extension, SocketRef, State, TryData};

use crate::{RealtimeState, events, rooms};

#[derive(Deserialize)]
pub struct AuthPayload {
    token: Option<String>,
}

/// Why a handshake failed, as the client's `connect_error` message says it.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("unauthorized")]
    Unauthorized,
    /// The user, or their address, already holds as many sockets as allowed.
    #[error("too_many_connections")]
    TooManyConnections,
    /// The session could not be checked now (the store is slow or down): not a
    /// verdict on the session, so the client tries again instead of logging out.
    #[error("unavailable")]
    Unavailable,
}

pub async fn authenticate(
    s: SocketRef,
    State(st): State<RealtimeState>,
    TryData(auth): TryData<AuthPayload>,
) -> Result<(), Refused> {
    let from_auth = auth.ok().and_then(|a| a.token).filter(|t| !t.is_empty());
    let token = match from_auth {
        Some(t) => t,
        None => {
            let headers = &s.req_parts().headers;
            let token = st
                .handshake
                .session_cookie
                .token_from(headers.get_all("cookie").iter().filter_map(|v| v.to_str().ok()))
                .ok_or(Refused::Unauthorized)?;
            // The browser attaches the cookie whichever page opened the socket: only
            // our own pages may use it (both transports pass through here).
            if let Some(origin) = headers.get("origin") {
                let allowed = origin.to_str().map(|o| st.handshake.origins.allows(o)).unwrap_or(false);
                if !allowed {
                    return Err(Refused::Unauthorized);
                }
            }
            token
        }
    };
    let ctx = st.auth.authenticate(&token).await.map_err(refusal)?;
    let ip = s
        .req_parts()
        .extensions
        .get::<ClientAddr>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ClientAddr(ip)| *ip);
    let slot = st.handshake.connections.acquire(ctx.user_id, ip).map_err(|_| {
        tracing::info!(user.id = %ctx.user_id, %ip, "socket refused: too many connections");
        Refused::TooManyConnections
    })?;
    // The slot lives as long as the socket does, however it goes (see `connections`).
    s.extensions.insert(Arc::new(slot) as Arc<ConnectionSlot>);
    // socketioxide answers CONNECT as soon as this returns and only then starts
    // `on_connect` as a task: a client may already be sending. So everything a first
    // event needs is set up here, before the answer.
    s.extensions.insert(ctx);
    s.extensions.insert(Arc::new(crate::flood::FloodGuard::new(st.handshake.clock.clone())));
    s.extensions.insert(Arc::new(crate::order::SendOrder::new()));
    s.join([rooms::user(ctx.user_id), rooms::session(ctx.session_id)]);
    // Presence unknown (its backend is down) is not a reason to refuse the socket.
    if let Err(e) = st.presence.socket_opened(ctx.user_id).await {
        tracing::warn!(error = %e, "presence unavailable; this socket is not announced");
    }
    s.extensions.insert(Arc::new(Counted { presence: st.presence.clone(), user: ctx.user_id }));
    events::register(&s);
    Ok(())
}

/// A socket counted in its user's presence, counted out when socketioxide drops the
/// socket, however it ended. A disconnect handler is not enough: when the transport
/// closes while this handshake still runs (a tab closed during its connect, awaiting
/// the store or Redis), socketioxide has not listed the socket in the namespace yet, so
/// it never runs the handler, and the user would stay online for good.
struct Counted {
    presence: Arc<PresenceService>,
    user: UserId,
}

impl Drop for Counted {
    fn drop(&mut self) {
        // Outside a runtime (the process is ending) there is nobody left to tell.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let (presence, user) = (self.presence.clone(), self.user);
        runtime.spawn(async move {
            if let Err(e) = presence.socket_closed(user).await {
                tracing::warn!(error = %e, "presence unavailable; this user's going offline is not announced");
            }
        });
    }
}

/// A failed session check as the handshake answers it: only a session that is not
/// valid is `unauthorized` (the client logs out); a store that is slow or down says
/// nothing about the session.
fn refusal(e: AppError) -> Refused {
    match e {
        AppError::Unauthenticated => Refused::Unauthorized,
        other => {
            tracing::warn!(error = %other, "socket refused: the session could not be checked");
            Refused::Unavailable
        }
    }
}

pub async fn on_connect(
    s: SocketRef,
    Extension(ctx): Extension<AuthContext>,
    State(st): State<RealtimeState>,
) {
    tracing::debug!(user.id = %ctx.user_id, socket.id = %s.id, "socket connected");
    crate::presence::send_online_list(&s, &st, ctx.user_id).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_invalid_session_is_unauthorized() {
        assert_eq!(refusal(AppError::Unauthenticated).to_string(), "unauthorized");
        // What a PostgreSQL pool that timed out (StoreError::Busy) becomes.
        assert_eq!(refusal(AppError::Overloaded).to_string(), "unavailable");
        assert_eq!(
            refusal(AppError::Unexpected(anyhow::anyhow!("connection reset"))).to_string(),
            "unavailable"
        );
    }
}
