//! `/organizations` (search, create, the list) and `/organizations/{id}`
//! (rename, members, domains, tokens, the settings document's editor from
//! [`super::editor`], and a confirmed delete). What the
//! Clerk organization settings forbid is said on the page, not hidden.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::editor::{SettingsEditor, Versions};
use super::server::{
    DomainView, MemberView, OrgDetail, OrgListData, OrgListQuery, TokenView, organization_page, organizations_page,
};
use crate::domain::settings::ENROLLMENT_MODES;
use crate::error::AppError;
use crate::ui::data::{PageResource, page_data, page_data_by_id};
use crate::ui::flash::FormState;
use crate::ui::page_session::use_page_session;
use crate::ui::{
    AMBER, BUTTON, BUTTON_DANGER, BUTTON_QUIET, ErrorView, Field, GREEN, GREY, INPUT, PageHeader, PageLink, Pager,
    SECTION, Select, badge, format_time,
};

const NOTICE: &str = "mb-4 rounded-lg border border-amber-500/50 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100";
const ROLES: [(&str, &str); 2] = [("org:member", "org:member"), ("org:admin", "org:admin")];

#[derive(Clone, Copy)]
pub struct OrganizationsRouteData {
    query: Memo<OrgListQuery>,
    page: PageResource<Result<OrgListData, AppError>>,
}

pub fn organizations_data() -> OrganizationsRouteData {
    let q = use_query_map();
    let query = Memo::new(move |_| {
        let m = q.read();
        OrgListQuery { query: m.get("query"), page: m.get("page") }
    });
    OrganizationsRouteData { query, page: page_data(move || query.get(), organizations_page) }
}

