//! Who is online among whose contacts: the Presence port says who is online, and this
//! service knows who shares a chat with whom. A user coming online or going offline
//! is announced on the bus, so every node tells the contacts it holds sockets of.
//!
//! Each online user's contacts are remembered while they are online: a connect asks for
//! them two or three times (the user's list, then each online contact's), and they only
//! change when a chat is created, which every node hears about (`chat_created`).
//!
//! Going offline is also when a user was last seen: the one node that finds their
//! last socket gone (or their node dead) writes it to the store, then announces it.
//! Users kept apart by a block do not see each other online (`online_contacts`).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use natter_domain::bus::{Bus, BusEvent};
use natter_domain::ids::UserId;
use natter_domain::ports::{Clock, Presence, Store};

use crate::AppResult;
use crate::announce::announce;
use crate::blocks::BlockService;
use crate::last_seen::LastSeenService;

pub struct PresenceService {
    store: Arc<dyn Store>,
    presence: Arc<dyn Presence>,
    bus: Arc<dyn Bus>,
    clock: Arc<dyn Clock>,
    blocks: Arc<BlockService>,
    last_seen: Arc<LastSeenService>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The contacts of users with a socket on this node.
    contacts: HashMap<UserId, Arc<[UserId]>>,
    /// Users with a socket on this node (whose contacts are worth keeping).
    here: HashMap<UserId, u32>,
    /// Bumped when contacts change, so a lookup that raced a change is not kept.
    generation: u64,
}

impl PresenceService {
    pub fn new(
        store: Arc<dyn Store>,
        presence: Arc<dyn Presence>,
        bus: Arc<dyn Bus>,
        clock: Arc<dyn Clock>,
        blocks: Arc<BlockService>,
        last_seen: Arc<LastSeenService>,
    ) -> Self {
        Self { store, presence, bus, clock, blocks, last_seen, state: Mutex::default() }
    }

    pub fn blocks(&self) -> &BlockService {
        &self.blocks
    }

    pub fn last_seen(&self) -> &LastSeenService {
        &self.last_seen
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A socket of `user` opened here; announced if the user just came online.
    pub async fn socket_opened(&self, user: UserId) -> AppResult<()> {
        *self.state().here.entry(user).or_insert(0) += 1;
        if self.presence.opened(user).await? {
            announce(&*self.bus, BusEvent::Presence { user_id: user, online: true, last_seen: None }).await;
        }
        Ok(())
    }

    /// A socket of `user` closed here; announced if that was the user's last one.
    pub async fn socket_closed(&self, user: UserId) -> AppResult<()> {
        {
            let mut state = self.state();
            match state.here.get_mut(&user) {
                Some(n) if *n > 1 => *n -= 1,
                _ => {
                    state.here.remove(&user);
                    state.contacts.remove(&user);
                }
            }
        }
        if self.presence.closed(user).await? {
            self.went_offline(user).await;
        }
        Ok(())
    }

    /// `user` is offline now: they were last seen now, which is stored, then announced.
    async fn went_offline(&self, user: UserId) {
        let at = self.clock.now();
        let last_seen = match self.store.set_last_seen(user, at).await {
            Ok(()) => Some(at),
            Err(e) => {
                // Offline all the same; the last seen shown stays the one before.
                tracing::warn!(error = %e, user.id = %user, "could not store when a user was last seen");
                self.store.get_user(user).await.ok().and_then(|u| u.last_seen_at)
            }
        };
        announce(&*self.bus, BusEvent::Presence { user_id: user, online: false, last_seen }).await;
    }

    /// This node's heartbeat (every `PRESENCE_BEAT`): the users a dead node held who
    /// are offline now are announced so.
    pub async fn beat(&self) -> AppResult<()> {
        for user in self.presence.beat().await? {
            self.went_offline(user).await;
        }
        Ok(())
    }

    /// Beat every `every` until `shutdown`; a beat that fails is logged and tried again.
    pub async fn beat_every(self: Arc<Self>, every: Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = tick.tick() => {
                    if let Err(e) = self.beat().await {
                        tracing::warn!(error = %e, "presence heartbeat failed; this node's users may look offline elsewhere");
                    }
                }
            }
        }
    }

    /// Whether `user` has a socket on this node.
    pub fn is_here(&self, user: UserId) -> bool {
        self.state().here.contains_key(&user)
    }

    /// A chat with these members was created: their contacts changed.
    pub fn chat_created(&self, members: &[UserId]) {
        let mut state = self.state();
        state.generation += 1;
        for m in members {
            state.contacts.remove(m);
        }
    }

    /// People who share a chat with `user`.
    pub async fn contacts(&self, user: UserId) -> AppResult<Arc<[UserId]>> {
        let generation = {
            let state = self.state();
            if let Some(known) = state.contacts.get(&user) {
                return Ok(Arc::clone(known));
            }
            state.generation
        };
        let contacts: Arc<[UserId]> = self.store.co_member_ids(user).await?.into();
        let mut state = self.state();
        if state.generation == generation && state.here.contains_key(&user) {
            state.contacts.insert(user, Arc::clone(&contacts));
        }
        Ok(contacts)
    }

    /// Those of `users` who are online.
    pub async fn online(&self, users: &[UserId]) -> AppResult<Vec<UserId>> {
        Ok(self.presence.online(users).await?)
    }

    /// The online users among `user`'s contacts, but those a block keeps apart from
    /// them: what `getOnlineUser` sends.
    pub async fn online_contacts(&self, user: UserId) -> AppResult<Vec<UserId>> {
        let contacts = self.contacts(user).await?;
        let blocks = self.blocks.of(user).await?;
        let visible: Vec<UserId> = contacts.iter().copied().filter(|c| !blocks.apart_from(*c)).collect();
        Ok(self.presence.online(&visible).await?)
    }
}
