//! The one integration-test binary: the real server on a random port, driven over HTTP.

mod auth_rules;
mod bad_input;
mod hygiene;
mod mail;
mod sessions;
mod store_sqlite;
mod users;
