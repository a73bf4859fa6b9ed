//! Changing a message after it was sent: its sender edits its text (within
//! `EDIT_WINDOW_MS`, the earlier texts kept for them) or deletes it for everyone (a
//! tombstone: the text, the image in the media store and the edit history go). Each
//! change is a feed row with the chat's next `seq`, announced once committed, and
//! safe to retry: the same edit or a second delete changes nothing.

use natter_domain::StoreError;
use natter_domain::bus::BusEvent;
use natter_domain::chat::{Changed, EDIT_WINDOW_MS, MAX_TEXT_CHARS, Message, MessageEdit, MessageKind};
use natter_domain::ids::MessageId;
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
        let (message, members) = self.own_message(who, message_id, "edit").await?;
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
        Ok(self.announce_change(changed, members).await.message)
    }

    /// Delete a message of `who`'s for everyone.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn delete(&self, who: AuthContext, message_id: &str) -> AppResult<Message> {
        let (message, members) = self.own_message(who, message_id, "delete").await?;
        if message.deleted_at.is_some() {
            return Ok(message);
        }
        self.limit_changes(who).await?;
        let changed = self.store().delete_message(message.id, who.user_id, self.clock().now()).await?;
        if let Some(image) = &changed.removed_image {
            // Committed first: a crash here leaves unreferenced bytes, never a broken message.
            self.media().discard(image).await;
        }
        Ok(self.announce_change(changed, members).await.message)
    }

    /// The texts a message of `who`'s had before its edits, oldest first.
    pub async fn edits(&self, who: AuthContext, message_id: &str) -> AppResult<Vec<MessageEdit>> {
        let (message, _) = self.own_message(who, message_id, "see the earlier texts of").await?;
        Ok(self.store().message_edits(message.id).await?)
    }

    /// The message, if `who` sent it and still belongs to its chat, with the chat's
    /// members. A message `who` cannot see is a 404, whether or not it exists.
    async fn own_message(
        &self,
        who: AuthContext,
        message_id: &str,
        action: &str,
    ) -> AppResult<(Message, Vec<natter_domain::ids::UserId>)> {
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
        if message.sender != who.user_id {
            return Err(AppError::Forbidden {
                code: "not_allowed",
                message: format!("Only its sender can {action} a message."),
            });
        }
        Ok((message, chat.members))
    }

    /// Edits and deletes count against the sender's send budget.
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

    async fn announce_change(&self, changed: Changed, members: Vec<natter_domain::ids::UserId>) -> Changed {
        if let Some(event) = changed.event.clone() {
            announce(&**self.bus(), BusEvent::Feed { event, members }).await;
        }
        changed
    }
}

fn deleted() -> AppError {
    AppError::Conflict { code: "message_deleted", message: "This message was deleted.".into() }
}
