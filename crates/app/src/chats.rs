//! Chats: starting one, listing them, read markers, and the catch-up feed.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use natter_domain::StoreError;
use natter_domain::bus::{Bus, BusEvent};
use natter_domain::chat::{Chat, ChatSummary, FeedEvent, ReadMarker};
use natter_domain::ids::{ChatId, UserId};
use natter_domain::ports::{Clock, Limiter, Store};
use tracing::instrument;

use crate::announce::announce;
use crate::auth::AuthContext;
use crate::blocks::BlockService;
use crate::last_seen::LastSeenService;
use crate::users::Profile;
use crate::{AppError, AppResult};

pub const DEFAULT_EVENTS_LIMIT: u32 = 100;
pub const MAX_EVENTS_LIMIT: u32 = 500;

/// The chat list with every user it mentions (all of whom share a chat with the
/// caller, so their addresses are shown, and their last seen as allowed).
pub struct ChatList {
    pub chats: Vec<ChatSummary>,
    pub users: HashMap<UserId, Profile>,
}

/// Durable changes after a `seq`, in order, and where the chat is now.
pub struct EventsPage {
    pub events: Vec<FeedEvent>,
    pub markers: Vec<ReadMarker>,
    pub last_seq: i64,
}

/// Who is in a chat: what a send needs to authorize and fan out.
#[derive(Debug)]
pub struct Membership {
    pub chat_id: ChatId,
    pub members: Vec<UserId>,
    /// Blocks keep apart the two members of a 1:1 chat, never a group's.
    pub is_group: bool,
}

impl Membership {
    /// The other member of a 1:1 chat, from `me`'s point of view.
    pub fn other_in_direct(&self, me: UserId) -> Option<UserId> {
        if self.is_group { None } else { self.members.iter().copied().find(|u| *u != me) }
    }
}

/// Chats whose members are remembered; past this the cache starts over.
const MEMBERSHIP_CACHE: usize = 100_000;

pub struct ChatService {
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    clock: Arc<dyn Clock>,
    limiter: Arc<dyn Limiter>,
    blocks: Arc<BlockService>,
    last_seen: Arc<LastSeenService>,
    /// The members of a chat, so a send needs no read to check them. A 1:1 chat's
    /// never change; a group's change evicts it here (`forget`), on every node as the
    /// change's event reaches it, and the store checks a group sender's membership
    /// as it commits, so a copy that is briefly stale never lets a removed member in.
    memberships: RwLock<HashMap<ChatId, Arc<Membership>>>,
}

impl ChatService {
    pub fn new(
        store: Arc<dyn Store>,
        bus: Arc<dyn Bus>,
        clock: Arc<dyn Clock>,
        limiter: Arc<dyn Limiter>,
        blocks: Arc<BlockService>,
        last_seen: Arc<LastSeenService>,
    ) -> Self {
        Self { store, bus, clock, limiter, blocks, last_seen, memberships: RwLock::default() }
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn bus(&self) -> &Arc<dyn Bus> {
        &self.bus
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub(crate) fn limiter(&self) -> &Arc<dyn Limiter> {
        &self.limiter
    }

    /// Drop this node's copy of a chat's members: they changed.
    pub fn forget(&self, chat: ChatId) {
        self.memberships.write().unwrap_or_else(PoisonError::into_inner).remove(&chat);
    }

    /// The blocks that keep members of 1:1 chats apart.
    pub fn blocks(&self) -> &BlockService {
        &self.blocks
    }

    /// The 1:1 chat with `other`, started if there is none; not if `other` blocked `who`.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn start_direct(&self, who: AuthContext, other: Option<&str>) -> AppResult<ChatId> {
        let invalid = || AppError::BadRequest {
            code: "invalid_user",
            message: "Choose another registered user to chat with.".into(),
        };
        let other: UserId = other.and_then(|o| o.trim().parse().ok()).ok_or_else(invalid)?;
        if other == who.user_id {
            return Err(invalid());
        }
        match self.store.get_user(other).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => return Err(invalid()),
            Err(e) => return Err(e.into()),
        }
        self.blocks.may_start_direct(who.user_id, other).await?;
        let (chat, created) =
            self.store.get_or_create_direct_chat(who.user_id, other, self.clock.now()).await?;
        if created {
            announce(&*self.bus, BusEvent::ChatCreated { chat: chat.clone() }).await;
        }
        Ok(chat.id)
    }

    pub async fn list(&self, who: AuthContext) -> AppResult<ChatList> {
        let chats = self.store.list_chats(who.user_id).await?;
        let mut ids: Vec<UserId> = chats.iter().flat_map(|c| c.chat.members.iter().copied()).collect();
        ids.sort();
        ids.dedup();
        let found = self.store.get_users(&ids).await?;
        let mut seen = self.last_seen.visible_to(who.user_id, &found.iter().collect::<Vec<_>>()).await?;
        let users = found
            .into_iter()
            .map(|u| {
                let at = seen.remove(&u.id);
                (u.id, Profile::visible(u).seen_at(at))
            })
            .collect();
        Ok(ChatList { chats, users })
    }

