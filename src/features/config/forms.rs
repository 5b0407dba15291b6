//! The `/config` form posts (post/redirect/get, no JavaScript needed): save
//! one section, reload the app, and revert a kept version.
//!
//! Each field comes with `was.<id>`, the JSON of the value the page showed;
//! only fields whose new value differs from it become edits, each carrying
//! it, so a change someone made since to that setting is refused (409)
//! rather than overwritten, and an untouched field never conflicts.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value;
use tower_sessions::Session;

use super::check::{check, from_form};
use super::service::{self, Edit};
use crate::auth::{AdminCtx, session};
use crate::domain::config::{self, SECTIONS, SETTINGS, Setting};
use crate::error::AppError;
use crate::server::rejections::{ApiForm, ApiPath};
use crate::server::state::AppState;
use crate::server::storage::audit::Actor;
use crate::ui::flash::{Flash, FormState};

type Pairs = Vec<(String, String)>;

pub const PAGE: &str = "/config";
pub const HISTORY: &str = "/config/history";

/// The last value sent under `name` (a checkbox follows its hidden "false").
fn last<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Where to go back to: the page with the same search, at the section.
fn back_to(pairs: &Pairs, section: &str) -> String {
    let q = last(pairs, "q").map(str::trim).unwrap_or_default();
    let anchor = format!("#section-{section}");
    if q.is_empty() {
        format!("{PAGE}{anchor}")
    } else {
        let qs = serde_urlencoded::to_string([("q", q)]).unwrap_or_default();
        format!("{PAGE}?{qs}{anchor}")
    }
}

/// Text safe to keep in the session and show again: no control characters
/// but line breaks and tabs, and not endless.
fn keepable(v: &str) -> String {
    v.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')).take(5000).collect()
}

