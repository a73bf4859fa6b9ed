//! Wire shapes (camelCase, Mongo-style `_id`), built from domain entities; the HTTP
//! routes and the socket events both send these.

use crate::messages::seen_at;
use natter_domain::Timestamp;
use natter_domain::chat::{ChatSummary, Message, ReadMarker};
use natter_domain::entities::User;
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    pub email: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_seen: Option<Timestamp>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id.to_string(),
            name: u.name.into_string(),
            email: u.email.to_string(),
            created_at: u.created_at,
            updated_at: u.updated_at,
            last_seen: None,
        }
    }
}

#[derive(Serialize)]
pub struct MessageOnly {
    pub message: &'static str,
}

#[derive(Serialize)]
pub struct UserWithToken {
    pub message: &'static str,
    pub user: UserDto,
    pub token: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageDto {
    pub url: String,
    pub public_id: String,
    pub width: u32,
    pub height: u32,
    pub thumb_url: String,
}

#[derive(Serialize)]
pub struct ReactionDto {
    pub emoji: String,
    pub users: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub chat_id: String,
    pub sender: String,
    pub text: String,
    pub message_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageDto>,
    pub seen: bool,
    pub seen_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub seq: i64,
    pub client_id: String,
    pub reply_to: Option<String>,
    pub edited_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
    pub reactions: Vec<ReactionDto>,
}

impl MessageDto {
    /// `markers`: the chat's read markers, from which `seen` is derived.
    pub fn new(m: Message, markers: &[ReadMarker]) -> Self {
        let seen_at = seen_at(markers, &m);
        let seen = markers.iter().any(|mk| mk.has_seen(&m));
        Self {
            id: m.id.to_string(),
            chat_id: m.chat_id.to_string(),
            sender: m.sender.to_string(),
            text: m.text,
            message_type: m.kind.as_str(),
            image: m.image.map(|i| ImageDto {
                url: format!("/media/{}", i.key),
                public_id: i.key,
                width: i.width,
                height: i.height,
                thumb_url: format!("/media/{}", i.thumb_key),
            }),
            seen,
            seen_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
            seq: m.seq,
            client_id: m.client_id,
            reply_to: m.reply_to.map(|r| r.to_string()),
            edited_at: None,
            deleted_at: None,
            reactions: Vec::new(),
        }
    }
}

#[derive(Serialize)]
pub struct LatestMessageDto {
    pub text: String,
    pub sender: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatDto {
    #[serde(rename = "_id")]
    pub id: String,
    pub users: Vec<String>,
    pub latest_message: Option<LatestMessageDto>,
    pub unseen_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub is_group: bool,
    pub name: Option<String>,
    pub last_seq: i64,
    pub last_read_seq: i64,
}

impl From<ChatSummary> for ChatDto {
    fn from(s: ChatSummary) -> Self {
        Self {
            id: s.chat.id.to_string(),
            users: s.chat.members.iter().map(ToString::to_string).collect(),
            latest_message: s.latest.map(|m| LatestMessageDto {
                text: if m.text.is_empty() && m.image.is_some() { "📷 Photo".into() } else { m.text },
                sender: m.sender.to_string(),
            }),
            unseen_count: s.unseen_count,
            created_at: s.chat.created_at,
            updated_at: s.chat.updated_at,
            is_group: s.chat.is_group,
            name: s.chat.name,
            last_seq: s.chat.last_seq,
            last_read_seq: s.last_read_seq,
        }
    }
}

#[derive(Serialize)]
pub struct ChatListItemDto {
    pub user: Option<UserDto>,
    pub chat: ChatDto,
}
