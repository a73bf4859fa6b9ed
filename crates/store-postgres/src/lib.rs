//! The Store port on PostgreSQL, for several nodes on one database: forward-only
//! migrations applied at open (sqlx takes an advisory lock, so nodes starting together
//! migrate once), one connection pool, each method one transaction (or one statement).
//!
//! Where SQLite's single writer makes races impossible, this backend says how it wins
//! them: the chat row's lock orders the messages of a chat (its `seq` is taken by
//! `update chats ... returning` in the committing statement, so seq order is commit
//! order and a rolled-back send leaves no gap); unique constraints with `on conflict`
//! or a caught violation make creation idempotent; transaction-scoped advisory locks
//! serialize the codes of one address and the first account of an install; jobs are
//! claimed with `for update skip locked`.

mod chats;
mod groups;
mod notify;
mod privacy;
mod rows;
mod search;
mod signup;

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
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{PgConnection, Postgres, Transaction};
use uuid::Uuid;

use rows::{JobRow, SessionRow, UserRow, map_err};

/// Connections per node. Every request holds one for a few statements at most.
const POOL_SIZE: u32 = 16;
/// How long a request waits for a free connection before the store answers `Busy`.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The class ids of natter's advisory locks (`pg_advisory_xact_lock(class, object)`),
/// "nat" and a number, so they do not collide with another application's.
const LOCK_ADDRESS: i32 = 0x6e61_7401;
const LOCK_FIRST_ADMIN: i32 = 0x6e61_7402;

/// The table in which `natter admin migrate` keeps its position while it copies an
/// installation in; a database that has it is not servable yet.
pub const MIGRATION_TABLE: &str = "natter_migration";

/// A pool of `size` connections to the database at `url`, migrated to this build's
/// schema.
pub async fn connect(url: &str, size: u32) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(url)
        .context("NATTER_DATABASE_URL is not a valid postgres:// URL")?
        .application_name("natter");
    // Never the URL itself: it may carry a password.
    let place = format!(
        "{}:{}/{}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or_default()
    );
    let pool = PgPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot connect to PostgreSQL at {place}"))?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .with_context(|| format!("cannot apply the PostgreSQL migrations at {place}"))?;
    Ok(pool)
}

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connect to the database at `url` (`postgres://user:pass@host:port/db`) and
    /// migrate it.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let pool = connect(url, POOL_SIZE).await?;
        let (copying,): (bool,) = sqlx::query_as("select to_regclass($1) is not null")
            .bind(MIGRATION_TABLE)
            .fetch_one(&pool)
            .await?;
        anyhow::ensure!(
            !copying,
            "this database holds an unfinished `natter admin migrate`: run it again to finish the copy"
        );
        Ok(Self { pool })
    }

    async fn begin(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(map_err)
    }
}

