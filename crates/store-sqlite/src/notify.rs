//! Push subscriptions, muted chats and the still-unread mail, on SQLite.

use std::time::Duration;

use natter_domain::chat::MessageKind;
use natter_domain::entities::NewJob;
use natter_domain::ids::{ChatId, MessageId, UserId};
use natter_domain::notify::{
    DelayedJob, MAX_PUSH_SUBSCRIPTIONS, PushSubscription, PushTarget, UnreadDigest, UnreadLine, UnreadMail,
};
use natter_domain::ports::StoreResult;
use natter_domain::{StoreError, Timestamp};
use rusqlite::params;

use crate::SqliteStore;
use crate::privacy::unknown_user;
use crate::rows::{map_err, parse_id};
use crate::writer::map_err as w;

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// On the writer, inside `insert_message`'s transaction: the message's push check,
/// only if some other member who has not muted the chat has a device (so a chat
/// nobody pushes to costs one indexed probe per message and no row).
pub(crate) fn insert_notify_job(
    conn: &rusqlite::Connection,
    notify: &DelayedJob,
    chat: &str,
    sender: &str,
    now: i64,
) -> StoreResult<()> {
    conn.prepare_cached(
        "insert into jobs (id, kind, payload, attempts, run_at, created_at)
         select ?1, ?2, ?3, 0, ?4, ?5
         where exists (select 1 from chat_members cm join push_subscriptions p on p.user_id = cm.user_id
                       where cm.chat_id = ?6 and cm.user_id <> ?7 and cm.muted = 0)",
    )
    .and_then(|mut s| {
        s.execute(params![
            notify.job.id.to_string(),
            notify.job.kind,
            notify.job.sealed,
            notify.run_at.as_millis(),
            now,
            chat,
            sender
        ])
    })
    .map_err(w)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    user_id: String,
    endpoint: String,
    p256dh: Vec<u8>,
    auth: Vec<u8>,
}

#[derive(sqlx::FromRow)]
struct UnreadRow {
    user_id: String,
    email: String,
    name: String,
    unread_mail_minutes: Option<i64>,
    unread_mailed_at: Option<i64>,
    chat_id: String,
    is_group: bool,
    group_name: Option<String>,
    sender_name: String,
    kind: String,
    text: String,
    created_at: i64,
}

