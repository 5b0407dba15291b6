//! The OpenID Connect side of single sign-on, through the `openidconnect`
//! crate: the provider's metadata (discovery from the issuer, with the
//! configured endpoints taking precedence), the authorization URL with PKCE,
//! the code exchange and the ID token's verification.
//!
//! Errors name what went wrong in words of our own: a library error may
//! carry a response body (tokens), which never reaches a page or a log.

use std::sync::OnceLock;
use std::time::Duration;

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreClientAuthMethod, CoreGenderClaim, CoreIdTokenClaims, CoreJsonWebKeySet,
    CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthType, AuthUrl, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EmptyAdditionalClaims, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, JsonWebKeySetUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl, UserInfoUrl,
    reqwest,
};

use crate::domain::settings::Sso;

type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// Why a step with the provider failed, in words fit for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The provider could not be reached or answered nonsense (503).
    Unreachable(String),
    /// What came back cannot be trusted or used (400).
    Refused(String),
}

/// The one HTTP client: no redirects (they would open the exchange to
/// server-side request forgery), bounded in time.
fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            // Sign-ins are rare: a fresh connection each time, never one the
            // provider (or a proxy before it) has since dropped.
            .pool_max_idle_per_host(0)
            .build()
            .expect("the HTTP client builds")
    })
}

fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn bad_url(what: &str) -> Failure {
    Failure::Unreachable(format!("The single sign-on {what} in the instance config is not a valid URL."))
}

/// A provider ready for a sign-in: its client and the scopes to ask for.
pub struct Provider {
    client: Client,
    scopes: Vec<String>,
}

/// The identity a verified sign-in proved.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
}

/// What `start` hands back: where to send the browser, and what to keep.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

async fn get_json<T: serde::de::DeserializeOwned>(url: &str, what: &str) -> Result<T, Failure> {
    let unreachable = || Failure::Unreachable(format!("The single sign-on provider's {what} could not be read."));
    let res = http().get(url).header("Accept", "application/json").send().await.map_err(|e| {
        tracing::warn!(error = ?e.without_url(), %url, "single sign-on: {what} unreachable");
        unreachable()
    })?;
    if !res.status().is_success() {
        tracing::warn!(status = %res.status(), %url, "single sign-on: {what} answered an error");
        return Err(unreachable());
    }
    res.json::<T>().await.map_err(|e| {
        tracing::warn!(error = %e.without_url(), %url, "single sign-on: {what} does not parse");
        unreachable()
    })
}

impl Provider {
    /// Reads the provider's metadata and keys. The configured endpoints take
    /// precedence over discovered ones; when discovery fails, the configured
    /// authorization, token and JWKS URLs are enough on their own.
    pub async fn load(sso: &Sso, redirect_uri: &str) -> Result<Provider, Failure> {
        let issuer_raw = set(&sso.issuer).ok_or_else(|| bad_url("issuer"))?;
        let issuer = IssuerUrl::new(issuer_raw.to_owned()).map_err(|_| bad_url("issuer"))?;
        let discovery = format!("{}/.well-known/openid-configuration", issuer_raw.trim_end_matches('/'));
        let discovered = get_json::<CoreProviderMetadata>(&discovery, "discovery document").await;
        let mut meta = match discovered {
            Ok(m) => {
                if m.issuer() != &issuer {
                    tracing::warn!(discovered = %m.issuer().as_str(), "single sign-on: discovery names another issuer");
                    return Err(Failure::Unreachable(
                        "The single sign-on provider's discovery document names another issuer than the instance config."
                            .into(),
                    ));
                }
                m
            }
            Err(e) => {
                let (Some(auth), Some(_), Some(jwks)) =
                    (set(&sso.authorization_url), set(&sso.token_url), set(&sso.jwks_url))
                else {
                    return Err(e);
                };
                CoreProviderMetadata::new(
                    issuer.clone(),
                    AuthUrl::new(auth.to_owned()).map_err(|_| bad_url("authorization URL"))?,
                    JsonWebKeySetUrl::new(jwks.to_owned()).map_err(|_| bad_url("JWKS URL"))?,
                    vec![openidconnect::ResponseTypes::new(vec![openidconnect::core::CoreResponseType::Code])],
                    vec![openidconnect::core::CoreSubjectIdentifierType::Public],
                    vec![openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
                    Default::default(),
                )
            }
        };
        if let Some(u) = set(&sso.authorization_url) {
            meta =
                meta.set_authorization_endpoint(AuthUrl::new(u.to_owned()).map_err(|_| bad_url("authorization URL"))?);
        }
        if let Some(u) = set(&sso.token_url) {
            meta = meta.set_token_endpoint(Some(TokenUrl::new(u.to_owned()).map_err(|_| bad_url("token URL"))?));
        }
        if let Some(u) = set(&sso.userinfo_url) {
            meta =
                meta.set_userinfo_endpoint(Some(UserInfoUrl::new(u.to_owned()).map_err(|_| bad_url("userinfo URL"))?));
        }
        if let Some(u) = set(&sso.jwks_url) {
            meta = meta.set_jwks_uri(JsonWebKeySetUrl::new(u.to_owned()).map_err(|_| bad_url("JWKS URL"))?);
        }
        if meta.token_endpoint().is_none() {
            return Err(Failure::Unreachable("The single sign-on provider names no token endpoint.".into()));
        }
        let jwks: CoreJsonWebKeySet = get_json(meta.jwks_uri().as_str(), "key set").await?;
        let meta = meta.set_jwks(jwks);
        // client_secret_basic unless the provider says it takes only _post.
        let auth_type = match meta.token_endpoint_auth_methods_supported() {
            Some(m)
                if !m.contains(&CoreClientAuthMethod::ClientSecretBasic)
                    && m.contains(&CoreClientAuthMethod::ClientSecretPost) =>
            {
                AuthType::RequestBody
            }
            _ => AuthType::BasicAuth,
        };
        let client_id = set(&sso.client_id).ok_or_else(|| bad_url("client ID"))?;
        let secret = set(&sso.client_secret).map(|s| ClientSecret::new(s.to_owned()));
        let redirect = RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| bad_url("redirect URI"))?;
        let client = CoreClient::from_provider_metadata(meta, ClientId::new(client_id.to_owned()), secret)
            .set_redirect_uri(redirect)
            .set_auth_type(auth_type);
        let configured = set(&sso.scope).unwrap_or("email profile");
        // The crate adds `openid` itself.
        let scopes = configured.split_whitespace().filter(|s| *s != "openid").map(str::to_owned).collect();
        Ok(Provider { client, scopes })
    }

