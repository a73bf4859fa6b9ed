//! The Store port on SQLite: one file in WAL mode, foreign keys on, forward-only
//! migrations applied at open. All writes go through one connection on its own thread
//! (`writer.rs`, with group commit), so write transactions never race for SQLite's lock
//! (no `SQLITE_BUSY` upgrades) and the order of commits is the order of the writer
//! queue; reads use a separate pool.

mod chats;
mod groups;
mod notify;
mod privacy;
mod rows;
mod search;
mod search_index;
mod signup;
mod snapshot;
mod writer;

pub use snapshot::{SnapshotCounts, counts, database_path, snapshot};

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use natter_domain::chat::{
    Changed, Chat, ChatSummary, FeedEvent, FeedPage, Message, MessageEdit, MessagePage, NewMessage,
    PageCursor, ReadMarker, ReadMoved, Stored,
};
use natter_domain::entities::{
    Admission, Admitted, Block, CodeCheck, Invite, LeaseId, LeasedJob, MAX_OPEN_CODES, NewJob, NewLoginCode,
    RelayedClaim, Session, Settings, SettingsPatch, StoreStats, User,
};
use natter_domain::group::{GroupChange, GroupChanged, NewGroup};
use natter_domain::ids::{ChatId, JobId, MessageId, SessionId, UserId};
use natter_domain::notify::{PushSubscription, PushTarget, UnreadDigest};
use natter_domain::ports::{Store, StoreResult};
use natter_domain::search::SearchQuery;
use natter_domain::{DisplayName, Email, StoreError, Timestamp};
use rusqlite::{OptionalExtension, params};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use rows::{JobRow, SessionRow, UserRow, map_err};
use writer::Writer;

pub struct SqliteStore {
    writer: Writer,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Open (creating if needed) the database at `url` (`sqlite://path`) and migrate it.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("NATTER_DATABASE_URL {url:?} is not a valid sqlite:// URL"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            // Each message changes about six B-tree pages and a commit writes each whole
            // page to the WAL (and a checkpoint again to the file): 1 KiB pages (for new
            // databases) write a quarter of the bytes of the 4 KiB default per message.
            .page_size(1024)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let path = Path::new(options.get_filename()).to_owned();
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))?;
        }
        apply_migrations(options.clone())
            .await
            .with_context(|| format!("cannot open the SQLite database {url}"))?;
        let writer = Writer::start(&path)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(2))
            .connect_with(options.read_only(true))
            .await
            .context("cannot open the SQLite database for reading")?;
        // Also indexes what a previous run (or an import) left waiting.
        tokio::spawn(search_index::run_in_background(writer.downgrade(), reader.clone()));
        Ok(Self { writer, reader })
    }
}

async fn apply_migrations(options: SqliteConnectOptions) -> anyhow::Result<()> {
    let setup = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
    sqlx::migrate!("./migrations").run(&setup).await.context("cannot apply the SQLite migrations")?;
    setup.close().await;
    Ok(())
}

