//! The OAuth grants, for staff only: registering a client, the password
//! grant, authorization codes with PKCE, refresh (which rotates), and
//! revocation. Each grant is one transaction with its log entry; the tokens
//! are ordinary API tokens, listed and revocable on `/account`.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::auth::sign_in::{self, Refused};
use crate::auth::{throttle, tokens};
use crate::domain::Staff;
use crate::domain::scopes::Scopes;
use crate::error::AppError;
use crate::server::storage::oauth::{self, App, NewApp, NewCode, NewToken};
use crate::server::storage::{Db, audit, users};

/// What a client asks for when it does not say (Mastodon's default).
pub const DEFAULT_SCOPES: &str = "read";

/// An OAuth refusal in RFC 6749's terms (`error`, `error_description`).
#[derive(Debug)]
pub enum Refusal {
    InvalidRequest(String),
    InvalidClient,
    InvalidGrant(String),
    InvalidScope(String),
    /// The client may not use this grant (client_credentials from an untrusted app).
    UnauthorizedClient(String),
    UnsupportedGrantType,
    SlowDown(String),
    Server(AppError),
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Refusal::Server(e)
    }
}

/// A registered client as answered once: the secret is never shown again.
pub struct Registered {
    pub app: App,
    pub client_secret: String,
}

/// The tokens a grant issues.
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub scopes: String,
    pub staff: Staff,
}

/// Registers a client (Mastodon's `POST /api/v1/apps`; anyone may, as on
/// Pleroma, at most a few per IP per throttle window).
pub async fn register(
    db: &Db,
    limits: throttle::Limits,
    ip: &str,
    name: &str,
    redirect_uris: &str,
    scopes: &str,
    website: Option<&str>,
) -> Result<Registered, AppError> {
    let v = validate("client_name", name, redirect_uris, scopes, website)?;
    let client_id = tokens::generate();
    let client_secret = tokens::generate();
    let mut tx = db.begin().await?;
    // Registrations count against the IP like failed sign-ins, so a script
    // cannot fill the table.
    throttle::check_apps(tx.conn(), limits, ip).await?;
    let new = NewApp {
        client_id: &client_id,
        secret_hash: &tokens::hash(&client_secret),
        name: &v.name,
        redirect_uris: &v.redirect_uris,
        scopes: &v.scopes,
        website: v.website.as_deref(),
    };
    let app = oauth::insert_app(tx.conn(), &new).await?;
    tx.commit().await?;
    Ok(Registered { app, client_secret })
}

/// A client's fields, checked and normalized.
pub struct Checked {
    pub name: String,
    /// One per line.
    pub redirect_uris: String,
    /// Space-separated.
    pub scopes: String,
    pub website: Option<String>,
}

/// Checks a client's fields; `name_param` is what the caller calls the name.
pub fn validate(
    name_param: &str,
    name: &str,
    redirect_uris: &str,
    scopes: &str,
    website: Option<&str>,
) -> Result<Checked, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::validation(name_param, format!("{name_param} must be 1 to 100 printable characters")));
    }
    if redirect_uris.len() > 25_000 {
        return Err(AppError::validation("redirect_uris", "name 1 to 10 redirect URIs"));
    }
    let uris: Vec<&str> = redirect_uris.split(['\n', ' ']).map(str::trim).filter(|u| !u.is_empty()).collect();
    if uris.is_empty() || uris.len() > 10 {
        return Err(AppError::validation("redirect_uris", "name 1 to 10 redirect URIs"));
    }
    if let Some(bad) = uris.iter().find(|u| !valid_redirect(u)) {
        let shown: String = bad.chars().take(100).collect();
        return Err(AppError::validation("redirect_uris", format!("{shown:?} is not an absolute URI")));
    }
    let scopes = Scopes::parse(scopes, DEFAULT_SCOPES).map_err(|e| AppError::validation("scopes", e))?;
    let website = website.map(str::trim).filter(|w| !w.is_empty());
    if website.is_some_and(|w| w.len() > 500 || w.chars().any(char::is_control)) {
        return Err(AppError::validation("website", "website is at most 500 printable characters"));
    }
    Ok(Checked {
        name: name.to_owned(),
        redirect_uris: uris.join("\n"),
        scopes: scopes.as_string(),
        website: website.map(str::to_owned),
    })
}

