//! Progress of long set-up phases (thousands of logins or sockets) on stderr, so a
//! run at 10,000+ clients does not look hung. stdout stays for the results.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::{CancellationToken, DropGuard};

const EVERY: Duration = Duration::from_secs(2);

/// Counts done items; prints `label n/total (rate/s)` every 2 s while alive, and a
/// final line when finished.
pub struct Progress {
    done: Arc<AtomicUsize>,
    label: &'static str,
    total: usize,
    started: Instant,
    _stop: DropGuard,
}

impl Progress {
    pub fn start(label: &'static str, total: usize) -> Progress {
        let done = Arc::new(AtomicUsize::new(0));
        let stop = CancellationToken::new();
        let started = Instant::now();
        // Small phases finish before the first line would print: stay quiet for them.
        let (d, s) = (done.clone(), stop.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(started + EVERY, EVERY);
            loop {
                tokio::select! {
                    () = s.cancelled() => return,
                    _ = tick.tick() => line(label, d.load(Ordering::Relaxed), total, started),
                }
            }
        });
        Progress { done, label, total, started, _stop: stop.drop_guard() }
    }

    pub fn add(&self, n: usize) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Prints the final line when the phase took long enough to have shown progress.
    pub fn finish(self) {
        if self.started.elapsed() >= EVERY {
            line(self.label, self.done.load(Ordering::Relaxed), self.total, self.started);
        }
    }
}

fn line(label: &str, done: usize, total: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    eprintln!("natter-bench: {label} {done}/{total} in {secs:.1} s ({:.0}/s)", done as f64 / secs);
}
