//! Clerk's restrictions applied to one address: the blocklist, sub-addresses,
//! disposable domains and the allowlist, in that order (a block always wins).

use crate::domain::email_rules::{canonical, domain, has_subaddress};
use crate::domain::settings::Restrictions;
use crate::error::AppError;
use crate::server::storage::ConnRef;
use crate::server::storage::restriction_identifiers::{self, ALLOWLIST, BLOCKLIST};

/// The identifiers that would name `email` on a list: the address, its
/// canonical form (with the Gmail rule on) and its domain and every parent
/// domain (a listed domain covers its subdomains).
fn candidates(email: &str, ignore_gmail_dots: bool) -> Vec<String> {
    let mut out = vec![email.to_lowercase()];
    if ignore_gmail_dots {
        out.push(canonical(email));
    }
    let d = domain(email);
    let mut rest = d.as_str();
    loop {
        out.push(rest.to_owned());
        match rest.split_once('.') {
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => break,
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Refuses `email` if the restrictions in force forbid it (422 on `email`).
pub async fn check(c: ConnRef<'_>, r: &Restrictions, email: &str) -> Result<(), AppError> {
    let refuse = |m: &str| Err(AppError::validation("email", m));
    let lists = if r.allowlist || r.blocklist {
        restriction_identifiers::lists_holding(c, &candidates(email, r.ignore_dots_for_gmail_addresses)).await?
    } else {
        Vec::new()
    };
    if r.blocklist && lists.iter().any(|l| l == BLOCKLIST) {
        return refuse("Registrations from this email address or domain are not accepted.");
    }
    if r.block_email_subaddresses && has_subaddress(email) {
        return refuse("Use your address without a “+” tag.");
    }
    if r.block_disposable_email_domains && disposable_emails::is_disposable_domain(&domain(email)) {
        return refuse("Disposable email addresses are not accepted. Use a permanent address.");
    }
    if r.allowlist && !lists.iter().any(|l| l == ALLOWLIST) {
        return refuse("Registration is limited to invited addresses and domains.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_named_by_itself_and_every_parent_domain() {
        let c = candidates("Jo.Hn@mail.Example.org", false);
        assert_eq!(c, vec!["example.org", "jo.hn@mail.example.org", "mail.example.org"]);
        let g = candidates("Jo.Hn@gmail.com", true);
        assert!(g.contains(&"john@gmail.com".to_owned()));
        assert!(g.contains(&"jo.hn@gmail.com".to_owned()));
    }
}
