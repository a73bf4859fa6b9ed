//! The one integration-test binary: the real server on a random port, driven over HTTP.

mod auth_rules;
mod authorization;
mod backup;
mod bad_input;
mod chats;
mod client_ip;
mod cors;
mod delivery;
mod hygiene;
mod images;
mod login_lockout;
mod mail;
mod media_links;
mod metrics;
mod node_failure;
mod openapi;
mod realtime;
mod receipts;
mod roles;
mod security_headers;
mod sessions;
mod signup;
mod socket_caps;
mod store_postgres;
mod store_sqlite;
mod users;
