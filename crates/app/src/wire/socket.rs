//! The Socket.IO side of the wire: every event's name, what it carries and what it is
//! answered with. The realtime transport registers and emits by these names, and the
//! web client's `SocketEvent`, `ServerToClientEvents` and `ClientToServerEvents` are
//! generated from the tables below, so an event is named and typed once.

use serde::{Deserialize, Serialize};
use ts_rs::{Config, TS};

use super::{
    BlocksChangedDto, ChatDto, ChatMutedDto, ErrorDto, MembersChangedDto, MessageDto, MessagesSeenDto,
    PresenceDto, SendMessageRequest, TypingDto,
};

/// Server to client.
pub const ONLINE_USERS: &str = "getOnlineUser";
pub const NEW_MESSAGE: &str = "newMessage";
/// A message was edited: the `Message` as it is now.
pub const MESSAGE_UPDATED: &str = "messageUpdated";
/// A message was deleted for everyone: its tombstone `Message`.
pub const MESSAGE_DELETED: &str = "messageDeleted";
pub const MESSAGES_SEEN: &str = "messagesSeen";
pub const USER_TYPING: &str = "userTyping";
pub const USER_STOPPED_TYPING: &str = "userStoppedTyping";
/// A chat appeared or a group changed (renamed, a role given): the `Chat` without the
/// reader's counts.
pub const CHAT_UPDATED: &str = "chatUpdated";
/// Members joined or left a group.
pub const MEMBERS_CHANGED: &str = "membersChanged";
pub const PRESENCE: &str = "presence";
/// To the blocker's own sockets (all their tabs): a block was made or taken back.
pub const BLOCKS_CHANGED: &str = "blocksChanged";
/// To the user's own sockets (all their tabs): a chat was muted or unmuted.
pub const CHAT_MUTED: &str = "chatMuted";

/// Client to server.
pub const JOIN_CHAT: &str = "joinChat";
pub const LEAVE_CHAT: &str = "leaveChat";
pub const TYPING: &str = "typing";
pub const STOP_TYPING: &str = "stopTyping";
pub const SEND_MESSAGE: &str = "sendMessage";
pub const MARK_READ: &str = "markRead";

/// `typing` / `stopTyping` (and `joinChat` / `leaveChat`, which also take the bare id).
#[derive(Deserialize, TS, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ChatRef {
    pub chat_id: String,
}

/// `markRead`: the caller has read the chat up to `upToSeq`.
#[derive(Deserialize, TS, Debug)]
#[serde(rename_all = "camelCase")]
pub struct MarkReadPayload {
    pub chat_id: String,
    pub up_to_seq: i64,
}

/// The ack of `sendMessage`: sent only after the commit.
#[derive(Serialize, TS)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant, reason = "made once per send and serialized at once, never stored")]
pub enum SendMessageAck {
    Sent { message: MessageDto },
    Failed { error: ErrorDto },
}

/// The ack of an event that only succeeds or not: `joinChat` and `leaveChat` answer
/// `{ ok }` (a refusal says nothing more, as the contract wants), `markRead` answers
/// `{ ok: true }` or why not.
#[derive(Serialize, TS)]
#[serde(untagged)]
pub enum EventAck {
    Done { ok: bool },
    Failed { error: ErrorDto },
}

impl EventAck {
    pub fn ok(done: bool) -> Self {
        Self::Done { ok: done }
    }
}

