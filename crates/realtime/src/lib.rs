//! natter's Socket.IO surface on the same listener as HTTP. Handlers parse, call one
//! use-case and answer; the one fan-out worker per node turns bus events into emits.

mod connect;
mod events;
mod fanout;
mod feed_order;
mod flood;
mod order;
mod presence;
mod rooms;
mod typing;

pub use typing::TypingTimers;

use std::sync::Arc;
use std::time::Duration;

use natter_app::auth::AuthService;
use natter_app::chats::ChatService;
use natter_app::connections::Connections;
use natter_app::media_links::MediaLinks;
use natter_app::messages::MessageService;
use natter_app::metrics::Metrics;
use natter_app::origins::Origins;
use natter_app::presence::PresenceService;
use natter_app::session_cookie::SessionCookie;
use natter_domain::bus::Bus;
use natter_domain::ports::Clock;
use socketioxide::SocketIo;
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;

pub use fanout::run_fanout;

/// Per-socket outgoing queue. Bounded: a client that cannot keep up is disconnected
/// and catches up from the store when it reconnects (see `fanout`).
const SOCKET_BUFFER: usize = 1024;

#[derive(Clone)]
pub struct RealtimeState {
    pub auth: Arc<AuthService>,
    pub chats: Arc<ChatService>,
    pub messages: Arc<MessageService>,
    pub presence: Arc<PresenceService>,
    pub bus: Arc<dyn Bus>,
    pub handshake: Handshake,
    pub typing: Arc<typing::TypingTimers>,
    pub metrics: Arc<Metrics>,
}

/// What a handshake is checked against besides the token.
#[derive(Clone)]
pub struct Handshake {
    /// Pages that may open a socket with the user's cookie.
    pub origins: Arc<Origins>,
    pub session_cookie: SessionCookie,
    /// Open sockets per user and per address.
    pub connections: Arc<Connections>,
    /// Times each socket's flood window (`flood`).
    pub clock: Arc<dyn Clock>,
}

impl RealtimeState {
    /// Signs the image URLs of the messages this node sends.
    pub fn links(&self) -> &MediaLinks {
        self.messages.media().links()
    }
}

/// How often the server pings each socket, and how long it waits for the pong. Their
/// sum, 20 s, is the longest a vanished client stays online for its contacts (the
/// promise is 30 s). 15 s + 10 s was tried: it saved too little to measure, and in the
/// browser a network that goes away is not always gone at once for an open websocket,
/// so 25 s left too thin a margin (the day e2e saw a contact online past 30 s once).
pub const PING_INTERVAL: Duration = Duration::from_secs(10);
pub const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// The Socket.IO layer to put around the HTTP router, and the handle to emit with.
pub fn layer(state: RealtimeState) -> (SocketIoLayer, SocketIo) {
    let (layer, io) = SocketIo::builder()
        .with_state(state)
        .max_buffer_size(SOCKET_BUFFER)
        // Client packets: 64 KiB on either transport (polling bodies, websocket frames).
        .max_payload(64 * 1024)
        .ws_max_message_size(64 * 1024)
        .ws_read_buffer_size(1024)
        .connect_timeout(Duration::from_secs(10))
        // A client that vanished (lost network, a laptop closed) is noticed within
        // PING_INTERVAL + PING_TIMEOUT, and its presence goes with it; socket.io's
        // defaults (25 s + 20 s) showed it online for 45 s. The client itself learns of
        // a lost network from the browser's `offline` event, at once.
        .ping_interval(PING_INTERVAL)
        .ping_timeout(PING_TIMEOUT)
        .build_layer();
    io.ns("/", connect::on_connect.with(connect::authenticate));
    (layer, io)
}
