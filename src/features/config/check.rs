//! A registry value in, a clean value out, or a 422 naming the setting
//! (`meta.param` is the setting's id, `sessions.idle_minutes`). The same
//! checks serve Pleroma's `/config`, the console's form and reverts.

use serde_json::Value;

use crate::domain::config::{Kind, Setting};
use crate::error::AppError;
use crate::features::settings::validate;

/// Most items a list setting takes.
const MAX_ITEMS: usize = 200;

/// `value` made clean for `s` (trimmed, lower-cased where it matters, `""`
/// as null where null is allowed), or why not.
pub fn check(s: &Setting, value: &Value) -> Result<Value, AppError> {
    let id = s.id();
    let p = id.as_str();
    let refuse = |m: &str| Err(AppError::validation(p, format!("{}: {m}", s.label)));
    match (s.kind, value) {
        (Kind::Boolean, Value::Bool(_)) => Ok(value.clone()),
        (Kind::Boolean, _) => refuse("use true or false."),
        (Kind::Integer { min, max }, v) => match v.as_i64() {
            Some(n) if (min..=max).contains(&n) => Ok(Value::from(n)),
            _ => refuse(&format!("use a whole number from {min} to {max}.")),
        },
        (Kind::Text { nullable: true, .. } | Kind::Url | Kind::Email | Kind::Secret, Value::Null) => Ok(Value::Null),
        (Kind::Text { max, nullable }, Value::String(raw)) => match validate::text(p, raw, max)? {
            Some(t) => Ok(Value::String(t)),
            None if nullable => Ok(Value::Null),
            None => refuse("it cannot be empty."),
        },
        (Kind::Url, Value::String(raw)) if p == "sso.issuer" => {
            Ok(validate::issuer(p, raw)?.map_or(Value::Null, Value::String))
        }
        (Kind::Url, Value::String(raw)) => Ok(validate::http_url(p, raw)?.map_or(Value::Null, Value::String)),
        (Kind::Email, Value::String(raw)) if raw.trim().is_empty() => Ok(Value::Null),
        (Kind::Email, Value::String(raw)) => Ok(Value::String(validate::email(p, raw.trim())?)),
        (Kind::Secret, Value::String(raw)) => {
            let Some(t) = validate::text(p, raw, 1000)? else { return Ok(Value::Null) };
            if p == "email.smtp_url" {
                smtp_url(p, &t)?;
            }
            Ok(Value::String(t))
        }
        (Kind::Choice(choices), Value::String(c)) if choices.contains(&c.as_str()) => Ok(value.clone()),
        (Kind::Choice(choices), _) => refuse(&format!("use one of {}.", choices.join(", "))),
        (Kind::Origins | Kind::Domains, Value::Array(items)) => {
            if items.len() > MAX_ITEMS {
                return refuse(&format!("use at most {MAX_ITEMS} entries."));
            }
            let mut out: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(raw) = item else { return refuse("use a list of strings.") };
                let clean = match s.kind {
                    Kind::Origins => validate::origin(p, raw)?,
                    _ => validate::domain(p, raw)?,
                };
                if !out.contains(&clean) {
                    out.push(clean);
                }
            }
            Ok(Value::from(out))
        }
        (Kind::Origins | Kind::Domains, _) => refuse("use a list of strings."),
        (_, _) => refuse("use a string."),
    }
}

/// `smtp://host[:port]` or `smtps://…`, as lettre reads it.
fn smtp_url(p: &str, raw: &str) -> Result<(), AppError> {
    let ok = url::Url::parse(raw)
        .is_ok_and(|u| matches!(u.scheme(), "smtp" | "smtps") && u.host_str().is_some_and(|h| !h.is_empty()));
    if ok { Ok(()) } else { Err(AppError::validation(p, "Use smtp://host:port or smtps://user:password@host.")) }
}

/// What a form field sends, as the JSON value [`check`] takes: lists are one
/// entry per line (or comma-separated), numbers are parsed, an empty field
/// is null.
pub fn from_form(s: &Setting, raw: &str) -> Result<Value, AppError> {
    let id = s.id();
    Ok(match s.kind {
        Kind::Boolean => Value::Bool(matches!(raw, "true" | "on" | "1")),
        Kind::Integer { .. } => match raw.trim().parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => return Err(AppError::validation(&id, format!("{}: enter a whole number.", s.label))),
        },
        Kind::Origins | Kind::Domains => Value::from(
            raw.split(['\n', ',']).map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect::<Vec<_>>(),
        ),
        _ if raw.trim().is_empty() => Value::Null,
        _ => Value::String(raw.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::config::{SETTINGS, find};

    #[test]
    fn every_default_passes_its_own_check() {
        for s in SETTINGS {
            assert_eq!(check(s, &s.default_value()).unwrap(), s.default_value(), "{}", s.id());
        }
    }

    #[test]
    fn values_are_cleaned_or_refused_naming_the_setting() {
        let idle = find("sessions.idle_minutes").unwrap();
        assert_eq!(check(idle, &Value::from(30)).unwrap(), 30);
        let e = check(idle, &Value::from(1)).unwrap_err();
        assert_eq!(e.to_json()["errors"][0]["meta"]["param"], "sessions.idle_minutes");
        assert!(check(idle, &Value::from("30")).is_err(), "a string is not a number");
        let origins = find("cors.allowed_origins").unwrap();
        assert_eq!(
            check(origins, &serde_json::json!(["https://A.example.org/", "https://a.example.org"])).unwrap(),
            serde_json::json!(["https://a.example.org"])
        );
        for bad in ["//evil", "\"><script>", "javascript:alert(1)"] {
            assert!(check(origins, &serde_json::json!([bad])).is_err(), "{bad}");
            assert!(check(find("sso.issuer").unwrap(), &Value::from(bad)).is_err(), "{bad}");
        }
        let mode = find("registration.mode").unwrap();
        assert!(check(mode, &Value::from("open")).is_ok());
        assert!(check(mode, &Value::from("wide open")).is_err());
        let from = find("email.from").unwrap();
        assert!(check(from, &Value::from("")).is_err(), "not nullable");
        assert!(check(from, &Value::from("a\0b")).is_err());
        assert!(check(from, &Value::from("x".repeat(100_000))).is_err());
        let smtp = find("email.smtp_url").unwrap();
        assert!(check(smtp, &Value::from("smtps://u:p@mail.example.org")).is_ok());
        assert!(check(smtp, &Value::from("https://mail.example.org")).is_err());
        assert_eq!(check(smtp, &Value::from("")).unwrap(), Value::Null);
    }

    #[test]
    fn form_fields_become_values() {
        let origins = find("cors.allowed_origins").unwrap();
        assert_eq!(
            from_form(origins, "https://a.org\n\n https://b.org ").unwrap(),
            serde_json::json!(["https://a.org", "https://b.org"])
        );
        assert_eq!(from_form(find("sso.enabled").unwrap(), "true").unwrap(), true);
        assert!(from_form(find("sessions.max_hours").unwrap(), "twelve").is_err());
        let issuer = find("sso.issuer").unwrap();
        assert_eq!(check(issuer, &Value::from(" http://127.0.0.1:4999 ")).unwrap(), "http://127.0.0.1:4999");
        assert_eq!(
            check(issuer, &Value::from("https://id.example.org/realms/x")).unwrap(),
            "https://id.example.org/realms/x"
        );
        assert_eq!(from_form(find("sso.issuer").unwrap(), " ").unwrap(), Value::Null);
    }
}
