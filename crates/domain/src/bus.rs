//! Events that cross from the use-cases to the realtime fan-out, on this node and on
//! every other. Durable events are published only after their commit; ephemeral ones
//! (typing) never touch the store. A bus between processes carries them as `Envelope`
//! JSON, versioned so that nodes of two versions can tell what they can read.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::chat::{Chat, FeedEvent};
use crate::ids::{ChatId, MessageId, SessionId, UserId};

// `Feed` is by far the most common event and the big one: boxing it would cost an
// allocation on every message to save bytes on the rare small events.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum BusEvent {
    /// A row of a chat's change feed was committed; `members` are the chat's members
    /// at that moment. Consumers deliver each chat's rows in `seq` order, once.
    #[serde(rename_all = "camelCase")]
    Feed { event: FeedEvent, members: Vec<UserId> },
    /// A member's read marker moved forward.
    #[serde(rename_all = "camelCase")]
    MessagesSeen {
        chat_id: ChatId,
        seen_by: UserId,
        message_ids: Vec<MessageId>,
        seen_at: Timestamp,
        up_to_seq: i64,
        members: Vec<UserId>,
    },
    /// A chat came into being; its members now share it (presence lists change).
    #[serde(rename_all = "camelCase")]
    ChatCreated { chat: Chat },
    /// Someone started or stopped typing in a chat. Never stored.
    #[serde(rename_all = "camelCase")]
    Typing { chat_id: ChatId, user_id: UserId, typing: bool },
    /// A user came online (their first socket anywhere) or went offline (their last
    /// closed, or the node holding it died). `last_seen`: when they went offline (as
    /// stored), whoever may see it; each node hides it where the rules say.
    #[serde(rename_all = "camelCase")]
    Presence {
        user_id: UserId,
        online: bool,
        // An event of a build before last seen has none.
        #[serde(default)]
        last_seen: Option<Timestamp>,
    },
    /// `blocker` blocked (`blocking`) or unblocked `blocked`, committed: every node
    /// forgets what it remembered of both users' blocks and tells their sockets.
    #[serde(rename_all = "camelCase")]
    BlocksChanged { blocker: UserId, blocked: UserId, blocking: bool },
    /// `user` muted (`muted`) or unmuted `chat_id`, committed: their own other tabs
    /// follow it.
    #[serde(rename_all = "camelCase")]
    MuteChanged { user_id: UserId, chat_id: ChatId, muted: bool },
    /// A session ended: its sockets must close.
    #[serde(rename_all = "camelCase")]
    SessionRevoked { session_id: SessionId },
}

/// The version of `Envelope` this build writes and reads.
pub const BUS_VERSION: u16 = 1;

/// A bus event as it travels between processes.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u16,
    pub event: BusEvent,
}

impl Envelope {
    pub fn encode(event: &BusEvent) -> Vec<u8> {
        #[derive(Serialize)]
        struct Borrowed<'a> {
            v: u16,
            event: &'a BusEvent,
        }
        // Plain data with string keys: serializing cannot fail.
        serde_json::to_vec(&Borrowed { v: BUS_VERSION, event }).unwrap_or_default()
    }

    /// The event, or why this node cannot read it (a newer version, or garbage).
    pub fn decode(bytes: &[u8]) -> Result<BusEvent, BusError> {
        #[derive(Deserialize)]
        struct Version {
            v: u16,
        }
        let Version { v } = serde_json::from_slice(bytes).map_err(|e| BusError::Corrupt(e.to_string()))?;
        if v != BUS_VERSION {
            return Err(BusError::Version(v));
        }
        let Envelope { event, .. } =
            serde_json::from_slice(bytes).map_err(|e| BusError::Corrupt(e.to_string()))?;
        Ok(event)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusError {
    /// The bus cannot take events now (its server is down); durable events are in the
    /// store and reach clients through catch-up.
    #[error("the bus is unavailable: {0}")]
    Unavailable(String),
    #[error("a bus event of version {0}, which this node cannot read")]
    Version(u16),
    #[error("a bus event that is not valid: {0}")]
    Corrupt(String),
}

/// Publish/subscribe across the nodes of a deployment.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    async fn publish(&self, event: BusEvent) -> Result<(), BusError>;
    fn subscribe(&self) -> Box<dyn Subscription>;
    /// Events published that this node's slowest subscriber has not taken yet: how
    /// far its fan-out is behind.
    fn backlog(&self) -> usize;
    /// Whether what is published here reaches the other nodes too. Then a feed row
    /// is not delivered everywhere until it was published, and a node that dies
    /// between commit and publish leaves rows that a sweeper must publish for it;
    /// on a bus within one process, the process's sockets die with it and catch up.
    fn spans_nodes(&self) -> bool {
        false
    }
    /// Whether what is published here reaches the other nodes now (for `/readyz`);
    /// a bus within one process always does.
    fn connected(&self) -> bool {
        true
    }
}

#[async_trait]
pub trait Subscription: Send {
    /// The next event; `Err(Lagged(n))` when this subscriber fell behind and `n`
    /// events were dropped (its clients must catch up from the store).
    async fn next(&mut self) -> Option<Result<BusEvent, Lagged>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lagged(pub u64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_round_trips_and_refuses_other_versions() {
        let event = BusEvent::Typing { chat_id: ChatId::new(), user_id: UserId::new(), typing: true };
        let bytes = Envelope::encode(&event);
        assert_eq!(Envelope::decode(&bytes).unwrap(), event);
        let newer = String::from_utf8(bytes).unwrap().replace("\"v\":1", "\"v\":2");
        assert_eq!(Envelope::decode(newer.as_bytes()), Err(BusError::Version(2)));
        assert!(matches!(Envelope::decode(b"{}"), Err(BusError::Corrupt(_))));
    }
}
