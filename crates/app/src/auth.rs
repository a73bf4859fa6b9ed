//! Passwordless login: a 6-digit code mailed to the address, exchanged for a session.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use natter_domain::bus::{Bus, BusEvent};
use natter_domain::entities::{CodeCheck, JobKind, Mail, NewLoginCode, Session, User};
use natter_domain::ids::{SessionId, UserId};
use natter_domain::ports::{Clock, Decision, Limiter, Rate, Store};
use natter_domain::{DisplayName, Email, Otp};
use rand::Rng;
use tokio::sync::Notify;
use tracing::instrument;

use crate::client_ip::rate_key;
use crate::secrets::{Secrets, code_hash};
use crate::tokens::TokenCodec;
use crate::{AppError, AppResult};

/// The numbers behind the login rules; `Default` is what production runs.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    pub code_ttl: Duration,
    pub max_tries_per_code: u32,
    /// Code mails to one address: at least this far apart...
    pub mail_interval: Duration,
    /// ...and at most this many an hour.
    pub mails_per_hour: u32,
    pub session_ttl: Duration,
    pub login_per_ip: Rate,
    pub verify_per_ip: Rate,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        Self {
            code_ttl: Duration::from_secs(5 * 60),
            max_tries_per_code: 5,
            mail_interval: Duration::from_secs(60),
            mails_per_hour: 5,
            session_ttl: Duration::from_secs(15 * 24 * 3600),
            login_per_ip: Rate::per(20, Duration::from_secs(600)),
            verify_per_ip: Rate::per(60, Duration::from_secs(600)),
        }
    }
}

/// Who is making a request, once their session token checked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthContext {
    pub user_id: UserId,
    pub session_id: SessionId,
}

pub struct LoggedIn {
    pub user: User,
    pub token: String,
    pub session: Session,
}

pub struct AuthService {
    store: Arc<dyn Store>,
    limiter: Arc<dyn Limiter>,
    clock: Arc<dyn Clock>,
    bus: Arc<dyn Bus>,
    tokens: TokenCodec,
    code_key: [u8; 32],
    policy: AuthPolicy,
    /// Wakes the mail worker as soon as a code mail is queued.
    mail_wake: Arc<Notify>,
}

impl AuthService {
    pub fn new(
        store: Arc<dyn Store>,
        limiter: Arc<dyn Limiter>,
        clock: Arc<dyn Clock>,
        bus: Arc<dyn Bus>,
        secrets: &Secrets,
        policy: AuthPolicy,
        mail_wake: Arc<Notify>,
    ) -> Self {
        Self {
            store,
            limiter,
            clock,
            bus,
            tokens: TokenCodec::new(&secrets.token_key),
            code_key: secrets.code_key,
            policy,
            mail_wake,
        }
    }

    pub fn session_ttl(&self) -> Duration {
        self.policy.session_ttl
    }

