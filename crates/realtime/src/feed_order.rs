//! Each chat's feed rows reach this node's sockets in `seq` order and once, whatever
//! order the bus hands them over in: two sends to one chat commit in order but may be
//! published the other way round, a sweeper may republish what was already delivered,
//! and a bus between nodes may lose a row. A row past the next expected `seq` waits
//! for the missing ones; if they do not come within `GAP_WAIT`, the fan-out reads them
//! from the store (`gaps_due`), and if the store has none either, what waits goes out
//! in order around the hole (`give_up`).
//!
//! Where a chat's order starts: at 0 for a chat created while this node runs (`start`);
//! otherwise at the first row this node sees. Two rows of such a chat published out of
//! order before any other reaches this node are both delivered, the later-committed
//! first (clients order by `seq`); nothing is lost or repeated.
//!
//! Pure bookkeeping, with the time passed in, so every rule is tested without a clock.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use natter_domain::chat::FeedEvent;
use natter_domain::ids::{ChatId, UserId};

/// How long a row waits for the ones before it before they are read from the store.
pub const GAP_WAIT: Duration = Duration::from_millis(300);
/// A chat's first row on this node sets where its order starts; a row from just before
/// it may still be on its way (published out of order), so for this long rows older
/// than the first are delivered once each rather than taken for repeats.
const FIRST_ROW_GRACE: Duration = Duration::from_secs(2);
/// Rows one chat may hold waiting for a gap; past it the gap is given up at once.
const MAX_HELD: usize = 1024;
/// A chat with no row for this long is forgotten (its next row starts it afresh).
const IDLE: Duration = Duration::from_secs(600);

/// A feed row with the members it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub event: FeedEvent,
    pub members: Vec<UserId>,
}

/// A hole to read from the store: rows of `chat` strictly between `after` and `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub chat: ChatId,
    pub after: i64,
    pub before: i64,
    pub members: Vec<UserId>,
}

struct Cursor {
    /// The newest `seq` delivered in order.
    last: i64,
    /// The first `seq` this node delivered for the chat, and when.
    first: i64,
    started: Instant,
    /// Rows older than `first` delivered during the grace period.
    before_first: BTreeSet<i64>,
    held: BTreeMap<i64, Row>,
    /// Since when the oldest held row has waited.
    waiting_since: Option<Instant>,
    fetching: bool,
    touched: Instant,
}

#[derive(Default)]
pub struct FeedOrder {
    chats: HashMap<ChatId, Cursor>,
}

impl FeedOrder {
    /// Where a chat's order starts when it is known for sure: a chat created now
    /// starts at 0, so its first rows wait for each other like all later ones.
    pub fn start(&mut self, chat: ChatId, last: i64, now: Instant) {
        self.chats.entry(chat).or_insert(Cursor {
            last,
            first: last + 1,
            started: now,
            before_first: BTreeSet::new(),
            held: BTreeMap::new(),
            waiting_since: None,
            fetching: false,
            touched: now,
        });
    }

    /// Take one row; returns what to deliver now, in order (maybe nothing).
    pub fn accept(&mut self, row: Row, now: Instant) -> Vec<Row> {
        let seq = row.event.seq;
        let Some(c) = self.chats.get_mut(&row.event.chat_id) else {
            self.chats.insert(
                row.event.chat_id,
                Cursor {
                    last: seq,
                    first: seq,
                    started: now,
                    before_first: BTreeSet::new(),
                    held: BTreeMap::new(),
                    waiting_since: None,
                    fetching: false,
                    touched: now,
                },
            );
            return vec![row];
        };
        c.touched = now;
        if seq <= c.last {
            let late_first = seq < c.first && now.duration_since(c.started) < FIRST_ROW_GRACE;
            return if late_first && c.before_first.insert(seq) { vec![row] } else { Vec::new() };
        }
        if seq > c.last + 1 {
            if c.held.len() >= MAX_HELD {
                c.held.insert(seq, row);
                return release_all(c);
            }
            c.held.entry(seq).or_insert(row);
            c.waiting_since.get_or_insert(now);
            return Vec::new();
        }
        c.last = seq;
        let mut out = vec![row];
        while let Some(next) = c.held.remove(&(c.last + 1)) {
            c.last += 1;
            out.push(next);
        }
        c.waiting_since = if c.held.is_empty() { None } else { Some(now) };
        out
    }

    /// Holes that have waited past `GAP_WAIT` and are not being read yet; each is
    /// marked as being read until `filled` is called for its chat.
    pub fn gaps_due(&mut self, now: Instant) -> Vec<Gap> {
        let mut due = Vec::new();
        for (chat, c) in &mut self.chats {
            let waited = c.waiting_since.is_some_and(|t| now.duration_since(t) >= GAP_WAIT);
            if waited
                && !c.fetching
                && let Some((&before, row)) = c.held.first_key_value()
            {
                c.fetching = true;
                due.push(Gap { chat: *chat, after: c.last, before, members: row.members.clone() });
            }
        }
        due
    }

    /// The store's answer for a gap of `chat`: the rows it had (maybe none). Returns
    /// what to deliver now, in order; a hole the store could not fill is given up.
    pub fn filled(&mut self, chat: ChatId, rows: Vec<Row>, now: Instant) -> Vec<Row> {
        let mut out = Vec::new();
        for row in rows {
            out.extend(self.accept(row, now));
        }
        if let Some(c) = self.chats.get_mut(&chat) {
            c.fetching = false;
            if c.held.first_key_value().is_some_and(|(&seq, _)| seq > c.last + 1) {
                out.extend(release_all(c));
            }
        }
        out
    }

