//! The console's form posts (post/redirect/get), gathered into one router.
//! They work identically with JavaScript on or off.

use axum::Router;
use axum::routing::post;

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
}
