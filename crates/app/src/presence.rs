//! Who is online: a count of open sockets per user on this node. A user with two
//! tabs stays online until the last one closes. Never stored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use natter_domain::ids::UserId;
use natter_domain::ports::Store;

use crate::AppResult;

pub struct Presence {
    store: Arc<dyn Store>,
    sockets: Mutex<HashMap<UserId, u32>>,
}

impl Presence {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store, sockets: Mutex::new(HashMap::new()) }
    }

    /// A socket of `user` opened; `true` if the user just came online.
    pub fn socket_opened(&self, user: UserId) -> bool {
        let Ok(mut map) = self.sockets.lock() else { return false };
        let n = map.entry(user).or_insert(0);
        *n += 1;
        *n == 1
    }

    /// A socket of `user` closed; `true` if that was the last one.
    pub fn socket_closed(&self, user: UserId) -> bool {
        let Ok(mut map) = self.sockets.lock() else { return false };
        match map.get_mut(&user) {
            Some(n) if *n > 1 => {
                *n -= 1;
                false
            }
            Some(_) => {
                map.remove(&user);
                true
            }
            None => false,
        }
    }

    pub fn is_online(&self, user: UserId) -> bool {
        self.sockets.lock().map(|m| m.contains_key(&user)).unwrap_or(false)
    }

    /// People who share a chat with `user`.
    pub async fn contacts(&self, user: UserId) -> AppResult<Vec<UserId>> {
        Ok(self.store.co_member_ids(user).await?)
    }

    /// The online users among `user`'s contacts: what `getOnlineUser` sends.
    pub async fn online_contacts(&self, user: UserId) -> AppResult<Vec<UserId>> {
        let contacts = self.contacts(user).await?;
        Ok(contacts.into_iter().filter(|c| self.is_online(*c)).collect())
    }
}
