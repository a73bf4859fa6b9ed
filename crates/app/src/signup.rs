//! Who may join: the install's signup rule, and invitations made by members.

use std::sync::Arc;
use std::time::Duration;

use natter_domain::entities::{Admission, Invite};
use natter_domain::ports::{Clock, Decision, Limiter, Rate, Store};
use natter_domain::{Email, ValidationError};
use tracing::instrument;

use crate::auth::AuthContext;
use crate::{AppError, AppResult};

/// Who gets an account when a verified address has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupPolicy {
    /// Anyone whose code verifies (the seed's rule).
    Open,
    /// Invited addresses, addresses in `domains`, and, on an empty install, the first
    /// account (which becomes the admin): without it a closed install could never
    /// get its first member, who is the one who can invite the others.
    Closed { domains: Vec<String> },
}

impl SignupPolicy {
    /// A closed policy from a comma list of domains (`example.com, corp.example`),
    /// each lower-cased; `NATTER_SIGNUP_DOMAINS` is the name in errors.
    pub fn closed(domains: &str) -> Result<Self, ValidationError> {
        let domains = domains
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| {
                let d = d.trim_start_matches('@').to_ascii_lowercase();
                // A domain is valid exactly when an address at it is.
                Email::parse(&format!("x@{d}")).map(|_| d.clone()).map_err(|_| {
                    ValidationError::field(
                        "invalid_domain",
                        "NATTER_SIGNUP_DOMAINS",
                        format!("{d:?} is not a domain name"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::Closed { domains })
    }

    /// The admission the store applies to `email` if it has no account. A domain
    /// matches exactly: `example.com` does not admit `a@sub.example.com`.
    pub fn admission(&self, email: &Email) -> Admission {
        match self {
            Self::Open => Admission::Open,
            Self::Closed { domains } => {
                let domain = email.as_str().rsplit('@').next().unwrap_or_default();
                Admission::Closed { domain_allowed: domains.iter().any(|d| d == domain) }
            }
        }
    }
}

/// How many invitations one member may make.
pub const INVITE_RATE: Rate = Rate::per(20, Duration::from_secs(3600));

pub struct InviteService {
    store: Arc<dyn Store>,
    limiter: Arc<dyn Limiter>,
    clock: Arc<dyn Clock>,
}

impl InviteService {
    pub fn new(store: Arc<dyn Store>, limiter: Arc<dyn Limiter>, clock: Arc<dyn Clock>) -> Self {
        Self { store, limiter, clock }
    }

    /// Invite `email` to join; `true` when the invitation is new. Inviting an address
    /// that was invited already (by anyone) answers that invitation and changes nothing.
    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn invite(&self, who: AuthContext, email: &str) -> AppResult<(Invite, bool)> {
        let email = Email::parse(email)?;
        let now = self.clock.now();
        match self.limiter.hit(&format!("invite:user:{}", who.user_id), &[INVITE_RATE], now).await? {
            Decision::Allowed => {}
            Decision::Limited { retry_after } => {
                return Err(AppError::RateLimited {
                    code: "rate_limited",
                    message: format!(
                        "Too many invitations. Try again in {} seconds.",
                        retry_after.as_secs().max(1)
                    ),
                    retry_after,
                });
            }
        }
        Ok(self.store.create_invite(&email, who.user_id, now).await?)
    }

    /// The invitations `who` made, newest first.
    pub async fn mine(&self, who: AuthContext) -> AppResult<Vec<Invite>> {
        Ok(self.store.list_invites(who.user_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    #[test]
    fn domains_match_exactly_and_case_blind() {
        let p = SignupPolicy::closed(" Example.COM, @corp.example ,").unwrap();
        assert_eq!(p.admission(&email("a@example.com")), Admission::Closed { domain_allowed: true });
        assert_eq!(p.admission(&email("a@corp.example")), Admission::Closed { domain_allowed: true });
        assert_eq!(p.admission(&email("a@sub.example.com")), Admission::Closed { domain_allowed: false });
        assert_eq!(p.admission(&email("a@example.com.evil")), Admission::Closed { domain_allowed: false });
        assert_eq!(SignupPolicy::Open.admission(&email("a@x.io")), Admission::Open);
    }

    #[test]
    fn a_bad_domain_is_refused_by_name() {
        let err = SignupPolicy::closed("example.com, not a domain").unwrap_err();
        assert!(err.message.contains("NATTER_SIGNUP_DOMAINS"), "{err}");
    }
}
