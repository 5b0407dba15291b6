//! The rules of organizations, bounded by Clerk's organization settings
//! ([`OrganizationSettings`]): who may be created, deleted, joined; which
//! domains and enrollment modes are allowed; and Flashback's settings
//! document, replaced whole with every version kept. Each change is one
//! transaction with its moderation-log entry.
//!
//! Decisions where the sources leave room:
//! - `enabled: false` refuses creating organizations (403); existing ones can
//!   still be managed and deleted, and sign-ups join none.
//! - The creating admin becomes a member with `creator_role` (`org:admin`
//!   when the setting names no known role).
//! - `max_allowed_memberships` caps members per organization (0: no cap); a
//!   full organization answers 409, and sign-ups skip it.
//! - `domains_enabled: false` refuses adding, verifying and re-moding
//!   domains (403); listing and removing stay possible.
//! - Verifying a domain is the admin's attestation (no DNS check).

use serde_json::{Map, Value};

use crate::auth::AdminCtx;
use crate::domain::settings::{ENROLLMENT_MODES, OrganizationSettings};
use crate::error::AppError;
use crate::server::settings as store;
use crate::server::storage::audit::{self, Actor};
use crate::server::storage::organizations::{self as rows, DomainRow, MemberRow, NewVersion, OrgRow};
use crate::server::storage::{ConnRef, Db, tokens};

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
fn known_role(named: &str, fallback: &'static str) -> &'static str {
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

async fn clerk(c: ConnRef<'_>) -> Result<OrganizationSettings, AppError> {
    Ok(store::load::<OrganizationSettings>(c).await?.doc)
}

fn log_entry<'a>(
    actor: Actor<'a>,
    action: &'a str,
    users: &'a [i64],
    data: Value,
    message: String,
) -> audit::Entry<'a> {
    audit::Entry { actor, action, subject_users: users, data, message }
}

/// Creates an organization; its creator joins with `creator_role`.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn create(db: &Db, ctx: &AdminCtx, name: &str, slug: Option<&str>) -> Result<OrgRow, AppError> {
    let name = parse_name(name)?;
    let slug = match slug.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_slug(s)?,
        None => slugify(&name),
    };
    let staff = ctx.staff();
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let s = clerk(tx.conn()).await?;
        if !s.enabled {
            return Err(AppError::Denied(
                "Organizations are turned off in the organization settings (enabled: false).".into(),
            ));
        }
        let id = rows::insert(tx.conn(), &name, &slug, staff.id).await?;
        let role = known_role(&s.creator_role, "org:admin");
        rows::add_member(tx.conn(), id, staff.id, role).await?;
        audit::record(
            tx.conn(),
            log_entry(
                staff.into(),
                "organization.create",
                &[],
                serde_json::json!({ "organization_id": id, "name": name, "slug": slug, "creator_role": role }),
                format!("@{} created the organization {name} ({slug}) and joined it as {role}", staff.nickname),
            ),
        )
        .await?;
        let row = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(row)
    })
    .await
}

/// Renames an organization (and changes its slug when one is given).
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn rename(db: &Db, ctx: &AdminCtx, id: i64, name: &str, slug: Option<&str>) -> Result<OrgRow, AppError> {
    let name = parse_name(name)?;
    let slug = slug.map(str::trim).filter(|s| !s.is_empty()).map(parse_slug).transpose()?;
    let staff = ctx.staff();
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let before = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let slug = slug.clone().unwrap_or_else(|| before.slug.clone());
        if before.name == name && before.slug == slug {
            return Ok(before);
        }
        rows::rename(tx.conn(), id, &name, &slug).await?;
        audit::record(
            tx.conn(),
            log_entry(
                staff.into(),
                "organization.rename",
                &[],
                serde_json::json!({ "organization_id": id, "before": {"name": before.name, "slug": before.slug},
                    "after": {"name": name, "slug": slug} }),
                format!("@{} renamed the organization {} to {name} ({slug})", staff.nickname, before.name),
            ),
        )
        .await?;
        let row = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(row)
    })
    .await
}

/// Deletes an organization, when `admin_delete_enabled` allows it.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn delete(db: &Db, ctx: &AdminCtx, id: i64) -> Result<OrgRow, AppError> {
    let staff = ctx.staff();
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        if !clerk(tx.conn()).await?.admin_delete_enabled {
            return Err(AppError::Denied(
                "Deleting organizations is turned off in the organization settings (admin_delete_enabled: false)."
                    .into(),
            ));
        }
        rows::delete(tx.conn(), id).await?;
        audit::record(
            tx.conn(),
            log_entry(
                staff.into(),
                "organization.delete",
                &[],
                serde_json::json!({ "organization_id": id, "name": org.name, "slug": org.slug, "members": org.members }),
                format!("@{} deleted the organization {} ({} members)", staff.nickname, org.name, org.members),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(org)
    })
    .await
}

