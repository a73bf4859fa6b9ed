//! Changing a message after it was sent: its sender edits its text (within
//! `EDIT_WINDOW_MS`, the earlier texts kept for them and a group's admins) or deletes
//! it for everyone, as a group's owner and admins may too (a tombstone: the text, the
//! image in the media store, the edit history and the reactions go); any member
//! reacts with an emoji. A group's system messages are not changed by anyone. Each change is a feed row with the
//! chat's next `seq`, announced once committed, and safe to retry: the same edit, a
//! second delete or a reaction already there changes nothing.

use natter_domain::StoreError;
use natter_domain::bus::BusEvent;
use natter_domain::chat::{
    Changed, Chat, EDIT_WINDOW_MS, MAX_REACTION_KINDS, MAX_TEXT_CHARS, Message, MessageEdit, MessageKind,
    QUICK_REACTIONS,
};
use natter_domain::ids::{MessageId, UserId};
use natter_domain::ports::Decision;
use tracing::instrument;

use crate::announce::announce;
use crate::auth::AuthContext;
use crate::messages::MessageService;
use crate::{AppError, AppResult};

impl MessageService {
    /// Give a message of `who`'s a new text.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn edit(&self, who: AuthContext, message_id: &str, text: &str) -> AppResult<Message> {
        let (message, chat) = self.own_message(who, message_id, "edit").await?;
        if message.deleted_at.is_some() {
            return Err(deleted());
        }
        let now = self.clock().now();
        if now.as_millis() - message.created_at.as_millis() > EDIT_WINDOW_MS {
            return Err(AppError::Forbidden {
                code: "edit_window_passed",
                message: "A message can be edited for 24 hours after it was sent.".into(),
            });
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(AppError::BadRequest {
                code: "text_too_long",
                message: format!("A message can have at most {MAX_TEXT_CHARS} characters."),
            });
        }
        // An image keeps its place without a caption; a text message needs its text.
        let text = text.trim();
        if text.is_empty() && message.kind != MessageKind::Image {
            return Err(AppError::BadRequest {
                code: "empty_message",
                message: "A message needs some text. Delete it instead.".into(),
            });
        }
        self.limit_changes(who).await?;
        let changed = match self.store().edit_message(message.id, text.to_owned(), now).await {
            Ok(c) => c,
            Err(StoreError::Conflict { .. }) => return Err(deleted()),
            Err(e) => return Err(e.into()),
        };
        Ok(self.announce_change(changed, chat.members).await.message)
    }

    /// Delete a message for everyone: `who` sent it, or manages its group.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn delete(&self, who: AuthContext, message_id: &str) -> AppResult<Message> {
        let (message, chat) = self.visible_message(who, message_id).await?;
        if message.sender != who.user_id && !chat.is_manager(who.user_id)
            || message.kind == MessageKind::System
        {
            return Err(not_allowed("delete"));
        }
        if message.deleted_at.is_some() {
            return Ok(message);
        }
        self.limit_changes(who).await?;
        let changed = self.store().delete_message(message.id, who.user_id, self.clock().now()).await?;
        if let Some(image) = &changed.removed_image {
            // Committed first: a crash here leaves unreferenced bytes, never a broken message.
            self.media().discard(image).await;
        }
        Ok(self.announce_change(changed, chat.members).await.message)
    }

    /// Add (`on`) or take back `who`'s `emoji` on a message of a chat they belong to.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn react(
        &self,
        who: AuthContext,
        message_id: &str,
        emoji: &str,
        on: bool,
    ) -> AppResult<Message> {
        let (message, chat) = self.visible_message(who, message_id).await?;
        if message.kind == MessageKind::System {
            return Err(AppError::Forbidden {
                code: "not_allowed",
                message: "A group's notices take no reactions.".into(),
            });
        }
        let emoji = reaction_emoji(emoji)?;
        if message.deleted_at.is_some() {
            return Err(deleted());
        }
        self.limit_changes(who).await?;
        let changed = match self.store().react(message.id, who.user_id, emoji, on, self.clock().now()).await {
            Ok(c) => c,
            Err(StoreError::Conflict { constraint }) if constraint == "too_many_reactions" => {
                return Err(AppError::Conflict {
                    code: "too_many_reactions",
                    message: format!("A message can carry at most {MAX_REACTION_KINDS} different emoji."),
                });
            }
            Err(StoreError::Conflict { .. }) => return Err(deleted()),
            Err(e) => return Err(e.into()),
        };
        Ok(self.announce_change(changed, chat.members).await.message)
    }

    /// The texts a message had before its edits, oldest first: for its sender, and
    /// for the owner and admins of its group.
    pub async fn edits(&self, who: AuthContext, message_id: &str) -> AppResult<Vec<MessageEdit>> {
        let (message, chat) = self.visible_message(who, message_id).await?;
        if message.sender != who.user_id && !chat.is_manager(who.user_id) {
            return Err(not_allowed("see the earlier texts of"));
        }
        // A deleted message took its earlier texts with it.
        if message.deleted_at.is_some() {
            return Err(AppError::not_found(
                "message_not_found",
                "That message was deleted, with its earlier texts.",
            ));
        }
        Ok(self.store().message_edits(message.id).await?)
    }

    /// The message, if `who` sent it and still belongs to its chat, with the chat.
    async fn own_message(
        &self,
        who: AuthContext,
        message_id: &str,
        action: &str,
    ) -> AppResult<(Message, Chat)> {
        let (message, chat) = self.visible_message(who, message_id).await?;
        if message.sender != who.user_id || message.kind == MessageKind::System {
            return Err(not_allowed(action));
        }
        Ok((message, chat))
    }

    /// The message, if `who` belongs to its chat, with the chat. A message `who`
    /// cannot see is a 404, whether or not it exists.
    async fn visible_message(&self, who: AuthContext, message_id: &str) -> AppResult<(Message, Chat)> {
        let not_found = || AppError::not_found("message_not_found", "No such message.");
        let id: MessageId = message_id.trim().parse().map_err(|_| not_found())?;
        let message = match self.store().get_message(id).await {
            Ok(m) => m,
            Err(StoreError::NotFound) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        let chat =
            self.chats().require_member(who, &message.chat_id.to_string()).await.map_err(|e| match e {
                AppError::Forbidden { .. } | AppError::NotFound { .. } => not_found(),
                other => other,
            })?;
        Ok((message, chat))
    }

    /// Edits, deletes and reactions count against the sender's send budget.
    async fn limit_changes(&self, who: AuthContext) -> AppResult<()> {
        let key = format!("send:user:{}", who.user_id);
        if let Decision::Limited { retry_after } =
            self.limiter().hit(&key, self.send_rates(), self.clock().now()).await?
        {
            return Err(AppError::RateLimited {
                code: "rate_limited",
                message: "You are changing messages too fast. Slow down a little.".into(),
                retry_after,
            });
        }
        Ok(())
    }

    async fn announce_change(&self, changed: Changed, members: Vec<UserId>) -> Changed {
        if let Some(event) = changed.event.clone() {
            announce(&**self.bus(), BusEvent::Feed { event, members }).await;
        }
        changed
    }
}

