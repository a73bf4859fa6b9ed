//! The things natter stores, as the use-cases see them.

use crate::ids::{JobId, SessionId, UserId};
use crate::notify::{MessageToNotify, PushDelivery, UnreadMail};
use crate::{DisplayName, Email, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: DisplayName,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The first account of an install is its admin: admins see every address.
    pub is_admin: bool,
    /// When the user last went offline (their last socket closed, or the node holding
    /// it died); `None` before they ever did. Who may see it is the use-cases' rule.
    pub last_seen_at: Option<Timestamp>,
}

/// A user's own preferences, one row of `user_settings` (a user without a row has
/// the defaults). Later settings join it as columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Whether others may see when this user was last seen; `false` also hides
    /// everyone else's from them (reciprocal).
    pub show_last_seen: bool,
    /// A soft sound when a message arrives in a chat the user is not viewing.
    pub sound: bool,
    /// The browser's notifications while the tab is hidden (once the browser allows them).
    pub desktop: bool,
    /// A mail about messages still unread after a while.
    pub unread_mail: UnreadMail,
}

impl Default for Settings {
    fn default() -> Self {
        Self { show_last_seen: true, sound: true, desktop: true, unread_mail: UnreadMail::Default }
    }
}

/// A change to some settings: `None` leaves that one as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettingsPatch {
    pub show_last_seen: Option<bool>,
    pub sound: Option<bool>,
    pub desktop: Option<bool>,
    pub unread_mail: Option<UnreadMail>,
}

impl SettingsPatch {
    pub fn apply(self, to: Settings) -> Settings {
        Settings {
            show_last_seen: self.show_last_seen.unwrap_or(to.show_last_seen),
            sound: self.sound.unwrap_or(to.sound),
            desktop: self.desktop.unwrap_or(to.desktop),
            unread_mail: self.unread_mail.unwrap_or(to.unread_mail),
        }
    }
}

/// `blocker` blocked `blocked`: in their 1:1 chat neither can send, the blocked one
/// cannot start it, and neither sees the other's presence or typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub blocker: UserId,
    pub blocked: UserId,
    pub created_at: Timestamp,
}

/// Who may get an account when a verified address has none yet; the store applies it
/// in the transaction that would create the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Anyone whose code verifies (the seed's rule).
    Open,
    /// Only an address with an open invitation, one whose domain is allowed
    /// (`domain_allowed`), or the first account of an empty install (its admin, who
    /// can then invite the others).
    Closed { domain_allowed: bool },
}

/// What `Store::admit_user` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admitted {
    /// The address already had an account.
    Existing(User),
    /// The account was created now (an invitation for the address, if any, is used up).
    Created(User),
    /// No account, and the admission does not allow one: nothing was written.
    Refused,
}

/// An invitation: the address may join a closed install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub email: Email,
    pub invited_by: UserId,
    pub created_at: Timestamp,
    /// When the invitee's account was created with it.
    pub used_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// How many codes an address may have open at once: a new code does not kill the ones
/// already mailed (so whoever asks for a code cannot void the code its owner is typing),
/// but only the newest few stay open.
pub const MAX_OPEN_CODES: usize = 3;

/// A login code as stored: only a keyed hash of the digits, never the digits.
#[derive(Debug, Clone)]
pub struct NewLoginCode {
    pub email: Email,
    pub code_hash: Vec<u8>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What checking a submitted code against the open code of an address found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code matched and is now used up.
    Accepted,
    /// Wrong code; the open codes stay open (each with one try fewer).
    Wrong,
    /// This submission used up the last allowed try of every open code, or an earlier
    /// one did: the address has no usable code until a new one is requested.
    Exhausted,
    /// No open code: never requested, expired, or already used.
    Missing,
}

/// An email to deliver.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// A mail that the console mailer has "sent", as the dev mailbox lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    pub mail: Mail,
    pub sent_at: Timestamp,
}

/// A unit of background work, written in the same transaction as the state that
/// caused it (transactional outbox). Its payload is sealed by the use-case before the
/// store sees it (a login mail carries a code): the store keeps bytes it cannot read,
/// and erases them once the job is done or dead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub id: JobId,
    /// `JobKind::name`, in the clear: what operators count jobs by.
    pub kind: &'static str,
    pub sealed: Vec<u8>,
}

/// A job handed to one worker until its lease ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedJob {
    pub id: JobId,
    pub kind: String,
    pub sealed: Vec<u8>,
    /// How many deliveries were tried before this one.
    pub attempts: u32,
    /// Who holds the job: completing or failing it needs this lease, so a worker whose
    /// lease ran out and was handed on cannot settle what another worker now holds.
    pub lease: LeaseId,
}

/// What a consumer of a broker finds when it asks the store for a job it received
/// (`Store::take_relayed_job`): a broker may deliver a message more than once (a
/// consumer died before its ack, a relay died between the confirm and its mark), and
/// the store's row says whether this delivery is the one to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayedClaim {
    /// This delivery holds the job now, under this lease: mail it, then settle it.
    Leased(LeaseId),
    /// Already done or dead: a duplicate, to be acknowledged and dropped.
    Settled,
    /// Another delivery of it holds the job right now.
    Busy,
    /// No such job in this store.
    Unknown,
}

/// One claim of a job; unique per claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeaseId(pub uuid::Uuid);

impl LeaseId {
    pub fn new() -> Self {
        Self(uuid::Uuid::now_v7())
    }
}

impl Default for LeaseId {
    fn default() -> Self {
        Self::new()
    }
}

/// How the store is doing, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Writes waiting for the database (a backend without a queue: 0).
    pub write_queue: u64,
    /// Jobs waiting for a worker: due now or at a retry time.
    pub jobs_queued: u64,
    /// Jobs a worker holds right now.
    pub jobs_leased: u64,
    /// Jobs given up on (dead letters).
    pub jobs_dead: u64,
}

/// What a job does, as the use-cases see it once it is opened.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum JobKind {
    SendMail(Mail),
    /// Look at a new message once its grace is over and push it to the devices of
    /// the members who have not read it (one `SendPush` each).
    NotifyMessage(MessageToNotify),
    /// Deliver one notification to one device.
    SendPush(PushDelivery),
}

impl JobKind {
    pub fn name(&self) -> &'static str {
        match self {
            JobKind::SendMail(_) => "send_mail",
            JobKind::NotifyMessage(_) => "notify_message",
            JobKind::SendPush(_) => "send_push",
        }
    }
}
