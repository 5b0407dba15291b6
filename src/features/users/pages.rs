//! `/users`: the filter form (see filters.rs), one keyset page as a table on
//! desktop and cards on phones, bulk actions on ticked rows or on the whole
//! filter, and the admin's tools (new user, CSV export, saved views).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::filters::FilterForm;
use super::server::{Total, UserItem, UsersPageData, UsersQuery, human, user_tags, users_page};
use super::shortcuts::Shortcuts;
use crate::error::AppError;
use crate::ui::data::{PageResource, page_data};
use crate::ui::flash::FormState;
use crate::ui::markup::Markup;
use crate::ui::page_session::ViewLink;
use crate::ui::page_session::use_page_session;
use crate::ui::{
    AMBER, BUTTON, BUTTON_DANGER, BUTTON_QUIET, ErrorView, Field, GREY, INDIGO, INPUT, Notices, PageHeader, PageLink,
    Pager, RED, Select, badge, format_time,
};

/// The form name under which a pending "apply to all matching" waits (see forms.rs).
pub const CONFIRM_FORM: &str = "bulk_confirm";

/// What `/users` loads: created when the route matches, handed to the page.
#[derive(Clone, Copy)]
pub struct UsersRouteData {
    query: Memo<UsersQuery>,
    users: PageResource<Result<UsersPageData, AppError>>,
    tags: PageResource<Result<Vec<String>, AppError>>,
}

/// Starts loading the page for the current URL; called by the route's `data()` (app.rs).
pub fn users_data() -> UsersRouteData {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
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
    });
    UsersRouteData { query, users: page_data(move || query.get(), users_page), tags: page_data(|| (), |_| user_tags()) }
}

