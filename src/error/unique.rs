//! Which field a client must change when a unique index refuses a row, by the
//! index's name. PostgreSQL reports the name of the index or constraint;
//! SQLite names only an index on an expression (`index 'users_nickname_key'`)
//! and otherwise lists the indexed columns (`tags.name`).

/// A unique index or constraint of the schema (both migration folders).
pub struct Unique {
    /// The name PostgreSQL reports.
    postgres: &'static str,
    /// What follows `UNIQUE constraint failed: ` in SQLite's message.
    sqlite: &'static str,
    /// The request field that clashed (`meta.param`); `None` where the server
    /// made the value (a random token), so no field of the client's clashed.
    pub param: Option<&'static str>,
}

const fn unique(postgres: &'static str, sqlite: &'static str, param: Option<&'static str>) -> Unique {
    Unique { postgres, sqlite, param }
}

/// Every unique index and constraint; a test keeps it in step with `migrations/`.
const UNIQUES: &[Unique] = &[
    unique("users_nickname_key", "index 'users_nickname_key'", Some("nickname")),
    unique("users_email_key", "index 'users_email_key'", Some("email")),
    unique("tags_name_key", "tags.name", Some("tags")),
    unique("saved_views_owner_name", "index 'saved_views_owner_name'", Some("name")),
    unique("statuses_uri", "statuses.uri", Some("uri")),
    unique("reports_uri", "reports.uri", Some("uri")),
    unique("api_tokens_token_hash_key", "api_tokens.token_hash", None),
    unique("api_tokens_refresh", "api_tokens.refresh_hash", None),
    unique("password_resets_token_hash_key", "password_resets.token_hash", None),
    unique("oauth_apps_client_id_key", "oauth_apps.client_id", None),
    unique("settings_versions_key_version_key", "settings_versions.key, settings_versions.version", Some("version")),
    unique("invites_token_key", "invites.token", None),
    unique(
        "restriction_identifiers_list_identifier_key",
        "restriction_identifiers.list, restriction_identifiers.identifier",
        Some("identifier"),
    ),
    unique("email_confirmations_token_hash_key", "email_confirmations.token_hash", None),
    unique("organizations_slug_key", "organizations.slug", Some("slug")),
    unique("organization_domains_domain_key", "organization_domains.domain", Some("domain")),
    unique(
        "organization_settings_versions_organization_id_version_key",
        "organization_settings_versions.organization_id, organization_settings_versions.version",
        Some("version"),
    ),
    unique("webhook_endpoints_alert_kind", "webhook_endpoints.kind", None),
    unique("sso_identities_issuer_subject_key", "sso_identities.issuer, sso_identities.subject", None),
];

