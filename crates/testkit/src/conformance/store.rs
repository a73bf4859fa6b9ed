//! The Store conformance suite: each check takes a fresh store; a backend's tests run
//! each as its own test (`each_check!` in `tests/api/store_sqlite.rs` and
//! `store_postgres.rs`).

use std::sync::Arc;

use natter_domain::chat::{
    Chat, FeedKind, ImageRef, Message, MessageKind, MessagePage, NewMessage, PageCursor, Reaction,
    ReplyPreview,
};
use natter_domain::entities::{CodeCheck, NewLoginCode, Session};
use natter_domain::ids::{ChatId, MessageId, SessionId, UserId};
use natter_domain::ports::Store;
use natter_domain::{StoreError, Timestamp};

use super::{at, email, job, name};

pub(super) fn code(addr: &str, hash: &[u8], created: i64) -> NewLoginCode {
    NewLoginCode {
        email: email(addr),
        code_hash: hash.to_vec(),
        created_at: at(created),
        expires_at: at(created + 300_000),
    }
}

/// The feed of `chat` as `(seq, kind, message id)`.
pub(super) async fn feed(s: &Arc<dyn Store>, chat: ChatId) -> Vec<(i64, FeedKind, Option<MessageId>)> {
    let page = s.list_events(chat, 0, None, 1000).await.unwrap();
    assert!(!page.has_more);
    page.events.iter().map(|e| (e.seq, e.kind, e.message.as_ref().map(|m| m.id))).collect()
}

pub(super) async fn user(s: &Arc<dyn Store>, addr: &str) -> UserId {
    s.get_or_create_user(&email(addr), &name(addr), at(0)).await.unwrap().id
}

pub(super) async fn direct_chat(s: &Arc<dyn Store>, a: UserId, b: UserId, ms: i64) -> ChatId {
    s.get_or_create_direct_chat(a, b, at(ms)).await.unwrap().0.id
}

pub(super) fn text(chat: ChatId, sender: UserId, client_id: &str, ms: i64) -> NewMessage {
    NewMessage {
        id: MessageId::new(),
        chat_id: chat,
        sender,
        client_id: client_id.into(),
        kind: MessageKind::Text,
        text: format!("text of {client_id}"),
        image: None,
        reply_to: None,
        mentions: Vec::new(),
        created_at: at(ms),
        notify: None,
    }
}

/// Store a new message and return it, failing unless it was created.
pub(super) async fn send(
    s: &Arc<dyn Store>,
    chat: ChatId,
    sender: UserId,
    client_id: &str,
    ms: i64,
) -> Message {
    let stored = s.insert_message(text(chat, sender, client_id, ms)).await.unwrap();
    assert!(stored.created, "{client_id} is a new message");
    stored.message
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

fn members(chat: &Chat) -> Vec<UserId> {
    sorted(chat.members.clone())
}

fn seqs(page: &MessagePage) -> Vec<i64> {
    page.messages.iter().map(|m| m.seq).collect()
}

pub(super) async fn page(
    s: &Arc<dyn Store>,
    chat: ChatId,
    cursor: PageCursor,
    limit: u32,
) -> (Vec<i64>, bool) {
    let page = s.list_messages(chat, cursor, limit).await.unwrap();
    assert!(page.messages.iter().all(|m| m.chat_id == chat), "only this chat's messages");
    (seqs(&page), page.has_more)
}

pub(super) async fn last_seq(s: &Arc<dyn Store>, chat: ChatId) -> i64 {
    s.get_chat(chat).await.unwrap().last_seq
}

async fn marker(s: &Arc<dyn Store>, chat: ChatId, user: UserId) -> Option<(i64, Option<Timestamp>)> {
    let markers = s.read_markers(chat).await.unwrap();
    markers.iter().find(|m| m.user_id == user).map(|m| (m.last_read_seq, m.read_at))
}

pub async fn login_code_is_accepted_once(s: Arc<dyn Store>) {
    s.put_login_code(code("a@x.io", b"h1", 0), job(b"sealed")).await.unwrap();
    let e = email("a@x.io");
    assert_eq!(s.check_login_code(&e, b"h1", at(1), 5).await.unwrap(), CodeCheck::Accepted);
    assert_eq!(s.check_login_code(&e, b"h1", at(2), 5).await.unwrap(), CodeCheck::Missing);
    assert_eq!(s.check_login_code(&email("b@x.io"), b"h1", at(2), 5).await.unwrap(), CodeCheck::Missing);
}

pub async fn wrong_codes_count_and_the_last_try_exhausts(s: Arc<dyn Store>) {
    s.put_login_code(code("a@x.io", b"right", 0), job(b"sealed")).await.unwrap();
    let e = email("a@x.io");
    for _ in 0..4 {
        assert_eq!(s.check_login_code(&e, b"wrong", at(1), 5).await.unwrap(), CodeCheck::Wrong);
    }
    assert_eq!(s.check_login_code(&e, b"wrong", at(1), 5).await.unwrap(), CodeCheck::Exhausted);
    assert_eq!(s.check_login_code(&e, b"right", at(1), 5).await.unwrap(), CodeCheck::Exhausted);
}

pub async fn expired_codes_are_missing(s: Arc<dyn Store>) {
    s.put_login_code(code("a@x.io", b"h", 0), job(b"sealed")).await.unwrap();
    let e = email("a@x.io");
    assert_eq!(s.check_login_code(&e, b"h", at(300_000), 5).await.unwrap(), CodeCheck::Missing);
}

pub async fn a_new_code_replaces_the_old_and_resets_tries(s: Arc<dyn Store>) {
    let e = email("a@x.io");
    s.put_login_code(code("a@x.io", b"old", 0), job(b"sealed")).await.unwrap();
    for _ in 0..5 {
        s.check_login_code(&e, b"wrong", at(1), 5).await.unwrap();
    }
    s.put_login_code(code("a@x.io", b"new", 10), job(b"sealed")).await.unwrap();
    assert_eq!(s.check_login_code(&e, b"old", at(11), 5).await.unwrap(), CodeCheck::Wrong);
    assert_eq!(s.check_login_code(&e, b"new", at(12), 5).await.unwrap(), CodeCheck::Accepted);
}

pub async fn parallel_checks_of_the_right_code_accept_exactly_once(s: Arc<dyn Store>) {
    s.put_login_code(code("a@x.io", b"h", 0), job(b"sealed")).await.unwrap();
    let checks = (0..50).map(|_| {
        let s = s.clone();
        tokio::spawn(async move { s.check_login_code(&email("a@x.io"), b"h", at(1), 5).await.unwrap() })
    });
    let results = futures::future::join_all(checks).await;
    let accepted = results.iter().filter(|r| matches!(r, Ok(CodeCheck::Accepted))).count();
    assert_eq!(accepted, 1);
}

pub async fn users_are_created_once_per_address(s: Arc<dyn Store>) {
    let a = s.get_or_create_user(&email("a@x.io"), &name("Ada"), at(0)).await.unwrap();
    let again = s.get_or_create_user(&email("a@x.io"), &name("Other"), at(5)).await.unwrap();
    assert_eq!(a, again);
    assert_eq!(s.get_user(a.id).await.unwrap(), a);
    assert!(matches!(s.get_user(UserId::new()).await, Err(StoreError::NotFound)));
    let renamed = s.update_user_name(a.id, &name("Ada L."), at(9)).await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.updated_at, renamed.created_at), ("Ada L.", at(9), at(0)));
    assert!(matches!(s.update_user_name(UserId::new(), &name("x"), at(9)).await, Err(StoreError::NotFound)));
}

