//! Backends for natter's ports, one module each. Only the binary's wiring names them.

mod amqp_conn;
pub mod bus;
pub mod clock;
pub mod jobs;
pub mod limiter;
pub mod mailer;
pub mod media;
pub mod presence;
pub mod push;
mod redis_conn;
