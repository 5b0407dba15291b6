//! The reports pages' form posts (post/redirect/get): bulk state changes
//! from the inbox, a report's decision, its reviewed-then-confirmed actions,
//! notes and assignment. Expected refusals become flash messages; server
//! faults stay errors.

use crate::server::rejections::{ApiForm, ApiHtmlForm, ApiPath};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::detail::PLAN_FORM;
use super::service::{self, Plan};
use crate::auth::{ModeratorCtx, session};
use crate::domain::{ReportState, Visibility};
use crate::error::AppError;
use crate::server::state::AppState;
use crate::server::storage::reports;
use crate::ui::capitalized;
use crate::ui::flash::{Flash, FormState};

/// `resolve`, `close` or `reopen` to the state it leads to.
fn op_state(op: &str) -> Option<ReportState> {
    match op {
        "resolve" => Some(ReportState::Resolved),
        "close" => Some(ReportState::Closed),
        "reopen" => Some(ReportState::Open),
        _ => None,
    }
}

/// A refusal the moderator can act on, as a flash; anything else is a fault.
fn refusal(e: AppError) -> Result<Flash, AppError> {
    match e {
        AppError::Forbidden => Ok(Flash::error("Your role cannot do that.")),
        AppError::NotFound => Ok(Flash::error("That no longer exists; reload the page.")),
        e @ (AppError::Validation { .. } | AppError::Conflict { .. } | AppError::Items(_)) => {
            Ok(Flash::error(e.to_string()))
        }
        e => Err(e),
    }
}

async fn flash_and_go(session: &Session, flash: Flash, to: &str) -> Result<Response, AppError> {
    session::push_flash(session, flash).await?;
    Ok(Redirect::to(to).into_response())
}

/// After a report leaves the queue, the next open one (or the empty inbox).
async fn next_after(state: &AppState, id: i64) -> Result<(String, &'static str), AppError> {
    let mut conn = state.db.conn().await?;
    Ok(match reports::next_open(conn.as_ref(), id).await? {
        Some(next) => (format!("/reports/{next}"), "Here is the next open report."),
        None => ("/reports".into(), "No open reports left."),
    })
}

fn ids_list(ids: &[i64]) -> String {
    ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
}

/// The inbox's bulk form: the ticked reports, one op, one optional note.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BulkForm {
    #[serde(deserialize_with = "crate::server::rejections::ids_skipping_others")]
    ids: Vec<i64>,
    op: String,
    note: String,
    return_to: String,
}

/// `POST /reports/bulk`: the inbox's ticked reports, one op, one optional note.
pub async fn bulk(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiHtmlForm(BulkForm { ids, op, note, return_to }): ApiHtmlForm<BulkForm>,
) -> Result<Response, AppError> {
    // Only back to the inbox, never elsewhere.
    let back = if session::returns_to(&return_to, "/reports", &[]) { return_to } else { "/reports".to_owned() };
    let Some(to) = op_state(&op) else {
        return flash_and_go(&session, Flash::error("Choose resolve, close or reopen."), &back).await;
    };
    if ids.is_empty() {
        return flash_and_go(&session, Flash::error("Tick at least one report first."), &back).await;
    }
    let changes: Vec<(i64, ReportState)> = ids.iter().map(|id| (*id, to)).collect();
    let flash = match service::change_states(&state.db, &ctx, &changes, Some(&note)).await {
        Ok(done) => Flash::success(format!(
            "{} {} report{}: {}.",
            capitalized(to.verb()),
            done.len(),
            if done.len() == 1 { "" } else { "s" },
            ids_list(&ids)
        )),
        Err(e) => refusal(e)?,
    };
    flash_and_go(&session, flash, &back).await
}

#[derive(Deserialize)]
pub struct DecideForm {
    op: String,
    #[serde(default)]
    note: String,
}

