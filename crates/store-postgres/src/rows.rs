//! Rows as PostgreSQL returns them, and their conversion to domain entities. Private
//! to this backend.

use anyhow::anyhow;
use natter_domain::chat::{
    Chat, ChatRole, FeedEvent, FeedKind, ImageRef, Message, MessageKind, REPLY_PREVIEW_CHARS, ReplyPreview,
};
use natter_domain::entities::{Invite, LeaseId, LeasedJob, Session, User};
use natter_domain::ids::UserId;
use natter_domain::{DisplayName, Email, StoreError, Timestamp};
use uuid::Uuid;

/// PostgreSQL's SQLSTATEs for "this transaction lost a race and was rolled back":
/// serialization_failure and deadlock_detected. Trying again shortly succeeds.
const RETRYABLE: [&str; 2] = ["40001", "40P01"];

pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        // Every connection is busy for longer than a request should wait.
        sqlx::Error::PoolTimedOut => StoreError::Busy,
        sqlx::Error::Database(db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
            StoreError::Conflict { constraint: db.constraint().unwrap_or(db.message()).to_owned() }
        }
        sqlx::Error::Database(db) if db.code().is_some_and(|c| RETRYABLE.contains(&c.as_ref())) => {
            StoreError::Busy
        }
        other => StoreError::Other(anyhow::Error::new(other)),
    }
}

/// Whether `e` is a violation of the named unique constraint.
pub(crate) fn violates(e: &sqlx::Error, constraint: &str) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation() && db.constraint() == Some(constraint))
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(anyhow!("corrupt {what} in the database: {e}"))
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    created_at: i64,
    updated_at: i64,
    is_admin: bool,
    last_seen_at: Option<i64>,
}

impl UserRow {
    pub(crate) const COLUMNS: &str = "id, email, name, created_at, updated_at, is_admin, last_seen_at";
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: r.id.into(),
            email: Email::parse(&r.email).map_err(|e| corrupt("email", e))?,
            name: DisplayName::parse(&r.name).map_err(|e| corrupt("name", e))?,
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
    invited_by: Uuid,
    created_at: i64,
    used_at: Option<i64>,
}

impl InviteRow {
    pub(crate) const COLUMNS: &str = "email, invited_by, created_at, used_at";
}

