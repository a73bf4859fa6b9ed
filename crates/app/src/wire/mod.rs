//! Wire shapes (camelCase, Mongo-style `_id`), built from domain entities. The HTTP
//! routes and the socket events send these, and the web client's TypeScript types
//! are generated from them (`web/src/lib/wire.gen.ts`, see the test at the bottom).

use natter_domain::Timestamp;
use natter_domain::chat::{
    Chat, ChatSummary, FeedEvent, FeedKind, Message, ReadMarker, ReplyPreview, SystemNote,
};
use natter_domain::entities::Invite;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::AppError;

use crate::media_links::MediaLinks;
use crate::messages::seen_at;
use crate::users::Profile;

pub mod socket;

#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "User")]
#[schema(as = User)]
pub struct UserDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    /// The address, or `""` where the viewer may not see it (see `users::Profile`).
    /// An empty string rather than a missing field: the seed's client treats `email`
    /// as a string (it renders it, lower-cases it to filter), and a missing field
    /// would be `undefined` there; `""` keeps it working and the type stays true.
    pub email: String,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// When a contact was last online: null while they are online, where either of
    /// you hides it (`showLastSeen`), across a block, and for people you share no chat
    /// with.
    #[ts(type = "string | null")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_seen: Option<Timestamp>,
}

impl From<Profile> for UserDto {
    fn from(p: Profile) -> Self {
        let email_visible = p.email_visible();
        let last_seen = p.last_seen();
        let u = p.into_user();
        Self {
            id: u.id.to_string(),
            name: u.name.into_string(),
            email: if email_visible { u.email.to_string() } else { String::new() },
            created_at: u.created_at,
            updated_at: u.updated_at,
            last_seen,
        }
    }
}

/// `GET` and `PATCH /me/settings`: your own settings.
#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Settings")]
#[schema(as = Settings)]
pub struct SettingsDto {
    /// Whether your contacts see when you were last online. `false` also hides
    /// theirs from you.
    pub show_last_seen: bool,
    /// A soft sound when a message arrives in a chat you are not viewing.
    pub sound: bool,
    /// The browser's notifications while natter's tab is hidden (the browser asks for
    /// its permission separately).
    pub desktop: bool,
    /// A mail about messages still unread after this many minutes (5, 15 or 60);
    /// `null`: no such mail.
    pub unread_mail_after_minutes: Option<u16>,
}

impl From<natter_domain::entities::Settings> for SettingsDto {
    fn from(s: natter_domain::entities::Settings) -> Self {
        Self {
            show_last_seen: s.show_last_seen,
            sound: s.sound,
            desktop: s.desktop,
            unread_mail_after_minutes: s.unread_mail.minutes(),
        }
    }
}

/// `PATCH /me/settings`: the settings to change; those left out stay as they are.
#[derive(Deserialize, TS, ToSchema, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[ts(rename = "SettingsPatch")]
#[schema(as = SettingsPatch)]
pub struct SettingsPatchRequest {
    #[ts(optional)]
    pub show_last_seen: Option<bool>,
    #[ts(optional)]
    pub sound: Option<bool>,
    #[ts(optional)]
    pub desktop: Option<bool>,
    /// 5, 15 or 60 minutes, or `null` for no such mail; left out: unchanged.
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    #[schema(value_type = Option<u16>)]
    pub unread_mail_after_minutes: Field<u16>,
}

/// A field of a patch that can be left out (unchanged) or be `null` (cleared).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Field<T> {
    #[default]
    Missing,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Field::Null,
            Some(v) => Field::Value(v),
        })
    }
}

impl SettingsPatchRequest {
    /// The change it asks for, or what is wrong with it.
    pub fn into_patch(self) -> Result<natter_domain::entities::SettingsPatch, &'static str> {
        use natter_domain::notify::{UNREAD_MAIL_CHOICES, UnreadMail};
        let unread_mail = match self.unread_mail_after_minutes {
            Field::Missing => None,
            Field::Null => Some(UnreadMail::Off),
            Field::Value(m) if UNREAD_MAIL_CHOICES.contains(&m) => Some(UnreadMail::After(m)),
            Field::Value(_) => return Err("unreadMailAfterMinutes must be 5, 15, 60 or null."),
        };
        Ok(natter_domain::entities::SettingsPatch {
            show_last_seen: self.show_last_seen,
            sound: self.sound,
            desktop: self.desktop,
            unread_mail,
        })
    }
}