/// `POST /reports/{id}/state`: resolve, close or reopen with an optional note;
/// a report that leaves the queue leads to the next open one.
pub async fn decide(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<DecideForm>,
) -> Result<Response, AppError> {
    let here = format!("/reports/{id}");
    let Some(to) = op_state(&f.op) else {
        return flash_and_go(&session, Flash::error("Choose resolve, close or reopen."), &here).await;
    };
    match service::change_states(&state.db, &ctx, &[(id, to)], Some(&f.note)).await {
        Ok(_) if to == ReportState::Open => {
            flash_and_go(&session, Flash::success(format!("Report #{id} reopened.")), &here).await
        }
        Ok(_) => {
            let (next, hint) = next_after(&state, id).await?;
            flash_and_go(&session, Flash::success(format!("Report #{id} {}. {hint}", to.verb())), &next).await
        }
        Err(e) => flash_and_go(&session, refusal(e)?, &here).await,
    }
}

/// The actions form. The status ids come from ticked checkboxes (repeated
/// fields) and from the confirmation's hidden fields, which carry each list
/// joined with commas; so each value may hold several ids.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlanForm {
    sensitive: Vec<String>,
    delete: Vec<String>,
    visibility_ids: Vec<String>,
    visibility: String,
    deactivate: String,
    state: String,
    note: String,
    confirmed: String,
}

/// Ids from repeated fields and from comma lists.
fn status_ids(values: &[String]) -> Result<Vec<i64>, AppError> {
    let parts = values.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|p| !p.is_empty());
    parts.map(|p| p.parse().map_err(|_| AppError::validation("status_ids", "Unknown status."))).collect()
}

/// A new visibility for the chosen statuses; blank leaves the default.
fn visibility(v: &str) -> Result<Option<Visibility>, AppError> {
    if v.is_empty() {
        return Ok(None);
    }
    let parsed = Visibility::parse(v).filter(|v| *v != Visibility::Direct);
    parsed.map(Some).ok_or_else(|| AppError::validation("visibility", "Choose public, unlisted or private."))
}

/// The report's new state; blank leaves it as it is.
fn report_state(s: &str) -> Result<Option<ReportState>, AppError> {
    if s.is_empty() {
        return Ok(None);
    }
    ReportState::parse(s).map(Some).ok_or_else(|| AppError::validation("state", "Unknown state."))
}

impl PlanForm {
    /// The form as a [`Plan`], and whether it is the confirmation.
    fn into_plan(self) -> Result<(Plan, bool), AppError> {
        let mut plan = Plan {
            sensitive: status_ids(&self.sensitive)?,
            delete: status_ids(&self.delete)?,
            deactivate: self.deactivate == "1",
            state: report_state(&self.state)?,
            note: Some(self.note.trim().to_owned()).filter(|n| !n.is_empty()),
            ..Plan::default()
        };
        let visibility = visibility(&self.visibility)?;
        let vis_ids = status_ids(&self.visibility_ids)?;
        if !vis_ids.is_empty() {
            plan.visibility = Some((visibility.unwrap_or(Visibility::Unlisted), vis_ids));
        }
        // Deleting a status makes other changes to it moot.
        plan.sensitive.retain(|s| !plan.delete.contains(s));
        if let Some((_, ids)) = &mut plan.visibility {
            ids.retain(|s| !plan.delete.contains(s));
        }
        Ok((plan, self.confirmed == "1"))
    }
}

/// The plan as the confirmation form's hidden values, plus its summary.
fn plan_form(plan: &Plan, summary: &[String]) -> FormState {
    let join = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let (vis, vis_ids) = match &plan.visibility {
        Some((v, ids)) => (v.as_str().to_owned(), join(ids)),
        None => (String::new(), String::new()),
    };
    FormState::new(PLAN_FORM, 200)
        .value("sensitive", &join(&plan.sensitive))
        .value("delete", &join(&plan.delete))
        .value("visibility_ids", &vis_ids)
        .value("visibility", &vis)
        .value("deactivate", if plan.deactivate { "1" } else { "" })
        .value("state", plan.state.map_or("", |s| s.as_str()))
        .value("note", plan.note.as_deref().unwrap_or_default())
        .value("summary", &summary.join("\n"))
}

