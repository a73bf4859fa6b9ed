//! What a connected client may say. Identity is always
//! the handshake's: a `userId` in any payload is ignored.

use natter_app::AppError;
use natter_app::auth::AuthContext;
use natter_app::wire::socket::{self, ChatRef, EventAck, MarkReadPayload, SendMessageAck};
use natter_app::wire::{ErrorDto, MessageDto, SendMessageRequest};
use natter_domain::ids::ChatId;
use serde::Deserialize;
use serde_json::Value;
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use socketioxide::socket::DisconnectReason;

use std::sync::Arc;

use crate::flood::FloodGuard;
use crate::order::SendTurn;
use crate::{RealtimeState, rooms};

pub fn register(s: &SocketRef) {
    s.on(socket::JOIN_CHAT, join_chat);
    s.on(socket::LEAVE_CHAT, leave_chat);
    s.on(socket::TYPING, typing);
    s.on(socket::STOP_TYPING, stop_typing);
    s.on(socket::SEND_MESSAGE, send_message);
    s.on(socket::MARK_READ, mark_read);
    s.on_disconnect(on_disconnect);
}

/// `"chatId"` or `{ chatId }`: the seed's clients send both shapes.
fn chat_id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        other => ChatRef::deserialize(other).ok().map(|r| r.chat_id),
    }
}

/// `joinChat` / `leaveChat` answer an ack when the client asks for one (ext; the seed
/// sends none): `{ ok }`, once the socket is (or is no longer) viewing the chat.
async fn join_chat(
    s: SocketRef,
    Extension(ctx): Extension<AuthContext>,
    State(st): State<RealtimeState>,
    TryData(v): TryData<Value>,
    Extension(flood): Extension<Arc<FloodGuard>>,
    ack: AckSender,
) {
    if !flood.allow() {
        let _ = ack.send(&EventAck::ok(false));
        return;
    }
    let Some(chat_id) = v.ok().as_ref().and_then(chat_id_of) else {
        let _ = ack.send(&EventAck::ok(false));
        return;
    };
    // Non-members are refused without a word, as the contract says.
    let joined = match st.chats.require_member(ctx, &chat_id).await {
        Ok(chat) => {
            s.join(rooms::chat(chat.id));
            true
        }
        Err(_) => false,
    };
    let _ = ack.send(&EventAck::ok(joined));
}

async fn leave_chat(
    s: SocketRef,
    Extension(ctx): Extension<AuthContext>,
    State(st): State<RealtimeState>,
    TryData(v): TryData<Value>,
    Extension(flood): Extension<Arc<FloodGuard>>,
    ack: AckSender,
) {
    if !flood.allow() {
        let _ = ack.send(&EventAck::ok(false));
        return;
    }
    let Some(chat) = v.ok().as_ref().and_then(chat_id_of).and_then(|c| c.parse::<ChatId>().ok()) else {
        let _ = ack.send(&EventAck::ok(false));
        return;
    };
    s.leave(rooms::chat(chat));
    st.typing.stop(chat, ctx.user_id).await;
    let _ = ack.send(&EventAck::ok(true));
}

/// The chat a typing signal is about, if this socket is viewing it (which it can only
/// be as a member).
fn viewed_chat(s: &SocketRef, v: Result<Value, impl std::fmt::Debug>) -> Option<ChatId> {
    let chat: ChatId = v.ok().as_ref().and_then(chat_id_of)?.parse().ok()?;
    s.rooms().iter().any(|r| *r == rooms::chat(chat)).then_some(chat)
}

async fn typing(
    s: SocketRef,
    Extension(ctx): Extension<AuthContext>,
    State(st): State<RealtimeState>,
    TryData(v): TryData<Value>,
    Extension(flood): Extension<Arc<FloodGuard>>,
) {
    signal_typing(&s, ctx, &st, v, &flood, true).await;
}