/// Someone you blocked.
#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "BlockedUser")]
#[schema(as = BlockedUser)]
pub struct BlockedUserDto {
    pub user: UserDto,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub blocked_at: Timestamp,
}

impl From<crate::blocks::Blocked> for BlockedUserDto {
    fn from(b: crate::blocks::Blocked) -> Self {
        Self { user: b.user.into(), blocked_at: b.since }
    }
}

/// `GET /me/blocks`: whom you blocked, the latest first.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "BlocksAnswer")]
#[schema(as = BlocksAnswer)]
pub struct BlocksAnswer {
    pub blocks: Vec<BlockedUserDto>,
}

/// Socket `blocksChanged`, to the blocker's own sockets: `userId` is now blocked or
/// no longer.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "BlocksChanged")]
pub struct BlocksChangedDto {
    pub user_id: String,
    pub blocked: bool,
}

/// Socket `chatMuted`, to your own sockets (all your tabs): you muted or unmuted a chat.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ChatMuted")]
pub struct ChatMutedDto {
    pub chat_id: String,
    pub muted: bool,
}

/// `GET /push/key`: the key browsers subscribe with (`applicationServerKey`).
#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PushKey")]
#[schema(as = PushKey)]
pub struct PushKeyDto {
    /// The VAPID public key: an uncompressed P-256 point, base64url.
    pub public_key: String,
}

/// `POST /push/subscriptions`: a browser's `PushSubscription.toJSON()`.
#[derive(Deserialize, TS, ToSchema, Debug)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "PushSubscriptionRequest")]
#[schema(as = PushSubscriptionRequest)]
pub struct PushSubscriptionRequest {
    pub endpoint: String,
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    pub expiration_time: Option<serde_json::Value>,
    pub keys: PushKeysDto,
}

#[derive(Deserialize, TS, ToSchema, Debug)]
#[ts(rename = "PushKeys")]
#[schema(as = PushKeys)]
pub struct PushKeysDto {
    pub p256dh: String,
    pub auth: String,
}

/// `DELETE /push/subscriptions`.
#[derive(Deserialize, TS, ToSchema, Debug)]
#[serde(deny_unknown_fields)]
#[ts(rename = "PushUnsubscribeRequest")]
#[schema(as = PushUnsubscribeRequest)]
pub struct PushUnsubscribeRequest {
    pub endpoint: String,
}

/// `POST /push/subscriptions` answers the endpoint it keeps.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "PushSubscriptionResponse")]
#[schema(as = PushSubscriptionResponse)]
pub struct PushSubscriptionAnswer {
    pub endpoint: String,
}

/// Every 4xx/5xx body, over HTTP and in socket acks (`{ error }`).
#[derive(Serialize, TS, ToSchema, Debug, PartialEq, Eq)]
#[ts(rename = "ApiErrorBody")]
#[schema(as = ApiErrorBody)]
pub struct ErrorDto {
    pub message: String,
    pub code: String,
    /// Which input was wrong and why: validation errors only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fields: Option<BTreeMap<String, String>>,
}

impl ErrorDto {
    pub fn new(code: &str, message: &str) -> Self {
        Self { message: message.to_owned(), code: code.to_owned(), fields: None }
    }

