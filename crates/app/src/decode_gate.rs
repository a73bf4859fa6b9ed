//! At most N image decodes (`natter_images::process`) at once, each on one of N
//! long-lived decoder threads.
//!
//! The permit is moved into the job, so it is released when the decoding ends, not
//! when the request that asked for it goes away: a client that hangs up mid-upload
//! cannot free its slot while its decode still burns a core and holds its memory,
//! and so cannot start more decodes than the budget allows.
//!
//! Why threads of our own rather than `spawn_blocking`: glibc gives each thread a
//! malloc arena and keeps what a decode frees in that arena. Decodes spread over
//! tokio's blocking pool (which also runs file I/O) left a decode's worth of freed
//! buffers in every arena they touched: 257-290 MB peak RSS over the hostile
//! corpus, against 145-180 MB with two arenas. N threads reuse N arenas.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, mpsc};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::{AppError, AppResult};

type Job = Box<dyn FnOnce() + Send>;

pub struct DecodeGate {
    permits: Arc<Semaphore>,
    /// Never blocks: there are as many permits as threads, and a job is sent only
    /// with a permit.
    jobs: mpsc::SyncSender<Job>,
}

impl DecodeGate {
    pub fn new(concurrent: usize) -> Self {
        let n = concurrent.max(1);
        let (tx, rx) = mpsc::sync_channel::<Job>(n);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..n {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("natter-decode-{i}")).spawn(move || {
                loop {
                    // The lock is held only while waiting for the next job.
                    let job = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return, // the gate is gone
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a decoder thread");
            }
        }
        Self { permits: Arc::new(Semaphore::new(n)), jobs: tx }
    }

    /// Runs `work` on a decoder thread once a permit is free; the permit stays with
    /// `work` until it returns, even if this future is dropped first.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit: OwnedSemaphorePermit =
            self.permits.clone().acquire_owned().await.map_err(|e| AppError::Unexpected(e.into()))?;
        let (done_tx, done_rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            // `process` never panics; should anything else, the thread lives on.
            let result = catch_unwind(AssertUnwindSafe(work));
            // Back before the answer, so whoever has the answer finds the slot free.
            drop(permit);
            let _ = done_tx.send(result);
        });
        if self.jobs.try_send(job).is_err() {
            return Err(AppError::Unexpected(anyhow::anyhow!("no decoder thread took the job")));
        }
        match done_rx.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(AppError::Unexpected(anyhow::anyhow!("a decode panicked"))),
            Err(_) => Err(AppError::Unexpected(anyhow::anyhow!("a decoder thread stopped"))),
        }
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
    async fn a_panicking_decode_is_an_error_and_its_thread_goes_on() {
        let gate = DecodeGate::new(1);
        let res = gate.run(|| -> u32 { panic!("decoder bug") }).await;
        assert!(matches!(res, Err(AppError::Unexpected(_))));
        assert_eq!(gate.run(|| 7).await.unwrap(), 7);
        assert_eq!(gate.available(), 1);
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
