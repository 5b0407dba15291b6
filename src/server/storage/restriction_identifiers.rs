//! Clerk's allowlist and blocklist identifiers: email addresses and domains.
//! Identifiers are stored lower case; a domain is stored without `@`.

use super::sql::Sql;
use super::{ConnRef, on};
use crate::error::AppError;

pub const ALLOWLIST: &str = "allowlist";
pub const BLOCKLIST: &str = "blocklist";

/// The lists (`allowlist`, `blocklist`) holding any of `candidates` (the
/// forms of one address the caller derived: the address, its canonical
/// form, its domain and parent domains).
pub async fn lists_holding(c: ConnRef<'_>, candidates: &[String]) -> Result<Vec<String>, AppError> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on!(c, |c| {
        let mut q = Sql::new("SELECT DISTINCT list FROM restriction_identifiers");
        q.and().push_in("identifier", candidates);
        q.build_query_scalar().fetch_all(&mut *c).await
    })?)
}
