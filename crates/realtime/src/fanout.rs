//! The one bus -> socket worker per node. Durable events (messages, read receipts)
//! go to every socket of every member exactly once; a socket whose buffer is full is
//! disconnected, so its client reconnects and catches up from the store instead of
//! silently missing a message. Ephemeral events (typing) may be dropped.

use natter_app::auth::AuthContext;
use natter_app::wire::{
    ChatDto, ChatMutedDto, MembersChangedDto, MessageDto, MessagesSeenDto, TypingDto, socket,
};
use std::time::Instant;

use natter_domain::bus::BusEvent;
use natter_domain::chat::{FeedEvent, FeedKind, Message};
use natter_domain::ids::{ChatId, UserId};
use serde_json::value::RawValue;
use socketioxide::{SendError, SocketError, SocketIo};

use tokio::sync::mpsc;

use crate::feed_order::{FeedOrder, GAP_WAIT, Gap, Row};
use crate::presence::Announcement;
use crate::{RealtimeState, rooms};

/// Runs for as long as the bus does. It returning at all means this node can no longer
/// deliver: the caller must treat that as fatal.
pub async fn run_fanout(io: SocketIo, st: RealtimeState) {
    let mut sub = st.bus.subscribe();
    let mut order = FeedOrder::default();
    // Rows read from the store to fill a gap, from the tasks that read them.
    let (fills, mut filled) = mpsc::unbounded_channel::<(ChatId, Vec<Row>)>();
    let presence = crate::presence::announcer(io.clone(), st.clone());
    let mut tick = tokio::time::interval(GAP_WAIT / 3);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            event = sub.next() => match event {
                Some(Ok(BusEvent::Feed { event, members })) => {
                    let started = Instant::now();
                    for row in order.accept(Row { event, members }, started) {
                        deliver_row(&io, &st, row);
                    }
                    st.metrics.fanned_out(started.elapsed());
                }
                Some(Ok(BusEvent::Presence { user_id, online, last_seen })) => {
                    let _ = presence.send(Announcement::Presence { user: user_id, online, last_seen });
                }
                Some(Ok(BusEvent::BlocksChanged { blocker, blocked, blocking })) => {
                    let _ = presence.send(Announcement::Blocks { blocker, blocked, blocking });
                }
                Some(Ok(e)) => {
                    let started = Instant::now();
                    if let BusEvent::ChatCreated { chat } = &e {
                        order.start(chat.id, chat.last_seq, started);
                    }
                    deliver(&io, &st, e).await;
                    st.metrics.fanned_out(started.elapsed());
                }
                Some(Err(lagged)) => {
                    // This node fell behind and events are gone: every client here must
                    // catch up, which reconnecting makes it do.
                    tracing::error!(lost = lagged.0, "fan-out lagged; disconnecting sockets so they catch up");
                    if let Some(all) = rooms::open(&io) {
                        let _ = all.disconnect().await;
                    }
                }
                None => return,
            },
            Some((chat, rows)) = filled.recv() => {
                for row in order.filled(chat, rows, Instant::now()) {
                    deliver_row(&io, &st, row);
                }
            }
            _ = tick.tick() => {
                let now = Instant::now();
                for gap in order.gaps_due(now) {
                    read_gap(&st, gap, fills.clone());
                }
                order.forget_idle(now);
            }
        }
    }
}

/// Read a gap's rows from the store in a task of its own (never in the loop).
fn read_gap(st: &RealtimeState, gap: Gap, fills: mpsc::UnboundedSender<(ChatId, Vec<Row>)>) {
    let chats = st.chats.clone();
    tokio::spawn(async move {
        let rows = match chats.feed_between(gap.chat, gap.after, gap.before).await {
            Ok(events) => {
                events.into_iter().map(|event| Row { event, members: gap.members.clone() }).collect()
            }
            Err(e) => {
                tracing::warn!(error = %e, chat.id = %gap.chat, "could not read a gap in the feed; going on around it");
                Vec::new()
            }
        };
        let _ = fills.send((gap.chat, rows));
    });
}

