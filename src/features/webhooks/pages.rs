//! `/webhooks` (the endpoints, then the delivery log with filters in the
//! URL) and `/webhooks/deliveries/{id}` (one delivery's body and every
//! attempt, with "Redeliver"). Response snippets are receivers' text:
//! rendered as text, never as HTML.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server::{
    DeliveryDetail, DeliveryItem, EndpointItem, STATUSES, WebhooksPageData, WebhooksQuery, webhook_delivery,
    webhooks_page,
};
use crate::error::AppError;
use crate::ui::data::{PageResource, page_data, page_data_by_id};
use crate::ui::{
    AMBER, BUTTON, BUTTON_QUIET, ErrorView, GREEN, GREY, INPUT, Notices, PageHeader, PageLink, Pager, RED, badge,
    format_time,
};

/// What `/webhooks` loads: created when the route matches, handed to the page.
#[derive(Clone, Copy)]
pub struct WebhooksRouteData {
    query: Memo<WebhooksQuery>,
    page: PageResource<Result<WebhooksPageData, AppError>>,
}

pub fn webhooks_data() -> WebhooksRouteData {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let m = query_map.read();
        WebhooksQuery { endpoint: m.get("endpoint"), status: m.get("status"), page: m.get("page") }
    });
    WebhooksRouteData { query, page: page_data(move || query.get(), webhooks_page) }
}

fn status_badge(status: &str) -> impl IntoView + use<> {
    let tone = match status {
        "delivered" => GREEN,
        "failed" => RED,
        "queued" => AMBER,
        _ => GREY,
    };
    badge(status.to_owned(), tone)
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "registration_alerts" => "Registration alerts",
        "system_alerts" => "System alerts",
        _ => "App webhook",
    }
}

#[component]
pub fn WebhooksPage(data: WebhooksRouteData) -> impl IntoView {
    let WebhooksRouteData { query, page } = data;
    view! {
        <Title text="Webhooks" />
        <PageHeader
            title="Webhooks".into()
            lead="Where Steward announces registrations, system events and app events, and every delivery, newest first. Bodies are signed with each webhook's secret (see docs/webhooks.md)."
        />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <WebhooksView query=query.get() page /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The query string for `q` at page `page`.
fn href_with(q: &WebhooksQuery, page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (k, v) in [("endpoint", &q.endpoint), ("status", &q.status)] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            pairs.push((k, v.clone()));
        }
    }
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if qs.is_empty() { "/webhooks".into() } else { format!("/webhooks?{qs}") }
}

#[component]
fn Endpoint(e: EndpointItem) -> impl IntoView {
    let events = if e.events.is_empty() { "every event".to_owned() } else { e.events.join(", ") };
    let app = e.app_id.map(|a| format!(" · app #{a}")).unwrap_or_default();
    let rotation = e.rotation_until.map(|t| {
        view! {
            <p class="text-xs text-amber-800 dark:text-amber-200">
                {format!("Rotation in progress: the previous secret also signs until {}.", format_time(t))}
            </p>
            <form method="post" action=format!("/webhooks/{}/finish-rotation", e.id)>
                <button type="submit" class=BUTTON_QUIET>
                    "Finish rotation"
                </button>
            </form>
        }
    });
    view! {
        <li class="flex flex-col gap-2 px-4 py-3" data-testid="webhook-endpoint">
            <p class="flex flex-wrap items-center gap-2 font-medium">
                {kind_label(&e.kind)}
                <span class="text-sm text-slate-600 dark:text-slate-400">{format!("#{}{app}", e.id)}</span>
                {(!e.enabled).then(|| badge("disabled".to_owned(), GREY))}
            </p>
            <p class="break-all text-sm">{e.url.clone()}</p>
            <p class="text-xs text-slate-600 dark:text-slate-400">{format!("Events: {events} · secret set")}</p>
            {rotation}
            <div class="flex flex-wrap gap-2">
                <a href=format!("/webhooks?endpoint={}", e.id) class=BUTTON_QUIET>
                    "Deliveries"
                </a>
                <form method="post" action=format!("/webhooks/{}/rotate", e.id)>
                    <button type="submit" class=BUTTON_QUIET>
                        "Reveal a new secret"
                    </button>
                </form>
            </div>
        </li>
    }
}

