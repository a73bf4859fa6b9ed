//! Display names: what other people see in the chat list and message headers.

use std::fmt;

use crate::ValidationError;

pub const MAX_NAME_CHARS: usize = 50;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DisplayName(String);

impl DisplayName {
    /// 1–50 characters after trimming; no control characters (not even at the ends)
    /// and no bidirectional overrides, which would let a name disguise itself in
    /// someone else's list. The OpenAPI description says the same as a pattern
    /// (`UpdateUserRequest.name`, crates/http/src/routes/users.rs).
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let bad = |why: &str| Err(ValidationError::field("invalid_name", "name", why));
        // Anywhere, the ends included: trimming is for stray spaces, not for a tab or a
        // newline, which no one types into a name field.
        if raw.chars().any(|c| c.is_control() || is_bidi_control(c)) {
            return bad("must not contain control characters");
        }
        let s = raw.trim();
        if s.is_empty() {
            return bad("must not be empty");
        }
        if s.chars().count() > MAX_NAME_CHARS {
            return bad("must be at most 50 characters");
        }
        if s.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
            return bad("must contain a visible character");
        }
        Ok(Self(s.to_owned()))
    }

    /// A default name derived from an email's local part (already validated ASCII).
    pub fn from_email_local(local: &str) -> Self {
        let truncated: String = local.chars().take(MAX_NAME_CHARS).collect();
        Self(if truncated.is_empty() { "user".into() } else { truncated })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{3164}' | '\u{115F}')
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DisplayName({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_limited_to_fifty_characters() {
        assert_eq!(DisplayName::parse("  Ada  ").map(|n| n.to_string()), Ok("Ada".into()));
        assert!(DisplayName::parse(&"é".repeat(50)).is_ok());
        assert!(DisplayName::parse(&"é".repeat(51)).is_err());
        assert!(DisplayName::parse("👩‍💻 Ada").is_ok());
    }

    #[test]
    fn rejects_empty_invisible_and_control_names() {
        for bad in [
            "",
            "   ",
            "\u{200B}\u{200B}",
            "a\u{0}b",
            "evil\u{202E}txt",
            "a\nb",
            "\u{3164}",
            "Ada\n",
            "\tAda",
        ] {
            assert!(DisplayName::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