pub async fn user_search_matches_name_or_email_literally(s: Arc<dyn Store>) {
    s.get_or_create_user(&email("ada@x.io"), &name("Ada Lovelace"), at(0)).await.unwrap();
    s.get_or_create_user(&email("bob@y.io"), &name("Bob 100%"), at(0)).await.unwrap();
    s.get_or_create_user(&email("carol@x.io"), &name("Carol"), at(0)).await.unwrap();
    let names = |v: Vec<natter_domain::entities::User>| {
        v.into_iter().map(|u| u.name.into_string()).collect::<Vec<_>>()
    };
    assert_eq!(names(s.search_users("LOVE", 10).await.unwrap()), ["Ada Lovelace"]);
    assert_eq!(names(s.search_users("x.io", 10).await.unwrap()), ["Ada Lovelace", "Carol"]);
    assert_eq!(names(s.search_users("%", 10).await.unwrap()), ["Bob 100%"]);
    assert_eq!(names(s.search_users("_", 10).await.unwrap()), Vec::<String>::new());
    assert_eq!(s.search_users("", 2).await.unwrap().len(), 2);
}

pub async fn sessions_live_until_revoked_or_expired(s: Arc<dyn Store>) {
    let u = s.get_or_create_user(&email("a@x.io"), &name("Ada"), at(0)).await.unwrap();
    let session = Session { id: SessionId::new(), user_id: u.id, created_at: at(0), expires_at: at(1000) };
    s.insert_session(&session).await.unwrap();
    assert_eq!(s.get_live_session(session.id, at(999)).await.unwrap(), session);
    assert!(matches!(s.get_live_session(session.id, at(1000)).await, Err(StoreError::NotFound)));
    s.revoke_session(session.id, at(5)).await.unwrap();
    assert!(matches!(s.get_live_session(session.id, at(6)).await, Err(StoreError::NotFound)));
    assert!(matches!(s.get_live_session(SessionId::new(), at(6)).await, Err(StoreError::NotFound)));
}

pub async fn a_code_enqueues_a_mail_job_that_is_leased_once(s: Arc<dyn Store>) {
    let mail = job(b"sealed bytes");
    s.put_login_code(code("a@x.io", b"h", 0), mail.clone()).await.unwrap();
    let first = s.claim_job(at(0), at(60_000)).await.unwrap().expect("the job is due");
    assert_eq!(
        (first.id, first.kind.as_str(), first.sealed.as_slice(), first.attempts),
        (mail.id, "send_mail", &b"sealed bytes"[..], 0),
        "the job comes back as it was given"
    );
    assert_eq!(s.claim_job(at(1), at(60_001)).await.unwrap(), None, "leased jobs are not handed out twice");
    // The worker stalled: once the lease runs out the job is due again, under a new lease.
    let again = s.claim_job(at(60_000), at(120_000)).await.unwrap().expect("lease expired");
    assert_eq!(again.id, mail.id);
    assert_ne!(again.lease, first.lease);
    assert!(
        !s.complete_job(mail.id, first.lease, at(60_001)).await.unwrap(),
        "the old lease settles nothing"
    );
    assert!(s.complete_job(mail.id, again.lease, at(60_002)).await.unwrap());
    assert!(!s.complete_job(mail.id, again.lease, at(60_003)).await.unwrap(), "a job is done once");
    assert_eq!(s.claim_job(at(200_000), at(260_000)).await.unwrap(), None);
}