/// Who to add: a user id or a nickname.
#[derive(Debug, Clone)]
pub enum UserRef {
    Id(i64),
    Nickname(String),
}

/// Adds a member, within `max_allowed_memberships` (0: no cap). The
/// organization's row is locked first, so concurrent adds never pass the cap.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn add_member(db: &Db, ctx: &AdminCtx, id: i64, who: &UserRef, role: &str) -> Result<MemberRow, AppError> {
    let role = parse_role(role)?;
    let staff = ctx.staff();
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        if !rows::lock(tx.conn(), id).await? {
            return Err(AppError::NotFound);
        }
        let (uid, nick) = match who {
            UserRef::Id(u) => rows::find_user(tx.conn(), Some(*u), None).await?,
            UserRef::Nickname(n) => rows::find_user(tx.conn(), None, Some(n)).await?,
        }
        .ok_or_else(|| AppError::validation("user_id", "No user has that id or nickname."))?;
        if rows::member(tx.conn(), id, uid).await?.is_some() {
            return Err(AppError::conflict("user_id", format!("@{nick} is already a member.")));
        }
        let cap = clerk(tx.conn()).await?.max_allowed_memberships;
        let count = rows::count_members(tx.conn(), id).await?;
        if cap > 0 && count >= cap {
            return Err(AppError::conflict(
                "user_id",
                format!("This organization has {count} members, the most the organization settings allow (max_allowed_memberships: {cap})."),
            ));
        }
        rows::add_member(tx.conn(), id, uid, role).await?;
        let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        audit::record(
            tx.conn(),
            log_entry(
                staff.into(),
                "organization.member_add",
                &[uid],
                serde_json::json!({ "organization_id": id, "user_id": uid, "role": role }),
                format!("@{} added @{nick} to {} as {role}", staff.nickname, org.name),
            ),
        )
        .await?;
        let m = rows::member(tx.conn(), id, uid).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(m)
    })
    .await
}

/// Changes a member's role.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn set_member_role(
    db: &Db,
    ctx: &AdminCtx,
    id: i64,
    user_id: i64,
    role: &str,
) -> Result<MemberRow, AppError> {
    let role = parse_role(role)?;
    let staff = ctx.staff();
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let was = rows::set_role(tx.conn(), id, user_id, role).await?.ok_or(AppError::NotFound)?;
        let m = rows::member(tx.conn(), id, user_id).await?.ok_or(AppError::NotFound)?;
        if was != role {
            audit::record(
                tx.conn(),
                log_entry(
                    staff.into(),
                    "organization.member_role",
                    &[user_id],
                    serde_json::json!({ "organization_id": id, "user_id": user_id, "before": was, "after": role }),
                    format!("@{} made @{} {role} of {} (was {was})", staff.nickname, m.nickname, org.name),
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(m)
    })
    .await
}

/// Removes a member.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn remove_member(db: &Db, ctx: &AdminCtx, id: i64, user_id: i64) -> Result<MemberRow, AppError> {
    let staff = ctx.staff();
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let m = rows::member(tx.conn(), id, user_id).await?.ok_or(AppError::NotFound)?;
        rows::remove_member(tx.conn(), id, user_id).await?;
        audit::record(
            tx.conn(),
            log_entry(
                staff.into(),
                "organization.member_remove",
                &[user_id],
                serde_json::json!({ "organization_id": id, "user_id": user_id, "role": m.role }),
                format!("@{} removed @{} from {}", staff.nickname, m.nickname, org.name),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    })
    .await
}

fn domains_off() -> AppError {
    AppError::Denied("Domains are turned off in the organization settings (domains_enabled: false).".into())
}

/// Adds a domain (unverified) with an allowed enrollment mode.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn add_domain(db: &Db, ctx: &AdminCtx, id: i64, domain: &str, mode: &str) -> Result<DomainRow, AppError> {
    let name = parse_domain(domain)?;
    let staff = ctx.staff();
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let s = clerk(tx.conn()).await?;
        if !s.domains_enabled {
            return Err(domains_off());
        }
        let mode = parse_mode(mode, &s)?;
        let did = rows::insert_domain(tx.conn(), id, &name, mode).await?;
        audit::record(
            tx.conn(),
            log_entry(
                staff.into(),
                "organization.domain_add",
                &[],
                serde_json::json!({ "organization_id": id, "domain_id": did, "domain": name, "enrollment_mode": mode }),
                format!("@{} added the domain {name} to {} ({mode})", staff.nickname, org.name),
            ),
        )
        .await?;
        let row = rows::domain(tx.conn(), id, did).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(row)
    })
    .await
}