impl SqliteStore {
    pub(crate) async fn put_push_subscription_(
        &self,
        user: UserId,
        sub: PushSubscription,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                let user = user.to_string();
                conn.prepare_cached(
                    "insert into push_subscriptions (endpoint, user_id, p256dh, auth, created_at)
                     values (?1, ?2, ?3, ?4, ?5)
                     on conflict (endpoint) do update set
                        user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
                        created_at = excluded.created_at",
                )
                .and_then(|mut s| {
                    s.execute(params![sub.endpoint, user, sub.p256dh, sub.auth, now.as_millis()])
                })
                .map_err(w)
                .map_err(unknown_user)?;
                conn.prepare_cached(
                    "delete from push_subscriptions where user_id = ?1 and endpoint not in
                        (select endpoint from push_subscriptions where user_id = ?1
                         order by created_at desc, endpoint limit ?2)",
                )
                .and_then(|mut s| s.execute(params![user, MAX_PUSH_SUBSCRIPTIONS]))
                .map_err(w)?;
                Ok(())
            })
            .await
    }

    pub(crate) async fn delete_push_subscription_(
        &self,
        user: Option<UserId>,
        endpoint: &str,
    ) -> StoreResult<bool> {
        let endpoint = endpoint.to_owned();
        self.writer
            .run(move |conn| {
                conn.prepare_cached(
                    "delete from push_subscriptions where endpoint = ?1 and (?2 is null or user_id = ?2)",
                )
                .and_then(|mut s| s.execute(params![endpoint, user.map(|u| u.to_string())]))
                .map(|n| n > 0)
                .map_err(w)
            })
            .await
    }

    pub(crate) async fn push_targets_(&self, message: MessageId) -> StoreResult<Vec<PushTarget>> {
        let rows: Vec<TargetRow> = sqlx::query_as(
            "select cm.user_id, p.endpoint, p.p256dh, p.auth
             from messages m
             join chat_members cm on cm.chat_id = m.chat_id
             join push_subscriptions p on p.user_id = cm.user_id
             left join user_settings st on st.user_id = cm.user_id
             where coalesce(st.desktop, 1) = 1 and m.id = ?1 and m.deleted_at is null and cm.user_id <> m.sender_id
               and cm.muted = 0 and cm.last_read_seq < m.seq
             order by cm.user_id, p.created_at",
        )
        .bind(message.to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(PushTarget {
                    user: parse_id(&r.user_id)?,
                    subscription: PushSubscription { endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth },
                })
            })
            .collect()
    }

    pub(crate) async fn set_muted_(&self, chat: ChatId, user: UserId, muted: bool) -> StoreResult<bool> {
        self.writer
            .run(move |conn| {
                let (chat, user) = (chat.to_string(), user.to_string());
                let member: bool = conn
                    .prepare_cached(
                        "select exists (select 1 from chat_members where chat_id = ?1 and user_id = ?2)",
                    )
                    .and_then(|mut s| s.query_row(params![chat, user], |r| r.get(0)))
                    .map_err(w)?;
                if !member {
                    return Err(StoreError::NotFound);
                }
                conn.prepare_cached(
                    "update chat_members set muted = ?3 where chat_id = ?1 and user_id = ?2 and muted <> ?3",
                )
                .and_then(|mut s| s.execute(params![chat, user, muted]))
                .map(|n| n > 0)
                .map_err(w)
            })
            .await
    }

    pub(crate) async fn enqueue_jobs_(&self, jobs: Vec<NewJob>, now: Timestamp) -> StoreResult<()> {
        if jobs.is_empty() {
            return Ok(());
        }
        self.writer
            .run(move |conn| {
                let mut s = conn
                    .prepare_cached(
                        "insert into jobs (id, kind, payload, attempts, run_at, created_at)
                         values (?1, ?2, ?3, 0, ?4, ?4) on conflict (id) do nothing",
                    )
                    .map_err(w)?;
                for job in &jobs {
                    s.execute(params![job.id.to_string(), job.kind, job.sealed, now.as_millis()])
                        .map_err(w)?;
                }
                Ok(())
            })
            .await
    }

    pub(crate) async fn unread_digests_(
        &self,
        now: Timestamp,
        default_delay: Duration,
        min_gap: Duration,
        limit: u32,
    ) -> StoreResult<Vec<UnreadDigest>> {
        // `pending`: each member's unmuted chats with unread messages, for members who
        // want the mail and were not mailed within `min_gap`. `due`: those of them whose
        // oldest unread message not yet mailed about has waited their delay.
        let rows: Vec<UnreadRow> = sqlx::query_as(
            "with pending as (
                select cm.user_id, cm.chat_id, cm.last_read_seq, u.unread_mailed_at, u.unread_mailed_upto,
                       st.unread_mail_minutes,
                       coalesce(st.unread_mail_minutes * 60000, ?2) as delay
                from chat_members cm
                join chats c on c.id = cm.chat_id
                join users u on u.id = cm.user_id
                left join user_settings st on st.user_id = cm.user_id
                where c.last_seq > cm.last_read_seq and cm.muted = 0
                  and coalesce(st.unread_mail_minutes, -1) <> 0
                  and (u.unread_mailed_at is null or u.unread_mailed_at <= ?1 - ?3)
             ),
             unread as (
                select p.*, m.sender_id, m.kind, m.text, m.created_at, m.seq
                from pending p
                join messages m on m.chat_id = p.chat_id and m.seq > p.last_read_seq
                where m.sender_id <> p.user_id and m.kind <> 'system' and m.deleted_at is null
                  and m.created_at > coalesce(p.unread_mailed_upto, 0)
             ),
             due as (select distinct user_id from unread where created_at <= ?1 - delay)
             select x.user_id, u.email, u.name, x.unread_mail_minutes, x.unread_mailed_at, x.chat_id,
                    c.is_group, c.name as group_name, s.name as sender_name, x.kind, x.text, x.created_at
             from unread x
             join due d on d.user_id = x.user_id
             join users u on u.id = x.user_id
             join users s on s.id = x.sender_id
             join chats c on c.id = x.chat_id
             order by x.user_id, x.created_at, x.seq
             limit ?4",
        )
        .bind(now.as_millis())
        .bind(millis(default_delay))
        .bind(millis(min_gap))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        digests(rows)
    }

    pub(crate) async fn claim_unread_mail_(
        &self,
        user: UserId,
        mailed_at: Option<Timestamp>,
        now: Timestamp,
        upto: Timestamp,
        mail: NewJob,
    ) -> StoreResult<bool> {
        self.writer
            .run(move |conn| {
                let claimed = conn
                    .prepare_cached(
                        "update users set unread_mailed_at = ?2, unread_mailed_upto = ?4
                         where id = ?1 and unread_mailed_at is ?3",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            user.to_string(),
                            now.as_millis(),
                            mailed_at.map(Timestamp::as_millis),
                            upto.as_millis()
                        ])
                    })
                    .map_err(w)?;
                if claimed == 0 {
                    return Ok(false);
                }
                crate::rows::JobRow::insert(&mail, now, conn)?;
                Ok(true)
            })
            .await
    }
}

/// Rows ordered by user, gathered into one digest each.
fn digests(rows: Vec<UnreadRow>) -> StoreResult<Vec<UnreadDigest>> {
    let rows = rows
        .into_iter()
        .map(|r| {
            let head = UnreadDigest {
                user: parse_id(&r.user_id)?,
                email: r.email,
                name: r.name,
                setting: UnreadMail::from_column(r.unread_mail_minutes),
                mailed_at: r.unread_mailed_at.map(Timestamp::from_millis),
                lines: Vec::new(),
            };
            let line = UnreadLine {
                chat_id: parse_id::<ChatId>(&r.chat_id)?,
                group_name: if r.is_group { r.group_name } else { None },
                sender_name: r.sender_name,
                is_image: r.kind == MessageKind::Image.as_str(),
                text: r.text,
                created_at: Timestamp::from_millis(r.created_at),
            };
            Ok((head, line))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(UnreadDigest::gather(rows))
}