    /// What a client may see of `e`; `None` for an unexpected error, whose cause is
    /// never shown (the caller logs it and answers `internal`).
    pub fn of(e: &AppError) -> Option<Self> {
        let code = match e {
            AppError::Validation(v) => {
                let fields = v.fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
                return Some(Self {
                    message: v.message.clone(),
                    code: v.code.to_owned(),
                    fields: Some(fields),
                });
            }
            AppError::BadRequest { code, .. }
            | AppError::Forbidden { code, .. }
            | AppError::NotFound { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Unprocessable { code, .. }
            | AppError::RateLimited { code, .. } => code,
            AppError::PayloadTooLarge { .. } => "too_large",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Overloaded => "overloaded",
            AppError::Unavailable { .. } => "unavailable",
            AppError::Unexpected(_) => return None,
        };
        let message = match e {
            AppError::Unauthenticated => "You need to log in.".to_owned(),
            other => other.to_string(),
        };
        Some(Self { message, code: code.to_owned(), fields: None })
    }
}

/// `POST /message` (JSON) and the socket's `sendMessage`: the one shape of a send.
#[derive(Deserialize, TS, ToSchema, Debug)]
#[serde(rename_all = "camelCase")]
pub struct SendMessageRequest {
    pub chat_id: String,
    /// Required in a JSON send (only a multipart send can carry an image instead):
    /// something that is not only spaces, at most 4000 characters.
    #[ts(optional)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 4000, pattern = r"\S")]
    pub text: Option<String>,
    /// Makes the send idempotent: a retry with the same id returns the original.
    /// Without one the server makes one, so the send is never a duplicate.
    #[ts(optional)]
    #[schema(value_type = Option<String>, pattern = r"^[A-Za-z0-9_-]{1,64}$")]
    pub client_id: Option<String>,
    /// A message of the same chat this one answers.
    #[ts(optional)]
    pub reply_to: Option<String>,
    /// In a group, the members this message mentions (`@name`): at most 50; those no
    /// longer in it are dropped.
    #[ts(optional, as = "Option<Vec<String>>")]
    #[serde(default)]
    #[schema(max_items = 50)]
    pub mentions: Vec<String>,
}

impl From<SendMessageRequest> for crate::messages::SendInput {
    fn from(r: SendMessageRequest) -> Self {
        Self {
            chat_id: r.chat_id,
            text: r.text,
            client_id: r.client_id,
            reply_to: r.reply_to,
            mentions: r.mentions,
            image: None,
        }
    }
}

/// Answers that carry only a sentence.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "MessageOnlyResponse")]
#[schema(as = MessageOnlyResponse)]
pub struct MessageOnly {
    pub message: &'static str,
}

/// `verify` and `update/user`.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "VerifyResponse")]
#[schema(as = VerifyResponse)]
pub struct UserWithToken {
    pub message: &'static str,
    pub user: UserDto,
    pub token: String,
}

#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "MessageImage")]
#[schema(as = MessageImage)]
pub struct ImageDto {
    pub url: String,
    pub public_id: String,
    pub width: u32,
    pub height: u32,
    pub thumb_url: String,
}

#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Message")]
#[schema(as = Message)]
pub struct MessageDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub chat_id: String,
    pub sender: String,
    pub text: String,
    #[ts(type = "\"text\" | \"image\" | \"file\" | \"system\"")]
    #[schema(schema_with = message_type_schema)]
    pub message_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub image: Option<ImageDto>,
    pub seen: bool,
    #[ts(type = "string | null")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub seen_at: Option<Timestamp>,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub seq: i64,
    pub client_id: String,
    pub reply_to: Option<String>,
    /// When its sender last changed its text.
    #[ts(type = "string | null")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub edited_at: Option<Timestamp>,
    /// When it was deleted for everyone: then `text` is empty and `image` absent.
    #[ts(type = "string | null")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deleted_at: Option<Timestamp>,
    /// Each emoji on it with who reacted, in the order the emoji were first used.
    pub reactions: Vec<ReactionDto>,
    /// The members other than its sender who have seen it (for a group's "seen by").
    pub seen_by: Vec<String>,
    /// The members it mentions (`@name`, in a group).
    pub mentions: Vec<String>,
    /// For `messageType: "system"`: what happened to the group (then `text` is empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub system: Option<SystemNoteDto>,
    /// The message `replyTo` names, as it is now; absent when this is no reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reply_preview: Option<ReplyPreviewDto>,
}

