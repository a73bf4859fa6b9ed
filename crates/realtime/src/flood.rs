//! A per-socket ceiling on client events (joinChat, typing, markRead...): a client
//! that floods is ignored until the next window instead of costing a store read per
//! event. `sendMessage` has its own per-user limit in the use-case.

use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(1);
pub const EVENTS_PER_WINDOW: u32 = 40;

pub struct FloodGuard {
    window: Mutex<(Instant, u32)>,
}

impl FloodGuard {
    pub fn new() -> Self {
        Self { window: Mutex::new((Instant::now(), 0)) }
    }

    /// Count one event; `false` once this window's budget is spent.
    pub fn allow(&self) -> bool {
        let Ok(mut w) = self.window.lock() else { return false };
        let now = Instant::now();
        if now.duration_since(w.0) >= WINDOW {
            *w = (now, 0);
        }
        w.1 += 1;
        w.1 <= EVENTS_PER_WINDOW
    }
}

impl Default for FloodGuard {
    fn default() -> Self {
        Self::new()
    }
}
