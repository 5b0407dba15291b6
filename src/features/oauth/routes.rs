//! OAuth over HTTP, the way Mastodon and Pleroma clients call it:
//! `POST /api/v1/apps`, `POST /oauth/token`, `POST /oauth/revoke` (API
//! routes: bodies as JSON or forms, OAuth's own error format, no cookies),
//! and `GET|POST /oauth/authorize`, the console's sign-in-and-consent page
//! (a plain form: it works without JavaScript).

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::consent;
use super::service::{self, Issued, OOB, Pkce, Refusal};
use crate::auth::ModeratorCtx;
use crate::domain::scopes::Scopes;
use crate::error::AppError;
use crate::server::rejections::{ApiForm, ApiQuery};
use crate::server::state::AppState;
use crate::server::storage::oauth::App;

/// The API half, to mount with the other token-authenticated routes.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/apps", post(register))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
}

/// A body as JSON (what admin-fe's axios sends) or a form (what the RFC
/// and most clients send).
fn body<T: DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> Result<T, String> {
    let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    if json {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    } else {
        serde_urlencoded::from_bytes(bytes).map_err(|e| e.to_string())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, error, description) = match self {
            Refusal::InvalidRequest(d) => (StatusCode::BAD_REQUEST, "invalid_request", d),
            Refusal::InvalidClient => {
                (StatusCode::UNAUTHORIZED, "invalid_client", "The client is unknown or its secret is wrong.".into())
            }
            Refusal::InvalidGrant(d) => (StatusCode::BAD_REQUEST, "invalid_grant", d),
            Refusal::InvalidScope(d) => (StatusCode::BAD_REQUEST, "invalid_scope", d),
            Refusal::UnauthorizedClient(d) => (StatusCode::BAD_REQUEST, "unauthorized_client", d),
            Refusal::UnsupportedGrantType => (
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be password, authorization_code, refresh_token or client_credentials.".into(),
            ),
            Refusal::SlowDown(d) => (StatusCode::TOO_MANY_REQUESTS, "slow_down", d),
            Refusal::Server(e) => {
                e.log();
                let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let error =
                    if status == StatusCode::SERVICE_UNAVAILABLE { "temporarily_unavailable" } else { "server_error" };
                (status, error, e.to_string())
            }
        };
        (status, Json(json!({ "error": error, "error_description": description }))).into_response()
    }
}

#[derive(Deserialize)]
struct AppRequest {
    client_name: String,
    redirect_uris: String,
    #[serde(default)]
    scopes: String,
    website: Option<String>,
}

/// `POST /api/v1/apps`: Mastodon's request and answer; the secret is shown here only.
async fn register(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let r: AppRequest = body(&headers, &bytes).map_err(|e| AppError::validation("body", e))?;
    let ip = peer.ip().to_string();
    let reg = service::register(
        &s.db,
        s.live.current().login_limits,
        &ip,
        &r.client_name,
        &r.redirect_uris,
        &r.scopes,
        r.website.as_deref(),
    )
    .await?;
    Ok(Json(json!({
        "id": reg.app.id.to_string(),
        "name": reg.app.name,
        "website": reg.app.website,
        "redirect_uri": reg.app.redirect_uris,
        "scopes": reg.app.scopes.split(' ').collect::<Vec<_>>(),
        "client_id": reg.app.client_id,
        "client_secret": reg.client_secret,
        "vapid_key": "",
    })))
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    client_id: String,
    client_secret: Option<String>,
    username: Option<String>,
    password: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
}

fn required<'a>(v: &'a Option<String>, name: &str) -> Result<&'a str, Refusal> {
    v.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| Refusal::InvalidRequest(format!("{name} is required")))
}

