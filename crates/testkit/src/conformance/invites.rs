//! The Store's part in who may join: admitting a verified address under a signup
//! rule, the first account being the admin (also when two race), invitations, and a
//! user search that does not reveal addresses. One public function per check; a
//! backend's test runs each on a fresh, empty store.

use std::sync::Arc;

use natter_domain::entities::{Admission, Admitted, User};
use natter_domain::ids::UserId;
use natter_domain::ports::Store;

use super::{at, email, name};

const CLOSED: Admission = Admission::Closed { domain_allowed: false };

async fn admit(s: &Arc<dyn Store>, addr: &str, admission: Admission) -> Admitted {
    s.admit_user(&email(addr), &name(addr.split('@').next().unwrap()), admission, at(0)).await.unwrap()
}

fn created(a: Admitted) -> User {
    match a {
        Admitted::Created(u) => u,
        other => panic!("expected a new account, got {other:?}"),
    }
}

/// An empty store with one account already in it (the admin), so a closed rule is
/// no longer open to the first comer.
async fn with_admin(s: &Arc<dyn Store>) -> User {
    created(admit(s, "admin@x.io", CLOSED).await)
}

async fn count_users(s: &Arc<dyn Store>) -> usize {
    s.search_users("", 100).await.unwrap().len()
}

pub async fn a_closed_rule_refuses_a_stranger_and_writes_nothing(s: Arc<dyn Store>) {
    with_admin(&s).await;
    assert!(!s.would_admit(&email("eve@y.io"), CLOSED).await.unwrap());
    assert_eq!(admit(&s, "eve@y.io", CLOSED).await, Admitted::Refused);
    assert_eq!(count_users(&s).await, 1, "no account was made");
    // Refused again: the refusal left nothing behind that would let it in.
    assert_eq!(admit(&s, "eve@y.io", CLOSED).await, Admitted::Refused);
}

pub async fn an_open_rule_admits_anyone_and_existing_accounts_pass_any_rule(s: Arc<dyn Store>) {
    with_admin(&s).await;
    assert!(s.would_admit(&email("bob@y.io"), Admission::Open).await.unwrap());
    let bob = created(admit(&s, "bob@y.io", Admission::Open).await);
    assert!(!bob.is_admin, "only the first account is the admin");
    // Closing the install later does not lock its members out.
    assert!(s.would_admit(&email("bob@y.io"), CLOSED).await.unwrap());
    assert_eq!(admit(&s, "bob@y.io", CLOSED).await, Admitted::Existing(bob));
}

pub async fn an_allowed_domain_is_admitted(s: Arc<dyn Store>) {
    with_admin(&s).await;
    let allowed = Admission::Closed { domain_allowed: true };
    assert!(s.would_admit(&email("carol@corp.io"), allowed).await.unwrap());
    let carol = created(admit(&s, "carol@corp.io", allowed).await);
    assert!(!carol.is_admin);
}

pub async fn the_first_account_of_an_empty_store_is_the_admin(s: Arc<dyn Store>) {
    assert!(s.would_admit(&email("first@x.io"), CLOSED).await.unwrap(), "an empty install admits one");
    let first = created(admit(&s, "first@x.io", CLOSED).await);
    assert!(first.is_admin);
    assert_eq!(s.get_user(first.id).await.unwrap(), first, "the flag is stored");
    assert!(!s.would_admit(&email("second@x.io"), CLOSED).await.unwrap());
    assert_eq!(admit(&s, "second@x.io", CLOSED).await, Admitted::Refused);
    // Under an open rule too, only the first account is the admin.
    assert!(!created(admit(&s, "third@x.io", Admission::Open).await).is_admin);
}

/// Two (here twenty) strangers verifying at once on a new closed install: exactly one
/// gets in, as the admin; the others are refused and leave nothing behind.
pub async fn racing_first_accounts_make_exactly_one_admin(s: Arc<dyn Store>) {
    let racers = (0..20).map(|i| {
        let s = s.clone();
        tokio::spawn(async move {
            s.admit_user(&email(&format!("r{i}@x.io")), &name("r"), CLOSED, at(i)).await.unwrap()
        })
    });
    let outcomes: Vec<Admitted> =
        futures::future::join_all(racers).await.into_iter().map(Result::unwrap).collect();
    let admins: Vec<&User> = outcomes
        .iter()
        .filter_map(|o| match o {
            Admitted::Created(u) => Some(u),
            _ => None,
        })
        .collect();
    assert_eq!(admins.len(), 1, "{outcomes:?}");
    assert!(admins[0].is_admin);
    assert_eq!(outcomes.iter().filter(|o| **o == Admitted::Refused).count(), 19);
    assert_eq!(count_users(&s).await, 1);
}

