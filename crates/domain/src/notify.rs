//! Notifications that find a member who is not looking: Web Push to their devices and
//! a mail when a message stays unread. What is stored for them, and what the jobs carry.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::entities::NewJob;
use crate::ids::{ChatId, MessageId, UserId};

/// The longest push endpoint accepted (browsers' are a few hundred bytes).
pub const MAX_PUSH_ENDPOINT: usize = 1024;
/// Devices one user may register; registering one more drops the oldest.
pub const MAX_PUSH_SUBSCRIPTIONS: usize = 20;

/// One browser's push subscription (RFC 8030 endpoint, RFC 8291 keys), replaced by
/// endpoint: a device subscribing again, or under another account, keeps one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushSubscription {
    pub endpoint: String,
    /// The browser's P-256 public key, uncompressed (65 bytes).
    pub p256dh: Vec<u8>,
    /// The browser's authentication secret (16 bytes).
    pub auth: Vec<u8>,
}

/// When a member who has not read a message gets a mail about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnreadMail {
    /// The deployment's delay (15 minutes unless `NATTER_UNREAD_MAIL_DELAY` says).
    #[default]
    Default,
    Off,
    /// After this many minutes: one of `UNREAD_MAIL_CHOICES`.
    After(u16),
}

/// The delays a user may choose, in minutes.
pub const UNREAD_MAIL_CHOICES: [u16; 3] = [5, 15, 60];
/// The product's default delay, shown as the user's choice until they pick one.
pub const UNREAD_MAIL_DEFAULT_MINUTES: u16 = 15;

impl UnreadMail {
    /// As stored: `None` the default, `0` off, else minutes.
    pub fn to_column(self) -> Option<i64> {
        match self {
            UnreadMail::Default => None,
            UnreadMail::Off => Some(0),
            UnreadMail::After(m) => Some(i64::from(m)),
        }
    }

    pub fn from_column(v: Option<i64>) -> Self {
        match v {
            None => UnreadMail::Default,
            Some(m) if m <= 0 => UnreadMail::Off,
            Some(m) => UnreadMail::After(u16::try_from(m).unwrap_or(u16::MAX)),
        }
    }

    /// The minutes a user sees as their choice (`None`: off).
    pub fn minutes(self) -> Option<u16> {
        match self {
            UnreadMail::Default => Some(UNREAD_MAIL_DEFAULT_MINUTES),
            UnreadMail::Off => None,
            UnreadMail::After(m) => Some(m),
        }
    }
}

/// A job to run at a later time rather than at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayedJob {
    pub job: NewJob,
    pub run_at: Timestamp,
}

/// Who gets a push for a new message: a member other than the sender, who wants
/// desktop notifications, has not muted the chat and has not read the message (a member viewing the chat has it
/// marked read on arrival), with one of their devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    pub user: UserId,
    pub subscription: PushSubscription,
}

/// What a push job delivers to one device: the subscription, and the notification
/// the service worker shows (JSON, at most a few hundred bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushDelivery {
    pub user: UserId,
    pub subscription: PushSubscription,
    pub payload: String,
}

/// A new message that may need pushing, looked at once the grace after its commit
/// is over (`NotifyMessage` job).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageToNotify {
    pub chat_id: ChatId,
    pub message_id: MessageId,
}

/// One unread message, as the still-unread mail lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadLine {
    pub chat_id: ChatId,
    /// The group's name; `None` for a 1:1 chat (named after the sender).
    pub group_name: Option<String>,
    pub sender_name: String,
    pub text: String,
    /// An image without text.
    pub is_image: bool,
    pub created_at: Timestamp,
}

/// A member with unread messages that may be mailed: every unread message (not their
/// own, not a notice, not deleted, in chats they have not muted) newer than those the
/// last such mail listed, oldest first. The use-case decides whether the oldest has waited long enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadDigest {
    pub user: UserId,
    pub email: String,
    pub name: String,
    pub setting: UnreadMail,
    /// When they were last mailed about unread messages (the claim compares it).
    pub mailed_at: Option<Timestamp>,
    pub lines: Vec<UnreadLine>,
}

impl UnreadDigest {
    /// Rows of one query ordered by user, each a digest without lines and one line,
    /// gathered into one digest per user with its lines in row order.
    pub fn gather(rows: impl IntoIterator<Item = (UnreadDigest, UnreadLine)>) -> Vec<UnreadDigest> {
        let mut out: Vec<UnreadDigest> = Vec::new();
        for (head, line) in rows {
            match out.last_mut() {
                Some(d) if d.user == head.user => d.lines.push(line),
                _ => out.push(UnreadDigest { lines: vec![line], ..head }),
            }
        }
        out
    }
}

/// An address on the public internet: not this machine, a private or link-local
/// network, a documentation, benchmarking, shared or reserved range, or multicast.
/// What a push endpoint may resolve to (unless an operator allows its origin).
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_ip(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0x0db8))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "2001:db8::1",
            "255.255.255.255",
        ] {
            assert!(!is_public_ip(private.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]))), "{private}");
        }
        for public in ["8.8.8.8", "142.250.1.1", "2a00:1450::1"] {
            assert!(is_public_ip(public.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]))), "{public}");
        }
    }

    #[test]
    fn the_setting_round_trips_through_its_column() {
        for s in [UnreadMail::Default, UnreadMail::Off, UnreadMail::After(5), UnreadMail::After(60)] {
            assert_eq!(UnreadMail::from_column(s.to_column()), s);
        }
        assert_eq!(UnreadMail::Default.minutes(), Some(15));
        assert_eq!(UnreadMail::Off.minutes(), None);
    }
}
