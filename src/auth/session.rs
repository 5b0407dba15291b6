//! Console sessions: tower-sessions over the database (either backend), with
//! typed accessors instead of raw keys, flash messages for post/redirect/get,
//! and the middleware that turns a session into a [`Staff`] on the request.

use async_trait::async_trait;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::domain::Staff;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::{Db, Pool, now, users};
use crate::ui::flash::{Flash, FormState};

const USER_ID: &str = "user_id";
const SIGNED_IN_AT: &str = "signed_in_at";
const FLASHES: &str = "flashes";
const FORM: &str = "form";
const SEEN_AT: &str = "seen_at";
const EPOCH: &str = "epoch";
/// How often activity moves the idle deadline (one session write per minute at most).
const REFRESH_EVERY_SECS: i64 = 60;

/// The session store of whichever backend the instance runs on.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    pub async fn for_db(db: &Db) -> Result<Self, AppError> {
        let store = match db.pool() {
            Pool::Sqlite(p) => Store::Sqlite(SqliteStore::new(p.clone())),
            Pool::Postgres(p) => Store::Postgres(PostgresStore::new(p.clone())),
        };
        match &store {
            Store::Sqlite(s) => s.migrate().await?,
            Store::Postgres(s) => s.migrate().await?,
        }
        Ok(store)
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, r: &mut Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.create(r).await,
            Store::Postgres(s) => s.create(r).await,
        }
    }
    async fn save(&self, r: &Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.save(r).await,
            Store::Postgres(s) => s.save(r).await,
        }
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Store::Sqlite(s) => s.load(id).await,
            Store::Postgres(s) => s.load(id).await,
        }
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete(id).await,
            Store::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete_expired().await,
            Store::Postgres(s) => s.delete_expired().await,
        }
    }
}

/// Starts a signed-in session under a fresh id (no session fixation), valid
/// while the user's session epoch stays `epoch`.
pub async fn sign_in(session: &Session, staff: &Staff, epoch: i64) -> Result<(), AppError> {
    session.cycle_id().await?;
    session.insert(USER_ID, staff.id).await?;
    session.insert(SIGNED_IN_AT, now()).await?;
    session.insert(SEEN_AT, now()).await?;
    session.insert(EPOCH, epoch).await?;
    Ok(())
}

/// Keeps this session alive across a change that ended the user's others
/// (their own password change), under a fresh id.
pub async fn survive_epoch(session: &Session, epoch: i64) -> Result<(), AppError> {
    session.cycle_id().await?;
    session.insert(EPOCH, epoch).await?;
    Ok(())
}

/// Deletes the session row; the cookie becomes worthless.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await?;
    Ok(())
}

pub async fn push_flash(session: &Session, flash: Flash) -> Result<(), AppError> {
    let mut all: Vec<Flash> = session.get(FLASHES).await?.unwrap_or_default();
    all.push(flash);
    session.insert(FLASHES, all).await?;
    Ok(())
}

/// Keeps a rejected form's input and errors for the page that shows it next.
pub async fn keep_form(session: &Session, form: FormState) -> Result<(), AppError> {
    session.insert(FORM, form).await?;
    Ok(())
}

/// Flash messages and the last rejected form, each shown once. Keys are
/// removed only when present: a removal marks the session for saving, and
/// most page views have nothing to take.
pub async fn take_once(session: &Session) -> Result<(Vec<Flash>, Option<FormState>), AppError> {
    let flashes = match session.get::<Vec<Flash>>(FLASHES).await? {
        Some(_) => session.remove(FLASHES).await?.unwrap_or_default(),
        None => Vec::new(),
    };
    let form = match session.get::<FormState>(FORM).await? {
        Some(_) => session.remove(FORM).await?,
        None => None,
    };
    Ok((flashes, form))
}

/// Paths that are served without a signed-in user.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/setup"
            | "/logout"
            | "/auth/sso/start"
            | "/auth/sso/callback"
            | "/password-reset"
            | "/forgot-password"
            | "/healthz"
            | "/readyz"
            | "/metrics"
            | "/favicon.ico"
            | "/robots.txt"
    ) || is_registration(path)
        || path.starts_with("/pkg/")
        || path.starts_with("/assets/")
        || path.starts_with("/api/")
        // Demo statuses' pictures, shown by API clients on other origins.
        || path.starts_with("/seed-media/")
        // Mailed reset links: the token is the secret.
        || path.starts_with("/password-reset/")
}

/// The public registration pages and their form posts.
fn is_registration(path: &str) -> bool {
    path == "/register" || path.starts_with("/invite/") || path.starts_with("/confirm/")
}