    /// Forget chats that had no row for a while.
    pub fn forget_idle(&mut self, now: Instant) {
        self.chats.retain(|_, c| now.duration_since(c.touched) < IDLE || !c.held.is_empty());
    }
}

/// Everything held goes out in order, skipping the holes; the order starts after it.
fn release_all(c: &mut Cursor) -> Vec<Row> {
    let held = std::mem::take(&mut c.held);
    if let Some((&newest, _)) = held.last_key_value() {
        c.last = c.last.max(newest);
    }
    c.waiting_since = None;
    held.into_values().collect()
}

#[cfg(test)]
mod tests {
    use natter_domain::Timestamp;
    use natter_domain::chat::FeedKind;

    use super::*;

    fn row(chat: ChatId, seq: i64) -> Row {
        Row {
            event: FeedEvent {
                chat_id: chat,
                seq,
                kind: FeedKind::MessageCreated,
                actor: UserId::new(),
                at: Timestamp::from_millis(0),
                message: None,
                chat: None,
            },
            members: Vec::new(),
        }
    }

    fn seqs(rows: &[Row]) -> Vec<i64> {
        rows.iter().map(|r| r.event.seq).collect()
    }

    #[test]
    fn rows_in_order_go_out_at_once_and_repeats_never() {
        let (mut o, chat, t) = (FeedOrder::default(), ChatId::new(), Instant::now());
        assert_eq!(seqs(&o.accept(row(chat, 5), t)), [5]);
        assert_eq!(seqs(&o.accept(row(chat, 6), t)), [6]);
        assert_eq!(seqs(&o.accept(row(chat, 6), t)), Vec::<i64>::new(), "a republished row");
        let later = t + FIRST_ROW_GRACE;
        assert_eq!(seqs(&o.accept(row(chat, 3), later)), Vec::<i64>::new(), "older than what was delivered");
    }

    #[test]
    fn a_row_ahead_waits_for_the_one_before_it() {
        let (mut o, chat, t) = (FeedOrder::default(), ChatId::new(), Instant::now());
        o.accept(row(chat, 1), t);
        assert!(o.accept(row(chat, 3), t).is_empty());
        assert!(o.accept(row(chat, 4), t).is_empty());
        assert_eq!(seqs(&o.accept(row(chat, 2), t)), [2, 3, 4]);
        assert!(o.gaps_due(t + GAP_WAIT).is_empty(), "nothing waits any more");
    }

    #[test]
    fn a_gap_that_stays_open_is_read_from_the_store_then_given_up() {
        let (mut o, chat, t) = (FeedOrder::default(), ChatId::new(), Instant::now());
        o.accept(row(chat, 1), t);
        o.accept(row(chat, 4), t);
        assert!(o.gaps_due(t + GAP_WAIT / 2).is_empty(), "not yet");
        let gaps = o.gaps_due(t + GAP_WAIT);
        assert_eq!(gaps.iter().map(|g| (g.after, g.before)).collect::<Vec<_>>(), [(1, 4)]);
        assert!(o.gaps_due(t + GAP_WAIT * 2).is_empty(), "asked once while it is being read");
        // The store has 2 but not 3 (say it was never committed): 2, then 4 around the hole.
        assert_eq!(seqs(&o.filled(chat, vec![row(chat, 2)], t)), [2, 4]);
        assert_eq!(seqs(&o.accept(row(chat, 5), t)), [5], "the order goes on after the hole");
    }

    #[test]
    fn a_row_from_just_before_the_first_is_delivered_once() {
        let (mut o, chat, t) = (FeedOrder::default(), ChatId::new(), Instant::now());
        o.accept(row(chat, 6), t);
        assert_eq!(seqs(&o.accept(row(chat, 5), t)), [5], "published after 6, committed before");
        assert!(o.accept(row(chat, 5), t).is_empty(), "but only once");
    }

    #[test]
    fn a_chat_started_at_zero_orders_its_first_rows_too() {
        let (mut o, chat, t) = (FeedOrder::default(), ChatId::new(), Instant::now());
        o.start(chat, 0, t);
        assert!(o.accept(row(chat, 2), t).is_empty(), "1 is on its way");
        assert_eq!(seqs(&o.accept(row(chat, 1), t)), [1, 2]);
    }

    #[test]
    fn chats_keep_their_own_order_and_idle_ones_are_forgotten() {
        let (mut o, a, b, t) = (FeedOrder::default(), ChatId::new(), ChatId::new(), Instant::now());
        o.accept(row(a, 1), t);
        o.accept(row(b, 7), t);
        assert_eq!(seqs(&o.accept(row(b, 8), t)), [8]);
        assert!(o.accept(row(a, 3), t).is_empty());
        o.forget_idle(t + IDLE);
        assert_eq!(o.chats.len(), 1, "a waits for 2 and stays; b is forgotten");
    }

    #[test]
    fn too_many_waiting_rows_give_the_gap_up_at_once() {
        let (mut o, chat, t) = (FeedOrder::default(), ChatId::new(), Instant::now());
        o.accept(row(chat, 1), t);
        for seq in 3..3 + MAX_HELD as i64 {
            assert!(o.accept(row(chat, seq), t).is_empty());
        }
        let out = o.accept(row(chat, 3 + MAX_HELD as i64), t);
        assert_eq!(out.len(), MAX_HELD + 1);
        assert!(out.windows(2).all(|w| w[0].event.seq < w[1].event.seq));
    }
}