    /// The authorization URL for a new sign-in, with fresh state, nonce and
    /// PKCE (S256) verifier.
    pub fn authorize(&self) -> Authorization {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scopes(self.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .url();
        Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        }
    }

    /// Exchanges the code and verifies the ID token (signature against the
    /// provider's keys, issuer, audience, expiry, nonce).
    pub async fn finish(&self, code: &str, pkce_verifier: &str, nonce: &str) -> Result<Identity, Failure> {
        let request = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|_| Failure::Unreachable("The single sign-on provider names no token endpoint.".into()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()));
        let response = request.request_async(http()).await.map_err(|e| {
            // The variant only: a parse error carries the response body.
            let kind = match &e {
                openidconnect::RequestTokenError::ServerResponse(r) => r.error().to_string(),
                openidconnect::RequestTokenError::Request(_) => "request failed".into(),
                openidconnect::RequestTokenError::Parse(_, _) => "unparsable response".into(),
                openidconnect::RequestTokenError::Other(_) => "other".into(),
            };
            tracing::warn!(%kind, "single sign-on: code exchange refused");
            Failure::Refused(
                "The single sign-on provider refused the sign-in. Start again from the sign-in page.".into(),
            )
        })?;
        let id_token = response
            .id_token()
            .ok_or_else(|| Failure::Refused("The single sign-on provider sent no ID token.".into()))?;
        let claims: &CoreIdTokenClaims =
            id_token.claims(&self.client.id_token_verifier(), &Nonce::new(nonce.to_owned())).map_err(|e| {
                let why = match &e {
                    ClaimsVerificationError::Expired(_) => "it has expired",
                    ClaimsVerificationError::InvalidAudience(_) => "it was issued for another client",
                    ClaimsVerificationError::InvalidIssuer(_) => "another issuer issued it",
                    ClaimsVerificationError::InvalidNonce(_) => "it belongs to another sign-in",
                    ClaimsVerificationError::SignatureVerification(_) => "its signature does not verify",
                    _ => "it is invalid",
                };
                tracing::warn!(reason = why, "single sign-on: ID token refused");
                Failure::Refused(format!("The single sign-on provider's ID token was refused: {why}."))
            })?;
        let mut identity = Identity {
            issuer: claims.issuer().as_str().to_owned(),
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().to_owned()),
            email_verified: claims.email_verified().unwrap_or(false),
            preferred_username: claims.preferred_username().map(|u| u.as_str().to_owned()),
            name: claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_owned()),
        };
        // Some providers put the email only in the userinfo answer.
        if identity.email.is_none()
            && let Ok(req) = self.client.user_info(response.access_token().to_owned(), Some(claims.subject().clone()))
        {
            match req.request_async::<EmptyAdditionalClaims, _, CoreGenderClaim>(http()).await {
                Ok(info) => merge(&mut identity, &info),
                Err(_) => tracing::warn!("single sign-on: userinfo could not be read"),
            }
        }
        Ok(identity)
    }
}

fn merge(identity: &mut Identity, info: &CoreUserInfoClaims) {
    identity.email = info.email().map(|e| e.as_str().to_owned());
    identity.email_verified = info.email_verified().unwrap_or(false);
    if identity.preferred_username.is_none() {
        identity.preferred_username = info.preferred_username().map(|u| u.as_str().to_owned());
    }
}