/// The index behind a unique violation, from PostgreSQL's constraint name or
/// SQLite's message; `None` for one not in the table (a primary key, say).
pub fn find(constraint: Option<&str>, message: &str) -> Option<&'static Unique> {
    let failed = message.strip_prefix("UNIQUE constraint failed: ");
    UNIQUES.iter().find(|u| constraint == Some(u.postgres) || failed == Some(u.sqlite))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn both_backends_name_the_same_field() {
        let pg = find(Some("users_email_key"), "duplicate key value violates unique constraint \"users_email_key\"");
        let sqlite = find(None, "UNIQUE constraint failed: index 'users_email_key'");
        assert_eq!(pg.and_then(|u| u.param), Some("email"));
        assert_eq!(sqlite.and_then(|u| u.param), Some("email"));
        assert_eq!(find(None, "UNIQUE constraint failed: tags.name").and_then(|u| u.param), Some("tags"));
        assert!(find(Some("user_tags_pkey"), "").is_none());
        assert!(find(None, "UNIQUE constraint failed: user_tags.user_id, user_tags.tag_id").is_none());
    }

    #[test]
    fn every_unique_index_in_the_migrations_has_an_entry() {
        for backend in ["postgres", "sqlite"] {
            let found: BTreeSet<String> = migrations(backend).iter().flat_map(|sql| uniques_in(sql, backend)).collect();
            let listed: BTreeSet<String> =
                UNIQUES.iter().map(|u| if backend == "postgres" { u.postgres } else { u.sqlite }.to_owned()).collect();
            let missing: Vec<_> = found.difference(&listed).collect();
            let stale: Vec<_> = listed.difference(&found).collect();
            assert!(missing.is_empty(), "migrations/{backend} has unique indexes the table lacks: {missing:?}");
            assert!(stale.is_empty(), "the table lists indexes migrations/{backend} lacks: {stale:?}");
        }
    }

    fn migrations(backend: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
        let files = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        files.map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap()).collect()
    }

    /// The keys (`backend`'s way of naming them) of the unique indexes and
    /// constraints a migration creates.
    fn uniques_in(sql: &str, backend: &str) -> Vec<String> {
        let sql: String = sql.lines().map(|l| l.split("--").next().unwrap_or_default()).collect::<Vec<_>>().join(" ");
        let mut keys = Vec::new();
        for stmt in sql.split(';').map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")) {
            let upper = stmt.to_uppercase();
            if let Some(rest) = upper.strip_prefix("CREATE UNIQUE INDEX ") {
                keys.push(unique_index(&stmt[stmt.len() - rest.len()..], backend));
            } else if let Some(rest) = upper.strip_prefix("CREATE TABLE ") {
                let rest = &stmt[stmt.len() - rest.len()..];
                let (table, body) = rest.split_once(" (").expect("CREATE TABLE name (…)");
                let body = body.rsplit_once(')').expect("a closing parenthesis").0;
                keys.extend(top_level(body).iter().filter_map(|item| unique_in_table(table, item, backend)));
            } else if upper.starts_with("ALTER TABLE ") && upper.contains(" ADD COLUMN ") {
                let table = stmt.split(' ').nth(2).unwrap_or_default();
                let column = stmt.split(" ADD COLUMN ").nth(1).unwrap_or_default();
                keys.extend(unique_in_table(table, column, backend));
            }
        }
        keys
    }

    /// `name ON table (columns) [WHERE …]`.
    fn unique_index(rest: &str, backend: &str) -> String {
        let (name, on) = rest.split_once(" ON ").expect("CREATE UNIQUE INDEX name ON table (…)");
        let (table, columns) = on.split_once(" (").expect("an indexed column list");
        let columns = columns.rsplit_once(')').map_or(columns, |(c, _)| c);
        match backend {
            "postgres" => name.to_owned(),
            _ if columns.contains('(') => format!("index '{name}'"),
            _ => sqlite_columns(table, columns.split(',')),
        }
    }

    /// A column declared `UNIQUE`, or a table's `[CONSTRAINT name] UNIQUE (a, b)`.
    fn unique_in_table(table: &str, item: &str, backend: &str) -> Option<String> {
        let words: Vec<&str> = item.split_whitespace().collect();
        let is_unique = |w: &&str| w.eq_ignore_ascii_case("UNIQUE");
        let listed = || item.split_once('(').map(|(_, c)| c.trim_end_matches(')').split(',').map(str::trim).collect());
        let (name, columns): (Option<&str>, Vec<&str>) = match words.first()?.to_uppercase().as_str() {
            "UNIQUE" => (None, listed()?),
            "CONSTRAINT" if words.get(2).is_some_and(is_unique) => (words.get(1).copied(), listed()?),
            "CONSTRAINT" | "PRIMARY" | "CHECK" | "FOREIGN" => return None,
            _ if words.iter().any(is_unique) => (None, vec![words[0]]),
            _ => return None,
        };
        Some(match backend {
            "postgres" => name.map_or_else(|| format!("{table}_{}_key", columns.join("_")), str::to_owned),
            _ => sqlite_columns(table, columns.into_iter()),
        })
    }

    fn sqlite_columns<'a>(table: &str, columns: impl Iterator<Item = &'a str>) -> String {
        columns.map(|c| format!("{table}.{}", c.trim())).collect::<Vec<_>>().join(", ")
    }

    /// A table body's items: split at the commas outside parentheses.
    fn top_level(body: &str) -> Vec<&str> {
        let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
        for (i, ch) in body.char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(body[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
        }
        items.push(body[start..].trim());
        items
    }
}
