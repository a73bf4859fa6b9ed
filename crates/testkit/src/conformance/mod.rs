//! Behaviour every backend of a port must show, written once. A backend's test calls
//! the suite with a factory for fresh instances.

pub mod codes;
pub mod invites;
pub mod store;

use natter_domain::{DisplayName, Email, Timestamp};

/// A fixed moment the suites count from, so every backend sees the same times.
const T0: i64 = 1_800_000_000_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(T0 + ms)
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

fn name(s: &str) -> DisplayName {
    DisplayName::parse(s).unwrap()
}
