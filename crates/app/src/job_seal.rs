//! Job payloads sealed with the server secret. A login mail carries its code, and the
//! outbox row lives in the database, its WAL and every backup of them: sealed, a copy
//! of those files does not reveal a code (and the store erases the bytes once the job
//! is done or dead). XChaCha20-Poly1305 with a random nonce per job; the job's id and
//! kind are the associated data, so a sealed payload cannot be moved to another row.

use anyhow::{Context, anyhow, bail};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use natter_domain::entities::{JobKind, LeasedJob, NewJob};
use natter_domain::ids::JobId;
use rand::RngCore;

/// The format's first byte, so a later format can be told apart.
const VERSION: u8 = 1;
const NONCE: usize = 24;

#[derive(Clone)]
pub struct JobSeal {
    cipher: XChaCha20Poly1305,
}

impl JobSeal {
    pub fn new(key: &[u8; 32]) -> Self {
        Self { cipher: XChaCha20Poly1305::new(key.into()) }
    }

    /// A new job with a fresh id, `kind` sealed.
    pub fn seal(&self, kind: &JobKind) -> anyhow::Result<NewJob> {
        self.seal_as(JobId::new(), kind)
    }

    /// A job with the id given (one derived from what it is about, so enqueueing it
    /// twice is a no-op), `kind` sealed.
    pub fn seal_as(&self, id: JobId, kind: &JobKind) -> anyhow::Result<NewJob> {
        let name = kind.name();
        let plain = serde_json::to_vec(kind).context("cannot encode a job")?;
        let mut nonce = [0u8; NONCE];
        rand::thread_rng().fill_bytes(&mut nonce);
        let aad = associated(id, name);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: &plain, aad: &aad })
            .map_err(|_| anyhow!("cannot seal a job"))?;
        let mut out = Vec::with_capacity(1 + NONCE + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(NewJob { id, kind: name, sealed: out })
    }

    /// What `job` says, if it was sealed by this server's secret for this job.
    pub fn open(&self, job: &LeasedJob) -> anyhow::Result<JobKind> {
        let bytes = &job.sealed;
        if bytes.len() < 1 + NONCE || bytes[0] != VERSION {
            bail!("job {} has no payload this server can read", job.id);
        }
        let (nonce, sealed) = bytes[1..].split_at(NONCE);
        let aad = associated(job.id, &job.kind);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: &aad })
            .map_err(|_| anyhow!("job {} was not sealed with this server's secret", job.id))?;
        let kind: JobKind = serde_json::from_slice(&plain).context("corrupt job payload")?;
        if kind.name() != job.kind {
            bail!("job {} says it is {:?} but holds {:?}", job.id, job.kind, kind.name());
        }
        Ok(kind)
    }
}

fn associated(id: JobId, kind: &str) -> Vec<u8> {
    format!("natter job v{VERSION}\n{id}\n{kind}").into_bytes()
}

#[cfg(test)]
mod tests {
    use natter_domain::entities::{LeaseId, Mail};

    use super::*;

    fn mail() -> JobKind {
        JobKind::SendMail(Mail { to: "a@x.io".into(), subject: "code 123456".into(), body: "123456".into() })
    }

    fn leased(job: &NewJob) -> LeasedJob {
        LeasedJob {
            id: job.id,
            kind: job.kind.to_owned(),
            sealed: job.sealed.clone(),
            attempts: 0,
            lease: LeaseId::new(),
        }
    }

    #[test]
    fn a_sealed_job_opens_to_what_was_sealed_and_shows_none_of_it() {
        let seal = JobSeal::new(&[7; 32]);
        let job = seal.seal(&mail()).unwrap();
        assert_eq!(job.kind, "send_mail");
        assert!(!job.sealed.windows(6).any(|w| w == b"123456"), "the code is not in the sealed bytes");
        assert!(!job.sealed.windows(6).any(|w| w == b"a@x.io"));
        assert_eq!(seal.open(&leased(&job)).unwrap(), mail());
    }

    #[test]
    fn another_secret_or_another_row_cannot_open_it() {
        let job = JobSeal::new(&[7; 32]).seal(&mail()).unwrap();
        assert!(JobSeal::new(&[8; 32]).open(&leased(&job)).is_err());
        let mut moved = leased(&job);
        moved.id = JobId::new();
        assert!(JobSeal::new(&[7; 32]).open(&moved).is_err(), "bound to its job id");
        let mut altered = leased(&job);
        let last = altered.sealed.len() - 1;
        altered.sealed[last] ^= 1;
        assert!(JobSeal::new(&[7; 32]).open(&altered).is_err());
        let mut erased = leased(&job);
        erased.sealed.clear();
        assert!(JobSeal::new(&[7; 32]).open(&erased).is_err());
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let seal = JobSeal::new(&[7; 32]);
        assert_ne!(seal.seal(&mail()).unwrap().sealed[1..25], seal.seal(&mail()).unwrap().sealed[1..25]);
    }
}
