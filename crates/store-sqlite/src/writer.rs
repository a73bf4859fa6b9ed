//! The one writer: a SQLite connection on its own thread that runs every write of the
//! store, with group commit.
//!
//! A write is a closure queued to that thread. The thread takes the first one, then
//! everything else already waiting (up to `MAX_BATCH`), runs each in its own savepoint
//! inside one transaction and commits once; only then does any caller get its answer.
//! Under load, writes that arrive while a commit is running share the next one, so a
//! burst of messages costs one commit and one wake-up of this thread instead of one
//! each; when idle, a write commits at once (no batching delay). A failing write (or one
//! that panics) rolls back its savepoint only, never its neighbours. Nothing but the
//! writes runs here: what follows a commit runs in the caller, once it has the answer.
//!
//! Why not sqlx for this: its SQLite connection also lives on a worker thread, but every
//! statement is a round trip to it from the async side (two thread switches each), and
//! a message took six of them.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc as std_mpsc};
use std::thread;
use std::time::Duration;

use anyhow::{Context, anyhow};
use natter_domain::StoreError;
use natter_domain::ports::StoreResult;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use tokio::sync::{mpsc, oneshot};

/// Writes committed together at most; bounds how long the first one waits for the rest.
const MAX_BATCH: usize = 512;
/// How long the checkpointer lets commits accumulate before copying them into the
/// database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// WAL pages past which the checkpointer makes the WAL start over: about 16 MB.
const WAL_BOUND_PAGES: i64 = 4000;
/// Writes waiting for the thread; past this a write is refused at once (`Busy`) rather
/// than queued: at a few thousand commits a second this bounds the wait to about a
/// second, and an overloaded server answers "busy" instead of timing out everyone.
const QUEUE: usize = 4096;

/// Runs after the batch's commit (or its failure) and answers the caller.
type Reply = Box<dyn FnOnce(Result<(), &str>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> Reply + Send>;

pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

/// A handle that does not keep the writer thread alive: for background work that
/// should end with the store.
pub(crate) struct WeakWriter {
    jobs: mpsc::WeakSender<Job>,
}

impl WeakWriter {
    pub(crate) fn upgrade(&self) -> Option<Writer> {
        self.jobs.upgrade().map(|jobs| Writer { jobs })
    }
}

impl Writer {
    /// Open the database file (already migrated) and start the writer thread.
    pub(crate) fn start(path: &Path) -> anyhow::Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .with_context(|| format!("cannot open {} for writing", path.display()))?;
        conn.busy_handler(Some(wait_briefly))?;
        // NORMAL in WAL mode survives a crash of the process; only a power loss may
        // lose the newest commits.
        // A checkpoint copies the WAL into the database file and fsyncs it (4-20 ms on
        // this kind of disk): done by the writer, as SQLite does by default, it stalls
        // every write queued behind it. The checkpointer thread does it instead.
        conn.execute_batch(
            "pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on;
             pragma wal_autocheckpoint = 0;",
        )
        .context("cannot configure the SQLite writer")?;
        conn.set_prepared_statement_cache_capacity(64);
        let checkpoints = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
            .with_context(|| format!("cannot open {} for checkpoints", path.display()))?;
        checkpoints.busy_handler(Some(wait_briefly))?;
        let (committed, dirty) = std_mpsc::sync_channel(1);
        let restart_due = Arc::new(AtomicBool::new(false));
        let wal = WalState { committed, restart_due: Arc::clone(&restart_due) };
        thread::Builder::new()
            .name("natter-sqlite-checkpoint".into())
            .spawn(move || checkpoint(&checkpoints, &dirty, &restart_due))
            .context("cannot start the SQLite checkpoint thread")?;
        let (jobs, queue) = mpsc::channel(QUEUE);
        thread::Builder::new()
            .name("natter-sqlite-writer".into())
            .spawn(move || work(&conn, queue, &wal))
            .context("cannot start the SQLite writer thread")?;
        Ok(Self { jobs })
    }

    pub(crate) fn downgrade(&self) -> WeakWriter {
        WeakWriter { jobs: self.jobs.downgrade() }
    }

    /// Writes waiting for the thread.
    pub(crate) fn queued(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Run `write` on the writer thread inside the next transaction; its result comes
    /// back only once that transaction is committed.
    pub(crate) async fn run<T, F>(&self, write: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let outcome = in_savepoint(conn, write);
            Box::new(move |commit| {
                let result = match (outcome, commit) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Ok(_), Err(e)) => Err(StoreError::Other(anyhow!("the SQLite commit failed: {e}"))),
                    (Err(e), _) => Err(e),
                };
                // The caller may have gone away (request cancelled): nothing to answer.
                let _ = answer.send(result);
            })
        });
        let stopped = || StoreError::Other(anyhow!("the SQLite writer thread has stopped"));
        self.jobs.try_send(job).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => StoreError::Busy,
            mpsc::error::TrySendError::Closed(_) => stopped(),
        })?;
        answered.await.map_err(|_| stopped())?
    }
}

