//! Who is online among whose contacts: the Presence port says who is online, and this
//! service knows who shares a chat with whom.
//!
//! Each online user's contacts are remembered while they are online: a connect asks for
//! them two or three times (the user's list, then each online contact's), and they only
//! change when a chat is created, which every node hears about (`chat_created`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use natter_domain::ids::UserId;
use natter_domain::ports::{Presence, Store};

use crate::AppResult;

pub struct PresenceService {
    store: Arc<dyn Store>,
    presence: Arc<dyn Presence>,
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
    pub fn new(store: Arc<dyn Store>, presence: Arc<dyn Presence>) -> Self {
        Self { store, presence, state: Mutex::default() }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A socket of `user` opened here; `true` if the user just came online.
    pub async fn socket_opened(&self, user: UserId) -> AppResult<bool> {
        *self.state().here.entry(user).or_insert(0) += 1;
        Ok(self.presence.opened(user).await?)
    }

    /// A socket of `user` closed here; `true` if that was the user's last one.
    pub async fn socket_closed(&self, user: UserId) -> AppResult<bool> {
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
        Ok(self.presence.closed(user).await?)
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

    /// The online users among `user`'s contacts: what `getOnlineUser` sends.
    pub async fn online_contacts(&self, user: UserId) -> AppResult<Vec<UserId>> {
        let contacts = self.contacts(user).await?;
        Ok(self.presence.online(&contacts).await?)
    }
}
