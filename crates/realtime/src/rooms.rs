//! Room names. A socket joins its user's room and its session's room on connect,
//! and a chat's room while the user views that chat.

use natter_domain::ids::{ChatId, SessionId, UserId};
use socketioxide::SocketIo;
use socketioxide::operators::BroadcastOperators;

/// Every socket of the default namespace, to pick rooms of; `None` once shutdown
/// closed it. (socketioxide's `io.to` panics then, and the fan-out, the presence
/// announcer or a task they started may still be delivering.)
pub fn open(io: &SocketIo) -> Option<BroadcastOperators> {
    io.of("/")
}

pub fn user(id: UserId) -> String {
    format!("user:{id}")
}

pub fn session(id: SessionId) -> String {
    format!("session:{id}")
}

pub fn chat(id: ChatId) -> String {
    format!("chat:{id}")
}
