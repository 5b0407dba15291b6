//! A status as pages show it, and its card: sanitized content behind its
//! content warning, media blurred and greyscaled until tapped (no JavaScript
//! needed: a checkbox drives the CSS), nothing loaded from content markup.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Visibility;
use crate::ui::{AMBER, GREY, RED, badge, format_time};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MediaItem {
    pub kind: String,
    pub url: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusItem {
    pub id: i64,
    pub account_id: i64,
    pub account_nickname: String,
    /// Sanitized on the server before it is sent anywhere.
    pub html: String,
    pub spoiler_text: String,
    pub visibility: Visibility,
    pub sensitive: bool,
    pub local: bool,
    pub reblog_of: Option<i64>,
    pub created_at: i64,
    pub deleted: bool,
    pub media: Vec<MediaItem>,
}

#[cfg(feature = "ssr")]
impl StatusItem {
    pub fn from_row(
        r: crate::server::storage::statuses::StatusRow,
        media: Vec<crate::server::storage::statuses::MediaRow>,
    ) -> Self {
        StatusItem {
            id: r.id,
            account_id: r.account_id,
            html: super::sanitize::status_html(&r.content),
            visibility: r.visibility(),
            account_nickname: r.account_nickname,
            spoiler_text: r.spoiler_text,
            sensitive: r.sensitive,
            local: r.local,
            reblog_of: r.reblog_of_id,
            created_at: r.created_at,
            deleted: r.deleted_at.is_some(),
            media: media
                .into_iter()
                .map(|m| MediaItem { kind: m.kind, url: m.url, description: m.description })
                .collect(),
        }
    }

    /// Rows with their media, in row order.
    pub fn all(
        rows: Vec<crate::server::storage::statuses::StatusRow>,
        mut media: std::collections::HashMap<i64, Vec<crate::server::storage::statuses::MediaRow>>,
    ) -> Vec<Self> {
        rows.into_iter()
            .map(|r| {
                let m = media.remove(&r.id).unwrap_or_default();
                StatusItem::from_row(r, m)
            })
            .collect()
    }
}

fn media_view(m: MediaItem) -> AnyView {
    let label = if m.description.is_empty() { "media".to_owned() } else { m.description.clone() };
    if matches!(m.kind.as_str(), "image" | "gifv") {
        view! {
            <label
                class="relative block cursor-pointer overflow-hidden rounded-lg bg-slate-200 dark:bg-slate-800"
                data-testid="media"
            >
                <input type="checkbox" class="peer sr-only" aria-label=format!("Show image: {label}") />
                <img
                    src=m.url
                    alt=m.description
                    loading="lazy"
                    referrerpolicy="no-referrer"
                    class="h-40 w-full object-cover blur-xl grayscale transition peer-checked:blur-none peer-checked:grayscale-0"
                />
                <span class="pointer-events-none absolute inset-0 flex items-center justify-center text-sm font-semibold text-white drop-shadow peer-checked:hidden">
                    "Tap to show"
                </span>
            </label>
        }
        .into_any()
    } else {
        view! {
            <a
                href=m.url
                rel="nofollow noopener noreferrer"
                class="flex min-h-11 items-center rounded-lg border border-slate-300 px-3 text-sm underline dark:border-slate-600"
            >
                {format!("Open {} ({label})", m.kind)}
            </a>
        }
        .into_any()
    }
}

/// The status's body; behind its content warning when it has one.
fn body(s: &StatusItem) -> AnyView {
    let content = view! {
        <div
            class="status-content prose-sm mt-2 break-words [&_a]:text-indigo-700 [&_a]:underline dark:[&_a]:text-indigo-300"
            inner_html=s.html.clone()
        ></div>
        {(!s.media.is_empty())
            .then(|| {
                view! {
                    <div class="mt-2 grid grid-cols-2 gap-2">
                        {s.media.iter().cloned().map(media_view).collect_view()}
                    </div>
                }
            })}
    };
    if s.spoiler_text.is_empty() {
        content.into_any()
    } else {
        view! {
            <details class="mt-2">
                <summary class="flex min-h-11 cursor-pointer items-center rounded-lg bg-amber-50 px-3 text-sm font-medium dark:bg-amber-950">
                    {format!("Content warning: {}", s.spoiler_text)}
                </summary>
                {content}
            </details>
        }
        .into_any()
    }
}

/// A status card; `actions` go below it (forms differ per page).
#[component]
pub fn StatusCard(status: StatusItem, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    let s = status;
    view! {
        <article
            class="rounded-2xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
            data-testid="status"
            data-status-id=s.id
        >
            <header class="-mt-3 flex flex-wrap items-center gap-x-2 gap-y-1 text-sm sm:mt-0">
                <a
                    href=format!("/users/{}", s.account_id)
                    class="inline-flex min-h-11 items-center font-medium break-all text-indigo-700 underline-offset-2 hover:underline sm:min-h-0 dark:text-indigo-300"
                >
                    {format!("@{}", s.account_nickname)}
                </a>
                <span class="text-xs text-slate-600 dark:text-slate-400">
                    {format!("#{} · {}", s.id, format_time(s.created_at))}
                </span>
            </header>
            <div class="mt-1 flex flex-wrap gap-1">
                {badge(s.visibility.as_str().into(), if s.visibility.is_private() { AMBER } else { GREY })}
                {s.sensitive.then(|| badge("sensitive".into(), AMBER))}
                {s.reblog_of.map(|r| badge(format!("reblog of #{r}"), GREY))}
                {(!s.local).then(|| badge("remote".into(), GREY))} {s.deleted.then(|| badge("deleted".into(), RED))}
            </div>
            {body(&s)}
            {children
                .map(|c| view! { <div class="mt-3 border-t border-slate-200 pt-3 dark:border-slate-800">{c()}</div> })}
        </article>
    }
}