/// One feed row, in its chat's order.
fn deliver_row(io: &SocketIo, st: &RealtimeState, Row { event, members }: Row) {
    match event.kind {
        FeedKind::MessageCreated => {
            let Some(message) = event.message else { return };
            let viewers = viewers_other_than_sender(io, &message);
            let (chat_id, seq) = (message.chat_id, message.seq);
            let dto = MessageDto::new(message, &[], st.links());
            emit_durable(io, st, &members, socket::NEW_MESSAGE, &dto);
            if !viewers.is_empty() {
                let chats = st.chats.clone();
                tokio::spawn(async move {
                    for viewer in viewers {
                        // Logged by the use-case; the viewer's next read marks it anyway.
                        let _ = chats.seen_on_arrival(chat_id, &members, viewer, seq).await;
                    }
                });
            }
        }
        FeedKind::MessageEdited
        | FeedKind::MessageDeleted
        | FeedKind::ReactionAdded
        | FeedKind::ReactionRemoved => {
            let Some(message) = event.message else { return };
            // A reaction changes the message as much as an edit does.
            let name = if event.kind == FeedKind::MessageDeleted {
                socket::MESSAGE_DELETED
            } else {
                socket::MESSAGE_UPDATED
            };
            emit_durable(io, st, &members, name, &MessageDto::new(message, &[], st.links()));
        }
        FeedKind::ChatCreated
        | FeedKind::MemberAdded
        | FeedKind::MemberRemoved
        | FeedKind::ChatRenamed
        | FeedKind::MemberRoleChanged => deliver_group_change(io, st, event, &members),
    }
}

/// A group was created or changed: its members get the system message and the chat as
/// it is now; whoever left or was removed gets `membersChanged` with no chat, and
/// their sockets here stop viewing it at once (no typing, no receipts, nothing more).
fn deliver_group_change(io: &SocketIo, st: &RealtimeState, event: FeedEvent, members: &[UserId]) {
    let chat_id = event.chat_id;
    st.chats.forget(chat_id);
    let removed = event.removed_users();
    let note = event.message.as_ref().and_then(Message::system_note);
    let Some(chat) = event.chat else { return };
    let current: Vec<UserId> = members.iter().copied().filter(|m| chat.members.contains(m)).collect();
    if let Some(ns) = rooms::open(io) {
        let room = rooms::chat(chat_id);
        for user in &removed {
            for s in ns.clone().to(rooms::user(*user)).sockets() {
                s.leave(room.clone());
            }
        }
    }
    if !removed.is_empty() {
        let typing = st.typing.clone();
        let removed = removed.clone();
        tokio::spawn(async move {
            for user in removed {
                typing.stop(chat_id, user).await;
            }
        });
    }
    // Who shares a chat with whom changed: online lists are worked out again.
    st.presence.chat_created(members);
    if let Some(message) = event.message {
        emit_durable(io, st, &current, socket::NEW_MESSAGE, &MessageDto::new(message, &[], st.links()));
    }
    let dto = ChatDto::shape(chat.clone());
    if matches!(event.kind, FeedKind::MemberAdded | FeedKind::MemberRemoved) {
        let added = note.map(|n| n.users).filter(|_| event.kind == FeedKind::MemberAdded).unwrap_or_default();
        let ids = |v: &[UserId]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        let (added, removed_ids) = (ids(&added), ids(&removed));
        let changed = MembersChangedDto {
            chat_id: chat_id.to_string(),
            added: added.clone(),
            removed: removed_ids.clone(),
            chat: Some(ChatDto::shape(chat)),
        };
        emit_durable(io, st, &current, socket::MEMBERS_CHANGED, &changed);
        let gone =
            MembersChangedDto { chat_id: chat_id.to_string(), added, removed: removed_ids, chat: None };
        emit_durable(io, st, &removed, socket::MEMBERS_CHANGED, &gone);
    }
    emit_durable(io, st, &current, socket::CHAT_UPDATED, &dto);
}

