//! natter's use-cases. Handlers (HTTP or socket) parse their input, call one method
//! here and map the result; every rule and every authorization check lives here.

pub mod announce;
pub mod auth;
pub mod blocks;
pub mod chats;
pub mod client_ip;
pub mod connections;
pub mod decode_gate;
pub mod error;
pub mod feed_sweeper;
pub mod groups;
pub mod health;
pub mod job_seal;
pub mod jobs;
pub mod last_seen;
pub mod media;
pub mod media_links;
pub mod message_changes;
pub mod messages;
pub mod metrics;
pub mod origins;
pub mod presence;
pub mod push;
pub mod search;
pub mod secrets;
pub mod session_cookie;
pub mod settings;
pub mod signup;
pub mod tokens;
pub mod unread_mail;
pub mod users;
pub mod wire;

pub use error::{AppError, AppResult};
