//! Email addresses, parsed once at the edge. `Foo@X.com ` and `foo@x.com` are the same
//! account: the address is trimmed and lower-cased before anything else looks at it.

use std::fmt;

use crate::ValidationError;

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

const MAX_LEN: usize = 254;
const MAX_LOCAL: usize = 64;
const MAX_LABEL: usize = 63;

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let bad = |why: &str| Err(ValidationError::field("invalid_email", "email", why));
        let s = raw.trim();
        if s.is_empty() {
            return bad("is required");
        }
        if !s.is_ascii() {
            return bad("must contain only ASCII characters");
        }
        if s.len() > MAX_LEN {
            return bad("is too long");
        }
        let s = s.to_ascii_lowercase();
        let Some((local, domain)) = s.split_once('@') else {
            return bad("is not a valid address");
        };
        if !valid_local(local) || !valid_domain(domain) {
            return bad("is not a valid address");
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`, used as the display name of a brand-new account.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

fn valid_local(local: &str) -> bool {
    const SPECIAL: &[u8] = b"!#$%&'*+-/=?^_`{|}~.";
    !local.is_empty()
        && local.len() <= MAX_LOCAL
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.bytes().all(|b| b.is_ascii_alphanumeric() || SPECIAL.contains(&b))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= MAX_LABEL
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_alphabetic()))
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let a = Email::parse("  Foo@X.com \n").map(|e| e.to_string());
        assert_eq!(a, Ok("foo@x.com".to_string()));
        assert_eq!(Email::parse("Foo@X.com"), Email::parse("foo@x.com"));
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "   ",
            "foo",
            "foo@",
            "@x.com",
            "foo@x",
            "foo@@x.com",
            "a b@x.com",
            "foo@x..com",
            ".foo@x.com",
            "foo.@x.com",
            "foo@-x.com",
            "foo@x.c0m",
            "fóo@x.com",
            "foo@x.com\0",
            "foo\u{202e}@x.com",
            "foo@x.com;rm",
            "<foo@x.com>",
            "\"foo\"@x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(Email::parse(&format!("{}@x.com", "a".repeat(65))).is_err());
        assert!(Email::parse(&format!("a@{}.com", "b".repeat(250))).is_err());
    }

    #[test]
    fn accepts_ordinary_addresses() {
        for good in ["a@b.co", "first.last+tag@mail.example.org", "x_y-z@sub-domain.io"] {
            assert!(Email::parse(good).is_ok(), "{good:?} was refused");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_is_idempotent(s in "\\PC{0,80}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
                prop_assert!(e.as_str().len() <= MAX_LEN);
            }
        }
    }
}
