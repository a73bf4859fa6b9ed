//! Typing indicators expire by themselves: a `typing` not refreshed within the TTL
//! turns into `userStoppedTyping`, so a client that vanished never leaves "typing…"
//! on someone's screen. Ephemeral: only the bus, never the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use natter_app::announce::announce;
use natter_domain::bus::{Bus, BusEvent};
use natter_domain::ids::{ChatId, UserId};

pub struct TypingTimers {
    bus: Arc<dyn Bus>,
    ttl: Duration,
    /// The generation of each live indicator; a timer only expires its own.
    live: Arc<Mutex<HashMap<(ChatId, UserId), u64>>>,
}

impl TypingTimers {
    pub fn new(bus: Arc<dyn Bus>, ttl: Duration) -> Self {
        Self { bus, ttl, live: Arc::new(Mutex::new(HashMap::new())) }
    }

    pub async fn start(&self, chat: ChatId, user: UserId) {
        let (generation, is_new) = {
            let Ok(mut live) = self.live.lock() else { return };
            let entry = live.entry((chat, user));
            let is_new = matches!(entry, std::collections::hash_map::Entry::Vacant(_));
            let g = entry.or_insert(0);
            *g += 1;
            (*g, is_new)
        };
        if is_new {
            announce(&*self.bus, BusEvent::Typing { chat_id: chat, user_id: user, typing: true }).await;
        }
        let (live, bus, ttl) = (self.live.clone(), self.bus.clone(), self.ttl);
        tokio::spawn(async move {
            tokio::time::sleep(ttl).await;
            let expired = live
                .lock()
                .map(|mut l| {
                    let mine = l.get(&(chat, user)) == Some(&generation);
                    if mine {
                        l.remove(&(chat, user));
                    }
                    mine
                })
                .unwrap_or(false);
            if expired {
                announce(&*bus, BusEvent::Typing { chat_id: chat, user_id: user, typing: false }).await;
            }
        });
    }

    pub async fn stop(&self, chat: ChatId, user: UserId) {
        let was_typing = self.live.lock().map(|mut l| l.remove(&(chat, user)).is_some()).unwrap_or(false);
        if was_typing {
            announce(&*self.bus, BusEvent::Typing { chat_id: chat, user_id: user, typing: false }).await;
        }
    }
}
