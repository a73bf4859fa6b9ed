//! `natter admin backup FILE` and `natter admin restore FILE`: one archive (tar) holding
//! a consistent copy of the embedded database, the media and the server secret, taken
//! while the server runs, and brought back into an empty data directory, where a
//! server answers the old sessions (the secret signs them) and the old history.
//!
//! The database is copied first (`VACUUM INTO`, one read transaction), the media after:
//! an image is stored before the message that shows it commits, so every image the copy
//! refers to is on disk by then.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail, ensure};
use natter_store_sqlite::SnapshotCounts;

use crate::config::{SECRET_FILE, Settings};

const DATABASE: &str = "natter.db";
const MEDIA: &str = "media";
const MANIFEST: &str = "MANIFEST";
/// The archive layout this build writes and reads.
const FORMAT: &str = "natter-backup 1";

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub counts: SnapshotCounts,
    pub media_files: u64,
}

pub async fn backup(settings: &Settings, file: &Path) -> anyhow::Result<BackupReport> {
    ensure!(!file.exists(), "{} exists already; choose a new file", file.display());
    let url = sqlite_url(settings)?;
    let parent = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let work = tempfile::Builder::new()
        .prefix(".natter-backup-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot write next to {}", file.display()))?;
    let db = work.path().join(DATABASE);
    let counts = natter_store_sqlite::snapshot(url, &db).await?;
    let partial = work.path().join("archive.tar");
    let mut tar = tar::Builder::new(BufWriter::new(File::create(&partial)?));
    tar.append_path_with_name(&db, DATABASE)?;
    // A secret given as NATTER_SECRET goes into the archive like a generated one, so a
    // restore works with or without that variable.
    match &settings.secret {
        Some(configured) => {
            append_private(&mut tar, SECRET_FILE, hex::encode(configured.bytes()).as_bytes())?
        }
        None => {
            let secret = settings.data_dir.join(SECRET_FILE);
            tar.append_path_with_name(&secret, SECRET_FILE)
                .with_context(|| format!("cannot read the server secret {}", secret.display()))?;
        }
    }
    let media = settings.data_dir.join(MEDIA);
    let media_files = if media.is_dir() {
        tar.append_dir_all(MEDIA, &media)?;
        count_files(&media)?
    } else {
        0
    };
    let manifest = manifest(&counts, media_files);
    append_private(&mut tar, MANIFEST, manifest.as_bytes())?;
    let mut out = tar.into_inner()?;
    out.flush()?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, file).with_context(|| format!("cannot create {}", file.display()))?;
    Ok(BackupReport { counts, media_files })
}

pub async fn restore(settings: &Settings, file: &Path) -> anyhow::Result<BackupReport> {
    let db_path = natter_store_sqlite::database_path(sqlite_url(settings)?)?;
    let dir = &settings.data_dir;
    if dir.exists() {
        ensure!(
            std::fs::read_dir(dir)?.next().is_none(),
            "the data directory {} is not empty: restore into a new one (set NATTER_DATA_DIR)",
            dir.display()
        );
    }
    ensure!(!db_path.exists(), "{} exists already", db_path.display());
    std::fs::create_dir_all(dir)?;
    let mut archive =
        tar::Archive::new(File::open(file).with_context(|| format!("cannot open {}", file.display()))?);
    let mut manifest = None;
    for entry in archive.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.into_owned();
        match archive_name(&name)? {
            Entry::Database => {
                entry.unpack(&db_path)?;
            }
            Entry::Manifest => {
                let mut text = String::new();
                entry.read_to_string(&mut text)?;
                manifest = Some(text);
            }
            Entry::Inside => {
                entry.unpack_in(dir)?;
            }
        }
    }
    let manifest = manifest.context("the archive has no MANIFEST: it is not a natter backup")?;
    ensure!(manifest.lines().next() == Some(FORMAT), "the archive is not a {FORMAT} archive");
    ensure!(dir.join(SECRET_FILE).is_file(), "the archive has no server secret");
    restrict(&dir.join(SECRET_FILE))?;
    let counts = natter_store_sqlite::counts(&db_path).await?;
    let media = dir.join(MEDIA);
    let media_files = if media.is_dir() { count_files(&media)? } else { 0 };
    let report = BackupReport { counts, media_files };
    ensure!(
        manifest == self::manifest(&report.counts, report.media_files),
        "what was restored does not match the archive's MANIFEST:\n{manifest}"
    );
    Ok(report)
}

fn sqlite_url(settings: &Settings) -> anyhow::Result<&str> {
    let url = settings.database_url.as_str();
    if !url.starts_with("sqlite:") {
        bail!("backup and restore cover the embedded SQLite store; back PostgreSQL up with pg_dump");
    }
    Ok(url)
}

enum Entry {
    Database,
    Manifest,
    /// The secret or a media file, unpacked under the data directory.
    Inside,
}

/// Only the names a backup writes, and never a path that leaves the data directory.
fn archive_name(name: &Path) -> anyhow::Result<Entry> {
    let safe = name.components().all(|c| matches!(c, Component::Normal(_)));
    ensure!(safe, "the archive holds a path that leaves the data directory: {}", name.display());
    Ok(match name.to_str() {
        Some(DATABASE) => Entry::Database,
        Some(MANIFEST) => Entry::Manifest,
        Some(SECRET_FILE) => Entry::Inside,
        _ if name.starts_with(MEDIA) => Entry::Inside,
        _ => bail!("the archive holds {}, which a natter backup never does", name.display()),
    })
}

/// A file of the archive made from bytes, readable by its owner only.
fn append_private<W: std::io::Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
) -> anyhow::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_cksum();
    tar.append_data(&mut header, name, bytes)?;
    Ok(())
}

fn manifest(c: &SnapshotCounts, media_files: u64) -> String {
    format!(
        "{FORMAT}\nusers {}\nchats {}\nmessages {}\nmedia files {media_files}\n",
        c.users, c.chats, c.messages
    )
}

fn count_files(dir: &Path) -> anyhow::Result<u64> {
    let mut n = 0;
    let mut stack: Vec<PathBuf> = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                stack.push(entry.path());
            } else {
                n += 1;
            }
        }
    }
    Ok(n)
}

#[cfg(unix)]
fn restrict(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}
