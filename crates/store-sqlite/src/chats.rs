//! Chats, members, messages and read markers on SQLite.

use natter_domain::chat::{
    Changed, Chat, ChatSummary, FeedEvent, FeedKind, FeedPage, MAX_REACTION_KINDS, Message, MessageEdit,
    MessagePage, NewMessage, PageCursor, Reaction, ReadMarker, ReadMoved, ReplyPreview, Stored,
};
use natter_domain::entities::User;
use natter_domain::group::GroupRefusal;
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::ports::StoreResult;
use natter_domain::{StoreError, Timestamp};
use rusqlite::{OptionalExtension, params};
use sqlx::SqliteConnection;

use crate::SqliteStore;
use crate::rows::{
    ChatRow, FeedRow, JoinedMessageRow, MessageRow, PreviewRow, UserRow, map_err, mentions_to_json, parse_id,
};
use crate::writer::map_err as w;

impl SqliteStore {
    pub(crate) async fn get_or_create_direct_chat_(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> StoreResult<(Chat, bool)> {
        let (lo, hi) = if a.to_string() <= b.to_string() { (a, b) } else { (b, a) };
        let key = format!("{lo}:{hi}");
        self.writer
            .run(move |conn| {
                let existing: Option<String> = conn
                    .prepare_cached("select id from chats where direct_key = ?1")
                    .and_then(|mut s| s.query_row(params![key], |r| r.get(0)).optional())
                    .map_err(w)?;
                let created = existing.is_none();
                let id = match existing {
                    Some(id) => parse_id::<ChatId>(&id)?,
                    None => {
                        let id = ChatId::new();
                        conn.prepare_cached(
                            "insert into chats (id, is_group, direct_key, created_at, updated_at)
                             values (?1, 0, ?2, ?3, ?3)",
                        )
                        .and_then(|mut s| s.execute(params![id.to_string(), key, now.as_millis()]))
                        .map_err(w)?;
                        let mut add = conn
                            .prepare_cached(
                                "insert into chat_members (chat_id, user_id, joined_at) values (?1, ?2, ?3)",
                            )
                            .map_err(w)?;
                        for user in [lo, hi] {
                            add.execute(params![id.to_string(), user.to_string(), now.as_millis()])
                                .map_err(w)?;
                        }
                        id
                    }
                };
                Ok((load_chat_for_write(conn, id)?, created))
            })
            .await
    }

    pub(crate) async fn get_chat_(&self, id: ChatId) -> StoreResult<Chat> {
        let mut conn = self.reader.acquire().await.map_err(map_err)?;
        load_chat(&mut conn, id).await
    }

    pub(crate) async fn list_chats_(&self, user: UserId) -> StoreResult<Vec<ChatSummary>> {
        // One query for the chats with their preview and unseen count...
        let rows: Vec<ChatSummary> = {
            let raw: Vec<ChatListRow> = sqlx::query_as(&format!(
                "select c.id, c.is_group, c.name, c.last_seq, c.created_at, c.updated_at,
                        me.last_read_seq, me.muted,
                        (select count(*) from messages x
                          where x.chat_id = c.id and x.seq > me.last_read_seq and x.sender_id <> me.user_id
                            and x.deleted_at is null and x.kind <> 'system') as unseen,
                        (select count(*) from messages x
                          where x.chat_id = c.id and x.seq > me.last_read_seq and x.sender_id <> me.user_id
                            and x.deleted_at is null and x.mentions like '%\"' || me.user_id || '\"%') as mentioned,
                        {} as member_ids,
                        {}
                 from chat_members me
                 join chats c on c.id = me.chat_id
                 left join messages m on m.id = c.latest_message_id
                 where me.user_id = ?1
                 order by c.updated_at desc, c.id desc",
                ChatRow::members_of("c.id"),
                JoinedMessageRow::columns()
            ))
            .bind(user.to_string())
            .fetch_all(&self.reader)
            .await
            .map_err(map_err)?;
            raw.into_iter().map(ChatListRow::summary).collect::<StoreResult<_>>()?
        };
        Ok(rows)
    }

    pub(crate) async fn get_users_(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // A JSON array parameter keeps this one statement whatever the count.
        let json = serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>())
            .map_err(|e| StoreError::Other(e.into()))?;
        let rows: Vec<UserRow> =
            sqlx::query_as("select * from users where id in (select value from json_each(?1))")
                .bind(json)
                .fetch_all(&self.reader)
                .await
                .map_err(map_err)?;
        rows.into_iter().map(User::try_from).collect()
    }

