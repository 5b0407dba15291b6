//! OAuth scopes as Mastodon and Pleroma write them: `read write follow push
//! admin`, narrowed with colons (`admin:read`, `admin:write:accounts`). A
//! token may use the admin API only with an `admin` scope covering the
//! request: `admin:read…` for reads, `admin:write…` for changes.

/// The scopes Steward knows; anything else is refused when an app registers.
const KNOWN_ROOTS: [&str; 5] = ["read", "write", "follow", "push", "admin"];

/// A set of valid scopes, in the order given, without repeats.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Space- or plus-separated scopes; empty input means `default`.
    pub fn parse(raw: &str, default: &str) -> Result<Scopes, String> {
        let raw = if raw.trim().is_empty() { default } else { raw };
        let mut out: Vec<String> = Vec::new();
        for s in raw.split([' ', '+', ',']).map(str::trim).filter(|s| !s.is_empty()) {
            let root = s.split(':').next().unwrap_or_default();
            if !KNOWN_ROOTS.contains(&root) || s.len() > 64 {
                return Err(format!("unknown scope {s:?}"));
            }
            if !out.iter().any(|o| o == s) {
                out.push(s.to_owned());
            }
        }
        if out.is_empty() {
            return Err("name at least one scope".into());
        }
        Ok(Scopes(out))
    }

    /// Whether `self` includes `scope` itself or a broader one (`admin`
    /// covers `admin:read`, which covers `admin:read:accounts`).
    pub fn covers(&self, scope: &str) -> bool {
        self.0.iter().any(|s| scope == s || scope.starts_with(&format!("{s}:")))
    }

    /// The requested scopes this app may grant; an error names the first it may not.
    pub fn within(&self, app: &Scopes) -> Result<Scopes, String> {
        match self.0.iter().find(|s| !app.covers(s)) {
            Some(s) => Err(format!("this app did not register the scope {s:?}")),
            None => Ok(self.clone()),
        }
    }

    /// Whether a token with these scopes may make an admin API call that
    /// reads (`write == false`) or changes something.
    pub fn allow_admin(&self, write: bool) -> bool {
        let need = if write { "admin:write" } else { "admin:read" };
        self.0.iter().any(|s| s == "admin" || s == need || s.starts_with(&format!("{need}:")))
    }

    pub fn as_string(&self) -> String {
        self.0.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::Scopes;

    #[test]
    fn admin_covers_its_narrower_scopes() {
        let admin_fe = Scopes::parse("read write follow push admin", "read").unwrap();
        assert!(admin_fe.covers("admin:read:accounts") && admin_fe.covers("read"));
        assert!(admin_fe.allow_admin(true) && admin_fe.allow_admin(false));
        let reader = Scopes::parse("admin:read", "read").unwrap();
        assert!(reader.allow_admin(false) && !reader.allow_admin(true));
        assert!(!Scopes::parse("read write", "read").unwrap().allow_admin(false));
        assert!(Scopes::parse("read:accounts", "read").unwrap().within(&admin_fe).is_ok());
        assert!(Scopes::parse("admin", "read").unwrap().within(&reader).is_err());
        assert!(Scopes::parse("root", "read").is_err());
        assert_eq!(Scopes::parse("", "read").unwrap().as_string(), "read");
    }
}
