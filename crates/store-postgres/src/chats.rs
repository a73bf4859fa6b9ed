//! Chats, members, messages, the change feed and read markers on PostgreSQL.

use natter_domain::chat::{
    Changed, Chat, ChatSummary, FeedEvent, FeedKind, FeedPage, MAX_REACTION_KINDS, Message, MessageEdit,
    MessagePage, NewMessage, PageCursor, Reaction, ReadMarker, ReadMoved, ReplyPreview, Stored,
};
use natter_domain::entities::User;
use natter_domain::group::GroupRefusal;
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::ports::StoreResult;
use natter_domain::{StoreError, Timestamp};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::PgStore;
use crate::rows::{
    ChatRow, FeedRow, JoinedMessageRow, MessageRow, PreviewRow, UserRow, map_err, mentions_to_json, violates,
};

/// The constraint that makes `(sender, client_id)` an idempotency key.
const SENDER_CLIENT_KEY: &str = "messages_sender_client_key";

impl PgStore {
    pub(crate) async fn get_or_create_direct_chat_(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> StoreResult<(Chat, bool)> {
        let (lo, hi) = if a.to_string() <= b.to_string() { (a, b) } else { (b, a) };
        let key = format!("{lo}:{hi}");
        let mut tx = self.begin().await?;
        // Of two racing creations, the second waits for the first's row and then
        // finds its chat.
        let inserted: Option<Uuid> = sqlx::query_scalar(
            "insert into chats (id, is_group, direct_key, created_at, updated_at)
             values ($1, false, $2, $3, $3)
             on conflict (direct_key) do nothing
             returning id",
        )
        .bind(Uuid::from(ChatId::new()))
        .bind(&key)
        .bind(now.as_millis())
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let created = inserted.is_some();
        let id = match inserted {
            Some(id) => {
                sqlx::query(
                    "insert into chat_members (chat_id, user_id, joined_at) select $1, unnest($2::uuid[]), $3",
                )
                .bind(id)
                .bind([Uuid::from(lo), Uuid::from(hi)])
                .bind(now.as_millis())
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                id
            }
            None => sqlx::query_scalar("select id from chats where direct_key = $1")
                .bind(&key)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?,
        };
        let chat = load_chat(&mut tx, id).await?;
        tx.commit().await.map_err(map_err)?;
        Ok((chat, created))
    }

    pub(crate) async fn get_chat_(&self, id: ChatId) -> StoreResult<Chat> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        load_chat(&mut conn, id.into()).await
    }

