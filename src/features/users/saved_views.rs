//! Saved views: a staff member names the current user-list filter; the
//! sidebar lists their views with a live count. `POST /users/views` saves,
//! `POST /users/views/{id}/delete` removes; both are logged.

use crate::server::rejections::{ApiForm, ApiPath};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::server::{COUNT_CAP, UsersQuery, human, parse};
use crate::auth::{ModeratorCtx, session};
use crate::domain::Staff;
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::{ConnRef, audit, saved_views, users_list};
use crate::ui::flash::Flash;
use crate::ui::page_session::ViewLink;

/// The sidebar's entries. Counts are exact up to [`COUNT_CAP`] and
/// estimated beyond (a bounded walk either way, a few milliseconds even at a
/// million users); a view without filters shows the planner's estimate.
pub async fn sidebar(mut conn: ConnRef<'_>, views: Vec<saved_views::SavedView>) -> Result<Vec<ViewLink>, AppError> {
    let mut out = Vec::with_capacity(views.len());
    for v in views {
        let filter = parse::parse(&UsersQuery::from_query_string(&v.query)).filter;
        let count = if filter.is_empty() {
            format!("about {}", human(users_list::total_estimate(conn.reborrow()).await?))
        } else {
            match users_list::count_or_estimate(conn.reborrow(), &filter, COUNT_CAP).await? {
                users_list::Count::Exact(n) => n.to_string(),
                users_list::Count::About(n) => format!("about {}", human(n)),
            }
        };
        let href = if v.query.is_empty() { "/users".to_owned() } else { format!("/users?{}", v.query) };
        out.push(ViewLink { id: v.id, name: v.name, href, count });
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct SaveForm {
    name: String,
    /// The list URL being saved (`/users?…`).
    return_to: String,
}

fn log_entry<'a>(staff: &'a Staff, action: &'a str, name: &str, query: &str) -> audit::Entry<'a> {
    let verb = if action == "view.save" { "saved" } else { "deleted" };
    audit::Entry {
        actor: staff.into(),
        action,
        subject_users: &[],
        data: serde_json::json!({ "name": name, "query": query }),
        message: format!("@{} {verb} the user view \"{name}\"", staff.nickname),
    }
}

#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
pub async fn save(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiForm(f): ApiForm<SaveForm>,
) -> Result<Response, AppError> {
    let staff = ctx.staff();
    let raw = f.return_to.strip_prefix("/users").map(|r| r.trim_start_matches('?')).unwrap_or_default();
    // Stored normalized and without the page position: a view starts at its first page.
    let query = UsersQuery::from_query_string(raw).without_position().query_string(None, None);
    let back = if query.is_empty() { "/users".to_owned() } else { format!("/users?{query}") };
    let name = f.name.trim();
    let flash = if name.is_empty() || name.chars().count() > 60 {
        Flash::error("Name the view (1 to 60 characters).")
    } else {
        let mut tx = state.db.begin().await?;
        if saved_views::count(tx.conn(), staff.id).await? >= saved_views::MAX_PER_OWNER {
            Flash::error(format!("You can keep {} saved views; delete one first.", saved_views::MAX_PER_OWNER))
        } else {
            match saved_views::insert(tx.conn(), staff.id, name, &query).await {
                Ok(_) => {
                    audit::record(tx.conn(), log_entry(staff, "view.save", name, &query)).await?;
                    tx.commit().await?;
                    Flash::success(format!("Saved the view \"{name}\"."))
                }
                Err(AppError::Conflict { .. }) => Flash::error(format!("You already have a view named \"{name}\".")),
                Err(e) => return Err(e),
            }
        }
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(&back).into_response())
}

#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, view = id), err(level = "info"))]
pub async fn delete(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let staff = ctx.staff();
    let mut tx = state.db.begin().await?;
    let flash = match saved_views::delete(tx.conn(), staff.id, id).await? {
        Some(name) => {
            audit::record(tx.conn(), log_entry(staff, "view.delete", &name, "")).await?;
            tx.commit().await?;
            Flash::success(format!("Deleted the view \"{name}\"."))
        }
        None => Flash::error("That view does not exist."),
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to("/users").into_response())
}