    pub(crate) async fn co_member_ids_(&self, user: UserId) -> StoreResult<Vec<UserId>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "select distinct other.user_id from chat_members me
             join chat_members other on other.chat_id = me.chat_id and other.user_id <> me.user_id
             where me.user_id = ?1",
        )
        .bind(user.to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.iter().map(|(id,)| parse_id(id)).collect()
    }

    pub(crate) async fn insert_message_(&self, m: NewMessage) -> StoreResult<Stored> {
        self.writer.run(move |conn| insert_message(conn, m)).await
    }

    /// Feed rows of `chat` in `(after, before)`, oldest first, with their messages.
    pub(crate) async fn list_events_(
        &self,
        chat: ChatId,
        after: i64,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<FeedPage> {
        let fetch = i64::from(limit) + 1;
        let rows: Vec<FeedRow> = sqlx::query_as(&format!(
            "select {} from chat_events e left join messages m on m.id = e.message_id
             where e.chat_id = ?1 and e.seq > ?2 and e.seq < ?3 order by e.seq limit ?4",
            FeedRow::columns()
        ))
        .bind(chat.to_string())
        .bind(after)
        .bind(before.unwrap_or(i64::MAX))
        .bind(fetch)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        let has_more = rows.len() as i64 > i64::from(limit);
        let mut events = rows
            .into_iter()
            .take(limit as usize)
            .map(FeedEvent::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        self.attach_details(events.iter_mut().filter_map(|e| e.message.as_mut())).await?;
        self.attach_chats(&mut events).await?;
        Ok(FeedPage { events, has_more })
    }

    pub(crate) async fn claim_unpublished_(
        &self,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
        now: Timestamp,
        claim_until: Timestamp,
    ) -> StoreResult<Vec<FeedEvent>> {
        // Claimed by the one writer; then read with their messages as a reader would.
        let keys: Vec<(String, i64)> = self
            .writer
            .run(move |conn| {
                let mut s = conn
                    .prepare_cached(
                        "update chat_events set swept_until = ?5
                         where (chat_id, seq) in (
                             select chat_id, seq from chat_events
                             where published_at is null and at >= ?1 and at < ?2
                               and (swept_until is null or swept_until <= ?4)
                             order by at, chat_id, seq limit ?3)
                         returning chat_id, seq",
                    )
                    .map_err(w)?;
                let rows = s
                    .query_map(
                        params![
                            from.as_millis(),
                            until.as_millis(),
                            i64::from(limit),
                            now.as_millis(),
                            claim_until.as_millis()
                        ],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .map_err(w)?;
                rows.collect::<Result<Vec<_>, _>>().map_err(w)
            })
            .await?;
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys = serde_json::to_string(&keys).map_err(|e| StoreError::Other(e.into()))?;
        let rows: Vec<FeedRow> = sqlx::query_as(&format!(
            "select {} from chat_events e left join messages m on m.id = e.message_id
             where (e.chat_id, e.seq) in (select value ->> 0, value ->> 1 from json_each(?1))
             order by e.at, e.chat_id, e.seq",
            FeedRow::columns()
        ))
        .bind(keys)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        let mut events = rows.into_iter().map(FeedEvent::try_from).collect::<StoreResult<Vec<_>>>()?;
        self.attach_details(events.iter_mut().filter_map(|e| e.message.as_mut())).await?;
        self.attach_chats(&mut events).await?;
        Ok(events)
    }

    pub(crate) async fn mark_published_(
        &self,
        events: Vec<(ChatId, i64)>,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                let mut s = conn
                    .prepare_cached(
                        "update chat_events set published_at = ?3
                         where chat_id = ?1 and seq = ?2 and published_at is null",
                    )
                    .map_err(w)?;
                for (chat, seq) in events {
                    s.execute(params![chat.to_string(), seq, now.as_millis()]).map_err(w)?;
                }
                Ok(())
            })
            .await
    }

    pub(crate) async fn get_message_(&self, id: MessageId) -> StoreResult<Message> {
        let row: MessageRow =
            sqlx::query_as(&format!("select {} from messages where id = ?1", MessageRow::COLUMNS))
                .bind(id.to_string())
                .fetch_optional(&self.reader)
                .await
                .map_err(map_err)?
                .ok_or(StoreError::NotFound)?;
        let mut message: Message = row.try_into()?;
        self.attach_details(std::iter::once(&mut message)).await?;
        Ok(message)
    }

    pub(crate) async fn edit_message_(
        &self,
        id: MessageId,
        text: String,
        now: Timestamp,
    ) -> StoreResult<Changed> {
        self.writer
            .run(move |conn| {
                let before = message_for_write(conn, id)?;
                if before.deleted_at.is_some() {
                    return Err(StoreError::Conflict { constraint: "message_deleted".into() });
                }
                if before.text == text {
                    return Ok(Changed { event: None, message: before, removed_image: None });
                }
                let (mid, at) = (id.to_string(), now.as_millis());
                conn.prepare_cached(
                    "insert into message_edits (message_id, text, replaced_at) values (?1, ?2, ?3)",
                )
                .and_then(|mut s| s.execute(params![mid, before.text, at]))
                .map_err(w)?;
                conn.prepare_cached(
                    "update messages set text = ?2, edited_at = ?3, updated_at = ?3 where id = ?1",
                )
                .and_then(|mut s| s.execute(params![mid, text, at]))
                .map_err(w)?;
                let message = Message { text, edited_at: Some(now), updated_at: now, ..before };
                let event = feed_row(conn, &message, FeedKind::MessageEdited, message.sender, now)?;
                Ok(Changed { event: Some(event), message, removed_image: None })
            })
            .await
    }

    pub(crate) async fn delete_message_(
        &self,
        id: MessageId,
        actor: UserId,
        now: Timestamp,
    ) -> StoreResult<Changed> {
        self.writer
            .run(move |conn| {
                let before = message_for_write(conn, id)?;
                if before.deleted_at.is_some() {
                    return Ok(Changed { event: None, message: before, removed_image: None });
                }
                let (mid, at) = (id.to_string(), now.as_millis());
                for table in ["message_edits", "message_reactions"] {
                    conn.prepare_cached(&format!("delete from {table} where message_id = ?1"))
                        .and_then(|mut s| s.execute(params![mid]))
                        .map_err(w)?;
                }
                conn.prepare_cached(
                    "update messages set text = '', image_key = null, thumb_key = null, image_width = null,
                            image_height = null, mentions = null, deleted_at = ?2, updated_at = ?2 where id = ?1",
                )
                .and_then(|mut s| s.execute(params![mid, at]))
                .map_err(w)?;
                let removed_image = before.image.clone();
                let message = Message {
                    text: String::new(),
                    image: None,
                    reactions: Vec::new(),
                    mentions: Vec::new(),
                    deleted_at: Some(now),
                    updated_at: now,
                    ..before
                };
                let event = feed_row(conn, &message, FeedKind::MessageDeleted, actor, now)?;
                Ok(Changed { event: Some(event), message, removed_image })
            })
            .await
    }

    pub(crate) async fn react_(
        &self,
        id: MessageId,
        user: UserId,
        emoji: String,
        on: bool,
        now: Timestamp,
    ) -> StoreResult<Changed> {
        self.writer
            .run(move |conn| {
                let before = message_for_write(conn, id)?;
                if before.deleted_at.is_some() {
                    return Err(StoreError::Conflict { constraint: "message_deleted".into() });
                }
                let has = |r: &Reaction| r.emoji == emoji;
                let mine = before.reactions.iter().any(|r| has(r) && r.users.contains(&user));
                if mine == on {
                    return Ok(Changed { event: None, message: before, removed_image: None });
                }
                let (mid, uid) = (id.to_string(), user.to_string());
                if on {
                    if !before.reactions.iter().any(has) && before.reactions.len() >= MAX_REACTION_KINDS {
                        return Err(StoreError::Conflict { constraint: "too_many_reactions".into() });
                    }
                    conn.prepare_cached(
                        "insert into message_reactions (message_id, emoji, user_id, at) values (?1, ?2, ?3, ?4)",
                    )
                    .and_then(|mut s| s.execute(params![mid, emoji, uid, now.as_millis()]))
                    .map_err(w)?;
                } else {
                    conn.prepare_cached(
                        "delete from message_reactions where message_id = ?1 and emoji = ?2 and user_id = ?3",
                    )
                    .and_then(|mut s| s.execute(params![mid, emoji, uid]))
                    .map_err(w)?;
                }
                // A newer version of the message: clients keep the copy updated last.
                conn.prepare_cached("update messages set updated_at = ?2 where id = ?1")
                    .and_then(|mut s| s.execute(params![mid, now.as_millis()]))
                    .map_err(w)?;
                let message = message_for_write(conn, id)?;
                let kind = if on { FeedKind::ReactionAdded } else { FeedKind::ReactionRemoved };
                let event = feed_row(conn, &message, kind, user, now)?;
                Ok(Changed { event: Some(event), message, removed_image: None })
            })
            .await
    }

    /// Each group change's chat as it is now, read once per chat.
    async fn attach_chats(&self, events: &mut [FeedEvent]) -> StoreResult<()> {
        let mut chats: std::collections::HashMap<ChatId, Chat> = std::collections::HashMap::new();
        for e in events.iter_mut().filter(|e| e.kind.is_group_change()) {
            if let std::collections::hash_map::Entry::Vacant(v) = chats.entry(e.chat_id) {
                v.insert(self.get_chat_(e.chat_id).await?);
            }
            e.chat = chats.get(&e.chat_id).cloned();
        }
        Ok(())
    }

    /// Fill in the reactions and reply previews of `messages` (one query each for all
    /// of them).
    pub(crate) async fn attach_details<'a>(
        &self,
        messages: impl Iterator<Item = &'a mut Message>,
    ) -> StoreResult<()> {
        let mut messages: Vec<&mut Message> = messages.collect();
        self.attach_reactions(&mut messages).await?;
        self.attach_reply_previews(&mut messages).await
    }

    async fn attach_reply_previews(&self, messages: &mut [&mut Message]) -> StoreResult<()> {
        let parents: Vec<String> =
            messages.iter().filter_map(|m| m.reply_to).map(|id| id.to_string()).collect();
        if parents.is_empty() {
            return Ok(());
        }
        let ids = serde_json::to_string(&parents).map_err(|e| StoreError::Other(e.into()))?;
        let rows: Vec<PreviewRow> = sqlx::query_as(&format!(
            "select {} from messages where id in (select value from json_each(?1))",
            PreviewRow::COLUMNS
        ))
        .bind(ids)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        let previews = rows.into_iter().map(PreviewRow::preview).collect::<StoreResult<Vec<_>>>()?;
        for m in messages.iter_mut() {
            m.reply_preview = m.reply_to.and_then(|p| previews.iter().find(|r| r.id == p).cloned());
        }
        Ok(())
    }

    /// Fill in the reactions of `messages` (one query for all of them).
    async fn attach_reactions(&self, messages: &mut [&mut Message]) -> StoreResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let ids = serde_json::to_string(&messages.iter().map(|m| m.id.to_string()).collect::<Vec<_>>())
            .map_err(|e| StoreError::Other(e.into()))?;
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "select message_id, emoji, user_id from message_reactions
             where message_id in (select value from json_each(?1)) order by id",
        )
        .bind(ids)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        let mut by_message = Reaction::group(
            rows.into_iter()
                .map(|(m, e, u)| Ok((parse_id(&m)?, e, parse_id(&u)?)))
                .collect::<StoreResult<Vec<_>>>()?,
        );
        for m in messages.iter_mut() {
            m.reactions = by_message.remove(&m.id).unwrap_or_default();
        }
        Ok(())
    }

    pub(crate) async fn message_edits_(&self, id: MessageId) -> StoreResult<Vec<MessageEdit>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("select text, replaced_at from message_edits where message_id = ?1 order by id")
                .bind(id.to_string())
                .fetch_all(&self.reader)
                .await
                .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(text, at)| MessageEdit { text, replaced_at: Timestamp::from_millis(at) })
            .collect())
    }

    pub(crate) async fn list_messages_(
        &self,
        chat: ChatId,
        cursor: PageCursor,
        limit: u32,
    ) -> StoreResult<MessagePage> {
        let (mut messages, has_more, has_newer) = match cursor {
            PageCursor::Latest => {
                let (rows, more) = self.slice(chat, "seq > ?2 order by seq desc", 0, limit).await?;
                (rows, more, false)
            }
            PageCursor::Before(seq) => {
                let (rows, more) = self.slice(chat, "seq < ?2 order by seq desc", seq, limit).await?;
                (rows, more, false)
            }
            PageCursor::After(seq) => {
                let (rows, more) = self.slice(chat, "seq > ?2 order by seq asc", seq, limit).await?;
                (rows, more, more)
            }
            PageCursor::Around(seq) => {
                let (older, newer) = PageCursor::around_split(limit);
                let (mut rows, more) = self.slice(chat, "seq <= ?2 order by seq desc", seq, older).await?;
                let (after, newer) = self.slice(chat, "seq > ?2 order by seq asc", seq, newer).await?;
                rows.extend(after);
                (rows, more, newer)
            }
        };
        messages.sort_by_key(|m| m.seq);
        self.attach_details(messages.iter_mut()).await?;
        Ok(MessagePage { messages, has_more, has_newer })
    }

    /// Up to `limit` messages of `chat` where `filter` (on `?2` = `bound`, with its
    /// order), and whether there were more.
    async fn slice(
        &self,
        chat: ChatId,
        filter: &str,
        bound: i64,
        limit: u32,
    ) -> StoreResult<(Vec<Message>, bool)> {
        let mut rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "select {} from messages where chat_id = ?1 and {filter} limit ?3",
            MessageRow::COLUMNS
        ))
        .bind(chat.to_string())
        .bind(bound)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        let more = rows.len() as i64 > i64::from(limit);
        rows.truncate(limit as usize);
        Ok((rows.into_iter().map(Message::try_from).collect::<StoreResult<Vec<_>>>()?, more))
    }

    pub(crate) async fn read_markers_(&self, chat: ChatId) -> StoreResult<Vec<ReadMarker>> {
        let rows: Vec<(String, i64, Option<i64>)> =
            sqlx::query_as("select user_id, last_read_seq, read_at from chat_members where chat_id = ?1")
                .bind(chat.to_string())
                .fetch_all(&self.reader)
                .await
                .map_err(map_err)?;
        rows.into_iter()
            .map(|(u, seq, at)| {
                Ok(ReadMarker {
                    user_id: parse_id(&u)?,
                    last_read_seq: seq,
                    read_at: at.map(Timestamp::from_millis),
                })
            })
            .collect()
    }

    pub(crate) async fn mark_read_(
        &self,
        chat: ChatId,
        user: UserId,
        up_to_seq: i64,
        now: Timestamp,
    ) -> StoreResult<Option<ReadMoved>> {
        let (chat, user) = (chat.to_string(), user.to_string());
        self.writer
            .run(move |conn| {
                let row: Option<(i64, i64)> = conn
                    .prepare_cached(
                        "select me.last_read_seq, c.last_seq from chat_members me join chats c on c.id = me.chat_id
                         where me.chat_id = ?1 and me.user_id = ?2",
                    )
                    .and_then(|mut s| {
                        s.query_row(params![chat, user], |r| Ok((r.get(0)?, r.get(1)?))).optional()
                    })
                    .map_err(w)?;
                let (from_seq, last_seq) = row.ok_or(StoreError::NotFound)?;
                let to_seq = up_to_seq.min(last_seq);
                if to_seq <= from_seq {
                    return Ok(None);
                }
                conn.prepare_cached(
                    "update chat_members set last_read_seq = ?3, read_at = ?4 where chat_id = ?1 and user_id = ?2",
                )
                .and_then(|mut s| s.execute(params![chat, user, to_seq, now.as_millis()]))
                .map_err(w)?;
                let mut seen = conn
                    .prepare_cached(
                        "select id from messages
                         where chat_id = ?1 and seq > ?2 and seq <= ?3 and sender_id <> ?4 order by seq",
                    )
                    .map_err(w)?;
                let newly_seen = seen
                    .query_map(params![chat, from_seq, to_seq, user], |r| r.get::<_, String>(0))
                    .map_err(w)?
                    .map(|id| parse_id(&id.map_err(w)?))
                    .collect::<StoreResult<Vec<MessageId>>>()?;
                Ok(Some(ReadMoved { from_seq, to_seq, at: now, newly_seen }))
            })
            .await
    }
}

