//! Passwordless login: a 6-digit code mailed to the address, exchanged for a session.
//!
//! # Mail limits that cannot lock the owner out
//!
//! Anyone may ask for a code for any address, so the limits on code mails must stop a
//! mail bomb without giving whoever asks the power to keep the owner out. The rules:
//!
//! - Per requesting IP: `login_per_ip`. Exceeding it answers 429, to that IP only.
//! - Per address, counted per requesting network (`network_of`: IPv4 /24, IPv6 /48):
//!   one mail per `mail_interval` and `mails_per_hour`. Per address in all: a ceiling
//!   of `address_mails_per_hour`, the most a bomb from many networks can send.
//! - A spent mail budget never changes the answer: `login` answers 200 with the same
//!   sentence, and simply makes no new code and sends no mail. (A 429 there is what
//!   let an attacker hand the owner a 429 on every try.)
//! - A new code does not void the ones already mailed: the address keeps its newest
//!   `MAX_OPEN_CODES` open codes, so a request made while the owner types a code
//!   cannot kill that code, and every code mail in the owner's inbox younger than
//!   `code_ttl` works (until it is used).
//!
//! So an attacker on one network gets the address at most one mail a minute and five
//! an hour, all of which land in the owner's inbox and work for the owner; the owner,
//! on another network, keeps a budget of its own. The trade-offs, written down in
//! docs/SECURITY.md: an attacker with many networks can spend the address's ceiling
//! for an hour (the owner then logs in with a code from the last five minutes of
//! mails, or waits); a user who shares a network with an attacker shares its budget;
//! and a guess is compared with every open code, so each guess is up to
//! `MAX_OPEN_CODES` times likelier to hit than with one open code (each code still
//! takes at most `max_tries_per_code` guesses, and codes are made at most
//! `address_mails_per_hour` an hour).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use natter_domain::bus::{Bus, BusEvent};
use natter_domain::entities::{Admitted, CodeCheck, JobKind, Mail, NewLoginCode, Session};
use natter_domain::ids::{SessionId, UserId};
use natter_domain::ports::{Clock, Decision, Limiter, Rate, Store};
use natter_domain::{DisplayName, Email, Otp};
use rand::Rng;
use tokio::sync::Notify;
use tracing::instrument;

use crate::announce::announce;
use crate::client_ip::rate_key;
use crate::job_seal::JobSeal;
use crate::secrets::{Secrets, code_hash};
use crate::signup::SignupPolicy;
use crate::tokens::TokenCodec;
use crate::users::Profile;
use crate::{AppError, AppResult};

/// The numbers behind the login rules; `Default` is what production runs.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    pub code_ttl: Duration,
    pub max_tries_per_code: u32,
    /// Code mails to one address asked for from one network: at least this far apart...
    pub mail_interval: Duration,
    /// ...and at most this many an hour.
    pub mails_per_hour: u32,
    /// Code mails to one address an hour, whoever asks: the ceiling of a mail bomb.
    pub address_mails_per_hour: u32,
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
            address_mails_per_hour: 10,
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
    /// The caller themself, so with the address.
    pub user: Profile,
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
    job_seal: JobSeal,
    policy: AuthPolicy,
    signup: SignupPolicy,
    /// Wakes the mail worker as soon as a code mail is queued.
    mail_wake: Arc<Notify>,
}

