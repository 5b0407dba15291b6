//! Server functions behind the sign-in, setup and layout pages.

use leptos::prelude::*;

use crate::error::AppError;
use crate::ui::page_session::PageSession;

#[server]
pub async fn load_page_session() -> Result<PageSession, AppError> {
    let parts = use_context::<http::request::Parts>().ok_or_else(|| AppError::Internal("no request".into()))?;
    page_session_of(parts.extensions.get::<crate::domain::Staff>().cloned()).await
}

/// The page's session data, in a span naming who is signed in (if anyone).
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, fields(actor = staff.as_ref().map(|s| s.nickname.as_str())), err(level = "info"))]
async fn page_session_of(staff: Option<crate::domain::Staff>) -> Result<PageSession, AppError> {
    use tower_sessions::Session;

    let session: Session = leptos_axum::extract().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let (flashes, form) = crate::auth::session::take_once(&session).await?;
    if let Some(f) = &form {
        crate::ui::set_status(f.status);
    }
    let (views, open_reports) = match &staff {
        Some(s) => {
            let state = crate::server::state::AppState::get()?;
            let mut conn = state.db.conn().await?;
            let (open, views) = crate::server::storage::saved_views::sidebar(conn.as_ref(), s.id).await?;
            (crate::features::users::saved_views::sidebar(conn.as_ref(), views).await?, open)
        }
        None => (Vec::new(), 0),
    };
    Ok(PageSession { staff, flashes, form, views, open_reports })
}

/// Whether `token` opens the first-run setup form right now.
#[server]
pub async fn setup_allowed(token: String) -> Result<bool, AppError> {
    setup_token_opens(&token).await
}

/// Whether the first-run setup is open to `token` (in a span that leaves it out).
#[cfg(feature = "ssr")]
#[tracing::instrument(skip_all, err(level = "info"))]
async fn setup_token_opens(token: &str) -> Result<bool, AppError> {
    use crate::server::state::AppState;
    use crate::server::storage::{instance, users};

    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    if users::admin_exists(conn.as_ref()).await? {
        return Ok(false);
    }
    let stored = instance::get(conn.as_ref(), instance::SETUP_TOKEN_HASH).await?;
    let given = crate::auth::tokens::hash(token);
    Ok(stored.is_some_and(|s| subtle::ConstantTimeEq::ct_eq(s.as_bytes(), given.as_bytes()).into()))
}
