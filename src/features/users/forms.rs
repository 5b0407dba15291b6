//! The users pages' form posts: `POST /users/bulk` (the list's selection and
//! a user page's action buttons), `/users/new`, `/users/{id}/credentials` and
//! `/users/{id}/password-reset`. Post/redirect/get with a flash message;
//! rejected input comes back beside its field.

use crate::server::rejections::{ApiForm, ApiHtmlForm, ApiPath};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::pages::CONFIRM_FORM;
use super::server::{UsersQuery, parse};
use super::service::bulk::{self, BulkAction, DELETE_CONFIRMATION, Group, Selection};
use super::service::manage::{self, CreateFailed, CredentialsInput, NewAccountInput};
use crate::auth::{AdminCtx, ModeratorCtx, session};
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::users_bulk::Target;
use crate::server::storage::users_list;
use crate::ui::flash::{Flash, FormState};

fn parse_action(action: &str, tags: &[String], confirm: &str, base_url: String) -> Result<BulkAction, AppError> {
    Ok(match action {
        "activate" => BulkAction::Activate,
        "deactivate" => BulkAction::Deactivate,
        "tag" => BulkAction::Tag(bulk::parse_tags(tags)?),
        "untag" => BulkAction::Untag(bulk::parse_tags(tags)?),
        "grant_admin" => BulkAction::Grant(Group::Admin),
        "revoke_admin" => BulkAction::Revoke(Group::Admin),
        "grant_moderator" => BulkAction::Grant(Group::Moderator),
        "revoke_moderator" => BulkAction::Revoke(Group::Moderator),
        "confirm_email" => BulkAction::ConfirmEmail,
        "resend_confirmation" => BulkAction::ResendConfirmation { base_url },
        "force_password_reset" => BulkAction::ForcePasswordReset,
        "approve" => BulkAction::Approve,
        "delete" if confirm.trim() == DELETE_CONFIRMATION => BulkAction::Delete,
        "delete" => {
            return Err(AppError::validation(
                "confirm",
                format!("Type \"{DELETE_CONFIRMATION}\" to confirm deleting users."),
            ));
        }
        _ => return Err(AppError::validation("action", "Choose an action.")),
    })
}

/// `/users`, `/users?…` or `/users/{id}`.
fn is_users_page(v: &str) -> bool {
    crate::auth::session::returns_to(v, "/users", &["/users/"])
}

/// The bulk form's fields; `ids` (the ticked rows) and `tags` repeat.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BulkForm {
    /// Ids that are not numbers name nobody and are skipped.
    #[serde(deserialize_with = "crate::server::rejections::ids_skipping_others")]
    ids: Vec<i64>,
    tags: Vec<String>,
    action: String,
    confirm: String,
    /// `filter`: every user matching the list's filter instead of the ticked rows.
    scope: String,
    /// The number of matching users the admin confirmed (second step).
    confirm_count: Option<String>,
    return_to: String,
}

impl BulkForm {
    /// Where to go afterwards: only back to the list or a user's page, never elsewhere.
    fn back(&self) -> String {
        if is_users_page(&self.return_to) { self.return_to.clone() } else { "/users".into() }
    }

    fn confirm_count(&self) -> Option<i64> {
        self.confirm_count.as_deref()?.parse().ok()
    }
}

pub async fn apply(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiHtmlForm(form): ApiHtmlForm<BulkForm>,
) -> Result<Response, AppError> {
    let mut back = form.back();
    let parsed = parse_action(&form.action, &form.tags, &form.confirm, state.config.base_url());
    // A deleted user's page no longer exists: go back to the list.
    if parsed == Ok(BulkAction::Delete) && !back.starts_with("/users?") {
        back = "/users".into();
    }
    let flash = match parsed {
        Err(e) => Flash::error(e.to_string()),
        Ok(action) if form.scope == "filter" => match on_filter(&state, &ctx, &session, &action, &form).await? {
            Some(flash) => flash,
            // Asked for confirmation of the count instead.
            None => return Ok(Redirect::to(&back).into_response()),
        },
        Ok(action) => outcome(&action, bulk::apply(&state.db, &ctx, &action, Selection::Ids(&form.ids)).await)?,
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(&back).into_response())
}

/// The flash for a finished bulk action; server faults stay errors.
fn outcome(action: &BulkAction, r: Result<Vec<Target>, AppError>) -> Result<Flash, AppError> {
    Ok(match r {
        Ok(done) => Flash::success(action.message("You", &done.iter().map(|t| t.nickname.clone()).collect::<Vec<_>>())),
        Err(AppError::Forbidden) => Flash::error("Only admins can do that."),
        Err(
            e @ (AppError::Validation { .. }
            | AppError::Conflict { .. }
            | AppError::Denied(_)
            | AppError::Unavailable(_)
            | AppError::Contended),
        ) => Flash::error(e.to_string()),
        Err(e) => return Err(e),
    })
}

