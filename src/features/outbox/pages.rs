//! `/outbox` (newest first, filters in the URL) and `/outbox/{id}` (one
//! mail's body, preformatted, with "retry now").

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server::{MailDetail, OutboxItem, OutboxPageData, OutboxQuery, STATUSES, outbox_mail, outbox_page};
use crate::error::AppError;
use crate::ui::data::{PageResource, page_data, page_data_by_id};
use crate::ui::{
    AMBER, BUTTON, BUTTON_QUIET, ErrorView, GREEN, GREY, INPUT, Notices, PageHeader, PageLink, Pager, RED, badge,
    format_time,
};

/// What `/outbox` loads: created when the route matches, handed to the page.
#[derive(Clone, Copy)]
pub struct OutboxRouteData {
    query: Memo<OutboxQuery>,
    page: PageResource<Result<OutboxPageData, AppError>>,
}

/// Starts loading the page for the current URL; called by the route's `data()` (app.rs).
pub fn outbox_data() -> OutboxRouteData {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let m = query_map.read();
        OutboxQuery { status: m.get("status"), kind: m.get("kind"), before: m.get("before"), after: m.get("after") }
    });
    OutboxRouteData { query, page: page_data(move || query.get(), outbox_page) }
}

fn status_badge(status: &str) -> impl IntoView + use<> {
    let tone = match status {
        "sent" => GREEN,
        "failed" => RED,
        "queued" => AMBER,
        _ => GREY,
    };
    badge(status.to_owned(), tone)
}

#[component]
pub fn OutboxPage(data: OutboxRouteData) -> impl IntoView {
    let OutboxRouteData { query, page } = data;
    view! {
        <Title text="Outbox" />
        <PageHeader
            title="Outbox".into()
            lead="Mail Steward sends, newest first. Held mail was written in test mode and is never sent."
        />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <OutboxList query=query.get() page /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The query string for `q` with one cursor replaced.
fn href_with(q: &OutboxQuery, before: Option<i64>, after: Option<i64>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (k, v) in [("status", &q.status), ("kind", &q.kind)] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            pairs.push((k, v.clone()));
        }
    }
    if let Some(b) = before {
        pairs.push(("before", b.to_string()));
    }
    if let Some(a) = after {
        pairs.push(("after", a.to_string()));
    }
    let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if qs.is_empty() { "/outbox".into() } else { format!("/outbox?{qs}") }
}

