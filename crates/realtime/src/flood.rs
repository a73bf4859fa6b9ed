//! A per-socket ceiling on client events (joinChat, typing, markRead...): a client
//! that floods is ignored until the next window instead of costing a store read per
//! event. `sendMessage` has its own per-user limit in the use-case.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use natter_domain::Timestamp;
use natter_domain::ports::Clock;

const WINDOW: Duration = Duration::from_secs(1);
pub const EVENTS_PER_WINDOW: u32 = 40;

pub struct FloodGuard {
    clock: Arc<dyn Clock>,
    /// When this window started, and the events counted in it.
    window: Mutex<(Timestamp, u32)>,
}

impl FloodGuard {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        let now = clock.now();
        Self { clock, window: Mutex::new((now, 0)) }
    }

    /// Count one event; `false` once this window's budget is spent.
    pub fn allow(&self) -> bool {
        let Ok(mut w) = self.window.lock() else { return false };
        let now = self.clock.now();
        if now >= w.0.plus(WINDOW) || now < w.0 {
            *w = (now, 0);
        }
        w.1 += 1;
        w.1 <= EVENTS_PER_WINDOW
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicI64, Ordering};

    use super::*;

    struct Manual(AtomicI64);
    impl Clock for Manual {
        fn now(&self) -> Timestamp {
            Timestamp::from_millis(self.0.load(Ordering::SeqCst))
        }
    }

    #[test]
    fn a_window_allows_its_budget_then_refuses_until_the_next() {
        let clock = Arc::new(Manual(AtomicI64::new(1_000_000)));
        let guard = FloodGuard::new(clock.clone());
        assert!((0..EVENTS_PER_WINDOW).all(|_| guard.allow()));
        assert!(!guard.allow(), "the budget is spent");
        clock.0.fetch_add(999, Ordering::SeqCst);
        assert!(!guard.allow(), "still the same window");
        clock.0.fetch_add(1, Ordering::SeqCst);
        assert!(guard.allow(), "a new window");
    }
}
