//! Nickname, email and password: parsed from raw form or JSON input.

use std::fmt;

use crate::error::AppError;

/// A local nickname: 1–64 characters of ASCII letters, digits, `_`, `-`, `.`,
/// starting with a letter or digit. Case is kept but uniqueness ignores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nickname(String);

impl Nickname {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(AppError::validation("nickname", "Enter a nickname."));
        }
        if s.len() > 64 {
            return Err(AppError::validation("nickname", "A nickname has at most 64 characters."));
        }
        let first_ok = s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !first_ok || !rest_ok {
            return Err(AppError::validation(
                "nickname",
                "Use letters, digits, '_', '-' or '.', starting with a letter or digit.",
            ));
        }
        Ok(Nickname(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Nickname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address checked against RFC 5321/5322 syntax by `email_address`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(AppError::validation("email", "Enter an email address."));
        }
        match email_address::EmailAddress::parse_with_options(
            s,
            email_address::Options::default().without_display_text(),
        ) {
            Ok(_) if s.contains('.') && s.len() <= 254 => Ok(Email(s.to_owned())),
            _ => Err(AppError::validation("email", "Enter a valid email address, like name@example.org.")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password: 12–256 characters (OWASP ASVS 2.1). Its `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 12;

    pub fn parse(raw: &str, param: &str) -> Result<Self, AppError> {
        let n = raw.chars().count();
        if n < Self::MIN_LEN {
            return Err(AppError::validation(param, format!("Use at least {} characters.", Self::MIN_LEN)));
        }
        if n > 256 {
            return Err(AppError::validation(param, "Use at most 256 characters."));
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nickname_rejects_spaces_symbols_and_empty() {
        assert!(Nickname::parse("alice_01").is_ok());
        assert_eq!(Nickname::parse("  bob ").unwrap().as_str(), "bob");
        for bad in ["", "a b", "-lead", "x@y", &"a".repeat(65)] {
            let err = Nickname::parse(bad).unwrap_err();
            assert_eq!(err.param(), Some("nickname"), "{bad:?}");
        }
    }

    #[test]
    fn email_needs_a_domain() {
        assert!(Email::parse("ann@example.org").is_ok());
        for bad in ["", "ann", "ann@", "@example.org", "a b@c.d"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn password_has_a_minimum_and_hides_in_debug() {
        assert!(Password::parse("short", "password").is_err());
        let p = Password::parse("correct horse battery", "password").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
