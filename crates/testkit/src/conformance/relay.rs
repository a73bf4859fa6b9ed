//! Jobs relayed to a broker (`NATTER_AMQP_URL`): the outbox row stays the truth about
//! a job while the broker carries its message, so a message delivered twice (a
//! consumer died before its ack, a relay died between the confirm and its mark) is
//! acted on once. Each check takes a fresh store.

use std::sync::Arc;

use natter_domain::entities::RelayedClaim;
use natter_domain::ids::JobId;
use natter_domain::ports::Store;

use super::store::code;
use super::{at, job};

fn leased(claim: RelayedClaim) -> natter_domain::entities::LeaseId {
    match claim {
        RelayedClaim::Leased(lease) => lease,
        other => panic!("the delivery should hold the job, not {other:?}"),
    }
}

pub async fn a_relayed_job_leaves_the_outbox_and_one_delivery_at_a_time_holds_it(s: Arc<dyn Store>) {
    let mail = job(b"sealed");
    s.put_login_code(code("a@x.io", b"h", 0), mail.clone()).await.unwrap();
    let relay = s.claim_job(at(0), at(10_000)).await.unwrap().expect("due");
    assert!(s.relay_job(mail.id, relay.lease, at(1)).await.unwrap(), "the relay's lease holds it");
    assert!(!s.relay_job(mail.id, relay.lease, at(2)).await.unwrap(), "relayed once");
    assert_eq!(
        s.claim_job(at(20_000), at(30_000)).await.unwrap(),
        None,
        "a relayed job is not in the outbox, even after the relay's lease ran out"
    );

    let first = leased(s.take_relayed_job(mail.id, at(3), at(60_003)).await.unwrap());
    assert_eq!(
        s.take_relayed_job(mail.id, at(4), at(60_004)).await.unwrap(),
        RelayedClaim::Busy,
        "a second delivery waits while the first holds it"
    );
    assert!(s.complete_job(mail.id, first, at(5)).await.unwrap());
    assert_eq!(
        s.take_relayed_job(mail.id, at(100_000), at(160_000)).await.unwrap(),
        RelayedClaim::Settled,
        "a delivery of a done job is a duplicate"
    );
    assert_eq!(s.take_relayed_job(JobId::new(), at(6), at(60_006)).await.unwrap(), RelayedClaim::Unknown);
}

pub async fn a_delivery_whose_holder_died_takes_the_job_once_its_lease_ran_out(s: Arc<dyn Store>) {
    let mail = job(b"sealed");
    s.put_login_code(code("a@x.io", b"h", 0), mail.clone()).await.unwrap();
    let relay = s.claim_job(at(0), at(10_000)).await.unwrap().expect("due");
    assert!(s.relay_job(mail.id, relay.lease, at(1)).await.unwrap());
    let died = leased(s.take_relayed_job(mail.id, at(2), at(60_000)).await.unwrap());
    assert_eq!(s.take_relayed_job(mail.id, at(59_999), at(119_999)).await.unwrap(), RelayedClaim::Busy);
    let again = leased(s.take_relayed_job(mail.id, at(60_000), at(120_000)).await.unwrap());
    assert_ne!(again, died);
    assert!(!s.complete_job(mail.id, died, at(60_001)).await.unwrap(), "the dead holder settles nothing");
    // A failed try gives the job back for the next delivery (the broker's retry).
    assert!(s.fail_job(mail.id, again, "smtp down", Some(at(61_000)), at(60_002)).await.unwrap());
    let retry = leased(s.take_relayed_job(mail.id, at(61_000), at(121_000)).await.unwrap());
    assert!(s.fail_job(mail.id, retry, "smtp down", None, at(61_001)).await.unwrap(), "dead letter");
    assert_eq!(
        s.take_relayed_job(mail.id, at(200_000), at(260_000)).await.unwrap(),
        RelayedClaim::Settled,
        "a dead job is settled too"
    );
    assert_eq!(s.claim_job(at(300_000), at(360_000)).await.unwrap(), None, "nor is it back in the outbox");
}

/// The consumer got the message before the relay's mark committed (the broker's
/// confirm and its delivery race): the delivery takes the job, marks it relayed, and
/// the relay's late mark changes nothing.
pub async fn a_delivery_that_beats_the_relays_mark_takes_the_job(s: Arc<dyn Store>) {
    let mail = job(b"sealed");
    s.put_login_code(code("a@x.io", b"h", 0), mail.clone()).await.unwrap();
    let relay = s.claim_job(at(0), at(10_000)).await.unwrap().expect("due");
    let lease = leased(s.take_relayed_job(mail.id, at(1), at(60_001)).await.unwrap());
    assert!(!s.relay_job(mail.id, relay.lease, at(2)).await.unwrap(), "the delivery holds it now");
    assert_eq!(s.claim_job(at(20_000), at(30_000)).await.unwrap(), None, "and it left the outbox");
    assert!(s.complete_job(mail.id, lease, at(3)).await.unwrap());
    assert!(!s.complete_job(mail.id, relay.lease, at(4)).await.unwrap());
}
