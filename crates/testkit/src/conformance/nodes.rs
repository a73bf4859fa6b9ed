//! Two store instances on one database, as two natter processes (nodes) have them:
//! separate pools and connections, nothing shared in memory. What one process gets
//! from a single writer or a lock of its own must hold across them too. One public
//! function per check, each given two fresh stores on one fresh database
//! (`each_node_check!`).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use natter_adapters::bus::MemoryBus;
use natter_app::feed_sweeper::{ConfirmingBus, FeedSweeper, SWEEP_GRACE, SWEEP_HORIZON};
use natter_domain::bus::{Bus, BusEvent};
use natter_domain::chat::FeedKind;
use natter_domain::entities::{Admission, Admitted, CodeCheck, RelayedClaim};
use natter_domain::ids::{JobId, UserId};
use natter_domain::ports::{Clock, Store};

use super::store::{code, direct_chat, feed, last_seq, text, user};
use super::{at, email, job, name};
use crate::ManualClock;

/// The node of the `i`th task: they alternate.
fn node(i: usize, one: &Arc<dyn Store>, two: &Arc<dyn Store>) -> Arc<dyn Store> {
    if i.is_multiple_of(2) { one.clone() } else { two.clone() }
}

/// Writers on both nodes send to one chat while a reader on each node watches its
/// feed. Every message gets one seq of 1..=100; each writer's messages (each sent
/// once the one before it was committed) get increasing seqs; and no reader ever sees
/// a row before every row with a smaller seq: rows become visible in seq order, so
/// seq order is commit order and a consumer that meets a gap can read it.
pub async fn two_nodes_writing_to_one_chat_get_gapless_seqs_in_commit_order(
    one: Arc<dyn Store>,
    two: Arc<dyn Store>,
) {
    const WRITERS: usize = 4;
    const EACH: usize = 25;
    let (a, b) = (user(&one, "a@x.io").await, user(&two, "b@x.io").await);
    let chat = direct_chat(&one, a, b, 1).await;
    let writing = Arc::new(AtomicBool::new(true));
    let readers: Vec<_> = [one.clone(), two.clone()]
        .into_iter()
        .map(|s| {
            let writing = writing.clone();
            tokio::spawn(async move {
                let mut reads = 0;
                let mut seen = 0;
                loop {
                    let done = !writing.load(Ordering::SeqCst);
                    let page = s.list_events(chat, 0, None, 1000).await.unwrap();
                    let seqs: Vec<i64> = page.events.iter().map(|e| e.seq).collect();
                    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "a gap was visible");
                    assert!(seqs.len() >= seen, "rows never disappear");
                    seen = seqs.len();
                    reads += 1;
                    if done {
                        return reads;
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let s = node(w, &one, &two);
            let sender = if w < WRITERS / 2 { a } else { b };
            tokio::spawn(async move {
                let mut sent = Vec::new();
                for i in 0..EACH {
                    let stored =
                        s.insert_message(text(chat, sender, &format!("w{w}-{i}"), 10)).await.unwrap();
                    assert!(stored.created);
                    sent.push((stored.message.seq, stored.message.id));
                }
                sent
            })
        })
        .collect();
    let mut sent = Vec::new();
    for w in futures::future::join_all(writers).await {
        let mine = w.unwrap();
        assert!(mine.windows(2).all(|p| p[0].0 < p[1].0), "a writer's messages keep their commit order");
        sent.extend(mine);
    }
    writing.store(false, Ordering::SeqCst);
    for r in futures::future::join_all(readers).await {
        assert!(r.unwrap() >= 2, "each reader looked at least during and after");
    }
    sent.sort();
    let total = (WRITERS * EACH) as i64;
    assert_eq!(sent.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(), (1..=total).collect::<Vec<_>>());
    let expected: Vec<_> = sent.iter().map(|(seq, id)| (*seq, FeedKind::MessageCreated, Some(*id))).collect();
    assert_eq!(feed(&one, chat).await, expected, "one feed row per message, with its seq");
    assert_eq!(feed(&two, chat).await, expected, "the same on the other node");
    assert_eq!((last_seq(&one, chat).await, last_seq(&two, chat).await), (total, total));
}

/// Retries of one message (one `(sender, clientId)`) reaching both nodes at once store
/// it once: one try creates it, every other returns it.
pub async fn retries_on_two_nodes_store_a_message_once(one: Arc<dyn Store>, two: Arc<dyn Store>) {
    let (a, b) = (user(&one, "a@x.io").await, user(&two, "b@x.io").await);
    let chat = direct_chat(&one, a, b, 1).await;
    let tries = (0..20).map(|i| {
        let s = node(i, &one, &two);
        tokio::spawn(async move { s.insert_message(text(chat, a, "once", 10 + i as i64)).await.unwrap() })
    });
    let results: Vec<_> = futures::future::join_all(tries).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(results.iter().filter(|r| r.created).count(), 1, "exactly one try creates it");
    let id = results[0].message.id;
    assert!(results.iter().all(|r| r.message.id == id && r.message.seq == 1), "all return the original");
    assert_eq!(feed(&two, chat).await, [(1, FeedKind::MessageCreated, Some(id))], "and one feed row");
    assert_eq!(last_seq(&one, chat).await, 1, "and no seq was used up by the others");
}

/// A hundred verifications of the right code at once, half on each node: exactly one
/// is accepted; the others find the code used up.
pub async fn a_hundred_parallel_checks_on_two_nodes_accept_the_code_once(
    one: Arc<dyn Store>,
    two: Arc<dyn Store>,
) {
    one.put_login_code(code("a@x.io", b"right", 0), job(b"sealed")).await.unwrap();
    let checks = (0..100).map(|i| {
        let s = node(i, &one, &two);
        tokio::spawn(async move { s.check_login_code(&email("a@x.io"), b"right", at(1), 5).await.unwrap() })
    });
    let results: Vec<CodeCheck> =
        futures::future::join_all(checks).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(results.iter().filter(|r| **r == CodeCheck::Accepted).count(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|r| **r == CodeCheck::Missing).count(), 99, "{results:?}");
}

/// Workers on both nodes claim at once: no job is ever held by two of them, and
/// every job is handed out.
pub async fn workers_on_two_nodes_never_hold_the_same_job(one: Arc<dyn Store>, two: Arc<dyn Store>) {
    const JOBS: usize = 40;
    let mut queued = HashSet::new();
    for i in 0..JOBS {
        let j = job(b"sealed");
        queued.insert(j.id);
        node(i, &one, &two).put_login_code(code(&format!("u{i}@x.io"), b"h", 0), j).await.unwrap();
    }
    // Leases far longer than the test: a job claimed twice was handed out twice.
    let workers = (0..6).map(|w| {
        let s = node(w, &one, &two);
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Some(j) = s.claim_job(at(10), at(3_600_000)).await.unwrap() {
                held.push((j.id, j.lease));
            }
            held
        })
    });
    let mut held: Vec<(JobId, _)> =
        futures::future::join_all(workers).await.into_iter().flat_map(Result::unwrap).collect();
    // A claim may come back empty while another node holds the row it would take
    // (`skip locked`): what is left is claimed here, one at a time.
    while let Some(j) = one.claim_job(at(10), at(3_600_000)).await.unwrap() {
        held.push((j.id, j.lease));
    }
    let ids: HashSet<JobId> = held.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), held.len(), "a job was held by two workers");
    assert_eq!(ids, queued, "every job was handed out");
    assert_eq!(two.claim_job(at(20), at(3_600_020)).await.unwrap(), None, "all are held");
    // Each lease settles its job on either node, once.
    for (i, (id, lease)) in held.iter().enumerate() {
        assert!(node(i + 1, &one, &two).complete_job(*id, *lease, at(30)).await.unwrap());
        assert!(!node(i, &one, &two).complete_job(*id, *lease, at(31)).await.unwrap());
    }
}

