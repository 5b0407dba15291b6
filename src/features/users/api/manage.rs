//! Creating users, one user's credentials, password-reset links and Pleroma's
//! single-user permission routes (admin only).

use crate::server::rejections::ApiPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiUser;
use super::bulk::{group, run_and_show};
use crate::api::docs::{ActorType, PermissionGroup};
use crate::api::extract::ApiJson;
use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::features::users::service::bulk::{BulkAction, Selection};
use crate::features::users::service::manage::{self, CreateFailed, CredentialsInput, NewAccountInput};
use crate::server::state::AppState;
use crate::server::storage::{users, users_list};

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    nickname: String,
    #[schema(max_length = 254)]
    email: String,
    #[schema(min_length = 12, max_length = 256)]
    password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUsers {
    #[schema(min_items = 1, max_items = 100)]
    users: Vec<NewUser>,
}

/// One entry per input, as Pleroma answers: `type` is `success` or `error`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreateResult {
    #[serde(rename = "type")]
    kind: &'static str,
    code: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    data: CreatedData,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedData {
    nickname: String,
    email: String,
}

/// 409 and 422: one entry per input, or the `ApiError` body when the request
/// as a whole is wrong (no users, too many, a malformed entry).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CreateFailure {
    PerUser(Vec<CreateResult>),
    #[allow(dead_code)] // documentation only: sent through `AppError`
    Request(crate::api::docs::ApiError),
}

/// Each account costs a password hash: bound the work of one request.
const MAX_NEW_USERS: usize = 100;

fn failure(code: u16, error: String, u: &NewUser) -> CreateResult {
    let data = CreatedData { nickname: u.nickname.clone(), email: u.email.clone() };
    CreateResult { kind: "error", code, error: Some(error), data }
}

/// Creates local accounts (at most 100), all or none. A taken nickname or
/// email answers 409 and invalid input 422, each with one entry per input.
#[utoipa::path(post, path = "/users", request_body = NewUsers,
    responses((status = 200, body = [CreateResult]), (status = 403, description = "Admins only."),
        (status = 409, body = CreateFailure, description = "A nickname or email is taken: one entry per input."),
        (status = 422, body = CreateFailure,
            description = "Invalid input: one entry per input, or `ApiError` when no or too many users are sent.")),
    tag = "users")]
#[tracing::instrument(
    skip_all,
    fields(actor = %ctx.staff().nickname, accounts = body.users.len()),
    err(level = "info")
)]
pub async fn create(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiJson(body): ApiJson<NewUsers>,
) -> Result<Response, AppError> {
    if body.users.len() > MAX_NEW_USERS {
        return Err(AppError::validation("users", format!("Create at most {MAX_NEW_USERS} users in one request.")));
    }
    let checked: Vec<_> = body
        .users
        .iter()
        .map(|u| {
            let input = NewAccountInput {
                nickname: u.nickname.clone(),
                email: u.email.clone(),
                password: u.password.clone(),
                ..Default::default()
            };
            input.validate()
        })
        .collect();
    if checked.iter().any(Result::is_err) {
        let entries: Vec<CreateResult> = body
            .users
            .iter()
            .zip(&checked)
            .map(|(u, c)| match c {
                Err(errors) => failure(422, errors[0].to_string(), u),
                Ok(_) => failure(422, "not created: another user in this request is invalid".into(), u),
            })
            .collect();
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(CreateFailure::PerUser(entries))).into_response());
    }
    let valid: Vec<_> = checked.into_iter().flatten().collect();
    match manage::create(&s.db, &ctx, &valid).await {
        Ok(created) => {
            let entries: Vec<CreateResult> = created
                .into_iter()
                .map(|c| CreateResult {
                    kind: "success",
                    code: 200,
                    error: None,
                    data: CreatedData { nickname: c.nickname, email: c.email },
                })
                .collect();
            Ok(Json(entries).into_response())
        }
        Err(CreateFailed::Taken(faults)) => {
            let entries: Vec<CreateResult> = body
                .users
                .iter()
                .zip(faults)
                .map(|(u, f)| {
                    let msg = f.map(|e| e.to_string());
                    failure(409, msg.unwrap_or_else(|| "not created: another user in this request is taken".into()), u)
                })
                .collect();
            Ok((StatusCode::CONFLICT, Json(CreateFailure::PerUser(entries))).into_response())
        }
        Err(CreateFailed::Other(e)) => Err(e),
    }
}

