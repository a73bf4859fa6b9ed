//! The ports: what the use-cases need from the world. Backends implement them; the
//! binary's wiring picks which one sits behind each port at start-up.

use std::time::Duration;

use async_trait::async_trait;

use crate::chat::{
    Changed, Chat, ChatSummary, FeedEvent, FeedPage, Message, MessageEdit, MessagePage, NewMessage,
    PageCursor, ReadMarker, ReadMoved, Stored,
};
use crate::entities::{
    Admission, Admitted, Block, CodeCheck, Invite, LeaseId, LeasedJob, Mail, NewJob, NewLoginCode,
    RelayedClaim, SentMail, Session, Settings, SettingsPatch, StoreStats, User,
};
use crate::group::{GroupChange, GroupChanged, NewGroup};
use crate::ids::{ChatId, JobId, MessageId, SessionId, UserId};
use crate::notify::{PushSubscription, PushTarget, UnreadDigest};
use crate::search::SearchQuery;
use crate::{DisplayName, Email, StoreError, Timestamp};

pub type StoreResult<T> = Result<T, StoreError>;

/// Durable state. Each method is shaped like the use-case that calls it and owns its
/// transaction, so no driver type crosses this trait.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Cheap round trip, for readiness checks.
    async fn ping(&self) -> StoreResult<()>;
    /// Queue depth and job counts at `now` (leases running past it), for metrics.
    async fn stats(&self, now: Timestamp) -> StoreResult<StoreStats>;

    /// Add a code for `code.email` and enqueue `mail`, both in one transaction: a
    /// committed code is always mailed. The address keeps its other open codes (expired
    /// and exhausted ones go), at most `MAX_OPEN_CODES` of them, the newest.
    async fn put_login_code(&self, code: NewLoginCode, mail: NewJob) -> StoreResult<()>;

    /// Count one try against every open code of `email` (before comparing), then
    /// compare with each: a match is `Accepted` and used up (the others stay open).
    /// Atomic: of many concurrent checks of the right code exactly one is `Accepted`.
    async fn check_login_code(
        &self,
        email: &Email,
        code_hash: &[u8],
        now: Timestamp,
        max_tries: u32,
    ) -> StoreResult<CodeCheck>;

    /// The user with this address; if there is none, one is created with `name` when
    /// `admission` allows it, in one transaction: an open invitation for the address
    /// is used up by the creation, and the account created on an empty users table is
    /// the admin (so of two racing first accounts exactly one is).
    async fn admit_user(
        &self,
        email: &Email,
        name: &DisplayName,
        admission: Admission,
        now: Timestamp,
    ) -> StoreResult<Admitted>;
    /// Whether `admit_user` with `admission` would answer `Existing` or `Created` now;
    /// writes nothing.
    async fn would_admit(&self, email: &Email, admission: Admission) -> StoreResult<bool>;
    /// The user with this address, created with `name` if there is none (as
    /// `admit_user` with `Admission::Open`).
    async fn get_or_create_user(
        &self,
        email: &Email,
        name: &DisplayName,
        now: Timestamp,
    ) -> StoreResult<User>;
    async fn get_user(&self, id: UserId) -> StoreResult<User>;
    async fn update_user_name(&self, id: UserId, name: &DisplayName, now: Timestamp) -> StoreResult<User>;
    /// Users whose name or email contains `query` (case-insensitive), by name.
    async fn search_users(&self, query: &str, limit: u32) -> StoreResult<Vec<User>>;
    /// Users whose name contains `query` (case-insensitive, literally) or whose email
    /// is exactly `query` (once trimmed and lower-cased), by name: a search that does
    /// not reveal addresses to someone who does not already know them.
    async fn search_users_by_name_or_address(&self, query: &str, limit: u32) -> StoreResult<Vec<User>>;

    /// `user` went offline at `at` (`User::last_seen_at`).
    async fn set_last_seen(&self, user: UserId, at: Timestamp) -> StoreResult<()>;
    /// `user`'s settings (the defaults if they never changed any).
    async fn get_settings(&self, user: UserId) -> StoreResult<Settings>;
    /// Apply `patch` to `user`'s settings and answer them as they are now;
    /// `NotFound` for an unknown user.
    async fn update_settings(
        &self,
        user: UserId,
        patch: SettingsPatch,
        now: Timestamp,
    ) -> StoreResult<Settings>;
    /// Those of `users` who hide when they were last seen.
    async fn last_seen_hidden(&self, users: &[UserId]) -> StoreResult<Vec<UserId>>;
    /// `blocker` blocks `blocked` from `now`: `true` if it is new, `false` if it was
    /// there already (and stays as it was). `NotFound` if either user is unknown.
    async fn block_user(&self, blocker: UserId, blocked: UserId, now: Timestamp) -> StoreResult<bool>;
    /// Take the block back: `true` if there was one.
    async fn unblock_user(&self, blocker: UserId, blocked: UserId) -> StoreResult<bool>;
    /// Every block `user` made or is the target of, newest first.
    async fn blocks_involving(&self, user: UserId) -> StoreResult<Vec<Block>>;

    /// Keep `sub` as one of `user`'s devices: a row with its endpoint is replaced
    /// (whoever had it: a browser that subscribes under another account moves), and
    /// past `MAX_PUSH_SUBSCRIPTIONS` the user's oldest device is dropped.
    async fn put_push_subscription(
        &self,
        user: UserId,
        sub: PushSubscription,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Forget the device with `endpoint` (only if it is `user`'s, when given): `true`
    /// if there was one.
    async fn delete_push_subscription(&self, user: Option<UserId>, endpoint: &str) -> StoreResult<bool>;
    /// The devices to push `message` to now (see `PushTarget`); none once it is
    /// deleted.
    async fn push_targets(&self, message: MessageId) -> StoreResult<Vec<PushTarget>>;
    /// Mute or unmute `chat` for `user`: `true` if that changed anything;
    /// `NotFound` if `user` is not a member.
    async fn set_muted(&self, chat: ChatId, user: UserId, muted: bool) -> StoreResult<bool>;
    /// Enqueue jobs due at `now`; a job whose id is taken already is left as it is (a
    /// retried fan-out enqueues nothing twice).
    async fn enqueue_jobs(&self, jobs: Vec<NewJob>, now: Timestamp) -> StoreResult<()>;
    /// The members whose oldest unread message (see `UnreadDigest`) has waited their
    /// delay (`default_delay` for those on the default) by `now`, who were not mailed
    /// about unread messages in the `min_gap` before `now`: up to `limit` lines in all.
    async fn unread_digests(
        &self,
        now: Timestamp,
        default_delay: Duration,
        min_gap: Duration,
        limit: u32,
    ) -> StoreResult<Vec<UnreadDigest>>;
    /// Record that `user` is mailed at `now` about the messages up to `upto` (the
    /// newest one listed) and enqueue `mail`, in one transaction, if their last such
    /// mail is still `mailed_at`: `false` (nothing written) if another node claimed
    /// them first.
    async fn claim_unread_mail(
        &self,
        user: UserId,
        mailed_at: Option<Timestamp>,
        now: Timestamp,
        upto: Timestamp,
        mail: NewJob,
    ) -> StoreResult<bool>;

    /// Invite `email` (one invitation per address, whoever made it): the invitation
    /// and whether it was created now (`false`: it existed, and is returned unchanged).
    async fn create_invite(
        &self,
        email: &Email,
        invited_by: UserId,
        now: Timestamp,
    ) -> StoreResult<(Invite, bool)>;
    /// The invitations `invited_by` made, newest first.
    async fn list_invites(&self, invited_by: UserId) -> StoreResult<Vec<Invite>>;

    async fn insert_session(&self, session: &Session) -> StoreResult<()>;
    /// The session if it exists, is not revoked and has not expired at `now`.
    async fn get_live_session(&self, id: SessionId, now: Timestamp) -> StoreResult<Session>;
    async fn revoke_session(&self, id: SessionId, now: Timestamp) -> StoreResult<()>;

    /// The 1:1 chat of `a` and `b`, created if there is none (`true` when created).
    async fn get_or_create_direct_chat(
        &self,
        a: UserId,
        b: UserId,
        now: Timestamp,
    ) -> StoreResult<(Chat, bool)>;
    /// In one transaction: the group, its owner and members, and its first feed row
    /// (`chat.created`, seq 1) with its system message. A repeated `(owner,
    /// client_id)` answers the group created then, with `event: None`.
    async fn create_group(&self, group: NewGroup) -> StoreResult<GroupChanged>;
    /// In one transaction: `group::plan` the change by `actor` on the chat as this
    /// transaction sees it, and write it (members, roles, name) with a system message
    /// `message_id` and its feed row. `event: None` when it changes nothing; refused:
    /// `Conflict { constraint: GroupRefusal::code }`; no such chat: `NotFound`.
    async fn change_group(
        &self,
        chat: ChatId,
        actor: UserId,
        change: GroupChange,
        message_id: MessageId,
        now: Timestamp,
    ) -> StoreResult<GroupChanged>;
    /// A chat with its members.
    async fn get_chat(&self, id: ChatId) -> StoreResult<Chat>;
    /// Every chat `user` belongs to, newest activity first, in a constant number of queries.
    async fn list_chats(&self, user: UserId) -> StoreResult<Vec<ChatSummary>>;
    async fn get_users(&self, ids: &[UserId]) -> StoreResult<Vec<User>>;
    /// Everyone who shares at least one chat with `user` (not `user`).
    async fn co_member_ids(&self, user: UserId) -> StoreResult<Vec<UserId>>;

    /// In one transaction: give the message its chat's next `seq`, write its feed row
    /// (`message.created`, unpublished) and make it the chat's latest; returns once
    /// committed. A repeated `(sender, client_id)` returns the stored original and
    /// writes nothing (`Conflict { constraint: "messages_sender_client_key" }` if that
    /// was another chat). In a group the sender must be a member as it commits
    /// (`Conflict { constraint: "not_a_member" }`), and `Stored::members` says who
    /// the members were then.
    async fn insert_message(&self, message: NewMessage) -> StoreResult<Stored>;
    /// The feed of `chat` after `after` (and before `before`, if given), oldest first,
    /// each row with its message as it is now.
    async fn list_events(
        &self,
        chat: ChatId,
        after: i64,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<FeedPage>;
    /// Claim until `claim_until` the feed rows written in `[from, until)` that no bus
    /// confirmed yet and nobody else holds a claim on at `now`, oldest first: what a
    /// sweeper republishes. Sweepers on several nodes never get the same row while
    /// its claim holds.
    async fn claim_unpublished(
        &self,
        from: Timestamp,
        until: Timestamp,
        limit: u32,
        now: Timestamp,
        claim_until: Timestamp,
    ) -> StoreResult<Vec<FeedEvent>>;
    /// Record that these rows reached a bus that spans nodes.
    async fn mark_published(&self, events: &[(ChatId, i64)], now: Timestamp) -> StoreResult<()>;
    async fn get_message(&self, id: MessageId) -> StoreResult<Message>;
    /// In one transaction, if the message is not deleted: keep its text in its edit
    /// history, set `text` and `edited_at`, take the chat's next `seq` for a
    /// `message.edited` row. The same text again changes nothing (`event: None`).
    /// `Conflict { constraint: "message_deleted" }` for a deleted message.
    async fn edit_message(&self, id: MessageId, text: String, now: Timestamp) -> StoreResult<Changed>;
    /// In one transaction, if the message is not deleted yet: make it a tombstone (text,
    /// image and edit history gone, `deleted_at` set) with a `message.deleted` row
    /// written by `actor`; `removed_image` is what the media store must now drop.
    /// Deleting a tombstone again changes nothing (`event: None`).
    async fn delete_message(&self, id: MessageId, actor: UserId, now: Timestamp) -> StoreResult<Changed>;
    /// In one transaction, if the message is not deleted: add (`on`) or take back
    /// `user`'s `emoji` on it, with a `reaction.added` / `reaction.removed` row; what is
    /// there already (or not there) changes nothing (`event: None`). Conflicts:
    /// `message_deleted`, and `too_many_reactions` past `MAX_REACTION_KINDS` emoji.
    async fn react(
        &self,
        id: MessageId,
        user: UserId,
        emoji: String,
        on: bool,
        now: Timestamp,
    ) -> StoreResult<Changed>;
    /// The texts a message had before its edits, oldest first.
    async fn message_edits(&self, id: MessageId) -> StoreResult<Vec<MessageEdit>>;
    async fn list_messages(&self, chat: ChatId, cursor: PageCursor, limit: u32) -> StoreResult<MessagePage>;
    /// The messages that match every phrase of `query` (see `search`), not deleted, of
    /// the chats `user` is a member of now (only `chat`, if given), newest first (by
    /// id), older than `before` if given: up to `limit`, with their reactions and reply
    /// previews, in a constant number of queries.
    async fn search_messages(
        &self,
        user: UserId,
        query: &SearchQuery,
        chat: Option<ChatId>,
        before: Option<MessageId>,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    async fn read_markers(&self, chat: ChatId) -> StoreResult<Vec<ReadMarker>>;
    /// Move `user`'s marker forward to `min(up_to_seq, last_seq)`; `None` if it would
    /// not move.
    async fn mark_read(
        &self,
        chat: ChatId,
        user: UserId,
        up_to_seq: i64,
        now: Timestamp,
    ) -> StoreResult<Option<ReadMoved>>;

    /// Lease the oldest due job of the outbox (not relayed to a broker) until
    /// `lease_until` under a new `LeaseId`; a job whose lease ran out (its worker
    /// crashed) is due again.
    async fn claim_job(&self, now: Timestamp, lease_until: Timestamp) -> StoreResult<Option<LeasedJob>>;
    /// Mark the job done and erase its payload, if `lease` still holds it (or held it
    /// last and nobody claimed it since); `false` when it does not: someone else holds
    /// it now, or it was already settled. Changes nothing then.
    async fn complete_job(&self, id: JobId, lease: LeaseId, now: Timestamp) -> StoreResult<bool>;
    /// Record a failed try, if `lease` holds the job (as `complete_job`): due again at
    /// `retry_at`, or with `None` given up (dead letter, payload erased).
    async fn fail_job(
        &self,
        id: JobId,
        lease: LeaseId,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// A broker confirmed the job that `lease` claimed: it leaves the outbox
    /// (`claim_job` no longer hands it out) and the broker's consumers take it from
    /// here. `false` if `lease` no longer holds it (a consumer may have it already).
    async fn relay_job(&self, id: JobId, lease: LeaseId, now: Timestamp) -> StoreResult<bool>;
    /// Lease job `id` until `lease_until` for one delivery a broker's consumer
    /// received, unless it is settled or another delivery holds it. A job not yet
    /// marked relayed is taken too (the consumer's delivery proves it was relayed: the
    /// relay's confirm can arrive after the consumer got the message) and is marked so.
    /// Settle it with `complete_job` or `fail_job`.
    async fn take_relayed_job(
        &self,
        id: JobId,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> StoreResult<RelayedClaim>;
}

/// Delivers mail. Must be idempotent enough to be retried after a crash.
#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, mail: &Mail) -> anyhow::Result<()>;
}

/// What a push service answered for one notification (RFC 8030).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Accepted (201).
    Delivered,
    /// The subscription is gone (404, 410): forget the device.
    Gone,
    /// Refused for good (a 4xx other than those, or an endpoint the server may not
    /// call): retrying cannot help.
    Refused(String),
    /// Unreachable, slow, rate-limited or failing (5xx, 429): try again later.
    Failed(String),
}

/// Delivers Web Push notifications: encrypts `payload` for the subscription
/// (RFC 8291, aes128gcm), signs the request (VAPID, RFC 8292) and posts it.
#[async_trait]
pub trait Pusher: Send + Sync + 'static {
    /// The VAPID public key browsers subscribe with (uncompressed P-256, 65 bytes).
    fn public_key(&self) -> Vec<u8>;
    async fn push(&self, to: &PushSubscription, payload: &[u8], ttl: Duration) -> PushOutcome;
}

/// The dev mailbox page lists what the console mailer printed.
pub trait DevMailbox: Send + Sync + 'static {
    fn recent(&self) -> Vec<SentMail>;
}

/// One rate: at most `limit` hits per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub limit: u32,
    pub window: Duration,
}

