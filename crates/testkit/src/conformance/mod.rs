//! Behaviour every backend of a port must show, written once. A backend's test calls
//! the suite with a factory for fresh instances.

pub mod codes;
pub mod invites;
pub mod store;

use natter_domain::entities::NewJob;
use natter_domain::ids::JobId;
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

/// A job whose sealed payload is `payload`: the store keeps the bytes it is given.
fn job(payload: &[u8]) -> NewJob {
    NewJob { id: JobId::new(), kind: "send_mail", sealed: payload.to_vec() }
}
