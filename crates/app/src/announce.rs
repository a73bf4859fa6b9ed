//! Publishing on the bus from a use-case. What is announced is already committed (or
//! ephemeral): a bus that cannot take it only delays live delivery, since clients
//! catch up from the store. So a failed publish is logged, never the request's error.

use natter_domain::bus::{Bus, BusEvent};

pub async fn announce(bus: &dyn Bus, event: BusEvent) {
    if let Err(e) = bus.publish(event).await {
        tracing::warn!(error = %e, "an event could not be published; clients catch up from the store");
    }
}
