//! API tokens: `stw_` + 32 random bytes (base64url). Only a SHA-256 is stored.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::Staff;
use crate::domain::scopes::Scopes;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::{Db, audit, now, tokens};

const PREFIX: &str = "stw_";
/// Don't write `last_used_at` more often than this per token.
const TOUCH_EVERY_SECS: i64 = 60;

pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A token label: 1–100 characters after trimming.
pub fn parse_label(raw: &str) -> Result<&str, AppError> {
    let label = raw.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(AppError::validation("label", "Give the token a name of 1 to 100 characters."));
    }
    Ok(label)
}

/// Creates a token for `owner`, logged in the same transaction; returns its
/// id and the secret, which exists nowhere else afterwards.
pub async fn issue(db: &Db, owner: &Staff, label: &str, scope: tokens::Scope) -> Result<(i64, String), AppError> {
    let label = parse_label(label)?;
    let secret = generate();
    let mut tx = db.begin().await?;
    let id = tokens::insert(tx.conn(), owner.id, label, scope, &hash(&secret)).await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: owner.into(),
            action: "token.create",
            subject_users: &[owner.id],
            data: serde_json::json!({ "token_id": id, "label": label, "scope": scope.as_str() }),
            message: format!("@{} created API token \"{label}\"", owner.nickname),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}

/// Revokes one of `owner`'s live tokens, logged; returns its label, or
/// `None` if there was no such live token (nothing is written then).
pub async fn revoke(db: &Db, owner: &Staff, id: i64) -> Result<Option<String>, AppError> {
    let mut tx = db.begin().await?;
    let Some(label) = tokens::revoke(tx.conn(), owner.id, id).await? else {
        return Ok(None);
    };
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: owner.into(),
            action: "token.revoke",
            subject_users: &[owner.id],
            data: serde_json::json!({ "token_id": id, "label": label }),
            message: format!("@{} revoked API token \"{label}\"", owner.nickname),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(label))
}

/// `Authorization: Bearer <token>` or `Authorization: Admin <token>`.
fn bearer(headers: &http::HeaderMap) -> Option<Result<&str, AppError>> {
    let value = headers.get(http::header::AUTHORIZATION)?;
    let parsed = value.to_str().ok().and_then(|v| {
        let (scheme, token) = v.split_once(' ')?;
        let ok = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("admin");
        ok.then(|| token.trim())
    });
    Some(parsed.ok_or(AppError::Unauthorized))
}

/// The hash of the request's token (401 without one).
fn token_hash(req: &Request) -> Result<String, AppError> {
    header_token_hash(req.headers())
}

fn header_token_hash(headers: &http::HeaderMap) -> Result<String, AppError> {
    match bearer(headers) {
        Some(token) => Ok(hash(token?)),
        None => Err(AppError::Unauthorized),
    }
}

/// The holder of a live token with `scope` (401 for none, 403 for a token of
/// the other scope).
async fn find_holder(state: &AppState, hash: String, scope: tokens::Scope) -> Result<tokens::Holder, AppError> {
    let holder = live_holder(state, hash).await?;
    if holder.scope != scope {
        return Err(AppError::Forbidden);
    }
    Ok(holder)
}

/// The holder of the live token in `headers`, whatever its scope (401 for
/// none). Flashback's organization routes answer a token of another scope
/// themselves (404 "not associated with any organization").
pub async fn any_holder(state: &AppState, headers: &http::HeaderMap) -> Result<tokens::Holder, AppError> {
    live_holder(state, header_token_hash(headers)?).await
}

/// A live token's holder; records when it was last used.
async fn live_holder(state: &AppState, hash: String) -> Result<tokens::Holder, AppError> {
    let mut conn = state.db.conn().await?;
    let holder = tokens::find_holder(conn.as_ref(), &hash).await?.ok_or(AppError::Unauthorized)?;
    drop(conn);
    if holder.last_used_at.is_none_or(|t| now() - t >= TOUCH_EVERY_SECS) {
        // A write, so it takes its turn at the write gate; the request does
        // not wait for it, and a lost touch only delays "last used".
        let (db, id) = (state.db.clone(), holder.token_id);
        tokio::spawn(async move {
            let touched = async {
                let mut tx = db.begin().await?;
                tokens::touch(tx.conn(), id).await?;
                tx.commit().await
            };
            if let Err(e) = touched.await {
                tracing::debug!(error = %e, "token last-used time not recorded");
            }
        });
    }
    Ok(holder)
}

/// Whether the request asks for a change (anything but a read).
fn writes(req: &Request) -> bool {
    !matches!(*req.method(), http::Method::GET | http::Method::HEAD | http::Method::OPTIONS)
}

/// Whether an OAuth client's grant covers this request: the admin API wants
/// `admin` (`admin:read…` to read, `admin:write…` to change); the account
/// routes want `read` (or `read:accounts`) or `admin`.
fn granted(holder: &tokens::Holder, req: &Request, api: Api) -> bool {
    let Some(raw) = &holder.oauth_scopes else { return true };
    let scopes = Scopes::parse(raw, "read").unwrap_or_default();
    let write = writes(req);
    match api {
        Api::Admin => scopes.allow_admin(write),
        Api::Accounts => scopes.covers("read:accounts") || scopes.allow_admin(false),
    }
}

#[derive(Clone, Copy)]
enum Api {
    Admin,
    Accounts,
}

async fn authenticate(state: &AppState, mut req: Request, next: Next, api: Api) -> Result<Response, AppError> {
    let holder = find_holder(state, token_hash(&req)?, tokens::Scope::Admin).await?;
    if !granted(&holder, &req, api) {
        return Err(AppError::Denied("This token's OAuth scopes do not cover this request.".into()));
    }
    req.extensions_mut().insert(holder.staff);
    Ok(next.run(req).await)
}

/// Authenticates the admin API by token only (cookies are never consulted) and
/// puts the token owner's [`crate::domain::Staff`] on the request.
pub async fn authenticate_admin_api(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    authenticate(&state, req, next, Api::Admin).await
}

/// The same for Mastodon's account routes (`verify_credentials`).
pub async fn authenticate_account_api(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    authenticate(&state, req, next, Api::Accounts).await
}

/// Authenticates content intake: intake-scoped tokens only. The holder is
/// not staff on these routes: the request carries an [`IntakeCtx`], never a
/// [`Staff`].
pub async fn authenticate_intake(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, AppError> {
    find_holder(&state, token_hash(&req)?, tokens::Scope::Intake).await?;
    req.extensions_mut().insert(super::ctx::IntakeCtx::new());
    Ok(next.run(req).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_to_hex() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert!(a.starts_with("stw_") && a.len() == 4 + 43);
        assert_eq!(hash(&a).len(), 64);
        assert_eq!(hash(&a), hash(&a));
    }
}
