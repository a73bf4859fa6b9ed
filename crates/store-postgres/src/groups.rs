//! Group chats on PostgreSQL: creating one and changing it, each in one transaction
//! that holds the chat's row lock (the lock every send and change of the chat takes),
//! the rules of `group::plan` applied to the chat as that transaction sees it.

use natter_domain::chat::{ChatRole, FeedEvent, FeedKind, Message, SystemNote};
use natter_domain::group::{GroupChange, GroupChanged, NewGroup, plan};
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::ports::StoreResult;
use natter_domain::{StoreError, Timestamp};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::PgStore;
use crate::chats::load_chat;
use crate::rows::{map_err, violates};

/// The constraint that makes `(sender, client_id)` an idempotency key.
const SENDER_CLIENT_KEY: &str = "messages_sender_client_key";

impl PgStore {
    pub(crate) async fn create_group_(&self, g: NewGroup) -> StoreResult<GroupChanged> {
        if let Some(earlier) = self.group_created_with(g.owner, &g.client_id).await? {
            return Ok(GroupChanged { chat: earlier, event: None });
        }
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let at = g.now.as_millis();
        sqlx::query(
            "insert into chats (id, is_group, name, created_at, updated_at) values ($1, true, $2, $3, $3)",
        )
        .bind(Uuid::from(g.id))
        .bind(&g.name)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let mut users = vec![Uuid::from(g.owner)];
        users.extend(g.members.iter().copied().map(Uuid::from));
        let mut roles = vec![ChatRole::Owner.as_str()];
        roles.extend(g.members.iter().map(|_| ChatRole::Member.as_str()));
        // `with ordinality` keeps the order they were named in, which `seat` records.
        sqlx::query(
            "insert into chat_members (chat_id, user_id, role, joined_at)
             select $1, u, r, $4 from unnest($2::uuid[], $3::text[]) with ordinality as t (u, r, n) order by n",
        )
        .bind(Uuid::from(g.id))
        .bind(&users)
        .bind(&roles)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let note = SystemNote {
            kind: FeedKind::ChatCreated,
            users: g.members.clone(),
            name: Some(g.name.clone()),
            role: None,
            new_owner: None,
        };
        let written =
            system_message(&mut tx, g.id, g.owner, g.message_id, g.client_id.clone(), note, g.now).await;
        let event = match written {
            Ok(e) => e,
            // A retry of the same creation raced this one and committed first.
            Err(StoreError::Conflict { constraint }) if constraint == SENDER_CLIENT_KEY => {
                drop(tx);
                let chat =
                    self.group_created_with(g.owner, &g.client_id).await?.ok_or(StoreError::NotFound)?;
                return Ok(GroupChanged { chat, event: None });
            }
            Err(e) => return Err(e),
        };
        let chat = load_chat(&mut tx, g.id.into()).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(GroupChanged { event: Some(FeedEvent { chat: Some(chat.clone()), ..event }), chat })
    }

    /// The group `owner` created with `client_id`, if they did.
    async fn group_created_with(
        &self,
        owner: UserId,
        client_id: &str,
    ) -> StoreResult<Option<natter_domain::chat::Chat>> {
        let chat: Option<Uuid> =
            sqlx::query_scalar("select chat_id from messages where sender_id = $1 and client_id = $2")
                .bind(Uuid::from(owner))
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        let Some(chat) = chat else { return Ok(None) };
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let chat = load_chat(&mut conn, chat).await?;
        if !chat.is_group {
            return Err(StoreError::Conflict { constraint: SENDER_CLIENT_KEY.into() });
        }
        Ok(Some(chat))
    }

