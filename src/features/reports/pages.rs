//! `/reports`: the moderation inbox. State tabs, sorts and the grouped view
//! are links (the URL is the whole state); ticking reports and resolving or
//! closing them with one note is a plain form, so spam waves clear without
//! JavaScript too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server::{GroupItem, InboxData, InboxQuery, ReportItem, reports_inbox};
use crate::domain::ReportState;
use crate::features::statuses::item::StatusCard;
use crate::ui::data::page_data;
use crate::ui::markup::Markup;
use crate::ui::{
    AMBER, BUTTON, BUTTON_QUIET, ErrorView, GREY, INPUT, PageHeader, PageLink, Pager, RED, capitalized, format_time,
    report_state_tone,
};

#[component]
pub fn ReportsPage() -> impl IntoView {
    let map = use_query_map();
    let query = Memo::new(move |_| {
        let m = map.read();
        InboxQuery { state: m.get("state"), sort: m.get("sort"), view: m.get("view"), after: m.get("after") }
    });
    let data = page_data(move || query.get(), reports_inbox);
    view! {
        <Title text="Reports" />
        <PageHeader
            title="Reports".into()
            lead="Newest first. Tick reports to resolve or close them together with one note."
        />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Inbox query=query.get_untracked() d /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

const CHIP: &str = "inline-flex min-h-11 items-center gap-1 rounded-full border border-slate-300 px-4 text-sm font-medium aria-[current=page]:border-indigo-600 aria-[current=page]:bg-indigo-600 aria-[current=page]:text-white dark:border-slate-600";

fn chip(href: String, label: String, current: bool) -> impl IntoView {
    view! {
        <a href=href class=CHIP aria-current=current.then_some("page")>
            {label}
        </a>
    }
}

#[component]
fn Inbox(query: InboxQuery, d: InboxData) -> impl IntoView {
    let count = |s: ReportState| d.counts.iter().find(|c| c.0 == s).map_or(0, |c| c.1);
    let all: i64 = d.counts.iter().map(|c| c.1).sum();
    let tabs = ReportState::ALL
        .into_iter()
        .map(|s| {
            let href = query.with(|q| q.state = Some(s.as_str().into())).href(None);
            chip(href, format!("{} {}", capitalized(s.as_str()), count(s)), d.state == Some(s))
        })
        .collect_view();
    let all_tab =
        chip(query.with(|q| q.state = Some("all".into())).href(None), format!("All {all}"), d.state.is_none());
    let grouped = query.view.as_deref() == Some("grouped");
    let sort = query.sort.clone().unwrap_or_else(|| "newest".into());
    let sorts = [("newest", "Newest"), ("oldest", "Oldest"), ("most_reported", "Most reported account")]
        .into_iter()
        .map(|(key, label)| {
            let href = query.with(|q| {
                q.sort = Some(key.into());
                q.view = None;
            });
            chip(href.href(None), label.into(), !grouped && sort == key)
        })
        .collect_view();
    let by_status = chip(query.with(|q| q.view = Some("grouped".into())).href(None), "By status".into(), grouped);
    let empty = d.items.is_empty() && d.groups.is_empty();
    let reopen = d.state != Some(ReportState::Open);
    view! {
        <nav aria-label="Report state" class="mb-3 flex flex-wrap gap-2" data-testid="state-tabs">
            {tabs}
            {all_tab}
        </nav>
        <nav aria-label="Order and grouping" class="mb-4 flex flex-wrap gap-2">
            {sorts}
            {by_status}
        </nav>
        {(!d.notices.is_empty())
            .then(|| {
                view! {
                    <div
                        role="status"
                        class="mb-4 rounded-lg border border-amber-500/40 bg-amber-50 px-4 py-3 text-sm dark:bg-amber-950"
                    >
                        {d.notices.iter().map(|n| view! { <p>{n.clone()}</p> }).collect_view()}
                    </div>
                }
            })}
        {if empty {
            view! {
                <p class="rounded-2xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
                    "Nothing here. The queue is clear."
                </p>
            }
                .into_any()
        } else {
            view! {
                <form method="post" action="/reports/bulk" aria-label="Change several reports">
                    <input type="hidden" name="return_to" value=d.here.clone() />
                    {if grouped {
                        view! {
                            <ul class="space-y-4" data-testid="report-groups">
                                {d.groups.into_iter().map(|g| view! { <Group g /> }).collect_view()}
                            </ul>
                        }
                            .into_any()
                    } else {
                        view! { <ul class="space-y-3" data-testid="report-list" inner_html=rows_html(&d.items) /> }
                            .into_any()
                    }}
                    <BulkBar reopen />
                </form>
            }
                .into_any()
        }}
        <Pager
            prev=query
                .after
                .is_some()
                .then(|| PageLink {
                    href: query.href(None),
                    label: "First page",
                })
            next=d
                .next
                .map(|href| PageLink {
                    href,
                    label: "Next page",
                })
        />
    }
}

/// Reports as list items (see ui/markup.rs): a tick box and a large link to each report.
fn rows_html(reports: &[ReportItem]) -> String {
    let mut m = Markup::with_capacity(reports.len() * 1536);
    for r in reports {
        m.raw(r#"<li><div class="flex gap-1 rounded-2xl border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900" data-testid="report-row" data-report-id=""#)
            .int(r.id)
            .raw(r#""><label class="-my-3 -ml-3 flex w-14 flex-none cursor-pointer items-start justify-center self-stretch rounded-l-2xl pt-6">"#)
            .raw(r#"<input type="checkbox" name="ids" value=""#)
            .int(r.id)
            .raw(r#"" class="size-5" aria-label="Select report "#)
            .int(r.id)
            .raw(r#""></label><div class="min-w-0 flex-1"><a class="flex min-h-11 flex-wrap items-center gap-x-2 font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300" href="/reports/"#)
            .int(r.id)
            .raw(r#""><span>#"#)
            .int(r.id)
            .raw(r#"</span><span class="break-all">@"#)
            .text(&r.account_nickname)
            .raw(r#"</span></a><div class="flex flex-wrap gap-1">"#)
            .badge(r.state.as_str(), report_state_tone(r.state));
        if !r.account_active {
            m.badge("deactivated", RED);
        }
        if let Some(n) = r.account_reports {
            m.badge(&format!("{n} reports on this account"), AMBER);
        }
        if let Some(a) = &r.assignee {
            m.badge(&format!("assigned to @{a}"), GREY);
        }
        let reporter = r.reporter.as_deref().map_or("anonymous".to_owned(), |n| format!("@{n}"));
        let plural = if r.statuses == 1 { "" } else { "es" };
        m.raw(r#"</div><p class="mt-1 line-clamp-2 text-sm break-words">"#)
            .text(if r.comment.is_empty() { "No comment" } else { &r.comment })
            .raw(r#"</p><p class="mt-1 text-xs text-slate-600 dark:text-slate-400">"#)
            .text(&format!("by {reporter} · {} status{plural} · {}", r.statuses, format_time(r.created_at)))
            .raw("</p></div></div></li>");
    }
    m.into_string()
}

/// All reports naming one status.
#[component]
fn Group(g: GroupItem) -> impl IntoView {
    let n = g.total;
    let hidden = n.saturating_sub(g.reports.len() as i64);
    view! {
        <li data-testid="report-group">
            <p class="mb-1 text-sm font-medium">
                {format!("{n} report{} · latest {}", if n == 1 { "" } else { "s" }, format_time(g.latest_at))}
            </p>
            <StatusCard status=g.status>
                <ul class="space-y-2" inner_html=rows_html(&g.reports) />
                {(hidden > 0)
                    .then(|| {
                        view! {
                            <p class="mt-2 text-sm text-slate-600 dark:text-slate-400">
                                {format!("and {hidden} older reports on this status")}
                            </p>
                        }
                    })}
            </StatusCard>
        </li>
    }
}

/// Resolve, close or reopen the ticked reports with one optional note.
#[component]
fn BulkBar(reopen: bool) -> impl IntoView {
    view! {
        <fieldset class="sticky bottom-0 mt-4 rounded-2xl border border-slate-200 bg-white/95 p-2 shadow-lg sm:p-3 backdrop-blur dark:border-slate-800 dark:bg-slate-900/95">
            <legend class="sr-only">"Change the ticked reports"</legend>
            <label for="bulk-note" class="mb-1 block text-sm font-medium">
                "Note for every ticked report (optional)"
            </label>
            <textarea id="bulk-note" name="note" rows="1" maxlength="5000" class=INPUT></textarea>
            <div class="mt-2 grid grid-cols-2 gap-2 sm:flex">
                <button type="submit" name="op" value="resolve" class=BUTTON>
                    "Resolve ticked"
                </button>
                <button type="submit" name="op" value="close" class=BUTTON_QUIET>
                    "Close ticked"
                </button>
                {reopen
                    .then(|| {
                        view! {
                            <button type="submit" name="op" value="reopen" class=BUTTON_QUIET>
                                "Reopen ticked"
                            </button>
                        }
                    })}
            </div>
        </fieldset>
    }
}