/// What to change on a domain.
#[derive(Debug, Clone, Copy)]
pub enum DomainChange<'a> {
    Verify,
    Mode(&'a str),
}

/// Verifies a domain or changes its enrollment mode.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn change_domain(
    db: &Db,
    ctx: &AdminCtx,
    id: i64,
    domain_id: i64,
    change: DomainChange<'_>,
) -> Result<DomainRow, AppError> {
    let staff = ctx.staff();
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let d = rows::domain(tx.conn(), id, domain_id).await?.ok_or(AppError::NotFound)?;
        let s = clerk(tx.conn()).await?;
        if !s.domains_enabled {
            return Err(domains_off());
        }
        let (action, data, message) = match change {
            DomainChange::Verify if d.verified_at.is_some() => return Ok(d),
            DomainChange::Verify => {
                rows::verify_domain(tx.conn(), id, domain_id).await?;
                (
                    "organization.domain_verify",
                    serde_json::json!({ "organization_id": id, "domain_id": domain_id, "domain": d.domain }),
                    format!("@{} verified the domain {} of {}", staff.nickname, d.domain, org.name),
                )
            }
            DomainChange::Mode(m) => {
                let mode = parse_mode(m, &s)?;
                if mode == d.enrollment_mode {
                    return Ok(d);
                }
                rows::set_mode(tx.conn(), id, domain_id, mode).await?;
                (
                    "organization.domain_mode",
                    serde_json::json!({ "organization_id": id, "domain_id": domain_id, "domain": d.domain,
                        "before": d.enrollment_mode, "after": mode }),
                    format!(
                        "@{} changed the enrollment of {} ({}) from {} to {mode}",
                        staff.nickname, d.domain, org.name, d.enrollment_mode
                    ),
                )
            }
        };
        audit::record(tx.conn(), log_entry(staff.into(), action, &[], data, message)).await?;
        let row = rows::domain(tx.conn(), id, domain_id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(row)
    })
    .await
}

/// Removes a domain (allowed even with domains turned off, to clean up).
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn delete_domain(db: &Db, ctx: &AdminCtx, id: i64, domain_id: i64) -> Result<DomainRow, AppError> {
    let staff = ctx.staff();
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let d = rows::domain(tx.conn(), id, domain_id).await?.ok_or(AppError::NotFound)?;
        rows::delete_domain(tx.conn(), id, domain_id).await?;
        audit::record(
            tx.conn(),
            log_entry(
                staff.into(),
                "organization.domain_remove",
                &[],
                serde_json::json!({ "organization_id": id, "domain_id": domain_id, "domain": d.domain }),
                format!("@{} removed the domain {} from {}", staff.nickname, d.domain, org.name),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    })
    .await
}

/// Who replaced a settings document: an admin, or a token bound to the organization.
#[derive(Debug, Clone, Copy)]
pub enum Replacer<'a> {
    Admin(&'a AdminCtx),
    /// The token's owner and label.
    Token {
        owner: Actor<'a>,
        label: &'a str,
    },
}