    pub(crate) async fn change_group_(
        &self,
        chat_id: ChatId,
        actor: UserId,
        change: GroupChange,
        message_id: MessageId,
        now: Timestamp,
    ) -> StoreResult<GroupChanged> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let id = Uuid::from(chat_id);
        // Sends and other changes of this chat wait from here until the commit.
        let locked: Option<Uuid> = sqlx::query_scalar("select id from chats where id = $1 for update")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        if locked.is_none() {
            return Err(StoreError::NotFound);
        }
        let chat = load_chat(&mut tx, id).await?;
        let plan = match plan(&chat, actor, &change) {
            Ok(Some(p)) => p,
            Ok(None) => return Ok(GroupChanged { chat, event: None }),
            Err(refusal) => return Err(StoreError::Conflict { constraint: refusal.code().into() }),
        };
        if let Some(name) = &plan.rename {
            sqlx::query("update chats set name = $2 where id = $1")
                .bind(id)
                .bind(name)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        if !plan.add.is_empty() {
            let users: Vec<Uuid> = plan.add.iter().copied().map(Uuid::from).collect();
            sqlx::query(
                "insert into chat_members (chat_id, user_id, joined_at)
                 select $1, u, $3 from unnest($2::uuid[]) with ordinality as t (u, n) order by n",
            )
            .bind(id)
            .bind(users)
            .bind(now.as_millis())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        if let Some(user) = plan.remove {
            sqlx::query("delete from chat_members where chat_id = $1 and user_id = $2")
                .bind(id)
                .bind(Uuid::from(user))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        if let Some((user, role)) = plan.set_role {
            sqlx::query("update chat_members set role = $3 where chat_id = $1 and user_id = $2")
                .bind(id)
                .bind(Uuid::from(user))
                .bind(role.as_str())
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        let event =
            system_message(&mut tx, chat_id, actor, message_id, message_id.to_string(), plan.note, now)
                .await?;
        if !plan.add.is_empty() {
            // What was said before someone joined is not unread for them.
            sqlx::query(
                "update chat_members set last_read_seq = $3 where chat_id = $1 and user_id = any($2)",
            )
            .bind(id)
            .bind(plan.add.iter().copied().map(Uuid::from).collect::<Vec<_>>())
            .bind(event.seq)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        let chat = load_chat(&mut tx, id).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(GroupChanged { event: Some(FeedEvent { chat: Some(chat.clone()), ..event }), chat })
    }
}

/// Write a group's system message with the chat's next seq (the chat's latest now, as
/// any message), its feed row of the note's kind, and move the actor's read marker
/// past it (if they are still a member).
async fn system_message(
    conn: &mut PgConnection,
    chat: ChatId,
    actor: UserId,
    id: MessageId,
    client_id: String,
    note: SystemNote,
    now: Timestamp,
) -> StoreResult<FeedEvent> {
    let (kind, text) = (note.kind, note.to_text());
    let seq = sqlx::query_scalar::<_, i64>(
        "with bumped as (
             update chats set last_seq = last_seq + 1, latest_message_id = $2, updated_at = $5
             where id = $1 returning last_seq
         ), message as (
             insert into messages (id, chat_id, seq, sender_id, client_id, kind, text, created_at, updated_at)
             select $2, $1, last_seq, $3, $4, 'system', $6, $5, $5 from bumped
             returning seq
         ), event as (
             insert into chat_events (chat_id, seq, kind, actor_id, message_id, at)
             select $1, seq, $7, $3, $2, $5 from message
         ), marker as (
             update chat_members set last_read_seq = message.seq, read_at = $5 from message
             where chat_id = $1 and user_id = $3 and last_read_seq < message.seq
         )
         select seq from message",
    )
    .bind(Uuid::from(chat))
    .bind(Uuid::from(id))
    .bind(Uuid::from(actor))
    .bind(&client_id)
    .bind(now.as_millis())
    .bind(&text)
    .bind(kind.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if violates(&e, SENDER_CLIENT_KEY) {
            StoreError::Conflict { constraint: SENDER_CLIENT_KEY.into() }
        } else {
            map_err(e)
        }
    })?;
    let message = Message::system(id, chat, seq, actor, client_id, text, now);
    Ok(FeedEvent { chat_id: chat, seq, kind, actor, at: now, message: Some(message), chat: None })
}
