//! `natter admin migrate --to postgres://...`: the installation's SQLite store copied
//! into an empty PostgreSQL database (`natter-migrate` does the copy, resumably).
//! Media and the server secret stay in the data directory: a server started on the
//! same data directory with `NATTER_DATABASE_URL` set to the target serves them.

use std::ops::ControlFlow;

use anyhow::ensure;
pub use natter_migrate::{DEFAULT_PAGE_ROWS, Outcome, Progress};

use crate::config::{Settings, StoreChoice};

pub async fn migrate_to(
    settings: &Settings,
    target_url: &str,
    page_rows: usize,
    observe: impl FnMut(&Progress) -> ControlFlow<()>,
) -> anyhow::Result<Outcome> {
    ensure!(
        settings.store() == StoreChoice::Sqlite,
        "the configured store (NATTER_DATABASE_URL) is not SQLite: migrate copies an SQLite installation"
    );
    ensure!(
        StoreChoice::of(target_url) == Some(StoreChoice::Postgres),
        "--to must be a postgres:// (or postgresql://) URL"
    );
    let source = natter_store_sqlite::database_path(&settings.database_url)?;
    natter_migrate::migrate(&source, target_url, page_rows, observe).await
}
