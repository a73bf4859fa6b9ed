//! The one integration-test binary: the real server on a random port, driven over HTTP.

mod auth_rules;
mod authorization;
mod bad_input;
mod chats;
mod delivery;
mod hygiene;
mod images;
mod login_lockout;
mod mail;
mod realtime;
mod sessions;
mod signup;
mod store_sqlite;
mod users;