impl Rate {
    pub const fn per(limit: u32, window: Duration) -> Self {
        Self { limit, window }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    Limited { retry_after: Duration },
}

/// The limiter's backend cannot answer now. Limits fail closed: what they guard is
/// refused (503), never let through unlimited.
#[derive(Debug, thiserror::Error)]
#[error("the rate limiter is unavailable: {0}")]
pub struct LimiterUnavailable(pub String);

/// Counts hits per key. `hit` records one hit only if every rate allows it; otherwise
/// it records nothing and says how long until the hit would be allowed.
#[async_trait]
pub trait Limiter: Send + Sync + 'static {
    async fn hit(&self, key: &str, rates: &[Rate], now: Timestamp) -> Result<Decision, LimiterUnavailable>;
}

/// Background work (mail, push) handed to workers. A job is enqueued with
/// the state that caused it, in the store's transaction (the outbox); this port is how
/// workers take jobs and settle them, whether they come from that table or a broker.
#[async_trait]
pub trait Jobs: Send + Sync + 'static {
    /// The oldest due job, leased until `lease_until` (then due again if unsettled).
    async fn claim(&self, now: Timestamp, lease_until: Timestamp) -> anyhow::Result<Option<LeasedJob>>;
    /// Done: `false` if `job`'s lease no longer holds it (see `Store::complete_job`).
    async fn complete(&self, job: &LeasedJob, now: Timestamp) -> anyhow::Result<bool>;
    /// A failed try: due again at `retry_at`, or given up with `None`.
    async fn fail(
        &self,
        job: &LeasedJob,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> anyhow::Result<bool>;
}

