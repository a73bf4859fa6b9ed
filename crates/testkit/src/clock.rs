use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use natter_domain::Timestamp;
use natter_domain::ports::Clock;

/// A clock that moves only when told, starting at the real time.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Self(AtomicI64::new(now))
    }

    /// A clock that starts at `t` (to sweep rows a suite wrote at fixed times).
    pub fn starting_at(t: Timestamp) -> Self {
        Self(AtomicI64::new(t.as_millis()))
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.0.load(Ordering::SeqCst))
    }
}
