//! Test support: start the real server on a random port with a fresh data directory
//! (and database, and media), drive it like a client would, and the conformance suites for the
//! ports.

pub mod clock;
pub mod conformance;
pub mod db;
pub mod faults;
pub mod fixtures;
pub mod push_service;
pub mod rabbitmq;
pub mod redis;
pub mod s3;
pub mod smtp;
pub mod socket;
pub mod spawn;

pub use clock::ManualClock;
pub use socket::TestSocket;
pub use spawn::{LoggedIn, Signup, TestApp, TestData, TestOptions, spawn_app, spawn_app_with};

/// A media link without its signature (`?exp=&sig=`).
pub fn unsigned(link: &str) -> String {
    link.split_once('?').map_or(link, |(path, _)| path).to_owned()
}

/// Poll `f` until it returns `Some`, or fail after `deadline`. For readiness checks
/// that have no event to wait on (mail arriving at a server we do not control).
pub async fn eventually<T, F, Fut>(deadline: std::time::Duration, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = tokio::time::Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < deadline, "timed out after {deadline:?} waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}