/// Never waits for a store: one slow read would hold up every chat's delivery. What
/// needs the store runs in a task of its own. (The emits it awaits are local.)
async fn deliver(io: &SocketIo, st: &RealtimeState, event: BusEvent) {
    match event {
        // Ordered in `run_fanout`.
        BusEvent::Feed { event, members } => deliver_row(io, st, Row { event, members }),
        BusEvent::MessagesSeen { chat_id, seen_by, message_ids, seen_at, up_to_seq, members } => {
            let payload = MessagesSeenDto {
                chat_id: chat_id.to_string(),
                seen_by: seen_by.to_string(),
                message_ids: message_ids.iter().map(ToString::to_string).collect(),
                seen_at,
                up_to_seq,
            };
            emit_durable(io, st, &members, socket::MESSAGES_SEEN, &payload);
        }
        BusEvent::ChatCreated { chat } => {
            // The members now share a chat, so each one's online list changes.
            st.presence.chat_created(&chat.members);
            let members = chat.members.clone();
            let new_chat = ChatDto::shape(chat);
            emit_durable(io, st, &members, socket::CHAT_UPDATED, &new_chat);
            let (io, presence) = (io.clone(), st.presence.clone());
            tokio::spawn(async move {
                for member in members {
                    if let Ok(list) = presence.online_contacts(member).await {
                        let ids: Vec<String> = list.iter().map(ToString::to_string).collect();
                        let Some(ns) = rooms::open(&io) else { return };
                        let _ = ns.to(rooms::user(member)).emit(socket::ONLINE_USERS, &ids).await;
                    }
                }
            });
        }
        BusEvent::Typing { chat_id, user_id, typing } => {
            let event = if typing { socket::USER_TYPING } else { socket::USER_STOPPED_TYPING };
            let payload = TypingDto { chat_id: chat_id.to_string(), user_id: user_id.to_string() };
            // To the others viewing the chat; never back to the typist's own tabs.
            let Some(ns) = rooms::open(io) else { return };
            let _ = ns.to(rooms::chat(chat_id)).except(rooms::user(user_id)).emit(event, &payload).await;
        }
        // Handed to the presence announcer in `run_fanout`.
        BusEvent::Presence { .. } | BusEvent::BlocksChanged { .. } => {}
        BusEvent::MuteChanged { user_id, chat_id, muted } => {
            let payload = ChatMutedDto { chat_id: chat_id.to_string(), muted };
            let Some(ns) = rooms::open(io) else { return };
            let _ = ns.to(rooms::user(user_id)).emit(socket::CHAT_MUTED, &payload).await;
        }
        BusEvent::SessionRevoked { session_id } => {
            let Some(ns) = rooms::open(io) else { return };
            let _ = ns.to(rooms::session(session_id)).disconnect().await;
        }
    }
}

/// Members other than the sender with a socket on this node that is viewing the
/// message's chat (joined it and still connected): for them it is seen on arrival.
fn viewers_other_than_sender(io: &SocketIo, message: &Message) -> Vec<UserId> {
    let Some(ns) = rooms::open(io) else { return Vec::new() };
    let mut viewers: Vec<UserId> = ns
        .to(rooms::chat(message.chat_id))
        .sockets()
        .iter()
        .filter_map(|s| s.extensions.get::<AuthContext>())
        .map(|ctx| ctx.user_id)
        .filter(|u| *u != message.sender)
        .collect();
    viewers.sort();
    viewers.dedup();
    viewers
}

/// Emit to each connected socket of `members` once; a socket that cannot take it is
/// disconnected rather than left behind.
fn emit_durable<T: serde::Serialize>(
    io: &SocketIo,
    st: &RealtimeState,
    members: &[UserId],
    event: &str,
    payload: &T,
) {
    // socketioxide reads no rooms as every socket: to no one must mean no one.
    if members.is_empty() {
        return;
    }
    // Serialized once, however many sockets receive it.
    let raw: Box<RawValue> = match serde_json::value::to_raw_value(payload) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, event, "could not serialize an event");
            return;
        }
    };
    let user_rooms: Vec<String> = members.iter().map(|m| rooms::user(*m)).collect();
    let mut delivered = 0;
    let Some(ns) = rooms::open(io) else { return };
    for socket in ns.to(user_rooms).sockets() {
        match socket.emit(event, &raw) {
            Ok(()) => delivered += 1,
            Err(SendError::Socket(SocketError::InternalChannelFull)) => {
                tracing::warn!(socket.id = %socket.id, event, "socket too slow; disconnecting it so it catches up");
                st.metrics.slow_socket();
                let _ = socket.disconnect();
            }
            Err(_) => {}
        }
    }
    st.metrics.delivered(event, delivered);
}