/// Hold, until the transaction ends, the lock that serializes everything done to the
/// codes of `email`: a new code and its pruning, a check and its tries.
async fn lock_address(conn: &mut PgConnection, email: &str) -> StoreResult<()> {
    sqlx::query("select pg_advisory_xact_lock($1, hashtext($2))")
        .bind(LOCK_ADDRESS)
        .bind(email)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

async fn insert_job(conn: &mut PgConnection, job: &NewJob, now: Timestamp) -> StoreResult<()> {
    sqlx::query(
        "insert into jobs (id, kind, payload, attempts, run_at, created_at) values ($1, $2, $3, 0, $4, $4)",
    )
    .bind(Uuid::from(job.id))
    .bind(job.kind)
    .bind(&job.sealed)
    .bind(now.as_millis())
    .execute(conn)
    .await
    .map_err(map_err)?;
    Ok(())
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }

    async fn stats(&self, now: Timestamp) -> StoreResult<StoreStats> {
        let (queued, leased, dead): (i64, i64, i64) = sqlx::query_as(
            "select count(*) filter (where leased_until is null or leased_until <= $1),
                    count(*) filter (where leased_until > $1),
                    (select count(*) from jobs where dead_at is not null)
             from jobs where done_at is null and dead_at is null",
        )
        .bind(now.as_millis())
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(StoreStats {
            // No queue in front of the database: writers wait for connections instead.
            write_queue: 0,
            jobs_queued: count(queued),
            jobs_leased: count(leased),
            jobs_dead: count(dead),
        })
    }

    async fn put_login_code(&self, code: NewLoginCode, mail: NewJob) -> StoreResult<()> {
        let email = code.email.as_str();
        let mut tx = self.begin().await?;
        lock_address(&mut tx, email).await?;
        // The address keeps its open codes, the newest MAX_OPEN_CODES of them.
        sqlx::query("delete from login_codes where email = $1 and expires_at <= $2")
            .bind(email)
            .bind(code.created_at.as_millis())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "insert into login_codes (email, code_hash, tries, created_at, expires_at)
             values ($1, $2, 0, $3, $4)",
        )
        .bind(email)
        .bind(&code.code_hash)
        .bind(code.created_at.as_millis())
        .bind(code.expires_at.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query(
            "delete from login_codes where email = $1 and id not in
                (select id from login_codes where email = $1 order by created_at desc, id desc limit $2)",
        )
        .bind(email)
        .bind(MAX_OPEN_CODES as i64)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_job(&mut tx, &mail, code.created_at).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn check_login_code(
        &self,
        email: &Email,
        code_hash: &[u8],
        now: Timestamp,
        max_tries: u32,
    ) -> StoreResult<CodeCheck> {
        let email = email.as_str();
        let max_tries = i64::from(max_tries);
        let mut tx = self.begin().await?;
        // Checks of one address run one after the other (and each reads what the one
        // before it committed), so of many checks of the right code one is Accepted.
        lock_address(&mut tx, email).await?;
        let codes: Vec<(i64, Vec<u8>, i64)> = sqlx::query_as(
            "select id, code_hash, tries from login_codes where email = $1 and expires_at > $2",
        )
        .bind(email)
        .bind(now.as_millis())
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        if codes.is_empty() {
            tx.commit().await.map_err(map_err)?;
            return Ok(CodeCheck::Missing);
        }
        let usable: Vec<_> = codes.iter().filter(|(_, _, tries)| *tries < max_tries).collect();
        if usable.is_empty() {
            tx.commit().await.map_err(map_err)?;
            return Ok(CodeCheck::Exhausted);
        }
        // The try is counted before the comparison, so a guess always costs one.
        if let Some((id, _, _)) = usable.iter().find(|(_, stored, _)| stored.as_slice() == code_hash) {
            sqlx::query("delete from login_codes where id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            tx.commit().await.map_err(map_err)?;
            return Ok(CodeCheck::Accepted);
        }
        // A guess is compared with every open code, so it costs a try of each.
        sqlx::query(
            "update login_codes set tries = tries + 1 where email = $1 and expires_at > $2 and tries < $3",
        )
        .bind(email)
        .bind(now.as_millis())
        .bind(max_tries)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        let left = usable.iter().any(|(_, _, tries)| tries + 1 < max_tries);
        Ok(if left { CodeCheck::Wrong } else { CodeCheck::Exhausted })
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
        let row: UserRow = sqlx::query_as(&format!("select {} from users where id = $1", UserRow::COLUMNS))
            .bind(Uuid::from(id))
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        row.try_into()
    }

    async fn update_user_name(&self, id: UserId, name: &DisplayName, now: Timestamp) -> StoreResult<User> {
        let row: UserRow = sqlx::query_as(&format!(
            "update users set name = $2, updated_at = $3 where id = $1 returning {}",
            UserRow::COLUMNS
        ))
        .bind(Uuid::from(id))
        .bind(name.as_str())
        .bind(now.as_millis())
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        row.try_into()
    }

    async fn search_users(&self, query: &str, limit: u32) -> StoreResult<Vec<User>> {
        // strpos() rather than like: the query is matched literally, `%` and `_`
        // included. Ordered by code point (collate "C"), as SQLite orders.
        let rows: Vec<UserRow> = sqlx::query_as(&format!(
            "select {} from users
             where $1 = '' or strpos(lower(name), lower($1)) > 0 or strpos(email, lower($1)) > 0
             order by lower(name) collate \"C\", id limit $2",
            UserRow::COLUMNS
        ))
        .bind(query)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
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
        sqlx::query("insert into sessions (id, user_id, created_at, expires_at) values ($1, $2, $3, $4)")
            .bind(Uuid::from(session.id))
            .bind(Uuid::from(session.user_id))
            .bind(session.created_at.as_millis())
            .bind(session.expires_at.as_millis())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn get_live_session(&self, id: SessionId, now: Timestamp) -> StoreResult<Session> {
        let row: SessionRow = sqlx::query_as(
            "select id, user_id, created_at, expires_at from sessions
             where id = $1 and revoked_at is null and expires_at > $2",
        )
        .bind(Uuid::from(id))
        .bind(now.as_millis())
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        .ok_or(StoreError::NotFound)?;
        Ok(row.into())
    }

    async fn revoke_session(&self, id: SessionId, now: Timestamp) -> StoreResult<()> {
        sqlx::query("update sessions set revoked_at = $2 where id = $1 and revoked_at is null")
            .bind(Uuid::from(id))
            .bind(now.as_millis())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
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
        self.mark_published_(events, now).await
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
        // `skip locked`: a job another node is claiming right now is not waited for;
        // this claim takes the next due one (or none, and the worker polls again).
        let row: Option<JobRow> = sqlx::query_as(
            "update jobs set leased_until = $2, lease_id = $3
             where id = (select id from jobs
                         where done_at is null and dead_at is null and relayed_at is null
                           and run_at <= $1 and (leased_until is null or leased_until <= $1)
                         order by run_at, id limit 1
                         for update skip locked)
             returning id, kind, payload, attempts, lease_id",
        )
        .bind(now.as_millis())
        .bind(lease_until.as_millis())
        .bind(LeaseId::new().0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.map(LeasedJob::from))
    }

    async fn complete_job(&self, id: JobId, lease: LeaseId, now: Timestamp) -> StoreResult<bool> {
        let done = sqlx::query(
            "update jobs set done_at = $3, leased_until = null, payload = ''::bytea
             where id = $1 and lease_id = $2 and done_at is null and dead_at is null",
        )
        .bind(Uuid::from(id))
        .bind(lease.0)
        .bind(now.as_millis())
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn fail_job(
        &self,
        id: JobId,
        lease: LeaseId,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let failed = sqlx::query(
            "update jobs set attempts = attempts + 1, last_error = $3, leased_until = null,
                run_at = coalesce($4, run_at),
                dead_at = case when $4 is null then $5 else null end,
                payload = case when $4 is null then ''::bytea else payload end
             where id = $1 and lease_id = $2 and done_at is null and dead_at is null",
        )
        .bind(Uuid::from(id))
        .bind(lease.0)
        .bind(error)
        .bind(retry_at.map(Timestamp::as_millis))
        .bind(now.as_millis())
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(failed.rows_affected() == 1)
    }

    async fn relay_job(&self, id: JobId, lease: LeaseId, now: Timestamp) -> StoreResult<bool> {
        let relayed = sqlx::query(
            "update jobs set relayed_at = $3, leased_until = null
             where id = $1 and lease_id = $2 and relayed_at is null and done_at is null and dead_at is null",
        )
        .bind(Uuid::from(id))
        .bind(lease.0)
        .bind(now.as_millis())
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(relayed.rows_affected() == 1)
    }

    async fn take_relayed_job(
        &self,
        id: JobId,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<RelayedClaim> {
        let lease = LeaseId::new();
        // One statement: the update takes the row lock, so of two consumers holding
        // deliveries of one job the second waits, then finds it leased (or settled).
        // The outer select reads the row as it was before this update, which is what
        // explains an update that changed nothing.
        let row: Option<(Option<Uuid>, bool)> = sqlx::query_as(
            "with taken as (
                update jobs set leased_until = $3, lease_id = $4, relayed_at = coalesce(relayed_at, $2)
                 where id = $1 and done_at is null and dead_at is null
                   and (relayed_at is null or leased_until is null or leased_until <= $2)
                 returning lease_id
             )
             select (select lease_id from taken), done_at is not null or dead_at is not null
               from jobs where id = $1",
        )
        .bind(Uuid::from(id))
        .bind(now.as_millis())
        .bind(lease_until.as_millis())
        .bind(lease.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(match row {
            None => RelayedClaim::Unknown,
            Some((Some(_), _)) => RelayedClaim::Leased(lease),
            Some((None, true)) => RelayedClaim::Settled,
            Some((None, false)) => RelayedClaim::Busy,
        })
    }
}