/// What a group's system message says happened; the message's `sender` did it.
#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SystemNote")]
#[schema(as = SystemNote)]
pub struct SystemNoteDto {
    /// The change: `chat.created`, `member.added`, `member.removed` (the sender among
    /// `users`: they left), `chat.renamed`, `member.role_changed`.
    #[ts(type = "ChatEventKind")]
    #[schema(schema_with = event_kind_schema)]
    pub kind: &'static str,
    /// Whom it is about: added, removed, or given a role.
    pub users: Vec<String>,
    /// The group's name, when created or renamed.
    pub name: Option<String>,
    #[ts(type = "\"admin\" | \"member\" | null")]
    pub role: Option<&'static str>,
    /// Who owns the group now, when its owner left.
    pub new_owner: Option<String>,
}

impl From<SystemNote> for SystemNoteDto {
    fn from(n: SystemNote) -> Self {
        Self {
            kind: n.kind.as_str(),
            users: n.users.iter().map(ToString::to_string).collect(),
            name: n.name,
            role: n.role.map(|r| r.as_str()),
            new_owner: n.new_owner.map(|u| u.to_string()),
        }
    }
}

/// What a reply shows of the message it answers.
#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ReplyPreview")]
#[schema(as = ReplyPreview)]
pub struct ReplyPreviewDto {
    #[serde(rename = "_id")]
    pub id: String,
    /// Its place in the chat: `GET /message/:chatId?around=<seq>` shows it.
    pub seq: i64,
    pub sender: String,
    #[ts(type = "\"text\" | \"image\" | \"file\" | \"system\"")]
    #[schema(schema_with = message_type_schema)]
    pub message_type: &'static str,
    /// Its first line now, at most 140 characters (cut ones end in `…`); empty when
    /// deleted, and for an image without a caption.
    pub text: String,
    /// Deleted for everyone since.
    pub deleted: bool,
}

impl From<ReplyPreview> for ReplyPreviewDto {
    fn from(p: ReplyPreview) -> Self {
        Self {
            id: p.id.to_string(),
            seq: p.seq,
            sender: p.sender.to_string(),
            message_type: p.kind.as_str(),
            text: p.text,
            deleted: p.deleted,
        }
    }
}

#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "Reaction")]
#[schema(as = Reaction)]
pub struct ReactionDto {
    pub emoji: String,
    /// The users' `_id`s, in the order they reacted.
    pub users: Vec<String>,
}

