//! `/users`: a GET filter form (the URL is the whole state), one keyset page,
//! a table on desktop that becomes cards on phones.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server::{Total, UserItem, UsersPageData, UsersQuery, users_page};
use crate::ui::{BUTTON, BUTTON_QUIET, ErrorView, PageHeader, format_time};

const INPUT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2.5 text-base dark:border-slate-600 dark:bg-slate-900";

#[component]
pub fn UsersPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = move || {
        let m = query_map.read();
        UsersQuery {
            q: m.get("q"),
            status: m.get("status"),
            origin: m.get("origin"),
            role: m.get("role"),
            tag: m.get_all("tag").unwrap_or_default(),
            domain: m.get("domain"),
            created_after: m.get("created_after"),
            created_before: m.get("created_before"),
            sort: m.get("sort"),
            per_page: m.get("per_page"),
            after: m.get("after"),
            before: m.get("before"),
        }
    };
    let data = Resource::new_blocking(query, users_page);
    view! {
        <Title text="Users" />
        <PageHeader title="Users".into() lead="Find accounts by name, email or display name; every view is a link you can bookmark." />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <UsersView query=query() page /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn total_text(t: Total) -> String {
    fn human(n: i64) -> String {
        match n {
            n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
            n if n >= 10_000 => format!("{:.0}k", n as f64 / 1e3),
            n => n.to_string(),
        }
    }
    match t {
        Total::Exact(1) | Total::About(1) => "1 user".into(),
        Total::Exact(n) => format!("{n} users"),
        Total::MoreThan(n) => format!("more than {} users", human(n)),
        Total::About(n) => format!("about {} users", human(n)),
    }
}

/// A `<select>` whose options keep the current choice.
fn select(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    current: Option<String>,
    options: &[(&'static str, &'static str)],
) -> impl IntoView + use<> {
    let current = current.unwrap_or_default();
    let options: Vec<_> = options.to_vec();
    view! {
        <div>
            <label for=id class="mb-1 block text-sm font-medium">{label}</label>
            <select id=id name=name class=INPUT>
                {options.into_iter().map(|(value, text)| {
                    let sel = value == current;
                    view! { <option value=value selected=sel>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn UsersView(query: UsersQuery, page: UsersPageData) -> impl IntoView {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let sort = Some(page.sort.clone());
    let per_page = Some(page.per_page.to_string());
    let chosen_tags = query.tag.clone();
    view! {
        {(!page.notices.is_empty()).then(|| view! {
            <div role="status" class="mb-4 rounded-lg border border-amber-500/50 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
                {page.notices.iter().map(|n| view! { <p>{n.clone()}</p> }).collect_view()}
            </div>
        })}
        // autocomplete=off: after Back, the browser must not restore the
        // choices of the page left behind into the form of the list shown.
        <form method="get" action="/users" role="search" aria-label="Filter users" autocomplete="off"
            class="mb-4 rounded-2xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
            <div class="flex flex-col gap-2 sm:flex-row sm:items-end">
                <div class="flex-1">
                    <label for="users-q" class="mb-1 block text-sm font-medium">"Search"</label>
                    <input id="users-q" name="q" type="search" value=v(&query.q) placeholder="nickname, email or name" class=INPUT />
                </div>
                <button type="submit" class=BUTTON>"Search"</button>
            </div>
            <details class="mt-3" open=query != UsersQuery { q: query.q.clone(), ..Default::default() }>
                <summary class="min-h-11 cursor-pointer py-2 text-sm font-medium">"Filters and sorting"</summary>
                <div class="grid grid-cols-1 gap-3 pt-2 sm:grid-cols-2 lg:grid-cols-4">
                    {select("users-status", "status", "Status", query.status.clone(), &[("", "Any"), ("active", "Active"), ("deactivated", "Deactivated"), ("pending", "Pending approval"), ("unconfirmed", "Unconfirmed email")])}
                    {select("users-origin", "origin", "Origin", query.origin.clone(), &[("", "Any"), ("local", "Local"), ("external", "External")])}
                    {select("users-role", "role", "Role", query.role.clone(), &[("", "Any"), ("admin", "Admin"), ("moderator", "Moderator")])}
                    <div>
                        <label for="users-domain" class="mb-1 block text-sm font-medium">"Email domain"</label>
                        <input id="users-domain" name="domain" type="text" placeholder="example.org" value=v(&query.domain) class=INPUT />
                    </div>
                    <div>
                        <label for="users-after" class="mb-1 block text-sm font-medium">"Joined on or after"</label>
                        <input id="users-after" name="created_after" type="date" value=v(&query.created_after) class=INPUT />
                    </div>
                    <div>
                        <label for="users-before" class="mb-1 block text-sm font-medium">"Joined before"</label>
                        <input id="users-before" name="created_before" type="date" value=v(&query.created_before) class=INPUT />
                    </div>
                    {select("users-sort", "sort", "Sort", sort, &[("-created_at", "Newest first"), ("created_at", "Oldest first"), ("nickname", "Nickname A–Z"), ("-nickname", "Nickname Z–A"), ("-last_active", "Recently active"), ("last_active", "Least recently active")])}
                    {select("users-per-page", "per_page", "Per page", per_page, &[("10", "10"), ("25", "25"), ("50", "50"), ("100", "100"), ("200", "200")])}
                    <fieldset class="sm:col-span-2 lg:col-span-4">
                        <legend class="mb-1 text-sm font-medium">"Tags (any of)"</legend>
                        <div class="flex flex-wrap gap-2">
                            {page.all_tags.iter().map(|t| {
                                let checked = chosen_tags.contains(t);
                                view! {
                                    <label class="inline-flex min-h-11 items-center gap-2 rounded-lg border border-slate-300 px-3 text-sm dark:border-slate-600">
                                        <input type="checkbox" name="tag" value=t.clone() checked=checked class="size-4" />
                                        {t.clone()}
                                    </label>
                                }
                            }).collect_view()}
                        </div>
                    </fieldset>
                </div>
                <div class="mt-3 flex gap-2">
                    <button type="submit" class=BUTTON>"Apply filters"</button>
                    <a href="/users" class=BUTTON_QUIET>"Clear"</a>
                </div>
            </details>
        </form>
        <p class="mb-2 text-sm text-slate-600 dark:text-slate-400" data-testid="users-total">{total_text(page.total)}</p>
        {if page.users.is_empty() {
            view! { <p class="rounded-2xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">"No users match these filters."</p> }.into_any()
        } else {
            view! {
                <form method="post" action="/users/bulk" aria-label="Bulk actions">
                    <input type="hidden" name="return_to" value=page.here.clone() />
                    <BulkBar can_admin=page.can_admin />
                    <UserTable users=page.users />
                </form>
            }.into_any()
        }}
        <nav aria-label="Pages" class="mt-4 flex justify-between gap-2">
            {page.prev.map(|href| view! { <a rel="prev" href=href class=BUTTON_QUIET>"← Previous"</a> })}
            <span></span>
            {page.next.map(|href| view! { <a rel="next" href=href class=BUTTON_QUIET>"Next →"</a> })}
        </nav>
    }
}

fn badge(text: String, tone: &'static str) -> impl IntoView {
    view! { <span class=format!("inline-block rounded px-1.5 py-0.5 text-xs font-medium {tone}")>{text}</span> }
}

const GREY: &str = "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300";
const RED: &str = "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200";
const AMBER: &str = "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-100";
const INDIGO: &str = "bg-indigo-100 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200";

fn status_badges(u: &UserItem) -> impl IntoView + use<> {
    let mut out = Vec::new();
    if !u.active {
        out.push(badge("deactivated".into(), RED).into_any());
    }
    if !u.approved {
        out.push(badge("pending".into(), AMBER).into_any());
    }
    if !u.confirmed {
        out.push(badge("unconfirmed".into(), AMBER).into_any());
    }
    // The same rule as the Status filter: active means active and approved.
    if u.active && u.approved {
        out.push(badge("active".into(), GREY).into_any());
    }
    out
}

/// Choose an action for the checked rows. Moderators only see theirs.
#[component]
fn BulkBar(can_admin: bool) -> impl IntoView {
    let mut actions = vec![("", "Choose…"), ("activate", "Activate"), ("deactivate", "Deactivate")];
    if can_admin {
        actions.extend([
            ("tag", "Add tags"),
            ("untag", "Remove tags"),
            ("approve", "Approve registration"),
            ("confirm_email", "Confirm email"),
            ("resend_confirmation", "Resend confirmation email"),
            ("force_password_reset", "Force password reset"),
            ("grant_moderator", "Make moderator"),
            ("revoke_moderator", "Revoke moderator"),
            ("grant_admin", "Make admin"),
            ("revoke_admin", "Revoke admin"),
            ("delete", "Delete"),
        ]);
    }
    view! {
        <fieldset class="mb-3 grid grid-cols-1 gap-2 rounded-2xl border border-slate-200 bg-white p-3 sm:grid-cols-2 lg:grid-cols-4 lg:items-end dark:border-slate-800 dark:bg-slate-900">
            <legend class="sr-only">"Apply to selected users"</legend>
            <div>
                <label for="bulk-action" class="mb-1 block text-sm font-medium">"Action"</label>
                <select id="bulk-action" name="action" class=INPUT>
                    {actions.into_iter().map(|(v, t)| view! { <option value=v>{t}</option> }).collect_view()}
                </select>
            </div>
            {can_admin.then(|| view! {
                <div>
                    <label for="bulk-tags" class="mb-1 block text-sm font-medium">"Tags (for add/remove)"</label>
                    <input id="bulk-tags" name="tags" type="text" placeholder="vip, beta" class=INPUT />
                </div>
                <div>
                    <label for="bulk-confirm" class="mb-1 block text-sm font-medium">"Type \"delete\" to confirm deletion"</label>
                    <input id="bulk-confirm" name="confirm" type="text" autocomplete="off" class=INPUT />
                </div>
            })}
            <button type="submit" class=BUTTON>"Apply to selected"</button>
        </fieldset>
    }
}

/// A table on wide screens; below `md` each row is a card.
#[component]
fn UserTable(users: Vec<UserItem>) -> impl IntoView {
    view! {
        <table class="w-full text-sm">
            <caption class="sr-only">"Users"</caption>
            <thead class="hidden md:table-header-group">
                <tr class="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-600 dark:border-slate-800 dark:text-slate-400">
                    <th scope="col" class="w-10 py-2 pr-3 font-medium"><span class="sr-only">"Select"</span></th>
                    <th scope="col" class="py-2 pr-3 font-medium">"User"</th>
                    <th scope="col" class="py-2 pr-3 font-medium">"Status"</th>
                    <th scope="col" class="py-2 pr-3 font-medium">"Role and tags"</th>
                    <th scope="col" class="py-2 pr-3 font-medium">"Joined"</th>
                    <th scope="col" class="py-2 font-medium">"Last active"</th>
                </tr>
            </thead>
            <tbody class="block space-y-3 md:table-row-group md:space-y-0">
                {users.into_iter().map(|u| {
                    let origin = if u.local { None } else { Some(badge("external".into(), GREY)) };
                    view! {
                        <tr class="block rounded-2xl border border-slate-200 bg-white p-4 md:table-row md:rounded-none md:border-0 md:border-b md:bg-transparent md:p-0 dark:border-slate-800 dark:bg-slate-900 md:dark:bg-transparent">
                            <td class="float-right md:float-none md:table-cell md:py-2 md:pr-3">
                                <label class="-m-2 flex size-11 items-center justify-center">
                                    <input type="checkbox" name="ids" value=u.id class="size-5" aria-label=format!("Select @{}", u.nickname) />
                                </label>
                            </td>
                            <td class="block md:table-cell md:py-2 md:pr-3">
                                <p class="font-medium break-all">{format!("@{}", u.nickname)}</p>
                                {(!u.display_name.is_empty()).then(|| view! { <p class="break-words">{u.display_name.clone()}</p> })}
                                {u.email.clone().map(|e| view! { <p class="text-xs text-slate-600 break-all dark:text-slate-400">{e}</p> })}
                            </td>
                            <td class="mt-2 flex flex-wrap gap-1 md:mt-0 md:table-cell md:py-2 md:pr-3">{status_badges(&u)}{origin}</td>
                            <td class="mt-1 flex flex-wrap gap-1 md:mt-0 md:table-cell md:py-2 md:pr-3">
                                {u.role.clone().map(|r| badge(r, INDIGO))}
                                {u.tags.iter().map(|t| badge(t.clone(), GREY)).collect_view()}
                            </td>
                            <td class="mt-2 block text-xs text-slate-600 md:mt-0 md:table-cell md:py-2 md:pr-3 md:text-sm dark:text-slate-400">
                                <span class="md:hidden">"Joined "</span>{format_time(u.created_at)}
                            </td>
                            <td class="block text-xs text-slate-600 md:table-cell md:py-2 md:text-sm dark:text-slate-400">
                                <span class="md:hidden">"Last active "</span>{u.last_active_at.map(format_time).unwrap_or_else(|| "never".into())}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
