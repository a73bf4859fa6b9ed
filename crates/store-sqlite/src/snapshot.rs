//! A consistent copy of a live database file, for backups: `VACUUM INTO` reads the
//! database in one read transaction (WAL lets the server go on writing meanwhile) and
//! writes a compact, self-contained file with no WAL of its own.

use std::path::Path;
use std::str::FromStr;

use anyhow::Context;
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

/// What a snapshot holds, to show and to check after a restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotCounts {
    pub users: i64,
    pub chats: i64,
    pub messages: i64,
}

/// Copy the database at `url` (the server may be running) to `dest`, which must not
/// exist yet.
pub async fn snapshot(url: &str, dest: &Path) -> anyhow::Result<SnapshotCounts> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("{url:?} is not a sqlite:// URL"))?
        .read_only(true)
        .create_if_missing(false);
    let mut conn =
        SqliteConnection::connect_with(&options).await.with_context(|| format!("cannot open {url}"))?;
    let dest_text = dest.to_str().context("the backup path is not valid UTF-8")?;
    sqlx::query("vacuum into ?1")
        .bind(dest_text)
        .execute(&mut conn)
        .await
        .with_context(|| format!("cannot copy the database to {}", dest.display()))?;
    conn.close().await?;
    counts(dest).await
}

/// The row counts of a database file (a snapshot, or a restored database).
pub async fn counts(file: &Path) -> anyhow::Result<SnapshotCounts> {
    let options = SqliteConnectOptions::new().filename(file).read_only(true);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .with_context(|| format!("cannot open {}", file.display()))?;
    let (ok,): (String,) = sqlx::query_as("pragma integrity_check").fetch_one(&mut conn).await?;
    anyhow::ensure!(ok == "ok", "{} fails SQLite's integrity check: {ok}", file.display());
    let count = |table: &'static str| format!("select count(*) from {table}");
    let (users,): (i64,) = sqlx::query_as(&count("users")).fetch_one(&mut conn).await?;
    let (chats,): (i64,) = sqlx::query_as(&count("chats")).fetch_one(&mut conn).await?;
    let (messages,): (i64,) = sqlx::query_as(&count("messages")).fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(SnapshotCounts { users, chats, messages })
}

/// The file a `sqlite://` URL names.
pub fn database_path(url: &str) -> anyhow::Result<std::path::PathBuf> {
    let options =
        SqliteConnectOptions::from_str(url).with_context(|| format!("{url:?} is not a sqlite:// URL"))?;
    Ok(options.get_filename().to_owned())
}