/// The writer thread: until every `Writer` handle is dropped.
fn work(conn: &Connection, mut queue: mpsc::Receiver<Job>, wal: &WalState) {
    let mut replies: Vec<Reply> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.blocking_recv() {
        // If BEGIN fails, each savepoint below becomes its own transaction instead.
        let in_tx = exec(conn, "begin immediate").is_ok();
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // Each write is isolated in its savepoint (a panic too: `in_savepoint`).
        for job in batch {
            replies.push(job(conn));
        }
        let commit = if in_tx { exec(conn, "commit").map_err(|e| e.to_string()) } else { Ok(()) };
        if commit.is_err() && in_tx {
            let _ = exec(conn, "rollback");
        }
        for reply in replies.drain(..) {
            reply(commit.as_ref().copied().map_err(String::as_str));
        }
        // Full means a checkpoint is already due.
        let _ = wal.committed.try_send(());
        if wal.restart_due.swap(false, Ordering::Relaxed) {
            // After the answers: only writes queued meanwhile wait for this one.
            if let Err(e) = conn.query_row("pragma wal_checkpoint(restart)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "SQLite WAL restart failed; the WAL grows meanwhile");
            }
        }
    }
}

/// How the writer and the checkpointer talk.
struct WalState {
    /// A commit happened (capacity 1: one pending signal is enough).
    committed: std_mpsc::SyncSender<()>,
    /// The WAL is past its bound: the writer should start it over between batches.
    restart_due: Arc<AtomicBool>,
}

/// The checkpointer thread: after commits, wait a little for more, then copy the WAL
/// into the database without blocking anyone (PASSIVE). Under steady writes such a
/// checkpoint never catches up with the writer, and SQLite starts the WAL over only
/// after one that did; so past `WAL_BOUND_PAGES` it asks the writer to finish the job
/// between two batches (it only has the last few frames left to copy). Ends with the
/// writer thread.
fn checkpoint(conn: &Connection, dirty: &std_mpsc::Receiver<()>, restart_due: &AtomicBool) {
    while dirty.recv().is_ok() {
        thread::sleep(CHECKPOINT_EVERY);
        while dirty.try_recv().is_ok() {}
        match conn.query_row("pragma wal_checkpoint(passive)", [], |r| r.get::<_, i64>(1)) {
            Ok(wal_pages) if wal_pages > WAL_BOUND_PAGES => restart_due.store(true, Ordering::Relaxed),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "SQLite checkpoint failed; the WAL grows meanwhile"),
        }
    }
}

/// SQLite's own busy handler sleeps up to 100 ms at a time; the writer and the
/// checkpointer only ever wait for each other for milliseconds. Gives up after ~5 s.
fn wait_briefly(attempt: i32) -> bool {
    thread::sleep(Duration::from_micros(200));
    attempt < 25_000
}

fn in_savepoint<T>(conn: &Connection, write: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
    exec(conn, "savepoint w").map_err(map_err)?;
    // A write that panics is a failed write: rolled back alone, its neighbours commit.
    let outcome = catch_unwind(AssertUnwindSafe(|| write(conn)))
        .unwrap_or_else(|_| Err(StoreError::Other(anyhow!("the write panicked; it was rolled back"))));
    let end = if outcome.is_ok() {
        exec(conn, "release w")
    } else {
        exec(conn, "rollback to w").and_then(|()| exec(conn, "release w"))
    };
    match (outcome, end) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(e)) => Err(map_err(e)),
        (Err(e), _) => Err(e),
    }
}

fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