pub async fn sweepers_on_two_nodes_never_claim_the_same_feed_row(one: Arc<dyn Store>, two: Arc<dyn Store>) {
    const ROWS: i64 = 60;
    let (a, b) = (user(&one, "a@x.io").await, user(&one, "b@x.io").await);
    let chat = direct_chat(&one, a, b, 0).await;
    for i in 0..ROWS {
        node(i as usize, &one, &two).insert_message(text(chat, a, &format!("m{i}"), 10 + i)).await.unwrap();
    }
    // Claims far longer than the test: a row claimed twice was handed out twice.
    let sweepers = (0..6).map(|w| {
        let s = node(w, &one, &two);
        tokio::spawn(async move {
            let mut held = Vec::new();
            loop {
                let rows = s.claim_unpublished(at(0), at(1000), 4, at(1000), at(3_600_000)).await.unwrap();
                if rows.is_empty() {
                    return held;
                }
                held.extend(rows.into_iter().map(|e| e.seq));
            }
        })
    });
    let mut held: Vec<i64> =
        futures::future::join_all(sweepers).await.into_iter().flat_map(Result::unwrap).collect();
    // What was skipped while another node held it (`skip locked`) is claimed here.
    loop {
        let rows = one.claim_unpublished(at(0), at(1000), 100, at(1000), at(3_600_000)).await.unwrap();
        if rows.is_empty() {
            break;
        }
        held.extend(rows.into_iter().map(|e| e.seq));
    }
    let seqs: HashSet<i64> = held.iter().copied().collect();
    assert_eq!(seqs.len(), held.len(), "a row was claimed by two sweepers");
    assert_eq!(seqs, (1..=ROWS).collect(), "every row was claimed");
}