pub async fn failed_jobs_retry_later_or_die(s: Arc<dyn Store>) {
    let mail = job(b"sealed");
    s.put_login_code(code("a@x.io", b"h", 0), mail.clone()).await.unwrap();
    let first = s.claim_job(at(0), at(60_000)).await.unwrap().expect("due");
    assert!(s.fail_job(mail.id, first.lease, "smtp down", Some(at(5_000)), at(1)).await.unwrap());
    assert_eq!(s.claim_job(at(4_999), at(9_999)).await.unwrap(), None, "not before retry_at");
    let second = s.claim_job(at(5_000), at(65_000)).await.unwrap().expect("due again");
    assert_eq!(second.attempts, 1);
    assert!(
        !s.fail_job(mail.id, first.lease, "stale", None, at(5_001)).await.unwrap(),
        "a lease that was handed on cannot kill the job"
    );
    assert!(s.fail_job(mail.id, second.lease, "smtp down", None, at(5_002)).await.unwrap());
    assert_eq!(s.claim_job(at(10_000_000), at(10_060_000)).await.unwrap(), None, "dead jobs stay dead");
    assert!(!s.complete_job(mail.id, second.lease, at(10_000_001)).await.unwrap(), "nor come back done");
}

pub async fn a_direct_chat_is_created_once_and_shared_by_both_sides(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let (chat, created) = s.get_or_create_direct_chat(a, b, at(1)).await.unwrap();
    assert!(created);
    assert_eq!(members(&chat), sorted(vec![a, b]));
    assert_eq!((chat.is_group, chat.name.as_deref(), chat.last_seq), (false, None, 0));
    assert_eq!((chat.created_at, chat.updated_at), (at(1), at(1)));
    let (again, created) = s.get_or_create_direct_chat(a, b, at(2)).await.unwrap();
    assert!(!created, "the second call finds the first chat");
    assert_eq!((again.id, again.created_at, members(&again)), (chat.id, at(1), members(&chat)));
    let (flipped, created) = s.get_or_create_direct_chat(b, a, at(3)).await.unwrap();
    assert!(!created, "(b, a) is the same chat as (a, b)");
    assert_eq!(flipped.id, chat.id);
    let got = s.get_chat(chat.id).await.unwrap();
    assert_eq!((got.id, members(&got), got.last_seq), (chat.id, members(&chat), 0));
    let c = user(&s, "c@x.io").await;
    let (other, created) = s.get_or_create_direct_chat(a, c, at(4)).await.unwrap();
    assert!(created);
    assert_ne!(other.id, chat.id);
    assert!(matches!(s.get_chat(ChatId::new()).await, Err(StoreError::NotFound)));
}