/// Bring the existing database file at `path` to this build's schema, as opening it
/// for serving would, without serving it (for `natter admin migrate`).
pub async fn migrate_existing(path: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(path.is_file(), "there is no SQLite database at {}", path.display());
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    apply_migrations(options).await.with_context(|| format!("cannot migrate {}", path.display()))
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.reader).await.map_err(map_err)?;
        self.writer.run(|_| Ok(())).await
    }

    async fn stats(&self, now: Timestamp) -> StoreResult<StoreStats> {
        let (queued, leased, dead): (i64, i64, i64) = sqlx::query_as(
            "select
                coalesce(sum(leased_until is null or leased_until <= ?1), 0),
                coalesce(sum(leased_until > ?1), 0),
                (select count(*) from jobs where dead_at is not null)
             from jobs where done_at is null and dead_at is null",
        )
        .bind(now.as_millis())
        .fetch_one(&self.reader)
        .await
        .map_err(map_err)?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(StoreStats {
            write_queue: self.writer.queued() as u64,
            jobs_queued: count(queued),
            jobs_leased: count(leased),
            jobs_dead: count(dead),
        })
    }

    async fn put_login_code(&self, code: NewLoginCode, mail: NewJob) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                // The address keeps its open codes, the newest MAX_OPEN_CODES of them.
                conn.prepare_cached("delete from login_codes where email = ?1 and expires_at <= ?2")
                    .and_then(|mut s| s.execute(params![code.email.as_str(), code.created_at.as_millis()]))
                    .map_err(writer::map_err)?;
                conn.prepare_cached(
                    "insert into login_codes (email, code_hash, tries, created_at, expires_at)
                     values (?1, ?2, 0, ?3, ?4)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        code.email.as_str(),
                        code.code_hash,
                        code.created_at.as_millis(),
                        code.expires_at.as_millis()
                    ])
                })
                .map_err(writer::map_err)?;
                conn.prepare_cached(
                    "delete from login_codes where email = ?1 and id not in
                        (select id from login_codes where email = ?1 order by created_at desc, id desc limit ?2)",
                )
                .and_then(|mut s| s.execute(params![code.email.as_str(), MAX_OPEN_CODES]))
                .map_err(writer::map_err)?;
                JobRow::insert(&mail, code.created_at, conn)
            })
            .await
    }

    async fn check_login_code(
        &self,
        email: &Email,
        code_hash: &[u8],
        now: Timestamp,
        max_tries: u32,
    ) -> StoreResult<CodeCheck> {
        let (email, code_hash) = (email.as_str().to_owned(), code_hash.to_vec());
        self.writer
            .run(move |conn| {
                let w = writer::map_err;
                let codes: Vec<(i64, Vec<u8>, i64)> = conn
                    .prepare_cached(
                        "select id, code_hash, tries from login_codes where email = ?1 and expires_at > ?2",
                    )
                    .and_then(|mut s| {
                        s.query_map(params![email, now.as_millis()], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        })?
                        .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .map_err(w)?;
                if codes.is_empty() {
                    return Ok(CodeCheck::Missing);
                }
                let usable: Vec<_> =
                    codes.iter().filter(|(_, _, tries)| *tries < i64::from(max_tries)).collect();
                if usable.is_empty() {
                    return Ok(CodeCheck::Exhausted);
                }
                // The try is counted before the comparison, so a guess always costs one.
                if let Some((id, _, _)) = usable.iter().find(|(_, stored, _)| *stored == code_hash) {
                    conn.prepare_cached("delete from login_codes where id = ?1")
                        .and_then(|mut s| s.execute(params![id]))
                        .map_err(w)?;
                    return Ok(CodeCheck::Accepted);
                }
                // A guess is compared with every open code, so it costs a try of each.
                conn.prepare_cached(
                    "update login_codes set tries = tries + 1
                     where email = ?1 and expires_at > ?2 and tries < ?3",
                )
                .and_then(|mut s| s.execute(params![email, now.as_millis(), max_tries]))
                .map_err(w)?;
                let left = usable.iter().any(|(_, _, tries)| tries + 1 < i64::from(max_tries));
                Ok(if left { CodeCheck::Wrong } else { CodeCheck::Exhausted })
            })
            .await
    }

    async fn admit_user(
        &self,
        email: &Email,
        name: &DisplayName,
        admission: Admission,
        now: Timestamp,
    ) -> StoreResult<Admitted> {
        self.admit_user_(email, name, admission, now).await
    }

    async fn would_admit(&self, email: &Email, admission: Admission) -> StoreResult<bool> {
        self.would_admit_(email, admission).await
    }

    async fn get_or_create_user(
        &self,
        email: &Email,
        name: &DisplayName,
        now: Timestamp,
    ) -> StoreResult<User> {
        match self.admit_user_(email, name, Admission::Open, now).await? {
            Admitted::Existing(user) | Admitted::Created(user) => Ok(user),
            Admitted::Refused => Err(StoreError::Other(anyhow::anyhow!("an open admission was refused"))),
        }
    }

    async fn get_user(&self, id: UserId) -> StoreResult<User> {
        let row: UserRow = sqlx::query_as("select * from users where id = ?1")
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        row.try_into()
    }

    async fn update_user_name(&self, id: UserId, name: &DisplayName, now: Timestamp) -> StoreResult<User> {
        let name = name.as_str().to_owned();
        let row = self
            .writer
            .run(move |conn| {
                conn.prepare_cached(&format!(
                    "update users set name = ?2, updated_at = ?3 where id = ?1 returning {}",
                    UserRow::COLUMNS
                ))
                .and_then(|mut s| s.query_row(params![id.to_string(), name, now.as_millis()], UserRow::read))
                .map_err(writer::map_err)
            })
            .await?;
        row.try_into()
    }

    async fn search_users(&self, query: &str, limit: u32) -> StoreResult<Vec<User>> {
        // instr() rather than like: the query is matched literally, `%` and `_` included.
        let rows: Vec<UserRow> = sqlx::query_as(
            "select * from users
             where ?1 = '' or instr(lower(name), lower(?1)) > 0 or instr(email, lower(?1)) > 0
             order by lower(name), id limit ?2",
        )
        .bind(query)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(User::try_from).collect()
    }

    async fn search_users_by_name_or_address(&self, query: &str, limit: u32) -> StoreResult<Vec<User>> {
        self.search_users_by_name_or_address_(query, limit).await
    }

    async fn set_last_seen(&self, user: UserId, at: Timestamp) -> StoreResult<()> {
        self.set_last_seen_(user, at).await
    }

    async fn put_push_subscription(
        &self,
        user: UserId,
        sub: PushSubscription,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.put_push_subscription_(user, sub, now).await
    }

    async fn delete_push_subscription(&self, user: Option<UserId>, endpoint: &str) -> StoreResult<bool> {
        self.delete_push_subscription_(user, endpoint).await
    }

    async fn push_targets(&self, message: MessageId) -> StoreResult<Vec<PushTarget>> {
        self.push_targets_(message).await
    }

    async fn set_muted(&self, chat: ChatId, user: UserId, muted: bool) -> StoreResult<bool> {
        self.set_muted_(chat, user, muted).await
    }

    async fn enqueue_jobs(&self, jobs: Vec<NewJob>, now: Timestamp) -> StoreResult<()> {
        self.enqueue_jobs_(jobs, now).await
    }

    async fn unread_digests(
        &self,
        now: Timestamp,
        default_delay: Duration,
        min_gap: Duration,
        limit: u32,
    ) -> StoreResult<Vec<UnreadDigest>> {
        self.unread_digests_(now, default_delay, min_gap, limit).await
    }

    async fn claim_unread_mail(
        &self,
        user: UserId,
        mailed_at: Option<Timestamp>,
        now: Timestamp,
        upto: Timestamp,
        mail: NewJob,
    ) -> StoreResult<bool> {
        self.claim_unread_mail_(user, mailed_at, now, upto, mail).await
    }

    async fn get_settings(&self, user: UserId) -> StoreResult<Settings> {
        self.get_settings_(user).await
    }

    async fn update_settings(
        &self,
        user: UserId,
        patch: SettingsPatch,
        now: Timestamp,
    ) -> StoreResult<Settings> {
        self.update_settings_(user, patch, now).await
    }

    async fn last_seen_hidden(&self, users: &[UserId]) -> StoreResult<Vec<UserId>> {
        self.last_seen_hidden_(users).await
    }

    async fn block_user(&self, blocker: UserId, blocked: UserId, now: Timestamp) -> StoreResult<bool> {
        self.block_user_(blocker, blocked, now).await
    }

    async fn unblock_user(&self, blocker: UserId, blocked: UserId) -> StoreResult<bool> {
        self.unblock_user_(blocker, blocked).await
    }

    async fn blocks_involving(&self, user: UserId) -> StoreResult<Vec<Block>> {
        self.blocks_involving_(user).await
    }

    async fn create_invite(
        &self,
        email: &Email,
        invited_by: UserId,
        now: Timestamp,
    ) -> StoreResult<(Invite, bool)> {
        self.create_invite_(email, invited_by, now).await
    }

    async fn list_invites(&self, invited_by: UserId) -> StoreResult<Vec<Invite>> {
        self.list_invites_(invited_by).await
    }

    async fn insert_session(&self, session: &Session) -> StoreResult<()> {
        let values = (
            session.id.to_string(),
            session.user_id.to_string(),
            session.created_at.as_millis(),
            session.expires_at.as_millis(),
        );
        self.writer
            .run(move |conn| {
                conn.prepare_cached(
                    "insert into sessions (id, user_id, created_at, expires_at) values (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut s| s.execute(params![values.0, values.1, values.2, values.3]))
                .map_err(writer::map_err)?;
                Ok(())
            })
            .await
    }

    async fn get_live_session(&self, id: SessionId, now: Timestamp) -> StoreResult<Session> {
        let row: SessionRow = sqlx::query_as(
            "select id, user_id, created_at, expires_at from sessions
             where id = ?1 and revoked_at is null and expires_at > ?2",
        )
        .bind(id.to_string())
        .bind(now.as_millis())
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        row.try_into()
    }

    async fn revoke_session(&self, id: SessionId, now: Timestamp) -> StoreResult<()> {
        self.writer
            .run(move |conn| {
                conn.prepare_cached(
                    "update sessions set revoked_at = ?2 where id = ?1 and revoked_at is null",
                )
                .and_then(|mut s| s.execute(params![id.to_string(), now.as_millis()]))
                .map_err(writer::map_err)?;
                Ok(())
            })
            .await
    }

    async fn get_or_create_direct_chat(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> StoreResult<(Chat, bool)> {
        self.get_or_create_direct_chat_(a, b, now).await
    }

    async fn create_group(&self, group: NewGroup) -> StoreResult<GroupChanged> {
        self.create_group_(group).await
    }

    async fn change_group(
        &self,
        chat: ChatId,
        actor: UserId,
        change: GroupChange,
        message_id: MessageId,
        now: Timestamp,
    ) -> StoreResult<GroupChanged> {
        self.change_group_(chat, actor, change, message_id, now).await
    }

    async fn get_chat(&self, id: ChatId) -> StoreResult<Chat> {
        self.get_chat_(id).await
    }

    async fn list_chats(&self, user: UserId) -> StoreResult<Vec<ChatSummary>> {
        self.list_chats_(user).await
    }

    async fn get_users(&self, ids: &[UserId]) -> StoreResult<Vec<User>> {
        self.get_users_(ids).await
    }

    async fn co_member_ids(&self, user: UserId) -> StoreResult<Vec<UserId>> {
        self.co_member_ids_(user).await
    }

    async fn insert_message(&self, message: NewMessage) -> StoreResult<Stored> {
        self.insert_message_(message).await
    }

    async fn list_events(
        &self,
        chat: ChatId,
        after: i64,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<FeedPage> {
        self.list_events_(chat, after, before, limit).await
    }

    async fn claim_unpublished(
        &self,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
        now: Timestamp,
        claim_until: Timestamp,
    ) -> StoreResult<Vec<FeedEvent>> {
        self.claim_unpublished_(from, until, limit, now, claim_until).await
    }

    async fn mark_published(&self, events: &[(ChatId, i64)], now: Timestamp) -> StoreResult<()> {
        self.mark_published_(events.to_vec(), now).await
    }

    async fn get_message(&self, id: MessageId) -> StoreResult<Message> {
        self.get_message_(id).await
    }

    async fn edit_message(&self, id: MessageId, text: String, now: Timestamp) -> StoreResult<Changed> {
        self.edit_message_(id, text, now).await
    }

    async fn delete_message(&self, id: MessageId, actor: UserId, now: Timestamp) -> StoreResult<Changed> {
        self.delete_message_(id, actor, now).await
    }

    async fn react(
        &self,
        id: MessageId,
        user: UserId,
        emoji: String,
        on: bool,
        now: Timestamp,
    ) -> StoreResult<Changed> {
        self.react_(id, user, emoji, on, now).await
    }

    async fn message_edits(&self, id: MessageId) -> StoreResult<Vec<MessageEdit>> {
        self.message_edits_(id).await
    }

    async fn list_messages(&self, chat: ChatId, cursor: PageCursor, limit: u32) -> StoreResult<MessagePage> {
        self.list_messages_(chat, cursor, limit).await
    }

    async fn search_messages(
        &self,
        user: UserId,
        query: &SearchQuery,
        chat: Option<ChatId>,
        before: Option<MessageId>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        self.search_messages_(user, query, chat, before, limit).await
    }

    async fn read_markers(&self, chat: ChatId) -> StoreResult<Vec<ReadMarker>> {
        self.read_markers_(chat).await
    }

    async fn mark_read(
        &self,
        chat: ChatId,
        user: UserId,
        up_to_seq: i64,
        now: Timestamp,
    ) -> StoreResult<Option<ReadMoved>> {
        self.mark_read_(chat, user, up_to_seq, now).await
    }

    async fn claim_job(&self, now: Timestamp, lease_until: Timestamp) -> StoreResult<Option<LeasedJob>> {
        let lease = LeaseId::new();
        let row = self
            .writer
            .run(move |conn| {
                conn.prepare_cached(
                    "update jobs set leased_until = ?2, lease_id = ?3
                     where id = (select id from jobs
                                 where done_at is null and dead_at is null and relayed_at is null
                                   and run_at <= ?1 and (leased_until is null or leased_until <= ?1)
                                 order by run_at, id limit 1)
                     returning id, kind, payload, attempts, lease_id",
                )
                .and_then(|mut s| {
                    s.query_row(
                        params![now.as_millis(), lease_until.as_millis(), lease.0.to_string()],
                        JobRow::read,
                    )
                    .optional()
                })
                .map_err(writer::map_err)
            })
            .await?;
        row.map(LeasedJob::try_from).transpose()
    }

    async fn complete_job(&self, id: JobId, lease: LeaseId, now: Timestamp) -> StoreResult<bool> {
        self.writer
            .run(move |conn| {
                conn.prepare_cached(
                    "update jobs set done_at = ?3, leased_until = null, payload = x''
                     where id = ?1 and lease_id = ?2 and done_at is null and dead_at is null",
                )
                .and_then(|mut s| s.execute(params![id.to_string(), lease.0.to_string(), now.as_millis()]))
                .map(|changed| changed == 1)
                .map_err(writer::map_err)
            })
            .await
    }

    async fn fail_job(
        &self,
        id: JobId,
        lease: LeaseId,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let error = error.to_owned();
        self.writer
            .run(move |conn| {
                conn.prepare_cached(
                    "update jobs set attempts = attempts + 1, last_error = ?3, leased_until = null,
                        run_at = coalesce(?4, run_at),
                        dead_at = case when ?4 is null then ?5 else null end,
                        payload = case when ?4 is null then x'' else payload end
                     where id = ?1 and lease_id = ?2 and done_at is null and dead_at is null",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        id.to_string(),
                        lease.0.to_string(),
                        error,
                        retry_at.map(Timestamp::as_millis),
                        now.as_millis()
                    ])
                })
                .map(|changed| changed == 1)
                .map_err(writer::map_err)
            })
            .await
    }

    async fn relay_job(&self, id: JobId, lease: LeaseId, now: Timestamp) -> StoreResult<bool> {
        self.writer
            .run(move |conn| {
                conn.prepare_cached(
                    "update jobs set relayed_at = ?3, leased_until = null
                     where id = ?1 and lease_id = ?2 and relayed_at is null
                       and done_at is null and dead_at is null",
                )
                .and_then(|mut s| s.execute(params![id.to_string(), lease.0.to_string(), now.as_millis()]))
                .map(|changed| changed == 1)
                .map_err(writer::map_err)
            })
            .await
    }

    async fn take_relayed_job(
        &self,
        id: JobId,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<RelayedClaim> {
        let lease = LeaseId::new();
        self.writer
            .run(move |conn| {
                // One writer: nothing runs between the update and the look that explains
                // why it changed nothing.
                let taken = conn
                    .prepare_cached(
                        "update jobs set leased_until = ?3, lease_id = ?4,
                            relayed_at = coalesce(relayed_at, ?2)
                         where id = ?1 and done_at is null and dead_at is null
                           and (relayed_at is null or leased_until is null or leased_until <= ?2)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            id.to_string(),
                            now.as_millis(),
                            lease_until.as_millis(),
                            lease.0.to_string()
                        ])
                    })
                    .map_err(writer::map_err)?;
                if taken == 1 {
                    return Ok(RelayedClaim::Leased(lease));
                }
                let settled: Option<bool> = conn
                    .prepare_cached(
                        "select done_at is not null or dead_at is not null from jobs where id = ?1",
                    )
                    .and_then(|mut s| s.query_row(params![id.to_string()], |r| r.get(0)).optional())
                    .map_err(writer::map_err)?;
                Ok(match settled {
                    None => RelayedClaim::Unknown,
                    Some(true) => RelayedClaim::Settled,
                    Some(false) => RelayedClaim::Busy,
                })
            })
            .await
    }
}