/// Store `m` with the chat's next seq, move the chat's latest message and the sender's
/// read marker; or answer the original when `(sender, client_id)` was stored before.
fn insert_message(conn: &rusqlite::Connection, m: NewMessage) -> StoreResult<Stored> {
    let sender = m.sender.to_string();
    let original: Option<MessageRow> = conn
        .prepare_cached(&format!(
            "select {} from messages where sender_id = ?1 and client_id = ?2",
            MessageRow::COLUMNS
        ))
        .and_then(|mut s| s.query_row(params![sender, m.client_id], MessageRow::read).optional())
        .map_err(w)?;
    if let Some(row) = original {
        let original = Message::try_from(row)?;
        if original.chat_id != m.chat_id {
            return Err(StoreError::Conflict { constraint: "messages_sender_client_key".into() });
        }
        let reply_preview = reply_preview_for_write(conn, original.reply_to)?;
        return Ok(Stored { message: Message { reply_preview, ..original }, created: false, members: None });
    }
    let (chat, id, at) = (m.chat_id.to_string(), m.id.to_string(), m.created_at.as_millis());
    let reply_preview = reply_preview_for_write(conn, m.reply_to)?;
    let (seq, is_group): (i64, bool) = conn
        .prepare_cached(
            "update chats set last_seq = last_seq + 1, latest_message_id = ?2, updated_at = ?3
             where id = ?1 returning last_seq, is_group",
        )
        .and_then(|mut s| s.query_row(params![chat, id, at], |r| Ok((r.get(0)?, r.get(1)?))))
        .map_err(w)?;
    // A group's members change: who is in it is decided here, as this commits.
    let members = if is_group { Some(group_members_for_write(conn, m.chat_id, m.sender)?) } else { None };
    let image = m.image.as_ref();
    conn.prepare_cached(
        "insert into messages (id, chat_id, seq, sender_id, client_id, kind, text, image_key, thumb_key,
                               image_width, image_height, reply_to, created_at, updated_at, mentions)
         values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14)",
    )
    .and_then(|mut s| {
        s.execute(params![
            id,
            chat,
            seq,
            sender,
            m.client_id,
            m.kind.as_str(),
            m.text,
            image.map(|i| &i.key),
            image.map(|i| &i.thumb_key),
            image.map(|i| i64::from(i.width)),
            image.map(|i| i64::from(i.height)),
            m.reply_to.map(|r| r.to_string()),
            at,
            mentions_to_json(&m.mentions),
        ])
    })
    .map_err(w)?;
    conn.prepare_cached(
        "insert into chat_events (chat_id, seq, kind, actor_id, message_id, at)
         values (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| s.execute(params![chat, seq, FeedKind::MessageCreated.as_str(), sender, id, at]))
    .map_err(w)?;
    // The sender has read everything up to their own message.
    conn.prepare_cached(
        "update chat_members set last_read_seq = ?3, read_at = ?4
         where chat_id = ?1 and user_id = ?2 and last_read_seq < ?3",
    )
    .and_then(|mut s| s.execute(params![chat, sender, seq, at]))
    .map_err(w)?;
    if let Some(notify) = &m.notify {
        crate::notify::insert_notify_job(conn, notify, &chat, &sender, at)?;
    }
    let message = Message {
        id: m.id,
        chat_id: m.chat_id,
        seq,
        sender: m.sender,
        client_id: m.client_id,
        kind: m.kind,
        text: m.text,
        image: m.image,
        reply_to: m.reply_to,
        created_at: m.created_at,
        updated_at: m.created_at,
        edited_at: None,
        deleted_at: None,
        reactions: Vec::new(),
        mentions: m.mentions,
        reply_preview,
    };
    Ok(Stored { message, created: true, members })
}