/// `urn:ietf:wg:oauth:2.0:oob` (show the code) or an absolute URI without a
/// fragment: https, http or an app's own scheme (`myapp://callback`), never
/// one that runs or embeds content where the browser lands.
fn valid_redirect(uri: &str) -> bool {
    const NEVER: [&str; 5] = ["javascript", "data", "vbscript", "file", "blob"];
    uri == OOB
        || (uri.len() <= 2000
            && url::Url::parse(uri).is_ok_and(|u| u.fragment().is_none() && !NEVER.contains(&u.scheme())))
}

/// The redirect URI meaning "show the code on the page".
pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";

/// The client, if `client_id` names one and `secret` (when given) is its secret.
pub async fn client(db: &Db, client_id: &str, secret: Option<&str>) -> Result<App, Refusal> {
    let mut conn = db.conn().await?;
    let app = oauth::app_by_client_id(conn.as_ref(), client_id).await?.ok_or(Refusal::InvalidClient)?;
    match secret {
        Some(s) if !bool::from(tokens::hash(s).as_bytes().ct_eq(app.secret_hash.as_bytes())) => {
            Err(Refusal::InvalidClient)
        }
        _ => Ok(app),
    }
}

fn granted(app: &App, requested: Option<&str>) -> Result<Scopes, Refusal> {
    let app_scopes = Scopes::parse(&app.scopes, DEFAULT_SCOPES).map_err(Refusal::InvalidScope)?;
    match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(app_scopes),
        Some(r) => Scopes::parse(r, DEFAULT_SCOPES).and_then(|s| s.within(&app_scopes)).map_err(Refusal::InvalidScope),
    }
}

/// Issues an access and a refresh token to `staff` through `app`, logged.
async fn issue(db: &Db, app: &App, staff: Staff, scopes: &Scopes, how: &str) -> Result<Issued, AppError> {
    let (access_token, refresh_token) = (tokens::generate(), tokens::generate());
    let mut tx = db.begin().await?;
    let new = NewToken {
        user_id: staff.id,
        app,
        scopes: &scopes.as_string(),
        token_hash: &tokens::hash(&access_token),
        refresh_hash: &tokens::hash(&refresh_token),
    };
    let token_id = oauth::insert_token(tx.conn(), &new).await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: (&staff).into(),
            action: "oauth.token",
            subject_users: &[staff.id],
            data: serde_json::json!({ "token_id": token_id, "app": app.name, "scopes": scopes.as_string(), "grant": how }),
            message: format!("@{} authorized \"{}\" ({how}; scopes: {})", staff.nickname, app.name, scopes.as_string()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Issued { access_token, refresh_token, scopes: scopes.as_string(), staff })
}

/// The password grant: throttled and counted like the sign-in form.
pub async fn password_grant(
    db: &Db,
    limits: throttle::Limits,
    ip: &str,
    app: &App,
    username: &str,
    password: &str,
    scope: Option<&str>,
) -> Result<Issued, Refusal> {
    let scopes = granted(app, scope)?;
    let (row, staff) = match sign_in::check(db, limits, username, password, ip).await? {
        Ok(found) => found,
        Err(r @ Refused::Throttled { .. }) => return Err(Refusal::SlowDown(r.message())),
        Err(r @ Refused::Wrong) => return Err(Refusal::InvalidGrant(r.message())),
    };
    if row.password_reset_pending {
        return Err(Refusal::InvalidGrant("Choose a new password in the console first: an admin asked for it.".into()));
    }
    Ok(issue(db, app, staff, &scopes, "password").await?)
}

/// A PKCE challenge (RFC 7636) as the client sent it.
#[derive(Debug, Clone, Copy)]
pub struct Pkce<'a> {
    pub challenge: &'a str,
    /// `S256` or `plain`.
    pub method: &'a str,
}

