//! `/statuses`: the latest statuses, filtered by a plain GET form, each with
//! its moderation actions; admins can switch godmode on (logged).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::item::{StatusCard, StatusItem};
use super::server::{StatusesData, StatusesQuery, statuses_page};
use crate::error::AppError;
use crate::ui::data::{PageResource, page_data};
use crate::ui::{BUTTON, BUTTON_DANGER, BUTTON_QUIET, ErrorView, INPUT, PageHeader, PageLink, Pager, SECTION};

/// What `/statuses` loads: created when the route matches, handed to the page.
#[derive(Clone, Copy)]
pub struct StatusesRouteData {
    query: Memo<StatusesQuery>,
    statuses: PageResource<Result<StatusesData, AppError>>,
}

/// Starts loading the page for the current URL; called by the route's `data()` (app.rs).
pub fn statuses_data() -> StatusesRouteData {
    let map = use_query_map();
    let query = Memo::new(move |_| {
        let m = map.read();
        StatusesQuery {
            local: m.get("local"),
            visibility: m.get("visibility"),
            account: m.get("account"),
            reblogs: m.get("reblogs"),
            before: m.get("before"),
        }
    });
    StatusesRouteData { query, statuses: page_data(move || query.get(), statuses_page) }
}

#[component]
pub fn StatusesPage(data: StatusesRouteData) -> impl IntoView {
    let StatusesRouteData { query, statuses } = data;
    view! {
        <Title text="Statuses" />
        <PageHeader
            title="Statuses".into()
            lead="The latest statuses. Private and direct ones stay hidden unless an admin turns on godmode."
        />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match statuses.await {
                    Ok(d) => view! { <Statuses query=query.get_untracked() d /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

const TICK: &str = "inline-flex min-h-11 items-center gap-2 text-sm";

#[component]
fn Statuses(query: StatusesQuery, d: StatusesData) -> impl IntoView {
    let vis = query.visibility.clone().unwrap_or_default();
    let options = [
        ("", "Any visibility"),
        ("public", "Public"),
        ("unlisted", "Unlisted"),
        ("private", "Private"),
        ("direct", "Direct"),
    ]
    .into_iter()
    .map(|(v, label)| {
        view! {
            <option value=v selected=vis == v>
                {label}
            </option>
        }
    })
    .collect_view();
    let here = d.here.clone();
    view! {
        <form
            method="get"
            action="/statuses"
            class=format!("{SECTION} grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4 lg:items-end")
            aria-label="Filter statuses"
        >
            <div>
                <label for="st-account" class="mb-1 block text-sm font-medium">
                    "Account"
                </label>
                <input
                    id="st-account"
                    name="account"
                    type="search"
                    placeholder="nickname"
                    value=query.account.clone().unwrap_or_default()
                    class=INPUT
                />
            </div>
            <div>
                <label for="st-vis" class="mb-1 block text-sm font-medium">
                    "Visibility"
                </label>
                <select id="st-vis" name="visibility" class=INPUT>
                    {options}
                </select>
            </div>
            <div class="flex flex-col">
                <label class=TICK>
                    <input
                        type="checkbox"
                        name="local"
                        value="1"
                        checked=query.local.as_deref() == Some("1")
                        class="size-5"
                    />
                    "Local accounts only"
                </label>
                <label class=TICK>
                    <input
                        type="checkbox"
                        name="reblogs"
                        value="1"
                        checked=query.reblogs.as_deref() == Some("1")
                        class="size-5"
                    />
                    "Include reblogs"
                </label>
            </div>
            <button type="submit" class=BUTTON>
                "Apply filters"
            </button>
        </form>
        {d
            .is_admin
            .then(|| {
                view! {
                    <form
                        method="post"
                        action="/statuses/godmode"
                        class="mb-4 flex flex-wrap items-center gap-3"
                        data-testid="godmode"
                    >
                        <input type="hidden" name="on" value=if d.godmode { "0" } else { "1" } />
                        <p class="text-sm">
                            {if d.godmode {
                                "Godmode is on: private and direct statuses are shown."
                            } else {
                                "Godmode is off."
                            }}
                        </p>
                        <button type="submit" class=if d.godmode { BUTTON_QUIET } else { BUTTON_DANGER }>
                            {if d.godmode { "Turn godmode off" } else { "Turn godmode on (logged)" }}
                        </button>
                    </form>
                }
            })}
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
        {if d.items.is_empty() {
            view! {
                <p class="rounded-2xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
                    "No statuses match."
                </p>
            }
                .into_any()
        } else {
            view! {
                <ul class="space-y-3" data-testid="status-list">
                    {d
                        .items
                        .into_iter()
                        .map(|s| {
                            let here = here.clone();
                            view! { <li>{status_with_actions(s, here)}</li> }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
        <Pager
            prev=query
                .before
                .is_some()
                .then(|| PageLink {
                    href: query.href(None),
                    label: "Newest",
                })
            next=d.next.map(|href| PageLink { href, label: "Older" })
        />
    }
}

/// A status and its one-step actions (delete asks once more).
pub fn status_with_actions(s: StatusItem, back: String) -> impl IntoView {
    let id = s.id;
    let sensitive = s.sensitive;
    let action = format!("/statuses/{id}/moderate");
    view! {
        <StatusCard status=s>
            <div class="flex flex-wrap items-end gap-2">
                <form method="post" action=action.clone()>
                    <input type="hidden" name="return_to" value=back.clone() />
                    <button
                        type="submit"
                        name="op"
                        value=if sensitive { "unsensitive" } else { "sensitive" }
                        class=BUTTON_QUIET
                    >
                        {if sensitive { "Not sensitive" } else { "Mark sensitive" }}
                    </button>
                </form>
                <form method="post" action=action.clone() class="flex items-end gap-2">
                    <input type="hidden" name="return_to" value=back.clone() />
                    <input type="hidden" name="op" value="visibility" />
                    <label class="sr-only" for=format!("vis-{id}")>
                        "New visibility"
                    </label>
                    <select id=format!("vis-{id}") name="visibility" class=format!("{INPUT} w-auto")>
                        <option value="unlisted">"Unlisted"</option>
                        <option value="private">"Private"</option>
                        <option value="public">"Public"</option>
                    </select>
                    <button type="submit" class=BUTTON_QUIET>
                        "Set"
                    </button>
                </form>
                <details class="relative">
                    <summary class=format!("{BUTTON_DANGER} cursor-pointer list-none")>"Delete…"</summary>
                    <form method="post" action=action class="mt-2">
                        <input type="hidden" name="return_to" value=back />
                        <button type="submit" name="op" value="delete" class=BUTTON_DANGER>
                            "Yes, delete this status"
                        </button>
                    </form>
                </details>
            </div>
        </StatusCard>
    }
}