/// `POST /oauth/token`: the password, authorization-code, refresh and
/// (trusted apps, intake only) client_credentials grants.
async fn token(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<serde_json::Value>, Refusal> {
    let r: TokenRequest = body(&headers, &bytes).map_err(Refusal::InvalidRequest)?;
    let ip = peer.ip().to_string();
    // A public client using PKCE may leave out its secret; every other grant needs it.
    let pkce_only = r.grant_type == "authorization_code" && r.client_secret.is_none() && r.code_verifier.is_some();
    let secret = if pkce_only { None } else { Some(required(&r.client_secret, "client_secret")?) };
    let app = service::client(&s.db, &r.client_id, secret).await?;
    let issued = match r.grant_type.as_str() {
        "password" => {
            let (user, pass) = (required(&r.username, "username")?, required(&r.password, "password")?);
            if !crate::features::sso::settings::password_sign_in(&s) {
                let off = crate::features::sso::settings::PASSWORD_SIGN_IN_OFF;
                return Err(Refusal::UnauthorizedClient(off.into()));
            }
            service::password_grant(&s.db, s.live.current().login_limits, &ip, &app, user, pass, r.scope.as_deref())
                .await?
        }
        "authorization_code" => {
            let (code, uri) = (required(&r.code, "code")?, required(&r.redirect_uri, "redirect_uri")?);
            service::code_grant(&s.db, &app, code, uri, r.code_verifier.as_deref()).await?
        }
        "client_credentials" => {
            let i = service::client_credentials_grant(&s.db, &app, r.scope.as_deref()).await?;
            return Ok(Json(json!({
                "access_token": i.access_token,
                "token_type": "Bearer",
                "scope": "intake",
                "created_at": crate::server::storage::now(),
            })));
        }
        "refresh_token" => service::refresh_grant(&s.db, &app, required(&r.refresh_token, "refresh_token")?).await?,
        _ => return Err(Refusal::UnsupportedGrantType),
    };
    Ok(Json(token_answer(&s, issued)))
}

fn token_answer(s: &AppState, i: Issued) -> serde_json::Value {
    json!({
        "access_token": i.access_token,
        "token_type": "Bearer",
        "scope": i.scopes,
        "created_at": crate::server::storage::now(),
        "refresh_token": i.refresh_token,
        "me": format!("{}/users/{}", s.config.base_url(), i.staff.nickname),
    })
}

#[derive(Deserialize)]
struct RevokeRequest {
    client_id: String,
    client_secret: String,
    token: String,
}

/// `POST /oauth/revoke` (RFC 7009): `{}` whether or not the token was live.
async fn revoke(
    State(s): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Json<serde_json::Value>, Refusal> {
    let r: RevokeRequest = body(&headers, &bytes).map_err(Refusal::InvalidRequest)?;
    let app = service::client(&s.db, &r.client_id, Some(&r.client_secret)).await?;
    service::revoke(&s.db, &app, &r.token).await?;
    Ok(Json(json!({})))
}

/// What `/oauth/authorize` is asked, in the query (GET) or the form (POST).
#[derive(Deserialize)]
pub struct AuthorizeRequest {
    #[serde(default)]
    pub response_type: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    /// The consent form's button: `allow` or `deny`.
    pub decision: Option<String>,
}

/// `GET /oauth/authorize`: the consent page (signing in first, through the
/// console's `/login?next=`, if needed).
pub async fn authorize_page(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiQuery(q): ApiQuery<AuthorizeRequest>,
) -> Result<Response, AppError> {
    match checked(&s, &q).await {
        // An app an admin marked trusted needs no consent from staff.
        Ok(c) if c.app.trusted => answer(&s, &ctx, &q, c, true).await,
        Ok(c) => Ok(consent::page(&c.app, ctx.staff(), &c.scopes, &q)),
        Err(page) => Ok(page),
    }
}

/// `POST /oauth/authorize`: Allow sends the client a code, Deny an error,
/// both to its registered redirect URI (or, out of band, onto a page).
pub async fn authorize(
    State(s): State<AppState>,
    ctx: ModeratorCtx,
    ApiForm(f): ApiForm<AuthorizeRequest>,
) -> Result<Response, AppError> {
    let c = match checked(&s, &f).await {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    answer(&s, &ctx, &f, c, f.decision.as_deref() == Some("allow")).await
}

/// Sends the client a code (allowed) or `access_denied`.
async fn answer(
    s: &AppState,
    ctx: &ModeratorCtx,
    f: &AuthorizeRequest,
    c: Checked<'_>,
    allow: bool,
) -> Result<Response, AppError> {
    let mut params: Vec<(&str, String)> = Vec::new();
    if allow {
        let code = service::grant_code(&s.db, &c.app, ctx.staff(), &f.redirect_uri, &c.scopes, c.pkce).await?;
        if f.redirect_uri == OOB {
            return Ok(consent::out_of_band(&c.app, &code));
        }
        params.push(("code", code));
    } else {
        params.push(("error", "access_denied".into()));
    }
    if let Some(state) = f.state.as_deref().filter(|s| !s.is_empty()) {
        params.push(("state", state.to_owned()));
    }
    let mut to = url::Url::parse(&f.redirect_uri).map_err(|_| AppError::validation("redirect_uri", "not a URI"))?;
    to.query_pairs_mut().extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
    Ok(consent::redirect(to))
}

/// An authorize request that may be answered at its redirect URI.
struct Checked<'a> {
    app: App,
    scopes: Scopes,
    pkce: Option<Pkce<'a>>,
}

/// The client, scopes and PKCE challenge of an authorize request, or the
/// page that says what is wrong (never a redirect to a URI the client did
/// not register).
async fn checked<'a>(s: &AppState, q: &'a AuthorizeRequest) -> Result<Checked<'a>, Response> {
    if q.response_type != "code" {
        return Err(consent::problem("This app asked for something other than an authorization code."));
    }
    let app = match service::client(&s.db, &q.client_id, None).await {
        Ok(app) => app,
        Err(Refusal::Server(e)) => return Err(e.into_response()),
        Err(_) => return Err(consent::problem("No app with this client id is registered here.")),
    };
    match service::check_authorize_request(
        &app,
        &q.redirect_uri,
        q.scope.as_deref(),
        q.code_challenge.as_deref(),
        q.code_challenge_method.as_deref(),
    ) {
        Ok((scopes, pkce)) => Ok(Checked { app, scopes, pkce }),
        Err(Refusal::InvalidRequest(d) | Refusal::InvalidScope(d)) => Err(consent::problem(&d)),
        Err(_) => Err(consent::problem("This sign-in request is not valid.")),
    }
}
