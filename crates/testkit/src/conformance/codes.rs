//! Login codes when an address has several open: a new code does not void the ones
//! already mailed (so whoever asks for a code cannot kill the one its owner is typing),
//! only the newest `MAX_OPEN_CODES` stay open, and a wrong guess costs a try of each.
//! One public function per check, each on a fresh store.

use std::sync::Arc;

use natter_domain::entities::{CodeCheck, MAX_OPEN_CODES, NewLoginCode};
use natter_domain::ports::Store;

use super::{at, email, job};

async fn put(s: &Arc<dyn Store>, hash: &[u8], created: i64) {
    let code = NewLoginCode {
        email: email("a@x.io"),
        code_hash: hash.to_vec(),
        created_at: at(created),
        expires_at: at(created + 300_000),
    };
    s.put_login_code(code, job(b"sealed")).await.unwrap();
}

async fn check(s: &Arc<dyn Store>, hash: &[u8], ms: i64) -> CodeCheck {
    s.check_login_code(&email("a@x.io"), hash, at(ms), 5).await.unwrap()
}

pub async fn a_new_code_keeps_the_ones_already_mailed(s: Arc<dyn Store>) {
    put(&s, b"first", 0).await;
    put(&s, b"second", 1_000).await;
    assert_eq!(check(&s, b"first", 2_000).await, CodeCheck::Accepted, "the older code still works");
    assert_eq!(check(&s, b"first", 2_001).await, CodeCheck::Wrong, "used up");
    assert_eq!(check(&s, b"second", 2_002).await, CodeCheck::Accepted, "the newer one is still open");
    assert_eq!(check(&s, b"second", 2_003).await, CodeCheck::Missing);
}

pub async fn only_the_newest_codes_stay_open(s: Arc<dyn Store>) {
    let hashes: Vec<Vec<u8>> = (0..=MAX_OPEN_CODES).map(|i| format!("h{i}").into_bytes()).collect();
    for (i, h) in hashes.iter().enumerate() {
        put(&s, h, i as i64 * 1_000).await;
    }
    assert_eq!(check(&s, &hashes[0], 10_000).await, CodeCheck::Wrong, "the oldest went");
    for h in &hashes[1..] {
        assert_eq!(check(&s, h, 10_001).await, CodeCheck::Accepted);
    }
}

pub async fn each_code_expires_on_its_own(s: Arc<dyn Store>) {
    put(&s, b"old", 0).await;
    put(&s, b"new", 200_000).await;
    assert_eq!(check(&s, b"old", 300_000).await, CodeCheck::Wrong, "expired");
    assert_eq!(check(&s, b"new", 300_001).await, CodeCheck::Accepted);
}

pub async fn a_wrong_guess_costs_a_try_of_every_open_code(s: Arc<dyn Store>) {
    put(&s, b"one", 0).await;
    put(&s, b"two", 1).await;
    for _ in 0..4 {
        assert_eq!(check(&s, b"wrong", 10).await, CodeCheck::Wrong);
    }
    assert_eq!(check(&s, b"wrong", 10).await, CodeCheck::Exhausted);
    assert_eq!(check(&s, b"one", 11).await, CodeCheck::Exhausted);
    assert_eq!(check(&s, b"two", 12).await, CodeCheck::Exhausted);
    // A new code is open with all its tries; the spent ones stay dead.
    put(&s, b"three", 20).await;
    assert_eq!(check(&s, b"one", 21).await, CodeCheck::Wrong);
    assert_eq!(check(&s, b"three", 22).await, CodeCheck::Accepted);
}

pub async fn parallel_checks_of_one_of_several_codes_accept_it_once(s: Arc<dyn Store>) {
    put(&s, b"one", 0).await;
    put(&s, b"two", 1).await;
    // Four, so the three that lose (each a wrong guess once `two` is used) leave `one`
    // with tries to spare.
    let checks = (0..4).map(|_| {
        let s = s.clone();
        tokio::spawn(async move { s.check_login_code(&email("a@x.io"), b"two", at(5), 5).await.unwrap() })
    });
    let results = futures::future::join_all(checks).await;
    assert_eq!(results.iter().filter(|r| matches!(r, Ok(CodeCheck::Accepted))).count(), 1);
    assert_eq!(results.iter().filter(|r| matches!(r, Ok(CodeCheck::Wrong))).count(), 3);
    assert_eq!(check(&s, b"one", 6).await, CodeCheck::Accepted, "the other code is untouched");
}
