mod amqp;
mod relay;
mod store;
pub mod topology;

pub use crate::amqp_conn::AmqpLink;
pub use amqp::{AmqpJobs, PREFETCH};
pub use relay::{AmqpRelay, RELAY_LEASE};
pub use store::StoreJobs;
