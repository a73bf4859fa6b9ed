//! Group chats on SQLite: creating one and changing it, each in one transaction on
//! the writer, the rules of `group::plan` applied to the chat as that transaction
//! sees it.

use natter_domain::chat::{ChatRole, FeedEvent, FeedKind, Message, MessageKind, SystemNote};
use natter_domain::group::{GroupChange, GroupChanged, NewGroup, plan};
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::ports::StoreResult;
use natter_domain::{StoreError, Timestamp};
use rusqlite::{OptionalExtension, params};

use crate::SqliteStore;
use crate::chats::load_chat_for_write;
use crate::rows::parse_id;
use crate::writer::map_err as w;

impl SqliteStore {
    pub(crate) async fn create_group_(&self, g: NewGroup) -> StoreResult<GroupChanged> {
        self.writer
            .run(move |conn| {
                let earlier: Option<String> = conn
                    .prepare_cached("select chat_id from messages where sender_id = ?1 and client_id = ?2")
                    .and_then(|mut s| {
                        s.query_row(params![g.owner.to_string(), g.client_id], |r| r.get(0)).optional()
                    })
                    .map_err(w)?;
                if let Some(chat) = earlier {
                    let chat = load_chat_for_write(conn, parse_id(&chat)?)?;
                    if !chat.is_group {
                        return Err(StoreError::Conflict { constraint: "messages_sender_client_key".into() });
                    }
                    return Ok(GroupChanged { chat, event: None });
                }
                let (id, at) = (g.id.to_string(), g.now.as_millis());
                conn.prepare_cached(
                    "insert into chats (id, is_group, name, created_at, updated_at) values (?1, 1, ?2, ?3, ?3)",
                )
                .and_then(|mut s| s.execute(params![id, g.name, at]))
                .map_err(w)?;
                let mut add = conn
                    .prepare_cached(
                        "insert into chat_members (chat_id, user_id, joined_at, role) values (?1, ?2, ?3, ?4)",
                    )
                    .map_err(w)?;
                add.execute(params![id, g.owner.to_string(), at, ChatRole::Owner.as_str()]).map_err(w)?;
                for user in &g.members {
                    add.execute(params![id, user.to_string(), at, ChatRole::Member.as_str()]).map_err(w)?;
                }
                let note = SystemNote {
                    kind: FeedKind::ChatCreated,
                    users: g.members.clone(),
                    name: Some(g.name.clone()),
                    role: None,
                    new_owner: None,
                };
                let event = system_message(conn, g.id, g.owner, g.message_id, g.client_id, note, g.now)?;
                let chat = load_chat_for_write(conn, g.id)?;
                Ok(GroupChanged { event: Some(FeedEvent { chat: Some(chat.clone()), ..event }), chat })
            })
            .await
    }

    pub(crate) async fn change_group_(
        &self,
        chat_id: ChatId,
        actor: UserId,
        change: GroupChange,
        message_id: MessageId,
        now: Timestamp,
    ) -> StoreResult<GroupChanged> {
        self.writer
            .run(move |conn| {
                let chat = load_chat_for_write(conn, chat_id)?;
                let plan = match plan(&chat, actor, &change) {
                    Ok(Some(p)) => p,
                    Ok(None) => return Ok(GroupChanged { chat, event: None }),
                    Err(refusal) => return Err(StoreError::Conflict { constraint: refusal.code().into() }),
                };
                let (id, at) = (chat_id.to_string(), now.as_millis());
                if let Some(name) = &plan.rename {
                    conn.prepare_cached("update chats set name = ?2 where id = ?1")
                        .and_then(|mut s| s.execute(params![id, name]))
                        .map_err(w)?;
                }
                let mut add = conn
                    .prepare_cached(
                        "insert into chat_members (chat_id, user_id, joined_at) values (?1, ?2, ?3)",
                    )
                    .map_err(w)?;
                for user in &plan.add {
                    add.execute(params![id, user.to_string(), at]).map_err(w)?;
                }
                if let Some(user) = plan.remove {
                    conn.prepare_cached("delete from chat_members where chat_id = ?1 and user_id = ?2")
                        .and_then(|mut s| s.execute(params![id, user.to_string()]))
                        .map_err(w)?;
                }
                if let Some((user, role)) = plan.set_role {
                    conn.prepare_cached(
                        "update chat_members set role = ?3 where chat_id = ?1 and user_id = ?2",
                    )
                    .and_then(|mut s| s.execute(params![id, user.to_string(), role.as_str()]))
                    .map_err(w)?;
                }
                let event =
                    system_message(conn, chat_id, actor, message_id, message_id.to_string(), plan.note, now)?;
                // What was said before someone joined is not unread for them.
                let mut caught_up = conn
                    .prepare_cached(
                        "update chat_members set last_read_seq = ?3 where chat_id = ?1 and user_id = ?2",
                    )
                    .map_err(w)?;
                for user in &plan.add {
                    caught_up.execute(params![id, user.to_string(), event.seq]).map_err(w)?;
                }
                let chat = load_chat_for_write(conn, chat_id)?;
                Ok(GroupChanged { event: Some(FeedEvent { chat: Some(chat.clone()), ..event }), chat })
            })
            .await
    }
}

/// Write a group's system message with the chat's next seq (the chat's latest now, as
/// any message), its feed row of the note's kind, and move the actor's read marker
/// past it (if they are still a member).
fn system_message(
    conn: &rusqlite::Connection,
    chat: ChatId,
    actor: UserId,
    id: MessageId,
    client_id: String,
    note: SystemNote,
    now: Timestamp,
) -> StoreResult<FeedEvent> {
    let (chat_s, id_s, at) = (chat.to_string(), id.to_string(), now.as_millis());
    let seq: i64 = conn
        .prepare_cached(
            "update chats set last_seq = last_seq + 1, latest_message_id = ?2, updated_at = ?3
             where id = ?1 returning last_seq",
        )
        .and_then(|mut s| s.query_row(params![chat_s, id_s, at], |r| r.get(0)))
        .map_err(w)?;
    let (kind, text) = (note.kind, note.to_text());
    conn.prepare_cached(
        "insert into messages (id, chat_id, seq, sender_id, client_id, kind, text, created_at, updated_at)
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )
    .and_then(|mut s| {
        s.execute(params![
            id_s,
            chat_s,
            seq,
            actor.to_string(),
            client_id,
            MessageKind::System.as_str(),
            text,
            at
        ])
    })
    .map_err(w)?;
    conn.prepare_cached(
        "insert into chat_events (chat_id, seq, kind, actor_id, message_id, at) values (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| s.execute(params![chat_s, seq, kind.as_str(), actor.to_string(), id_s, at]))
    .map_err(w)?;
    conn.prepare_cached(
        "update chat_members set last_read_seq = ?3, read_at = ?4
         where chat_id = ?1 and user_id = ?2 and last_read_seq < ?3",
    )
    .and_then(|mut s| s.execute(params![chat_s, actor.to_string(), seq, at]))
    .map_err(w)?;
    let message = Message::system(id, chat, seq, actor, client_id, text, now);
    Ok(FeedEvent { chat_id: chat, seq, kind, actor, at: now, message: Some(message), chat: None })
}
