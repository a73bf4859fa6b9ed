//! Presence across nodes, on Redis. Each user online anywhere has a sorted set of the
//! nodes holding a socket of theirs, scored by when that node's claim expires; each
//! node keeps its own counts of sockets per user and renews its claims with every
//! beat. A node that dies stops beating: its claims run out, and the first live node
//! to notice takes its list of users (atomically, so only one does) and answers those
//! who are now offline everywhere, so their contacts hear it.
//!
//! Times are the app's clock, not Redis's, as the limiter's are. Redis down: each call
//! fails fast (the socket is served, its presence not announced), and the next beat
//! after Redis is back claims every user of this node again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use natter_domain::ids::UserId;
use natter_domain::ports::{Clock, Presence};
use redis::aio::ConnectionManager;

use crate::redis_conn::{REDIS_TIMEOUT, manager};

/// Live nodes, scored by when each one's beat runs out.
const NODES: &str = "natter:presence:nodes";
/// At most this many dead nodes are taken over per beat.
const REAP_AT_ONCE: isize = 16;

fn user_key(user: UserId) -> String {
    format!("natter:presence:user:{user}")
}

fn node_key(node: &str) -> String {
    format!("natter:presence:node:{node}")
}

pub struct RedisPresence {
    node: String,
    conn: ConnectionManager,
    clock: Arc<dyn Clock>,
    expiry: Duration,
    /// Open sockets per user on this node.
    here: Mutex<HashMap<UserId, u32>>,
}

impl RedisPresence {
    /// Connects to `url`; a claim not renewed within `expiry` is a dead node's.
    pub async fn connect(url: &str, clock: Arc<dyn Clock>, expiry: Duration) -> anyhow::Result<Self> {
        let conn = manager(&redis::Client::open(url)?).await?;
        let node = uuid::Uuid::now_v7().simple().to_string();
        Ok(Self { node, conn, clock, expiry, here: Mutex::default() })
    }

    fn here(&self) -> std::sync::MutexGuard<'_, HashMap<UserId, u32>> {
        self.here.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().as_millis()
    }

    fn expiry_ms(&self) -> i64 {
        i64::try_from(self.expiry.as_millis()).unwrap_or(i64::MAX)
    }

    /// Keys outlive their claims a while, so Redis forgets what nobody renews.
    fn keep_ms(&self) -> i64 {
        self.expiry_ms().saturating_mul(4)
    }

    async fn query<T: redis::FromRedisValue>(&self, pipe: &redis::Pipeline) -> anyhow::Result<T> {
        let mut conn = self.conn.clone();
        tokio::time::timeout(REDIS_TIMEOUT, pipe.query_async(&mut conn))
            .await
            .map_err(|_| anyhow::anyhow!("Redis did not answer in time"))?
            .map_err(Into::into)
    }

    /// Drops `node`'s claim on `user` and the claims that ran out; whether any node
    /// still holds the user.
    async fn release(&self, user: UserId, node: &str, now: i64) -> anyhow::Result<bool> {
        let key = user_key(user);
        let mut pipe = redis::pipe();
        pipe.atomic().zrem(&key, node).ignore().zrembyscore(&key, "-inf", now).ignore().zcard(&key);
        let (left,): (i64,) = self.query(&pipe).await?;
        Ok(left > 0)
    }
}

#[async_trait]
impl Presence for RedisPresence {
    async fn opened(&self, user: UserId) -> anyhow::Result<bool> {
        {
            let mut here = self.here();
            let n = here.entry(user).or_insert(0);
            *n += 1;
            if *n > 1 {
                return Ok(false);
            }
        }
        let (now, key) = (self.now_ms(), user_key(user));
        let mut pipe = redis::pipe();
        pipe.atomic()
            .zrembyscore(&key, "-inf", now)
            .ignore()
            .zadd(&key, &self.node, now + self.expiry_ms())
            .ignore()
            .zcard(&key)
            .pexpire(&key, self.keep_ms())
            .ignore()
            .sadd(node_key(&self.node), user.to_string())
            .ignore();
        let (holders,): (i64,) = self.query(&pipe).await?;
        // Only this node holds them: they just came online.
        Ok(holders == 1)
    }

    async fn closed(&self, user: UserId) -> anyhow::Result<bool> {
        {
            let mut here = self.here();
            match here.get_mut(&user) {
                Some(n) if *n > 1 => {
                    *n -= 1;
                    return Ok(false);
                }
                Some(_) => {
                    here.remove(&user);
                }
                None => return Ok(false),
            }
        }
        let mut pipe = redis::pipe();
        pipe.srem(node_key(&self.node), user.to_string()).ignore();
        self.query::<()>(&pipe).await?;
        Ok(!self.release(user, &self.node, self.now_ms()).await?)
    }

    async fn online(&self, users: &[UserId]) -> anyhow::Result<Vec<UserId>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let after = format!("({}", self.now_ms());
        let mut pipe = redis::pipe();
        for user in users {
            pipe.zcount(user_key(*user), &after, "+inf");
        }
        let holders: Vec<i64> = self.query(&pipe).await?;
        Ok(users.iter().zip(holders).filter(|(_, n)| *n > 0).map(|(u, _)| *u).collect())
    }

    async fn beat(&self) -> anyhow::Result<Vec<UserId>> {
        let now = self.now_ms();
        let until = now + self.expiry_ms();
        let users: Vec<UserId> = self.here().keys().copied().collect();
        let mine = node_key(&self.node);
        let mut pipe = redis::pipe();
        pipe.zadd(NODES, &self.node, until).ignore();
        // Also what a Redis that restarted empty needs to know again.
        for user in &users {
            let key = user_key(*user);
            pipe.zadd(&key, &self.node, until).ignore().pexpire(&key, self.keep_ms()).ignore();
        }
        if !users.is_empty() {
            let names: Vec<String> = users.iter().map(ToString::to_string).collect();
            pipe.sadd(&mine, names).ignore();
        }
        pipe.pexpire(&mine, self.keep_ms()).ignore();
        self.query::<()>(&pipe).await?;

        let mut ask = redis::pipe();
        ask.cmd("ZRANGEBYSCORE").arg(NODES).arg("-inf").arg(now).arg("LIMIT").arg(0).arg(REAP_AT_ONCE);
        let (dead,): (Vec<String>,) = self.query(&ask).await?;
        let mut gone = Vec::new();
        for node in dead.into_iter().filter(|n| *n != self.node) {
            // Whoever removes it takes it over; the others leave it be.
            let mut take = redis::pipe();
            take.zrem(NODES, &node);
            let (taken,): (i64,) = self.query(&take).await?;
            if taken == 0 {
                continue;
            }
            let mut list = redis::pipe();
            list.smembers(node_key(&node)).del(node_key(&node)).ignore();
            let (names,): (Vec<String>,) = self.query(&list).await?;
            for user in names.iter().filter_map(|n| n.parse::<UserId>().ok()) {
                if !self.release(user, &node, now).await? {
                    gone.push(user);
                }
            }
            tracing::info!(
                node,
                users = names.len(),
                "a node stopped beating: its users' presence is released"
            );
        }
        Ok(gone)
    }
}
