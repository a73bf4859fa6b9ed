//! The SQLite side: one read-only connection holding one read transaction for the whole
//! run, so every page, count and final check sees the same snapshot of the file (WAL
//! lets a server go on writing meanwhile; what it writes after the snapshot is not
//! copied, which is why the command asks for the server to be stopped).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};

use crate::tables::{DERIVED_SQLITE_TABLES, Table};

pub struct Source {
    /// `None` only while a blocking call has it.
    conn: Option<Connection>,
    path: PathBuf,
}

impl Source {
    /// Open the database file read-only and take the snapshot.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        anyhow::ensure!(path.is_file(), "there is no SQLite database at {}", path.display());
        let owned = path.to_owned();
        let conn = tokio::task::spawn_blocking(move || -> anyhow::Result<Connection> {
            let conn = Connection::open_with_flags(
                &owned,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .with_context(|| format!("cannot open {}", owned.display()))?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            // A deferred transaction takes its snapshot at the first read: do one now.
            conn.execute_batch("begin")?;
            conn.query_row("select count(*) from sqlite_master", [], |_| Ok(()))?;
            Ok(conn)
        })
        .await??;
        Ok(Self { conn: Some(conn), path: path.to_owned() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn with<T: Send + 'static>(
        &mut self,
        f: impl FnOnce(&Connection) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let conn = self.conn.take().context("the source connection was lost by an earlier failure")?;
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let result = f(&conn);
            (conn, result)
        })
        .await?;
        self.conn = Some(conn);
        result
    }

    /// The columns of each table, to check that the copy knows every one of them.
    pub async fn schema(&mut self) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
        self.with(|conn| {
            let mut tables = conn.prepare(
                "select name from sqlite_master where type = 'table'
                  and name not like 'sqlite_%' and name not like '_sqlx_%' order by name",
            )?;
            let names: Vec<String> = tables.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            let names = names.into_iter().filter(|n| !DERIVED_SQLITE_TABLES.contains(&n.as_str()));
            let mut schema = BTreeMap::new();
            for name in names {
                let mut cols = conn.prepare("select name from pragma_table_info(?1) order by name")?;
                let list: Vec<String> = cols.query_map([&name], |r| r.get(0))?.collect::<Result<_, _>>()?;
                schema.insert(name, list);
            }
            Ok(schema)
        })
        .await
    }

    pub async fn count(&mut self, table: &'static Table) -> anyhow::Result<i64> {
        self.with(move |conn| {
            Ok(conn.query_row(&format!("select count(*) from {}", table.name), [], |r| r.get(0))?)
        })
        .await
    }

    /// Up to `limit` rows of `table` after the key `after` (from the start with `None`),
    /// in key order, each with the values of `table.cols`.
    pub async fn page(
        &mut self,
        table: &'static Table,
        after: Option<Vec<Value>>,
        limit: usize,
    ) -> anyhow::Result<Vec<Vec<Value>>> {
        self.with(move |conn| {
            let keys = table.key_list();
            let (filter, params): (String, Vec<Value>) = match after {
                None => (String::new(), Vec::new()),
                Some(key) => {
                    if key.len() != table.key.len() {
                        bail!("the saved position in {} has the wrong shape", table.name);
                    }
                    let marks: Vec<String> = (1..=key.len()).map(|i| format!("?{i}")).collect();
                    (format!("where ({keys}) > ({})", marks.join(", ")), key)
                }
            };
            let sql = format!(
                "select {} from {} {filter} order by {keys} limit {limit}",
                table.column_list(),
                table.name
            );
            let mut stmt = conn.prepare(&sql)?;
            let width = table.cols.len();
            let rows = stmt
                .query_map(rusqlite::params_from_iter(params), |r| {
                    (0..width).map(|i| r.get::<_, Value>(i)).collect::<Result<Vec<_>, _>>()
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }

    /// Each chat's `last_seq` and the `seq` of its newest feed row, by chat id.
    pub async fn last_seqs(&mut self) -> anyhow::Result<BTreeMap<String, (i64, i64)>> {
        self.with(|conn| {
            let mut stmt = conn.prepare(
                "select c.id, c.last_seq, coalesce((select max(seq) from chat_events e where e.chat_id = c.id), 0)
                   from chats c",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?))))?
                .collect::<Result<BTreeMap<_, _>, _>>()?;
            Ok(rows)
        })
        .await
    }
}