async fn stop_typing(
    s: SocketRef,
    Extension(ctx): Extension<AuthContext>,
    State(st): State<RealtimeState>,
    TryData(v): TryData<Value>,
    Extension(flood): Extension<Arc<FloodGuard>>,
) {
    signal_typing(&s, ctx, &st, v, &flood, false).await;
}

/// `typing` / `stopTyping`, for a chat this socket is viewing.
async fn signal_typing(
    s: &SocketRef,
    ctx: AuthContext,
    st: &RealtimeState,
    v: Result<Value, impl std::fmt::Debug>,
    flood: &FloodGuard,
    started: bool,
) {
    if !flood.allow() {
        return;
    }
    let Some(chat) = viewed_chat(s, v) else { return };
    if started {
        // Never to someone a block keeps apart from the typist (1:1 chats only); a stop
        // goes out only for a start that did, so it needs no check.
        if let Ok(m) = st.chats.require_membership(ctx, &chat.to_string()).await
            && let Some(other) = m.other_in_direct(ctx.user_id)
            && !matches!(st.chats.blocks().apart(ctx.user_id, other).await, Ok(false))
        {
            return;
        }
        st.typing.start(chat, ctx.user_id).await;
    } else {
        st.typing.stop(chat, ctx.user_id).await;
    }
}

/// Answers `{ message }` once the message is committed, or `{ error }`; a socket's
/// sends are stored in the order they arrived.
async fn send_message(
    Extension(ctx): Extension<AuthContext>,
    State(st): State<RealtimeState>,
    ack: AckSender,
    turn: SendTurn,
    TryData(p): TryData<SendMessageRequest>,
) {
    turn.wait().await;
    let started = std::time::Instant::now();
    let answer = match p {
        Err(_) => SendMessageAck::Failed {
            error: refusal("invalid_body", "sendMessage needs { chatId, text, clientId }."),
        },
        Ok(p) => match st.messages.send(ctx, p.into()).await {
            Ok(stored) => SendMessageAck::Sent { message: MessageDto::new(stored.message, &[], st.links()) },
            Err(e) => SendMessageAck::Failed { error: error_body(e) },
        },
    };
    let _ = ack.send(&answer);
    st.metrics.send("socket", started.elapsed());
}

async fn mark_read(
    Extension(ctx): Extension<AuthContext>,
    State(st): State<RealtimeState>,
    TryData(p): TryData<MarkReadPayload>,
    ack: AckSender,
    Extension(flood): Extension<Arc<FloodGuard>>,
) {
    if !flood.allow() {
        let _ = ack.send(&EventAck::Failed {
            error: refusal("rate_limited", "Too many events from this connection."),
        });
        return;
    }
    let answer = match p {
        Err(_) => EventAck::Failed { error: refusal("invalid_body", "markRead needs { chatId, upToSeq }.") },
        Ok(p) => match st.chats.mark_read(ctx, &p.chat_id, p.up_to_seq).await {
            Ok(()) => EventAck::ok(true),
            Err(e) => EventAck::Failed { error: error_body(e) },
        },
    };
    let _ = ack.send(&answer);
}

async fn on_disconnect(
    s: SocketRef,
    Extension(ctx): Extension<AuthContext>,
    State(st): State<RealtimeState>,
    reason: DisconnectReason,
) {
    tracing::debug!(user.id = %ctx.user_id, socket.id = %s.id, ?reason, "socket disconnected");
    for room in s.rooms() {
        if let Some(chat) = room.strip_prefix("chat:").and_then(|c| c.parse::<ChatId>().ok()) {
            st.typing.stop(chat, ctx.user_id).await;
        }
    }
    // Presence counts the socket out when it is dropped (`connect::Counted`).
}

fn refusal(code: &str, message: &str) -> ErrorDto {
    ErrorDto::new(code, message)
}

/// The same body as an HTTP error's, validation `fields` included.
fn error_body(e: AppError) -> ErrorDto {
    ErrorDto::of(&e).unwrap_or_else(|| {
        tracing::error!(error = ?e, "socket request failed");
        refusal("internal", "Something went wrong on our side.")
    })
}
