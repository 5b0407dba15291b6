//! `/reports/{id}`: who reported whom and why, the account at a glance, the
//! reported statuses (sanitized, media blurred), notes, and the decisions:
//! a quick resolve/close/reopen with a note, or several actions reviewed and
//! confirmed together. Plain forms; after a decision the next open report opens.

use leptos::prelude::*;
use leptos_meta::Title;

use super::server::{NoteItem, ReportDetail, load_report};
use crate::domain::ReportState;
use crate::error::AppError;
use crate::features::audit::lines::log_line_items;
use crate::features::statuses::item::StatusCard;
use crate::ui::data::{PageResource, page_data_by_id};
use crate::ui::flash::FormState;
use crate::ui::page_session::use_page_session;
use crate::ui::{
    BUTTON, BUTTON_DANGER, BUTTON_QUIET, ErrorView, FormError, GREY, RED, SECTION, Select, TextArea, badge, format_time,
};

/// The form name under which a reviewed plan waits for confirmation.
pub const PLAN_FORM: &str = "report_plan";

/// What `/reports/{id}` loads: created when the route matches, handed to the page.
#[derive(Clone, Copy)]
pub struct ReportRouteData {
    report: PageResource<Result<ReportDetail, AppError>>,
}

/// Starts loading the page for the current URL; called by the route's `data()` (app.rs).
pub fn report_data() -> ReportRouteData {
    let report = page_data_by_id(load_report);
    ReportRouteData { report }
}