pub async fn messages_get_consecutive_seqs_per_chat_and_move_the_chat(s: Arc<dyn Store>) {
    let (a, b, c) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await, user(&s, "c@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let ac = direct_chat(&s, a, c, 1).await;
    assert_eq!(send(&s, ab, a, "m1", 10).await.seq, 1);
    let chat = s.get_chat(ab).await.unwrap();
    assert_eq!((chat.last_seq, chat.updated_at, chat.created_at), (1, at(10), at(1)));
    assert_eq!(send(&s, ab, b, "m2", 20).await.seq, 2);
    assert_eq!(send(&s, ac, c, "m1", 25).await.seq, 1, "seqs count per chat");
    let third = send(&s, ab, a, "m3", 30).await;
    assert_eq!((third.seq, third.chat_id, third.sender), (3, ab, a));
    assert_eq!((third.created_at, third.updated_at, third.text.as_str()), (at(30), at(30), "text of m3"));
    let chat = s.get_chat(ab).await.unwrap();
    assert_eq!((chat.last_seq, chat.updated_at), (3, at(30)));
    assert_eq!(last_seq(&s, ac).await, 1);
    // The sender has read up to their own message; the others have not moved.
    assert_eq!(marker(&s, ab, a).await, Some((3, Some(at(30)))));
    assert_eq!(marker(&s, ab, b).await, Some((2, Some(at(20)))));
    assert_eq!(marker(&s, ac, c).await, Some((1, Some(at(25)))));
    assert_eq!(marker(&s, ac, a).await, Some((0, None)));
    assert_eq!(s.read_markers(ab).await.unwrap().len(), 2);
}

pub async fn a_repeated_client_id_returns_the_original_and_stores_nothing(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let original = send(&s, ab, a, "same", 10).await;
    let mut retry = text(ab, a, "same", 20);
    retry.text = "a different text".into();
    let stored = s.insert_message(retry.clone()).await.unwrap();
    assert!(!stored.created);
    assert_eq!(stored.message, original, "the retry returns the stored original");
    let chat = s.get_chat(ab).await.unwrap();
    assert_eq!((chat.last_seq, chat.updated_at), (1, at(10)), "a retry moves nothing");
    assert!(matches!(s.get_message(retry.id).await, Err(StoreError::NotFound)));
    assert_eq!(page(&s, ab, PageCursor::Latest, 10).await, (vec![1], false));
    // The client id is only unique per sender.
    let theirs = send(&s, ab, b, "same", 30).await;
    assert_ne!(theirs.id, original.id);
    assert_eq!((theirs.seq, last_seq(&s, ab).await), (2, 2));
}

pub async fn a_client_id_reused_in_another_chat_conflicts(s: Arc<dyn Store>) {
    let (a, b, c) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await, user(&s, "c@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let ac = direct_chat(&s, a, c, 1).await;
    send(&s, ab, a, "same", 10).await;
    let elsewhere = text(ac, a, "same", 20);
    assert!(matches!(s.insert_message(elsewhere.clone()).await, Err(StoreError::Conflict { .. })));
    assert!(matches!(s.get_message(elsewhere.id).await, Err(StoreError::NotFound)));
    let chat = s.get_chat(ac).await.unwrap();
    assert_eq!((chat.last_seq, chat.updated_at), (0, at(1)));
    assert_eq!(page(&s, ac, PageCursor::Latest, 10).await, (vec![], false));
    assert_eq!(last_seq(&s, ab).await, 1);
}

pub async fn messages_to_an_unknown_chat_are_not_stored(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let nowhere = text(ChatId::new(), a, "lost", 10);
    let result = s.insert_message(nowhere.clone()).await;
    assert!(
        matches!(result, Err(StoreError::NotFound) | Err(StoreError::Conflict { .. })),
        "an unknown chat is an error, got {result:?}"
    );
    assert!(matches!(s.get_message(nowhere.id).await, Err(StoreError::NotFound)));
    // Nothing of it was kept: the client id is still free.
    let ab = direct_chat(&s, a, b, 1).await;
    assert_eq!(send(&s, ab, a, "lost", 20).await.seq, 1);
}

pub async fn concurrent_inserts_get_every_seq_exactly_once(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let tasks = (0..10).map(|t| {
        let s = s.clone();
        tokio::spawn(async move {
            let mut stored = Vec::new();
            for i in 0..10 {
                let sender = if t % 2 == 0 { a } else { b };
                let new = text(ab, sender, &format!("t{t}-{i}"), 10 + i);
                let m = s.insert_message(new).await.unwrap();
                assert!(m.created);
                stored.push((m.message.seq, m.message.id));
            }
            stored
        })
    });
    let results = futures::future::join_all(tasks).await;
    let mut stored = Vec::new();
    for r in results {
        let task = r.unwrap();
        assert!(task.windows(2).all(|w| w[0].0 < w[1].0), "one task's messages keep their order");
        stored.extend(task);
    }
    stored.sort();
    assert_eq!(stored.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(), (1..=100).collect::<Vec<i64>>());
    let expected: Vec<_> =
        stored.iter().map(|(seq, id)| (*seq, FeedKind::MessageCreated, Some(*id))).collect();
    assert_eq!(feed(&s, ab).await, expected, "one feed row per message, with its seq");
    assert_eq!(last_seq(&s, ab).await, 100);
    assert_eq!(page(&s, ab, PageCursor::Latest, 200).await, ((1..=100).collect(), false));
}

pub async fn concurrent_retries_of_one_message_store_it_once(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let tries = (0..20).map(|i| {
        let s = s.clone();
        tokio::spawn(async move { s.insert_message(text(ab, a, "once", 10 + i)).await.unwrap() })
    });
    let results: Vec<_> = futures::future::join_all(tries).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(results.iter().filter(|r| r.created).count(), 1, "exactly one try creates it");
    let id = results[0].message.id;
    assert!(results.iter().all(|r| r.message.id == id && r.message.seq == 1), "all return the original");
    assert_eq!(feed(&s, ab).await, [(1, FeedKind::MessageCreated, Some(id))], "and one feed row");
    assert_eq!(last_seq(&s, ab).await, 1);
    assert_eq!(page(&s, ab, PageCursor::Latest, 50).await, (vec![1], false));
}

pub async fn the_feed_pages_after_and_before_a_seq_per_chat(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let other = direct_chat(&s, a, user(&s, "c@x.io").await, 1).await;
    for i in 1..=5 {
        send(&s, ab, a, &format!("m{i}"), 10 * i).await;
    }
    send(&s, other, a, "elsewhere", 100).await;
    let page = s.list_events(ab, 1, Some(5), 2).await.unwrap();
    assert_eq!(page.events.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3]);
    assert!(page.has_more);
    let e = &page.events[0];
    assert_eq!((e.chat_id, e.actor, e.at, e.kind), (ab, a, at(20), FeedKind::MessageCreated));
    assert_eq!(e.message.as_ref().map(|m| m.text.as_str()), Some("text of m2"), "with its message");
    let rest = s.list_events(ab, 3, Some(5), 10).await.unwrap();
    assert_eq!((rest.events.iter().map(|e| e.seq).collect::<Vec<_>>(), rest.has_more), (vec![4], false));
    assert!(s.list_events(ab, 5, None, 10).await.unwrap().events.is_empty());
}

pub async fn unpublished_feed_rows_are_found_by_age_until_marked(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    for i in 1..=3 {
        send(&s, ab, a, &format!("m{i}"), 1000 * i).await;
    }
    // A claim that runs out at once: the rows are free again for the next look.
    let found = |from: i64, until: i64| {
        let s = s.clone();
        async move {
            let rows = s.claim_unpublished(at(from), at(until), 100, at(7000), at(7000)).await.unwrap();
            rows.iter().map(|e| e.seq).collect::<Vec<_>>()
        }
    };
    assert_eq!(found(0, 10_000).await, [1, 2, 3], "every new row waits for a bus to confirm it");
    assert_eq!(found(1500, 3000).await, [2], "by the time it was written, [from, until)");
    s.mark_published(&[(ab, 1), (ab, 3)], at(5000)).await.unwrap();
    assert_eq!(found(0, 10_000).await, [2]);
    // Marking again, or a row that does not exist, changes nothing.
    s.mark_published(&[(ab, 1), (ab, 99)], at(6000)).await.unwrap();
    assert_eq!(found(0, 10_000).await, [2]);
    let rows = s.claim_unpublished(at(0), at(10_000), 100, at(7000), at(7000)).await.unwrap();
    assert_eq!(rows[0].message.as_ref().map(|m| m.seq), Some(2), "a row comes with its message to republish");
}

pub async fn a_claimed_feed_row_is_nobody_elses_until_its_claim_runs_out(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    for i in 1..=3 {
        send(&s, ab, a, &format!("m{i}"), 1000 * i).await;
    }
    let claim = |limit: u32, now: i64, until: i64| {
        let s = s.clone();
        async move {
            let rows = s.claim_unpublished(at(0), at(10_000), limit, at(now), at(until)).await.unwrap();
            rows.iter().map(|e| e.seq).collect::<Vec<_>>()
        }
    };
    assert_eq!(claim(2, 5000, 10_000).await, [1, 2], "the oldest, up to the limit");
    assert_eq!(claim(10, 5001, 10_000).await, [3], "what the first claim did not take");
    assert!(claim(10, 9999, 20_000).await.is_empty(), "every row is claimed until 10 000");
    s.mark_published(&[(ab, 1)], at(9999)).await.unwrap();
    assert_eq!(claim(10, 10_000, 20_000).await, [2, 3], "claims ran out; the confirmed row is done");
}

pub async fn message_pages_are_ascending_with_has_more_at_the_edges(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let other = direct_chat(&s, a, user(&s, "c@x.io").await, 1).await;
    for i in 1..=5 {
        send(&s, ab, if i % 2 == 0 { b } else { a }, &format!("m{i}"), 10 * i).await;
    }
    send(&s, other, a, "elsewhere", 100).await;
    let empty = direct_chat(&s, b, user(&s, "d@x.io").await, 1).await;
    use PageCursor::{After, Before, Latest};
    assert_eq!(page(&s, ab, Latest, 2).await, (vec![4, 5], true));
    assert_eq!(page(&s, ab, Latest, 4).await, (vec![2, 3, 4, 5], true));
    assert_eq!(page(&s, ab, Latest, 5).await, (vec![1, 2, 3, 4, 5], false), "exactly limit left");
    assert_eq!(page(&s, ab, Latest, 50).await, (vec![1, 2, 3, 4, 5], false));
    assert_eq!(page(&s, ab, Before(4), 2).await, (vec![2, 3], true));
    assert_eq!(page(&s, ab, Before(4), 3).await, (vec![1, 2, 3], false), "exactly limit left");
    assert_eq!(page(&s, ab, Before(3), 10).await, (vec![1, 2], false));
    assert_eq!(page(&s, ab, Before(1), 10).await, (vec![], false));
    assert_eq!(page(&s, ab, Before(100), 1).await, (vec![5], true));
    assert_eq!(page(&s, ab, After(0), 4).await, (vec![1, 2, 3, 4], true));
    assert_eq!(page(&s, ab, After(2), 2).await, (vec![3, 4], true));
    assert_eq!(page(&s, ab, After(2), 3).await, (vec![3, 4, 5], false), "exactly limit left");
    assert_eq!(page(&s, ab, After(4), 10).await, (vec![5], false));
    assert_eq!(page(&s, ab, After(5), 10).await, (vec![], false));
    assert_eq!(page(&s, empty, Latest, 10).await, (vec![], false));
    assert_eq!(page(&s, ChatId::new(), Latest, 10).await, (vec![], false));
    let full = s.list_messages(ab, Latest, 10).await.unwrap();
    assert_eq!(full.messages[3].client_id, "m4");
    assert_eq!((full.messages[3].sender, full.messages[3].created_at), (b, at(40)));
}

pub async fn read_markers_move_forward_only_and_clamp_to_last_seq(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    send(&s, ab, a, "m1", 10).await;
    send(&s, ab, a, "m2", 20).await;
    send(&s, ab, b, "m3", 30).await;
    let m4 = send(&s, ab, a, "m4", 40).await;
    assert_eq!(marker(&s, ab, b).await, Some((3, Some(at(30)))), "b has read up to its own message");

    // b read up to 3 when it sent m3; reading 1..=3 again does not move the marker.
    assert!(s.mark_read(ab, b, 3, at(50)).await.unwrap().is_none());
    assert!(s.mark_read(ab, b, 1, at(50)).await.unwrap().is_none());
    assert!(s.mark_read(ab, b, 0, at(50)).await.unwrap().is_none());
    assert_eq!(marker(&s, ab, b).await, Some((3, Some(at(30)))), "not moving leaves read_at alone");

    let moved = s.mark_read(ab, b, 100, at(60)).await.unwrap().expect("moves to the end");
    assert_eq!((moved.from_seq, moved.to_seq, moved.at), (3, 4, at(60)), "clamped to last_seq");
    assert_eq!(moved.newly_seen, vec![m4.id]);
    assert_eq!(marker(&s, ab, b).await, Some((4, Some(at(60)))));
    assert!(s.mark_read(ab, b, 100, at(70)).await.unwrap().is_none(), "already at last_seq");

    // Each member's own messages are never "newly seen" by them.
    let c = user(&s, "c@x.io").await;
    let ac = direct_chat(&s, a, c, 1).await;
    send(&s, ac, c, "n1", 10).await;
    send(&s, ac, c, "n2", 20).await;
    send(&s, ac, a, "n3", 30).await;
    let n4 = send(&s, ac, c, "n4", 40).await;
    assert_eq!(marker(&s, ac, a).await, Some((3, Some(at(30)))));
    assert!(s.mark_read(ac, c, 4, at(50)).await.unwrap().is_none(), "c is at its own n4 already");
    let a_moved = s.mark_read(ac, a, 4, at(60)).await.unwrap().expect("moves");
    assert_eq!((a_moved.from_seq, a_moved.to_seq, a_moved.newly_seen), (3, 4, vec![n4.id]));
    assert_eq!(marker(&s, ac, a).await, Some((4, Some(at(60)))));
    assert_eq!(marker(&s, ac, c).await, Some((4, Some(at(40)))));

    // A reader who never wrote sees the others' messages in (from, to], in seq order.
    let d = user(&s, "d@x.io").await;
    let ad = direct_chat(&s, a, d, 1).await;
    let p1 = send(&s, ad, a, "p1", 10).await;
    let p2 = send(&s, ad, a, "p2", 20).await;
    let p3 = send(&s, ad, a, "p3", 30).await;
    assert_eq!(marker(&s, ad, d).await, Some((0, None)));
    let first = s.mark_read(ad, d, 2, at(40)).await.unwrap().expect("moves");
    assert_eq!((first.from_seq, first.to_seq, first.newly_seen), (0, 2, vec![p1.id, p2.id]));
    assert_eq!(marker(&s, ad, d).await, Some((2, Some(at(40)))));
    let second = s.mark_read(ad, d, 3, at(50)).await.unwrap().expect("moves");
    assert_eq!((second.from_seq, second.to_seq, second.newly_seen), (2, 3, vec![p3.id]));
}

pub async fn non_members_cannot_mark_a_chat_read(s: Arc<dyn Store>) {
    let (a, b, c) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await, user(&s, "c@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    send(&s, ab, a, "m1", 10).await;
    let result = s.mark_read(ab, c, 1, at(20)).await;
    assert!(matches!(result, Err(StoreError::NotFound) | Ok(None)), "a non-member moves nothing: {result:?}");
    assert_eq!(marker(&s, ab, c).await, None, "no marker was created for the non-member");
    assert_eq!(s.read_markers(ab).await.unwrap().len(), 2);
    assert!(s.list_chats(c).await.unwrap().is_empty());
    let result = s.mark_read(ChatId::new(), a, 1, at(20)).await;
    assert!(matches!(result, Err(StoreError::NotFound) | Ok(None)), "an unknown chat: {result:?}");
}

pub async fn the_chat_list_shows_newest_activity_first_with_unseen_counts(s: Arc<dyn Store>) {
    let (a, b, c) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await, user(&s, "c@x.io").await);
    let lonely = user(&s, "d@x.io").await;
    let ab = direct_chat(&s, a, b, 1).await;
    let ac = direct_chat(&s, a, c, 2).await;
    let bc = direct_chat(&s, b, c, 3).await;
    send(&s, ab, b, "b1", 10).await;
    let b2 = send(&s, ab, b, "b2", 11).await;
    let a1 = send(&s, ac, a, "a1", 20).await;

    let list = s.list_chats(a).await.unwrap();
    assert_eq!(list.iter().map(|l| l.chat.id).collect::<Vec<_>>(), [ac, ab], "newest activity first");
    let (l_ac, l_ab) = (&list[0], &list[1]);
    assert_eq!(l_ab.latest.as_ref().map(|m| m.id), Some(b2.id), "the latest message is the newest");
    assert_eq!((l_ab.unseen_count, l_ab.last_read_seq), (2, 0));
    assert_eq!((l_ab.chat.last_seq, l_ab.chat.updated_at), (2, at(11)));
    assert_eq!(members(&l_ab.chat), sorted(vec![a, b]));
    assert_eq!(l_ac.latest.as_ref(), Some(&a1));
    assert_eq!((l_ac.unseen_count, l_ac.last_read_seq), (0, 1), "own messages are never unseen");
    assert_eq!(members(&l_ac.chat), sorted(vec![a, c]));

    let list = s.list_chats(c).await.unwrap();
    assert_eq!(list.iter().map(|l| l.chat.id).collect::<Vec<_>>(), [ac, bc]);
    assert_eq!((list[0].unseen_count, list[0].last_read_seq), (1, 0));
    assert!(list[1].latest.is_none(), "a chat without messages has no preview");
    assert_eq!((list[1].unseen_count, list[1].last_read_seq, list[1].chat.last_seq), (0, 0, 0));
    assert_eq!(members(&list[1].chat), sorted(vec![b, c]));

    // a answers in ab (reading up to its answer), then b writes again.
    send(&s, ab, a, "a2", 30).await;
    let b3 = send(&s, ab, b, "b3", 40).await;
    let list = s.list_chats(a).await.unwrap();
    assert_eq!(list.iter().map(|l| l.chat.id).collect::<Vec<_>>(), [ab, ac]);
    assert_eq!(list[0].latest.as_ref(), Some(&b3));
    assert_eq!((list[0].unseen_count, list[0].last_read_seq), (1, 3));
    s.mark_read(ab, a, 4, at(50)).await.unwrap().expect("moves");
    assert_eq!(s.list_chats(a).await.unwrap()[0].unseen_count, 0);

    let list = s.list_chats(b).await.unwrap();
    assert_eq!(list.iter().map(|l| l.chat.id).collect::<Vec<_>>(), [ab, bc]);
    assert_eq!((list[0].unseen_count, list[0].last_read_seq), (0, 4));

    assert!(s.list_chats(lonely).await.unwrap().is_empty());
    assert!(s.list_chats(UserId::new()).await.unwrap().is_empty());
}

pub async fn co_members_are_everyone_sharing_a_chat_once(s: Arc<dyn Store>) {
    let (a, b, c) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await, user(&s, "c@x.io").await);
    let lonely = user(&s, "d@x.io").await;
    direct_chat(&s, a, b, 1).await;
    direct_chat(&s, b, a, 2).await;
    direct_chat(&s, c, a, 3).await;
    assert_eq!(sorted(s.co_member_ids(a).await.unwrap()), sorted(vec![b, c]));
    assert_eq!(s.co_member_ids(b).await.unwrap(), vec![a]);
    assert_eq!(s.co_member_ids(c).await.unwrap(), vec![a]);
    assert!(s.co_member_ids(lonely).await.unwrap().is_empty());
    direct_chat(&s, b, c, 4).await;
    assert_eq!(sorted(s.co_member_ids(b).await.unwrap()), sorted(vec![a, c]), "distinct, without b");
}