/// Pleroma's credentials object, limited to what Steward stores.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiCredentials {
    id: String,
    nickname: String,
    email: Option<String>,
    /// The display name (Pleroma calls it `name`).
    name: String,
    display_name: String,
    bio: String,
    avatar: String,
    actor_type: String,
    locked: bool,
    discoverable: bool,
    password_reset_pending: bool,
}

async fn user_id(s: &AppState, nickname: &str) -> Result<i64, AppError> {
    let mut conn = s.db.conn().await?;
    Ok(users_list::find(conn.as_ref(), nickname).await?.ok_or(AppError::NotFound)?.id)
}

/// A user's editable fields.
#[utoipa::path(get, path = "/users/{nickname}/credentials", params(("nickname" = String, Path)),
    responses((status = 200, body = ApiCredentials), (status = 403, description = "Admins only."),
        (status = 404)), tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = %nickname), err(level = "info"))]
pub async fn credentials(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiPath(nickname): ApiPath<String>,
) -> Result<Json<ApiCredentials>, AppError> {
    let id = user_id(&s, &nickname).await?;
    let mut conn = s.db.conn().await?;
    let c = users::credentials(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(ApiCredentials {
        id: c.id.to_string(),
        nickname: c.nickname,
        email: c.email,
        name: c.display_name.clone(),
        display_name: c.display_name,
        bio: c.bio,
        avatar: c.avatar,
        actor_type: c.actor_type,
        locked: c.locked,
        discoverable: c.discoverable,
        password_reset_pending: c.password_reset_pending,
    }))
}

/// Fields Pleroma's clients may send that Steward does not keep: accepted
/// and ignored, so those clients work. Any other unknown field is an error.
const IGNORED_FIELDS: &[&str] = &[
    "no_rich_text",
    "default_scope",
    "banner",
    "background",
    "hide_follows",
    "hide_followers",
    "hide_followers_count",
    "hide_follows_count",
    "hide_favorites",
    "allow_following_move",
    "show_role",
    "skip_thread_containment",
    "fields",
];

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CredentialsPatch {
    #[schema(max_length = 254)]
    email: Option<String>,
    /// Ends the user's sessions and tokens.
    #[schema(min_length = 12, max_length = 256)]
    password: Option<String>,
    /// The display name (Pleroma's field); `display_name` also works.
    #[schema(max_length = 100)]
    name: Option<String>,
    #[schema(max_length = 100)]
    display_name: Option<String>,
    #[schema(max_length = 5000)]
    bio: Option<String>,
    avatar: Option<String>,
    locked: Option<bool>,
    discoverable: Option<bool>,
    #[schema(value_type = Option<ActorType>)]
    actor_type: Option<String>,
}

const KNOWN_FIELDS: &[&str] =
    &["email", "password", "name", "display_name", "bio", "avatar", "locked", "discoverable", "actor_type"];

/// Changes a user's email, password, display name, bio, avatar, locked,
/// discoverable or actor type: one transaction and one log entry.
#[utoipa::path(patch, path = "/users/{nickname}/credentials", params(("nickname" = String, Path)),
    request_body = CredentialsPatch,
    responses((status = 200, body = Success), (status = 403, description = "Admins only."), (status = 404),
        (status = 409, description = "The email is taken."),
        (status = 422, description = "A field is unknown or invalid.")),
    tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = %nickname), err(level = "info"))]