#[component]
fn WebhooksView(query: WebhooksQuery, page: WebhooksPageData) -> impl IntoView {
    let status = query.status.clone().unwrap_or_default();
    let endpoint = query.endpoint.clone().unwrap_or_default();
    let prev = (page.page > 1).then(|| PageLink { href: href_with(&query, page.page - 1), label: "Newer" });
    let next = page.has_more.then(|| PageLink { href: href_with(&query, page.page + 1), label: "Older" });
    let endpoint_options = page
        .endpoints
        .iter()
        .map(|e| {
            let id = e.id.to_string();
            let sel = id == endpoint;
            view! {
                <option value=id.clone() selected=sel>
                    {format!("#{id} {}", kind_label(&e.kind))}
                </option>
            }
        })
        .collect_view();
    view! {
        <Notices notices=page.notices.clone() />
        <h2 class="mb-2 text-lg font-semibold">"Endpoints"</h2>
        {if page.endpoints.is_empty() {
            view! {
                <p class="mb-6 rounded-2xl border border-dashed border-slate-300 p-6 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
                    "No webhooks yet. Set the alert URLs in the instance settings, or add webhooks to an app."
                </p>
            }
                .into_any()
        } else {
            view! {
                <ul
                    class="mb-6 divide-y divide-slate-200 rounded-2xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
                    aria-label="Endpoints"
                >
                    {page.endpoints.clone().into_iter().map(|e| view! { <Endpoint e /> }).collect_view()}
                </ul>
            }
                .into_any()
        }}
        <h2 class="mb-2 text-lg font-semibold">"Deliveries"</h2>
        <form
            method="get"
            action="/webhooks"
            role="search"
            aria-label="Filter the deliveries"
            class="mb-6 grid grid-cols-1 gap-3 rounded-2xl border border-slate-200 bg-white p-4 sm:grid-cols-3 dark:border-slate-800 dark:bg-slate-900"
        >
            <div>
                <label for="webhooks-endpoint" class="mb-1 block text-sm font-medium">
                    "Endpoint"
                </label>
                <select id="webhooks-endpoint" name="endpoint" class=INPUT>
                    <option value="">"Any"</option>
                    {endpoint_options}
                </select>
            </div>
            <div>
                <label for="webhooks-status" class="mb-1 block text-sm font-medium">
                    "Status"
                </label>
                <select id="webhooks-status" name="status" class=INPUT>
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
            <div class="flex items-end gap-2">
                <button type="submit" class=BUTTON>
                    "Apply filters"
                </button>
                <a href="/webhooks" class=BUTTON_QUIET>
                    "Clear"
                </a>
            </div>
        </form>
        {if page.deliveries.is_empty() {
            view! {
                <p class="rounded-2xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
                    "No deliveries match these filters."
                </p>
            }
                .into_any()
        } else {
            view! {
                <ul
                    class="divide-y divide-slate-200 rounded-2xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
                    aria-label="Deliveries"
                    data-testid="webhook-deliveries"
                >
                    {page.deliveries.into_iter().map(|d| view! { <Row d /> }).collect_view()}
                </ul>
            }
                .into_any()
        }}
        <Pager prev next />
    }
}

/// Status, attempts, last answer and latency, times, last error.
fn facts(d: &DeliveryItem) -> impl IntoView + use<> {
    let attempts = match d.attempts {
        0 => "not tried yet".to_owned(),
        1 => "1 attempt".into(),
        n => format!("{n} attempts"),
    };
    let answer = match (d.last_status_code, d.last_latency_ms) {
        (Some(code), Some(ms)) => format!(" · HTTP {code} in {ms} ms"),
        (None, Some(ms)) if d.attempts > 0 => format!(" · no answer ({ms} ms)"),
        _ => String::new(),
    };
    let delivered = d.delivered_at.map(|t| format!(" · delivered {}", format_time(t))).unwrap_or_default();
    let next = if d.status == "queued" && d.attempts > 0 {
        format!(" · next try {}", format_time(d.next_attempt_at))
    } else {
        String::new()
    };
    view! {
        <p class="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-600 dark:text-slate-400">
            {status_badge(&d.status)} {badge(d.event.clone(), GREY)}
            <span class="tabular-nums">
                {format!("created {} · {attempts}{answer}{delivered}{next}", format_time(d.created_at))}
            </span>
        </p>
        {d
            .last_error
            .clone()
            .map(|e| {
                view! { <p class="break-words text-xs text-red-700 dark:text-red-300">{format!("Last error: {e}")}</p> }
            })}
    }
}

