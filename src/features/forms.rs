//! The console's form posts (post/redirect/get) and downloads, gathered into one router.
//! They work identically with JavaScript on or off.

use axum::Router;
use axum::routing::{get, post};

use crate::server::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(super::auth::forms::login))
        .route("/logout", post(super::auth::forms::logout))
        .route("/setup", post(super::auth::forms::setup))
        .route("/account/password", post(super::account::forms::change_password))
        .route("/account/tokens", post(super::account::forms::create_token))
        .route("/account/tokens/{id}/revoke", post(super::account::forms::revoke_token))
        .route("/users/bulk", post(super::users::forms::apply))
        .route("/users/export.csv", get(super::users::export::download))
        .route("/users/new", post(super::users::forms::create))
        .route("/users/views", post(super::users::saved_views::save))
        .route("/users/views/{id}/delete", post(super::users::saved_views::delete))
        .route("/users/{id}/credentials", post(super::users::forms::update_credentials))
        .route("/users/{id}/password-reset", post(super::users::forms::password_reset_link))
        .route("/apps", post(super::apps::forms::create))
        .route("/apps/{id}", post(super::apps::forms::update))
        .route("/apps/{id}/webhooks", post(super::apps::forms::webhooks))
        .route("/invites", post(super::invites::forms::create))
        .route("/invites/email", post(super::invites::forms::email))
        .route("/invites/{id}/revoke", post(super::invites::forms::revoke))
        .route("/password-reset", post(super::auth::forms::reset_password))
        .route("/forgot-password", post(super::auth::forgot::form))
        .route("/outbox/{id}/retry", post(super::outbox::forms::retry))
        .route("/register", post(super::registration::forms::register))
        .route("/confirm/{token}", post(super::registration::forms::confirm))
        .route("/registrations/{id}/approve", post(super::registration::forms::approve))
        .route("/registrations/{id}/reject", post(super::registration::forms::reject))
        .route("/settings/registration/policy", post(super::settings::forms::policy))
        .route("/settings/registration/review", post(super::settings::forms::review))
        .route("/settings/registration/restrictions", post(super::settings::forms::restrictions))
        .route("/settings/registration/identifiers", post(super::settings::forms::add_identifier))
        .route("/settings/registration/identifiers/{id}/delete", post(super::settings::forms::remove_identifier))
        .route("/settings/instance/instance", post(super::settings::forms::instance))
        .route("/settings/instance/config", post(super::settings::forms::config))
        .route("/settings/instance/organization", post(super::settings::forms::organization))
        .route("/reports/bulk", post(super::reports::forms::bulk))
        .route("/reports/{id}/state", post(super::reports::forms::decide))
        .route("/reports/{id}/act", post(super::reports::forms::act))
        .route("/reports/{id}/notes", post(super::reports::forms::add_note))
        .route("/reports/{id}/notes/{note}/delete", post(super::reports::forms::delete_note))
        .route("/reports/{id}/assign", post(super::reports::forms::assign))
        .route("/statuses/{id}/moderate", post(super::statuses::forms::moderate))
        .route("/statuses/godmode", post(super::statuses::forms::godmode))
        .route("/oauth/authorize", get(super::oauth::routes::authorize_page).post(super::oauth::routes::authorize))
}