/// Under an open rule, twenty first accounts at once: all get in, one is the admin.
pub async fn racing_open_first_accounts_make_exactly_one_admin(s: Arc<dyn Store>) {
    let racers = (0..20).map(|i| {
        let s = s.clone();
        tokio::spawn(async move {
            s.admit_user(&email(&format!("r{i}@x.io")), &name("r"), Admission::Open, at(i)).await.unwrap()
        })
    });
    let users: Vec<User> =
        futures::future::join_all(racers).await.into_iter().map(|r| created(r.unwrap())).collect();
    assert_eq!(users.iter().filter(|u| u.is_admin).count(), 1);
}

pub async fn an_invitation_admits_its_address_once_and_is_used_up(s: Arc<dyn Store>) {
    let admin = with_admin(&s).await;
    let (invite, new) = s.create_invite(&email("dan@y.io"), admin.id, at(5)).await.unwrap();
    assert!(new);
    assert_eq!((invite.email.as_str(), invite.invited_by, invite.created_at), ("dan@y.io", admin.id, at(5)));
    assert_eq!(invite.used_at, None);
    assert!(s.would_admit(&email("dan@y.io"), CLOSED).await.unwrap());
    assert!(!s.would_admit(&email("dan2@y.io"), CLOSED).await.unwrap(), "only that address");
    let dan = s.admit_user(&email("dan@y.io"), &name("Dan"), CLOSED, at(9)).await.unwrap();
    let dan = created(dan);
    assert!(!dan.is_admin);
    let listed = s.list_invites(admin.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].used_at, Some(at(9)), "used up by the account it made");
    // Used up, but the account stays a member.
    assert_eq!(admit(&s, "dan@y.io", CLOSED).await, Admitted::Existing(dan));
}

pub async fn invitations_are_one_per_address_whoever_invites(s: Arc<dyn Store>) {
    let admin = with_admin(&s).await;
    let bob = created(admit(&s, "bob@x.io", Admission::Open).await);
    let (first, new) = s.create_invite(&email("eve@y.io"), admin.id, at(1)).await.unwrap();
    assert!(new);
    let (again, new_again) = s.create_invite(&email("eve@y.io"), bob.id, at(2)).await.unwrap();
    assert!(!new_again);
    assert_eq!(again, first, "the existing invitation, unchanged");
    assert!(s.list_invites(bob.id).await.unwrap().is_empty());
    assert_eq!(s.list_invites(admin.id).await.unwrap(), vec![first]);
}

pub async fn invitations_are_listed_newest_first_per_inviter(s: Arc<dyn Store>) {
    let admin = with_admin(&s).await;
    for (i, addr) in ["a@y.io", "b@y.io", "c@y.io"].iter().enumerate() {
        s.create_invite(&email(addr), admin.id, at(i as i64 * 10)).await.unwrap();
    }
    let listed: Vec<String> =
        s.list_invites(admin.id).await.unwrap().into_iter().map(|i| i.email.to_string()).collect();
    assert_eq!(listed, ["c@y.io", "b@y.io", "a@y.io"]);
    assert!(s.list_invites(UserId::new()).await.unwrap().is_empty());
}

pub async fn the_name_search_matches_an_address_only_whole(s: Arc<dyn Store>) {
    for (addr, n) in [("ada@x.io", "Ada Lovelace"), ("grace@navy.mil", "Grace"), ("lin@x.io", "Lin 100%")] {
        s.admit_user(&email(addr), &name(n), Admission::Open, at(0)).await.unwrap();
    }
    let names = |v: Vec<User>| v.into_iter().map(|u| u.name.into_string()).collect::<Vec<_>>();
    let search = |q: &'static str| {
        let s = s.clone();
        async move { names(s.search_users_by_name_or_address(q, 10).await.unwrap()) }
    };
    assert_eq!(search("love").await, ["Ada Lovelace"]);
    assert_eq!(search("%").await, ["Lin 100%"], "matched literally");
    assert!(search("x.io").await.is_empty(), "part of an address finds nothing");
    assert!(search("navy").await.is_empty());
    assert!(search("grace@navy").await.is_empty());
    assert_eq!(search("grace@navy.mil").await, ["Grace"], "the whole address finds its owner");
    assert_eq!(search(" Grace@Navy.MIL ").await, ["Grace"], "trimmed and case-blind, like a login");
    assert_eq!(search("").await.len(), 3);
}
