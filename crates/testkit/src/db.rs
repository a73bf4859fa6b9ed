//! Databases for tests: which Store backend the API suite runs on, and a fresh, empty
//! PostgreSQL database per test.
//!
//! The API and socket suite runs once per backend: on SQLite (a file per test) by
//! default, and on PostgreSQL with `NATTER_TEST_DATABASE=postgres` (a database per
//! test, on the server at `NATTER_TEST_POSTGRES_URL`). `scripts/test` does both.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};

/// The server the PostgreSQL tests create their databases on, as an admin URL.
pub const POSTGRES_URL_VAR: &str = "NATTER_TEST_POSTGRES_URL";
/// `postgres` to run the API suite on PostgreSQL; unset (or `sqlite`): on SQLite.
pub const BACKEND_VAR: &str = "NATTER_TEST_DATABASE";

/// The Store backend the test servers of this run use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// As `NATTER_TEST_DATABASE` says; anything but `sqlite` or `postgres` fails the
    /// test rather than quietly running on SQLite.
    pub fn current() -> Self {
        match std::env::var(BACKEND_VAR).as_deref().map(str::trim) {
            Err(_) | Ok("" | "sqlite") => Backend::Sqlite,
            Ok("postgres") => Backend::Postgres,
            Ok(other) => panic!("{BACKEND_VAR} must be sqlite or postgres, not {other:?}"),
        }
    }
}

/// For a test that only means something on SQLite (it reads the database file, say):
/// `true` on the PostgreSQL run, after saying on stderr that `test` is skipped there.
/// Such a test starts with `if skip_on_postgres(...) { return; }` and says why.
pub fn skip_on_postgres(test: &str) -> bool {
    let skip = Backend::current() == Backend::Postgres;
    if skip {
        eprintln!("skipped on the PostgreSQL run: {test} is about SQLite only");
    }
    skip
}

/// The admin URL of the test PostgreSQL server, or a failure that says how to get one:
/// a PostgreSQL test never passes without having run.
pub fn postgres_url() -> String {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{POSTGRES_URL_VAR} is not set, so the PostgreSQL tests cannot run. `scripts/test` \
             starts a private PostgreSQL and sets it; by hand (Debian's postgresql package, as root):\n  \
             mkdir /tmp/natter-pg && chown postgres /tmp/natter-pg\n  \
             runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -A trust -U postgres -D /tmp/natter-pg/data\n  \
             runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/natter-pg/data -l /tmp/natter-pg/log \
             -o \"-p 55432 -k /tmp -c listen_addresses=127.0.0.1\" -w start\n  \
             export {POSTGRES_URL_VAR}=postgres://postgres@127.0.0.1:55432/postgres"
        ),
    }
}

/// A database of its own on the test PostgreSQL server, created empty and dropped
/// (with whatever is still connected to it) when this is dropped.
pub struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let admin_url = postgres_url();
        let name = format!("natter_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = connect(&admin_url).await;
        admin
            .execute(format!("create database \"{name}\"").as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        let _ = admin.close().await;
        let mut url = url::Url::parse(&admin_url)
            .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is not a URL ({e}): {admin_url}"));
        url.set_path(&name);
        Self { admin_url, name, url: url.to_string() }
    }

    /// `postgres://.../<this database>`, for a store or `NATTER_DATABASE_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs on the test's runtime, which cannot wait for a future of its own
        // here: a thread with a runtime of its own drops the database and waits.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect_with(&PgConnectOptions::from_str(&admin_url)?).await?;
                admin.execute(format!("drop database if exists \"{name}\" with (force)").as_str()).await?;
                admin.close().await?;
                anyhow::Ok(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("the test database {} was left behind: {e:#}", self.name),
            Err(_) => eprintln!("the test database {} was left behind: the drop panicked", self.name),
        }
    }
}

async fn connect(url: &str) -> PgConnection {
    let options = PgConnectOptions::from_str(url)
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is not a postgres:// URL ({e})"));
    PgConnection::connect_with(&options).await.unwrap_or_else(|e| {
        panic!("cannot connect to the test PostgreSQL server at {POSTGRES_URL_VAR} ({e}); is it running?")
    })
}