/// Replaces the whole settings document, keeping the previous one as a
/// version; `expected` (the version the editor read) guards against lost
/// edits. Returns the new version.
#[tracing::instrument(skip_all, fields(organization = id), err(level = "info"))]
pub async fn replace_settings(
    db: &Db,
    by: Replacer<'_>,
    id: i64,
    doc: &Map<String, Value>,
    expected: Option<i64>,
) -> Result<i64, AppError> {
    let after = serde_json::to_string(doc).map_err(AppError::fault)?;
    if after.len() > SETTINGS_MAX_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    let (actor, who) = match by {
        Replacer::Admin(ctx) => (Actor::from(ctx.staff()), format!("@{}", ctx.staff().nickname)),
        Replacer::Token { owner, label } => {
            (owner, format!("the organization token \"{label}\" of @{}", owner.nickname))
        }
    };
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        if !rows::lock(tx.conn(), id).await? {
            return Err(AppError::NotFound);
        }
        let (before, version) = rows::settings(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        if let Some(v) = expected
            && v != version
        {
            return Err(AppError::Stale { current: version });
        }
        let next = version + 1;
        rows::put_settings(tx.conn(), id, &after, next).await?;
        rows::record_version(
            tx.conn(),
            NewVersion {
                organization_id: id,
                version: next,
                before: &before,
                after: &after,
                actor_id: actor.id,
                actor_nickname: actor.nickname,
            },
        )
        .await?;
        let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let keys: Vec<&String> = doc.keys().collect();
        audit::record(
            tx.conn(),
            log_entry(
                actor,
                "organization.settings_replace",
                &[],
                serde_json::json!({ "organization_id": id, "version": next, "keys": keys, "bytes": after.len() }),
                format!("{who} replaced the settings document of {} (version {next})", org.name),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    })
    .await
}

/// Creates a token bound to the organization (scope `organization`): it may
/// read and replace that organization's settings document, nothing else.
/// Returns its id and the secret, shown once.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn issue_token(db: &Db, ctx: &AdminCtx, id: i64, label: &str) -> Result<(i64, String), AppError> {
    let label = crate::auth::tokens::parse_label(label)?;
    let staff = ctx.staff();
    let secret = crate::auth::tokens::generate();
    let mut tx = db.begin().await?;
    let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let tid =
        tokens::insert_for_organization(tx.conn(), staff.id, id, label, &crate::auth::tokens::hash(&secret)).await?;
    audit::record(
        tx.conn(),
        log_entry(
            staff.into(),
            "token.create",
            &[staff.id],
            serde_json::json!({ "token_id": tid, "label": label, "scope": "organization", "organization_id": id }),
            format!("@{} created the organization token \"{label}\" for {}", staff.nickname, org.name),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((tid, secret))
}

/// Revokes one of the organization's live tokens; its label.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, organization = id), err(level = "info"))]
pub async fn revoke_token(db: &Db, ctx: &AdminCtx, id: i64, token_id: i64) -> Result<String, AppError> {
    let staff = ctx.staff();
    let mut tx = db.begin().await?;
    let org = rows::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let label = rows::revoke_token(tx.conn(), id, token_id).await?.ok_or(AppError::NotFound)?;
    audit::record(
        tx.conn(),
        log_entry(
            staff.into(),
            "token.revoke",
            &[staff.id],
            serde_json::json!({ "token_id": token_id, "label": label, "organization_id": id }),
            format!("@{} revoked the organization token \"{label}\" of {}", staff.nickname, org.name),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(label)
}

/// Joins a new account to organizations inside the caller's (registration)
/// transaction: the app's default organization, and the organization whose
/// verified domain matches the email with `automatic_invitation`
/// enrollment, each with `domains_default_role`. `automatic_suggestion`
/// joins nothing (suggestions are the member-facing app's business). A full
/// organization (`max_allowed_memberships`) is skipped, never an error, and
/// nothing happens while organizations are turned off. Returns the
/// organizations joined; each join is in the moderation log.
pub async fn join_on_sign_up(
    mut c: ConnRef<'_>,
    user_id: i64,
    email: &str,
    default_org: Option<i64>,
) -> Result<Vec<i64>, AppError> {
    let s = clerk(c.reborrow()).await?;
    if !s.enabled {
        return Ok(Vec::new());
    }
    let role = known_role(&s.domains_default_role, "org:member");
    let mut wanted: Vec<(i64, &'static str)> = default_org.map(|o| (o, "default_organization")).into_iter().collect();
    let domain = crate::domain::email_rules::domain(email);
    if s.domains_enabled
        && let Some(d) = rows::verified_domain(c.reborrow(), &domain).await?
        && d.enrollment_mode == "automatic_invitation"
        && s.domains_enrollment_modes.iter().any(|m| m == "automatic_invitation")
        && !wanted.iter().any(|(o, _)| *o == d.organization_id)
    {
        wanted.push((d.organization_id, "verified_domain"));
    }
    // Rows are locked in id order, so two sign-ups never wait on each other in a circle.
    wanted.sort_by_key(|(o, _)| *o);
    let Some((_, nickname)) = rows::find_user(c.reborrow(), Some(user_id), None).await? else {
        return Err(AppError::NotFound);
    };
    let mut joined = Vec::new();
    for (org, why) in wanted {
        if !rows::lock(c.reborrow(), org).await? {
            continue;
        }
        let count = rows::count_members(c.reborrow(), org).await?;
        if s.max_allowed_memberships > 0 && count >= s.max_allowed_memberships {
            tracing::info!(organization = org, "sign-up not joined: the organization is full");
            continue;
        }
        if !rows::add_member(c.reborrow(), org, user_id, role).await? {
            continue;
        }
        let name = rows::find(c.reborrow(), org).await?.map(|o| o.name).unwrap_or_default();
        let reason = if why == "verified_domain" {
            format!("the verified domain {domain}")
        } else {
            "the app's default organization".into()
        };
        audit::record(
            c.reborrow(),
            log_entry(
                Actor { id: user_id, nickname: &nickname },
                "organization.member_join",
                &[user_id],
                serde_json::json!({ "organization_id": org, "user_id": user_id, "role": role, "reason": why }),
                format!("@{nickname} joined {name} as {role} on sign-up ({reason})"),
            ),
        )
        .await?;
        joined.push(org);
    }
    Ok(joined)
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
