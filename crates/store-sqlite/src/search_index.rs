//! The search index brought up to date in batches (migration 0016).
//!
//! A message's row number (`message_search_rows`) is written with the message; its
//! text reaches the FTS5 index later, many messages in one write: FTS5 writes a
//! segment at every savepoint's release, and every write of the store is a savepoint
//! of its own (`writer.rs`), so indexing in the message's write made each message pay
//! for a segment (about half of its write, docs/PERFORMANCE.md). A background task
//! indexes what is waiting a few times a second, and a search first indexes what is
//! waiting, so it still finds every message that was acked before it.

use std::time::Duration;

use natter_domain::ports::StoreResult;
use rusqlite::params;
use sqlx::SqlitePool;

use crate::rows::map_err;
use crate::writer::{WeakWriter, Writer, map_err as w};

/// How often the background task looks for rows waiting.
const EVERY: Duration = Duration::from_millis(250);
/// Rows indexed in one write: bounds how long it holds the writer (about 10 us a row).
const BATCH: i64 = 2_000;
/// Batches a search runs before it reads: enough for any live backlog; past it (a bulk
/// import being indexed) the search reads what is indexed so far.
const SEARCH_CATCH_UP_BATCHES: usize = 5;

/// Whether rows wait to be indexed, as of the newest commit.
async fn waiting(reader: &SqlitePool) -> StoreResult<bool> {
    sqlx::query_scalar(
        "select coalesce((select max(id) from message_search_rows), 0)
              > (select indexed_upto from message_search_state)",
    )
    .fetch_one(reader)
    .await
    .map_err(map_err)
}

/// Index what waits, up to `batches` writes; whether nothing is left waiting.
pub(crate) async fn catch_up(writer: &Writer, reader: &SqlitePool, batches: usize) -> StoreResult<bool> {
    if !waiting(reader).await? {
        return Ok(true);
    }
    for _ in 0..batches {
        if writer.run(|conn| index_waiting(conn, BATCH)).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Before a search: what was acked is found.
pub(crate) async fn catch_up_for_search(writer: &Writer, reader: &SqlitePool) -> StoreResult<()> {
    catch_up(writer, reader, SEARCH_CATCH_UP_BATCHES).await.map(|_| ())
}

/// Index the rows waiting until the store is dropped. Failures (a busy writer) are
/// retried at the next look; the rows wait meanwhile, in the database.
pub(crate) async fn run_in_background(writer: WeakWriter, reader: SqlitePool) {
    loop {
        tokio::time::sleep(EVERY).await;
        let Some(writer) = writer.upgrade() else { return };
        match catch_up(&writer, &reader, usize::MAX).await {
            Ok(_) => {}
            Err(natter_domain::StoreError::Busy) => {}
            Err(e) => tracing::warn!(error = %e, "indexing messages for search failed; retrying"),
        }
    }
}

/// On the writer: index up to `limit` rows past the mark and move it; whether that
/// was all of them. One statement, so FTS5 writes one segment for the whole batch.
fn index_waiting(conn: &rusqlite::Connection, limit: i64) -> StoreResult<bool> {
    let (from, newest): (i64, i64) = conn
        .prepare_cached(
            "select indexed_upto, coalesce((select max(id) from message_search_rows), 0)
             from message_search_state",
        )
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))))
        .map_err(w)?;
    if newest <= from {
        return Ok(true);
    }
    let to = newest.min(from + limit);
    conn.prepare_cached(
        "insert into message_search (rowid, text)
         select r.id, m.text from message_search_rows r join messages m on m.id = r.message_id
         where r.id > ?1 and r.id <= ?2 and m.text <> ''",
    )
    .and_then(|mut s| s.execute(params![from, to]))
    .map_err(w)?;
    conn.prepare_cached("update message_search_state set indexed_upto = ?1")
        .and_then(|mut s| s.execute(params![to]))
        .map_err(w)?;
    Ok(to == newest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;

    /// Messages nobody searched for are indexed anyway, without holding their writes.
    #[tokio::test]
    async fn what_waits_is_indexed_in_the_background_within_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("s.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        store
            .writer
            .run(|c| {
                c.execute_batch(
                    "insert into users (id, email, name, created_at, updated_at) values ('u', 'u@x.io', 'U', 0, 0);
                     insert into chats (id, created_at, updated_at) values ('c', 0, 0);
                     insert into messages (id, chat_id, seq, sender_id, client_id, kind, text, created_at, updated_at)
                     values ('m1', 'c', 1, 'u', 'k1', 'text', 'one', 0, 0), ('m2', 'c', 2, 'u', 'k2', 'text', 'two', 0, 0);",
                )
                .map_err(w)
            })
            .await
            .unwrap();
        assert!(waiting(&store.reader).await.unwrap(), "the write itself does not index");
        tokio::time::sleep(EVERY * 4).await;
        assert!(!waiting(&store.reader).await.unwrap(), "nothing waits after a second");
        let indexed: i64 =
            sqlx::query_scalar("select count(*) from message_search where message_search match 'one OR two'")
                .fetch_one(&store.reader)
                .await
                .unwrap();
        assert_eq!(indexed, 2);
    }
}
