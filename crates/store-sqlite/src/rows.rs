//! Rows as SQLite returns them, and their conversion to domain entities. Private to
//! this backend.

use anyhow::{Context, anyhow};
use natter_domain::chat::{
    Chat, ChatRole, FeedEvent, FeedKind, ImageRef, Message, MessageKind, REPLY_PREVIEW_CHARS, ReplyPreview,
};
use natter_domain::entities::{Invite, LeaseId, LeasedJob, NewJob, Session, User};
use natter_domain::ids::{SessionId, UserId};
use natter_domain::{DisplayName, Email, StoreError, Timestamp};

use crate::writer;

pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        // Every reader is busy for longer than a request should wait.
        sqlx::Error::PoolTimedOut => StoreError::Busy,
        sqlx::Error::Database(db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
            StoreError::Conflict { constraint: db.constraint().unwrap_or(db.message()).to_owned() }
        }
        other => StoreError::Other(anyhow::Error::new(other)),
    }
}

pub(crate) fn parse_id<T: std::str::FromStr<Err = uuid::Error>>(s: &str) -> Result<T, StoreError> {
    s.parse().with_context(|| format!("corrupt id {s:?} in the database")).map_err(StoreError::Other)
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: String,
    email: String,
    name: String,
    created_at: i64,
    updated_at: i64,
    is_admin: bool,
    last_seen_at: Option<i64>,
}

impl UserRow {
    pub(crate) const COLUMNS: &str = "id, email, name, created_at, updated_at, is_admin, last_seen_at";

    /// A row selected with `COLUMNS`, on the writer.
    pub(crate) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            email: r.get(1)?,
            name: r.get(2)?,
            created_at: r.get(3)?,
            updated_at: r.get(4)?,
            is_admin: r.get(5)?,
            last_seen_at: r.get(6)?,
        })
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: parse_id(&r.id)?,
            email: Email::parse(&r.email).map_err(|e| StoreError::Other(anyhow!(e)))?,
            name: DisplayName::parse(&r.name).map_err(|e| StoreError::Other(anyhow!(e)))?,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            is_admin: r.is_admin,
            last_seen_at: r.last_seen_at.map(Timestamp::from_millis),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct InviteRow {
    email: String,
    invited_by: String,
    created_at: i64,
    used_at: Option<i64>,
}

impl InviteRow {
    pub(crate) const COLUMNS: &str = "email, invited_by, created_at, used_at";

    /// A row selected with `COLUMNS`, on the writer.
    pub(crate) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self { email: r.get(0)?, invited_by: r.get(1)?, created_at: r.get(2)?, used_at: r.get(3)? })
    }
}

impl TryFrom<InviteRow> for Invite {
    type Error = StoreError;
    fn try_from(r: InviteRow) -> Result<Self, StoreError> {
        Ok(Invite {
            email: Email::parse(&r.email).map_err(|e| StoreError::Other(anyhow!(e)))?,
            invited_by: parse_id(&r.invited_by)?,
            created_at: Timestamp::from_millis(r.created_at),
            used_at: r.used_at.map(Timestamp::from_millis),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: String,
    user_id: String,
    created_at: i64,
    expires_at: i64,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<Self, StoreError> {
        Ok(Session {
            id: parse_id::<SessionId>(&r.id)?,
            user_id: parse_id::<UserId>(&r.user_id)?,
            created_at: Timestamp::from_millis(r.created_at),
            expires_at: Timestamp::from_millis(r.expires_at),
        })
    }
}

/// A job as `claim_job` returns it: `id, kind, payload, attempts, lease_id`.
pub(crate) struct JobRow {
    id: String,
    kind: String,
    payload: Vec<u8>,
    attempts: i64,
    lease_id: String,
}

impl JobRow {
    pub(crate) fn insert(
        job: &NewJob,
        now: Timestamp,
        conn: &rusqlite::Connection,
    ) -> Result<(), StoreError> {
        conn.prepare_cached(
            "insert into jobs (id, kind, payload, attempts, run_at, created_at)
             values (?1, ?2, ?3, 0, ?4, ?4)",
        )
        .and_then(|mut s| {
            s.execute(rusqlite::params![job.id.to_string(), job.kind, job.sealed, now.as_millis()])
        })
        .map_err(writer::map_err)?;
        Ok(())
    }

    pub(crate) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            kind: r.get(1)?,
            payload: r.get(2)?,
            attempts: r.get(3)?,
            lease_id: r.get(4)?,
        })
    }
}