#[component]
pub fn ReportPage(data: ReportRouteData) -> impl IntoView {
    let ReportRouteData { report } = data;
    let session = use_page_session();
    view! {
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let form = session.await.ok().and_then(|s| s.form);
                match report.await {
                    Ok(d) => view! { <Report d form /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Report(d: ReportDetail, form: Option<FormState>) -> impl IntoView {
    let r = d.report.clone();
    let id = r.id;
    let plan = form.clone().filter(|f| f.form == PLAN_FORM && f.errors.is_empty());
    let rejected = form.filter(|f| !f.errors.is_empty());
    view! {
        <Title text=format!("Report #{id}") />
        <p class="mb-2">
            <a
                href="/reports"
                class="inline-flex min-h-11 items-center text-sm text-indigo-700 underline dark:text-indigo-300"
            >
                "← Reports"
            </a>
        </p>
        <header class="mb-4">
            <h1 class="text-2xl font-semibold tracking-tight">{format!("Report #{id}")}</h1>
            <div class="mt-1 flex flex-wrap gap-1" data-testid="report-badges">
                {crate::ui::report_state_badge(r.state)}
                {(!r.account_active).then(|| badge("account deactivated".into(), RED))}
                {r.assignee.clone().map(|a| badge(format!("assigned to @{a}"), GREY))}
            </div>
        </header>
        <FormError form=rejected />
        {plan.map(|p| view! { <ConfirmPlan id form=p /> }.into_any())}
        {view! { <Decide id state=r.state /> }.into_any()}
        {view! { <Summary d=d.clone() /> }.into_any()}
        {view! { <Actions d=d.clone() /> }.into_any()}
        {view! { <Notes id notes=d.notes.clone() /> }.into_any()}
        <form method="post" action=format!("/reports/{id}/assign") class="mb-6">
            <input type="hidden" name="take" value=if d.assigned_to_me { "0" } else { "1" } />
            <button type="submit" class=BUTTON_QUIET>
                {if d.assigned_to_me { "Unassign me" } else { "Assign to me" }}
            </button>
        </form>
    }
}

/// The one-tap decision: resolve or close (or reopen) with an optional note.
#[component]
fn Decide(id: i64, state: ReportState) -> impl IntoView {
    view! {
        <form
            method="post"
            action=format!("/reports/{id}/state")
            class=SECTION
            aria-labelledby="decide-h"
            data-testid="decide"
        >
            <h2 id="decide-h" class="mb-2 text-lg font-semibold">
                "Decision"
            </h2>
            <TextArea name="note" id="decide-note" label="Note (optional)" rows=2 class="" />
            <div class="mt-3 grid grid-cols-2 gap-2 sm:flex">
                {if state == ReportState::Open {
                    view! {
                        <button type="submit" name="op" value="resolve" class=BUTTON>
                            "Resolve"
                        </button>
                        <button type="submit" name="op" value="close" class=BUTTON_QUIET>
                            "Close"
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <button type="submit" name="op" value="reopen" class=BUTTON_QUIET>
                            "Reopen"
                        </button>
                    }
                        .into_any()
                }}
            </div>
        </form>
    }
}

fn fact(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="flex justify-between gap-4 py-2 text-sm">
            <dt class="text-slate-600 dark:text-slate-400">{label}</dt>
            <dd class="text-right break-words">{value}</dd>
        </div>
    }
}

fn age(joined: i64) -> String {
    let days = (crate::ui::now_secs() - joined).max(0) / 86_400;
    match days {
        0 => "today".into(),
        1 => "1 day ago".into(),
        d if d < 60 => format!("{d} days ago"),
        d if d < 730 => format!("{} months ago", d / 30),
        d => format!("{} years ago", d / 365),
    }
}

/// Who reported whom and why, and the account's history.
#[component]
fn Summary(d: ReportDetail) -> impl IntoView {
    let r = d.report;
    let f = d.facts;
    let reports = f.reports.iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect::<Vec<_>>().join(", ");
    view! {
        <section class=SECTION aria-labelledby="why-h">
            <h2 id="why-h" class="mb-2 text-lg font-semibold">
                "Who and why"
            </h2>
            <p class="text-sm">
                <a
                    href=format!("/users/{}", r.account_id)
                    class="font-medium break-all text-indigo-700 underline dark:text-indigo-300"
                >
                    {format!("@{}", r.account_nickname)}
                </a>
                {format!(
                    " reported by {} on {}",
                    r.reporter.as_deref().map_or("an anonymous reporter".to_owned(), |n| format!("@{n}")),
                    format_time(r.created_at),
                )}
            </p>
            <blockquote
                class="mt-2 rounded-lg border-l-4 border-slate-300 bg-slate-50 px-3 py-2 text-sm break-words dark:border-slate-600 dark:bg-slate-800"
                data-testid="report-comment"
            >
                {if r.comment.is_empty() { "No comment given.".to_owned() } else { r.comment.clone() }}
            </blockquote>
            <dl class="mt-3 divide-y divide-slate-200 dark:divide-slate-800" data-testid="account-facts">
                {fact("Account created", format!("{} ({})", format_time(f.joined), age(f.joined)))}
                {fact("Status", if f.active { "active".into() } else { "deactivated".into() })}
                {fact("Statuses", f.statuses.to_string())}
                {fact("Reports against it", reports)}
            </dl>
            {(!f.history.is_empty())
                .then(|| {
                    view! {
                        <h3 class="mt-3 text-sm font-semibold">"Earlier actions"</h3>
                        <ul class="mt-1 space-y-1 text-sm" data-testid="account-history">
                            {log_line_items(f.history)}
                        </ul>
                    }
                })}
        </section>
    }
}

const TICK: &str = "inline-flex min-h-11 items-center gap-2 text-sm";

/// The reported statuses with tick boxes, and every other action, reviewed
/// then confirmed as one change.
#[component]
fn Actions(d: ReportDetail) -> impl IntoView {
    let r = d.report;
    let id = r.id;
    let has_statuses = !d.statuses.is_empty();
    let live = d.statuses.iter().any(|s| !s.deleted);
    view! {
        <form
            method="post"
            action=format!("/reports/{id}/act")
            class=SECTION
            aria-labelledby="act-h"
            data-testid="actions"
        >
            <h2 id="act-h" class="mb-1 text-lg font-semibold">
                "Statuses and actions"
            </h2>
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-400">
                "Tick what to do, review, then confirm: everything happens together or not at all."
            </p>
            {if has_statuses {
                view! {
                    <ul class="space-y-3">
                        {d
                            .statuses
                            .into_iter()
                            .map(|s| {
                                let sid = s.id;
                                let deleted = s.deleted;
                                let sensitive = s.sensitive;
                                view! {
                                    <li>
                                        <StatusCard status=s>
                                            {if deleted {
                                                view! {
                                                    <p class="text-sm text-slate-600 dark:text-slate-400">
                                                        "Deleted; kept here as evidence."
                                                    </p>
                                                }
                                                    .into_any()
                                            } else {
                                                view! {
                                                    <div class="grid grid-cols-1 gap-x-4 sm:flex sm:flex-wrap">
                                                        {(!sensitive)
                                                            .then(|| {
                                                                view! {
                                                                    <label class=TICK>
                                                                        <input
                                                                            type="checkbox"
                                                                            name="sensitive"
                                                                            value=sid
                                                                            class="size-5"
                                                                        />
                                                                        "Mark sensitive"
                                                                    </label>
                                                                }
                                                            })} <label class=TICK>
                                                            <input
                                                                type="checkbox"
                                                                name="visibility_ids"
                                                                value=sid
                                                                class="size-5"
                                                            />
                                                            "Change visibility"
                                                        </label> <label class=TICK>
                                                            <input
                                                                type="checkbox"
                                                                name="delete"
                                                                value=sid
                                                                class="size-5"
                                                            />
                                                            "Delete"
                                                        </label>
                                                    </div>
                                                }
                                                    .into_any()
                                            }}
                                        </StatusCard>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            } else {
                view! { <p class="text-sm">"This report names no statuses."</p> }.into_any()
            }}
            {live
                .then(|| {
                    view! {
                        <Select
                            name="visibility"
                            id="act-visibility"
                            label="New visibility for statuses ticked “Change visibility”"
                            options=vec![
                                ("unlisted", "Unlisted"),
                                ("private", "Followers only (private)"),
                                ("public", "Public"),
                            ]
                            class="mt-3"
                        />
                    }
                })}
            <div class="mt-3 border-t border-slate-200 pt-3 dark:border-slate-800">
                {r
                    .account_active
                    .then(|| {
                        view! {
                            <label class=TICK>
                                <input type="checkbox" name="deactivate" value="1" class="size-5" />
                                {format!("Deactivate @{}", r.account_nickname)}
                            </label>
                        }
                    })} <fieldset class="mt-2">
                    <legend class="text-sm font-medium">"The report"</legend>
                    <div class="grid grid-cols-1 sm:flex sm:gap-4">
                        <label class=TICK>
                            <input type="radio" name="state" value="" checked=true class="size-5" />
                            "Leave as it is"
                        </label>
                        {if r.state == ReportState::Open {
                            view! {
                                <label class=TICK>
                                    <input type="radio" name="state" value="resolved" class="size-5" />
                                    "Resolve"
                                </label>
                                <label class=TICK>
                                    <input type="radio" name="state" value="closed" class="size-5" />
                                    "Close"
                                </label>
                            }
                                .into_any()
                        } else {
                            view! {
                                <label class=TICK>
                                    <input type="radio" name="state" value="open" class="size-5" />
                                    "Reopen"
                                </label>
                            }
                                .into_any()
                        }}
                    </div>
                </fieldset> <TextArea name="note" id="act-note" label="Note (optional)" rows=2 class="mt-2" />
            </div>
            <button type="submit" class=format!("{BUTTON} mt-3 w-full sm:w-auto")>
                "Review actions"
            </button>
        </form>
    }
}

/// The reviewed plan: what will happen, and the button that does it.
#[component]
fn ConfirmPlan(id: i64, form: FormState) -> impl IntoView {
    let v = |k: &str| form.values.get(k).cloned().unwrap_or_default();
    let lines: Vec<String> = v("summary").lines().map(str::to_owned).collect();
    let hidden = ["sensitive", "visibility_ids", "delete", "visibility", "deactivate", "state", "note"]
        .into_iter()
        .map(|k| view! { <input type="hidden" name=k value=v(k) /> })
        .collect_view();
    view! {
        <section
            id="confirm"
            class="mb-6 rounded-2xl border-2 border-indigo-600 bg-indigo-50 p-5 dark:bg-indigo-950"
            aria-labelledby="confirm-h"
            data-testid="confirm-plan"
        >
            <h2 id="confirm-h" class="mb-2 text-lg font-semibold">
                "Confirm these actions"
            </h2>
            <ul class="mb-3 list-disc space-y-1 pl-5 text-sm">
                {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
            <form method="post" action=format!("/reports/{id}/act")>
                {hidden}
                <input type="hidden" name="confirmed" value="1" />
                <div class="grid grid-cols-2 gap-2 sm:flex">
                    <button type="submit" class=BUTTON autofocus=true>
                        "Confirm"
                    </button>
                    <a href=format!("/reports/{id}") class=BUTTON_QUIET rel="external">
                        "Cancel"
                    </a>
                </div>
            </form>
        </section>
    }
}

#[component]
fn Notes(id: i64, notes: Vec<NoteItem>) -> impl IntoView {
    view! {
        <section id="notes" class=SECTION aria-labelledby="notes-h">
            <h2 id="notes-h" class="mb-2 text-lg font-semibold">
                {format!("Notes ({})", notes.len())}
            </h2>
            <ul class="mb-3 space-y-2" data-testid="notes">
                {notes
                    .into_iter()
                    .map(|n| {
                        view! {
                            <li class="rounded-lg bg-slate-50 p-3 text-sm dark:bg-slate-800" data-testid="note">
                                <p class="text-xs text-slate-600 dark:text-slate-400">
                                    {format!("@{} · {}", n.author, format_time(n.created_at))}
                                </p>
                                <p class="mt-1 whitespace-pre-line break-words">{n.content}</p>
                                {n
                                    .can_delete
                                    .then(|| {
                                        view! {
                                            <form
                                                method="post"
                                                action=format!("/reports/{id}/notes/{}/delete", n.id)
                                                class="mt-2"
                                            >
                                                <button type="submit" class=BUTTON_DANGER>
                                                    "Delete note"
                                                </button>
                                            </form>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <form method="post" action=format!("/reports/{id}/notes")>
                <TextArea name="content" id="note-content" label="Add a note" required=true class="" />
                <button type="submit" class=format!("{BUTTON_QUIET} mt-2")>
                    "Add note"
                </button>
            </form>
        </section>
    }
}