pub(crate) fn map_err(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        // UNIQUE, PRIMARY KEY, FOREIGN KEY: what the callers treat as a conflict.
        rusqlite::Error::SqliteFailure(f, message)
            if f.code == ErrorCode::ConstraintViolation && matches!(f.extended_code, 2067 | 1555 | 787) =>
        {
            StoreError::Conflict { constraint: message.unwrap_or_else(|| f.to_string()) }
        }
        other => StoreError::Other(anyhow::Error::new(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_failing_write_rolls_back_alone_while_its_batch_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path).unwrap().execute_batch("create table t (x integer primary key)").unwrap();
        let writer = std::sync::Arc::new(Writer::start(&path).unwrap());
        // Queued together, so they share transactions: every third one fails after writing.
        let tasks: Vec<_> = (0..300_i64)
            .map(|x| {
                let writer = std::sync::Arc::clone(&writer);
                tokio::spawn(async move {
                    writer
                        .run(move |c| {
                            c.execute("insert into t (x) values (?1)", [x]).map_err(map_err)?;
                            if x % 3 == 0 { Err(StoreError::NotFound) } else { Ok(x) }
                        })
                        .await
                })
            })
            .collect();
        let mut ok = 0;
        for (x, t) in tasks.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(v) => {
                    assert_eq!(v, x as i64);
                    ok += 1;
                }
                Err(e) => assert!(matches!(e, StoreError::NotFound) && x % 3 == 0),
            }
        }
        assert_eq!(ok, 200);
        let stored: Vec<i64> = writer
            .run(|c| {
                let mut s = c.prepare("select x from t order by x").map_err(map_err)?;
                let rows = s.query_map([], |r| r.get(0)).map_err(map_err)?;
                rows.collect::<rusqlite::Result<Vec<i64>>>().map_err(map_err)
            })
            .await
            .unwrap();
        assert_eq!(stored, (0..300).filter(|x| x % 3 != 0).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn commits_reach_the_database_file_without_the_writer_checkpointing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path).unwrap().execute_batch("create table t (x blob)").unwrap();
        let writer = Writer::start(&path).unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        for _ in 0..20 {
            writer
                .run(|c| {
                    for _ in 0..100 {
                        c.execute("insert into t (x) values (zeroblob(1000))", []).map_err(map_err)?;
                    }
                    Ok(())
                })
                .await
                .unwrap();
        }
        assert!(size() < before + 100_000, "the writer itself leaves the 2 MB in the WAL");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while size() < before + 1_500_000 {
            assert!(std::time::Instant::now() < deadline, "the checkpointer never copied the WAL");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    #[tokio::test]
    async fn the_wal_starts_over_under_steady_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path).unwrap().execute_batch("create table t (x blob)").unwrap();
        let writer = Writer::start(&path).unwrap();
        // 60 MB in small commits at about 15 MB/s (a busy server's WAL traffic): far
        // past the WAL's bound.
        for _ in 0..3000 {
            tokio::time::sleep(Duration::from_millis(1)).await;
            writer
                .run(|c| {
                    for _ in 0..5 {
                        c.execute("insert into t (x) values (zeroblob(4000))", []).map_err(map_err)?;
                    }
                    Ok(())
                })
                .await
                .unwrap();
        }
        let wal = std::fs::metadata(dir.path().join("w.db-wal")).unwrap().len();
        assert!(wal < 3 * 4120 * WAL_BOUND_PAGES as u64, "the WAL grew to {wal} bytes");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_writes_at_once_and_takes_them_again_once_drained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path).unwrap().execute_batch("create table t (x integer)").unwrap();
        let writer = std::sync::Arc::new(Writer::start(&path).unwrap());
        // Hold the writer thread, then fill its queue.
        let (release, held) = std_mpsc::channel::<()>();
        let blocker = {
            let writer = std::sync::Arc::clone(&writer);
            tokio::spawn(async move { writer.run(move |_| Ok(held.recv().is_ok())).await })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        let queued: Vec<_> = (0..QUEUE)
            .map(|_| {
                let writer = std::sync::Arc::clone(&writer);
                tokio::spawn(async move { writer.run(|_| Ok(())).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(matches!(writer.run(|_| Ok(())).await, Err(StoreError::Busy)));
        release.send(()).unwrap();
        assert!(blocker.await.unwrap().unwrap());
        for q in queued {
            q.await.unwrap().unwrap();
        }
        writer.run(|_| Ok(())).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_panicking_write_fails_alone_and_the_thread_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path).unwrap().execute_batch("create table t (x integer primary key)").unwrap();
        let writer = std::sync::Arc::new(Writer::start(&path).unwrap());
        // Queued together, so they share transactions: every fifth write panics after
        // writing.
        let tasks: Vec<_> = (0..200_i64)
            .map(|x| {
                let writer = std::sync::Arc::clone(&writer);
                tokio::spawn(async move {
                    let write = move |c: &Connection| {
                        c.execute("insert into t (x) values (?1)", [x]).map_err(map_err)?;
                        assert!(x % 5 != 0, "a bug in write {x}");
                        Ok(x)
                    };
                    writer.run(write).await
                })
            })
            .collect();
        for (x, t) in tasks.into_iter().enumerate() {
            let answer = t.await.unwrap();
            if x % 5 == 0 {
                assert!(matches!(answer, Err(StoreError::Other(_))), "write {x}: {answer:?}");
            } else {
                assert_eq!(answer.unwrap(), x as i64, "its neighbours commit");
            }
        }
        let stored: Vec<i64> = writer
            .run(|c| {
                let mut s = c.prepare("select x from t order by x").map_err(map_err)?;
                let rows = s.query_map([], |r| r.get(0)).map_err(map_err)?;
                rows.collect::<rusqlite::Result<Vec<i64>>>().map_err(map_err)
            })
            .await
            .unwrap();
        assert_eq!(stored, (0..200).filter(|x| x % 5 != 0).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_constraint_violation_is_a_conflict() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        Connection::open(&path).unwrap().execute_batch("create table t (x integer primary key)").unwrap();
        let writer = Writer::start(&path).unwrap();
        let insert =
            |c: &Connection| c.execute("insert into t (x) values (1)", []).map(|_| ()).map_err(map_err);
        writer.run(insert).await.unwrap();
        assert!(matches!(writer.run(insert).await, Err(StoreError::Conflict { .. })));
    }
}
