//! The checks every settings field goes through, shared by the JSON API and
//! the console's forms. Each refusal is a 422 naming the field.

use crate::error::AppError;

/// Longest URL we keep (webhooks, SSO endpoints).
const MAX_URL: usize = 2048;

/// A single line of text: trimmed, without control characters, at most
/// `max` characters; empty means none.
pub fn text(param: &str, raw: &str, max: usize) -> Result<Option<String>, AppError> {
    let s = raw.trim();
    if s.chars().any(char::is_control) {
        return Err(AppError::validation(param, "Use a single line without control characters."));
    }
    if s.chars().count() > max {
        return Err(AppError::validation(param, format!("Use at most {max} characters.")));
    }
    Ok((!s.is_empty()).then(|| s.to_owned()))
}

/// An absolute `http` or `https` URL with a host; empty means none.
pub fn http_url(param: &str, raw: &str) -> Result<Option<String>, AppError> {
    let Some(s) = text(param, raw, MAX_URL)? else { return Ok(None) };
    let bad = || AppError::validation(param, "Enter an absolute http(s) URL, like https://hooks.example.org/steward.");
    let url = url::Url::parse(&s).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(Some(url.to_string()))
}

/// An OIDC issuer: an absolute http(s) URL kept exactly as typed (trimmed),
/// since ID tokens are checked against it character for character
/// (`https://id.example.org` is not `https://id.example.org/`).
pub fn issuer(param: &str, raw: &str) -> Result<Option<String>, AppError> {
    Ok(http_url(param, raw)?.map(|_| raw.trim().to_owned()))
}

/// An origin: `scheme://host[:port]`, nothing after it (a trailing `/` is
/// dropped). Any scheme, so browser extensions (`chrome-extension://id`) and
/// Capacitor apps (`capacitor://localhost`) can be allowed; lower case, as
/// browsers send it.
pub fn origin(param: &str, raw: &str) -> Result<String, AppError> {
    let bad = || AppError::validation(param, format!("{raw:?} is not an origin like https://app.example.org."));
    let s = text(param, raw, 300)?.ok_or_else(bad)?;
    let url = url::Url::parse(&s).map_err(|_| bad())?;
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(bad)?;
    let clean = url.username().is_empty()
        && url.password().is_none()
        && matches!(url.path(), "" | "/")
        && url.query().is_none()
        && url.fragment().is_none()
        && !s.contains('*');
    if !clean {
        return Err(bad());
    }
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{}://{}{port}", url.scheme(), host.to_ascii_lowercase()))
}

/// An email address (lower-cased domain kept as typed otherwise).
pub fn email(param: &str, raw: &str) -> Result<String, AppError> {
    if raw.chars().any(char::is_control) || raw.len() > 254 {
        return Err(AppError::validation(param, "Enter a valid email address, like name@example.org."));
    }
    crate::domain::Email::parse(raw)
        .map(|e| e.as_str().to_owned())
        .map_err(|_| AppError::validation(param, "Enter a valid email address, like name@example.org."))
}

/// A domain name, in its ASCII (IDNA) form, lower case, with at least one dot.
pub fn domain(param: &str, raw: &str) -> Result<String, AppError> {
    let bad = || AppError::validation(param, "Enter a domain like example.org, or an email address.");
    let s = raw.trim().trim_end_matches('.');
    if s.is_empty() || s.len() > 253 || s.chars().any(|c| c.is_control() || c.is_whitespace() || c == '@') {
        return Err(bad());
    }
    let ascii = match url::Host::parse(s).map_err(|_| bad())? {
        url::Host::Domain(d) => d.to_ascii_lowercase(),
        _ => return Err(bad()),
    };
    let labels_ok = ascii.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if !labels_ok || !ascii.contains('.') || ascii.len() > 253 {
        return Err(bad());
    }
    Ok(ascii)
}

/// A whole hour of the day (UTC), 0–23.
pub fn hour(param: &str, h: i64) -> Result<u8, AppError> {
    u8::try_from(h)
        .ok()
        .filter(|h| *h < 24)
        .ok_or_else(|| AppError::validation(param, "Enter a whole hour from 0 to 23."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(origin("o", "https://App.Example.org/").unwrap(), "https://app.example.org");
        assert_eq!(origin("o", "chrome-extension://abcdef").unwrap(), "chrome-extension://abcdef");
        assert_eq!(origin("o", "capacitor://localhost").unwrap(), "capacitor://localhost");
        assert_eq!(origin("o", "http://localhost:3000").unwrap(), "http://localhost:3000");
        for bad in ["https://a.org/path", "https://a.org?x", "*", "https://*.a.org", "not an origin", "", "//a.org"] {
            assert!(origin("o", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(http_url("u", "https://hooks.example.org/x").unwrap().is_some());
        for bad in ["javascript:alert(1)", "//evil", "not a url", "ftp://a.org/", "https://a.org/\0"] {
            assert!(http_url("u", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn domains_are_checked_and_punycoded() {
        assert_eq!(domain("d", "Example.ORG").unwrap(), "example.org");
        assert_eq!(domain("d", "bücher.example").unwrap(), "xn--bcher-kva.example");
        for bad in ["a@b.org", "a b.org", "localhost", "-a.org", "a..org", "a.org\0", "1.2.3.4"] {
            assert!(domain("d", bad).is_err(), "{bad}");
        }
    }
}