impl TryFrom<InviteRow> for Invite {
    type Error = StoreError;
    fn try_from(r: InviteRow) -> Result<Self, StoreError> {
        Ok(Invite {
            email: Email::parse(&r.email).map_err(|e| corrupt("email", e))?,
            invited_by: r.invited_by.into(),
            created_at: Timestamp::from_millis(r.created_at),
            used_at: r.used_at.map(Timestamp::from_millis),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: Uuid,
    user_id: Uuid,
    created_at: i64,
    expires_at: i64,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Self {
        Session {
            id: r.id.into(),
            user_id: r.user_id.into(),
            created_at: Timestamp::from_millis(r.created_at),
            expires_at: Timestamp::from_millis(r.expires_at),
        }
    }
}

/// A job as `claim_job` returns it: `id, kind, payload, attempts, lease_id`.
#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    id: Uuid,
    kind: String,
    payload: Vec<u8>,
    attempts: i64,
    lease_id: Uuid,
}

impl From<JobRow> for LeasedJob {
    fn from(r: JobRow) -> Self {
        LeasedJob {
            id: r.id.into(),
            kind: r.kind,
            sealed: r.payload,
            attempts: u32::try_from(r.attempts).unwrap_or(0),
            lease: LeaseId(r.lease_id),
        }
    }
}

/// A chat with its members (`COLUMNS`, from `chats c`).
#[derive(sqlx::FromRow)]
pub(crate) struct ChatRow {
    id: Uuid,
    is_group: bool,
    name: Option<String>,
    last_seq: i64,
    created_at: i64,
    updated_at: i64,
    member_ids: Vec<Uuid>,
    member_roles: Vec<String>,
}

impl ChatRow {
    // Members in the order they joined (the order ownership is handed on in).
    pub(crate) const COLUMNS: &str = "c.id, c.is_group, c.name, c.last_seq, c.created_at, c.updated_at, \
                                      array(select cm.user_id from chat_members cm where cm.chat_id = c.id \
                                            order by cm.joined_at, cm.seat) as member_ids, \
                                      array(select cm.role from chat_members cm where cm.chat_id = c.id \
                                            order by cm.joined_at, cm.seat) as member_roles";
}

impl From<ChatRow> for Chat {
    fn from(r: ChatRow) -> Self {
        let (mut owner, mut admins) = (None, Vec::new());
        for (id, role) in r.member_ids.iter().zip(&r.member_roles) {
            match ChatRole::parse(role) {
                Some(ChatRole::Owner) => owner = Some(UserId::from(*id)),
                Some(ChatRole::Admin) => admins.push(UserId::from(*id)),
                _ => {}
            }
        }
        Chat {
            id: r.id.into(),
            is_group: r.is_group,
            name: r.name,
            members: r.member_ids.into_iter().map(Into::into).collect(),
            owner,
            admins,
            last_seq: r.last_seq,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    pub(crate) id: Uuid,
    pub(crate) chat_id: Uuid,
    pub(crate) seq: i64,
    pub(crate) sender_id: Uuid,
    pub(crate) client_id: String,
    pub(crate) kind: String,
    pub(crate) text: String,
    pub(crate) image_key: Option<String>,
    pub(crate) thumb_key: Option<String>,
    pub(crate) image_width: Option<i64>,
    pub(crate) image_height: Option<i64>,
    pub(crate) reply_to: Option<Uuid>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) edited_at: Option<i64>,
    pub(crate) deleted_at: Option<i64>,
    /// JSON text of the `mentions` column.
    pub(crate) mentions: Option<String>,
}

impl MessageRow {
    pub(crate) const COLUMNS: &str = "id, chat_id, seq, sender_id, client_id, kind, text, image_key, \
                                      thumb_key, image_width, image_height, reply_to, created_at, updated_at, \
                                      edited_at, deleted_at, mentions::text as mentions";
}

/// A `mentions` column (its JSON text): the ids it holds, none for null.
pub(crate) fn mentions_from_json(raw: Option<&str>) -> Result<Vec<UserId>, StoreError> {
    let Some(raw) = raw else { return Ok(Vec::new()) };
    let ids: Vec<Uuid> =
        serde_json::from_str(raw).map_err(|e| StoreError::Other(anyhow!("corrupt mentions {raw:?}: {e}")))?;
    Ok(ids.into_iter().map(UserId::from).collect())
}

/// What the `mentions` column holds for `ids` (bound as text, cast to jsonb).
pub(crate) fn mentions_to_json(ids: &[UserId]) -> Option<String> {
    (!ids.is_empty()).then(|| {
        serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap_or_default()
    })
}

fn message_kind(kind: &str) -> Result<MessageKind, StoreError> {
    MessageKind::parse(kind).ok_or_else(|| StoreError::Other(anyhow!("unknown message kind {kind:?}")))
}

const _: () = assert!(REPLY_PREVIEW_CHARS + 1 == 141, "PreviewRow::COLUMNS reads 141 characters");

/// What a reply shows of its parent: a few columns and only the start of the text.
#[derive(sqlx::FromRow)]
pub(crate) struct PreviewRow {
    id: Uuid,
    seq: i64,
    sender_id: Uuid,
    kind: String,
    head: String,
    deleted_at: Option<i64>,
}

impl PreviewRow {
    /// `head`: one character past the preview's length, which tells whether it was cut.
    pub(crate) const COLUMNS: &str =
        "id, seq, sender_id, kind, left(ltrim(text, E' \\t\\n\\r'), 141) as head, deleted_at";

    pub(crate) fn preview(self) -> Result<ReplyPreview, StoreError> {
        Ok(ReplyPreview::new(
            self.id.into(),
            self.seq,
            self.sender_id.into(),
            message_kind(&self.kind)?,
            &self.head,
            self.deleted_at.is_some(),
        ))
    }
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
            id: r.id.into(),
            chat_id: r.chat_id.into(),
            seq: r.seq,
            sender: r.sender_id.into(),
            client_id: r.client_id,
            kind,
            text: r.text,
            image,
            reply_to: r.reply_to.map(Into::into),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            edited_at: r.edited_at.map(Timestamp::from_millis),
            deleted_at: r.deleted_at.map(Timestamp::from_millis),
            mentions: mentions_from_json(r.mentions.as_deref())?,
            reactions: Vec::new(),
            reply_preview: None,
        })
    }
}