/// `POST /reports/{id}/act`: first submit shows what will happen; the
/// confirmation applies it all in one transaction.
pub async fn act(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiHtmlForm(form): ApiHtmlForm<PlanForm>,
) -> Result<Response, AppError> {
    let here = format!("/reports/{id}");
    let (plan, confirmed) = match form.into_plan() {
        Ok(p) => p,
        Err(e) => return flash_and_go(&session, refusal(e)?, &here).await,
    };
    if plan.is_empty() {
        let form = FormState::new(PLAN_FORM, 422).error("", "Choose at least one action, then review.");
        session::keep_form(&session, form).await?;
        return Ok(Redirect::to(&here).into_response());
    }
    let mut conn = state.db.conn().await?;
    let report = reports::find(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    let summary = plan.describe(&report.account_nickname);
    if !confirmed {
        session::keep_form(&session, plan_form(&plan, &summary)).await?;
        return Ok(Redirect::to(&format!("{here}#confirm")).into_response());
    }
    match service::act(&state.db, &ctx, id, &plan).await {
        Ok(_) => {
            let done = format!("Done on report #{id}: {}.", summary.join("; "));
            match plan.state {
                Some(ReportState::Resolved | ReportState::Closed) => {
                    let (next, hint) = next_after(&state, id).await?;
                    flash_and_go(&session, Flash::success(format!("{done} {hint}")), &next).await
                }
                _ => flash_and_go(&session, Flash::success(done), &here).await,
            }
        }
        Err(e) => flash_and_go(&session, refusal(e)?, &here).await,
    }
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    content: String,
}

pub async fn add_note(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<NoteForm>,
) -> Result<Response, AppError> {
    let flash = match service::add_note(&state.db, &ctx, id, &f.content).await {
        Ok(_) => Flash::success("Note added."),
        Err(e) => refusal(e)?,
    };
    flash_and_go(&session, flash, &format!("/reports/{id}#notes")).await
}

pub async fn delete_note(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiPath((id, note)): ApiPath<(i64, i64)>,
) -> Result<Response, AppError> {
    let flash = match service::delete_note(&state.db, &ctx, id, note).await {
        Ok(()) => Flash::success("Note deleted."),
        Err(AppError::Forbidden) => Flash::error("Only its author or an admin can delete a note."),
        Err(e) => refusal(e)?,
    };
    flash_and_go(&session, flash, &format!("/reports/{id}#notes")).await
}

#[derive(Deserialize)]
pub struct AssignForm {
    take: String,
}

pub async fn assign(
    State(state): State<AppState>,
    ctx: ModeratorCtx,
    session: Session,
    ApiPath(id): ApiPath<i64>,
    ApiForm(f): ApiForm<AssignForm>,
) -> Result<Response, AppError> {
    let take = f.take == "1";
    let flash = match service::assign(&state.db, &ctx, id, take).await {
        Ok(()) if take => Flash::success(format!("Report #{id} is assigned to you.")),
        Ok(()) => Flash::success(format!("You are no longer assigned to report #{id}.")),
        Err(e) => refusal(e)?,
    };
    flash_and_go(&session, flash, &format!("/reports/{id}")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_read_repeated_and_joined_ids_and_drop_moot_steps() {
        let read_plan = |body: &str| serde_html_form::from_str::<PlanForm>(body).unwrap().into_plan();
        let body = "sensitive=3&sensitive=4&delete=4&visibility_ids=3,5&visibility=private&deactivate=1&state=resolved&note=+spam+&confirmed=1";
        let (plan, confirmed) = read_plan(body).unwrap();
        assert!(confirmed);
        assert_eq!(plan.sensitive, vec![3]);
        assert_eq!(plan.delete, vec![4]);
        assert_eq!(plan.visibility, Some((Visibility::Private, vec![3, 5])));
        assert!(plan.deactivate);
        assert_eq!(plan.state, Some(ReportState::Resolved));
        assert_eq!(plan.note.as_deref(), Some("spam"));
        assert!(read_plan("visibility=direct&visibility_ids=1").is_err());
        assert!(read_plan("state=").unwrap().0.is_empty());
    }
}
