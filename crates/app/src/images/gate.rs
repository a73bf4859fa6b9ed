//! At most N decodes at once, off the async workers.
//!
//! The permit is moved into the blocking closure, so it is released when the
//! decoding ends, not when the request that asked for it goes away: a client that
//! hangs up mid-upload cannot free its slot while its decode still burns a core and
//! holds its memory, and so cannot start more decodes than the budget allows.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::{AppError, AppResult};

pub struct DecodeGate {
    permits: Arc<Semaphore>,
}

impl DecodeGate {
    pub fn new(concurrent: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrent.max(1))) }
    }

    /// Runs `work` on the blocking pool once a permit is free; the permit stays with
    /// `work` until it returns, even if this future is dropped first.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit =
            self.permits.clone().acquire_owned().await.map_err(|e| AppError::Unexpected(e.into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| AppError::Unexpected(e.into()))
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::oneshot;
    use tokio::time::{Instant, sleep, timeout};

    use super::*;

    #[tokio::test]
    async fn a_cancelled_decode_keeps_its_permit_until_the_work_ends() {
        let gate = DecodeGate::new(1);
        let (started_tx, started_rx) = oneshot::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let (ended_tx, ended_rx) = oneshot::channel();
        let run = gate.run(move || {
            let _ = started_tx.send(());
            let _ = release_rx.recv();
            let _ = ended_tx.send(());
        });
        // The request waits for its decode, then hangs up while it runs.
        let cancelled = timeout(Duration::from_millis(200), async {
            tokio::join!(run, async {
                let _ = started_rx.await;
            })
        })
        .await;
        assert!(cancelled.is_err(), "the decode is still running, so the request was cut off");
        assert_eq!(gate.available(), 0, "the blocking work still holds the permit");
        let second = timeout(Duration::from_millis(100), gate.run(|| ())).await;
        assert!(second.is_err(), "a second decode waits for the first to end");

        release_tx.send(()).unwrap();
        ended_rx.await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while gate.available() == 0 {
            assert!(Instant::now() < deadline, "the permit came back when the work ended");
            sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(gate.available(), 1);
        gate.run(|| ()).await.unwrap();
    }

    #[tokio::test]
    async fn decodes_beyond_the_permits_wait_their_turn() {
        let gate = Arc::new(DecodeGate::new(2));
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let peak = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (gate, running, peak) = (gate.clone(), running.clone(), peak.clone());
            tasks.push(tokio::spawn(async move {
                gate.run(move || {
                    use std::sync::atomic::Ordering::SeqCst;
                    let now = running.fetch_add(1, SeqCst) + 1;
                    peak.fetch_max(now, SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    running.fetch_sub(1, SeqCst);
                })
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(peak.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