/// The consent page's "Allow": a one-time code for `redirect_uri`.
pub async fn grant_code(
    db: &Db,
    app: &App,
    staff: &Staff,
    redirect_uri: &str,
    scopes: &Scopes,
    pkce: Option<Pkce<'_>>,
) -> Result<String, AppError> {
    let code = tokens::generate();
    let mut tx = db.begin().await?;
    let new = NewCode {
        code_hash: &tokens::hash(&code),
        app_id: app.id,
        user_id: staff.id,
        redirect_uri,
        scopes: &scopes.as_string(),
        challenge: pkce.map(|p| p.challenge),
        challenge_method: pkce.map(|p| p.method),
    };
    oauth::insert_code(tx.conn(), &new).await?;
    tx.commit().await?;
    Ok(code)
}

/// Checks what the consent page is asked to show: the client, a registered
/// redirect URI, grantable scopes and a well-formed PKCE challenge.
pub fn check_authorize_request<'a>(
    app: &App,
    redirect_uri: &str,
    scope: Option<&str>,
    challenge: Option<&'a str>,
    method: Option<&'a str>,
) -> Result<(Scopes, Option<Pkce<'a>>), Refusal> {
    if !app.allows_redirect(redirect_uri) {
        return Err(Refusal::InvalidRequest("redirect_uri is not one this app registered".into()));
    }
    let scopes = granted(app, scope)?;
    let pkce = match (challenge.filter(|c| !c.is_empty()), method.unwrap_or("plain")) {
        (None, _) => None,
        (Some(c), m @ ("S256" | "plain")) if (43..=128).contains(&c.len()) => Some(Pkce { challenge: c, method: m }),
        _ => {
            return Err(Refusal::InvalidRequest(
                "code_challenge must be 43–128 characters, method S256 or plain".into(),
            ));
        }
    };
    Ok((scopes, pkce))
}

/// The authorization-code grant, with the PKCE verifier when the code has a challenge.
pub async fn code_grant(
    db: &Db,
    app: &App,
    code: &str,
    redirect_uri: &str,
    verifier: Option<&str>,
) -> Result<Issued, Refusal> {
    let invalid = || Refusal::InvalidGrant("The code is unknown, expired or already used.".into());
    let mut tx = db.begin().await?;
    let found = oauth::take_code(tx.conn(), &tokens::hash(code)).await?.ok_or_else(invalid)?;
    tx.commit().await?;
    if found.app_id != app.id || found.redirect_uri != redirect_uri {
        return Err(invalid());
    }
    if let Some(challenge) = &found.challenge {
        let verifier = verifier.ok_or_else(|| Refusal::InvalidGrant("code_verifier is required".into()))?;
        if !pkce_matches(challenge, found.challenge_method.as_deref().unwrap_or("plain"), verifier) {
            return Err(Refusal::InvalidGrant("code_verifier does not match the challenge".into()));
        }
    }
    let staff = current_staff(db, found.user_id).await?.ok_or_else(invalid)?;
    let scopes = Scopes::parse(&found.scopes, DEFAULT_SCOPES).map_err(Refusal::InvalidScope)?;
    Ok(issue(db, app, staff, &scopes, "authorization code").await?)
}

/// RFC 7636: `S256` is base64url(SHA-256(verifier)), `plain` the verifier itself.
fn pkce_matches(challenge: &str, method: &str, verifier: &str) -> bool {
    let expected = match method {
        "S256" => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        _ => verifier.to_owned(),
    };
    bool::from(expected.as_bytes().ct_eq(challenge.as_bytes()))
}

/// Still active staff, with their current role (a demoted holder gets nothing).
async fn current_staff(db: &Db, user_id: i64) -> Result<Option<Staff>, AppError> {
    let mut conn = db.conn().await?;
    Ok(users::find_login_by_id(conn.as_ref(), user_id)
        .await?
        .filter(|r| !r.password_reset_pending)
        .and_then(|r| r.staff()))
}

