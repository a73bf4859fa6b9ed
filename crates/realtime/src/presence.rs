//! Presence announcements as every node makes them: a user came online or went
//! offline somewhere (`BusEvent::Presence`), and this node tells those of the user's
//! contacts that have a socket here. One task per node takes them in the order the bus
//! gave them, so a quick online-offline never reaches a client the other way round.

use natter_app::wire::{PresenceDto, socket};
use natter_domain::ids::UserId;
use socketioxide::SocketIo;
use tokio::sync::mpsc;

use crate::{RealtimeState, rooms};

/// What the fan-out hands over: who, and whether they are online now.
pub type Announcements = mpsc::UnboundedSender<(UserId, bool)>;

/// Starts the announcer; it ends when the sender is dropped.
pub fn announcer(io: SocketIo, st: RealtimeState) -> Announcements {
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some((user, online)) = rx.recv().await {
            announce(&io, &st, user, online).await;
        }
    });
    tx
}

async fn announce(io: &SocketIo, st: &RealtimeState, user: UserId, online: bool) {
    let contacts = match st.presence.contacts(user).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "could not load contacts for presence");
            return;
        }
    };
    let presence = PresenceDto { user_id: user.to_string(), online };
    for &contact in contacts.iter().filter(|c| st.presence.is_here(**c)) {
        let Ok(list) = st.presence.online_contacts(contact).await else { continue };
        let ids: Vec<String> = list.iter().map(ToString::to_string).collect();
        let room = rooms::user(contact);
        let (Some(list_to), Some(change_to)) = (rooms::open(io), rooms::open(io)) else { return };
        // Ephemeral: a client that misses this gets a fresh list when it reconnects.
        let _ = list_to.to(room.clone()).emit(socket::ONLINE_USERS, &ids).await;
        let _ = change_to.to(room).emit(socket::PRESENCE, &presence).await;
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
