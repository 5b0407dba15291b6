//! The rules of invites: what a new invite may hold, Pleroma's four invite
//! types, the state an invite is in, and the changes (create, revoke, email
//! invite), each one transaction with its moderation-log entry. Only an
//! [`AdminCtx`] may call them, as in Pleroma.

use serde_json::Value;

use crate::auth::AdminCtx;
use crate::domain::Email;
use crate::error::AppError;
use crate::server::config::Config;
use crate::server::storage::invites::{self, InviteRow, NewInvite};
use crate::server::storage::{Db, audit};

/// The most uses one invite may allow.
pub const MAX_USE_LIMIT: i64 = 10_000;
/// Longest name an email invite greets.
pub const NAME_MAX: usize = 100;

/// Pleroma's `invite_type`, derived from what the invite limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteType {
    OneTime,
    Reusable,
    DateLimited,
    ReusableDateLimited,
}

impl InviteType {
    /// As `UserInviteToken.assign_type/1`: `max_use` makes it reusable, a
    /// date makes it date-limited, neither makes it one-time.
    pub fn of(max_use: Option<i64>, expires_at: Option<&str>) -> Self {
        match (max_use.is_some(), expires_at.is_some()) {
            (false, false) => InviteType::OneTime,
            (true, false) => InviteType::Reusable,
            (false, true) => InviteType::DateLimited,
            (true, true) => InviteType::ReusableDateLimited,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InviteType::OneTime => "one_time",
            InviteType::Reusable => "reusable",
            InviteType::DateLimited => "date_limited",
            InviteType::ReusableDateLimited => "reusable_date_limited",
        }
    }
}

/// Where an invite stands for the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteState {
    Active,
    UsedUp,
    Expired,
    Revoked,
}

impl InviteState {
    /// `used` covers both spent and revoked; which one it was follows from
    /// the uses counted against the limit (a date-limited invite without
    /// `max_use` is never spent by use, so `used` there means revoked).
    pub fn of(i: &InviteRow, today: &str) -> Self {
        if i.used {
            let spent = match i.max_use {
                Some(max) => i.uses >= max,
                None => i.expires_at.is_none() && i.uses >= 1,
            };
            return if spent { InviteState::UsedUp } else { InviteState::Revoked };
        }
        match &i.expires_at {
            Some(d) if d.as_str() < today => InviteState::Expired,
            _ => InviteState::Active,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InviteState::Active => "active",
            InviteState::UsedUp => "used up",
            InviteState::Expired => "expired",
            InviteState::Revoked => "revoked",
        }
    }
}

/// Today's date in UTC, `YYYY-MM-DD`, as invites store it.
pub fn today(config: &Config) -> String {
    ymd(config.clock.now().date())
}

fn ymd(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The link that registers with `token`.
pub fn link(config: &Config, token: &str) -> String {
    format!("{}/invite/{token}", config.base_url())
}

/// A checked request for a new invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteLimits {
    pub max_use: Option<i64>,
    pub expires_at: Option<String>,
}

/// Reads `max_use` and `expires_at` as Pleroma's clients send them: numbers
/// or strings (forms send strings), `null` or empty for "no limit".
pub fn parse_limits(
    max_use: Option<&Value>,
    expires_at: Option<&Value>,
    today: &str,
) -> Result<InviteLimits, AppError> {
    Ok(InviteLimits { max_use: parse_max_use(max_use)?, expires_at: parse_date(expires_at, today)? })
}

fn parse_max_use(v: Option<&Value>) -> Result<Option<i64>, AppError> {
    let bad = || AppError::validation("max_use", format!("max_use must be a whole number from 1 to {MAX_USE_LIMIT}."));
    let n = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::String(s)) => s.trim().parse::<i64>().map_err(|_| bad())?,
        Some(Value::Number(n)) => n.as_i64().ok_or_else(bad)?,
        Some(_) => return Err(bad()),
    };
    if (1..=MAX_USE_LIMIT).contains(&n) { Ok(Some(n)) } else { Err(bad()) }
}

fn parse_date(v: Option<&Value>, today: &str) -> Result<Option<String>, AppError> {
    let s = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::String(s)) => s.trim(),
        Some(_) => return Err(AppError::validation("expires_at", "expires_at must be a date like 2026-12-31.")),
    };
    // Exactly YYYY-MM-DD: `time` alone would also take a sign or a longer year.
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let date = shaped
        .then(|| time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok())
        .flatten()
        .ok_or_else(|| AppError::validation("expires_at", "expires_at must be a date like 2026-12-31."))?;
    let date = ymd(date);
    if date.as_str() < today {
        return Err(AppError::validation("expires_at", "expires_at is in the past; choose today or a later day."));
    }
    Ok(Some(date))
}

/// An email invite's optional greeting name.
pub fn parse_name(v: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(s) = v.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    if s.chars().count() > NAME_MAX || s.chars().any(char::is_control) {
        return Err(AppError::validation(
            "name",
            format!("The name must be at most {NAME_MAX} characters on one line."),
        ));
    }
    Ok(Some(s.to_owned()))
}

