//! `natter admin migrate --to postgres://...`: copy an installation from its SQLite
//! file into an empty PostgreSQL database, table by table, in pages.
//!
//! - **Refuses a non-empty target**, unless it holds an unfinished copy of the same
//!   source, which it then resumes: each page commits with its position, so a copy
//!   interrupted anywhere (Ctrl-C, a crash, a lost connection) goes on after the last
//!   committed page, and writing a page again only rewrites the same rows.
//! - **Checks at the end**, inside the same source snapshot: every table's row count,
//!   and each chat's `last_seq` and newest feed `seq`, equal on both sides. Only then
//!   does the target become servable; PgStore refuses a database with an unfinished
//!   copy in it.
//! - Copies rows exactly (ids, `seq`, read markers, sealed job payloads, session ids),
//!   so sessions stay valid under the same server secret and media keys still name the
//!   files in the data directory, which stays where it is.

mod source;
mod tables;
mod target;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;

use anyhow::bail;

use source::Source;
use tables::TABLES;
use target::Target;

/// Rows per page: one transaction on the target, and the unit of progress and resume.
pub const DEFAULT_PAGE_ROWS: usize = 1000;

/// Where the copy is, after each committed page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub table: &'static str,
    pub copied: i64,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: &'static str,
    pub rows: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every table copied and checked; the target can be served.
    Copied { tables: Vec<TableCount>, chats_checked: usize, resumed: bool },
    /// Stopped when the observer asked, after a committed page: run again to go on.
    Interrupted,
}

/// Copy the SQLite database at `source` into the PostgreSQL database at `target_url`,
/// telling `observe` after every page; it may stop the copy with `Break`.
pub async fn migrate(
    source: &Path,
    target_url: &str,
    page_rows: usize,
    mut observe: impl FnMut(&Progress) -> ControlFlow<()>,
) -> anyhow::Result<Outcome> {
    anyhow::ensure!(page_rows > 0, "a page needs at least one row");
    // The source is migrated to this build's schema first, as `natter serve` would.
    natter_store_sqlite::migrate_existing(source).await?;
    let mut src = Source::open(source).await?;
    let dst = Target::open(target_url).await?;
    let source_name = std::fs::canonicalize(src.path())?.display().to_string();
    same_tables(&src.schema().await?, "the SQLite source", false)?;
    same_tables(&dst.schema().await?, "the PostgreSQL target", true)?;

    let (mut positions, resumed) = match dst.positions(&source_name).await? {
        Some(p) => (p, true),
        None => {
            let full = dst.non_empty_tables().await?;
            if !full.is_empty() {
                bail!(
                    "the target database is not empty ({} hold rows): migrate into a new, empty database",
                    full.join(", ")
                );
            }
            dst.start(&source_name).await?;
            let p = dst.positions(&source_name).await?.unwrap_or_default();
            (p, false)
        }
    };

    // Counted once, in the source's one snapshot: the progress totals and the check.
    let mut totals = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        if table.recopy && resumed {
            dst.restart_table(table).await?;
            positions.remove(table.name);
        }
        let total = src.count(table).await?;
        totals.push(total);
        let start = positions.remove(table.name).unwrap_or(target::Position { last_key: None, copied: 0 });
        let (mut after, mut copied) = (start.last_key, start.copied);
        loop {
            let rows = src.page(table, after.clone(), page_rows).await?;
            let Some(last) = rows.last() else { break };
            copied += rows.len() as i64;
            dst.write_page(table, &rows, copied).await?;
            after = Some(table.key_positions().into_iter().map(|i| last[i].clone()).collect());
            if observe(&Progress { table: table.name, copied, total }).is_break() {
                return Ok(Outcome::Interrupted);
            }
            if rows.len() < page_rows {
                break;
            }
        }
    }

    let mut tables = Vec::new();
    let mut mismatches = Vec::new();
    for (table, want) in TABLES.iter().zip(totals) {
        let got = dst.count(table).await?;
        if want != got {
            mismatches.push(format!("{}: {want} rows in SQLite, {got} in PostgreSQL", table.name));
        }
        tables.push(TableCount { table: table.name, rows: got });
    }
    let (want, got) = (src.last_seqs().await?, dst.last_seqs().await?);
    for (chat, seqs) in &want {
        if got.get(chat) != Some(seqs) {
            mismatches.push(format!(
                "chat {chat}: last seq and feed seq {seqs:?} in SQLite, {:?} in PostgreSQL",
                got.get(chat)
            ));
        }
    }
    if !mismatches.is_empty() {
        // Rows changed after an earlier run copied them (a server was still running
        // on the source?): the next run writes every row again.
        dst.rewind().await?;
        mismatches.truncate(10);
        bail!(
            "the copy does not match the source, so the target stays unservable:\n  {}\n\
             Stop every server that uses the SQLite file and run the migration again.",
            mismatches.join("\n  ")
        );
    }
    dst.finish().await?;
    Ok(Outcome::Copied { tables, chats_checked: want.len(), resumed })
}

/// The tables and columns `schema` has are exactly the ones this copy knows (on
/// PostgreSQL with the columns it generates itself).
fn same_tables(schema: &BTreeMap<String, Vec<String>>, side: &str, postgres: bool) -> anyhow::Result<()> {
    let known: BTreeMap<String, Vec<String>> = TABLES
        .iter()
        .map(|t| {
            let generated = t.pg_generated.iter().filter(|_| postgres);
            let mut cols: Vec<String> =
                t.cols.iter().map(|(c, _)| *c).chain(generated.copied()).map(str::to_owned).collect();
            cols.sort();
            (t.name.to_owned(), cols)
        })
        .collect();
    if schema != &known {
        bail!(
            "{side} has tables or columns this build does not know how to copy \
             (has {schema:?}, knows {known:?}); use the natter version that wrote it"
        );
    }
    Ok(())
}