pub async fn get_users_returns_the_known_requested_users(s: Arc<dyn Store>) {
    let a = s.get_or_create_user(&email("a@x.io"), &name("Ada"), at(0)).await.unwrap();
    let b = s.get_or_create_user(&email("b@x.io"), &name("Bob"), at(1)).await.unwrap();
    s.get_or_create_user(&email("c@x.io"), &name("Carol"), at(2)).await.unwrap();
    let ids = |v: Vec<natter_domain::entities::User>| sorted(v.into_iter().map(|u| u.id).collect::<Vec<_>>());
    assert!(s.get_users(&[]).await.unwrap().is_empty());
    let mut got = s.get_users(&[b.id, UserId::new(), a.id]).await.unwrap();
    got.sort_by_key(|u| u.id);
    let mut want = vec![a.clone(), b.clone()];
    want.sort_by_key(|u| u.id);
    assert_eq!(got, want, "unknown ids are ignored");
    assert_eq!(ids(s.get_users(&[a.id]).await.unwrap()), vec![a.id]);
    assert!(s.get_users(&[UserId::new()]).await.unwrap().is_empty());
}

pub async fn get_message_finds_stored_messages_only(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let first = send(&s, ab, a, "m1", 10).await;
    let image = NewMessage {
        id: MessageId::new(),
        chat_id: ab,
        sender: b,
        client_id: "img-1".into(),
        kind: MessageKind::Image,
        text: String::new(),
        image: Some(ImageRef { key: "k/full".into(), thumb_key: "k/thumb".into(), width: 640, height: 480 }),
        reply_to: Some(first.id),
        mentions: Vec::new(),
        created_at: at(20),
        notify: None,
    };
    let stored = s.insert_message(image.clone()).await.unwrap().message;
    let want = Message {
        id: image.id,
        chat_id: ab,
        seq: 2,
        sender: b,
        client_id: "img-1".into(),
        kind: MessageKind::Image,
        text: String::new(),
        image: image.image.clone(),
        reply_to: Some(first.id),
        mentions: Vec::new(),
        created_at: at(20),
        updated_at: at(20),
        edited_at: None,
        deleted_at: None,
        reactions: Vec::new(),
        reply_preview: Some(ReplyPreview::new(first.id, 1, a, MessageKind::Text, "text of m1", false)),
    };
    assert_eq!(stored, want);
    assert_eq!(s.get_message(image.id).await.unwrap(), want);
    assert_eq!(s.get_message(first.id).await.unwrap(), first);
    assert!(matches!(s.get_message(MessageId::new()).await, Err(StoreError::NotFound)));
}

