//! The JSON admin API under `/api/v1/admin` (also mounted at Pleroma's
//! `/api/pleroma/admin` and `/api/v1/pleroma/admin`). Token auth only; every
//! failure uses the §5 error body; the OpenAPI document is generated from the
//! handlers' annotations and grows with every endpoint.

pub mod content;
pub mod docs;
pub mod extract;

use std::sync::LazyLock;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::tokens::{authenticate_admin_api, authenticate_intake};
use crate::error::AppError;
use crate::features::account::api as tokens;
use crate::features::apps::api as apps;
use crate::features::audit::api as moderation_log;
use crate::features::config::api as config;
use crate::features::intake::api as intake;
use crate::features::invites::api as invites;
use crate::features::oauth_apps::api as oauth_apps;
use crate::features::organizations::api as organizations;
use crate::features::organizations::document_api as organization_settings;
use crate::features::registration::api as registrations;
use crate::features::reports::api as reports;
use crate::features::settings::api as settings;
use crate::features::statuses::api as statuses;
use crate::features::users::api::{self as users, bulk as users_bulk, manage as users_manage};
use crate::features::webhooks::api as webhooks;
use crate::server::state::AppState;

pub const PREFIX: &str = "/api/v1/admin";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Steward admin API",
        description = "Instance administration, shaped like Pleroma's Admin API. Every path is also served under `/api/pleroma/admin` and `/api/v1/pleroma/admin`. Authenticate with `Authorization: Bearer <token>` (or `Admin <token>`); the intake routes under `/api/v1/intake` take intake-scoped tokens. Every error answers the `ApiError` body, `{\"errors\":[{code,message,long_message,meta}],\"error\":…}`, and every operation lists the statuses it can answer."
    ),
    // ErrorResponses refers to ApiError; path parameters do not register their schemas.
    components(schemas(docs::ApiError, docs::PermissionGroup)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The handlers and their documentation, before mounting.
fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(moderation_log::list))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(users::list, users_bulk::delete, users_manage::create))
        .routes(routes!(users::show))
        .routes(routes!(users::chats))
        .routes(routes!(users_bulk::activate))
        .routes(routes!(users_bulk::deactivate))
        .routes(routes!(users_bulk::toggle_activation))
        .routes(routes!(users_bulk::tag, users_bulk::untag))
        .routes(routes!(users_bulk::grant, users_bulk::revoke))
        .routes(routes!(users_bulk::groups))
        .routes(routes!(users_bulk::confirm_email))
        .routes(routes!(users_bulk::resend_confirmation))
        .routes(routes!(users_bulk::approve))
        .routes(routes!(users_bulk::force_password_reset))
        .routes(routes!(users_manage::credentials, users_manage::update_credentials))
        .routes(routes!(users_manage::password_reset))
        .routes(routes!(users_manage::grant_one, users_manage::revoke_one))
        .routes(routes!(reports::list, reports::change))
        .routes(routes!(reports::grouped))
        .routes(routes!(reports::show))
        .routes(routes!(reports::add_note))
        .routes(routes!(reports::delete_note))
        .routes(routes!(statuses::list))
        .routes(routes!(statuses::show, statuses::update, statuses::delete))
        .routes(routes!(statuses::of_user))
        .routes(routes!(statuses::of_instance))
        .routes(routes!(statuses::stats))
        .routes(routes!(config::need_reboot))
        .routes(routes!(config::restart))
        .routes(routes!(config::show, config::update))
        .routes(routes!(config::show_descriptions))
        .routes(routes!(config::history))
        .routes(routes!(config::revert))
        .routes(routes!(registrations::list))
        .routes(routes!(registrations::approve))
        .routes(routes!(registrations::reject))
        .routes(routes!(invites::create))
        .routes(routes!(invites::list))
        .routes(routes!(invites::revoke))
        .routes(routes!(invites::email_invite))
        .routes(routes!(oauth_apps::list, oauth_apps::create))
        .routes(routes!(oauth_apps::update, oauth_apps::delete))
        .routes(routes!(oauth_apps::regenerate_secret))
        .routes(routes!(settings::instance_config))
        .routes(routes!(settings::update_instance_config))
        .routes(routes!(settings::instance, settings::update_instance))
        .routes(routes!(settings::restrictions, settings::update_restrictions))
        .routes(routes!(settings::organization_settings, settings::update_organization_settings))
        .routes(routes!(settings::allowlist, settings::allowlist_add))
        .routes(routes!(settings::allowlist_remove))
        .routes(routes!(settings::blocklist, settings::blocklist_add))
        .routes(routes!(settings::blocklist_remove))
        .routes(routes!(organizations::list, organizations::create))
        .routes(routes!(organizations::show, organizations::rename, organizations::delete))
        .routes(routes!(organizations::members, organizations::add_member))
        .routes(routes!(organizations::change_member, organizations::remove_member))
        .routes(routes!(organizations::domains, organizations::add_domain))
        .routes(routes!(organizations::change_domain, organizations::delete_domain))
        .routes(routes!(organizations::verify_domain))
        .routes(routes!(organization_settings::settings, organization_settings::replace_settings))
        .routes(routes!(organization_settings::versions))
        .routes(routes!(organization_settings::tokens, organization_settings::create_token))
        .routes(routes!(organization_settings::revoke_token))
        .routes(routes!(apps::list, apps::create))
        .routes(routes!(apps::show, apps::update))
        .routes(routes!(webhooks::list))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::redeliver))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::finish_rotation))
}

/// Content intake, documented under its own prefix.
fn intake_documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(intake::status)).routes(routes!(intake::report))
}

pub const INTAKE_PREFIX: &str = "/api/v1/intake";

/// The intake router: intake-scoped tokens only.
pub fn intake_router(state: AppState) -> Router<AppState> {
    let (router, _) = intake_documented().split_for_parts();
    router
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(from_fn_with_state(state, authenticate_intake))
}

/// The API router to nest under one prefix.
pub fn admin_router(state: AppState) -> Router<AppState> {
    let (router, _) = documented().split_for_parts();
    router
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(from_fn_with_state(state, authenticate_admin_api))
}

static OPENAPI_JSON: LazyLock<String> = LazyLock::new(|| {
    let (_, mut api) = OpenApiRouter::<AppState>::new()
        .nest(PREFIX, documented())
        .nest(INTAKE_PREFIX, intake_documented())
        .split_for_parts();
    docs::ErrorResponses.modify(&mut api);
    api.to_pretty_json().expect("OpenAPI document serializes")
});

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json() -> impl IntoResponse {
    ([(http::header::CONTENT_TYPE, "application/json")], OPENAPI_JSON.as_str())
}
