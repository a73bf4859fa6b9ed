//! Blocking a user: in their 1:1 chat neither of the two can send, the blocked one
//! cannot start it, and neither sees the other's presence, last seen or typing. Group
//! chats are not affected.
//!
//! Every send to a 1:1 chat asks whether its two members are apart, and typing and
//! presence ask it for every signal, so the answer comes from memory: each user's
//! blocks (made and received) are read once and remembered here. A change is
//! committed first, then forgotten here at once (the node that made it answers
//! correctly from its next request on) and announced on the bus
//! (`BusEvent::BlocksChanged`), on which every node forgets both users' blocks
//! (`follow`). Checking inside the store's insert transaction instead would be exact
//! on every node but would cost a read per message in both stores, and typing and
//! presence would still need this memory. What a node remembers is also read again
//! after `FRESH_FOR`, so an announcement lost while the bus was down (a Redis restart)
//! is outlived within seconds.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use natter_domain::StoreError;
use natter_domain::Timestamp;
use natter_domain::bus::{Bus, BusEvent};
use natter_domain::entities::User;
use natter_domain::ids::UserId;
use natter_domain::ports::{Clock, Store};
use tracing::instrument;

use crate::announce::announce;
use crate::auth::AuthContext;
use crate::users::Profile;
use crate::{AppError, AppResult};

/// How long a node trusts what it read of someone's blocks without hearing of a change.
pub const FRESH_FOR: Duration = Duration::from_secs(30);
/// Users whose blocks are remembered; past this the memory starts over.
const REMEMBERED: usize = 100_000;

/// One user's blocks, both ways.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UserBlocks {
    /// Whom this user blocked.
    pub blocked: HashSet<UserId>,
    /// Who blocked this user.
    pub blocked_by: HashSet<UserId>,
}

impl UserBlocks {
    /// Whether this user and `other` are kept apart (either blocked the other).
    pub fn apart_from(&self, other: UserId) -> bool {
        self.blocked.contains(&other) || self.blocked_by.contains(&other)
    }
}

/// Someone `who` blocked, with when.
pub struct Blocked {
    pub user: Profile,
    pub since: Timestamp,
}

struct Remembered {
    blocks: Arc<UserBlocks>,
    read_at: Instant,
}

#[derive(Default)]
struct Memory {
    users: HashMap<UserId, Remembered>,
    /// Bumped by every change heard of, so a read that raced one is not kept.
    generation: u64,
}

pub struct BlockService {
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    clock: Arc<dyn Clock>,
    memory: Mutex<Memory>,
}

impl BlockService {
    pub fn new(store: Arc<dyn Store>, bus: Arc<dyn Bus>, clock: Arc<dyn Clock>) -> Self {
        Self { store, bus, clock, memory: Mutex::default() }
    }

    fn memory(&self) -> MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `who` blocks the user `target` (an `_id`). Blocking again changes nothing.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn block(&self, who: AuthContext, target: &str) -> AppResult<()> {
        let target = parse_target(target)?;
        if target == who.user_id {
            return Err(AppError::BadRequest {
                code: "cannot_block_yourself",
                message: "You cannot block yourself.".into(),
            });
        }
        let created = self.store.block_user(who.user_id, target, self.clock.now()).await.map_err(no_user)?;
        if created {
            self.changed(who.user_id, target, true).await;
        }
        Ok(())
    }

