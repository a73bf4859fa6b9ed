//! Point reads by primary key on the caller's thread.
//!
//! Every request reads its session and a REST send its sender; through sqlx each read
//! is a round trip to a pool connection's worker thread (two thread switches), which
//! profiled as a third of a REST request's CPU. A lookup by key in the page cache takes
//! microseconds, so it runs right here on a connection borrowed from a small pool;
//! anything that scans stays on the async read pool.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use natter_domain::ports::StoreResult;
use rusqlite::{Connection, OpenFlags};

use crate::writer::map_err;

/// Connections kept for reuse; more may be open at once under contention.
const KEEP: usize = 8;

pub(crate) struct Lookups {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Lookups {
    pub(crate) fn new(path: &Path) -> Self {
        Self { path: path.to_owned(), idle: Mutex::new(Vec::new()) }
    }

    /// Run `read` on an idle read-only connection (a new one if none is idle).
    pub(crate) fn run<T>(&self, read: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(map_err)?;
                c.busy_timeout(std::time::Duration::from_secs(2)).map_err(map_err)?;
                c
            }
        };
        let result = read(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < KEEP {
            idle.push(conn);
        }
        result
    }
}
