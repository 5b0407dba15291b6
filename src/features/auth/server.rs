//! Server functions behind the sign-in, setup and layout pages.

use leptos::prelude::*;

use crate::error::AppError;
use crate::ui::page_session::PageSession;

#[server]
pub async fn load_page_session() -> Result<PageSession, AppError> {
    use http::request::Parts;
    use tower_sessions::Session;

    let parts = use_context::<Parts>().ok_or_else(|| AppError::Internal("no request".into()))?;
    let staff = parts.extensions.get::<crate::domain::Staff>().cloned();
    let session: Session = leptos_axum::extract().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let (flashes, form) = crate::auth::session::take_once(&session).await?;
    if let Some(f) = &form {
        crate::ui::set_status(f.status);
    }
    let (views, open_reports) = match &staff {
        Some(s) => {
            let state = crate::server::state::AppState::get()?;
            let mut conn = state.db.conn().await?;
            let open = crate::server::storage::reports::count_open(conn.as_ref()).await?;
            drop(conn);
            (crate::features::users::saved_views::sidebar(s).await?, open)
        }
        None => (Vec::new(), 0),
    };
    Ok(PageSession { staff, flashes, form, views, open_reports })
}

/// Whether `token` opens the first-run setup form right now.
#[server]
pub async fn setup_allowed(token: String) -> Result<bool, AppError> {
    use crate::server::state::AppState;
    use crate::server::storage::{instance, users};

    let state = AppState::get()?;
    let mut conn = state.db.conn().await?;
    if users::admin_exists(conn.as_ref()).await? {
        return Ok(false);
    }
    let stored = instance::get(conn.as_ref(), instance::SETUP_TOKEN_HASH).await?;
    let given = crate::auth::tokens::hash(&token);
    Ok(stored.is_some_and(|s| subtle::ConstantTimeEq::ct_eq(s.as_bytes(), given.as_bytes()).into()))
}
