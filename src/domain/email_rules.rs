//! How Clerk's restriction rules read an email address: its domain, whether
//! it has a sub-address (`name+tag@`), and its canonical form for the Gmail
//! dots rule. `canonical` must agree with the `users.email_canonical` column
//! (migrations 0010), which a storage test checks.

/// Gmail ignores dots in the local part, and googlemail.com is gmail.com.
const GMAIL_DOMAINS: [&str; 2] = ["gmail.com", "googlemail.com"];

/// The domain, lower case (the part after the last `@`).
pub fn domain(email: &str) -> String {
    email.rsplit_once('@').map_or("", |(_, d)| d).to_ascii_lowercase()
}

/// Whether the local part carries a `+tag`.
pub fn has_subaddress(email: &str) -> bool {
    email.rsplit_once('@').is_some_and(|(local, _)| local.contains('+'))
}

/// Lower case; for Gmail also without the local part's dots and with
/// googlemail.com read as gmail.com.
pub fn canonical(email: &str) -> String {
    let lower = email.to_lowercase();
    match lower.split_once('@') {
        Some((local, domain)) if GMAIL_DOMAINS.contains(&domain) => format!("{}@gmail.com", local.replace('.', "")),
        _ => lower,
    }
}

/// Whether `identifier` (an address, or a domain) names `email`. Domains
/// match themselves and their subdomains; with `ignore_gmail_dots`
/// addresses compare in their canonical form.
pub fn matches(identifier: &str, email: &str, ignore_gmail_dots: bool) -> bool {
    let id = identifier.trim().to_lowercase();
    if id.contains('@') {
        return if ignore_gmail_dots { canonical(&id) == canonical(email) } else { id == email.to_lowercase() };
    }
    let d = domain(email);
    d == id || d.strip_suffix(id.as_str()).is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_dots_and_googlemail_fold_into_one_address() {
        assert_eq!(canonical("J.O.Hn@GoogleMail.com"), "john@gmail.com");
        assert_eq!(canonical("j.o.hn@example.org"), "j.o.hn@example.org");
        assert!(matches("john@gmail.com", "jo.hn@gmail.com", true));
        assert!(!matches("john@gmail.com", "jo.hn@gmail.com", false));
    }

    #[test]
    fn domains_match_their_subdomains_only() {
        assert!(matches("example.org", "a@example.org", false));
        assert!(matches("example.org", "a@mail.example.org", false));
        assert!(!matches("example.org", "a@badexample.org", false));
        assert!(!matches("example.org", "a@example.org.evil", false));
    }

    #[test]
    fn subaddresses_are_seen_in_the_local_part_only() {
        assert!(has_subaddress("a+news@example.org"));
        assert!(!has_subaddress("a@ex+ample.org"));
        assert_eq!(domain("a@B.Example.ORG"), "b.example.org");
    }
}