/// The edits a section's form asks for, or every field's refusal.
fn edits_of(section: &str, pairs: &Pairs) -> Result<Vec<Edit>, Vec<AppError>> {
    let mut edits = Vec::new();
    let mut errors = Vec::new();
    for s in SETTINGS.iter().filter(|s| s.section == section) {
        let id = s.id();
        if s.is_secret() {
            if last(pairs, &format!("clear.{id}")).is_some() {
                edits.push(Edit { setting: s, value: None, was: None });
            } else if let Some(raw) = last(pairs, &id).filter(|r| !r.trim().is_empty()) {
                match check(s, &Value::String(raw.to_owned())) {
                    Ok(v) => edits.push(Edit { setting: s, value: Some(v), was: None }),
                    Err(e) => errors.push(e),
                }
            }
            continue;
        }
        // A field the page did not show (a search hid it) is left alone.
        let Some(raw) = last(pairs, &id) else { continue };
        let was: Option<Value> = last(pairs, &format!("was.{id}")).and_then(|w| serde_json::from_str(w).ok());
        match from_form(s, raw).and_then(|v| if Some(&v) == was.as_ref() { Ok(v) } else { check(s, &v) }) {
            Ok(v) if Some(&v) == was.as_ref() => {}
            Ok(v) => edits.push(Edit { setting: s, value: Some(v), was }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(edits) } else { Err(errors) }
}

/// The form kept for the page to show again: what was typed (never a
/// secret) and each error by its field.
fn kept(section: &str, status: u16, pairs: &Pairs, errors: &[AppError], fresh: Option<&str>) -> FormState {
    let mut fs = FormState::new(section, status);
    for (k, v) in pairs {
        let bare = k.strip_prefix("was.").unwrap_or(k);
        let secret = config::find(bare).is_some_and(Setting::is_secret);
        // After a conflict the page shows the value now saved, so its `was` is the fresh one.
        if secret || k == "q" || (k.starts_with("was.") && Some(bare) == fresh) {
            continue;
        }
        fs.values.insert(k.clone(), keepable(v));
    }
    for e in errors {
        fs = fs.error(e.param().unwrap_or_default(), e.to_string());
    }
    fs
}

/// `POST /config/{section}`: saves the section's changed fields as one change.
pub async fn save(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(section): ApiPath<String>,
    ApiForm(pairs): ApiForm<Pairs>,
) -> Result<Response, AppError> {
    let section = SECTIONS.iter().find(|s| s.key == section).ok_or(AppError::NotFound)?;
    let back = back_to(&pairs, section.key);
    let edits = match edits_of(section.key, &pairs) {
        Ok(e) => e,
        Err(errors) => {
            session::keep_form(&session, kept(section.key, 422, &pairs, &errors, None)).await?;
            return Ok(Redirect::to(&back).into_response());
        }
    };
    if edits.is_empty() {
        session::push_flash(&session, Flash::info(format!("{}: nothing changed.", section.label))).await?;
        return Ok(Redirect::to(&back).into_response());
    }
    match service::apply(&state, Actor::from(ctx.staff()), &edits, None, None).await {
        Ok(outcome) if outcome.changed.is_empty() => {
            session::push_flash(&session, Flash::info(format!("{}: nothing changed.", section.label))).await?;
        }
        Ok(outcome) => {
            let labels: Vec<&str> = outcome.changed.iter().map(|s| s.label).collect();
            let reload = outcome.changed.iter().any(|s| s.restart);
            let mut message =
                format!("Saved: {}. Every change is in the history, where it can be reverted.", labels.join(", "));
            if reload {
                message.push_str(" Some of them apply after a reload.");
            }
            session::push_flash(&session, Flash::success(message)).await?;
        }
        Err(e @ AppError::Conflict { .. }) => {
            let fresh = e.param().map(str::to_owned);
            let fs = kept(section.key, 409, &pairs, std::slice::from_ref(&e), fresh.as_deref());
            session::keep_form(&session, fs).await?;
        }
        Err(e @ AppError::Validation { .. }) => {
            session::keep_form(&session, kept(section.key, 422, &pairs, std::slice::from_ref(&e), None)).await?;
        }
        Err(e) => return Err(e),
    }
    Ok(Redirect::to(&back).into_response())
}

/// `POST /config/reload`: puts saved settings that wait for a reload into effect.
pub async fn reload(State(state): State<AppState>, ctx: AdminCtx, session: Session) -> Result<Response, AppError> {
    let applied = super::api::reload(&state, Actor::from(ctx.staff())).await?;
    let labels: Vec<&str> = applied.iter().filter_map(|id| config::find(id)).map(|s| s.label).collect();
    let flash = if labels.is_empty() {
        Flash::info("Reloaded; no saved setting was waiting for it.")
    } else {
        Flash::success(format!("Reloaded. Now in effect: {}.", labels.join(", ")))
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(PAGE).into_response())
}

/// `POST /config/history/{id}/revert`: puts back what change `id` replaced.
pub async fn revert(
    State(state): State<AppState>,
    ctx: AdminCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let flash = match service::revert(&state, Actor::from(ctx.staff()), id).await {
        Ok((outcome, skipped)) => {
            let labels: Vec<&str> = outcome.changed.iter().map(|s| s.label).collect();
            let mut m = if labels.is_empty() {
                format!("Reverted change #{id}: its values were already back.")
            } else {
                format!("Reverted change #{id}: {} put back.", labels.join(", "))
            };
            let secrets: Vec<&str> = skipped.iter().filter_map(|i| config::find(i)).map(|s| s.label).collect();
            if !secrets.is_empty() {
                m.push_str(&format!(
                    " Secrets are not kept in the history, so {} stayed as it is.",
                    secrets.join(", ")
                ));
            }
            Flash::success(m)
        }
        Err(AppError::NotFound) => Flash::error(format!("There is no change #{id}.")),
        Err(e @ (AppError::Conflict { .. } | AppError::Validation { .. })) => {
            Flash::error(format!("Change #{id} was not reverted: {e}"))
        }
        Err(e) => return Err(e),
    };
    session::push_flash(&session, flash).await?;
    Ok(Redirect::to(HISTORY).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Pairs {
        p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn only_fields_that_differ_from_what_the_page_showed_become_edits() {
        let p = pairs(&[
            ("sessions.idle_minutes", "60"),
            ("was.sessions.idle_minutes", "60"),
            ("sessions.max_hours", "8"),
            ("was.sessions.max_hours", "12"),
        ]);
        let e = edits_of("sessions", &p).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].setting.id(), "sessions.max_hours");
        assert_eq!((e[0].value.clone(), e[0].was.clone()), (Some(Value::from(8)), Some(Value::from(12))));
    }

    #[test]
    fn a_checkbox_reads_its_last_value_and_a_secret_needs_a_value_or_clear() {
        let p = pairs(&[
            ("sso.enabled", "false"),
            ("sso.enabled", "true"),
            ("was.sso.enabled", "false"),
            ("sso.client_secret", ""),
        ]);
        let e = edits_of("sso", &p).unwrap();
        assert_eq!(e.len(), 1, "the empty secret is kept");
        assert_eq!(e[0].value, Some(Value::Bool(true)));
        let p = pairs(&[("clear.sso.client_secret", "on")]);
        assert_eq!(edits_of("sso", &p).unwrap()[0].value, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let p = pairs(&[("sessions.idle_minutes", "x"), ("sessions.max_hours", "0"), ("was.sessions.max_hours", "12")]);
        let errs = edits_of("sessions", &p).unwrap_err();
        let params: Vec<&str> = errs.iter().filter_map(|e| e.param()).collect();
        assert_eq!(params, ["sessions.idle_minutes", "sessions.max_hours"]);
        let fs = kept("sessions", 422, &pairs(&[("sessions.idle_minutes", "a\0b")]), &errs, None);
        assert_eq!(fs.values["sessions.idle_minutes"], "ab");
    }
}
