//! The shapes organizations accept: names, slugs, Clerk role keys, domains
//! and enrollment modes, and Flashback's settings document (a JSON object
//! of at most 64 KiB). No I/O.

use serde_json::{Map, Value};

use crate::domain::settings::{ENROLLMENT_MODES, OrganizationSettings};
use crate::error::AppError;

/// Clerk's role keys.
pub const ROLES: [&str; 2] = ["org:admin", "org:member"];
/// The largest settings document (and `POST /settings/organization` body) accepted: 64 KiB.
pub const SETTINGS_MAX_BYTES: usize = 64 * 1024;
pub const NAME_MAX: usize = 100;
pub const SLUG_MAX: usize = 64;
/// Settings versions listed with the editor.
pub const VERSIONS_SHOWN: i64 = 20;

/// A name: 1–100 characters on one line.
pub fn parse_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(AppError::validation("name", format!("Give a name of 1 to {NAME_MAX} characters on one line.")));
    }
    Ok(name.to_owned())
}

/// A slug: lower-case letters, digits and single hyphens, 1–64 characters.
pub fn parse_slug(raw: &str) -> Result<String, AppError> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= SLUG_MAX
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    if !ok {
        return Err(AppError::validation(
            "slug",
            format!("A slug is 1 to {SLUG_MAX} lower-case letters, digits and single hyphens (like acme-corp)."),
        ));
    }
    Ok(s.to_owned())
}

/// The slug a name suggests (`Acme Corp.` → `acme-corp`), `org` when nothing is left.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(SLUG_MAX).collect();
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() { "org".into() } else { out }
}

/// `org:admin` or `org:member`.
pub fn parse_role(raw: &str) -> Result<&'static str, AppError> {
    ROLES
        .into_iter()
        .find(|r| *r == raw.trim())
        .ok_or_else(|| AppError::validation("role", "The role must be org:admin or org:member."))
}

/// A role named by the settings, or `fallback` when it names none we know.
pub(super) fn known_role(named: &str, fallback: &'static str) -> &'static str {
    ROLES.into_iter().find(|r| *r == named).unwrap_or(fallback)
}

/// A domain name, lower case: labels of letters, digits and inner hyphens,
/// at least two of them, 253 characters at most.
pub fn parse_domain(raw: &str) -> Result<String, AppError> {
    let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let labels: Vec<&str> = d.split('.').collect();
    if d.len() > 253 || labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) {
        return Err(AppError::validation("domain", "Give a domain name like example.org (no scheme, no path)."));
    }
    Ok(d)
}

/// An enrollment mode the settings allow.
pub fn parse_mode(raw: &str, s: &OrganizationSettings) -> Result<&'static str, AppError> {
    let mode = ENROLLMENT_MODES.into_iter().find(|m| *m == raw.trim()).ok_or_else(|| {
        AppError::validation(
            "enrollment_mode",
            format!("The enrollment mode must be one of {}.", ENROLLMENT_MODES.join(", ")),
        )
    })?;
    if !s.domains_enrollment_modes.iter().any(|m| m == mode) {
        let allowed = if s.domains_enrollment_modes.is_empty() {
            "none is allowed".to_owned()
        } else {
            format!("allowed: {}", s.domains_enrollment_modes.join(", "))
        };
        return Err(AppError::validation(
            "enrollment_mode",
            format!("{mode} is not among the organization settings' domains_enrollment_modes ({allowed})."),
        ));
    }
    Ok(mode)
}

/// Why a settings document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocError {
    /// Over [`SETTINGS_MAX_BYTES`].
    TooLarge,
    /// Not JSON, or not the shape asked for; the message says which.
    Invalid(String),
}

impl DocError {
    /// For the APIs: 400 for the wrong shape, as Flashback answers.
    pub fn into_api(self) -> AppError {
        match self {
            DocError::TooLarge => AppError::PayloadTooLarge,
            DocError::Invalid(m) => AppError::BadRequest(m),
        }
    }

    /// For the console's editor: a message beside the field.
    pub fn into_field(self, param: &str) -> AppError {
        match self {
            DocError::TooLarge => AppError::validation(
                param,
                format!("The settings are over {} KiB; make them smaller.", SETTINGS_MAX_BYTES / 1024),
            ),
            DocError::Invalid(m) => AppError::validation(param, m),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Flashback's body, `{"settings": {…}}`: the settings object.
pub fn parse_settings_body(body: &[u8]) -> Result<Map<String, Value>, DocError> {
    if body.len() > SETTINGS_MAX_BYTES {
        return Err(DocError::TooLarge);
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| DocError::Invalid(format!("Malformed JSON: {e}")))?;
    let Value::Object(mut o) = v else {
        return Err(DocError::Invalid(format!(
            "The body must be a JSON object with a `settings` object, not {}.",
            kind(&v)
        )));
    };
    match o.remove("settings") {
        Some(Value::Object(s)) => Ok(s),
        Some(other) => Err(DocError::Invalid(format!("`settings` must be a JSON object, not {}.", kind(&other)))),
        None => Err(DocError::Invalid("The body has no `settings` object.".into())),
    }
}

/// The console's editor text: a JSON object.
pub fn parse_document(text: &str) -> Result<Map<String, Value>, DocError> {
    if text.len() > SETTINGS_MAX_BYTES {
        return Err(DocError::TooLarge);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(other) => {
            Err(DocError::Invalid(format!("The settings must be a JSON object ({{…}}), not {}.", kind(&other))))
        }
        Err(e) => Err(DocError::Invalid(format!("This is not valid JSON: {e}"))),
    }
}

/// The document as the editor shows it.
pub fn pretty(stored: &str) -> String {
    serde_json::from_str::<Value>(stored)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| stored.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_names_and_are_checked() {
        assert_eq!(slugify("Acme Corp."), "acme-corp");
        assert_eq!(slugify("  Über  Café "), "ber-caf");
        assert_eq!(slugify("!!!"), "org");
        assert!(parse_slug("acme-corp").is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "</textarea>", &"a".repeat(65)] {
            assert!(parse_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn domains_are_host_names() {
        assert_eq!(parse_domain(" Example.ORG. ").unwrap(), "example.org");
        for bad in ["example", "https://example.org", "ex ample.org", "-a.org", "a..org", "\"><script>.org", "//evil"] {
            assert!(parse_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_settings_body_must_hold_an_object() {
        assert!(parse_settings_body(br#"{"settings": {"a": 1}}"#).is_ok());
        for bad in [&b"[1]"[..], b"3", b"\"x\"", b"{}", br#"{"settings": [1]}"#, br#"{"settings": "x"}"#, b"{"] {
            assert!(matches!(parse_settings_body(bad), Err(DocError::Invalid(_))), "{}", String::from_utf8_lossy(bad));
        }
        let huge = format!(r#"{{"settings": {{"a": "{}"}}}}"#, "x".repeat(SETTINGS_MAX_BYTES));
        assert_eq!(parse_settings_body(huge.as_bytes()), Err(DocError::TooLarge));
    }
}
