//! Push subscriptions, muted chats and the still-unread mail, on PostgreSQL.

use std::time::Duration;

use natter_domain::chat::MessageKind;
use natter_domain::entities::NewJob;
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::notify::{
    MAX_PUSH_SUBSCRIPTIONS, PushSubscription, PushTarget, UnreadDigest, UnreadLine, UnreadMail,
};
use natter_domain::ports::StoreResult;
use natter_domain::{StoreError, Timestamp};
use uuid::Uuid;

use crate::PgStore;
use crate::privacy::unknown_user;
use crate::rows::map_err;

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    user_id: Uuid,
    endpoint: String,
    p256dh: Vec<u8>,
    auth: Vec<u8>,
}

#[derive(sqlx::FromRow)]
struct UnreadRow {
    user_id: Uuid,
    email: String,
    name: String,
    unread_mail_minutes: Option<i64>,
    unread_mailed_at: Option<i64>,
    chat_id: Uuid,
    is_group: bool,
    group_name: Option<String>,
    sender_name: String,
    kind: String,
    text: String,
    created_at: i64,
}

impl PgStore {
    pub(crate) async fn put_push_subscription_(
        &self,
        user: UserId,
        sub: PushSubscription,
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query(
            "insert into push_subscriptions (endpoint, user_id, p256dh, auth, created_at)
             values ($1, $2, $3, $4, $5)
             on conflict (endpoint) do update set
                user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
                created_at = excluded.created_at",
        )
        .bind(&sub.endpoint)
        .bind(Uuid::from(user))
        .bind(&sub.p256dh)
        .bind(&sub.auth)
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(map_err)
        .map_err(unknown_user)?;
        sqlx::query(
            "delete from push_subscriptions where user_id = $1 and endpoint not in
                (select endpoint from push_subscriptions where user_id = $1
                 order by created_at desc, endpoint limit $2)",
        )
        .bind(Uuid::from(user))
        .bind(i64::try_from(MAX_PUSH_SUBSCRIPTIONS).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    pub(crate) async fn delete_push_subscription_(
        &self,
        user: Option<UserId>,
        endpoint: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "delete from push_subscriptions where endpoint = $1 and ($2::uuid is null or user_id = $2)",
        )
        .bind(endpoint)
        .bind(user.map(Uuid::from))
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }

    pub(crate) async fn push_targets_(&self, message: MessageId) -> StoreResult<Vec<PushTarget>> {
        let rows: Vec<TargetRow> = sqlx::query_as(
            "select cm.user_id, p.endpoint, p.p256dh, p.auth
             from messages m
             join chat_members cm on cm.chat_id = m.chat_id
             join push_subscriptions p on p.user_id = cm.user_id
             left join user_settings st on st.user_id = cm.user_id
             where coalesce(st.desktop, true) and m.id = $1 and m.deleted_at is null and cm.user_id <> m.sender_id
               and not cm.muted and cm.last_read_seq < m.seq
             order by cm.user_id, p.created_at",
        )
        .bind(Uuid::from(message))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| PushTarget {
                user: UserId::from(r.user_id),
                subscription: PushSubscription { endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth },
            })
            .collect())
    }

    pub(crate) async fn set_muted_(&self, chat: ChatId, user: UserId, muted: bool) -> StoreResult<bool> {
        // `changed` is null when there is no such member.
        let changed: Option<bool> = sqlx::query_scalar(
            "with me as (select muted from chat_members where chat_id = $1 and user_id = $2),
                  changed as (update chat_members set muted = $3
                              where chat_id = $1 and user_id = $2 and muted <> $3 returning 1)
             select exists (select 1 from changed) from me",
        )
        .bind(Uuid::from(chat))
        .bind(Uuid::from(user))
        .bind(muted)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        changed.ok_or(StoreError::NotFound)
    }

    pub(crate) async fn enqueue_jobs_(&self, jobs: Vec<NewJob>, now: Timestamp) -> StoreResult<()> {
        if jobs.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = jobs.iter().map(|j| Uuid::from(j.id)).collect();
        let kinds: Vec<&str> = jobs.iter().map(|j| j.kind).collect();
        let payloads: Vec<&[u8]> = jobs.iter().map(|j| j.sealed.as_slice()).collect();
        sqlx::query(
            "insert into jobs (id, kind, payload, attempts, run_at, created_at)
             select id, kind, payload, 0, $4, $4 from unnest($1::uuid[], $2::text[], $3::bytea[]) as j(id, kind, payload)
             on conflict (id) do nothing",
        )
        .bind(ids)
        .bind(kinds)
        .bind(payloads)
        .bind(now.as_millis())
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    pub(crate) async fn unread_digests_(
        &self,
        now: Timestamp,
        default_delay: Duration,
        min_gap: Duration,
        limit: u32,
    ) -> StoreResult<Vec<UnreadDigest>> {
        // As on SQLite: `pending` are each member's unmuted chats with unread messages,
        // for members who want the mail and were not mailed within `min_gap`; `due`
        // those whose oldest unread message not yet mailed about waited their delay.
        let rows: Vec<UnreadRow> = sqlx::query_as(
            "with pending as (
                select cm.user_id, cm.chat_id, cm.last_read_seq, u.unread_mailed_at, u.unread_mailed_upto,
                       st.unread_mail_minutes,
                       coalesce(st.unread_mail_minutes * 60000, $2) as delay
                from chat_members cm
                join chats c on c.id = cm.chat_id
                join users u on u.id = cm.user_id
                left join user_settings st on st.user_id = cm.user_id
                where c.last_seq > cm.last_read_seq and not cm.muted
                  and coalesce(st.unread_mail_minutes, -1) <> 0
                  and (u.unread_mailed_at is null or u.unread_mailed_at <= $1 - $3)
             ),
             unread as (
                select p.*, m.sender_id, m.kind, m.text, m.created_at, m.seq
                from pending p
                join messages m on m.chat_id = p.chat_id and m.seq > p.last_read_seq
                where m.sender_id <> p.user_id and m.kind <> 'system' and m.deleted_at is null
                  and m.created_at > coalesce(p.unread_mailed_upto, 0)
             ),
             due as (select distinct user_id from unread where created_at <= $1 - delay)
             select x.user_id, u.email, u.name, x.unread_mail_minutes, x.unread_mailed_at, x.chat_id,
                    c.is_group, c.name as group_name, s.name as sender_name, x.kind, x.text, x.created_at
             from unread x
             join due d on d.user_id = x.user_id
             join users u on u.id = x.user_id
             join users s on s.id = x.sender_id
             join chats c on c.id = x.chat_id
             order by x.user_id, x.created_at, x.seq
             limit $4",
        )
        .bind(now.as_millis())
        .bind(millis(default_delay))
        .bind(millis(min_gap))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(UnreadDigest::gather(rows.into_iter().map(|r| {
            let head = UnreadDigest {
                user: UserId::from(r.user_id),
                email: r.email,
                name: r.name,
                setting: UnreadMail::from_column(r.unread_mail_minutes),
                mailed_at: r.unread_mailed_at.map(Timestamp::from_millis),
                lines: Vec::new(),
            };
            let line = UnreadLine {
                chat_id: ChatId::from(r.chat_id),
                group_name: if r.is_group { r.group_name } else { None },
                sender_name: r.sender_name,
                is_image: r.kind == MessageKind::Image.as_str(),
                text: r.text,
                created_at: Timestamp::from_millis(r.created_at),
            };
            (head, line)
        })))
    }

    pub(crate) async fn claim_unread_mail_(
        &self,
        user: UserId,
        mailed_at: Option<Timestamp>,
        now: Timestamp,
        upto: Timestamp,
        mail: NewJob,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let claimed = sqlx::query(
            "update users set unread_mailed_at = $2, unread_mailed_upto = $4
             where id = $1 and unread_mailed_at is not distinct from $3",
        )
        .bind(Uuid::from(user))
        .bind(now.as_millis())
        .bind(mailed_at.map(Timestamp::as_millis))
        .bind(upto.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if claimed.rows_affected() == 0 {
            return Ok(false);
        }
        crate::insert_job(&mut tx, &mail, now).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(true)
    }
}
