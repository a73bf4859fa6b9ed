//! Presence on one node: a count of open sockets per user. A user with two tabs stays
//! online until the last one closes.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use natter_domain::ids::UserId;
use natter_domain::ports::Presence;

#[derive(Default)]
pub struct MemoryPresence {
    sockets: Mutex<HashMap<UserId, u32>>,
}

impl MemoryPresence {
    fn sockets(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, u32>> {
        self.sockets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl Presence for MemoryPresence {
    async fn opened(&self, user: UserId) -> anyhow::Result<bool> {
        let mut sockets = self.sockets();
        let n = sockets.entry(user).or_insert(0);
        *n += 1;
        Ok(*n == 1)
    }

    async fn closed(&self, user: UserId) -> anyhow::Result<bool> {
        let mut sockets = self.sockets();
        Ok(match sockets.get_mut(&user) {
            Some(n) if *n > 1 => {
                *n -= 1;
                false
            }
            Some(_) => {
                sockets.remove(&user);
                true
            }
            None => false,
        })
    }

    async fn online(&self, users: &[UserId]) -> anyhow::Result<Vec<UserId>> {
        let sockets = self.sockets();
        Ok(users.iter().copied().filter(|u| sockets.contains_key(u)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_user_is_online_from_the_first_socket_until_the_last_closes() {
        let p = MemoryPresence::default();
        let (a, b) = (UserId::new(), UserId::new());
        assert!(p.opened(a).await.unwrap());
        assert!(!p.opened(a).await.unwrap(), "a second tab");
        assert_eq!(p.online(&[a, b]).await.unwrap(), [a]);
        assert!(!p.closed(a).await.unwrap());
        assert!(p.closed(a).await.unwrap(), "the last one");
        assert!(!p.closed(a).await.unwrap(), "closing more than was opened changes nothing");
        assert!(p.online(&[a, b]).await.unwrap().is_empty());
    }
}
