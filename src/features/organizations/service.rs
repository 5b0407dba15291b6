//! Organizations, their members and domains, bounded by Clerk's
//! organization settings ([`OrganizationSettings`]): who may be created,
//! deleted, joined; which domains and enrollment modes are allowed; and the
//! enrollment of new sign-ups. Each change is one transaction with its
//! moderation-log entry. (The settings document: [`super::document`].)
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

use serde_json::Value;

use super::rules::{known_role, parse_domain, parse_mode, parse_name, parse_role, parse_slug, slugify};
use crate::auth::AdminCtx;
use crate::domain::settings::OrganizationSettings;
use crate::error::AppError;
use crate::server::settings as store;
use crate::server::storage::audit::{self, Actor};
use crate::server::storage::organizations::{self as rows, DomainRow, MemberRow, OrgRow};
use crate::server::storage::{ConnRef, Db};

async fn clerk(c: ConnRef<'_>) -> Result<OrganizationSettings, AppError> {
    Ok(store::load::<OrganizationSettings>(c).await?.doc)
}

pub(super) fn log_entry<'a>(
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
