//! `/moderation-log`: newest first, keyset pages, filters in the URL (a GET form).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server::{LogItem, LogPageData, LogQuery, moderation_log_page};
use crate::error::AppError;
use crate::ui::data::{PageResource, page_data};
use crate::ui::markup::Markup;
use crate::ui::{BUTTON, BUTTON_QUIET, ErrorView, INPUT, Notices, PageHeader, PageLink, Pager, format_time};

/// What `/moderation-log` loads: created when the route matches, handed to the page.
#[derive(Clone, Copy)]
pub struct LogRouteData {
    query: Memo<LogQuery>,
    log: PageResource<Result<LogPageData, AppError>>,
}

/// Starts loading the page for the current URL; called by the route's `data()` (app.rs).
pub fn log_data() -> LogRouteData {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let m = query_map.read();
        LogQuery {
            actor: m.get("actor"),
            action: m.get("action"),
            from: m.get("from"),
            to: m.get("to"),
            q: m.get("q"),
            before: m.get("before"),
            after: m.get("after"),
        }
    });
    LogRouteData { query, log: page_data(move || query.get(), moderation_log_page) }
}

#[component]
pub fn ModerationLogPage(data: LogRouteData) -> impl IntoView {
    let LogRouteData { query, log } = data;
    view! {
        <Title text="Moderation log" />
        <PageHeader
            title="Moderation log".into()
            lead="Every action taken in Steward, newest first. Entries are never edited or removed."
        />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match log.await {
                    Ok(page) => view! { <LogView query=query.get() page /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The query string for `q` with one cursor replaced.
fn href_with(q: &LogQuery, before: Option<i64>, after: Option<i64>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (k, v) in [("actor", &q.actor), ("action", &q.action), ("from", &q.from), ("to", &q.to), ("q", &q.q)] {
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
    if qs.is_empty() { "/moderation-log".into() } else { format!("/moderation-log?{qs}") }
}

#[component]
fn LogView(query: LogQuery, page: LogPageData) -> impl IntoView {
    let q = query.clone();
    let val = |v: &Option<String>| v.clone().unwrap_or_default();
    let newer = page.items.first().map(|i| i.id).filter(|_| page.has_newer);
    let older = page.items.last().map(|i| i.id).filter(|_| page.has_older);
    let selected_action = val(&query.action);
    view! {
        <Notices notices=page.notices.clone() />
        <form
            method="get"
            action="/moderation-log"
            role="search"
            aria-label="Filter the log"
            class="mb-6 grid grid-cols-1 gap-3 rounded-2xl border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-6 dark:border-slate-800 dark:bg-slate-900"
        >
            <div class="lg:col-span-2">
                <label for="log-q" class="mb-1 block text-sm font-medium">
                    "Message contains"
                </label>
                <input id="log-q" name="q" type="search" value=val(&query.q) class=INPUT />
            </div>
            <div>
                <label for="log-actor" class="mb-1 block text-sm font-medium">
                    "Actor"
                </label>
                <input
                    id="log-actor"
                    name="actor"
                    type="text"
                    placeholder="nickname"
                    value=val(&query.actor)
                    class=INPUT
                />
            </div>
            <div>
                <label for="log-action" class="mb-1 block text-sm font-medium">
                    "Action"
                </label>
                <select id="log-action" name="action" class=INPUT>
                    <option value="">"Any"</option>
                    {page
                        .actions
                        .iter()
                        .map(|a| {
                            let sel = *a == selected_action;
                            view! {
                                <option value=a.clone() selected=sel>
                                    {a.clone()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div>
                <label for="log-from" class="mb-1 block text-sm font-medium">
                    "From"
                </label>
                <input id="log-from" name="from" type="date" value=val(&query.from) class=INPUT />
            </div>
            <div>
                <label for="log-to" class="mb-1 block text-sm font-medium">
                    "To"
                </label>
                <input id="log-to" name="to" type="date" value=val(&query.to) class=INPUT />
            </div>
            <div class="flex gap-2 sm:col-span-2 lg:col-span-6">
                <button type="submit" class=BUTTON>
                    "Apply filters"
                </button>
                <a href="/moderation-log" class=BUTTON_QUIET>
                    "Clear"
                </a>
            </div>
        </form>
        {if page.items.is_empty() {
            view! {
                <p class="rounded-2xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
                    "No log entries match these filters."
                </p>
            }
                .into_any()
        } else {
            view! {
                <ol
                    class="divide-y divide-slate-200 rounded-2xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
                    aria-label="Log entries"
                    inner_html=entries_html(&page.items)
                />
            }
                .into_any()
        }}
        <Pager
            prev=newer
                .map(|id| PageLink {
                    href: href_with(&q, None, Some(id)),
                    label: "Newer",
                })
            next=older
                .map(|id| PageLink {
                    href: href_with(&q, Some(id), None),
                    label: "Older",
                })
        />
    }
}

/// The log's entries as markup (see ui/markup.rs).
fn entries_html(items: &[LogItem]) -> String {
    let mut m = Markup::with_capacity(items.len() * 512);
    for i in items {
        m.raw(r#"<li class="flex flex-col gap-1 px-4 py-3 sm:flex-row sm:items-baseline sm:gap-4"><time class="shrink-0 text-xs tabular-nums text-slate-600 sm:w-40 dark:text-slate-400">"#)
            .text(&format_time(i.time))
            .raw(r#"</time><p class="min-w-0 flex-1 break-words">"#)
            .text(&i.message)
            .raw(r#"</p><span class="shrink-0 self-start rounded bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">"#)
            .text(&i.action)
            .raw("</span></li>");
    }
    m.into_string()
}
