//! Chats, messages and read markers.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::ids::{ChatId, MessageId, UserId};
use crate::notify::DelayedJob;

/// The longest message text, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The longest client-chosen idempotency key.
pub const MAX_CLIENT_ID_LEN: usize = 64;
/// The most members one message mentions.
pub const MAX_MENTIONS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chat {
    pub id: ChatId,
    pub is_group: bool,
    pub name: Option<String>,
    pub members: Vec<UserId>,
    /// A group's owner (a 1:1 chat has none).
    pub owner: Option<UserId>,
    /// A group's admins, its owner not among them.
    pub admins: Vec<UserId>,
    /// The `seq` of the newest durable change in this chat.
    pub last_seq: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Chat {
    /// `user`'s role here, if they are a member.
    pub fn role_of(&self, user: UserId) -> Option<ChatRole> {
        if !self.members.contains(&user) {
            None
        } else if self.owner == Some(user) {
            Some(ChatRole::Owner)
        } else if self.admins.contains(&user) {
            Some(ChatRole::Admin)
        } else {
            Some(ChatRole::Member)
        }
    }

    /// Whether `user` may manage this group (rename it, add and remove members).
    pub fn is_manager(&self, user: UserId) -> bool {
        self.is_group && matches!(self.role_of(user), Some(ChatRole::Owner | ChatRole::Admin))
    }
}

/// What a member of a group may do there: the owner and admins manage it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    Owner,
    Admin,
    Member,
}

impl ChatRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatRole::Owner => "owner",
            ChatRole::Admin => "admin",
            ChatRole::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ChatRole::Owner, ChatRole::Admin, ChatRole::Member].into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Text,
    Image,
    /// Written by the server for a change of a group (created, joined, left, renamed):
    /// its text is the `SystemNote` as JSON.
    System,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Image => "image",
            MessageKind::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [MessageKind::Text, MessageKind::Image, MessageKind::System].into_iter().find(|k| k.as_str() == s)
    }
}

/// What a system message says happened; its sender is who did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemNote {
    /// The feed kind of the change: `chat.created`, `member.added`, `member.removed`
    /// (its sender among `users`: they left), `chat.renamed`, `member.role_changed`.
    pub kind: FeedKind,
    /// Whom it is about: added, removed, or given a role.
    #[serde(default)]
    pub users: Vec<UserId>,
    /// The group's name, when it was created or renamed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The role given, for `member.role_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<ChatRole>,
    /// Who owns the group now, when its owner left and handed it on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_owner: Option<UserId>,
}

impl SystemNote {
    pub fn to_text(&self) -> String {
        // Plain data with string keys: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// An uploaded image as stored: keys in the Media port, chosen by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    pub key: String,
    pub thumb_key: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub chat_id: ChatId,
    pub seq: i64,
    pub sender: UserId,
    pub client_id: String,
    pub kind: MessageKind,
    pub text: String,
    pub image: Option<ImageRef>,
    pub reply_to: Option<MessageId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When its text was last changed by its sender.
    pub edited_at: Option<Timestamp>,
    /// When it was deleted for everyone: a tombstone, its text and image gone.
    pub deleted_at: Option<Timestamp>,
    /// Who reacted with what, each emoji in the order it was first used.
    pub reactions: Vec<Reaction>,
    /// The members it mentions (`@name` in a group), as it was sent; none once deleted.
    pub mentions: Vec<UserId>,
    /// The message `reply_to` names, as it is now (`None` without `reply_to`).
    pub reply_preview: Option<ReplyPreview>,
}

/// The longest text of a reply's parent preview, in characters.
pub const REPLY_PREVIEW_CHARS: usize = 140;

/// What a reply shows of the message it answers: who wrote it and its first line, as
/// it is now (edited text, or nothing once deleted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyPreview {
    pub id: MessageId,
    pub seq: i64,
    pub sender: UserId,
    pub kind: MessageKind,
    /// The first line, at most `REPLY_PREVIEW_CHARS` characters (then ending in `…`);
    /// empty when deleted.
    pub text: String,
    pub deleted: bool,
}

impl ReplyPreview {
    /// The preview of a message from its columns. `head` is the start of its text with
    /// the leading blank lines and spaces trimmed: `REPLY_PREVIEW_CHARS + 1` characters
    /// of it are enough (stores read no more), the one past tells it was cut.
    pub fn new(
        id: MessageId,
        seq: i64,
        sender: UserId,
        kind: MessageKind,
        head: &str,
        deleted: bool,
    ) -> Self {
        let line = head.trim_start().split('\n').next().unwrap_or("");
        let text = if deleted {
            String::new()
        } else if line.chars().count() > REPLY_PREVIEW_CHARS {
            let mut cut: String = line.chars().take(REPLY_PREVIEW_CHARS - 1).collect();
            cut.truncate(cut.trim_end().len());
            cut.push('…');
            cut
        } else {
            line.trim().to_owned()
        };
        Self { id, seq, sender, kind, text, deleted }
    }
}

