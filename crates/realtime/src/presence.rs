//! Presence announcements as every node makes them: a user came online or went
//! offline somewhere (`BusEvent::Presence`), or a block between two users changed
//! (`BusEvent::BlocksChanged`), and this node tells those concerned that have a socket
//! here. One task per node takes them in the order the bus gave them, so a quick
//! online-offline (or a block and the presence after it) never reaches a client the
//! other way round.
//!
//! Users kept apart by a block hear nothing of each other's presence: not in
//! `getOnlineUser`, not in `presence`; when the block is made each is told once that
//! the other is offline (with no last seen), and when it is taken back, how they are.

use natter_app::wire::{BlocksChangedDto, PresenceDto, socket};
use natter_domain::Timestamp;
use natter_domain::ids::UserId;
use socketioxide::SocketIo;
use tokio::sync::mpsc;

use crate::{RealtimeState, rooms};

/// What the fan-out hands over, in the bus's order.
#[derive(Debug)]
pub enum Announcement {
    /// `user` is online now, or offline since `last_seen`.
    Presence { user: UserId, online: bool, last_seen: Option<Timestamp> },
    /// `blocker` blocked (`blocking`) or unblocked `blocked`.
    Blocks { blocker: UserId, blocked: UserId, blocking: bool },
}

pub type Announcements = mpsc::UnboundedSender<Announcement>;

/// Starts the announcer; it ends when the sender is dropped.
pub fn announcer(io: SocketIo, st: RealtimeState) -> Announcements {
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(a) = rx.recv().await {
            match a {
                Announcement::Presence { user, online, last_seen } => {
                    announce(&io, &st, user, online, last_seen).await;
                }
                Announcement::Blocks { blocker, blocked, blocking } => {
                    blocks_changed(&io, &st, blocker, blocked, blocking).await;
                }
            }
        }
    });
    tx
}

async fn announce(
    io: &SocketIo,
    st: &RealtimeState,
    user: UserId,
    online: bool,
    last_seen: Option<Timestamp>,
) {
    let (contacts, blocks) = match (st.presence.contacts(user).await, st.presence.blocks().of(user).await) {
        (Ok(c), Ok(b)) => (c, b),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "could not load contacts for presence");
            return;
        }
    };
    let here: Vec<UserId> =
        contacts.iter().copied().filter(|c| st.presence.is_here(*c) && !blocks.apart_from(*c)).collect();
    if here.is_empty() {
        return;
    }
    let seen_by = if online {
        None
    } else {
        match st.presence.last_seen().offline_for(user, last_seen, &here).await {
            Ok(seen) => Some(seen),
            Err(e) => {
                // Offline is still worth telling; the time is not shown.
                tracing::warn!(error = %e, "could not read who may see a last seen");
                None
            }
        }
    };
    for contact in here {
        let last_seen = seen_by.as_ref().and_then(|s| s.get(&contact).copied().flatten());
        let presence = PresenceDto { user_id: user.to_string(), online, last_seen };
        tell(io, st, contact, &presence).await;
    }
}

/// `contact`'s fresh online list, then the change itself.
async fn tell(io: &SocketIo, st: &RealtimeState, contact: UserId, presence: &PresenceDto) {
    let Ok(list) = st.presence.online_contacts(contact).await else { return };
    let ids: Vec<String> = list.iter().map(ToString::to_string).collect();
    let room = rooms::user(contact);
    let (Some(list_to), Some(change_to)) = (rooms::open(io), rooms::open(io)) else { return };
    // Ephemeral: a client that misses this gets a fresh list when it reconnects.
    let _ = list_to.to(room.clone()).emit(socket::ONLINE_USERS, &ids).await;
    let _ = change_to.to(room).emit(socket::PRESENCE, presence).await;
}

async fn blocks_changed(io: &SocketIo, st: &RealtimeState, blocker: UserId, blocked: UserId, blocking: bool) {
    // The bus's follower forgets too; this must not wait for it.
    st.presence.blocks().forget(blocker, blocked);
    if st.presence.is_here(blocker) {
        let change = BlocksChangedDto { user_id: blocked.to_string(), blocked: blocking };
        if let Some(ns) = rooms::open(io) {
            let _ = ns.to(rooms::user(blocker)).emit(socket::BLOCKS_CHANGED, &change).await;
        }
    }
    for (viewer, subject) in [(blocker, blocked), (blocked, blocker)] {
        if !st.presence.is_here(viewer) {
            continue;
        }
        let (online, last_seen) = match st.presence.last_seen().presence_for(viewer, subject).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "could not read presence after a block changed");
                continue;
            }
        };
        let presence = PresenceDto { user_id: subject.to_string(), online, last_seen };
        tell(io, st, viewer, &presence).await;
    }
}

/// `getOnlineUser` for one socket of `user`.
pub async fn send_online_list(s: &socketioxide::extract::SocketRef, st: &RealtimeState, user: UserId) {
    match st.presence.online_contacts(user).await {
        Ok(list) => {
            let ids: Vec<String> = list.iter().map(ToString::to_string).collect();
            let _ = s.emit(socket::ONLINE_USERS, &ids);
        }
        Err(e) => tracing::warn!(error = %e, "could not compute the online list"),
    }
}