/// A message's columns from a left join: all nullable, prefixed `m_` (`COLUMNS`).
#[derive(sqlx::FromRow)]
pub(crate) struct JoinedMessageRow {
    m_id: Option<Uuid>,
    m_chat_id: Option<Uuid>,
    m_seq: Option<i64>,
    m_sender_id: Option<Uuid>,
    m_client_id: Option<String>,
    m_kind: Option<String>,
    m_text: Option<String>,
    m_image_key: Option<String>,
    m_thumb_key: Option<String>,
    m_image_width: Option<i64>,
    m_image_height: Option<i64>,
    m_reply_to: Option<Uuid>,
    m_created_at: Option<i64>,
    m_updated_at: Option<i64>,
    m_edited_at: Option<i64>,
    m_deleted_at: Option<i64>,
    m_mentions: Option<String>,
}

impl JoinedMessageRow {
    pub(crate) const COLUMNS: &str = "m.id as m_id, m.chat_id as m_chat_id, m.seq as m_seq, \
                                      m.sender_id as m_sender_id, m.client_id as m_client_id, \
                                      m.kind as m_kind, m.text as m_text, m.image_key as m_image_key, \
                                      m.thumb_key as m_thumb_key, m.image_width as m_image_width, \
                                      m.image_height as m_image_height, m.reply_to as m_reply_to, \
                                      m.created_at as m_created_at, m.updated_at as m_updated_at, \
                                      m.edited_at as m_edited_at, m.deleted_at as m_deleted_at, \
                                      m.mentions::text as m_mentions";

    /// The message, if the join found one.
    pub(crate) fn into_message(self) -> Result<Option<Message>, StoreError> {
        let row = match (
            self.m_id,
            self.m_chat_id,
            self.m_seq,
            self.m_sender_id,
            self.m_client_id,
            self.m_kind,
            self.m_text,
            self.m_created_at,
            self.m_updated_at,
        ) {
            (
                Some(id),
                Some(chat_id),
                Some(seq),
                Some(sender_id),
                Some(client_id),
                Some(kind),
                Some(text),
                Some(created_at),
                Some(updated_at),
            ) => MessageRow {
                id,
                chat_id,
                seq,
                sender_id,
                client_id,
                kind,
                text,
                image_key: self.m_image_key,
                thumb_key: self.m_thumb_key,
                image_width: self.m_image_width,
                image_height: self.m_image_height,
                reply_to: self.m_reply_to,
                created_at,
                updated_at,
                edited_at: self.m_edited_at,
                deleted_at: self.m_deleted_at,
                mentions: self.m_mentions,
            },
            _ => return Ok(None),
        };
        Message::try_from(row).map(Some)
    }
}

/// A feed row with its message, if it has one (`COLUMNS`, from `chat_events e left
/// join messages m`).
#[derive(sqlx::FromRow)]
pub(crate) struct FeedRow {
    chat_id: Uuid,
    seq: i64,
    kind: String,
    actor_id: Uuid,
    at: i64,
    #[sqlx(flatten)]
    message: JoinedMessageRow,
}

impl FeedRow {
    pub(crate) fn columns() -> String {
        format!("e.chat_id, e.seq, e.kind, e.actor_id, e.at, {}", JoinedMessageRow::COLUMNS)
    }
}

impl TryFrom<FeedRow> for FeedEvent {
    type Error = StoreError;
    fn try_from(r: FeedRow) -> Result<Self, StoreError> {
        let kind = FeedKind::parse(&r.kind)
            .ok_or_else(|| StoreError::Other(anyhow!("unknown feed kind {:?}", r.kind)))?;
        Ok(FeedEvent {
            chat_id: r.chat_id.into(),
            seq: r.seq,
            kind,
            actor: r.actor_id.into(),
            at: Timestamp::from_millis(r.at),
            message: r.message.into_message()?,
            chat: None,
        })
    }
}