impl MessageDto {
    /// `markers`: the chat's read markers, from which `seen` is derived; `links` signs
    /// the image URLs.
    pub fn new(m: Message, markers: &[ReadMarker], links: &MediaLinks) -> Self {
        let seen_at = seen_at(markers, &m);
        let seen = markers.iter().any(|mk| mk.has_seen(&m));
        let seen_by = markers.iter().filter(|mk| mk.has_seen(&m)).map(|mk| mk.user_id.to_string()).collect();
        let system = m.system_note().map(SystemNoteDto::from);
        Self {
            id: m.id.to_string(),
            chat_id: m.chat_id.to_string(),
            sender: m.sender.to_string(),
            text: if system.is_some() { String::new() } else { m.text },
            message_type: m.kind.as_str(),
            image: m.image.map(|i| ImageDto {
                url: links.url(&i.key),
                thumb_url: links.url(&i.thumb_key),
                public_id: i.key,
                width: i.width,
                height: i.height,
            }),
            seen,
            seen_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
            seq: m.seq,
            client_id: m.client_id,
            reply_to: m.reply_to.map(|r| r.to_string()),
            edited_at: m.edited_at,
            deleted_at: m.deleted_at,
            reactions: m
                .reactions
                .into_iter()
                .map(|r| ReactionDto {
                    emoji: r.emoji,
                    users: r.users.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            seen_by,
            system,
            mentions: m.mentions.iter().map(ToString::to_string).collect(),
            reply_preview: m.reply_preview.map(ReplyPreviewDto::from),
        }
    }
}

#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "LatestMessage")]
#[schema(as = LatestMessage)]
pub struct LatestMessageDto {
    pub text: String,
    pub sender: String,
    /// When the latest message is a group's system message: what it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub system: Option<SystemNoteDto>,
    /// It was deleted for everyone (then `text` is empty).
    pub deleted: bool,
}

#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Chat")]
#[schema(as = Chat)]
pub struct ChatDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub users: Vec<String>,
    pub latest_message: Option<LatestMessageDto>,
    pub unseen_count: i64,
    /// Of the unseen messages, those that mention you.
    pub mention_count: i64,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub is_group: bool,
    pub name: Option<String>,
    /// A group's owner (null for a 1:1 chat).
    pub owner: Option<String>,
    /// A group's admins, its owner not among them.
    pub admins: Vec<String>,
    pub last_seq: i64,
    pub last_read_seq: i64,
    /// You muted the chat (no sound, push or mail; unread still counts). Only in
    /// your own view of it (the chat list); absent where the chat is shaped for
    /// everyone (`chatUpdated`): keep what you had.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub muted: Option<bool>,
}

impl ChatDto {
    /// The chat without a reader's counts (`unseenCount` 0, `lastReadSeq` 0): what a
    /// change of a group answers and announces; the chat list has the counts.
    pub fn shape(chat: Chat) -> Self {
        let mut dto = Self::from(ChatSummary {
            chat,
            latest: None,
            unseen_count: 0,
            mention_count: 0,
            last_read_seq: 0,
            muted: false,
        });
        dto.muted = None;
        dto
    }
}

impl From<ChatSummary> for ChatDto {
    fn from(s: ChatSummary) -> Self {
        Self {
            id: s.chat.id.to_string(),
            users: s.chat.members.iter().map(ToString::to_string).collect(),
            latest_message: s.latest.map(|m| {
                let system = m.system_note().map(SystemNoteDto::from);
                LatestMessageDto {
                    // As the seed: an image, captioned or not, is previewed by these words.
                    text: if m.image.is_some() {
                        "📷 Image".into()
                    } else if system.is_some() {
                        String::new()
                    } else {
                        m.text
                    },
                    sender: m.sender.to_string(),
                    system,
                    deleted: m.deleted_at.is_some(),
                }
            }),
            unseen_count: s.unseen_count,
            mention_count: s.mention_count,
            created_at: s.chat.created_at,
            updated_at: s.chat.updated_at,
            is_group: s.chat.is_group,
            name: s.chat.name,
            owner: s.chat.owner.map(|u| u.to_string()),
            admins: s.chat.admins.iter().map(ToString::to_string).collect(),
            last_seq: s.chat.last_seq,
            last_read_seq: s.last_read_seq,
            muted: Some(s.muted),
        }
    }
}

/// One row of `chat/all`: `user` is the other member (null for groups).
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "ChatListItem")]
#[schema(as = ChatListItem)]
pub struct ChatListItemDto {
    pub user: Option<UserDto>,
    pub chat: ChatDto,
    /// A group's members (empty for a 1:1 chat, whose other member is `user`).
    pub members: Vec<UserDto>,
}

/// A group as `PATCH /chat/:id` and `POST /chat/:id/members` answer it.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "ChatResponse")]
#[schema(as = ChatResponse)]
pub struct ChatAnswer {
    pub chat: ChatDto,
}

#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "ChatListResponse")]
#[schema(as = ChatListResponse)]
pub struct ChatListAnswer {
    pub chats: Vec<ChatListItemDto>,
}

#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "NewChatResponse")]
#[schema(as = NewChatResponse)]
pub struct NewChatAnswer {
    pub message: &'static str,
    pub chat_id: String,
}

/// `POST /message`.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "SendMessageResponse")]
#[schema(as = SendMessageResponse)]
pub struct SendAnswer {
    pub message: MessageDto,
    // The sender's id, as the seed answered: its client files this as the chat's latest
    // sender and compares it with its own `_id` (a user object there reads as "received").
    pub sender: String,
}

/// `PATCH` and `DELETE /message/:id`.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "MessageResponse")]
#[schema(as = MessageResponse)]
pub struct MessageAnswer {
    pub message: MessageDto,
}

/// A text a message had before an edit.
#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "MessageEdit")]
#[schema(as = MessageEdit)]
pub struct EditDto {
    pub text: String,
    /// When the next text replaced it.
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub replaced_at: Timestamp,
}

impl From<natter_domain::chat::MessageEdit> for EditDto {
    fn from(e: natter_domain::chat::MessageEdit) -> Self {
        Self { text: e.text, replaced_at: e.replaced_at }
    }
}