pub async fn an_edit_keeps_the_seq_writes_a_feed_row_and_keeps_the_old_text(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let m = send(&s, ab, a, "m1", 10).await;
    send(&s, ab, b, "m2", 20).await;
    let changed = s.edit_message(m.id, "fixed".into(), at(30)).await.unwrap();
    assert_eq!(
        (changed.message.text.as_str(), changed.message.seq, changed.message.edited_at),
        ("fixed", 1, Some(at(30)))
    );
    let event = changed.event.expect("a feed row");
    assert_eq!((event.seq, event.kind, event.actor, event.at), (3, FeedKind::MessageEdited, a, at(30)));
    assert_eq!(s.get_chat(ab).await.unwrap().last_seq, 3);
    assert_eq!(s.get_message(m.id).await.unwrap(), changed.message);
    // The feed carries the message as it is now, with its own seq.
    let feed = s.list_events(ab, 2, None, 10).await.unwrap();
    assert_eq!(feed.events.len(), 1);
    assert_eq!(feed.events[0].message.as_ref().map(|m| (m.seq, m.text.as_str())), Some((1, "fixed")));
    // The same text again: nothing changes, no row.
    let again = s.edit_message(m.id, "fixed".into(), at(40)).await.unwrap();
    assert!(again.event.is_none());
    assert_eq!(s.get_chat(ab).await.unwrap().last_seq, 3);
    s.edit_message(m.id, "fixed twice".into(), at(50)).await.unwrap();
    let history = s.message_edits(m.id).await.unwrap();
    assert_eq!(
        history.iter().map(|e| (e.text.as_str(), e.replaced_at)).collect::<Vec<_>>(),
        [("text of m1", at(30)), ("fixed", at(50))]
    );
    // History pages are still by the messages' own seqs.
    assert_eq!(page(&s, ab, PageCursor::Latest, 10).await, (vec![1, 2], false));
    assert!(matches!(s.edit_message(MessageId::new(), "x".into(), at(60)).await, Err(StoreError::NotFound)));
}