fn snippet(text: Option<String>) -> impl IntoView {
    text.filter(|t| !t.is_empty()).map(|t| {
        view! {
            <pre
                data-testid="response-snippet"
                class="max-h-40 overflow-auto whitespace-pre-wrap break-all rounded-lg bg-slate-100 p-2 text-xs dark:bg-slate-800"
            >
                {t}
            </pre>
        }
    })
}

fn redeliver_form(d: &DeliveryItem) -> impl IntoView + use<> {
    d.redeliverable().then(|| {
        view! {
            <form method="post" action=format!("/webhooks/deliveries/{}/redeliver", d.id)>
                <button type="submit" class=BUTTON_QUIET>
                    "Redeliver"
                </button>
            </form>
        }
    })
}

#[component]
fn Row(d: DeliveryItem) -> impl IntoView {
    view! {
        <li class="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-start sm:gap-4">
            <div class="min-w-0 flex-1 space-y-1">
                <p class="break-all font-medium">
                    <a
                        href=format!("/webhooks/deliveries/{}", d.id)
                        class="inline-flex min-h-11 items-center underline-offset-2 hover:underline"
                    >
                        {format!("#{} {} → {}", d.id, d.event, d.url)}
                    </a>
                </p>
                {facts(&d)}
                {snippet(d.last_response.clone())}
            </div>
            {redeliver_form(&d)}
        </li>
    }
}

/// What `/webhooks/deliveries/{id}` loads.
#[derive(Clone, Copy)]
pub struct DeliveryRouteData {
    delivery: PageResource<Result<DeliveryDetail, AppError>>,
}

pub fn delivery_data() -> DeliveryRouteData {
    let delivery = page_data_by_id(webhook_delivery);
    DeliveryRouteData { delivery }
}

#[component]
pub fn DeliveryPage(data: DeliveryRouteData) -> impl IntoView {
    let DeliveryRouteData { delivery } = data;
    view! {
        <Title text="Webhook delivery" />
        <p class="mb-2 text-sm">
            <a href="/webhooks" class="inline-flex min-h-11 items-center underline">
                "← Webhooks"
            </a>
        </p>
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match delivery.await {
                    Ok(d) => view! { <DeliveryView d /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeliveryView(d: DeliveryDetail) -> impl IntoView {
    let DeliveryDetail { item, payload, attempts } = d;
    view! {
        <PageHeader title=format!("Delivery #{} · {}", item.id, item.event) />
        <div class="mb-4 space-y-2">
            <p class="break-all text-sm">{format!("To {}", item.url)}</p>
            {facts(&item)}
            {redeliver_form(&item)}
        </div>
        <h2 class="mb-2 text-lg font-semibold">"Body"</h2>
        <pre
            data-testid="delivery-body"
            class="mb-6 overflow-x-auto whitespace-pre-wrap break-words rounded-2xl border border-slate-200 bg-white p-4 text-sm dark:border-slate-800 dark:bg-slate-900"
        >
            {payload}
        </pre>
        <h2 class="mb-2 text-lg font-semibold">"Attempts"</h2>
        {if attempts.is_empty() {
            view! { <p class="text-slate-600 dark:text-slate-400">"Not tried yet."</p> }.into_any()
        } else {
            view! {
                <ol
                    class="divide-y divide-slate-200 rounded-2xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
                    aria-label="Attempts"
                >
                    {attempts
                        .into_iter()
                        .map(|a| {
                            let answer = match a.status_code {
                                Some(code) => format!("HTTP {code}"),
                                None => "no answer".into(),
                            };
                            view! {
                                <li class="space-y-1 px-4 py-3">
                                    <p class="text-sm tabular-nums">
                                        {format!(
                                            "Attempt {} · {} · {answer} in {} ms",
                                            a.attempt,
                                            format_time(a.created_at),
                                            a.latency_ms,
                                        )}
                                    </p>
                                    {a
                                        .error
                                        .map(|e| {
                                            view! {
                                                <p class="break-words text-xs text-red-700 dark:text-red-300">{e}</p>
                                            }
                                        })}
                                    {snippet(a.response)}
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            }
                .into_any()
        }}
    }
}