impl TryFrom<JobRow> for LeasedJob {
    type Error = StoreError;
    fn try_from(r: JobRow) -> Result<Self, StoreError> {
        Ok(LeasedJob {
            id: parse_id(&r.id)?,
            kind: r.kind,
            sealed: r.payload,
            attempts: u32::try_from(r.attempts).unwrap_or(0),
            lease: LeaseId(parse_id(&r.lease_id)?),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ChatRow {
    id: String,
    is_group: bool,
    name: Option<String>,
    last_seq: i64,
    created_at: i64,
    updated_at: i64,
}

impl ChatRow {
    /// A chat's members for `into_chat`, as one column, given the chat's id as `chat`.
    pub(crate) fn members_of(chat: &str) -> String {
        format!(
            "(select group_concat(cm.user_id || ':' || cm.role) from
               (select user_id, role from chat_members where chat_id = {chat} order by joined_at, rowid) cm)"
        )
    }

    /// A row of `id, is_group, name, last_seq, created_at, updated_at`.
    pub(crate) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            is_group: r.get(1)?,
            name: r.get(2)?,
            last_seq: r.get(3)?,
            created_at: r.get(4)?,
            updated_at: r.get(5)?,
        })
    }

    /// `members`: comma-separated `<user id>:<role>` (`MEMBERS` selects them), in the
    /// order they joined.
    pub(crate) fn into_chat(self, members: &str) -> Result<Chat, StoreError> {
        let (mut ids, mut owner, mut admins) = (Vec::new(), None, Vec::new());
        for entry in members.split(',').filter(|s| !s.is_empty()) {
            let (id, role) = entry.split_once(':').unwrap_or((entry, "member"));
            let id: UserId = parse_id(id)?;
            match ChatRole::parse(role) {
                Some(ChatRole::Owner) => owner = Some(id),
                Some(ChatRole::Admin) => admins.push(id),
                _ => {}
            }
            ids.push(id);
        }
        Ok(Chat {
            id: parse_id(&self.id)?,
            is_group: self.is_group,
            name: self.name,
            members: ids,
            owner,
            admins,
            last_seq: self.last_seq,
            created_at: Timestamp::from_millis(self.created_at),
            updated_at: Timestamp::from_millis(self.updated_at),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    pub(crate) id: String,
    pub(crate) chat_id: String,
    pub(crate) seq: i64,
    pub(crate) sender_id: String,
    pub(crate) client_id: String,
    pub(crate) kind: String,
    pub(crate) text: String,
    pub(crate) image_key: Option<String>,
    pub(crate) thumb_key: Option<String>,
    pub(crate) image_width: Option<i64>,
    pub(crate) image_height: Option<i64>,
    pub(crate) reply_to: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) edited_at: Option<i64>,
    pub(crate) deleted_at: Option<i64>,
    pub(crate) mentions: Option<String>,
}

impl MessageRow {
    pub(crate) const COLUMNS: &str = "id, chat_id, seq, sender_id, client_id, kind, text, image_key, \
                                      thumb_key, image_width, image_height, reply_to, created_at, updated_at, \
                                      edited_at, deleted_at, mentions";

    /// A row selected with `COLUMNS`, on the writer.
    pub(crate) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            chat_id: r.get(1)?,
            seq: r.get(2)?,
            sender_id: r.get(3)?,
            client_id: r.get(4)?,
            kind: r.get(5)?,
            text: r.get(6)?,
            image_key: r.get(7)?,
            thumb_key: r.get(8)?,
            image_width: r.get(9)?,
            image_height: r.get(10)?,
            reply_to: r.get(11)?,
            created_at: r.get(12)?,
            updated_at: r.get(13)?,
            edited_at: r.get(14)?,
            deleted_at: r.get(15)?,
            mentions: r.get(16)?,
        })
    }
}

/// A `mentions` column: a JSON array of user ids, or null for none.
pub(crate) fn mentions_from_json(raw: Option<&str>) -> Result<Vec<UserId>, StoreError> {
    let Some(raw) = raw else { return Ok(Vec::new()) };
    let ids: Vec<String> =
        serde_json::from_str(raw).map_err(|e| StoreError::Other(anyhow!("corrupt mentions {raw:?}: {e}")))?;
    ids.iter().map(|id| parse_id(id)).collect()
}

/// What the `mentions` column holds for `ids`.
pub(crate) fn mentions_to_json(ids: &[UserId]) -> Option<String> {
    (!ids.is_empty()).then(|| {
        serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap_or_default()
    })
}

fn message_kind(kind: &str) -> Result<MessageKind, StoreError> {
    MessageKind::parse(kind).ok_or_else(|| StoreError::Other(anyhow!("unknown message kind {kind:?}")))
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(r: MessageRow) -> Result<Self, StoreError> {
        let kind = message_kind(&r.kind)?;
        let image = match (r.image_key, r.thumb_key) {
            (Some(key), Some(thumb_key)) => Some(ImageRef {
                key,
                thumb_key,
                width: u32::try_from(r.image_width.unwrap_or(0)).unwrap_or(0),
                height: u32::try_from(r.image_height.unwrap_or(0)).unwrap_or(0),
            }),
            _ => None,
        };
        Ok(Message {
            id: parse_id(&r.id)?,
            chat_id: parse_id(&r.chat_id)?,
            seq: r.seq,
            sender: parse_id(&r.sender_id)?,
            client_id: r.client_id,
            kind,
            text: r.text,
            image,
            reply_to: r.reply_to.as_deref().map(parse_id).transpose()?,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            edited_at: r.edited_at.map(Timestamp::from_millis),
            deleted_at: r.deleted_at.map(Timestamp::from_millis),
            reactions: Vec::new(),
            mentions: mentions_from_json(r.mentions.as_deref())?,
            reply_preview: None,
        })
    }
}