pub async fn a_delete_leaves_a_tombstone_once_and_returns_the_image(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let image = ImageRef { key: "k/full".into(), thumb_key: "k/thumb".into(), width: 10, height: 10 };
    let m = s
        .insert_message(NewMessage {
            id: MessageId::new(),
            chat_id: ab,
            sender: a,
            client_id: "img".into(),
            kind: MessageKind::Image,
            text: "caption".into(),
            image: Some(image.clone()),
            reply_to: None,
            mentions: Vec::new(),
            created_at: at(10),
            notify: None,
        })
        .await
        .unwrap()
        .message;
    s.edit_message(m.id, "new caption".into(), at(15)).await.unwrap();
    let gone = s.delete_message(m.id, a, at(20)).await.unwrap();
    assert_eq!(gone.removed_image, Some(image));
    let t = &gone.message;
    assert_eq!((t.text.as_str(), t.image.as_ref(), t.deleted_at, t.seq), ("", None, Some(at(20)), 1));
    let event = gone.event.expect("a feed row");
    assert_eq!((event.seq, event.kind, event.actor), (3, FeedKind::MessageDeleted, a));
    assert_eq!(s.get_message(m.id).await.unwrap(), gone.message);
    assert!(s.message_edits(m.id).await.unwrap().is_empty(), "the earlier texts go too");
    // Twice: nothing more happens; an edit of a tombstone conflicts.
    let again = s.delete_message(m.id, a, at(30)).await.unwrap();
    assert!(again.event.is_none() && again.removed_image.is_none());
    assert!(matches!(s.edit_message(m.id, "back".into(), at(40)).await, Err(StoreError::Conflict { .. })));
    assert_eq!(s.get_chat(ab).await.unwrap().last_seq, 3);
    // A deleted message no longer counts as unseen.
    let list = s.list_chats(b).await.unwrap();
    assert_eq!(list[0].unseen_count, 0);
}