    /// `who` takes back their block of `target`. Unblocking someone not blocked
    /// changes nothing.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn unblock(&self, who: AuthContext, target: &str) -> AppResult<()> {
        let target = parse_target(target)?;
        if self.store.unblock_user(who.user_id, target).await? {
            self.changed(who.user_id, target, false).await;
            return Ok(());
        }
        // Nothing to take back: still a 404 for a user who does not exist.
        self.store.get_user(target).await.map_err(no_user)?;
        Ok(())
    }

    /// The users `who` blocked, the latest first. Everyone sees only their own.
    pub async fn list(&self, who: AuthContext) -> AppResult<Vec<Blocked>> {
        let mine: Vec<_> = self
            .store
            .blocks_involving(who.user_id)
            .await?
            .into_iter()
            .filter(|b| b.blocker == who.user_id)
            .collect();
        let ids: Vec<UserId> = mine.iter().map(|b| b.blocked).collect();
        let mut users: HashMap<UserId, User> =
            self.store.get_users(&ids).await?.into_iter().map(|u| (u.id, u)).collect();
        Ok(mine
            .into_iter()
            .filter_map(|b| {
                // Names only: blocking someone reveals no more of them than a search does.
                users.remove(&b.blocked).map(|u| Blocked { user: Profile::name_only(u), since: b.created_at })
            })
            .collect())
    }

    /// `user`'s blocks, from memory when it is fresh.
    pub async fn of(&self, user: UserId) -> AppResult<Arc<UserBlocks>> {
        let generation = {
            let memory = self.memory();
            if let Some(known) = memory.users.get(&user).filter(|r| r.read_at.elapsed() < FRESH_FOR) {
                return Ok(Arc::clone(&known.blocks));
            }
            memory.generation
        };
        let mut blocks = UserBlocks::default();
        for b in self.store.blocks_involving(user).await? {
            if b.blocker == user {
                blocks.blocked.insert(b.blocked);
            } else {
                blocks.blocked_by.insert(b.blocker);
            }
        }
        let blocks = Arc::new(blocks);
        let mut memory = self.memory();
        if memory.generation == generation {
            if memory.users.len() >= REMEMBERED {
                memory.users.clear();
            }
            memory.users.insert(user, Remembered { blocks: Arc::clone(&blocks), read_at: Instant::now() });
        }
        Ok(blocks)
    }

    /// Whether `a` and `b` are kept apart (either blocked the other).
    pub async fn apart(&self, a: UserId, b: UserId) -> AppResult<bool> {
        Ok(self.of(a).await?.apart_from(b))
    }

    /// Whether `who` may send to their 1:1 chat with `other`: not if either blocked
    /// the other, each told in their own words.
    pub async fn may_send_direct(&self, who: UserId, other: UserId) -> AppResult<()> {
        let blocks = self.of(who).await?;
        if blocks.blocked.contains(&other) {
            return Err(AppError::Forbidden {
                code: "you_blocked_user",
                message: "You blocked this user. Unblock them to send a message.".into(),
            });
        }
        if blocks.blocked_by.contains(&other) {
            return Err(blocked_you("send them messages"));
        }
        Ok(())
    }

    /// Whether `who` may start (or reopen) a 1:1 chat with `other`: not if `other`
    /// blocked them. A blocker may open it (to unblock from there).
    pub async fn may_start_direct(&self, who: UserId, other: UserId) -> AppResult<()> {
        if self.of(who).await?.blocked_by.contains(&other) {
            return Err(blocked_you("start a chat with them"));
        }
        Ok(())
    }

    /// A block between `a` and `b` changed (here or on another node): what is
    /// remembered of both is read again when next asked.
    pub fn forget(&self, a: UserId, b: UserId) {
        let mut memory = self.memory();
        memory.generation += 1;
        memory.users.remove(&a);
        memory.users.remove(&b);
    }

    fn forget_all(&self) {
        let mut memory = self.memory();
        memory.generation += 1;
        memory.users.clear();
    }

    async fn changed(&self, blocker: UserId, blocked: UserId, blocking: bool) {
        self.forget(blocker, blocked);
        announce(&*self.bus, BusEvent::BlocksChanged { blocker, blocked, blocking }).await;
    }

    /// Forget what changed on any node, as the bus tells it, until `shutdown`. Every
    /// node runs this (an api node answers sends too).
    pub async fn follow(self: Arc<Self>, shutdown: impl Future<Output = ()>) {
        let mut sub = self.bus.subscribe();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                event = sub.next() => match event {
                    Some(Ok(BusEvent::BlocksChanged { blocker, blocked, .. })) => self.forget(blocker, blocked),
                    Some(Ok(_)) => {}
                    // Changes may be among what was dropped.
                    Some(Err(_)) => self.forget_all(),
                    None => return,
                },
            }
        }
    }
}

fn parse_target(raw: &str) -> AppResult<UserId> {
    raw.trim().parse().map_err(|_| AppError::not_found("user_not_found", "No such user."))
}

fn no_user(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::not_found("user_not_found", "No such user."),
        other => other.into(),
    }
}

fn blocked_you(what: &str) -> AppError {
    AppError::Forbidden {
        code: "blocked",
        message: format!("This user has blocked you, so you cannot {what}."),
    }
}