/// A broker delivered one relayed job several times at once, to consumers on both
/// nodes: exactly one delivery holds it, the others find it busy.
pub async fn deliveries_of_one_relayed_job_on_two_nodes_hold_it_once(
    one: Arc<dyn Store>,
    two: Arc<dyn Store>,
) {
    let j = job(b"sealed");
    one.put_login_code(code("a@x.io", b"h", 0), j.clone()).await.unwrap();
    let relay = two.claim_job(at(0), at(10_000)).await.unwrap().expect("due");
    assert!(two.relay_job(j.id, relay.lease, at(1)).await.unwrap());
    let takes = (0..20).map(|i| {
        let s = node(i, &one, &two);
        tokio::spawn(async move { s.take_relayed_job(j.id, at(2), at(60_002)).await.unwrap() })
    });
    let claims: Vec<RelayedClaim> =
        futures::future::join_all(takes).await.into_iter().map(Result::unwrap).collect();
    let held: Vec<_> =
        claims.iter().filter_map(|c| if let RelayedClaim::Leased(l) = c { Some(*l) } else { None }).collect();
    assert_eq!(held.len(), 1, "{claims:?}");
    assert_eq!(claims.iter().filter(|c| **c == RelayedClaim::Busy).count(), 19, "{claims:?}");
    assert!(one.complete_job(j.id, held[0], at(3)).await.unwrap());
    assert_eq!(two.take_relayed_job(j.id, at(4), at(60_004)).await.unwrap(), RelayedClaim::Settled);
}

/// Twenty strangers verifying at once on a new closed install, half on each node:
/// exactly one gets in, as its admin.
pub async fn racing_first_accounts_on_two_nodes_make_exactly_one_admin(
    one: Arc<dyn Store>,
    two: Arc<dyn Store>,
) {
    let closed = Admission::Closed { domain_allowed: false };
    let racers = (0..20).map(|i| {
        let s = node(i, &one, &two);
        tokio::spawn(async move {
            s.admit_user(&email(&format!("r{i}@x.io")), &name("r"), closed, at(i as i64)).await.unwrap()
        })
    });
    let outcomes: Vec<Admitted> =
        futures::future::join_all(racers).await.into_iter().map(Result::unwrap).collect();
    let created: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            Admitted::Created(u) => Some(u),
            _ => None,
        })
        .collect();
    assert_eq!(created.len(), 1, "{outcomes:?}");
    assert!(created[0].is_admin);
    assert_eq!(outcomes.iter().filter(|o| **o == Admitted::Refused).count(), 19);
    assert_eq!(two.search_users("", 100).await.unwrap().len(), 1);
}

