//! How many sockets one user, and one network, may hold open on this node.
//!
//! A socket takes a slot when its handshake is accepted and gives it back when the
//! socket itself is dropped, not when a disconnect handler runs: Socket.IO forgets a
//! socket without calling that handler when the transport closes while the handshake
//! is still being checked (the CONNECT answer then fails to send), and a count that
//! only went down in the handler would leak a slot each time, until the user was
//! locked out for good.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use natter_domain::ids::UserId;

use crate::client_ip::rate_key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketCaps {
    pub per_user: u32,
    pub per_ip: u32,
}

impl Default for SocketCaps {
    /// 20 per user: a person with a phone, a laptop and a dozen tabs. 200 per address
    /// (an IPv6 /64): an office or a campus behind one NAT address, where a hundred
    /// people with two devices each share it; one host opening more than that is a
    /// script, not people.
    fn default() -> Self {
        Self { per_user: 20, per_ip: 200 }
    }
}

/// A socket was refused because its user or its address holds too many.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("too_many_connections")]
pub struct TooManyConnections;

pub struct Connections {
    caps: SocketCaps,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    users: HashMap<UserId, u32>,
    ips: HashMap<String, u32>,
}

/// One open socket's place in the counts; dropping it gives the place back.
pub struct ConnectionSlot {
    owner: Arc<Connections>,
    user: UserId,
    ip: String,
}

impl Connections {
    pub fn new(caps: SocketCaps) -> Arc<Self> {
        Arc::new(Self { caps, open: Mutex::default() })
    }

    fn open(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sockets open on this node.
    pub fn open_sockets(&self) -> u64 {
        self.open().users.values().map(|n| u64::from(*n)).sum()
    }

    /// A slot for one more socket of `user` from `ip`, if both are under their caps.
    pub fn acquire(self: &Arc<Self>, user: UserId, ip: IpAddr) -> Result<ConnectionSlot, TooManyConnections> {
        let ip = rate_key(ip);
        let mut open = self.open();
        let by_user = open.users.get(&user).copied().unwrap_or(0);
        let by_ip = open.ips.get(&ip).copied().unwrap_or(0);
        if by_user >= self.caps.per_user || by_ip >= self.caps.per_ip {
            return Err(TooManyConnections);
        }
        open.users.insert(user, by_user + 1);
        open.ips.insert(ip.clone(), by_ip + 1);
        Ok(ConnectionSlot { owner: Arc::clone(self), user, ip })
    }

    #[cfg(test)]
    fn of_user(&self, user: UserId) -> u32 {
        self.open().users.get(&user).copied().unwrap_or(0)
    }

    fn release(&self, user: UserId, ip: &str) {
        let mut open = self.open();
        decrement(&mut open.users, &user);
        decrement(&mut open.ips, ip);
    }
}

/// Counts that reach zero are removed, so the maps hold only who is connected.
fn decrement<K, Q>(map: &mut HashMap<K, u32>, key: &Q)
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    if let Some(n) = map.get_mut(key) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(key);
        }
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.owner.release(self.user, &self.ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_user_gets_as_many_slots_as_the_cap_and_one_more_after_a_drop() {
        let c = Connections::new(SocketCaps { per_user: 2, per_ip: 100 });
        let u = UserId::new();
        let first = c.acquire(u, ip("203.0.113.1")).unwrap();
        let _second = c.acquire(u, ip("203.0.113.2")).unwrap();
        assert_eq!(c.acquire(u, ip("203.0.113.3")).err(), Some(TooManyConnections));
        assert!(c.acquire(UserId::new(), ip("203.0.113.3")).is_ok(), "other users are not affected");
        drop(first);
        assert_eq!(c.of_user(u), 1);
        assert!(c.acquire(u, ip("203.0.113.3")).is_ok());
    }

    #[test]
    fn an_address_is_capped_across_users_and_ipv6_by_its_64() {
        let c = Connections::new(SocketCaps { per_user: 100, per_ip: 2 });
        let _a = c.acquire(UserId::new(), ip("2001:db8::1")).unwrap();
        let _b = c.acquire(UserId::new(), ip("2001:db8::2")).unwrap();
        assert_eq!(c.acquire(UserId::new(), ip("2001:db8::3")).err(), Some(TooManyConnections));
        assert!(c.acquire(UserId::new(), ip("2001:db8:0:1::1")).is_ok());
    }

    #[test]
    fn a_refused_socket_takes_no_slot() {
        let c = Connections::new(SocketCaps { per_user: 1, per_ip: 1 });
        let u = UserId::new();
        let held = c.acquire(u, ip("203.0.113.1")).unwrap();
        for _ in 0..5 {
            assert!(c.acquire(u, ip("203.0.113.1")).is_err());
        }
        drop(held);
        assert_eq!(c.of_user(u), 0);
        assert!(c.open().ips.is_empty());
    }
}
