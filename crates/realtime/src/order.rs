//! A socket's sends are stored in the order they arrived.
//!
//! socketioxide runs each event's handler as its own task, so two `sendMessage`s sent
//! back to back (a client flushing its outbox after a reconnect) could reach the store
//! in either order. Extractors still run in arrival order, before the task is spawned:
//! `SendTurn` takes a ticket there, and the handler waits for its turn.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use socketioxide::adapter::Adapter;
use socketioxide::handler::{FromMessageParts, Value};
use socketioxide::socket::Socket;
use tokio::sync::watch;

/// One per socket, in its extensions.
pub struct SendOrder {
    next_ticket: AtomicU64,
    /// Tickets below this one are done.
    served: watch::Sender<u64>,
}

impl SendOrder {
    pub fn new() -> Self {
        Self { next_ticket: AtomicU64::new(0), served: watch::Sender::new(0) }
    }
}

impl Default for SendOrder {
    fn default() -> Self {
        Self::new()
    }
}

/// This send's place in its socket's order. Put it after every extractor that can fail
/// (a failed extraction drops it without waiting), and `wait` before doing anything.
pub struct SendTurn {
    order: Option<Arc<SendOrder>>,
    ticket: u64,
}

impl SendTurn {
    /// Until every earlier send of this socket is done.
    pub async fn wait(&self) {
        if let Some(order) = &self.order {
            let mut served = order.served.subscribe();
            let _ = served.wait_for(|s| *s >= self.ticket).await;
        }
    }
}

impl Drop for SendTurn {
    fn drop(&mut self) {
        if let Some(order) = &self.order {
            order.served.send_modify(|s| *s = (*s).max(self.ticket + 1));
        }
    }
}

impl<A: Adapter> FromMessageParts<A> for SendTurn {
    type Error = Infallible;

    fn from_message_parts(s: &Arc<Socket<A>>, _: &mut Value, _: &Option<i64>) -> Result<Self, Infallible> {
        // Every authenticated socket has one (see `connect`); without it, no order.
        let order = s.extensions.get::<Arc<SendOrder>>();
        let ticket = order.as_ref().map_or(0, |o| o.next_ticket.fetch_add(1, Ordering::SeqCst));
        Ok(Self { order, ticket })
    }
}