    pub(crate) async fn list_chats_(&self, user: UserId) -> StoreResult<Vec<ChatSummary>> {
        // One query: the chats with their members, preview and unseen count.
        let rows: Vec<ChatListRow> = sqlx::query_as(&format!(
            "select {}, me.last_read_seq, me.muted,
                    (select count(*) from messages x
                      where x.chat_id = c.id and x.seq > me.last_read_seq and x.sender_id <> me.user_id
                        and x.deleted_at is null and x.kind <> 'system') as unseen,
                    (select count(*) from messages x
                      where x.chat_id = c.id and x.seq > me.last_read_seq and x.sender_id <> me.user_id
                        and x.deleted_at is null and x.mentions @> jsonb_build_array(me.user_id::text)) as mentioned,
                    {}
             from chat_members me
             join chats c on c.id = me.chat_id
             left join messages m on m.id = c.latest_message_id
             where me.user_id = $1
             order by c.updated_at desc, c.id desc",
            ChatRow::COLUMNS,
            JoinedMessageRow::COLUMNS,
        ))
        .bind(Uuid::from(user))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(ChatSummary {
                    chat: r.chat.into(),
                    latest: r.latest.into_message()?,
                    unseen_count: r.unseen,
                    mention_count: r.mentioned,
                    last_read_seq: r.last_read_seq,
                    muted: r.muted,
                })
            })
            .collect()
    }

    pub(crate) async fn get_users_(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = ids.iter().copied().map(Uuid::from).collect();
        let rows: Vec<UserRow> =
            sqlx::query_as(&format!("select {} from users where id = any($1)", UserRow::COLUMNS))
                .bind(ids)
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        rows.into_iter().map(User::try_from).collect()
    }

    pub(crate) async fn co_member_ids_(&self, user: UserId) -> StoreResult<Vec<UserId>> {
        let rows: Vec<Uuid> = sqlx::query_scalar(
            "select distinct other.user_id from chat_members me
             join chat_members other on other.chat_id = me.chat_id and other.user_id <> me.user_id
             where me.user_id = $1",
        )
        .bind(Uuid::from(user))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(UserId::from).collect())
    }

    /// Store `m` with the chat's next seq, its feed row, the chat's latest message and
    /// the sender's read marker; or answer the original when `(sender, client_id)` was
    /// stored before.
    pub(crate) async fn insert_message_(&self, m: NewMessage) -> StoreResult<Stored> {
        if let Some(original) = self.original(&m).await? {
            return Ok(original);
        }
        // One statement, so one implicit transaction and one round trip: the chat's row
        // is locked by the `update` until the commit, so the writers of one chat take
        // their seqs one after the other, in the order they commit, and hold the lock
        // for this one statement only. If the message is refused, the bump is rolled
        // back with it: no gap.
        let image = m.image.as_ref();
        // In a group the sender must be a member as this commits: the update then
        // bumps nothing and the statement inserts nothing. Its members are read in the
        // same statement, so the fan-out reaches exactly who was in it.
        let inserted = sqlx::query_as::<_, (i64, Option<Vec<Uuid>>)>(
            "with bumped as (
                 update chats c set last_seq = last_seq + 1, latest_message_id = $2, updated_at = $12
                 where id = $1
                   and (not is_group or exists (select 1 from chat_members where chat_id = $1 and user_id = $3))
                 returning last_seq, case when is_group then
                     array(select user_id from chat_members where chat_id = $1) end as members
             ), message as (
                 insert into messages (id, chat_id, seq, sender_id, client_id, kind, text, image_key,
                                       thumb_key, image_width, image_height, reply_to, created_at, updated_at,
                                       mentions)
                 select $2, $1, last_seq, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $14::jsonb from bumped
                 returning seq
             ), event as (
                 insert into chat_events (chat_id, seq, kind, actor_id, message_id, at)
                 select $1, seq, $13, $3, $2, $12 from message
             ), marker as (
                 -- The sender has read everything up to their own message.
                 update chat_members set last_read_seq = message.seq, read_at = $12 from message
                 where chat_id = $1 and user_id = $3 and last_read_seq < message.seq
             ), notify as (
                 -- The push check, only if some other member who has not muted the chat
                 -- has a device to push to.
                 insert into jobs (id, kind, payload, attempts, run_at, created_at)
                 select $15::uuid, $16::text, $17::bytea, 0, $18::bigint, $12 from message
                 where $15::uuid is not null and exists (
                     select 1 from chat_members cm join push_subscriptions p on p.user_id = cm.user_id
                     where cm.chat_id = $1 and cm.user_id <> $3 and not cm.muted)
             )
             select message.seq, bumped.members from message, bumped",
        )
        .bind(Uuid::from(m.chat_id))
        .bind(Uuid::from(m.id))
        .bind(Uuid::from(m.sender))
        .bind(&m.client_id)
        .bind(m.kind.as_str())
        .bind(&m.text)
        .bind(image.map(|i| i.key.as_str()))
        .bind(image.map(|i| i.thumb_key.as_str()))
        .bind(image.map(|i| i64::from(i.width)))
        .bind(image.map(|i| i64::from(i.height)))
        .bind(m.reply_to.map(Uuid::from))
        .bind(m.created_at.as_millis())
        .bind(FeedKind::MessageCreated.as_str())
        .bind(mentions_to_json(&m.mentions))
        .bind(m.notify.as_ref().map(|n| Uuid::from(n.job.id)))
        .bind(m.notify.as_ref().map(|n| n.job.kind))
        .bind(m.notify.as_ref().map(|n| n.job.sealed.as_slice()))
        .bind(m.notify.as_ref().map(|n| n.run_at.as_millis()))
        .fetch_optional(&self.pool)
        .await;
        let (seq, members) = match inserted {
            Ok(Some(row)) => row,
            // No such chat, or a group the sender is not in: nothing was bumped or inserted.
            Ok(None) => {
                let exists: bool = sqlx::query_scalar("select exists (select 1 from chats where id = $1)")
                    .bind(Uuid::from(m.chat_id))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_err)?;
                return Err(if exists {
                    StoreError::Conflict { constraint: GroupRefusal::NotAMember.code().into() }
                } else {
                    StoreError::NotFound
                });
            }
            // A retry of the same message raced this one and committed first.
            Err(e) if violates(&e, SENDER_CLIENT_KEY) => {
                return self.original(&m).await?.ok_or_else(|| map_err(e));
            }
            Err(e) => return Err(map_err(e)),
        };
        let members = members.map(|ids| ids.into_iter().map(UserId::from).collect());
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
            reply_preview: None,
        };
        let mut message = message;
        attach_reply_previews(&self.pool, &mut [&mut message]).await?;
        Ok(Stored { message, created: true, members })
    }

    /// The message stored earlier under `m`'s `(sender, client_id)`, if any; a
    /// conflict if that was in another chat.
    async fn original(&self, m: &NewMessage) -> StoreResult<Option<Stored>> {
        let row: Option<MessageRow> = sqlx::query_as(&format!(
            "select {} from messages where sender_id = $1 and client_id = $2",
            MessageRow::COLUMNS
        ))
        .bind(Uuid::from(m.sender))
        .bind(&m.client_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        let Some(row) = row else { return Ok(None) };
        let original = Message::try_from(row)?;
        if original.chat_id != m.chat_id {
            return Err(StoreError::Conflict { constraint: SENDER_CLIENT_KEY.into() });
        }
        let mut original = original;
        attach_reply_previews(&self.pool, &mut [&mut original]).await?;
        Ok(Some(Stored { message: original, created: false, members: None }))
    }

    /// Feed rows of `chat` in `(after, before)`, oldest first, with their messages.
    pub(crate) async fn list_events_(
        &self,
        chat: ChatId,
        after: i64,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<FeedPage> {
        let rows: Vec<FeedRow> = sqlx::query_as(&format!(
            "select {} from chat_events e left join messages m on m.id = e.message_id
             where e.chat_id = $1 and e.seq > $2 and e.seq < $3 order by e.seq limit $4",
            FeedRow::columns()
        ))
        .bind(Uuid::from(chat))
        .bind(after)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let has_more = rows.len() as i64 > i64::from(limit);
        let mut events = rows
            .into_iter()
            .take(limit as usize)
            .map(FeedEvent::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        attach_details(&self.pool, events.iter_mut().filter_map(|e| e.message.as_mut())).await?;
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
        // Rows another sweeper is claiming right now are skipped, not waited for.
        let rows: Vec<FeedRow> = sqlx::query_as(&format!(
            "with e as (
                 update chat_events c set swept_until = $5
                 where (c.chat_id, c.seq) in (
                     select chat_id, seq from chat_events
                     where published_at is null and at >= $1 and at < $2
                       and (swept_until is null or swept_until <= $4)
                     order by at, chat_id, seq limit $3
                     for update skip locked)
                 returning c.*)
             select {} from e left join messages m on m.id = e.message_id
             order by e.at, e.chat_id, e.seq",
            FeedRow::columns()
        ))
        .bind(from.as_millis())
        .bind(until.as_millis())
        .bind(i64::from(limit))
        .bind(now.as_millis())
        .bind(claim_until.as_millis())
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut events = rows.into_iter().map(FeedEvent::try_from).collect::<StoreResult<Vec<_>>>()?;
        attach_details(&self.pool, events.iter_mut().filter_map(|e| e.message.as_mut())).await?;
        self.attach_chats(&mut events).await?;
        Ok(events)
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

    pub(crate) async fn mark_published_(&self, events: &[(ChatId, i64)], now: Timestamp) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let (chats, seqs): (Vec<Uuid>, Vec<i64>) =
            events.iter().map(|(chat, seq)| (Uuid::from(*chat), *seq)).unzip();
        sqlx::query(
            "update chat_events e set published_at = $3
             from unnest($1::uuid[], $2::bigint[]) as p (chat_id, seq)
             where e.chat_id = p.chat_id and e.seq = p.seq and e.published_at is null",
        )
        .bind(chats)
        .bind(seqs)
        .bind(now.as_millis())
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    pub(crate) async fn get_message_(&self, id: MessageId) -> StoreResult<Message> {
        let row: MessageRow =
            sqlx::query_as(&format!("select {} from messages where id = $1", MessageRow::COLUMNS))
                .bind(Uuid::from(id))
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?
                .ok_or(StoreError::NotFound)?;
        let mut message: Message = row.try_into()?;
        attach_details(&self.pool, std::iter::once(&mut message)).await?;
        Ok(message)
    }

    pub(crate) async fn edit_message_(
        &self,
        id: MessageId,
        text: String,
        now: Timestamp,
    ) -> StoreResult<Changed> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let before = message_for_update(&mut tx, id).await?;
        if before.deleted_at.is_some() {
            return Err(StoreError::Conflict { constraint: "message_deleted".into() });
        }
        if before.text == text {
            return Ok(Changed { event: None, message: before, removed_image: None });
        }
        let at = now.as_millis();
        sqlx::query(
            "with kept as (insert into message_edits (message_id, text, replaced_at) values ($1, $2, $4))
             update messages set text = $3, edited_at = $4, updated_at = $4 where id = $1",
        )
        .bind(Uuid::from(id))
        .bind(&before.text)
        .bind(&text)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let message = Message { text, edited_at: Some(now), updated_at: now, ..before };
        let event = feed_row(&mut tx, &message, FeedKind::MessageEdited, message.sender, now).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(Changed { event: Some(event), message, removed_image: None })
    }

    pub(crate) async fn delete_message_(
        &self,
        id: MessageId,
        actor: UserId,
        now: Timestamp,
    ) -> StoreResult<Changed> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let before = message_for_update(&mut tx, id).await?;
        if before.deleted_at.is_some() {
            return Ok(Changed { event: None, message: before, removed_image: None });
        }
        sqlx::query(
            "with history as (delete from message_edits where message_id = $1),
                  reactions as (delete from message_reactions where message_id = $1)
             update messages set text = '', image_key = null, thumb_key = null, image_width = null,
                    image_height = null, mentions = null, deleted_at = $2, updated_at = $2 where id = $1",
        )
        .bind(Uuid::from(id))
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
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
        let event = feed_row(&mut tx, &message, FeedKind::MessageDeleted, actor, now).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(Changed { event: Some(event), message, removed_image })
    }

    pub(crate) async fn react_(
        &self,
        id: MessageId,
        user: UserId,
        emoji: String,
        on: bool,
        now: Timestamp,
    ) -> StoreResult<Changed> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let before = message_for_update(&mut tx, id).await?;
        if before.deleted_at.is_some() {
            return Err(StoreError::Conflict { constraint: "message_deleted".into() });
        }
        let has = |r: &Reaction| r.emoji == emoji;
        let mine = before.reactions.iter().any(|r| has(r) && r.users.contains(&user));
        if mine == on {
            return Ok(Changed { event: None, message: before, removed_image: None });
        }
        if on {
            if !before.reactions.iter().any(has) && before.reactions.len() >= MAX_REACTION_KINDS {
                return Err(StoreError::Conflict { constraint: "too_many_reactions".into() });
            }
            sqlx::query(
                "insert into message_reactions (message_id, emoji, user_id, at) values ($1, $2, $3, $4)",
            )
            .bind(Uuid::from(id))
            .bind(&emoji)
            .bind(Uuid::from(user))
            .bind(now.as_millis())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        } else {
            sqlx::query(
                "delete from message_reactions where message_id = $1 and emoji = $2 and user_id = $3",
            )
            .bind(Uuid::from(id))
            .bind(&emoji)
            .bind(Uuid::from(user))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        // A newer version of the message: clients keep the copy updated last.
        sqlx::query("update messages set updated_at = $2 where id = $1")
            .bind(Uuid::from(id))
            .bind(now.as_millis())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let message = message_for_update(&mut tx, id).await?;
        let kind = if on { FeedKind::ReactionAdded } else { FeedKind::ReactionRemoved };
        let event = feed_row(&mut tx, &message, kind, user, now).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(Changed { event: Some(event), message, removed_image: None })
    }

    pub(crate) async fn message_edits_(&self, id: MessageId) -> StoreResult<Vec<MessageEdit>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("select text, replaced_at from message_edits where message_id = $1 order by id")
                .bind(Uuid::from(id))
                .fetch_all(&self.pool)
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
                let (rows, more) = self.slice(chat, "seq > $2 order by seq desc", 0, limit).await?;
                (rows, more, false)
            }
            PageCursor::Before(seq) => {
                let (rows, more) = self.slice(chat, "seq < $2 order by seq desc", seq, limit).await?;
                (rows, more, false)
            }
            PageCursor::After(seq) => {
                let (rows, more) = self.slice(chat, "seq > $2 order by seq asc", seq, limit).await?;
                (rows, more, more)
            }
            PageCursor::Around(seq) => {
                let (older, newer) = PageCursor::around_split(limit);
                let (mut rows, more) = self.slice(chat, "seq <= $2 order by seq desc", seq, older).await?;
                let (after, newer) = self.slice(chat, "seq > $2 order by seq asc", seq, newer).await?;
                rows.extend(after);
                (rows, more, newer)
            }
        };
        messages.sort_by_key(|m| m.seq);
        attach_details(&self.pool, messages.iter_mut()).await?;
        Ok(MessagePage { messages, has_more, has_newer })
    }

    /// Up to `limit` messages of `chat` where `filter` (on `$2` = `bound`, with its
    /// order), and whether there were more.
    async fn slice(
        &self,
        chat: ChatId,
        filter: &str,
        bound: i64,
        limit: u32,
    ) -> StoreResult<(Vec<Message>, bool)> {
        let mut rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "select {} from messages where chat_id = $1 and {filter} limit $3",
            MessageRow::COLUMNS
        ))
        .bind(Uuid::from(chat))
        .bind(bound)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let more = rows.len() as i64 > i64::from(limit);
        rows.truncate(limit as usize);
        Ok((rows.into_iter().map(Message::try_from).collect::<StoreResult<Vec<_>>>()?, more))
    }

    pub(crate) async fn read_markers_(&self, chat: ChatId) -> StoreResult<Vec<ReadMarker>> {
        let rows: Vec<(Uuid, i64, Option<i64>)> =
            sqlx::query_as("select user_id, last_read_seq, read_at from chat_members where chat_id = $1")
                .bind(Uuid::from(chat))
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(u, seq, at)| ReadMarker {
                user_id: u.into(),
                last_read_seq: seq,
                read_at: at.map(Timestamp::from_millis),
            })
            .collect())
    }

    pub(crate) async fn mark_read_(
        &self,
        chat: ChatId,
        user: UserId,
        up_to_seq: i64,
        now: Timestamp,
    ) -> StoreResult<Option<ReadMoved>> {
        let (chat, user) = (Uuid::from(chat), Uuid::from(user));
        let mut tx = self.begin().await?;
        // The member's row stays locked until the commit: two moves of one marker run
        // one after the other, so each message is "newly seen" once.
        let row: Option<(i64, i64)> = sqlx::query_as(
            "select me.last_read_seq, c.last_seq from chat_members me join chats c on c.id = me.chat_id
             where me.chat_id = $1 and me.user_id = $2
             for update of me",
        )
        .bind(chat)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let (from_seq, last_seq) = row.ok_or(StoreError::NotFound)?;
        let to_seq = up_to_seq.min(last_seq);
        if to_seq <= from_seq {
            tx.commit().await.map_err(map_err)?;
            return Ok(None);
        }
        sqlx::query(
            "update chat_members set last_read_seq = $3, read_at = $4 where chat_id = $1 and user_id = $2",
        )
        .bind(chat)
        .bind(user)
        .bind(to_seq)
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let newly_seen: Vec<Uuid> = sqlx::query_scalar(
            "select id from messages
             where chat_id = $1 and seq > $2 and seq <= $3 and sender_id <> $4 order by seq",
        )
        .bind(chat)
        .bind(from_seq)
        .bind(to_seq)
        .bind(user)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        let newly_seen = newly_seen.into_iter().map(MessageId::from).collect();
        Ok(Some(ReadMoved { from_seq, to_seq, at: now, newly_seen }))
    }
}