/// The members of a group, on the writer inside its transaction; `Conflict
/// { constraint: "not_a_member" }` if `sender` is not one of them.
fn group_members_for_write(
    conn: &rusqlite::Connection,
    chat: ChatId,
    sender: UserId,
) -> StoreResult<Vec<UserId>> {
    let members = conn
        .prepare_cached("select user_id from chat_members where chat_id = ?1")
        .and_then(|mut s| {
            s.query_map(params![chat.to_string()], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(w)?
        .iter()
        .map(|u| parse_id(u))
        .collect::<StoreResult<Vec<UserId>>>()?;
    if !members.contains(&sender) {
        return Err(StoreError::Conflict { constraint: GroupRefusal::NotAMember.code().into() });
    }
    Ok(members)
}

/// A message with its reactions, on the writer's connection, inside its transaction.
fn message_for_write(conn: &rusqlite::Connection, id: MessageId) -> StoreResult<Message> {
    let mut message: Message = conn
        .prepare_cached(&format!("select {} from messages where id = ?1", MessageRow::COLUMNS))
        .and_then(|mut s| s.query_row(params![id.to_string()], MessageRow::read).optional())
        .map_err(w)?
        .ok_or(StoreError::NotFound)?
        .try_into()?;
    let mut s = conn
        .prepare_cached("select emoji, user_id from message_reactions where message_id = ?1 order by id")
        .map_err(w)?;
    let rows = s
        .query_map(params![id.to_string()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(w)?
        .map(|r| {
            let (emoji, user) = r.map_err(w)?;
            Ok((id, emoji, parse_id(&user)?))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    message.reactions = Reaction::group(rows).remove(&id).unwrap_or_default();
    message.reply_preview = reply_preview_for_write(conn, message.reply_to)?;
    Ok(message)
}

/// The preview of `parent`, on the writer's connection, inside its transaction.
fn reply_preview_for_write(
    conn: &rusqlite::Connection,
    parent: Option<MessageId>,
) -> StoreResult<Option<ReplyPreview>> {
    let Some(parent) = parent else { return Ok(None) };
    let row = conn
        .prepare_cached(&format!("select {} from messages where id = ?1", PreviewRow::COLUMNS))
        .and_then(|mut s| s.query_row(params![parent.to_string()], PreviewRow::read).optional())
        .map_err(w)?;
    row.map(PreviewRow::preview).transpose()
}

/// The chat's next seq for a change of `message`, and its feed row (unpublished).
fn feed_row(
    conn: &rusqlite::Connection,
    message: &Message,
    kind: FeedKind,
    actor: UserId,
    now: Timestamp,
) -> StoreResult<FeedEvent> {
    let (chat, at) = (message.chat_id.to_string(), now.as_millis());
    // The chat's order moves; its activity time and preview stay with its messages.
    let seq: i64 = conn
        .prepare_cached("update chats set last_seq = last_seq + 1 where id = ?1 returning last_seq")
        .and_then(|mut s| s.query_row(params![chat], |r| r.get(0)))
        .map_err(w)?;
    conn.prepare_cached(
        "insert into chat_events (chat_id, seq, kind, actor_id, message_id, at) values (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| s.execute(params![chat, seq, kind.as_str(), actor.to_string(), message.id.to_string(), at]))
    .map_err(w)?;
    Ok(FeedEvent {
        chat_id: message.chat_id,
        seq,
        kind,
        actor,
        at: now,
        message: Some(message.clone()),
        chat: None,
    })
}

/// `load_chat` on the writer's connection, inside its transaction.
pub(crate) fn load_chat_for_write(conn: &rusqlite::Connection, id: ChatId) -> StoreResult<Chat> {
    let (row, members): (ChatRow, Option<String>) = conn
        .prepare_cached(&format!(
            "select id, is_group, name, last_seq, created_at, updated_at, {} from chats where id = ?1",
            ChatRow::members_of("?1")
        ))
        .and_then(|mut s| {
            s.query_row(params![id.to_string()], |r| Ok((ChatRow::read(r)?, r.get(6)?))).optional()
        })
        .map_err(w)?
        .ok_or(StoreError::NotFound)?;
    row.into_chat(members.as_deref().unwrap_or(""))
}

async fn load_chat(conn: &mut SqliteConnection, id: ChatId) -> StoreResult<Chat> {
    let row: ChatWithMembers = sqlx::query_as(&format!(
        "select id, is_group, name, last_seq, created_at, updated_at, {} as member_ids from chats where id = ?1",
        ChatRow::members_of("?1")
    ))
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?
    .ok_or(StoreError::NotFound)?;
    row.chat.into_chat(row.member_ids.as_deref().unwrap_or(""))
}

#[derive(sqlx::FromRow)]
struct ChatWithMembers {
    #[sqlx(flatten)]
    chat: ChatRow,
    member_ids: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ChatListRow {
    #[sqlx(flatten)]
    chat: ChatRow,
    last_read_seq: i64,
    muted: bool,
    unseen: i64,
    mentioned: i64,
    member_ids: String,
    #[sqlx(flatten)]
    latest: JoinedMessageRow,
}

impl ChatListRow {
    fn summary(self) -> StoreResult<ChatSummary> {
        Ok(ChatSummary {
            chat: self.chat.into_chat(&self.member_ids)?,
            latest: self.latest.message()?,
            unseen_count: self.unseen,
            mention_count: self.mentioned,
            last_read_seq: self.last_read_seq,
            muted: self.muted,
        })
    }
}
