//! `/users/{id}` (profile, actions, credentials, reset link, log entries about
//! the user) and `/users/new`. Plain forms: everything works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;

use super::pages::status_badges;
use super::server::detail::{UserDetail, load_user_detail};
use super::service::bulk::DELETE_CONFIRMATION;
use crate::error::AppError;
use crate::features::statuses::pages::status_with_actions;
use crate::ui::data::{PageResource, page_data_by_id};
use crate::ui::flash::FormState;
use crate::ui::page_session::use_page_session;
use crate::ui::{
    BUTTON, BUTTON_DANGER, BUTTON_QUIET, ErrorView, Field, FormError, GREY, INDIGO, INPUT, PageHeader, SECTION, Select,
    TextArea, badge, format_time, report_state_badge,
};

/// What `/users/{id}` loads: created when the route matches, handed to the page.
#[derive(Clone, Copy)]
pub struct UserDetailRouteData {
    user: PageResource<Result<UserDetail, AppError>>,
}

/// Starts loading the page for the current URL; called by the route's `data()` (app.rs).
pub fn user_detail_data() -> UserDetailRouteData {
    let user = page_data_by_id(load_user_detail);
    UserDetailRouteData { user }
}

#[component]
pub fn UserDetailPage(data: UserDetailRouteData) -> impl IntoView {
    let UserDetailRouteData { user } = data;
    let session = use_page_session();
    view! {
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let form = session.await.ok().and_then(|s| s.form_named("credentials"));
                match user.await {
                    Ok(d) => view! { <DetailView d form /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A one-button form that runs a bulk action on this one user.
fn action_form(id: i64, action: &'static str, label: &'static str, style: &'static str) -> impl IntoView + use<> {
    view! {
        <form method="post" action="/users/bulk">
            <input type="hidden" name="ids" value=id />
            <input type="hidden" name="action" value=action />
            <input type="hidden" name="return_to" value=format!("/users/{id}") />
            <button type="submit" class=format!("{style} w-full sm:w-auto")>
                {label}
            </button>
        </form>
    }
}

fn fact(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="py-2 sm:grid sm:grid-cols-3 sm:gap-4">
            <dt class="text-sm font-medium text-slate-600 dark:text-slate-400">{label}</dt>
            <dd class="mt-1 text-sm break-words sm:col-span-2 sm:mt-0">{value}</dd>
        </div>
    }
}

fn yes_no(b: bool) -> String {
    if b { "Yes".into() } else { "No".into() }
}

#[component]
fn DetailView(d: UserDetail, form: Option<FormState>) -> impl IntoView {
    let u = d.user.clone();
    let id = u.id;
    let title = format!("@{}", u.nickname);
    let lead = if u.display_name.is_empty() { None } else { Some(u.display_name.clone()) };
    let facts = view! {
        <dl class="divide-y divide-slate-200 dark:divide-slate-800">
            {fact("Email", u.email.clone().unwrap_or_else(|| "—".into()))}
            {fact("Origin", if u.local { "Local".into() } else { "External".into() })}
            {fact("Role", u.role.clone().unwrap_or_else(|| "None".into()))} {fact("Joined", format_time(u.created_at))}
            {fact("Last active", u.last_active_at.map(format_time).unwrap_or_else(|| "never".into()))}
            {fact("Email confirmed", yes_no(u.confirmed))} {fact("Approved", yes_no(u.approved))}
            {fact("Locked", yes_no(d.locked))} {fact("Discoverable", yes_no(d.discoverable))}
            {fact("Actor type", d.actor_type.clone())}
            {d.password_reset_pending.then(|| fact("Password", "Must be reset at next sign-in".into()))}
            {d.sso.then(|| fact("Sign-in", "Signs in with SSO".into()))}
            {d.registration_reason.clone().map(|r| fact("Registration reason", r))}
            {(!d.bio.is_empty()).then(|| fact("Bio", d.bio.clone()))}
        </dl>
    }
    .into_any();
    view! {
        <Title text=title.clone() />
        <p class="mb-2">
            <a
                href="/users"
                class="inline-flex min-h-11 items-center text-sm text-indigo-700 underline dark:text-indigo-300"
            >
                "← All users"
            </a>
        </p>
        <header class="mb-4">
            <h1 class="text-2xl font-semibold tracking-tight break-all">{title}</h1>
            {lead.map(|l| view! { <p class="mt-1 text-slate-600 break-words dark:text-slate-400">{l}</p> })}
        </header>
        <div class="mb-4 flex flex-wrap gap-1" data-testid="user-badges">
            {status_badges(&u)}
            {(!u.local).then(|| badge("external".into(), GREY))}
            {u.role.clone().map(|r| badge(r, INDIGO))}
            {u.tags.iter().map(|t| badge(t.clone(), GREY)).collect_view()}
        </div>
        // Actions first: on a phone they are what a moderator came for.
        // Each section type-erased: one nested view type would be too deep for rustc.
        {view! { <Actions d=d.clone() /> }.into_any()}
        {view! {
            <section class=SECTION aria-labelledby="facts-h">
                <h2 id="facts-h" class="mb-2 text-lg font-semibold">
                    "Profile"
                </h2>
                {facts}
            </section>
        }
            .into_any()}
        {view! { <Content d=d.clone() /> }.into_any()}
        {d.can_admin.then(|| view! { <Credentials d=d.clone() form=form.clone() /> }.into_any())}
        {d.can_admin.then(|| view! { <LogAbout d=d.clone() /> }.into_any())}
        <p class="text-xs text-slate-600 dark:text-slate-400">{format!("User id {id}")}</p>
    }
}

#[component]
fn Actions(d: UserDetail) -> impl IntoView {
    let u = &d.user;
    let id = u.id;
    let is_admin = u.role.as_deref() == Some("admin");
    let is_mod = u.role.as_deref() == Some("moderator");
    let mut buttons = Vec::new();
    if !d.is_self {
        buttons.push(if u.active {
            action_form(id, "deactivate", "Deactivate", BUTTON_DANGER).into_any()
        } else {
            action_form(id, "activate", "Activate", BUTTON).into_any()
        });
    }
    if d.can_admin {
        if !u.approved {
            buttons.push(action_form(id, "approve", "Approve registration", BUTTON).into_any());
        }
        if !u.confirmed {
            buttons.push(action_form(id, "confirm_email", "Confirm email", BUTTON_QUIET).into_any());
            buttons.push(action_form(id, "resend_confirmation", "Resend confirmation", BUTTON_QUIET).into_any());
        }
        if u.local {
            buttons.push(action_form(id, "force_password_reset", "Force password reset", BUTTON_QUIET).into_any());
        }
        buttons.push(if is_mod {
            action_form(id, "revoke_moderator", "Revoke moderator", BUTTON_QUIET).into_any()
        } else {
            action_form(id, "grant_moderator", "Make moderator", BUTTON_QUIET).into_any()
        });
        if !is_admin {
            buttons.push(action_form(id, "grant_admin", "Make admin", BUTTON_QUIET).into_any());
        } else if !d.is_self {
            buttons.push(action_form(id, "revoke_admin", "Revoke admin", BUTTON_QUIET).into_any());
        }
    }
    let back = format!("/users/{id}");
    view! {
        <section class=SECTION aria-labelledby="actions-h">
            <h2 id="actions-h" class="mb-3 text-lg font-semibold">
                "Actions"
            </h2>
            <div class="flex flex-col gap-2 sm:flex-row sm:flex-wrap">{buttons}</div>
            {d
                .can_admin
                .then(|| {
                    view! {
                        <div class="mt-5 grid gap-4 sm:grid-cols-2">
                            <form method="post" action="/users/bulk" class="flex flex-col gap-2">
                                <input type="hidden" name="ids" value=id />
                                <input type="hidden" name="return_to" value=back.clone() />
                                <label for="tag-add" class="text-sm font-medium">
                                    "Tags"
                                </label>
                                <input id="tag-add" name="tags" type="text" placeholder="vip, beta" class=INPUT />
                                <div class="flex gap-2">
                                    <button type="submit" name="action" value="tag" class=BUTTON_QUIET>
                                        "Add tags"
                                    </button>
                                    <button type="submit" name="action" value="untag" class=BUTTON_QUIET>
                                        "Remove tags"
                                    </button>
                                </div>
                            </form>
                            {u
                                .local
                                .then(|| {
                                    view! {
                                        <form
                                            method="post"
                                            action=format!("/users/{id}/password-reset")
                                            class="flex flex-col gap-2"
                                        >
                                            <p class="text-sm font-medium">"Password reset link"</p>
                                            <p class="text-xs text-slate-600 dark:text-slate-400">
                                                "A one-time link, valid for 24 hours, for you to pass on. Shown once."
                                            </p>
                                            <button type="submit" class=BUTTON_QUIET>
                                                "Create reset link"
                                            </button>
                                        </form>
                                    }
                                })}
                            {(!d.is_self)
                                .then(|| {
                                    view! {
                                        <form
                                            method="post"
                                            action="/users/bulk"
                                            class="flex flex-col gap-2 sm:col-span-2"
                                        >
                                            <input type="hidden" name="ids" value=id />
                                            <input type="hidden" name="return_to" value=back.clone() />
                                            <input type="hidden" name="action" value="delete" />
                                            <label for="delete-confirm" class="text-sm font-medium">
                                                {format!("Type \"{DELETE_CONFIRMATION}\" to delete this account")}
                                            </label>
                                            <div class="flex flex-col gap-2 sm:flex-row">
                                                <input
                                                    id="delete-confirm"
                                                    name="confirm"
                                                    type="text"
                                                    autocomplete="off"
                                                    class=INPUT
                                                />
                                                <button
                                                    type="submit"
                                                    class=format!("{BUTTON_DANGER} whitespace-nowrap")
                                                >
                                                    "Delete account"
                                                </button>
                                            </div>
                                        </form>
                                    }
                                })}
                        </div>
                    }
                })}
        </section>
    }
}

/// The account's latest statuses and the reports against it.
#[component]
fn Content(d: UserDetail) -> impl IntoView {
    let nickname = d.user.nickname.clone();
    let back = format!("/users/{}", d.user.id);
    let counts = d.report_counts.iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect::<Vec<_>>().join(", ");
    view! {
        <section class=SECTION aria-labelledby="reports-h">
            <h2 id="reports-h" class="mb-1 text-lg font-semibold">
                "Reports against this account"
            </h2>
            <p class="mb-2 text-sm text-slate-600 dark:text-slate-400">{counts}</p>
            <ul class="space-y-1" data-testid="user-reports">
                {d
                    .reports
                    .into_iter()
                    .map(|r| {
                        view! {
                            <li>
                                <a
                                    href=format!("/reports/{}", r.id)
                                    class="flex min-h-11 flex-wrap items-center gap-2 text-sm text-indigo-700 underline dark:text-indigo-300"
                                >
                                    {format!("#{}", r.id)}
                                    {report_state_badge(r.state)}
                                    <span class="text-slate-600 dark:text-slate-400">{format_time(r.created_at)}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <section class=SECTION aria-labelledby="statuses-h">
            <h2 id="statuses-h" class="mb-3 text-lg font-semibold">
                "Latest statuses"
            </h2>
            {if d.statuses.is_empty() {
                view! { <p class="text-sm text-slate-600 dark:text-slate-400">"No public statuses."</p> }.into_any()
            } else {
                view! {
                    <ul class="space-y-3">
                        {d
                            .statuses
                            .into_iter()
                            .map(|s| view! { <li>{status_with_actions(s, back.clone())}</li> })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <a
                href=format!("/statuses?account={nickname}")
                class="mt-3 inline-flex min-h-11 items-center text-sm text-indigo-700 underline dark:text-indigo-300"
            >
                "All their statuses →"
            </a>
        </section>
    }
}

fn checkbox(name: &'static str, label: &'static str, checked: bool) -> impl IntoView {
    let id = format!("f-{name}");
    view! {
        <label class="mb-3 flex min-h-11 items-center gap-3 text-sm font-medium">
            <input id=id type="checkbox" name=name value="on" checked=checked class="size-5" />
            {label}
        </label>
    }
}

#[component]
fn Credentials(d: UserDetail, form: Option<FormState>) -> impl IntoView {
    let id = d.user.id;
    let f = form.clone().unwrap_or_default();
    // After a rejected submit the form shows what was ticked, not what is stored.
    let flag = |name: &str, stored: bool| if form.is_some() { f.values.contains_key(name) } else { stored };
    let fs = f.clone();
    view! {
        <section class=SECTION aria-labelledby="cred-h">
            <h2 id="cred-h" class="mb-4 text-lg font-semibold">
                "Edit credentials"
            </h2>
            <FormError form=form.clone() />
            <form method="post" action=format!("/users/{id}/credentials") class="max-w-xl" novalidate>
                <Field
                    name="email"
                    label="Email"
                    kind="email"
                    form=fs.clone()
                    value=d.user.email.clone().unwrap_or_default()
                    autocomplete="off"
                />
                <Field name="display_name" label="Display name" form=fs.clone() value=d.user.display_name.clone() />
                <TextArea name="bio" label="Bio" form=fs.clone() value=d.bio.clone() rows=4 />
                <Field
                    name="avatar"
                    label="Avatar URL"
                    kind="url"
                    form=fs.clone()
                    value=d.avatar.clone()
                    hint="An http(s) image address, or empty."
                />
                <Select
                    name="actor_type"
                    label="Actor type"
                    options=vec![("Person", "Person"), ("Service", "Service"), ("Application", "Application")]
                    form=fs.clone()
                    selected=d.actor_type.clone()
                />
                {checkbox("locked", "Locked (approves followers by hand)", flag("locked", d.locked))}
                {checkbox(
                    "discoverable",
                    "Discoverable (listed in directories and search)",
                    flag("discoverable", d.discoverable),
                )}
                // Accounts from other servers sign in there, not here.
                {d
                    .user
                    .local
                    .then(|| {
                        view! {
                            <Field
                                name="password"
                                label="New password"
                                kind="password"
                                form=fs
                                autocomplete="new-password"
                                hint="Leave empty to keep the current password. At least 12 characters."
                            />
                        }
                    })}
                <button type="submit" class=BUTTON>
                    "Save credentials"
                </button>
            </form>
        </section>
    }
}

#[component]
fn LogAbout(d: UserDetail) -> impl IntoView {
    let search = format!("/moderation-log?q=%40{}", d.user.nickname);
    view! {
        <section class=SECTION aria-labelledby="log-h">
            <h2 id="log-h" class="mb-3 text-lg font-semibold">
                "Log entries about this user"
            </h2>
            {if d.log.is_empty() {
                view! {
                    <p class="text-sm text-slate-600 dark:text-slate-400">
                        "Nothing has been logged about this user yet."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <ol class="divide-y divide-slate-200 dark:divide-slate-800" data-testid="user-log">
                        {d
                            .log
                            .iter()
                            .map(|l| {
                                view! {
                                    <li class="py-2 text-sm">
                                        <p class="break-words">{l.message.clone()}</p>
                                        <p class="text-xs text-slate-600 dark:text-slate-400">{format_time(l.time)}</p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
            {d
                .more_log
                .then(|| {
                    view! {
                        <a
                            href=search
                            class="mt-3 inline-flex min-h-11 items-center text-sm text-indigo-700 underline dark:text-indigo-300"
                        >
                            "Search the moderation log for more"
                        </a>
                    }
                })}
        </section>
    }
}

#[component]
pub fn NewUserPage() -> impl IntoView {
    let session = use_page_session();
    view! {
        <Title text="New user" />
        <p class="mb-2">
            <a
                href="/users"
                class="inline-flex min-h-11 items-center text-sm text-indigo-700 underline dark:text-indigo-300"
            >
                "← All users"
            </a>
        </p>
        <PageHeader title="New user".into() lead="A local account, active and confirmed. Give a role only to staff." />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match session.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                if !s.staff.as_ref().is_some_and(|st| st.is_admin()) {
                    return view! { <ErrorView error=AppError::Forbidden /> }.into_any();
                }
                let f = s.form_named("new_user").unwrap_or_default();
                view! {
                    <section class=SECTION>
                        <FormError form=Some(f.clone()) />
                        <form method="post" action="/users/new" class="max-w-xl" novalidate>
                            <Field
                                name="nickname"
                                label="Nickname"
                                form=f.clone()
                                autocomplete="off"
                                required=true
                                hint="Letters, digits, '_', '-' or '.'."
                            />
                            <Field
                                name="email"
                                label="Email"
                                kind="email"
                                form=f.clone()
                                autocomplete="off"
                                required=true
                            />
                            <Field name="display_name" label="Display name" form=f.clone() />
                            <Field
                                name="password"
                                label="Password"
                                kind="password"
                                form=f.clone()
                                autocomplete="new-password"
                                required=true
                                hint="At least 12 characters. Or create a reset link afterwards."
                            />
                            <Select
                                name="role"
                                label="Role"
                                options=vec![("", "None"), ("moderator", "Moderator"), ("admin", "Admin")]
                                form=f.clone()
                            />
                            <button type="submit" class=BUTTON>
                                "Create user"
                            </button>
                        </form>
                    </section>
                }
                    .into_any()
            })}
        </Suspense>
    }
}