const _: () = assert!(REPLY_PREVIEW_CHARS + 1 == 141, "PreviewRow::COLUMNS reads 141 characters");

/// What a reply shows of its parent: a few columns and only the start of the text.
#[derive(sqlx::FromRow)]
pub(crate) struct PreviewRow {
    id: String,
    seq: i64,
    sender_id: String,
    kind: String,
    head: String,
    deleted_at: Option<i64>,
}

impl PreviewRow {
    /// `head`: one character past the preview's length, which tells whether it was cut.
    pub(crate) const COLUMNS: &str =
        "id, seq, sender_id, kind, substr(ltrim(text, ' ' || char(9, 10, 13)), 1, 141) as head, deleted_at";

    pub(crate) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            seq: r.get(1)?,
            sender_id: r.get(2)?,
            kind: r.get(3)?,
            head: r.get(4)?,
            deleted_at: r.get(5)?,
        })
    }

    pub(crate) fn preview(self) -> Result<ReplyPreview, StoreError> {
        Ok(ReplyPreview::new(
            parse_id(&self.id)?,
            self.seq,
            parse_id(&self.sender_id)?,
            message_kind(&self.kind)?,
            &self.head,
            self.deleted_at.is_some(),
        ))
    }
}

/// A message's columns from a left join (`m`), each `m_<column>`, all nullable.
#[derive(sqlx::FromRow)]
pub(crate) struct JoinedMessageRow {
    m_id: Option<String>,
    m_chat_id: Option<String>,
    m_seq: Option<i64>,
    m_sender_id: Option<String>,
    m_client_id: Option<String>,
    m_kind: Option<String>,
    m_text: Option<String>,
    m_image_key: Option<String>,
    m_thumb_key: Option<String>,
    m_image_width: Option<i64>,
    m_image_height: Option<i64>,
    m_reply_to: Option<String>,
    m_created_at: Option<i64>,
    m_updated_at: Option<i64>,
    m_edited_at: Option<i64>,
    m_deleted_at: Option<i64>,
    m_mentions: Option<String>,
}

impl JoinedMessageRow {
    /// The select list: `m.id as m_id, ...`.
    pub(crate) fn columns() -> String {
        MessageRow::COLUMNS.split(", ").map(|c| format!("m.{c} as m_{c}")).collect::<Vec<_>>().join(", ")
    }

    /// The message, when the join found one.
    pub(crate) fn message(self) -> Result<Option<Message>, StoreError> {
        let (Some(id), Some(chat_id), Some(seq), Some(sender_id), Some(client_id), Some(kind)) =
            (self.m_id, self.m_chat_id, self.m_seq, self.m_sender_id, self.m_client_id, self.m_kind)
        else {
            return Ok(None);
        };
        Message::try_from(MessageRow {
            id,
            chat_id,
            seq,
            sender_id,
            client_id,
            kind,
            text: self.m_text.unwrap_or_default(),
            image_key: self.m_image_key,
            thumb_key: self.m_thumb_key,
            image_width: self.m_image_width,
            image_height: self.m_image_height,
            reply_to: self.m_reply_to,
            created_at: self.m_created_at.unwrap_or_default(),
            updated_at: self.m_updated_at.unwrap_or_default(),
            edited_at: self.m_edited_at,
            deleted_at: self.m_deleted_at,
            mentions: self.m_mentions,
        })
        .map(Some)
    }
}

/// A feed row joined with its message, if it has one (`columns()`, from `chat_events e
/// left join messages m`).
#[derive(sqlx::FromRow)]
pub(crate) struct FeedRow {
    chat_id: String,
    seq: i64,
    event_kind: String,
    actor_id: String,
    at: i64,
    #[sqlx(flatten)]
    message: JoinedMessageRow,
}

impl FeedRow {
    pub(crate) fn columns() -> String {
        format!("e.chat_id, e.seq, e.kind as event_kind, e.actor_id, e.at, {}", JoinedMessageRow::columns())
    }
}

impl TryFrom<FeedRow> for FeedEvent {
    type Error = StoreError;
    fn try_from(r: FeedRow) -> Result<Self, StoreError> {
        let kind = FeedKind::parse(&r.event_kind)
            .ok_or_else(|| StoreError::Other(anyhow!("unknown feed kind {:?}", r.event_kind)))?;
        Ok(FeedEvent {
            chat_id: parse_id(&r.chat_id)?,
            seq: r.seq,
            kind,
            actor: parse_id(&r.actor_id)?,
            at: Timestamp::from_millis(r.at),
            message: r.message.message()?,
            chat: None,
        })
    }
}