pub async fn reactions_toggle_once_per_user_and_emoji_in_first_use_order(s: Arc<dyn Store>) {
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let m = send(&s, ab, a, "m1", 10).await;
    let added = s.react(m.id, b, "👍".into(), true, at(20)).await.unwrap();
    let event = added.event.expect("a feed row");
    assert_eq!((event.seq, event.kind, event.actor), (2, FeedKind::ReactionAdded, b));
    assert!(s.react(m.id, b, "👍".into(), true, at(21)).await.unwrap().event.is_none(), "once per user");
    s.react(m.id, a, "🎉".into(), true, at(22)).await.unwrap();
    s.react(m.id, a, "👍".into(), true, at(23)).await.unwrap();
    let want = vec![
        Reaction { emoji: "👍".into(), users: vec![b, a] },
        Reaction { emoji: "🎉".into(), users: vec![a] },
    ];
    assert_eq!(s.get_message(m.id).await.unwrap().reactions, want);
    assert_eq!(page_messages(&s, ab).await[0].reactions, want, "pages carry them");
    let feed = s.list_events(ab, 0, None, 10).await.unwrap();
    assert_eq!(feed.events[0].message.as_ref().unwrap().reactions, want, "the feed too");
    let removed = s.react(m.id, b, "👍".into(), false, at(24)).await.unwrap();
    assert_eq!(removed.event.map(|e| e.kind), Some(FeedKind::ReactionRemoved));
    assert_eq!(removed.message.reactions[0].users, vec![a]);
    assert!(
        s.react(m.id, b, "👍".into(), false, at(25)).await.unwrap().event.is_none(),
        "nothing to take back"
    );
    // A deleted message keeps none and takes none.
    s.delete_message(m.id, a, at(30)).await.unwrap();
    assert!(s.get_message(m.id).await.unwrap().reactions.is_empty());
    assert!(matches!(s.react(m.id, b, "👀".into(), true, at(31)).await, Err(StoreError::Conflict { .. })));
}

pub async fn a_message_takes_a_bounded_number_of_different_emoji(s: Arc<dyn Store>) {
    use natter_domain::chat::MAX_REACTION_KINDS;
    let (a, b) = (user(&s, "a@x.io").await, user(&s, "b@x.io").await);
    let ab = direct_chat(&s, a, b, 1).await;
    let m = send(&s, ab, a, "m1", 10).await;
    let emoji: Vec<String> = ('\u{1F600}'..).take(MAX_REACTION_KINDS + 1).map(String::from).collect();
    for e in &emoji[..MAX_REACTION_KINDS] {
        s.react(m.id, a, e.clone(), true, at(20)).await.unwrap();
    }
    let over = s.react(m.id, b, emoji[MAX_REACTION_KINDS].clone(), true, at(21)).await;
    assert!(matches!(over, Err(StoreError::Conflict { constraint }) if constraint == "too_many_reactions"));
    // One already there is still fine.
    assert!(s.react(m.id, b, emoji[0].clone(), true, at(22)).await.unwrap().event.is_some());
}

async fn page_messages(s: &Arc<dyn Store>, chat: ChatId) -> Vec<Message> {
    s.list_messages(chat, PageCursor::Latest, 50).await.unwrap().messages
}
