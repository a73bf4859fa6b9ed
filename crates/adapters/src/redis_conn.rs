//! How the Redis adapters connect: one timeout for everything, so that a Redis that is
//! down is noticed in half a second, never waited on.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// How long a command or a connection attempt may take before Redis counts as down.
pub(crate) const REDIS_TIMEOUT: Duration = Duration::from_millis(500);
/// The longest pause between two attempts to reconnect.
pub(crate) const RECONNECT_AT_MOST_EVERY: Duration = Duration::from_millis(250);

/// A connection that reconnects by itself, or an error when Redis cannot be reached
/// now (so a node does not start half-connected). Errors never name the URL: it may
/// carry a password, and the caller says which setting it came from.
pub(crate) async fn manager(client: &redis::Client) -> anyhow::Result<ConnectionManager> {
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(REDIS_TIMEOUT)
        .set_response_timeout(REDIS_TIMEOUT)
        .set_number_of_retries(1)
        .set_max_delay(RECONNECT_AT_MOST_EVERY.as_millis() as u64);
    tokio::time::timeout(REDIS_TIMEOUT * 4, ConnectionManager::new_with_config(client.clone(), config))
        .await
        .map_err(|_| anyhow::anyhow!("Redis did not answer within {:?}", REDIS_TIMEOUT * 4))?
        .map_err(Into::into)
}
