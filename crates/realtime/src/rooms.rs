//! Room names. A socket joins its user's room and its session's room on connect,
//! and a chat's room while the user views that chat.

use natter_domain::ids::{ChatId, SessionId, UserId};

pub fn user(id: UserId) -> String {
    format!("user:{id}")
}

pub fn session(id: SessionId) -> String {
    format!("session:{id}")
}

pub fn chat(id: ChatId) -> String {
    format!("chat:{id}")
}