/// A message, locked until the transaction ends: its edits and its delete take turns.
async fn message_for_update(conn: &mut PgConnection, id: MessageId) -> StoreResult<Message> {
    let row: MessageRow =
        sqlx::query_as(&format!("select {} from messages where id = $1 for update", MessageRow::COLUMNS))
            .bind(Uuid::from(id))
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
    let mut message: Message = row.try_into()?;
    attach_reactions(&mut *conn, &mut [&mut message]).await?;
    attach_reply_previews(&mut *conn, &mut [&mut message]).await?;
    Ok(message)
}

/// Fill in the reactions and reply previews of `messages` (one query each for all of
/// them).
pub(crate) async fn attach_details<'a>(
    pool: &sqlx::PgPool,
    messages: impl Iterator<Item = &'a mut Message>,
) -> StoreResult<()> {
    let mut messages: Vec<&mut Message> = messages.collect();
    attach_reactions(pool, &mut messages).await?;
    attach_reply_previews(pool, &mut messages).await
}

async fn attach_reply_previews<'c>(
    conn: impl sqlx::PgExecutor<'c>,
    messages: &mut [&mut Message],
) -> StoreResult<()> {
    let parents: Vec<Uuid> = messages.iter().filter_map(|m| m.reply_to).map(Uuid::from).collect();
    if parents.is_empty() {
        return Ok(());
    }
    let rows: Vec<PreviewRow> =
        sqlx::query_as(&format!("select {} from messages where id = any($1)", PreviewRow::COLUMNS))
            .bind(&parents)
            .fetch_all(conn)
            .await
            .map_err(map_err)?;
    let previews = rows.into_iter().map(PreviewRow::preview).collect::<StoreResult<Vec<ReplyPreview>>>()?;
    for m in messages.iter_mut() {
        m.reply_preview = m.reply_to.and_then(|p| previews.iter().find(|r| r.id == p).cloned());
    }
    Ok(())
}

