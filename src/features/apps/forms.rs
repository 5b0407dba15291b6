//! `POST /apps` (create), `POST /apps/{id}` (the tri-state edit form) and
//! `POST /apps/{id}/webhooks` (the webhooks editor): each builds the same
//! JSON body the API takes, so the rules are the API's, then
//! post/redirect/get. A change of `frontend_url` is applied only on a second
//! submit that confirms the new value, because emails point at it.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};
use tower_sessions::Session;

use super::service::{self, AppEdit};
use crate::auth::{AdminCtx, session};
use crate::error::AppError;
use crate::server::rejections::{ApiForm, ApiPath};
use crate::server::state::AppState;
use crate::ui::flash::{Flash, FormState};
use crate::ui::tristate::Tri;

type Pairs = Vec<(String, String)>;

/// Single values the edit form offers in three states.
pub const TEXT_FIELDS: [&str; 5] =
    ["name", "description", "frontend_url", "default_organization_id", "registration_namespace"];
/// Lists the edit form offers in three states, one entry per line.
pub const LIST_FIELDS: [&str; 6] = [
    "allowed_redirect_urls",
    "service_codes",
    "allowed_email_domains",
    "allowed_auth_methods",
    "registration_namespaces",
    "read_namespaces",
];
/// The most rows a posted editor is read for.
const ROWS_MAX: usize = 40;

fn get<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn lines(s: &str) -> Value {
    Value::Array(s.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Value::String(l.into())).collect())
}

/// The rejected form with everything typed kept (no secrets are typed here).
fn kept(name: &str, status: u16, pairs: &Pairs) -> FormState {
    pairs.iter().filter(|(_, v)| v.len() <= 20_000).fold(FormState::new(name, status), |f, (k, v)| f.value(k, v))
}