impl Message {
    /// A group's system message as its store just wrote it: `text` is its note as JSON.
    pub fn system(
        id: MessageId,
        chat_id: ChatId,
        seq: i64,
        actor: UserId,
        client_id: String,
        text: String,
        at: Timestamp,
    ) -> Self {
        Self {
            id,
            chat_id,
            seq,
            sender: actor,
            client_id,
            kind: MessageKind::System,
            text,
            image: None,
            reply_to: None,
            created_at: at,
            updated_at: at,
            edited_at: None,
            deleted_at: None,
            reactions: Vec::new(),
            mentions: Vec::new(),
            reply_preview: None,
        }
    }

    /// What a system message says, if this is one.
    pub fn system_note(&self) -> Option<SystemNote> {
        (self.kind == MessageKind::System).then(|| serde_json::from_str(&self.text).ok()).flatten()
    }
}

/// One emoji on a message and everyone who reacted with it, in the order they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub users: Vec<UserId>,
}

impl Reaction {
    /// Reaction rows `(message, emoji, user)`, oldest first, as each message's list.
    pub fn group(
        rows: impl IntoIterator<Item = (MessageId, String, UserId)>,
    ) -> std::collections::HashMap<MessageId, Vec<Reaction>> {
        let mut out: std::collections::HashMap<MessageId, Vec<Reaction>> = std::collections::HashMap::new();
        for (message, emoji, user) in rows {
            let list = out.entry(message).or_default();
            match list.iter_mut().find(|r| r.emoji == emoji) {
                Some(r) => r.users.push(user),
                None => list.push(Reaction { emoji, users: vec![user] }),
            }
        }
        out
    }
}

/// The emoji offered first; any other single emoji works too.
pub const QUICK_REACTIONS: [&str; 8] = ["👍", "❤️", "😂", "😮", "😢", "🎉", "🙏", "👀"];
/// Different emoji on one message, at most.
pub const MAX_REACTION_KINDS: usize = 20;

/// How long after sending a message its sender may still edit it.
pub const EDIT_WINDOW_MS: i64 = 24 * 3600 * 1000;

/// A text a message had before an edit, kept for its sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEdit {
    pub text: String,
    /// When this text was replaced.
    pub replaced_at: Timestamp,
}

/// What editing or deleting a message did: the feed row it wrote (with the message as
/// it is now), or nothing when there was nothing to change.
#[derive(Debug, Clone)]
pub struct Changed {
    pub event: Option<FeedEvent>,
    pub message: Message,
    /// For a delete: the image the message had, now to be removed from the media.
    pub removed_image: Option<ImageRef>,
}

/// A message to store; the store assigns `seq`.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: MessageId,
    pub chat_id: ChatId,
    pub sender: UserId,
    pub client_id: String,
    pub kind: MessageKind,
    pub text: String,
    pub image: Option<ImageRef>,
    pub reply_to: Option<MessageId>,
    /// Members of the chat it mentions, each once (the use-case checks them).
    pub mentions: Vec<UserId>,
    pub created_at: Timestamp,
    /// The push check for this message, written with it only if some other member
    /// who has not muted the chat has a device to push to.
    pub notify: Option<DelayedJob>,
}

/// What storing a message did: `created` is false when `(sender, client_id)` already
/// existed and `message` is the original (its feed row was written back then).
#[derive(Debug, Clone)]
pub struct Stored {
    pub message: Message,
    pub created: bool,
    /// For a group: its members when the message was committed (a 1:1 chat's never
    /// change, so the store does not read them).
    pub members: Option<Vec<UserId>>,
}

/// What a durable change of a chat is. The feed's `kind` column holds `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedKind {
    #[serde(rename = "message.created")]
    MessageCreated,
    #[serde(rename = "message.edited")]
    MessageEdited,
    #[serde(rename = "message.deleted")]
    MessageDeleted,
    #[serde(rename = "reaction.added")]
    ReactionAdded,
    #[serde(rename = "reaction.removed")]
    ReactionRemoved,
    #[serde(rename = "chat.created")]
    ChatCreated,
    #[serde(rename = "member.added")]
    MemberAdded,
    #[serde(rename = "member.removed")]
    MemberRemoved,
    #[serde(rename = "chat.renamed")]
    ChatRenamed,
    #[serde(rename = "member.role_changed")]
    MemberRoleChanged,
}