#[component]
pub fn UsersPage(data: UsersRouteData) -> impl IntoView {
    let UsersRouteData { query, users, tags } = data;
    let session = use_page_session();
    // The filter form follows navigation it did not start (links, back and
    // forward) but is left alone while it drives the URL itself.
    let own = StoredValue::new(None::<UsersQuery>);
    let form_query = RwSignal::new(query.get_untracked());
    Effect::watch(
        move || query.get(),
        move |q, _, _| {
            if own.get_value().as_ref() == Some(q) {
                own.set_value(None);
            } else {
                form_query.set(q.clone());
            }
        },
        false,
    );
    let on_navigate = Callback::new(move |href: String| {
        let target = UsersQuery::from_query_string(href.split_once('?').map_or("", |(_, q)| q));
        // The same URL again is no navigation at all: nothing to wait for.
        if target != query.get_untracked() {
            own.set_value(Some(target));
        }
    });
    view! {
        <Title text="Users" />
        <PageHeader
            title="Users".into()
            lead="Find accounts by name, email or display name; every view is a link you can bookmark."
        />
        <Suspense fallback=|| ()>
            {move || {
                let start = form_query.get();
                Suspend::new(async move {
                    let all_tags = tags.await.unwrap_or_default();
                    // Read before the await, so the form re-renders when it changes.
                    view! { <FilterForm query=start current=query all_tags on_navigate /> }
                })
            }}
        </Suspense>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let s = session.await.ok();
                let confirm = s.as_ref().and_then(|s| s.form_named(CONFIRM_FORM));
                let views = s.map(|s| s.views).unwrap_or_default();
                match users.await {
                    Ok(page) => view! { <UsersView query=query.get_untracked() page confirm views /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
        <Shortcuts />
    }
}

fn total_text(t: Total) -> String {
    match t {
        Total::Exact(1) | Total::About(1) => "1 user".into(),
        Total::Exact(n) => format!("{n} users"),
        Total::About(n) => format!("about {} users", human(n)),
    }
}

/// What each bulk action is called: (value, label, admins only).
const ACTIONS: &[(&str, &str, bool)] = &[
    ("activate", "Activate", false),
    ("deactivate", "Deactivate", false),
    ("tag", "Add tags", true),
    ("untag", "Remove tags", true),
    ("approve", "Approve registration", true),
    ("confirm_email", "Confirm email", true),
    ("resend_confirmation", "Resend confirmation email", true),
    ("force_password_reset", "Force password reset", true),
    ("grant_moderator", "Make moderator", true),
    ("revoke_moderator", "Revoke moderator", true),
    ("grant_admin", "Make admin", true),
    ("revoke_admin", "Revoke admin", true),
    ("delete", "Delete", true),
];

/// Admin tools above the list: new user, CSV of this filter, save this view.
#[component]
fn ListTools(query: UsersQuery, page: UsersPageData, views: Vec<ViewLink>) -> impl IntoView {
    let qs = query.query_string(None, None);
    let export = if qs.is_empty() { "/users/export.csv".to_owned() } else { format!("/users/export.csv?{qs}") };
    let current = views.iter().find(|v| v.href == query.without_position().href(None, None)).cloned();
    view! {
        <div class="mb-4 flex flex-col gap-2 sm:flex-row sm:flex-wrap sm:items-start">
            {page
                .can_admin
                .then(|| {
                    view! {
                        <a href="/users/new" class=BUTTON>
                            "New user"
                        </a>
                        <a href=export download="" class=BUTTON_QUIET data-testid="export-csv">
                            "Export CSV"
                        </a>
                    }
                })} <details class="sm:ml-auto">
                <summary class=format!("{BUTTON_QUIET} cursor-pointer list-none")>"Saved views"</summary>
                <div class="mt-2 rounded-2xl border border-slate-200 bg-white p-3 sm:w-80 dark:border-slate-800 dark:bg-slate-900">
                    <form method="post" action="/users/views" class="flex flex-col gap-2">
                        <input type="hidden" name="return_to" value=page.here.clone() />
                        <label for="view-name" class="text-sm font-medium">
                            "Save this filter as"
                        </label>
                        <input
                            id="view-name"
                            name="name"
                            type="text"
                            maxlength="60"
                            required
                            placeholder="Spam wave, Nov 23"
                            class=INPUT
                        />
                        <button type="submit" class=BUTTON>
                            "Save view"
                        </button>
                    </form>
                    {current
                        .map(|v| {
                            view! {
                                <form
                                    method="post"
                                    action=format!("/users/views/{}/delete", v.id)
                                    class="mt-3 border-t border-slate-200 pt-3 dark:border-slate-800"
                                >
                                    <button type="submit" class=format!("{BUTTON_DANGER} w-full")>
                                        {format!("Delete the view \"{}\"", v.name)}
                                    </button>
                                </form>
                            }
                        })}
                </div>
            </details>
        </div>
    }
}

/// Asks to confirm an action on every user matching the filter, with the
/// number counted on the server; submitting again applies it.
#[component]
fn ConfirmAll(form: FormState, here: String) -> impl IntoView {
    let get = |k: &str| form.values.get(k).cloned().unwrap_or_default();
    let (action, count) = (get("action"), get("count"));
    let label = ACTIONS.iter().find(|a| a.0 == action).map_or("Apply", |a| a.1);
    view! {
        <div
            role="alertdialog"
            aria-labelledby="confirm-all-h"
            class="mb-4 rounded-2xl border-2 border-amber-500 bg-amber-50 p-4 dark:bg-amber-950"
        >
            <h2 id="confirm-all-h" class="font-semibold">
                {format!("{label}: all {count} users matching this filter?")}
            </h2>
            <p class="mt-1 text-sm">
                "The number is checked again when you confirm; if the matches changed, nothing happens."
            </p>
            <form method="post" action="/users/bulk" class="mt-3 flex flex-col gap-2 sm:flex-row">
                <input type="hidden" name="action" value=action.clone() />
                <input type="hidden" name="tags" value=get("tags") />
                <input type="hidden" name="confirm" value=get("confirm") />
                <input type="hidden" name="scope" value="filter" />
                <input type="hidden" name="confirm_count" value=count.clone() />
                <input type="hidden" name="return_to" value=here.clone() />
                <button type="submit" class=if action == "delete" { BUTTON_DANGER } else { BUTTON }>
                    {format!("Yes, {} {count} users", label.to_lowercase())}
                </button>
                // A full load: the pending confirmation lives in the session.
                <a href=here rel="external" class=BUTTON_QUIET>
                    "Cancel"
                </a>
            </form>
        </div>
    }
}

#[component]
fn UsersView(
    query: UsersQuery,
    page: UsersPageData,
    confirm: Option<FormState>,
    views: Vec<ViewLink>,
) -> impl IntoView {
    let filtered = page.filtered;
    let total = total_text(page.total);
    view! {
        <ListTools query=query.clone() page=page.clone() views />
        {confirm.map(|form| view! { <ConfirmAll form here=page.here.clone() /> })}
        <Notices notices=page.notices.clone() />
        <p class="mb-2 text-sm text-slate-600 dark:text-slate-400" data-testid="users-total">
            {total.clone()}
        </p>
        {if page.users.is_empty() {
            view! {
                <p class="rounded-2xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
                    "No users match these filters."
                </p>
            }
                .into_any()
        } else {
            view! {
                <form method="post" action="/users/bulk" aria-label="Bulk actions">
                    <input type="hidden" name="return_to" value=page.here.clone() />
                    <BulkBar can_admin=page.can_admin filtered total=total.clone() />
                    <UserTable users=page.users />
                </form>
            }
                .into_any()
        }}
        <Pager
            prev=page
                .prev
                .map(|href| PageLink {
                    href,
                    label: "Previous",
                })
            next=page.next.map(|href| PageLink { href, label: "Next" })
        />
    }
}

/// A user's status badges: (label, tone), the same on the list and the user's page.
fn status_labels(u: &UserItem) -> impl Iterator<Item = (&'static str, &'static str)> + use<> {
    // The same rule as the Status filter: active means active and approved.
    [
        (!u.active, "deactivated", RED),
        (!u.approved, "pending", AMBER),
        (!u.confirmed, "unconfirmed", AMBER),
        (u.active && u.approved, "active", GREY),
    ]
    .into_iter()
    .filter_map(|(on, label, tone)| on.then_some((label, tone)))
}

pub(super) fn status_badges(u: &UserItem) -> impl IntoView + use<> {
    status_labels(u).map(|(label, tone)| badge(label.into(), tone)).collect_view()
}

/// Choose an action for the checked rows, or for every user the filter
/// matches. Moderators only see theirs.
#[component]
fn BulkBar(can_admin: bool, filtered: bool, total: String) -> impl IntoView {
    let actions = ACTIONS.iter().filter(|a| can_admin || !a.2);
    view! {
        <fieldset class="mb-3 grid grid-cols-1 gap-2 rounded-2xl border border-slate-200 bg-white p-3 sm:grid-cols-2 lg:grid-cols-4 lg:items-end dark:border-slate-800 dark:bg-slate-900">
            <legend class="sr-only">"Bulk actions"</legend>
            <Select
                name="action"
                id="bulk-action"
                label="Action"
                options=std::iter::once(("", "Choose…")).chain(actions.map(|(v, t, _)| (*v, *t))).collect()
                class=""
            />
            {can_admin
                .then(|| {
                    view! {
                        <Field
                            name="tags"
                            id="bulk-tags"
                            label="Tags (for add/remove)"
                            placeholder="vip, beta"
                            class=""
                        />
                        <Field
                            name="confirm"
                            id="bulk-confirm"
                            label="Type \"delete\" to confirm deletion"
                            autocomplete="off"
                            class=""
                        />
                    }
                })}
            {filtered
                .then(|| {
                    view! {
                        <div
                            class="flex flex-col gap-1 text-sm sm:col-span-2 lg:col-span-4"
                            role="radiogroup"
                            aria-label="Apply to"
                        >
                            <label class="inline-flex min-h-11 items-center gap-2">
                                <input type="radio" name="scope" value="selected" checked=true class="size-5" />
                                "The users ticked below"
                            </label>
                            <label class="inline-flex min-h-11 items-center gap-2">
                                <input type="radio" name="scope" value="filter" class="size-5" />
                                {format!("All users matching this filter ({total}); you confirm the count next")}
                            </label>
                        </div>
                    }
                })}
            <button type="submit" class=BUTTON>
                "Apply action"
            </button>
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
                    <th scope="col" class="w-10 py-2 pr-3 font-medium">
                        <span class="sr-only">"Select"</span>
                    </th>
                    <th scope="col" class="py-2 pr-3 font-medium">
                        "User"
                    </th>
                    <th scope="col" class="py-2 pr-3 font-medium">
                        "Status"
                    </th>
                    <th scope="col" class="py-2 pr-3 font-medium">
                        "Role and tags"
                    </th>
                    <th scope="col" class="py-2 pr-3 font-medium">
                        "Joined"
                    </th>
                    <th scope="col" class="py-2 font-medium">
                        "Last active"
                    </th>
                </tr>
            </thead>
            <tbody class="block space-y-3 md:table-row-group md:space-y-0" inner_html=rows_html(&users) />
        </table>
    }
}

/// The rows of `UserTable` as markup (see ui/markup.rs); on phones each row is a card.
fn rows_html(users: &[UserItem]) -> String {
    let mut m = Markup::with_capacity(users.len() * 1024);
    for u in users {
        m.raw(r#"<tr data-user-row="" class="user-row"><td class="user-row-tick"><label>"#)
            .raw(r#"<input type="checkbox" name="ids" value=""#)
            .int(u.id)
            .raw(r#"" class="size-5" aria-label="Select @"#)
            .attr(&u.nickname)
            .raw(r#""></label></td><td class="user-row-who"><a href="/users/"#)
            .int(u.id)
            .raw(r#"">@"#)
            .text(&u.nickname)
            .raw("</a>");
        if !u.display_name.is_empty() {
            m.raw(r#"<p class="break-words">"#).text(&u.display_name).raw("</p>");
        }
        if let Some(email) = &u.email {
            m.raw(r#"<p class="user-row-email">"#).text(email).raw("</p>");
        }
        m.raw(r#"</td><td class="user-row-badges">"#);
        for (label, tone) in status_labels(u) {
            m.badge(label, tone);
        }
        if !u.local {
            m.badge("external", GREY);
        }
        m.raw(r#"</td><td class="user-row-badges">"#);
        if let Some(role) = &u.role {
            m.badge(role, INDIGO);
        }
        for tag in &u.tags {
            m.badge(tag, GREY);
        }
        m.raw(r#"</td><td class="user-row-joined"><span class="md:hidden">Joined </span>"#)
            .text(&format_time(u.created_at))
            .raw(r#"</td><td class="user-row-seen"><span class="md:hidden">Last active </span>"#)
            .text(&u.last_active_at.map_or_else(|| "never".into(), format_time))
            .raw("</td></tr>");
    }
    m.into_string()
}