impl AuthService {
    // Each argument is a port or a rule set this service needs; bundling them into a
    // struct only to please the lint would hide nothing.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: Arc<dyn Store>,
        limiter: Arc<dyn Limiter>,
        clock: Arc<dyn Clock>,
        bus: Arc<dyn Bus>,
        secrets: &Secrets,
        policy: AuthPolicy,
        signup: SignupPolicy,
        mail_wake: Arc<Notify>,
    ) -> Self {
        Self {
            store,
            limiter,
            clock,
            bus,
            tokens: TokenCodec::new(&secrets.token_key),
            code_key: secrets.code_key,
            job_seal: JobSeal::new(&secrets.job_key),
            policy,
            signup,
            mail_wake,
        }
    }

    pub fn session_ttl(&self) -> Duration {
        self.policy.session_ttl
    }

    /// Mail a fresh code to `email`, if its mail budget allows (see the module docs).
    /// Answers the same whether or not an account exists, the address may join, or a
    /// mail was sent; returns once a mail, if any, is durably queued.
    ///
    /// An address that may not join (a closed install, not invited, not an allowed
    /// domain) gets a mail saying so instead of a code: the answer and the work done
    /// are the same, so nobody learns from the API who may join, and the only one who
    /// learns it is whoever reads that mailbox, who then knows whom to ask.
    #[instrument(skip_all, err)]
    pub async fn request_code(&self, email: &str, ip: IpAddr) -> AppResult<()> {
        self.limit(&format!("login:ip:{}", rate_key(ip)), &[self.policy.login_per_ip]).await?;
        let email = Email::parse(email)?;
        if !self.mail_budget_allows(&email, ip).await? {
            tracing::info!("the address's code mail budget is spent: no new code, no mail");
            return Ok(());
        }
        let may_join = self.store.would_admit(&email, self.signup.admission(&email)).await?;

        let now = self.clock.now();
        let otp = new_code();
        let code = NewLoginCode {
            code_hash: code_hash(&self.code_key, email.as_str(), otp.as_str()),
            email: email.clone(),
            created_at: now,
            expires_at: now.plus(self.policy.code_ttl),
        };
        let minutes = self.policy.code_ttl.as_secs() / 60;
        let mail = if may_join {
            Mail {
                to: email.to_string(),
                subject: format!("Your natter login code: {}", otp.as_str()),
                body: format!(
                    "Your natter login code is {}.\n\nIt works once and expires in {minutes} minutes. \
                     If you did not ask for it, you can ignore this mail.\n",
                    otp.as_str()
                ),
            }
        } else {
            // The code is stored all the same (so both paths do the same work) but its
            // digits are dropped here: nobody can ever use it.
            Mail {
                to: email.to_string(),
                subject: "Your natter login".into(),
                body: "Someone asked to log in to natter with this address. This natter server \
                       is open to invited people only, and this address is not invited yet: ask \
                       someone who uses it to invite you. If you did not ask, you can ignore \
                       this mail.\n"
                    .into(),
            }
        };
        let job = self.job_seal.seal(&JobKind::SendMail(mail))?;
        self.store.put_login_code(code, job).await?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// Spend one code mail of `email`'s budget if there is one left: first that of the
    /// requesting network, then the address's ceiling. In that order, so a request
    /// refused for its network's budget does not count against the ceiling.
    async fn mail_budget_allows(&self, email: &Email, ip: IpAddr) -> AppResult<bool> {
        let now = self.clock.now();
        let per_network = [
            Rate::per(1, self.policy.mail_interval),
            Rate::per(self.policy.mails_per_hour, Duration::from_secs(3600)),
        ];
        let key = format!("login:mail:{email}:{}", network_of(ip));
        if self.limiter.hit(&key, &per_network, now).await? != Decision::Allowed {
            return Ok(false);
        }
        let ceiling = [Rate::per(self.policy.address_mails_per_hour, Duration::from_secs(3600))];
        Ok(self.limiter.hit(&format!("login:mail:{email}"), &ceiling, now).await? == Decision::Allowed)
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
            CodeCheck::Wrong | CodeCheck::Missing => return Err(invalid_otp()),
            CodeCheck::Exhausted => {
                return Err(AppError::RateLimited {
                    code: "too_many_attempts",
                    message: "Too many wrong codes. Ask for a new code.".into(),
                    retry_after: self.policy.mail_interval,
                });
            }
        }
        let name = DisplayName::from_email_local(email.local_part());
        let admission = self.signup.admission(&email);
        let user = match self.store.admit_user(&email, &name, admission, now).await? {
            Admitted::Existing(user) => user,
            Admitted::Created(user) => {
                tracing::info!(user.id = %user.id, admin = user.is_admin, "account created");
                user
            }
            // Exactly like a wrong code, so a verify does not tell who may join.
            Admitted::Refused => return Err(invalid_otp()),
        };
        let session = Session {
            id: SessionId::new(),
            user_id: user.id,
            created_at: now,
            expires_at: now.plus(self.policy.session_ttl),
        };
        self.store.insert_session(&session).await?;
        let token = self.tokens.encode(&session)?;
        tracing::info!(user.id = %user.id, "logged in");
        Ok(LoggedIn { user: Profile::visible(user), token, session })
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
        announce(&*self.bus, BusEvent::SessionRevoked { session_id: who.session_id }).await;
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

fn invalid_otp() -> AppError {
    AppError::BadRequest {
        code: "invalid_otp",
        message: "That code is wrong or has expired. Check it or ask for a new one.".into(),
    }
}

/// The network a request comes from, as far as mail budgets go: the /24 of an IPv4
/// address, the /48 of an IPv6 one (a site; one home or office gets at least a /64,
/// often a /56 or /48). Coarse on purpose: an attacker must control many networks,
/// not many addresses of one, to spend more than one network's budget.
fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => network_of(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
            }
        },
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
    fn networks_are_ipv4_slash_24_and_ipv6_slash_48() {
        let net = |s: &str| network_of(s.parse().unwrap());
        assert_eq!(net("203.0.113.7"), "203.0.113.0/24");
        assert_eq!(net("203.0.113.200"), net("203.0.113.1"));
        assert_ne!(net("203.0.114.1"), net("203.0.113.1"));
        assert_eq!(net("2001:db8:abcd:12::1"), "2001:db8:abcd::/48");
        assert_eq!(net("2001:db8:abcd:ffff::9"), net("2001:db8:abcd:1::1"));
        assert_eq!(net("::ffff:203.0.113.9"), "203.0.113.0/24");
    }

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
