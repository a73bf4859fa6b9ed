//! One-time login codes as typed by a person: exactly six ASCII digits.

use std::fmt;

use crate::ValidationError;

pub const OTP_DIGITS: usize = 6;

#[derive(Clone, PartialEq, Eq)]
pub struct Otp(String);

impl Otp {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.len() == OTP_DIGITS && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::field("invalid_otp", "otp", "must be 6 digits"))
        }
    }

    /// A code from a number below 10^6, zero-padded.
    pub fn from_number(n: u32) -> Self {
        Self(format!("{:06}", n % 1_000_000))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Codes are secrets: never print one by accident.
impl fmt::Debug for Otp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Otp(******)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_exactly_six_ascii_digits() {
        assert!(Otp::parse("012345").is_ok());
        assert!(Otp::parse(" 012345 ").is_ok());
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６", "12 345", "-12345"] {
            assert!(Otp::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(Otp::from_number(42).as_str(), "000042");
        assert_eq!(format!("{:?}", Otp::from_number(42)), "Otp(******)");
    }
}
