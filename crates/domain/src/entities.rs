//! The things natter stores, as the use-cases see them.

use crate::ids::{JobId, SessionId, UserId};
use crate::{DisplayName, Email, Timestamp};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: DisplayName,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

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
    /// Wrong code; the code stays open.
    Wrong,
    /// This submission used up the last allowed try, or an earlier one did: the code
    /// is dead until a new one is requested.
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
/// caused it (transactional outbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub kind: JobKind,
    /// How many deliveries were tried before this one.
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    SendMail(Mail),
}

impl JobKind {
    pub fn name(&self) -> &'static str {
        match self {
            JobKind::SendMail(_) => "send_mail",
        }
    }
}