/// The refresh grant: the old pair is revoked, a new pair issued.
pub async fn refresh_grant(db: &Db, app: &App, refresh_token: &str) -> Result<Issued, Refusal> {
    let invalid = || Refusal::InvalidGrant("The refresh token is unknown or was revoked.".into());
    let mut tx = db.begin().await?;
    let (user_id, scopes) =
        oauth::take_refresh(tx.conn(), app.id, &tokens::hash(refresh_token)).await?.ok_or_else(invalid)?;
    tx.commit().await?;
    let staff = current_staff(db, user_id).await?.ok_or_else(invalid)?;
    let scopes = Scopes::parse(&scopes, DEFAULT_SCOPES).map_err(Refusal::InvalidScope)?;
    Ok(issue(db, app, staff, &scopes, "refresh").await?)
}

/// Revokes an access or refresh token of `app` (RFC 7009: unknown tokens
/// are not an error).
pub async fn revoke(db: &Db, app: &App, token: &str) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    if let Some(user_id) = oauth::revoke(tx.conn(), app.id, &tokens::hash(token)).await?
        && let Some(row) = users::find_login_by_id(tx.conn(), user_id).await?
    {
        audit::record(
            tx.conn(),
            audit::Entry {
                actor: audit::Actor { id: row.id, nickname: &row.nickname },
                action: "oauth.revoke",
                subject_users: &[row.id],
                data: serde_json::json!({ "app": app.name }),
                message: format!("\"{}\" gave up its token for @{}", app.name, row.nickname),
            },
        )
        .await?;
    }
    tx.commit().await
}

/// An intake token from the client_credentials grant.
pub struct IntakeIssued {
    pub access_token: String,
}

/// The client_credentials grant (RFC 6749 §4.4): a trusted app asking for
/// scope `intake` gets an intake-scoped token, owned by the admin who marked
/// the app trusted (it dies with that admin's account). No refresh token: the
/// client can always ask again.
pub async fn client_credentials_grant(db: &Db, app: &App, scope: Option<&str>) -> Result<IntakeIssued, Refusal> {
    if scope.map(str::trim) != Some("intake") {
        return Err(Refusal::InvalidScope("client_credentials grants only scope \"intake\"".into()));
    }
    let mut tx = db.begin().await?;
    // Read again inside the transaction: the app may have been distrusted since.
    let app = oauth::app_by_id(tx.conn(), app.id).await?.ok_or(Refusal::InvalidClient)?;
    let refused = || Refusal::UnauthorizedClient("Only a trusted app may use client_credentials.".into());
    if !app.trusted {
        return Err(refused());
    }
    let owner = match app.trusted_by {
        Some(id) => users::find_login_by_id(tx.conn(), id).await?,
        None => None,
    };
    let owner = owner.filter(|o| o.is_active && o.is_admin).ok_or_else(refused)?;
    let access_token = tokens::generate();
    let token_id = oauth::insert_intake_token(tx.conn(), owner.id, &app, &tokens::hash(&access_token)).await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: audit::Actor { id: owner.id, nickname: &owner.nickname },
            action: "oauth.token",
            subject_users: &[],
            data: serde_json::json!({ "token_id": token_id, "app": app.name, "app_id": app.id, "scopes": "intake", "grant": "client_credentials" }),
            message: format!("Trusted app \"{}\" took an intake token (client_credentials)", app.name),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(IntakeIssued { access_token })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_checks_the_verifier_against_its_challenge() {
        // Computed independently: Python's base64.urlsafe_b64encode(hashlib.sha256(v).digest()).
        let verifier = "dBjftJeZ4CVP-mJ92K9IeaWUfc9ALKNfUQEvFUrsNcg";
        let challenge = "ogefmyUlX9z7evXfAJtbN2AtyVwYEdIQL9EJXhf8rNI";
        assert!(pkce_matches(challenge, "S256", verifier));
        assert!(!pkce_matches(challenge, "S256", "another verifier of enough length 0123456789"));
        assert!(pkce_matches(verifier, "plain", verifier));
        assert!(valid_redirect("https://admin.example.org/oauth-callback") && valid_redirect(OOB));
        assert!(!valid_redirect("/relative") && !valid_redirect("https://x.example/#frag"));
        assert!(!valid_redirect("javascript:alert(1)") && !valid_redirect("data:text/html,x"));
        assert!(valid_redirect("myapp://oauth/callback"));
    }
}