/// Fill in the reactions of `messages` (one query for all of them).
async fn attach_reactions<'c>(
    conn: impl sqlx::PgExecutor<'c>,
    messages: &mut [&mut Message],
) -> StoreResult<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = messages.iter().map(|m| Uuid::from(m.id)).collect();
    let rows: Vec<(Uuid, String, Uuid)> = sqlx::query_as(
        "select message_id, emoji, user_id from message_reactions
         where message_id = any($1) order by id",
    )
    .bind(&ids)
    .fetch_all(conn)
    .await
    .map_err(map_err)?;
    let mut by_message = Reaction::group(rows.into_iter().map(|(m, e, u)| (m.into(), e, u.into())));
    for m in messages.iter_mut() {
        m.reactions = by_message.remove(&m.id).unwrap_or_default();
    }
    Ok(())
}

/// The chat's next seq for a change of `message`, and its feed row (unpublished). The
/// chat's row stays locked until the commit, so seqs go out in commit order.
async fn feed_row(
    conn: &mut PgConnection,
    message: &Message,
    kind: FeedKind,
    actor: UserId,
    now: Timestamp,
) -> StoreResult<FeedEvent> {
    // The chat's order moves; its activity time and preview stay with its messages.
    let seq = sqlx::query_scalar::<_, i64>(
        "with bumped as (update chats set last_seq = last_seq + 1 where id = $1 returning last_seq),
              event as (insert into chat_events (chat_id, seq, kind, actor_id, message_id, at)
                        select $1, last_seq, $2, $3, $4, $5 from bumped)
         select last_seq from bumped",
    )
    .bind(Uuid::from(message.chat_id))
    .bind(kind.as_str())
    .bind(Uuid::from(actor))
    .bind(Uuid::from(message.id))
    .bind(now.as_millis())
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
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

pub(crate) async fn load_chat(conn: &mut PgConnection, id: Uuid) -> StoreResult<Chat> {
    let row: ChatRow = sqlx::query_as(&format!("select {} from chats c where c.id = $1", ChatRow::COLUMNS))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
    Ok(row.into())
}

#[derive(sqlx::FromRow)]
struct ChatListRow {
    #[sqlx(flatten)]
    chat: ChatRow,
    last_read_seq: i64,
    muted: bool,
    unseen: i64,
    mentioned: i64,
    #[sqlx(flatten)]
    latest: JoinedMessageRow,
}