#[component]
fn OutboxList(query: OutboxQuery, page: OutboxPageData) -> impl IntoView {
    let newer = page.items.first().map(|i| i.id).filter(|_| page.has_newer);
    let older = page.items.last().map(|i| i.id).filter(|_| page.has_older);
    let status = query.status.clone().unwrap_or_default();
    let kind = query.kind.clone().unwrap_or_default();
    view! {
        <Notices notices=page.notices.clone() />
        <form
            method="get"
            action="/outbox"
            role="search"
            aria-label="Filter the outbox"
            class="mb-6 grid grid-cols-1 gap-3 rounded-2xl border border-slate-200 bg-white p-4 sm:grid-cols-3 dark:border-slate-800 dark:bg-slate-900"
        >
            <div>
                <label for="outbox-status" class="mb-1 block text-sm font-medium">
                    "Status"
                </label>
                <select id="outbox-status" name="status" class=INPUT>
                    <option value="">"Any"</option>
                    {STATUSES
                        .iter()
                        .map(|s| {
                            view! {
                                <option value=*s selected=*s == status>
                                    {*s}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div>
                <label for="outbox-kind" class="mb-1 block text-sm font-medium">
                    "Kind"
                </label>
                <select id="outbox-kind" name="kind" class=INPUT>
                    <option value="">"Any"</option>
                    {page
                        .kinds
                        .iter()
                        .map(|k| {
                            let sel = *k == kind;
                            view! {
                                <option value=k.clone() selected=sel>
                                    {k.clone()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="flex items-end gap-2">
                <button type="submit" class=BUTTON>
                    "Apply filters"
                </button>
                <a href="/outbox" class=BUTTON_QUIET>
                    "Clear"
                </a>
            </div>
        </form>
        {if page.items.is_empty() {
            view! {
                <p class="rounded-2xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
                    "No mail matches these filters."
                </p>
            }
                .into_any()
        } else {
            view! {
                <ul
                    class="divide-y divide-slate-200 rounded-2xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
                    aria-label="Mail"
                    data-testid="outbox-list"
                >
                    {page.items.into_iter().map(|i| view! { <Row item=i /> }).collect_view()}
                </ul>
            }
                .into_any()
        }}
        <Pager
            prev=newer
                .map(|id| PageLink {
                    href: href_with(&query, None, Some(id)),
                    label: "Newer",
                })
            next=older
                .map(|id| PageLink {
                    href: href_with(&query, Some(id), None),
                    label: "Older",
                })
        />
    }
}

/// The facts of one mail: status, attempts, times, last error.
fn facts(item: &OutboxItem) -> impl IntoView + use<> {
    let sent = item.sent_at.map(|t| format!(" · sent {}", format_time(t))).unwrap_or_default();
    let attempts = match item.attempts {
        0 => String::new(),
        1 => " · 1 attempt".into(),
        n => format!(" · {n} attempts"),
    };
    view! {
        <p class="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-600 dark:text-slate-400">
            {status_badge(&item.status)} {badge(item.kind.clone(), GREY)}
            <span class="tabular-nums">{format!("created {}{sent}{attempts}", format_time(item.created_at))}</span>
        </p>
        {item
            .last_error
            .clone()
            .map(|e| {
                view! { <p class="break-words text-xs text-red-700 dark:text-red-300">{format!("Last error: {e}")}</p> }
            })}
    }
}

fn retry_form(item: &OutboxItem) -> impl IntoView + use<> {
    item.retryable().then(|| {
        view! {
            <form method="post" action=format!("/outbox/{}/retry", item.id)>
                <button type="submit" class=BUTTON_QUIET>
                    "Retry now"
                </button>
            </form>
        }
    })
}

#[component]
fn Row(item: OutboxItem) -> impl IntoView {
    view! {
        <li class="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center sm:gap-4">
            <div class="min-w-0 flex-1 space-y-1">
                <p class="break-words font-medium">
                    <a href=format!("/outbox/{}", item.id) class="underline-offset-2 hover:underline">
                        {item.subject.clone()}
                    </a>
                </p>
                <p class="break-all text-sm">{format!("To {}", item.to)}</p>
                {facts(&item)}
            </div>
            {retry_form(&item)}
        </li>
    }
}

/// What `/outbox/{id}` loads.
#[derive(Clone, Copy)]
pub struct OutboxMailRouteData {
    mail: PageResource<Result<MailDetail, AppError>>,
}

pub fn outbox_mail_data() -> OutboxMailRouteData {
    let mail = page_data_by_id(outbox_mail);
    OutboxMailRouteData { mail }
}

#[component]
pub fn OutboxMailPage(data: OutboxMailRouteData) -> impl IntoView {
    let OutboxMailRouteData { mail } = data;
    view! {
        <Title text="Mail" />
        <p class="mb-2 text-sm">
            <a href="/outbox" class="inline-flex min-h-11 items-center underline">
                "← Outbox"
            </a>
        </p>
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match mail.await {
                    Ok(m) => {
                        view! {
                            <PageHeader title=m.item.subject.clone() />
                            <div class="mb-4 space-y-2">
                                <p class="break-all text-sm">{format!("To {}", m.item.to)}</p>
                                {facts(&m.item)}
                                {retry_form(&m.item)}
                            </div>
                            <pre
                                data-testid="mail-body"
                                class="overflow-x-auto whitespace-pre-wrap break-words rounded-2xl border border-slate-200 bg-white p-4 text-sm dark:border-slate-800 dark:bg-slate-900"
                            >
                                {m.body}
                            </pre>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