/// "All users matching the filter": the first submit counts the matches and
/// asks to confirm that number (kept as the `bulk_confirm` form, which the
/// list shows); the second applies the action if the count still holds.
async fn on_filter(
    state: &AppState,
    ctx: &ModeratorCtx,
    session: &Session,
    action: &BulkAction,
    form: &BulkForm,
) -> Result<Option<Flash>, AppError> {
    if action.admin_only() && !ctx.staff().is_admin() {
        return Ok(Some(Flash::error("Only admins can do that.")));
    }
    let back = form.back();
    let query = UsersQuery::from_query_string(back.split_once('?').map_or("", |(_, q)| q));
    let filter = parse::parse(&query.without_position()).filter;
    if let Some(expected) = form.confirm_count() {
        let r = bulk::apply(&state.db, ctx, action, Selection::Filter { filter: &filter, expected }).await;
        return outcome(action, r).map(Some);
    }
    let mut conn = state.db.conn().await?;
    let n = users_list::count_capped(conn.as_ref(), &filter, bulk::MAX_FILTER_USERS).await?;
    Ok(match n {
        None => Some(Flash::error(format!("More than {} users match; narrow the filter.", bulk::MAX_FILTER_USERS))),
        Some(0) => Some(Flash::error("No users match this filter.")),
        Some(n) => {
            let fs = FormState::new(CONFIRM_FORM, 200)
                .value("action", &form.action)
                .value("tags", &form.tags.join(", "))
                .value("confirm", &form.confirm)
                .value("count", &n.to_string());
            session::keep_form(session, fs).await?;
            None
        }
    })
}

async fn reject(session: &Session, form: FormState, back: &str) -> Result<Response, AppError> {
    session::keep_form(session, form).await?;
    Ok(Redirect::to(back).into_response())
}

/// A rejected form with every field error and the typed values (never passwords).
fn rejected(name: &str, errors: Vec<AppError>, values: &[(&str, &str)]) -> FormState {
    let mut fs = FormState::new(name, 422);
    for (k, v) in values {
        fs = fs.value(k, v);
    }
    for e in errors {
        fs = fs.error(e.param().unwrap_or(""), e.to_string());
    }
    fs
}

#[derive(Deserialize)]
pub struct NewUserForm {
    nickname: String,
    email: String,
    #[serde(default)]
    display_name: String,
    password: String,
    #[serde(default)]
    role: String,
}

pub async fn create(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(f): ApiForm<NewUserForm>,
) -> Result<Response, AppError> {
    const BACK: &str = "/users/new";
    let values =
        [("nickname", f.nickname.as_str()), ("email", &f.email), ("display_name", &f.display_name), ("role", &f.role)];
    let input = NewAccountInput {
        nickname: f.nickname.clone(),
        email: f.email.clone(),
        password: f.password.clone(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
    };
    let valid = match input.validate() {
        Ok(v) => v,
        Err(errors) => return reject(&session, rejected("new_user", errors, &values), BACK).await,
    };
    match manage::create(&state.db, &ctx, std::slice::from_ref(&valid)).await {
        Ok(created) => {
            let c = &created[0];
            session::push_flash(&session, Flash::success(format!("Created @{}.", c.nickname))).await?;
            Ok(Redirect::to(&format!("/users/{}", c.id)).into_response())
        }
        Err(CreateFailed::Taken(faults)) => {
            let errors = faults.into_iter().flatten().collect();
            reject(&session, rejected("new_user", errors, &values), BACK).await
        }
        Err(CreateFailed::Other(e)) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct CredentialsForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    avatar: String,
    #[serde(default)]
    actor_type: String,
    locked: Option<String>,
    discoverable: Option<String>,
    #[serde(default)]
    password: String,
}

pub async fn update_credentials(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<CredentialsForm>,
) -> Result<Response, AppError> {
    let back = format!("/users/{id}");
    let some = |v: &str| (!v.trim().is_empty()).then(|| v.to_owned());
    let input = CredentialsInput {
        // An empty email field keeps the address (accounts from elsewhere have none).
        email: some(&f.email),
        display_name: Some(f.display_name.clone()),
        bio: Some(f.bio.clone()),
        avatar: Some(f.avatar.clone()),
        actor_type: some(&f.actor_type),
        locked: Some(f.locked.is_some()),
        discoverable: Some(f.discoverable.is_some()),
        password: some(&f.password),
    };
    let mut values = vec![
        ("email", f.email.as_str()),
        ("display_name", &f.display_name),
        ("bio", &f.bio),
        ("avatar", &f.avatar),
        ("actor_type", &f.actor_type),
    ];
    if f.locked.is_some() {
        values.push(("locked", "on"));
    }
    if f.discoverable.is_some() {
        values.push(("discoverable", "on"));
    }
    let result = match input.validate() {
        Ok(valid) => manage::update_credentials(&state.db, &ctx, id, valid).await.map_err(|e| vec![e]),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => {
            session::push_flash(&session, Flash::success("Credentials saved.")).await?;
            Ok(Redirect::to(&back).into_response())
        }
        Err(errors) if errors.iter().all(|e| e.param().is_some()) => {
            reject(&session, rejected("credentials", errors, &values), &back).await
        }
        Err(mut errors) => Err(errors.swap_remove(0)),
    }
}

pub async fn password_reset_link(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let flash = match manage::reset_link(&state.db, &ctx, id, &state.config.base_url()).await {
        Ok((_, link)) => {
            Flash { secret: Some(link), ..Flash::success("Password reset link created. It works once, for 24 hours.") }
        }
        Err(e @ AppError::Validation { .. }) => Flash::error(e.to_string()),
        Err(e) => return Err(e),
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(&format!("/users/{id}")).into_response())
}
