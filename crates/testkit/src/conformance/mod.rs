//! Behaviour every backend of a port must show, written once. A backend's test calls
//! the suite with a factory for fresh instances.

pub mod codes;
pub mod invites;
pub mod store;
