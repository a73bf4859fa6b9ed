//! Events that cross from the use-cases to the realtime fan-out, on this node and on
//! every other. Durable events are published only after their commit; ephemeral ones
//! (typing) exist only here.

use async_trait::async_trait;

use crate::Timestamp;
use crate::chat::{Chat, Message};
use crate::ids::{ChatId, MessageId, SessionId, UserId};

#[derive(Debug, Clone)]
pub enum BusEvent {
    /// A message was committed; `members` are the chat's members at that moment.
    MessageCreated { message: Message, members: Vec<UserId> },
    /// A member's read marker moved forward.
    MessagesSeen {
        chat_id: ChatId,
        seen_by: UserId,
        message_ids: Vec<MessageId>,
        seen_at: Timestamp,
        up_to_seq: i64,
        members: Vec<UserId>,
    },
    /// A chat came into being; its members now share it (presence lists change).
    ChatCreated { chat: Chat },
    /// Someone started or stopped typing in a chat. Never stored.
    Typing { chat_id: ChatId, user_id: UserId, typing: bool },
    /// A session ended: its sockets must close.
    SessionRevoked { session_id: SessionId },
}

/// Publish/subscribe across the nodes of a deployment.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    fn publish(&self, event: BusEvent);
    fn subscribe(&self) -> Box<dyn Subscription>;
    /// Events published that this node's slowest subscriber has not taken yet: how
    /// far its fan-out is behind.
    fn backlog(&self) -> usize;
}

#[async_trait]
pub trait Subscription: Send {
    /// The next event; `Err(Lagged(n))` when this subscriber fell behind and `n`
    /// events were dropped (its clients must catch up from the store).
    async fn next(&mut self) -> Option<Result<BusEvent, Lagged>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lagged(pub u64);