impl FeedKind {
    pub const ALL: [FeedKind; 10] = [
        FeedKind::MessageCreated,
        FeedKind::MessageEdited,
        FeedKind::MessageDeleted,
        FeedKind::ReactionAdded,
        FeedKind::ReactionRemoved,
        FeedKind::ChatCreated,
        FeedKind::MemberAdded,
        FeedKind::MemberRemoved,
        FeedKind::ChatRenamed,
        FeedKind::MemberRoleChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::MessageCreated => "message.created",
            FeedKind::MessageEdited => "message.edited",
            FeedKind::MessageDeleted => "message.deleted",
            FeedKind::ReactionAdded => "reaction.added",
            FeedKind::ReactionRemoved => "reaction.removed",
            FeedKind::ChatCreated => "chat.created",
            FeedKind::MemberAdded => "member.added",
            FeedKind::MemberRemoved => "member.removed",
            FeedKind::ChatRenamed => "chat.renamed",
            FeedKind::MemberRoleChanged => "member.role_changed",
        }
    }

    /// A change of the group itself, recorded with a system message: its feed row
    /// carries the chat as it is now.
    pub fn is_group_change(self) -> bool {
        matches!(
            self,
            FeedKind::ChatCreated
                | FeedKind::MemberAdded
                | FeedKind::MemberRemoved
                | FeedKind::ChatRenamed
                | FeedKind::MemberRoleChanged
        )
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One row of a chat's change feed: numbered with the chat's `seq`, written in the
/// transaction of the change it records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedEvent {
    pub chat_id: ChatId,
    pub seq: i64,
    pub kind: FeedKind,
    /// Who made the change.
    pub actor: UserId,
    pub at: Timestamp,
    /// The message the change is about, as it is now (for a group change, its system
    /// message).
    pub message: Option<Message>,
    /// For a group change: the chat as it is now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<Chat>,
}

impl FeedEvent {
    /// Who must hear of this row: `members` (the chat's, as the row was written) and,
    /// for a removal, whoever was removed, so their clients drop the chat.
    pub fn removed_users(&self) -> Vec<UserId> {
        match (self.kind, self.message.as_ref().and_then(Message::system_note)) {
            (FeedKind::MemberRemoved, Some(note)) => note.users,
            _ => Vec::new(),
        }
    }
}

/// A page of a chat's feed after some `seq`, oldest first.
#[derive(Debug, Clone)]
pub struct FeedPage {
    pub events: Vec<FeedEvent>,
    pub has_more: bool,
}

/// How far one member has read a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadMarker {
    pub user_id: UserId,
    pub last_read_seq: i64,
    pub read_at: Option<Timestamp>,
}

impl ReadMarker {
    /// Whether this marker covers `m` as "seen": a member's own messages never count.
    pub fn has_seen(&self, m: &Message) -> bool {
        self.user_id != m.sender && self.last_read_seq >= m.seq
    }
}

/// A read marker moved forward.
#[derive(Debug, Clone)]
pub struct ReadMoved {
    pub from_seq: i64,
    pub to_seq: i64,
    pub at: Timestamp,
    /// Messages from other members that became seen by this move.
    pub newly_seen: Vec<MessageId>,
}

/// One row of the chat list: the chat, the reader's own state, and a preview.
#[derive(Debug, Clone)]
pub struct ChatSummary {
    pub chat: Chat,
    pub latest: Option<Message>,
    pub unseen_count: i64,
    /// Of the unseen messages, those that mention the reader.
    pub mention_count: i64,
    pub last_read_seq: i64,
    /// The reader muted the chat: no sound, push or mail for it (unread still counts).
    pub muted: bool,
}

/// A page of messages, ascending by `seq`.
#[derive(Debug, Clone)]
pub struct MessagePage {
    pub messages: Vec<Message>,
    /// `Latest`, `Before`, `Around`: older messages exist. `After`: newer ones do (as
    /// the seed's clients read it, one flag for the direction they page in).
    pub has_more: bool,
    /// `Around` and `After`: newer messages exist past this page; `false` otherwise.
    pub has_newer: bool,
}

/// Which slice of a chat's history to read.
#[derive(Debug, Clone, Copy)]
pub enum PageCursor {
    /// The newest messages.
    Latest,
    /// Messages older than this `seq`.
    Before(i64),
    /// Messages newer than this `seq`, oldest first.
    After(i64),
    /// The messages around this `seq`: it (if it is there) and up to half the limit
    /// before it, the rest after it.
    Around(i64),
}

impl PageCursor {
    /// How many of `limit` an `Around` page takes at or before its `seq`, and after it.
    pub fn around_split(limit: u32) -> (u32, u32) {
        let after = limit / 2;
        (limit - after, after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview(head: &str, deleted: bool) -> String {
        ReplyPreview::new(MessageId::new(), 1, UserId::new(), MessageKind::Text, head, deleted).text
    }

    #[test]
    fn a_reply_preview_is_the_first_line_cut_at_140_characters() {
        assert_eq!(preview("  hello  \nworld", false), "hello");
        assert_eq!(preview("\r\n\nfirst\r\nsecond", false), "first");
        assert_eq!(preview(&"x".repeat(140), false), "x".repeat(140), "exactly the limit stays whole");
        let cut = preview(&"é".repeat(141), false);
        assert_eq!((cut.chars().count(), cut.ends_with('…')), (140, true));
        assert_eq!(preview(&format!("{}\nmore", "y".repeat(140)), false), "y".repeat(140));
        assert_eq!(preview("secret", true), "", "a deleted parent shows no text");
    }
}