/// Who is online: open sockets per user, across every node of a deployment. Never
/// stored; a node that dies takes its users' sockets with it.
#[async_trait]
pub trait Presence: Send + Sync + 'static {
    /// A socket of `user` opened on this node; `true` if the user just came online.
    async fn opened(&self, user: UserId) -> anyhow::Result<bool>;
    /// A socket of `user` closed on this node; `true` if that was the user's last one.
    async fn closed(&self, user: UserId) -> anyhow::Result<bool>;
    /// Those of `users` who are online.
    async fn online(&self, users: &[UserId]) -> anyhow::Result<Vec<UserId>>;
    /// Called every `PRESENCE_BEAT` by one task per node: tells the other nodes this
    /// one is alive (with every user it holds), and answers the users who went
    /// offline because the node that held their sockets stopped beating (it died).
    /// Presence within one process never has any.
    async fn beat(&self) -> anyhow::Result<Vec<UserId>> {
        Ok(Vec::new())
    }
}

/// How often a node tells the others it is alive.
pub const PRESENCE_BEAT: Duration = Duration::from_secs(5);
/// A node silent for this long is dead, and its users go offline: within
/// `PRESENCE_EXPIRY + PRESENCE_BEAT` (20 s) of its last beat.
pub const PRESENCE_EXPIRY: Duration = Duration::from_secs(15);

/// The current time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The media storage cannot be reached now (S3 down, slow or refusing us): nothing was
/// stored or read, and the same request may be tried again. A `Media` backend puts it
/// inside its `anyhow::Error` so the use-case answers 503, not 500.
#[derive(Debug, thiserror::Error)]
#[error("the media storage cannot be reached: {0}")]
pub struct MediaUnavailable(pub String);

/// Blob storage for uploaded media, under keys the server chose.
#[async_trait]
pub trait Media: Send + Sync + 'static {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()>;
    /// `None` when there is no such object.
    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>>;
    async fn delete(&self, key: &str) -> anyhow::Result<()>;
}
