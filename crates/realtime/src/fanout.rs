//! The one bus -> socket worker per node. Durable events (messages, read receipts)
//! go to every socket of every member exactly once; a socket whose buffer is full is
//! disconnected, so its client reconnects and catches up from the store instead of
//! silently missing a message. Ephemeral events (typing) may be dropped.

use std::sync::Arc;

use natter_app::presence::Presence;
use natter_app::wire::{MessageDto, MessagesSeenDto, TypingDto};
use natter_domain::bus::{Bus, BusEvent};
use natter_domain::ids::UserId;
use serde_json::json;
use serde_json::value::RawValue;
use socketioxide::{SendError, SocketError, SocketIo};

use crate::rooms;

pub async fn run_fanout(io: SocketIo, bus: Arc<dyn Bus>, presence: Arc<Presence>) {
    let mut sub = bus.subscribe();
    while let Some(event) = sub.next().await {
        match event {
            Ok(e) => deliver(&io, &presence, e).await,
            Err(lagged) => {
                // This node fell behind and events are gone: every client here must
                // catch up, which reconnecting makes it do.
                tracing::error!(lost = lagged.0, "fan-out lagged; disconnecting sockets so they catch up");
                let _ = io.broadcast().disconnect().await;
            }
        }
    }
}

async fn deliver(io: &SocketIo, presence: &Presence, event: BusEvent) {
    match event {
        BusEvent::MessageCreated { message, members } => {
            let dto = MessageDto::new(message, &[]);
            emit_durable(io, &members, "newMessage", &dto);
        }
        BusEvent::MessagesSeen { chat_id, seen_by, message_ids, seen_at, up_to_seq, members } => {
            let payload = MessagesSeenDto {
                chat_id: chat_id.to_string(),
                seen_by: seen_by.to_string(),
                message_ids: message_ids.iter().map(ToString::to_string).collect(),
                seen_at,
                up_to_seq,
            };
            emit_durable(io, &members, "messagesSeen", &payload);
        }
        BusEvent::ChatCreated { chat_id, members } => {
            // The members now share a chat, so each one's online list changes.
            presence.chat_created(&members);
            for member in &members {
                if let Ok(list) = presence.online_contacts(*member).await {
                    let ids: Vec<String> = list.iter().map(ToString::to_string).collect();
                    let _ = io.to(rooms::user(*member)).emit("getOnlineUser", &ids).await;
                }
            }
            emit_durable(io, &members, "chatUpdated", &json!({ "_id": chat_id.to_string() }));
        }
        BusEvent::Typing { chat_id, user_id, typing } => {
            let event = if typing { "userTyping" } else { "userStoppedTyping" };
            let payload = TypingDto { chat_id: chat_id.to_string(), user_id: user_id.to_string() };
            // To the others viewing the chat; never back to the typist's own tabs.
            let _ = io.to(rooms::chat(chat_id)).except(rooms::user(user_id)).emit(event, &payload).await;
        }
        BusEvent::SessionRevoked { session_id } => {
            let _ = io.to(rooms::session(session_id)).disconnect().await;
        }
    }
}

/// Emit to each connected socket of `members` once; a socket that cannot take it is
/// disconnected rather than left behind.
fn emit_durable<T: serde::Serialize>(io: &SocketIo, members: &[UserId], event: &str, payload: &T) {
    // Serialized once, however many sockets receive it.
    let raw: Box<RawValue> = match serde_json::value::to_raw_value(payload) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, event, "could not serialize an event");
            return;
        }
    };
    let user_rooms: Vec<String> = members.iter().map(|m| rooms::user(*m)).collect();
    for socket in io.to(user_rooms).sockets() {
        match socket.emit(event, &raw) {
            Ok(()) => {}
            Err(SendError::Socket(SocketError::InternalChannelFull)) => {
                tracing::warn!(socket.id = %socket.id, event, "socket too slow; disconnecting it so it catches up");
                let _ = socket.disconnect();
            }
            Err(_) => {}
        }
    }
}