    /// Mail a fresh code to `email`. Answers the same whether or not an account exists;
    /// returns once the mail is durably queued.
    #[instrument(skip_all, err)]
    pub async fn request_code(&self, email: &str, ip: IpAddr) -> AppResult<()> {
        self.limit(&format!("login:ip:{}", rate_key(ip)), &[self.policy.login_per_ip]).await?;
        let email = Email::parse(email)?;
        let per_address = [
            Rate::per(1, self.policy.mail_interval),
            Rate::per(self.policy.mails_per_hour, Duration::from_secs(3600)),
        ];
        self.limit(&format!("login:email:{email}"), &per_address).await?;

        let now = self.clock.now();
        let otp = new_code();
        let code = NewLoginCode {
            code_hash: code_hash(&self.code_key, email.as_str(), otp.as_str()),
            email: email.clone(),
            created_at: now,
            expires_at: now.plus(self.policy.code_ttl),
        };
        let minutes = self.policy.code_ttl.as_secs() / 60;
        let mail = Mail {
            to: email.to_string(),
            subject: format!("Your natter login code: {}", otp.as_str()),
            body: format!(
                "Your natter login code is {}.\n\nIt works once and expires in {minutes} minutes. \
                 If you did not ask for it, you can ignore this mail.\n",
                otp.as_str()
            ),
        };
        self.store.put_login_code(code, JobKind::SendMail(mail)).await?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// Exchange a code for a session; the first successful verify creates the account.
    #[instrument(skip_all, err)]
    pub async fn verify(&self, email: &str, otp: &str, ip: IpAddr) -> AppResult<LoggedIn> {
        self.limit(&format!("verify:ip:{}", rate_key(ip)), &[self.policy.verify_per_ip]).await?;
        let email = Email::parse(email)?;
        let otp = Otp::parse(otp)?;
        let now = self.clock.now();
        let hash = code_hash(&self.code_key, email.as_str(), otp.as_str());
        match self.store.check_login_code(&email, &hash, now, self.policy.max_tries_per_code).await? {
            CodeCheck::Accepted => {}
            CodeCheck::Wrong | CodeCheck::Missing => {
                return Err(AppError::BadRequest {
                    code: "invalid_otp",
                    message: "That code is wrong or has expired. Check it or ask for a new one.".into(),
                });
            }
            CodeCheck::Exhausted => {
                return Err(AppError::RateLimited {
                    code: "too_many_attempts",
                    message: "Too many wrong codes. Ask for a new code.".into(),
                    retry_after: self.policy.mail_interval,
                });
            }
        }
        let name = DisplayName::from_email_local(email.local_part());
        let user = self.store.get_or_create_user(&email, &name, now).await?;
        let session = Session {
            id: SessionId::new(),
            user_id: user.id,
            created_at: now,
            expires_at: now.plus(self.policy.session_ttl),
        };
        self.store.insert_session(&session).await?;
        let token = self.tokens.encode(&session)?;
        tracing::info!(user.id = %user.id, "logged in");
        Ok(LoggedIn { user, token, session })
    }

    /// The live session a token names; `Unauthenticated` for anything else.
    pub async fn authenticate(&self, token: &str) -> AppResult<AuthContext> {
        let now = self.clock.now();
        let subject = self.tokens.decode(token, now).ok_or(AppError::Unauthenticated)?;
        let session = match self.store.get_live_session(subject.session_id, now).await {
            Ok(s) => s,
            Err(natter_domain::StoreError::NotFound) => return Err(AppError::Unauthenticated),
            Err(e) => return Err(e.into()),
        };
        if session.user_id != subject.user_id {
            return Err(AppError::Unauthenticated);
        }
        Ok(AuthContext { user_id: session.user_id, session_id: session.id })
    }

    #[instrument(skip_all, fields(user.id = %who.user_id), err)]
    pub async fn logout(&self, who: AuthContext) -> AppResult<()> {
        self.store.revoke_session(who.session_id, self.clock.now()).await?;
        // Its open sockets close too.
        self.bus.publish(BusEvent::SessionRevoked { session_id: who.session_id });
        Ok(())
    }

    async fn limit(&self, key: &str, rates: &[Rate]) -> AppResult<()> {
        match self.limiter.hit(key, rates, self.clock.now()).await? {
            Decision::Allowed => Ok(()),
            Decision::Limited { retry_after } => Err(AppError::RateLimited {
                code: "rate_limited",
                message: format!("Too many requests. Try again in {} seconds.", retry_after.as_secs().max(1)),
                retry_after,
            }),
        }
    }
}

/// Uniform over 000000..=999999, from the operating system's CSPRNG.
fn new_code() -> Otp {
    Otp::from_number(rand::rngs::OsRng.gen_range(0..1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_with_every_digit_in_every_position() {
        let mut seen = [[false; 10]; 6];
        let mut distinct = std::collections::HashSet::new();
        for _ in 0..2000 {
            let code = new_code();
            assert_eq!(code.as_str().len(), 6);
            for (pos, b) in code.as_str().bytes().enumerate() {
                seen[pos][usize::from(b - b'0')] = true;
            }
            distinct.insert(code.as_str().to_owned());
        }
        assert!(seen.iter().all(|p| p.iter().all(|&d| d)), "leading zeros and all digits occur");
        assert!(distinct.len() > 1990, "codes do not repeat more than chance allows");
    }
}
