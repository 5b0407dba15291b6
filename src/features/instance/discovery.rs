//! What Pleroma's and Mastodon's clients ask before anything else: nodeinfo
//! (`/.well-known/nodeinfo`, `/nodeinfo/2.0.json`, `/nodeinfo/2.1.json`),
//! `GET /api/v1/instance` and its peers, and `GET /api/v1/accounts/verify_credentials`,
//! which admin-fe calls on every navigation and which must say whether the
//! token's holder is an admin or a moderator.

use axum::extract::State;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::auth::ModeratorCtx;
use crate::auth::tokens::authenticate_account_api;
use crate::error::AppError;
use crate::server::rejections::ApiPath;
use crate::server::state::AppState;
use crate::server::storage::{now, users_list};

/// The routes, to merge at the site's root.
pub fn router(state: AppState) -> Router<AppState> {
    let accounts = Router::new()
        .route("/api/v1/accounts/verify_credentials", get(verify_credentials))
        .layer(from_fn_with_state(state, authenticate_account_api));
    Router::new()
        .route("/.well-known/nodeinfo", get(well_known))
        .route("/nodeinfo/{file}", get(nodeinfo))
        .route("/api/v1/instance", get(instance))
        .route("/api/v1/instance/peers", get(peers))
        .merge(accounts)
}

const SOFTWARE: &str = "steward";
const NODE_NAME: &str = "Steward";

/// `GET /.well-known/nodeinfo`: where the schema documents are.
pub async fn well_known(State(s): State<AppState>) -> Json<Value> {
    let base = s.config.base_url();
    let links = ["2.0", "2.1"].map(|v| {
        json!({
            "rel": format!("http://nodeinfo.diaspora.software/ns/schema/{v}"),
            "href": format!("{base}/nodeinfo/{v}.json"),
        })
    });
    Json(json!({ "links": links }))
}

/// `GET /nodeinfo/{2.0|2.1}.json`, with the `metadata` admin-fe reads.
/// Registration is closed until the registration policy exists.
pub async fn nodeinfo(State(s): State<AppState>, ApiPath(file): ApiPath<String>) -> Result<Json<Value>, AppError> {
    let version = match file.as_str() {
        "2.0.json" => "2.0",
        "2.1.json" => "2.1",
        _ => return Err(AppError::NotFound),
    };
    let mut conn = s.db.conn().await?;
    let usage = s.usage.get(conn.as_ref(), now()).await?;
    drop(conn);
    let mut software = json!({ "name": SOFTWARE, "version": env!("CARGO_PKG_VERSION") });
    if version == "2.1" {
        software["repository"] = json!(env!("CARGO_PKG_REPOSITORY"));
    }
    Ok(Json(json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": false,
        "usage": {
            "users": { "total": usage.users, "activeMonth": usage.active_month, "activeHalfyear": usage.active_halfyear },
            "localPosts": usage.local_posts,
        },
        "metadata": {
            "nodeName": NODE_NAME,
            "invitesEnabled": false,
            "accountActivationRequired": false,
            "mailerEnabled": false,
            "features": ["pleroma_api", "mastodon_api"],
            "federation": { "enabled": false },
            "staffAccounts": [],
            "restrictedNicknames": [],
            "postFormats": ["text/plain", "text/html"],
        },
    })))
}

/// `GET /api/v1/instance`: the little Mastodon clients need to start.
pub async fn instance(State(s): State<AppState>) -> Json<Value> {
    let base = s.config.base_url();
    let host = base.split("://").nth(1).unwrap_or(&base).to_owned();
    Json(json!({
        "uri": host,
        "title": NODE_NAME,
        "short_description": "",
        "description": "",
        "version": format!("2.7.2 (compatible; Steward {})", env!("CARGO_PKG_VERSION")),
        "registrations": false,
        "approval_required": false,
        "invites_enabled": false,
        "urls": {},
        "languages": ["en"],
        "pleroma": { "metadata": { "features": ["pleroma_api", "mastodon_api"], "account_activation_required": false } },
    }))
}

/// `GET /api/v1/instance/peers`: the instances remote accounts come from
/// (admin-fe offers them on its statuses page).
pub async fn peers(State(s): State<AppState>) -> Result<Json<Vec<String>>, AppError> {
    let mut conn = s.db.conn().await?;
    Ok(Json(s.peers.get(conn.as_ref()).await?))
}

/// What a role may do, in Pleroma's privilege names (admin-fe hides what is
/// not listed; the server still checks every call).
fn privileges(admin: bool, moderator: bool) -> Vec<&'static str> {
    const MODERATOR: [&str; 6] = [
        "users_read",
        "users_manage_activation_state",
        "reports_manage_reports",
        "messages_read",
        "messages_delete",
        "statistics_read",
    ];
    const ADMIN_ONLY: [&str; 6] = [
        "users_manage_credentials",
        "users_manage_tags",
        "users_manage_invites",
        "users_delete",
        "moderation_log_read",
        "instances_delete",
    ];
    match (admin, moderator) {
        (true, _) => MODERATOR.into_iter().chain(ADMIN_ONLY).collect(),
        (false, true) => MODERATOR.to_vec(),
        _ => Vec::new(),
    }
}

/// `GET /api/v1/accounts/verify_credentials`: the token holder as a Mastodon
/// account, with Pleroma's role fields.
pub async fn verify_credentials(State(s): State<AppState>, ctx: ModeratorCtx) -> Result<Json<Value>, AppError> {
    let mut conn = s.db.conn().await?;
    let u = users_list::find(conn.as_ref(), &ctx.staff().id.to_string()).await?.ok_or(AppError::Unauthorized)?;
    let mut account = serde_json::to_value(crate::api::content::account(&u, Vec::new(), &s.config.base_url()))
        .map_err(|e| AppError::Internal(format!("account as JSON: {e}")))?;
    // The rest of Mastodon's own-account shape, and the fields admin-fe reads
    // to decide which menus to show.
    let own = json!({
        "locked": false,
        "note": "",
        "header": "",
        "header_static": "",
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 0,
        "emojis": [],
        "fields": [],
        "source": { "note": "", "fields": [], "privacy": "public", "sensitive": false },
    });
    for (k, v) in own.as_object().into_iter().flatten() {
        account[k] = v.clone();
    }
    account["pleroma"]["privileges"] = json!(privileges(u.is_admin, u.is_moderator));
    account["pleroma"]["is_confirmed"] = json!(u.is_confirmed);
    account["pleroma"]["is_approved"] = json!(u.is_approved);
    Ok(Json(account))
}

#[cfg(test)]
mod tests {
    use super::privileges;

    #[test]
    fn moderators_get_a_subset_of_the_admins_privileges() {
        let (admin, moderator) = (privileges(true, false), privileges(false, true));
        assert!(moderator.iter().all(|p| admin.contains(p)));
        assert!(!moderator.contains(&"users_delete") && admin.contains(&"users_delete"));
        assert!(privileges(false, false).is_empty());
    }
}