    /// The chat, if `who` is a member: `404 chat_not_found` if it does not exist (or
    /// the id is malformed), `403 not_a_member` if it does but `who` is not in it.
    /// Mute or unmute a chat for `who` (no sound, push or mail for it); their other
    /// tabs are told. The same again changes nothing.
    #[instrument(skip_all, fields(user.id = %who.user_id, chat.id = %chat_id), err)]
    pub async fn set_muted(&self, who: AuthContext, chat_id: &str, muted: bool) -> AppResult<()> {
        let chat = self.require_member(who, chat_id).await?;
        match self.store.set_muted(chat.id, who.user_id, muted).await {
            Ok(true) => {
                announce(&*self.bus, BusEvent::MuteChanged { user_id: who.user_id, chat_id: chat.id, muted })
                    .await;
                Ok(())
            }
            Ok(false) => Ok(()),
            // Removed from the group since it was read.
            Err(StoreError::NotFound) => Err(not_a_member()),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn require_member(&self, who: AuthContext, chat_id: &str) -> AppResult<Chat> {
        let not_found = || AppError::not_found("chat_not_found", "No such chat.");
        let id: ChatId = chat_id.trim().parse().map_err(|_| not_found())?;
        let chat = match self.store.get_chat(id).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        if !chat.members.contains(&who.user_id) {
            return Err(not_a_member());
        }
        Ok(chat)
    }

    /// `require_member` for the send path: answered from memory after the first time.
    pub async fn require_membership(&self, who: AuthContext, chat_id: &str) -> AppResult<Arc<Membership>> {
        let cached =
            chat_id.trim().parse::<ChatId>().ok().and_then(|id| {
                self.memberships.read().unwrap_or_else(PoisonError::into_inner).get(&id).cloned()
            });
        let membership = match cached {
            Some(m) => m,
            None => {
                let chat = self.require_member(who, chat_id).await?;
                let m =
                    Arc::new(Membership { chat_id: chat.id, members: chat.members, is_group: chat.is_group });
                let mut cache = self.memberships.write().unwrap_or_else(PoisonError::into_inner);
                if cache.len() >= MEMBERSHIP_CACHE {
                    cache.clear();
                }
                cache.insert(m.chat_id, Arc::clone(&m));
                return Ok(m);
            }
        };
        if !membership.members.contains(&who.user_id) {
            return Err(not_a_member());
        }
        Ok(membership)
    }

    /// Move `who`'s read marker forward (never back) and tell the chat.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn mark_read(&self, who: AuthContext, chat_id: &str, up_to_seq: i64) -> AppResult<()> {
        let chat = self.require_member(who, chat_id).await?;
        self.mark_read_in(who, &chat, up_to_seq).await
    }

    pub(crate) async fn mark_read_in(&self, who: AuthContext, chat: &Chat, up_to_seq: i64) -> AppResult<()> {
        self.move_marker(chat.id, &chat.members, who.user_id, up_to_seq).await
    }

    /// A message reached `viewer` while they were viewing its chat (joined it, socket
    /// connected): that counts as seen at once, as in the seed. `members` are the
    /// chat's members as the message's event named them.
    #[instrument(skip_all, fields(user.id = %viewer, chat.id = %chat_id), err)]
    pub async fn seen_on_arrival(
        &self,
        chat_id: ChatId,
        members: &[UserId],
        viewer: UserId,
        seq: i64,
    ) -> AppResult<()> {
        if !members.contains(&viewer) {
            return Ok(());
        }
        self.move_marker(chat_id, members, viewer, seq).await
    }

    async fn move_marker(
        &self,
        chat_id: ChatId,
        members: &[UserId],
        user: UserId,
        up_to_seq: i64,
    ) -> AppResult<()> {
        let moved = match self.store.mark_read(chat_id, user, up_to_seq, self.clock.now()).await {
            Ok(m) => m,
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        if let Some(moved) = moved {
            let seen = BusEvent::MessagesSeen {
                chat_id,
                seen_by: user,
                message_ids: moved.newly_seen,
                seen_at: moved.at,
                up_to_seq: moved.to_seq,
                members: members.to_vec(),
            };
            announce(&*self.bus, seen).await;
        }
        Ok(())
    }

    /// Every durable change in the chat after `after`, oldest first.
    pub async fn events(
        &self,
        who: AuthContext,
        chat_id: &str,
        after: i64,
        limit: Option<u32>,
    ) -> AppResult<EventsPage> {
        let chat = self.require_member(who, chat_id).await?;
        let limit = limit.unwrap_or(DEFAULT_EVENTS_LIMIT).clamp(1, MAX_EVENTS_LIMIT);
        let page = self.store.list_events(chat.id, after.max(0), None, limit).await?;
        let markers = self.store.read_markers(chat.id).await?;
        Ok(EventsPage { events: page.events, markers, last_seq: chat.last_seq })
    }

    /// The feed of a chat strictly between two `seq`s, for a fan-out that saw a gap:
    /// no membership check (nothing here is handed to a user but what the fan-out
    /// would have delivered to the chat's members anyway).
    pub async fn feed_between(&self, chat: ChatId, after: i64, before: i64) -> AppResult<Vec<FeedEvent>> {
        let limit = u32::try_from((before - after - 1).clamp(0, i64::from(MAX_EVENTS_LIMIT))).unwrap_or(0);
        if limit == 0 {
            return Ok(Vec::new());
        }
        Ok(self.store.list_events(chat, after, Some(before), limit).await?.events)
    }
}

pub(crate) fn not_a_member() -> AppError {
    AppError::Forbidden { code: "not_a_member", message: "You are not in this chat.".into() }
}