fn describe(l: &InviteLimits) -> String {
    let uses = l.max_use.map_or_else(|| "one use".to_owned(), |n| format!("{n} uses"));
    let uses = if l.max_use.is_none() && l.expires_at.is_some() { "unlimited uses".to_owned() } else { uses };
    match &l.expires_at {
        Some(d) => format!("{uses}, until {d}"),
        None => uses,
    }
}

/// Creates an invite with a fresh token.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn create(db: &Db, ctx: &AdminCtx, limits: &InviteLimits) -> Result<InviteRow, AppError> {
    let staff = ctx.staff();
    let token = crate::auth::tokens::generate();
    let mut tx = db.begin().await?;
    let new = NewInvite {
        token: &token,
        max_use: limits.max_use,
        expires_at: limits.expires_at.as_deref(),
        email: None,
        name: None,
        created_by: staff.id,
    };
    let id = invites::insert(tx.conn(), &new).await?;
    let kind = InviteType::of(limits.max_use, limits.expires_at.as_deref());
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: staff.into(),
            action: "invite.create",
            subject_users: &[],
            data: serde_json::json!({
                "invite_id": id, "invite_type": kind.as_str(),
                "max_use": limits.max_use, "expires_at": limits.expires_at,
            }),
            message: format!("@{} created invite #{id} ({})", staff.nickname, describe(limits)),
        },
    )
    .await?;
    let row = invites::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Revokes the invite with `token`; 404 if there is none. Revoking twice
/// answers the same and logs once.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn revoke_token(db: &Db, ctx: &AdminCtx, token: &str) -> Result<InviteRow, AppError> {
    let id = {
        let mut conn = db.conn().await?;
        invites::find_by_token(conn.as_ref(), token).await?.ok_or(AppError::NotFound)?.id
    };
    revoke(db, ctx, id).await
}

/// Revokes invite `id`; 404 if there is none.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, invite = id), err(level = "info"))]
pub async fn revoke(db: &Db, ctx: &AdminCtx, id: i64) -> Result<InviteRow, AppError> {
    let staff = ctx.staff();
    let mut tx = db.begin().await?;
    if invites::revoke(tx.conn(), id).await? {
        audit::record(
            tx.conn(),
            audit::Entry {
                actor: staff.into(),
                action: "invite.revoke",
                subject_users: &[],
                data: serde_json::json!({ "invite_id": id }),
                message: format!("@{} revoked invite #{id}", staff.nickname),
            },
        )
        .await?;
    }
    let row = invites::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Creates a one-time invite for `email` and queues its mail, in one
/// transaction with the log entry.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn email_invite(
    db: &Db,
    config: &Config,
    ctx: &AdminCtx,
    email: &str,
    name: Option<&str>,
) -> Result<InviteRow, AppError> {
    let email = Email::parse(email)?;
    let name = parse_name(name)?;
    let staff = ctx.staff();
    let token = crate::auth::tokens::generate();
    let mut tx = db.begin().await?;
    let new = NewInvite {
        token: &token,
        max_use: None,
        expires_at: None,
        email: Some(email.as_str()),
        name: name.as_deref(),
        created_by: staff.id,
    };
    let id = invites::insert(tx.conn(), &new).await?;
    let mail = crate::mail::compose::invite(email.as_str(), name.as_deref(), &staff.nickname, &link(config, &token));
    let outbox_id = crate::mail::queue(tx.conn(), &mail).await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: staff.into(),
            action: "invite.email",
            subject_users: &[],
            data: serde_json::json!({ "invite_id": id, "email": email.as_str(), "outbox_id": outbox_id }),
            message: format!("@{} sent invite #{id} to {email}", staff.nickname),
        },
    )
    .await?;
    let row = invites::find(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn derives_pleromas_four_types() {
        assert_eq!(InviteType::of(None, None).as_str(), "one_time");
        assert_eq!(InviteType::of(Some(5), None).as_str(), "reusable");
        assert_eq!(InviteType::of(None, Some("2030-01-01")).as_str(), "date_limited");
        assert_eq!(InviteType::of(Some(5), Some("2030-01-01")).as_str(), "reusable_date_limited");
    }

    #[test]
    fn reads_limits_from_numbers_strings_and_blanks() {
        let t = "2026-12-04";
        let ok = |m: Value, d: Value| parse_limits(Some(&m), Some(&d), t).unwrap();
        assert_eq!(ok(json!(3), json!(null)), InviteLimits { max_use: Some(3), expires_at: None });
        assert_eq!(ok(json!("7"), json!("2026-12-04")).expires_at.as_deref(), Some("2026-12-04"));
        assert_eq!(ok(json!(""), json!("")), InviteLimits { max_use: None, expires_at: None });
        for bad in [json!(0), json!(-1), json!("abc"), json!(1.5), json!(10_001), json!(true), json!([1])] {
            assert!(parse_limits(Some(&bad), None, t).is_err(), "{bad}");
        }
        for bad in ["2026-12-03", "2019-13-45", "\"><script>", "+2027-01-01", "20270-01-01", "2027-1-1"] {
            assert!(parse_limits(None, Some(&json!(bad)), t).is_err(), "{bad}");
        }
    }
}