/// `GET /message/:id/edits`.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "MessageEdits")]
#[schema(as = MessageEdits)]
pub struct EditsAnswer {
    pub edits: Vec<EditDto>,
}

/// `GET /message/:chatId`.
#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "MessagesPage")]
#[schema(as = MessagesPage)]
pub struct PageAnswer {
    pub messages: Vec<MessageDto>,
    pub user: Option<UserDto>,
    /// Older messages exist (with `after`: newer ones do, as the seed read it).
    pub has_more: bool,
    /// With `around` or `after`: newer messages exist past this page. Otherwise false.
    pub has_newer: bool,
}

/// One search result: the message, and where the query's words are in its text.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "SearchHit")]
#[schema(as = SearchHit)]
pub struct SearchHitDto {
    pub message: MessageDto,
    /// `[start, end)` ranges of `message.text` to highlight, in UTF-16 code units (as
    /// JavaScript indexes strings), ascending, never overlapping; may be empty.
    #[schema(value_type = Vec<Vec<u32>>)]
    pub highlights: Vec<[u32; 2]>,
}

/// `GET /search`: newest first.
#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "SearchResponse")]
#[schema(as = SearchResponse)]
pub struct SearchAnswer {
    pub messages: Vec<SearchHitDto>,
    /// Older results exist: ask again with `before` = the last result's `_id`.
    pub has_more: bool,
}

/// One row of a chat's change feed.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "ChatEvent")]
#[schema(as = ChatEvent)]
pub struct EventDto {
    pub seq: i64,
    /// What changed.
    #[ts(type = "ChatEventKind")]
    #[schema(schema_with = event_kind_schema)]
    pub kind: &'static str,
    /// Who made the change.
    pub actor: String,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The message the change is about, as it is now (a tombstone once deleted; for a
    /// group change, its system message).
    pub payload: MessageDto,
    /// For a group change: the group as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub chat: Option<ChatDto>,
}

impl EventDto {
    /// `None` for a row whose message is gone.
    pub fn from_feed(e: FeedEvent, markers: &[ReadMarker], links: &MediaLinks) -> Option<Self> {
        Some(Self {
            seq: e.seq,
            kind: e.kind.as_str(),
            actor: e.actor.to_string(),
            at: e.at,
            payload: MessageDto::new(e.message?, markers, links),
            chat: e.chat.map(ChatDto::shape),
        })
    }
}

/// `GET /chat/:id/events`.
#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "EventsPage")]
#[schema(as = EventsPage)]
pub struct EventsAnswer {
    pub events: Vec<EventDto>,
    pub last_seq: i64,
}

/// Socket `messagesSeen`: a member's read marker moved.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "MessagesSeen")]
pub struct MessagesSeenDto {
    pub chat_id: String,
    pub seen_by: String,
    pub message_ids: Vec<String>,
    #[ts(type = "string")]
    pub seen_at: Timestamp,
    pub up_to_seq: i64,
}

/// Socket `userTyping` / `userStoppedTyping`.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Typing")]
pub struct TypingDto {
    pub chat_id: String,
    pub user_id: String,
}

/// An invitation, as its inviter sees it.
#[derive(Serialize, TS, ToSchema)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Invite")]
#[schema(as = Invite)]
pub struct InviteDto {
    pub email: String,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// When the invitee joined with it; null while it is open.
    #[ts(type = "string | null")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub used_at: Option<Timestamp>,
}

impl From<Invite> for InviteDto {
    fn from(i: Invite) -> Self {
        Self { email: i.email.to_string(), created_at: i.created_at, used_at: i.used_at }
    }
}

/// `POST /invites`: 201 when the invitation is new, 200 when the address was invited already.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "InviteAnswer")]
#[schema(as = InviteAnswer)]
pub struct InviteAnswer {
    pub message: &'static str,
    pub invite: InviteDto,
}

/// `GET /invites`: the caller's invitations, newest first.
#[derive(Serialize, TS, ToSchema)]
#[ts(rename = "InvitesAnswer")]
#[schema(as = InvitesAnswer)]
pub struct InvitesAnswer {
    pub invites: Vec<InviteDto>,
}

/// Socket `membersChanged`: members joined or left a group. Sent to its members and
/// to whoever left or was removed, whose `chat` is null: the chat is gone for them.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "MembersChanged")]
pub struct MembersChangedDto {
    pub chat_id: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub chat: Option<ChatDto>,
}

/// Socket `presence`: a contact came online or went offline. `lastSeen` as on
/// `User` (null while online or where hidden); someone kept apart by a block is
/// never announced (and is announced offline once, when the block is made).
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "Presence")]
pub struct PresenceDto {
    pub user_id: String,
    pub online: bool,
    #[ts(type = "string | null")]
    pub last_seen: Option<Timestamp>,
}

