//! Who is online: a count of open sockets per user on this node. A user with two
//! tabs stays online until the last one closes. Never stored.
//!
//! Each online user's contacts are remembered while they are online: a connect asks for
//! them two or three times (the user's list, then each online contact's), and they only
//! change when a chat is created, which every node hears about (`chat_created`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use natter_domain::ids::UserId;
use natter_domain::ports::Store;

use crate::AppResult;

pub struct Presence {
    store: Arc<dyn Store>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    sockets: HashMap<UserId, u32>,
    contacts: HashMap<UserId, Arc<[UserId]>>,
    /// Bumped when contacts change, so a lookup that raced a change is not kept.
    generation: u64,
}

impl Presence {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store, state: Mutex::default() }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A socket of `user` opened; `true` if the user just came online.
    pub fn socket_opened(&self, user: UserId) -> bool {
        let mut state = self.state();
        let n = state.sockets.entry(user).or_insert(0);
        *n += 1;
        *n == 1
    }

    /// A socket of `user` closed; `true` if that was the last one.
    pub fn socket_closed(&self, user: UserId) -> bool {
        let mut state = self.state();
        match state.sockets.get_mut(&user) {
            Some(n) if *n > 1 => {
                *n -= 1;
                false
            }
            Some(_) => {
                state.sockets.remove(&user);
                state.contacts.remove(&user);
                true
            }
            None => false,
        }
    }

    pub fn is_online(&self, user: UserId) -> bool {
        self.state().sockets.contains_key(&user)
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
        if state.generation == generation && state.sockets.contains_key(&user) {
            state.contacts.insert(user, Arc::clone(&contacts));
        }
        Ok(contacts)
    }

    /// The online users among `user`'s contacts: what `getOnlineUser` sends.
    pub async fn online_contacts(&self, user: UserId) -> AppResult<Vec<UserId>> {
        let contacts = self.contacts(user).await?;
        let state = self.state();
        Ok(contacts.iter().copied().filter(|c| state.sockets.contains_key(c)).collect())
    }
}