/// The same address verifying on both nodes at once gets one account.
pub async fn one_address_admitted_on_two_nodes_at_once_gets_one_account(
    one: Arc<dyn Store>,
    two: Arc<dyn Store>,
) {
    let racers = (0..10).map(|i| {
        let s = node(i, &one, &two);
        tokio::spawn(async move {
            s.admit_user(&email("ada@x.io"), &name("Ada"), Admission::Open, at(i as i64)).await.unwrap()
        })
    });
    let outcomes: Vec<Admitted> =
        futures::future::join_all(racers).await.into_iter().map(Result::unwrap).collect();
    let ids: HashSet<UserId> = outcomes
        .iter()
        .map(|o| match o {
            Admitted::Created(u) | Admitted::Existing(u) => u.id,
            Admitted::Refused => panic!("an open rule refused: {outcomes:?}"),
        })
        .collect();
    assert_eq!(ids.len(), 1, "one account: {outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| matches!(o, Admitted::Created(_))).count(), 1);
}

/// Both sides opening their 1:1 chat at once, on both nodes: one chat.
pub async fn a_direct_chat_opened_on_two_nodes_at_once_is_created_once(
    one: Arc<dyn Store>,
    two: Arc<dyn Store>,
) {
    let (a, b) = (user(&one, "a@x.io").await, user(&two, "b@x.io").await);
    let openers = (0..10).map(|i| {
        let s = node(i, &one, &two);
        let (x, y) = if i.is_multiple_of(3) { (a, b) } else { (b, a) };
        tokio::spawn(async move { s.get_or_create_direct_chat(x, y, at(i as i64)).await.unwrap() })
    });
    let results: Vec<_> = futures::future::join_all(openers).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1, "created once");
    let id = results[0].0.id;
    assert!(results.iter().all(|(c, _)| c.id == id && c.members.len() == 2), "{results:?}");
    assert_eq!(one.list_chats(a).await.unwrap().len(), 1);
}

/// Node one commits a message and dies before it can publish; node two committed and
/// published one of its own. Node two's sweeper publishes the first once the grace
/// period is over, and only it; once the confirmations are in, no sweep publishes
/// anything again, and a row older than the horizon is left to catch-up.
pub async fn a_row_whose_node_died_before_publishing_is_published_by_another_nodes_sweeper(
    one: Arc<dyn Store>,
    two: Arc<dyn Store>,
) {
    let (a, b) = (user(&one, "a@x.io").await, user(&one, "b@x.io").await);
    let chat = direct_chat(&one, a, b, 0).await;
    let clock = Arc::new(ManualClock::starting_at(at(10)));
    let wire = Arc::new(MemoryBus::new(64));
    let (bus, confirmations) = ConfirmingBus::new(wire.clone(), two.clone(), clock.clone());
    tokio::spawn(confirmations.run());
    let mut heard = wire.subscribe();

    let lost = one.insert_message(text(chat, a, "lost", 10)).await.unwrap().message;
    let sent = two.insert_message(text(chat, b, "sent", 10)).await.unwrap().message;
    let event = two.list_events(chat, sent.seq - 1, None, 1).await.unwrap().events.remove(0);
    bus.publish(BusEvent::Feed { event, members: vec![a, b] }).await.unwrap();
    assert!(matches!(heard.next().await, Some(Ok(BusEvent::Feed { .. }))));

    let sweeper = FeedSweeper::new(two.clone(), bus.clone(), clock.clone());
    assert_eq!(sweeper.sweep_once().await.unwrap(), 0, "within the grace period");
    clock.advance(SWEEP_GRACE + Duration::from_millis(1));
    // The confirmation of `sent` is written in the background: wait for it.
    let window = || (at(0), at(10 + SWEEP_GRACE.as_millis() as i64 + 1));
    for _ in 0..500 {
        let (from, until) = window();
        if one.claim_unpublished(from, until, 10, clock.now(), clock.now()).await.unwrap().len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sweeper.sweep_once().await.unwrap(), 1);
    match heard.next().await {
        Some(Ok(BusEvent::Feed { event, members })) => {
            assert_eq!(
                (event.seq, event.kind, event.message.map(|m| m.id)),
                (lost.seq, FeedKind::MessageCreated, Some(lost.id))
            );
            assert_eq!(members.into_iter().collect::<HashSet<_>>(), HashSet::from([a, b]));
        }
        other => panic!("expected the lost row, heard {other:?}"),
    }
    for _ in 0..500 {
        let (from, until) = window();
        if one.claim_unpublished(from, until, 10, clock.now(), clock.now()).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sweeper.sweep_once().await.unwrap(), 0, "published once, then confirmed");

    let old = one.insert_message(text(chat, a, "old", 20)).await.unwrap().message;
    clock.advance(SWEEP_HORIZON + SWEEP_GRACE);
    assert_eq!(sweeper.sweep_once().await.unwrap(), 0, "row {} is past the horizon", old.seq);
}