async fn back(session: &Session, to: &str, form: FormState) -> Result<Response, AppError> {
    session::keep_form(session, form).await?;
    Ok(Redirect::to(to).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiForm(pairs): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let mut body = Map::new();
    body.insert("name".into(), Value::String(get(&pairs, "name").unwrap_or_default().into()));
    for key in ["description", "frontend_url"] {
        if let Some(v) = get(&pairs, key).filter(|v| !v.trim().is_empty()) {
            body.insert(key.into(), Value::String(v.into()));
        }
    }
    if let Some(v) = get(&pairs, "status").filter(|v| !v.is_empty()) {
        body.insert("status".into(), Value::String(v.into()));
    }
    let created = match AppEdit::read(Value::Object(body)) {
        Ok(edit) => service::create(&state.db, &ctx, &edit).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(d) => {
            session::push_flash(&session, Flash::success(format!("App #{} created.", d.id))).await?;
            Ok(Redirect::to(&format!("/apps/{}", d.id)).into_response())
        }
        Err(AppError::Validation { param, message }) => {
            back(&session, "/apps", kept("app_new", 422, &pairs).error(&param, message)).await
        }
        Err(e) => Err(e),
    }
}

/// The JSON body of an edit form: only the fields set or cleared.
fn edit_body(pairs: &Pairs) -> Map<String, Value> {
    let mut body = Map::new();
    for key in TEXT_FIELDS {
        match Tri::read(pairs, key) {
            Tri::Keep => {}
            Tri::Set(v) => _ = body.insert(key.into(), Value::String(v)),
            Tri::Clear => _ = body.insert(key.into(), Value::String(String::new())),
        }
    }
    for key in LIST_FIELDS {
        match Tri::read(pairs, key) {
            Tri::Keep => {}
            Tri::Set(v) => _ = body.insert(key.into(), lines(&v)),
            Tri::Clear => _ = body.insert(key.into(), Value::Array(Vec::new())),
        }
    }
    if let Some(v) = get(pairs, "status").filter(|v| !v.is_empty()) {
        body.insert("status".into(), Value::String(v.into()));
    }
    match get(pairs, "auto_grant_on_signup") {
        Some("true") => _ = body.insert("auto_grant_on_signup".into(), Value::Bool(true)),
        Some("false") => _ = body.insert("auto_grant_on_signup".into(), Value::Bool(false)),
        _ => {}
    }
    body
}

pub async fn update(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(pairs): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let here = format!("/apps/{id}");
    let edit = match AppEdit::read(Value::Object(edit_body(&pairs))) {
        Ok(e) => e,
        Err(AppError::Validation { param, message }) => {
            return back(&session, &here, kept("app_edit", 422, &pairs).error(&param, message)).await;
        }
        Err(e) => return Err(e),
    };
    // Emails point at frontend_url: a change waits for a second, confirming submit.
    if let Some(new) = &edit.frontend_url {
        let current = service::find(&state.db, id).await?;
        let token = new.clone().unwrap_or_default();
        if *new != current.policy.frontend_url && get(&pairs, "confirm_frontend_url") != Some(token.as_str()) {
            let target =
                new.clone().unwrap_or_else(|| format!("{} (the instance's public URL)", state.config.base_url()));
            let form = kept("app_edit", 200, &pairs).value("confirm_frontend_url", &token).error(
                "frontend_url__confirm",
                format!(
                    "Emails for verify, reset, magic-link and invitations will point at {target}. \
                     Check it, then save again to confirm."
                ),
            );
            return back(&session, &here, form).await;
        }
    }
    match service::update(&state.db, &ctx, id, &edit).await {
        Ok(_) => {
            session::push_flash(&session, Flash::success(format!("App #{id} saved."))).await?;
            Ok(Redirect::to(&here).into_response())
        }
        Err(AppError::Validation { param, message }) => {
            back(&session, &here, kept("app_edit", 422, &pairs).error(&param, message)).await
        }
        Err(e) => Err(e),
    }
}

/// Maps `webhooks[k].field` (k counts the rows kept) back to the row's input.
fn row_param(param: &str, rows: &[usize]) -> String {
    let parsed = param
        .strip_prefix("webhooks[")
        .and_then(|r| r.split_once(']'))
        .and_then(|(k, rest)| Some((k.parse::<usize>().ok()?, rest.trim_start_matches('.'))));
    match parsed {
        Some((k, field)) if k < rows.len() && !field.is_empty() => format!("wh_{field}_{}", rows[k]),
        _ => "webhooks".into(),
    }
}

pub async fn webhooks(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(pairs): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let here = format!("/apps/{id}");
    let (mut list, mut rows) = (Vec::new(), Vec::new());
    for i in 0..ROWS_MAX {
        let url = get(&pairs, &format!("wh_url_{i}")).unwrap_or_default().trim();
        if url.is_empty() || get(&pairs, &format!("wh_remove_{i}")).is_some() {
            continue;
        }
        let events = get(&pairs, &format!("wh_events_{i}")).unwrap_or_default().replace(',', "\n");
        list.push(serde_json::json!({
            "url": url,
            "events": lines(&events),
            "enabled": get(&pairs, &format!("wh_enabled_{i}")).is_some(),
        }));
        rows.push(i);
    }
    let body = serde_json::json!({ "webhooks": list });
    let saved = match AppEdit::read(body) {
        Ok(edit) => service::update(&state.db, &ctx, id, &edit).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(d) => {
            session::push_flash(&session, Flash::success(format!("Webhooks of app #{id} saved."))).await?;
            for (hook, secret) in &d.new_secrets {
                let url = d.webhooks.iter().find(|w| w.id == *hook).map(|w| w.url.clone()).unwrap_or_default();
                let flash = Flash {
                    secret: Some(secret.clone()),
                    ..Flash::info(format!("Signing secret of the new webhook {url}:"))
                };
                session::push_flash(&session, flash).await?;
            }
            Ok(Redirect::to(&here).into_response())
        }
        Err(AppError::Validation { param, message }) => {
            let form = kept("app_webhooks", 422, &pairs).error(&row_param(&param, &rows), message);
            back(&session, &here, form).await
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_errors_go_back_to_their_row() {
        assert_eq!(row_param("webhooks[1].url", &[0, 3]), "wh_url_3");
        assert_eq!(row_param("webhooks", &[0]), "webhooks");
        assert_eq!(row_param("webhooks[9].url", &[0]), "webhooks");
    }

    #[test]
    fn only_fields_set_or_cleared_are_posted() {
        let pairs: Pairs = [
            ("name__mode", "keep"),
            ("name", "x"),
            ("frontend_url__mode", "clear"),
            ("service_codes__mode", "set"),
            ("service_codes", "a\n\n b \n"),
            ("read_namespaces__mode", "clear"),
            ("status", ""),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let body = Value::Object(edit_body(&pairs));
        assert_eq!(body, serde_json::json!({"frontend_url": "", "service_codes": ["a", "b"], "read_namespaces": []}));
    }
}
