//! Bulk changes to users. Each runs inside the caller's transaction, which
//! also holds the action's moderation-log entry.

use super::sql::{Arg, bind_args};
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

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The users with these nicknames (any case); `Err` names the unknown ones.
pub async fn by_nicknames(c: ConnRef<'_>, nicknames: &[String]) -> Result<Vec<Target>, AppError> {
    if nicknames.is_empty() {
        return Err(AppError::validation("nicknames", "name at least one user"));
    }
    let marks = (1..=nicknames.len()).map(|i| format!("lower(${i})")).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT id, nickname, is_admin, is_moderator FROM users WHERE lower(nickname) IN ({marks})");
    let args: Vec<Arg> = nicknames.iter().cloned().map(Arg::Text).collect();
    let found: Vec<Target> = on!(c, |x| bind_args!(sqlx::query_as(&sql), &args).fetch_all(&mut *x).await)?;
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
    let sql = format!("SELECT id, nickname, is_admin, is_moderator FROM users WHERE id IN ({})", id_list(ids));
    let found: Vec<Target> = on!(c, |x| sqlx::query_as(&sql).fetch_all(&mut *x).await)?;
    if found.len() != ids.len() {
        return Err(AppError::validation("ids", "some selected users no longer exist; reload the list"));
    }
    Ok(found)
}

/// Every user matching `filter`, up to `cap` (one more is fetched, so the
/// caller can tell "too many").
pub async fn by_filter(mut c: ConnRef<'_>, filter: &UserFilter, cap: i64) -> Result<Vec<Target>, AppError> {
    let (from, mut f) = filter.to_sql_for(&c, true);
    let lim = f.push(Arg::Int(cap + 1));
    let sql = format!(
        "SELECT users.id, users.nickname, users.is_admin, users.is_moderator FROM {from} {} ORDER BY users.id DESC LIMIT {lim}",
        f.where_clause()
    );
    Ok(on!(c.reborrow(), |x| bind_args!(sqlx::query_as(&sql), &f.args).fetch_all(&mut *x).await)?)
}

/// Statements name at most this many ids, so an action on a whole filter
/// stays a series of ordinary-sized statements in its one transaction.
const CHUNK: usize = 5_000;

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

pub async fn set_flag(mut c: ConnRef<'_>, ids: &[i64], flag: Flag, value: bool) -> Result<u64, AppError> {
    let mut n = 0;
    for chunk in ids.chunks(CHUNK) {
        let sql = format!("UPDATE users SET {} = $1, updated_at = $2 WHERE id IN ({})", flag.column(), id_list(chunk));
        n += on!(c.reborrow(), |x| sqlx::query(&sql)
            .bind(value)
            .bind(now())
            .execute(&mut *x)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(n)
}

/// Ends every session and revokes every API token of these users (forced
/// resets, admin-set passwords).
pub async fn end_sessions_and_tokens(mut c: ConnRef<'_>, ids: &[i64]) -> Result<(), AppError> {
    let t = now();
    for chunk in ids.chunks(CHUNK) {
        let list = id_list(chunk);
        let epochs = format!("UPDATE users SET session_epoch = session_epoch + 1 WHERE id IN ({list})");
        let tokens = format!("UPDATE api_tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND user_id IN ({list})");
        on!(c.reborrow(), |x| sqlx::query(&epochs).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        on!(c.reborrow(), |x| sqlx::query(&tokens).bind(t).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Tags these users; a tag a user already has keeps its place, new ones go
/// last in the order given.
pub async fn add_tags(mut c: ConnRef<'_>, ids: &[i64], tags: &[String]) -> Result<(), AppError> {
    const TAG: &str = "INSERT INTO tags (name) VALUES ($1) ON CONFLICT (name) DO NOTHING";
    // Nanoseconds order this call's tags after every earlier call's.
    let base = i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos()).unwrap_or(i64::MAX / 2);
    for (i, tag) in (0_i64..).zip(tags) {
        on!(c.reborrow(), |x| sqlx::query(TAG).bind(tag).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO user_tags (user_id, tag_id, added) SELECT u.id, t.id, $2 FROM users u, tags t \
                 WHERE u.id IN ({}) AND t.name = $1 ON CONFLICT DO NOTHING",
                id_list(chunk)
            );
            let added = base + i;
            on!(c.reborrow(), |x| sqlx::query(&sql)
                .bind(tag)
                .bind(added)
                .execute(&mut *x)
                .await
                .map(|r| r.rows_affected()))?;
        }
    }
    Ok(())
}

pub async fn remove_tags(mut c: ConnRef<'_>, ids: &[i64], tags: &[String]) -> Result<(), AppError> {
    for tag in tags {
        for chunk in ids.chunks(CHUNK) {
            let sql = format!(
                "DELETE FROM user_tags WHERE user_id IN ({}) AND tag_id IN (SELECT id FROM tags WHERE name = $1)",
                id_list(chunk)
            );
            on!(c.reborrow(), |x| sqlx::query(&sql).bind(tag).execute(&mut *x).await.map(|r| r.rows_affected()))?;
        }
    }
    Ok(())
}

pub async fn delete(mut c: ConnRef<'_>, ids: &[i64]) -> Result<u64, AppError> {
    let mut n = 0;
    for chunk in ids.chunks(CHUNK) {
        let sql = format!("DELETE FROM users WHERE id IN ({})", id_list(chunk));
        n += on!(c.reborrow(), |x| sqlx::query(&sql).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    }
    Ok(n)
}