/// `messageType`: what a message carries.
fn message_type_schema() -> utoipa::openapi::schema::Object {
    string_enum(&["text", "image", "file", "system"])
}

/// `ChatEvent.kind`: what changed.
fn event_kind_schema() -> utoipa::openapi::schema::Object {
    string_enum(&FeedKind::ALL.map(FeedKind::as_str))
}

fn string_enum(values: &[&str]) -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values.iter().copied()))
        .build()
}

/// The TypeScript declarations of every type above, as `web/src/lib/wire.gen.ts`.
pub fn typescript() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        ErrorDto::decl(&cfg),
        SendMessageRequest::decl(&cfg),
        UserDto::decl(&cfg),
        SettingsDto::decl(&cfg),
        SettingsPatchRequest::decl(&cfg),
        BlockedUserDto::decl(&cfg),
        BlocksAnswer::decl(&cfg),
        BlocksChangedDto::decl(&cfg),
        ChatMutedDto::decl(&cfg),
        PushKeyDto::decl(&cfg),
        PushKeysDto::decl(&cfg),
        PushSubscriptionRequest::decl(&cfg),
        PushUnsubscribeRequest::decl(&cfg),
        PushSubscriptionAnswer::decl(&cfg),
        MessageOnly::decl(&cfg),
        UserWithToken::decl(&cfg),
        ImageDto::decl(&cfg),
        ReactionDto::decl(&cfg),
        format!("type ChatEventKind = {};", FeedKind::ALL.map(|k| format!("\"{}\"", k.as_str())).join(" | ")),
        SystemNoteDto::decl(&cfg),
        ReplyPreviewDto::decl(&cfg),
        MessageDto::decl(&cfg),
        LatestMessageDto::decl(&cfg),
        ChatDto::decl(&cfg),
        ChatListItemDto::decl(&cfg),
        ChatListAnswer::decl(&cfg),
        ChatAnswer::decl(&cfg),
        NewChatAnswer::decl(&cfg),
        SendAnswer::decl(&cfg),
        MessageAnswer::decl(&cfg),
        EditDto::decl(&cfg),
        EditsAnswer::decl(&cfg),
        PageAnswer::decl(&cfg),
        SearchHitDto::decl(&cfg),
        SearchAnswer::decl(&cfg),
        EventDto::decl(&cfg),
        EventsAnswer::decl(&cfg),
        MessagesSeenDto::decl(&cfg),
        TypingDto::decl(&cfg),
        MembersChangedDto::decl(&cfg),
        PresenceDto::decl(&cfg),
        InviteDto::decl(&cfg),
        InviteAnswer::decl(&cfg),
        InvitesAnswer::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/app/src/wire/ (mod.rs, socket.rs) by `NATTER_WRITE_WIRE=1 cargo test -p natter-app wire`.\n\
         // Do not edit: change the Rust types and regenerate.\n\n",
    );
    for d in decls.into_iter().chain(socket::payload_declarations(&cfg)) {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str(&socket::event_maps(&cfg));
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn the_web_clients_wire_types_are_generated_from_these() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/src/lib/wire.gen.ts");
        let fresh = super::typescript();
        if std::env::var("NATTER_WRITE_WIRE").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "web/src/lib/wire.gen.ts is out of date: run `NATTER_WRITE_WIRE=1 cargo test -p natter-app wire`"
        );
    }
}
