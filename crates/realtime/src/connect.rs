//! The handshake: who is this socket? The token comes from `auth.token` or the
//! session cookie; anything else is refused with `unauthorized`.

use std::fmt;

use natter_app::auth::{AuthContext, session_token_from_cookies};
use serde::Deserialize;
use socketioxide::extract::{Extension, SocketRef, State, TryData};

use crate::{RealtimeState, events, rooms};

#[derive(Deserialize)]
pub struct AuthPayload {
    token: Option<String>,
}

/// The only reason a handshake fails that a client gets to see.
#[derive(Debug)]
pub struct Unauthorized;

impl fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unauthorized")
    }
}

pub async fn authenticate(
    s: SocketRef,
    State(st): State<RealtimeState>,
    TryData(auth): TryData<AuthPayload>,
) -> Result<(), Unauthorized> {
    let from_auth = auth.ok().and_then(|a| a.token).filter(|t| !t.is_empty());
    let token = match from_auth {
        Some(t) => t,
        None => {
            let headers = &s.req_parts().headers;
            let token =
                session_token_from_cookies(headers.get_all("cookie").iter().filter_map(|v| v.to_str().ok()))
                    .ok_or(Unauthorized)?;
            // The browser attaches the cookie whichever page opened the socket: only
            // our own pages may use it (both transports pass through here).
            if let Some(origin) = headers.get("origin") {
                let allowed = origin.to_str().map(|o| st.origins.allows(o)).unwrap_or(false);
                if !allowed {
                    return Err(Unauthorized);
                }
            }
            token
        }
    };
    let ctx = st.auth.authenticate(&token).await.map_err(|_| Unauthorized)?;
    // socketioxide answers CONNECT as soon as this returns and only then starts
    // `on_connect` as a task: a client may already be sending. So everything a first
    // event needs is set up here, before the answer.
    s.extensions.insert(ctx);
    s.extensions.insert(std::sync::Arc::new(crate::flood::FloodGuard::new()));
    s.extensions.insert(std::sync::Arc::new(crate::order::SendOrder::new()));
    s.join([rooms::user(ctx.user_id), rooms::session(ctx.session_id)]);
    s.extensions.insert(CameOnline(st.presence.socket_opened(ctx.user_id)));
    events::register(&s);
    Ok(())
}

/// Whether this socket made its user online (their first open socket).
#[derive(Clone, Copy)]
pub struct CameOnline(bool);

pub async fn on_connect(
    s: SocketRef,
    Extension(ctx): Extension<AuthContext>,
    Extension(CameOnline(came_online)): Extension<CameOnline>,
    State(st): State<RealtimeState>,
) {
    tracing::debug!(user.id = %ctx.user_id, socket.id = %s.id, "socket connected");
    events::send_online_list(&s, &st, ctx.user_id).await;
    if came_online {
        events::announce_presence(&s, &st, ctx.user_id, true).await;
    }
}