/// One event: its key in the client's `SocketEvent`, its name on the wire, its
/// arguments and the type of its ack, as TypeScript.
struct Event {
    key: &'static str,
    name: &'static str,
    args: Vec<(&'static str, String)>,
    ack: Option<String>,
}

fn event(key: &'static str, name: &'static str, args: Vec<(&'static str, String)>) -> Event {
    Event { key, name, args, ack: None }
}

fn server_to_client(cfg: &Config) -> Vec<Event> {
    vec![
        event("onlineUsers", ONLINE_USERS, vec![("userIds", <Vec<String>>::name(cfg))]),
        event("newMessage", NEW_MESSAGE, vec![("message", MessageDto::name(cfg))]),
        event("messageUpdated", MESSAGE_UPDATED, vec![("message", MessageDto::name(cfg))]),
        event("messageDeleted", MESSAGE_DELETED, vec![("message", MessageDto::name(cfg))]),
        event("messagesSeen", MESSAGES_SEEN, vec![("payload", MessagesSeenDto::name(cfg))]),
        event("userTyping", USER_TYPING, vec![("payload", TypingDto::name(cfg))]),
        event("userStoppedTyping", USER_STOPPED_TYPING, vec![("payload", TypingDto::name(cfg))]),
        event("chatUpdated", CHAT_UPDATED, vec![("chat", ChatDto::name(cfg))]),
        event("membersChanged", MEMBERS_CHANGED, vec![("payload", MembersChangedDto::name(cfg))]),
        event("presence", PRESENCE, vec![("payload", PresenceDto::name(cfg))]),
        event("blocksChanged", BLOCKS_CHANGED, vec![("payload", BlocksChangedDto::name(cfg))]),
        event("chatMuted", CHAT_MUTED, vec![("payload", ChatMutedDto::name(cfg))]),
    ]
}

fn client_to_server(cfg: &Config) -> Vec<Event> {
    let chat = || vec![("chatId", format!("string | {}", ChatRef::name(cfg)))];
    let with_ack = |e: Event, ack: String| Event { ack: Some(ack), ..e };
    vec![
        with_ack(event("joinChat", JOIN_CHAT, chat()), EventAck::name(cfg)),
        with_ack(event("leaveChat", LEAVE_CHAT, chat()), EventAck::name(cfg)),
        event("typing", TYPING, vec![("payload", ChatRef::name(cfg))]),
        event("stopTyping", STOP_TYPING, vec![("payload", ChatRef::name(cfg))]),
        with_ack(
            event("sendMessage", SEND_MESSAGE, vec![("payload", SendMessageRequest::name(cfg))]),
            SendMessageAck::name(cfg),
        ),
        with_ack(
            event("markRead", MARK_READ, vec![("payload", MarkReadPayload::name(cfg))]),
            EventAck::name(cfg),
        ),
    ]
}

/// The declarations of the payload types above.
pub(super) fn payload_declarations(cfg: &Config) -> Vec<String> {
    vec![ChatRef::decl(cfg), MarkReadPayload::decl(cfg), SendMessageAck::decl(cfg), EventAck::decl(cfg)]
}

/// `SocketEvent` and the two event maps that type socket.io-client's `Socket`. An ack
/// is optional for the client (the seed's client never asks for one), except
/// `sendMessage`'s, whose answer is the point of sending over the socket.
pub(super) fn event_maps(cfg: &Config) -> String {
    let (down, up) = (server_to_client(cfg), client_to_server(cfg));
    let mut out = String::from("export const SocketEvent = {\n  // server -> client\n");
    for (i, e) in down.iter().chain(&up).enumerate() {
        if i == down.len() {
            out.push_str("  // client -> server\n");
        }
        out.push_str(&format!("  {}: '{}',\n", e.key, e.name));
    }
    out.push_str("} as const;\n\n");
    for (title, events) in [("ServerToClientEvents", &down), ("ClientToServerEvents", &up)] {
        out.push_str(&format!("export interface {title} {{\n"));
        for e in events {
            let mut args: Vec<String> = e.args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            if let Some(ack) = &e.ack {
                let optional = if e.name == SEND_MESSAGE { "" } else { "?" };
                args.push(format!("ack{optional}: (answer: {ack}) => void"));
            }
            out.push_str(&format!("  {}: ({}) => void;\n", e.name, args.join(", ")));
        }
        out.push_str("}\n\n");
    }
    out
}
