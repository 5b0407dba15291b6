//! Bulk changes to users. Each runs inside the caller's transaction, which
//! also holds the action's moderation-log entry, as one statement however
//! many users it names: the ids are bound as one value, and splitting the
//! statement would bound nothing the transaction does not already hold.

use super::sql::Sql;
use super::users_list::UserFilter;
use super::{ConnRef, now, on};
use crate::error::AppError;

/// A user named in a bulk request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Target {
    pub id: i64,
    pub nickname: String,
    pub is_admin: bool,
    pub is_moderator: bool,
}

/// The users with these nicknames (any case); `Err` names the unknown ones.
pub async fn by_nicknames(c: ConnRef<'_>, nicknames: &[String]) -> Result<Vec<Target>, AppError> {
    if nicknames.is_empty() {
        return Err(AppError::validation("nicknames", "name at least one user"));
    }
    let found: Vec<Target> = on!(c, |x| {
        let mut q = Sql::new("SELECT id, nickname, is_admin, is_moderator FROM users");
        q.and().push("lower(nickname) IN (SELECT lower(value) FROM ").push_table(nicknames).push(")");
        q.build_query_as().fetch_all(&mut *x).await
    })?;
    let unknown: Vec<&str> = nicknames
        .iter()
        .filter(|n| !found.iter().any(|t| t.nickname.eq_ignore_ascii_case(n)))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::validation("nicknames", format!("no such users: {}", unknown.join(", "))));
    }
    Ok(found)
}

/// The users with these ids; `Err` if any is missing.
pub async fn by_ids(c: ConnRef<'_>, ids: &[i64]) -> Result<Vec<Target>, AppError> {
    if ids.is_empty() {
        return Err(AppError::validation("ids", "select at least one user"));
    }
    let found: Vec<Target> = on!(c, |x| {
        let mut q = Sql::new("SELECT id, nickname, is_admin, is_moderator FROM users");
        q.and().push_in("id", ids);
        q.build_query_as().fetch_all(&mut *x).await
    })?;
    if found.len() != ids.len() {
        return Err(AppError::validation("ids", "some selected users no longer exist; reload the list"));
    }
    Ok(found)
}

/// Of these users, the unconfirmed ones with an address: (id, nickname, email).
pub async fn unconfirmed_emails(c: ConnRef<'_>, ids: &[i64]) -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(on!(c, |x| {
        let mut q = Sql::new("SELECT id, nickname, email FROM users");
        q.and().push_in("id", ids);
        q.and().push("NOT is_confirmed AND email IS NOT NULL");
        q.push(" ORDER BY id");
        q.build_query_as().fetch_all(&mut *x).await
    })?)
}

/// Every user matching `filter`, up to `cap` (one more is fetched, so the
/// caller can tell "too many").
pub async fn by_filter(c: ConnRef<'_>, filter: &UserFilter, cap: i64) -> Result<Vec<Target>, AppError> {
    let shape = filter.counting_shape(&c);
    Ok(on!(c, |x| {
        let mut q = Sql::new(format!(
            "SELECT users.id, users.nickname, users.is_admin, users.is_moderator FROM {}",
            shape.from
        ));
        filter.push_where(&mut q, &shape);
        q.push(" ORDER BY users.id DESC LIMIT ").bind(cap + 1);
        q.build_query_as().fetch_all(&mut *x).await
    })?)
}

/// A boolean column bulk actions may set (never a name from input).
#[derive(Debug, Clone, Copy)]
pub enum Flag {
    Active,
    Approved,
    Confirmed,
    Admin,
    Moderator,
    PasswordResetPending,
}

impl Flag {
    fn column(self) -> &'static str {
        match self {
            Flag::Active => "is_active",
            Flag::Approved => "is_approved",
            Flag::Confirmed => "is_confirmed",
            Flag::Admin => "is_admin",
            Flag::Moderator => "is_moderator",
            Flag::PasswordResetPending => "password_reset_pending",
        }
    }
}

pub async fn set_flag(c: ConnRef<'_>, ids: &[i64], flag: Flag, value: bool) -> Result<u64, AppError> {
    Ok(on!(c, |x| {
        let mut q = Sql::new(format!("UPDATE users SET {} = ", flag.column()));
        q.bind(value).push(", updated_at = ").bind(now());
        q.and().push_in("id", ids);
        q.build().execute(&mut *x).await.map(|r| r.rows_affected())
    })?)
}

/// Ends every session and revokes every API token of these users (forced
/// resets, admin-set passwords).
pub async fn end_sessions_and_tokens(c: ConnRef<'_>, ids: &[i64]) -> Result<(), AppError> {
    on!(c, |x| {
        let mut epochs = Sql::new("UPDATE users SET session_epoch = session_epoch + 1");
        epochs.and().push_in("id", ids);
        epochs.build().execute(&mut *x).await?;
        let mut tokens = Sql::new("UPDATE api_tokens SET revoked_at = ");
        tokens.bind(now());
        tokens.and().push("revoked_at IS NULL").and().push_in("user_id", ids);
        tokens.build().execute(&mut *x).await?;
        Ok(())
    })
}

/// Tags these users; a tag a user already has keeps its place, new ones go
/// last in the order given.
pub async fn add_tags(c: ConnRef<'_>, ids: &[i64], tags: &[String]) -> Result<(), AppError> {
    const TAG: &str = "INSERT INTO tags (name) VALUES ($1) ON CONFLICT (name) DO NOTHING";
    // Nanoseconds order this call's tags after every earlier call's.
    let base = i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos()).unwrap_or(i64::MAX / 2);
    on!(c, |x| {
        for (i, tag) in (0_i64..).zip(tags) {
            sqlx::query(TAG).bind(tag).execute(&mut *x).await?;
            let mut q = Sql::new("INSERT INTO user_tags (user_id, tag_id, added) SELECT u.id, t.id, ");
            q.bind(base + i).push(" FROM users u, tags t");
            q.and().push_in("u.id", ids).and().push("t.name = ").bind(tag.as_str());
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *x).await?;
        }
        Ok(())
    })
}

pub async fn remove_tags(c: ConnRef<'_>, ids: &[i64], tags: &[String]) -> Result<(), AppError> {
    on!(c, |x| {
        for tag in tags {
            let mut q = Sql::new("DELETE FROM user_tags");
            q.and().push_in("user_id", ids);
            q.and().push("tag_id IN (SELECT id FROM tags WHERE name = ").bind(tag.as_str()).push(")");
            q.build().execute(&mut *x).await?;
        }
        Ok(())
    })
}

pub async fn delete(c: ConnRef<'_>, ids: &[i64]) -> Result<u64, AppError> {
    Ok(on!(c, |x| {
        let mut q = Sql::new("DELETE FROM users");
        q.and().push_in("id", ids);
        q.build().execute(&mut *x).await.map(|r| r.rows_affected())
    })?)
}