/// `raw` as the one emoji it must be (fully qualified, so "❤" and "❤️" are one).
fn reaction_emoji(raw: &str) -> AppResult<String> {
    match emojis::get(raw.trim()) {
        Some(e) => Ok(e.as_str().to_owned()),
        None => Err(AppError::BadRequest {
            code: "invalid_emoji",
            message: format!("A reaction is one emoji, such as {}.", QUICK_REACTIONS.join(" ")),
        }),
    }
}

fn not_allowed(action: &str) -> AppError {
    AppError::Forbidden { code: "not_allowed", message: format!("Only its sender can {action} a message.") }
}

fn deleted() -> AppError {
    AppError::Conflict { code: "message_deleted", message: "This message was deleted.".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reaction_is_one_emoji_in_its_fully_qualified_form() {
        for quick in QUICK_REACTIONS {
            assert_eq!(reaction_emoji(quick).unwrap(), quick, "every quick reaction is accepted as it is");
        }
        assert_eq!(reaction_emoji("❤").unwrap(), "❤️", "the unqualified heart is the same heart");
        assert_eq!(reaction_emoji("🦀").unwrap(), "🦀");
        assert_eq!(reaction_emoji("👍🏽").unwrap(), "👍🏽", "skin tones are emoji of their own");
        for bad in ["", "a", "👍👍", "+1", ":thumbsup:", "<script>", "👍 x"] {
            assert!(reaction_emoji(bad).is_err(), "{bad:?}");
        }
    }
}