pub async fn update_credentials(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiPath(nickname): ApiPath<String>,
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<Success>, AppError> {
    if let Some(unknown) =
        body.keys().find(|k| !KNOWN_FIELDS.contains(&k.as_str()) && !IGNORED_FIELDS.contains(&k.as_str()))
    {
        return Err(AppError::validation(unknown, format!("unknown field {unknown:?}")));
    }
    let known: serde_json::Map<_, _> = body.into_iter().filter(|(k, _)| KNOWN_FIELDS.contains(&k.as_str())).collect();
    // Type-check each field first, so an error names it.
    for (k, v) in &known {
        let (ok, kind) = match k.as_str() {
            "locked" | "discoverable" => (v.is_boolean(), "true or false"),
            _ => (v.is_string(), "a string"),
        };
        if !(ok || v.is_null()) {
            return Err(AppError::validation(k, format!("{k} must be {kind}")));
        }
    }
    let p: CredentialsPatch = serde_json::from_value(serde_json::Value::Object(known))
        .map_err(|e| AppError::validation("body", e.to_string()))?;
    let input = CredentialsInput {
        email: p.email,
        display_name: p.name.or(p.display_name),
        bio: p.bio,
        avatar: p.avatar,
        actor_type: p.actor_type,
        locked: p.locked,
        discoverable: p.discoverable,
        password: p.password,
    };
    let valid = input.validate().map_err(|mut errors| errors.swap_remove(0))?;
    let id = user_id(&s, &nickname).await?;
    manage::update_credentials(&s.db, &ctx, id, valid).await?;
    Ok(Json(Success { status: "success" }))
}

/// `{"status":"success"}`, as Pleroma answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Success {
    status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResetLink {
    token: String,
    link: String,
}

/// A one-time password-reset link for a local user, valid for 24 hours.
#[utoipa::path(get, path = "/users/{nickname}/password_reset", params(("nickname" = String, Path)),
    responses((status = 200, body = ResetLink), (status = 403, description = "Admins only."), (status = 404),
        (status = 422, description = "Only local accounts have a password.")), tag = "users")]
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = %nickname), err(level = "info"))]
pub async fn password_reset(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiPath(nickname): ApiPath<String>,
) -> Result<Json<ResetLink>, AppError> {
    let id = user_id(&s, &nickname).await?;
    let (token, link) = manage::reset_link(&s.db, &ctx, id, &s.config.base_url()).await?;
    Ok(Json(ResetLink { token, link }))
}

async fn one_user(
    s: &AppState,
    ctx: &AdminCtx,
    action: BulkAction,
    nickname: String,
) -> Result<Json<ApiUser>, AppError> {
    // An unknown user in the path is a 404, not a bad selection.
    let ids = [user_id(s, &nickname).await?];
    let shown = run_and_show(s, &ctx.as_moderator(), action, Selection::Ids(&ids)).await?;
    shown.users.into_iter().next().map(Json).ok_or(AppError::NotFound)
}

/// Pleroma's single-user form of granting a group; any body is ignored
/// (pleroma-fe sends `[object Object]` as text). Answers the user.
#[utoipa::path(post, path = "/users/{nickname}/permission_group/{group}",
    params(("nickname" = String, Path), ("group" = PermissionGroup, Path)),
    responses((status = 200, body = ApiUser), (status = 403, description = "Admins only."),
        (status = 404, description = "No such user or group.")),
    tag = "users")]
#[tracing::instrument(
    skip_all,
    fields(actor = %ctx.staff().nickname, user = %nickname, group = %g),
    err(level = "info")
)]
pub async fn grant_one(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiPath((nickname, g)): ApiPath<(String, String)>,
) -> Result<Json<ApiUser>, AppError> {
    one_user(&s, &ctx, BulkAction::Grant(group(&g)?), nickname).await
}

/// Pleroma's single-user form of revoking a group (never your own admin role).
#[utoipa::path(delete, path = "/users/{nickname}/permission_group/{group}",
    params(("nickname" = String, Path), ("group" = PermissionGroup, Path)),
    responses((status = 200, body = ApiUser),
        (status = 403, description = "Admins only, and never your own admin role."),
        (status = 404, description = "No such user or group.")),
    tag = "users")]
#[tracing::instrument(
    skip_all,
    fields(actor = %ctx.staff().nickname, user = %nickname, group = %g),
    err(level = "info")
)]
pub async fn revoke_one(
    State(s): State<AppState>,
    ctx: AdminCtx,
    ApiPath((nickname, g)): ApiPath<(String, String)>,
) -> Result<Json<ApiUser>, AppError> {
    one_user(&s, &ctx, BulkAction::Revoke(group(&g)?), nickname).await
}