/// Loads the signed-in [`Staff`] for console requests and sends anyone else
/// to `/login` (server functions under `/api/` answer 401 themselves).
pub async fn load_staff(State(state): State<AppState>, session: Session, mut req: Request, next: Next) -> Response {
    match current_staff(&state, &session).await {
        Ok(Some(staff)) => {
            req.extensions_mut().insert(staff);
        }
        Ok(None) => {
            let path = req.uri().path();
            if !is_public(path) {
                let next_url = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let target = format!(
                    "/login?next={}",
                    url::form_urlencoded::byte_serialize(next_url.as_bytes()).collect::<String>()
                );
                return Redirect::to(&target).into_response();
            }
        }
        Err(e) => return e.into_response(),
    }
    next.run(req).await
}

async fn current_staff(state: &AppState, session: &Session) -> Result<Option<Staff>, AppError> {
    let Some(id) = session.get::<i64>(USER_ID).await? else {
        return Ok(None);
    };
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT).await?.unwrap_or(0);
    let t = now();
    // Activity extends the idle deadline, but the row is rewritten at most
    // once a minute rather than on every request.
    if t - session.get::<i64>(SEEN_AT).await?.unwrap_or(0) >= REFRESH_EVERY_SECS {
        session.insert(SEEN_AT, t).await?;
    }
    if t - signed_in_at >= state.live.current().session_absolute.as_secs() as i64 {
        sign_out(session).await?;
        push_flash(session, Flash::info("Your session expired. Sign in again.")).await?;
        return Ok(None);
    }
    let mut conn = state.db.conn().await?;
    let epoch = session.get::<i64>(EPOCH).await?.unwrap_or(0);
    let staff = users::find_staff(conn.as_ref(), id, epoch).await?;
    if staff.is_none() {
        // Deactivated, demoted or deleted since signing in, or their sessions
        // were ended by a password change or reset.
        sign_out(session).await?;
        push_flash(session, Flash::info("Your session has ended. Sign in again.")).await?;
    }
    Ok(staff)
}

/// A redirect target from input (`next`, `return_to`): a path on this site
/// or `home`. One leading `/` and no backslash, control character or
/// whitespace anywhere: browsers drop tabs and newlines and read `\` as `/`,
/// so `/\tevil.example` or `/\\evil` would leave the site.
pub fn safe_next(next: Option<&str>, home: &str) -> String {
    match next {
        Some(n) if is_local_path(n) && n != "/" => n.to_owned(),
        _ => home.to_owned(),
    }
}

/// Whether a form's `return_to` may lead back to `v`: the list at `list`
/// (with any query) or one item under `items` (`/users/` + an id), and a
/// path on this site in every case.
pub fn returns_to(v: &str, list: &str, items: &[&str]) -> bool {
    let is_item = |prefix: &&str| {
        v.strip_prefix(*prefix).is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
    };
    is_local_path(v)
        && (v == list || v.strip_prefix(list).is_some_and(|rest| rest.starts_with('?')) || items.iter().any(is_item))
}

pub fn is_local_path(n: &str) -> bool {
    n.starts_with('/')
        && !n.starts_with("//")
        && n.len() <= 2048
        && !n.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/account"), "/h"), "/account");
        assert_eq!(safe_next(Some("//evil.example"), "/h"), "/h");
        assert_eq!(safe_next(Some("https://evil.example"), "/h"), "/h");
        assert_eq!(safe_next(Some("/\\evil.example"), "/h"), "/h");
        assert_eq!(safe_next(None, "/h"), "/h");
        for hostile in
            ["/\t/evil.example", "/%09/evil.example", "/\n/evil", "\\/evil", "/a\0b", "javascript:alert(1)", " /x"]
        {
            let decoded = hostile.replace("%09", "\t");
            assert_eq!(safe_next(Some(&decoded), "/h"), "/h", "{hostile:?}");
        }
        assert_eq!(safe_next(Some("/users?q=a%20b&tag=x"), "/h"), "/users?q=a%20b&tag=x");
    }

    #[test]
    fn forms_return_only_to_their_own_pages() {
        assert!(
            returns_to("/users?tag=vip", "/users", &["/users/"]) && returns_to("/users/12", "/users", &["/users/"])
        );
        for other in ["/usersx", "/users/12/x", "/users/", "/reports", "/users?\r\nx", "//evil/users"] {
            assert!(!returns_to(other, "/users", &["/users/"]), "{other:?}");
        }
    }
}