#[component]
pub fn OrganizationsPage(data: OrganizationsRouteData) -> impl IntoView {
    let OrganizationsRouteData { query, page } = data;
    let session = use_page_session();
    view! {
        <Title text="Organizations" />
        <PageHeader
            title="Organizations".into()
            lead="Groups of accounts with roles and verified domains, bounded by the organization settings."
        />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match session.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                match page.await {
                    Ok(d) => view! { <OrgList query=query.get() data=d form=s.form_named("org_create") /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn list_href(query: &Option<String>, page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(q) = query.as_ref().filter(|q| !q.is_empty()) {
        pairs.push(("query", q.clone()));
    }
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if qs.is_empty() { "/organizations".into() } else { format!("/organizations?{qs}") }
}

#[component]
fn OrgList(query: OrgListQuery, data: OrgListData, form: Option<FormState>) -> impl IntoView {
    let q = query.query.clone().unwrap_or_default();
    let prev = (data.page > 1).then(|| PageLink { href: list_href(&query.query, data.page - 1), label: "Previous" });
    let next = data.has_next.then(|| PageLink { href: list_href(&query.query, data.page + 1), label: "Next" });
    view! {
        {(!data.notices.is_empty())
            .then(|| {
                view! {
                    <div role="status" class=NOTICE>
                        {data.notices.iter().map(|n| view! { <p>{n.clone()}</p> }).collect_view()}
                    </div>
                }
            })}
        <div class="grid gap-6 md:grid-cols-2">
            <section class=SECTION aria-labelledby="org-new-h">
                <h2 id="org-new-h" class="mb-4 text-lg font-semibold">
                    "New organization"
                </h2>
                {if data.enabled {
                    view! {
                        <form method="post" action="/organizations" novalidate>
                            <Field name="name" label="Name" form=form.clone().unwrap_or_default() required=true />
                            <Field
                                name="slug"
                                label="Slug"
                                form=form.unwrap_or_default()
                                hint="Lower-case letters, digits and hyphens. Empty: made from the name."
                            />
                            <button type="submit" class=BUTTON>
                                "Create organization"
                            </button>
                        </form>
                    }
                        .into_any()
                } else {
                    view! {
                        <p class="text-sm" data-testid="orgs-disabled">
                            "Organizations are turned off in organization settings (enabled: false), so none can be created. "
                            <a href="/settings/instance" class="inline-flex min-h-11 items-center underline">
                                "Change the organization settings"
                            </a>
                        </p>
                    }
                        .into_any()
                }}
            </section>
            <section class=SECTION aria-labelledby="org-search-h">
                <h2 id="org-search-h" class="mb-4 text-lg font-semibold">
                    "Search"
                </h2>
                <form method="get" action="/organizations" role="search" aria-label="Search organizations">
                    <label for="org-query" class="mb-1 block text-sm font-medium">
                        "Name or slug contains"
                    </label>
                    <input id="org-query" name="query" type="search" value=q class=INPUT />
                    <div class="mt-3 flex gap-2">
                        <button type="submit" class=BUTTON>
                            "Search"
                        </button>
                        <a href="/organizations" class=BUTTON_QUIET>
                            "Clear"
                        </a>
                    </div>
                </form>
            </section>
        </div>
        <p class="mb-2 text-sm text-slate-600 dark:text-slate-400">{format!("{} organizations", data.total)}</p>
        {if data.items.is_empty() {
            view! {
                <p class="rounded-2xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
                    "No organizations match."
                </p>
            }
                .into_any()
        } else {
            view! {
                <ul
                    class="divide-y divide-slate-200 rounded-2xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900"
                    aria-label="Organizations"
                    data-testid="org-list"
                >
                    {data
                        .items
                        .into_iter()
                        .map(|o| {
                            view! {
                                <li class="px-4 py-2">
                                    <a
                                        href=format!("/organizations/{}", o.id)
                                        class="flex min-h-11 flex-wrap items-center gap-x-3 gap-y-1 hover:underline"
                                    >
                                        <span class="font-medium">{o.name}</span>
                                        <span class="text-sm text-slate-600 dark:text-slate-400">{o.slug}</span>
                                        <span class="text-sm tabular-nums">
                                            {format!("{} members · {} domains", o.members, o.domains)}
                                        </span>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
        <Pager prev next />
    }
}

#[derive(Clone, Copy)]
pub struct OrganizationRouteData {
    org: PageResource<Result<OrgDetail, AppError>>,
}

pub fn organization_data() -> OrganizationRouteData {
    let org = page_data_by_id(organization_page);
    OrganizationRouteData { org }
}

#[component]
pub fn OrganizationPage(data: OrganizationRouteData) -> impl IntoView {
    let OrganizationRouteData { org } = data;
    let session = use_page_session();
    view! {
        <Title text="Organization" />
        <p class="mb-2 text-sm">
            <a href="/organizations" class="inline-flex min-h-11 items-center underline">
                "← Organizations"
            </a>
        </p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match session.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                match org.await {
                    Ok(o) => view! { <Detail org=o form=s.form /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(org: OrgDetail, form: Option<FormState>) -> impl IntoView {
    let named = move |n: &str| form.clone().filter(|f| f.form == n);
    let id = org.id;
    let lead = format!("{} · created {}", org.slug, format_time(org.created_at));
    view! {
        <PageHeader title=org.name.clone() lead=lead />
        <section class=SECTION aria-labelledby="rename-h">
            <h2 id="rename-h" class="mb-4 text-lg font-semibold">
                "Name"
            </h2>
            <form method="post" action=format!("/organizations/{id}/rename") novalidate>
                <Field name="name" label="Name" form=named("org_rename").unwrap_or_default() value=org.name.clone() />
                <Field name="slug" label="Slug" form=named("org_rename").unwrap_or_default() value=org.slug.clone() />
                <button type="submit" class=BUTTON>
                    "Rename"
                </button>
            </form>
        </section>
        <Members id members=org.members.clone() max=org.limits.max_members form=named("org_member") />
        <Domains
            id
            domains=org.domains.clone()
            enabled=org.limits.domains_enabled
            modes=org.limits.modes.clone()
            form=named("org_domain")
        />
        <SettingsEditor id text=org.settings_text.clone() version=org.settings_version form=named("org_settings") />
        <Versions versions=org.versions.clone() />
        <Tokens id tokens=org.tokens.clone() form=named("org_token") />
        <section class=SECTION aria-labelledby="delete-h">
            <h2 id="delete-h" class="mb-4 text-lg font-semibold">
                "Delete"
            </h2>
            {if org.limits.admin_delete_enabled {
                let f = named("org_delete");
                let err = f.as_ref().and_then(|f| f.errors.get("confirm").cloned());
                view! {
                    <form method="post" action=format!("/organizations/{id}/delete")>
                        <label class="mb-3 flex min-h-11 items-center gap-3 text-sm">
                            <input
                                type="checkbox"
                                name="confirm"
                                value="yes"
                                aria-invalid=err.as_ref().map(|_| "true")
                                aria-describedby=err.as_ref().map(|_| "confirm-error")
                            />
                            "I understand: its members, domains, settings and tokens are deleted too."
                        </label>
                        {err
                            .map(|e| {
                                view! {
                                    <p id="confirm-error" class="mb-3 text-sm text-red-700 dark:text-red-300">
                                        {e}
                                    </p>
                                }
                            })}
                        <button type="submit" class=BUTTON_DANGER>
                            "Delete organization"
                        </button>
                    </form>
                }
                    .into_any()
            } else {
                view! {
                    <p class="text-sm" data-testid="delete-disabled">
                        "Deleting organizations is turned off in organization settings (admin_delete_enabled: false)."
                    </p>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn Members(id: i64, members: Vec<MemberView>, max: i64, form: Option<FormState>) -> impl IntoView {
    let cap = if max > 0 {
        format!("{} of at most {max} members (max_allowed_memberships).", members.len())
    } else {
        format!("{} members; the organization settings set no cap.", members.len())
    };
    let full = max > 0 && members.len() as i64 >= max;
    view! {
        <section class=SECTION aria-labelledby="members-h">
            <h2 id="members-h" class="mb-1 text-lg font-semibold">
                "Members"
            </h2>
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">{cap}</p>
            {full
                .then(|| {
                    view! {
                        <p class=NOTICE>
                            "This organization is full: the organization settings allow no more members."
                        </p>
                    }
                })}
            <form
                method="post"
                action=format!("/organizations/{id}/members")
                class="mb-4 grid gap-3 sm:grid-cols-3 sm:items-start"
                novalidate
            >
                <Field name="user" label="Nickname or user id" form=form.clone().unwrap_or_default() class="" />
                <Select name="role" label="Role" options=ROLES.to_vec() form=form.unwrap_or_default() class="" />
                <div class="sm:pt-6">
                    <button type="submit" class=BUTTON>
                        "Add member"
                    </button>
                </div>
            </form>
            <ul class="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Members">
                {members.into_iter().map(|m| member_row(id, m)).collect_view()}
            </ul>
        </section>
    }
}

fn member_row(id: i64, m: MemberView) -> impl IntoView {
    let select_id = format!("role-{}", m.user_id);
    view! {
        <li class="flex flex-wrap items-center gap-3 py-2">
            <a
                href=format!("/users/{}", m.user_id)
                class="inline-flex min-h-11 flex-1 items-center font-medium underline"
            >
                {format!("@{}", m.nickname)}
            </a>
            <form
                method="post"
                action=format!("/organizations/{id}/members/{}/role", m.user_id)
                class="flex items-center gap-2"
            >
                <label for=select_id.clone() class="sr-only">
                    {format!("Role of @{}", m.nickname)}
                </label>
                <select id=select_id name="role" class=INPUT>
                    {ROLES
                        .iter()
                        .map(|(v, t)| {
                            view! {
                                <option value=*v selected=*v == m.role>
                                    {*t}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <button type="submit" class=BUTTON_QUIET>
                    "Change role"
                </button>
            </form>
            <form method="post" action=format!("/organizations/{id}/members/{}/remove", m.user_id)>
                <button type="submit" class=BUTTON_DANGER aria-label=format!("Remove @{}", m.nickname)>
                    "Remove"
                </button>
            </form>
        </li>
    }
}

/// The enrollment modes the settings allow, as options.
fn mode_options(allowed: &[String]) -> Vec<(&'static str, &'static str)> {
    ENROLLMENT_MODES.into_iter().filter(|m| allowed.iter().any(|a| a == m)).map(|m| (m, m)).collect()
}

#[component]
fn Domains(
    id: i64,
    domains: Vec<DomainView>,
    enabled: bool,
    modes: Vec<String>,
    form: Option<FormState>,
) -> impl IntoView {
    let options = mode_options(&modes);
    view! {
        <section class=SECTION aria-labelledby="domains-h">
            <h2 id="domains-h" class="mb-4 text-lg font-semibold">
                "Domains"
            </h2>
            {if !enabled {
                view! {
                    <p class=NOTICE data-testid="domains-disabled">
                        "Domains are turned off in organization settings (domains_enabled: false): they cannot be added, verified or changed."
                    </p>
                }
                    .into_any()
            } else if options.is_empty() {
                view! {
                    <p class=NOTICE>
                        "The organization settings allow no enrollment mode (domains_enrollment_modes is empty), so no domain can be added."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <form
                        method="post"
                        action=format!("/organizations/{id}/domains")
                        class="mb-4 grid gap-3 sm:grid-cols-3 sm:items-start"
                        novalidate
                    >
                        <Field
                            name="domain"
                            label="Domain"
                            form=form.clone().unwrap_or_default()
                            placeholder="example.org"
                            class=""
                        />
                        <Select
                            name="enrollment_mode"
                            label="Enrollment"
                            options=options.clone()
                            form=form.unwrap_or_default()
                            class=""
                        />
                        <div class="sm:pt-6">
                            <button type="submit" class=BUTTON>
                                "Add domain"
                            </button>
                        </div>
                    </form>
                }
                    .into_any()
            }}
            <ul class="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Domains">
                {domains.into_iter().map(|d| domain_row(id, d, enabled, options.clone())).collect_view()}
            </ul>
        </section>
    }
}

fn domain_row(id: i64, d: DomainView, enabled: bool, options: Vec<(&'static str, &'static str)>) -> impl IntoView {
    let select_id = format!("mode-{}", d.id);
    let verified = match d.verified_at {
        Some(t) => badge(format!("verified {}", format_time(t)), GREEN).into_any(),
        None => badge("unverified".into(), AMBER).into_any(),
    };
    view! {
        <li class="flex flex-wrap items-center gap-3 py-2">
            <span class="w-full break-all font-medium sm:w-auto sm:flex-1">{d.domain.clone()}</span>
            {verified}
            {badge(d.mode.clone(), GREY)}
            {(enabled && d.verified_at.is_none())
                .then(|| {
                    view! {
                        <form method="post" action=format!("/organizations/{id}/domains/{}/verify", d.id)>
                            <button type="submit" class=BUTTON_QUIET aria-label=format!("Verify {}", d.domain)>
                                "Verify"
                            </button>
                        </form>
                    }
                })}
            {(enabled && !options.is_empty())
                .then(|| {
                    view! {
                        <form
                            method="post"
                            action=format!("/organizations/{id}/domains/{}/mode", d.id)
                            class="flex items-center gap-2"
                        >
                            <label for=select_id.clone() class="sr-only">
                                {format!("Enrollment of {}", d.domain)}
                            </label>
                            <select id=select_id.clone() name="enrollment_mode" class=INPUT>
                                {options
                                    .iter()
                                    .map(|(v, t)| {
                                        view! {
                                            <option value=*v selected=*v == d.mode>
                                                {*t}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                            <button type="submit" class=BUTTON_QUIET>
                                "Change mode"
                            </button>
                        </form>
                    }
                })}
            <form method="post" action=format!("/organizations/{id}/domains/{}/remove", d.id)>
                <button type="submit" class=BUTTON_DANGER aria-label=format!("Remove {}", d.domain)>
                    "Remove"
                </button>
            </form>
        </li>
    }
}

#[component]
fn Tokens(id: i64, tokens: Vec<TokenView>, form: Option<FormState>) -> impl IntoView {
    view! {
        <section class=SECTION aria-labelledby="tokens-h">
            <h2 id="tokens-h" class="mb-1 text-lg font-semibold">
                "Organization tokens"
            </h2>
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">
                "A token bound to this organization may read and replace its settings document, nothing else."
            </p>
            <form method="post" action=format!("/organizations/{id}/tokens") class="mb-4" novalidate>
                <Field name="label" label="Token name" form=form.unwrap_or_default() />
                <button type="submit" class=BUTTON>
                    "Create organization token"
                </button>
            </form>
            <ul class="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Tokens">
                {tokens
                    .into_iter()
                    .map(|t| {
                        let used = t
                            .last_used_at
                            .map_or_else(|| "never used".to_owned(), |u| format!("last used {}", format_time(u)));
                        view! {
                            <li class="flex flex-wrap items-center gap-3 py-2">
                                <span class="flex-1 font-medium">{t.label.clone()}</span>
                                <span class="text-xs text-slate-600 dark:text-slate-400">
                                    {format!("by @{} · {} · {used}", t.owner, format_time(t.created_at))}
                                </span>
                                {if t.revoked {
                                    badge("revoked".into(), GREY).into_any()
                                } else {
                                    view! {
                                        <form
                                            method="post"
                                            action=format!("/organizations/{id}/tokens/{}/revoke", t.id)
                                        >
                                            <button
                                                type="submit"
                                                class=BUTTON_DANGER
                                                aria-label=format!("Revoke {}", t.label)
                                            >
                                                "Revoke"
                                            </button>
                                        </form>
                                    }
                                        .into_any()
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
