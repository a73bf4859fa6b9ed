//! Behaviour every backend of a port must show, written once. A backend's test calls
//! the suite with a factory for fresh instances.

pub mod codes;
pub mod invites;
pub mod nodes;
pub mod store;

/// One test per check of a conformance module, each on a fresh store, so one failing
/// check does not hide the others: `each_check!(store: check_a, check_b)` in a
/// backend's test module, next to an `async fn fresh_store() -> Option<(impl Sized,
/// Arc<dyn Store>)>` (`None`: this run skips the backend; the first value is kept
/// alive for the test, a directory or a database).
#[macro_export]
macro_rules! each_check {
    ($suite:ident: $($check:ident),* $(,)?) => {
        mod $suite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let Some((_keep, store)) = super::fresh_store().await else { return };
                    $crate::conformance::$suite::$check(store).await;
                }
            )*
        }
    };
}

/// As `each_check!`, for the checks of `nodes` that take two stores on one database
/// (what two processes have): next to an `async fn fresh_nodes() -> Option<(impl Sized,
/// Arc<dyn Store>, Arc<dyn Store>)>`.
#[macro_export]
macro_rules! each_node_check {
    ($($check:ident),* $(,)?) => {
        mod nodes {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let Some((_keep, one, two)) = super::fresh_nodes().await else { return };
                    $crate::conformance::nodes::$check(one, two).await;
                }
            )*
        }
    };
}

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
