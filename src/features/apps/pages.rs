//! `/apps`: every app with where its emails point, and a form to create one;
//! `/apps/{id}`: the policy, each optional field in three states (keep, set,
//! clear), and the webhooks editor with blank rows for adding.

use leptos::prelude::*;
use leptos_meta::Title;

use super::server::{AppView, AppsData, app_page, apps_page};
use crate::error::AppError;
use crate::ui::data::{PageResource, page_data, page_data_by_id};
use crate::ui::flash::FormState;
use crate::ui::page_session::use_page_session;
use crate::ui::tristate::TriStateField;
use crate::ui::{BUTTON, ErrorView, Field, FormError, GREEN, GREY, INPUT, PageHeader, SECTION, Select, badge};

/// What `/apps` loads.
#[derive(Clone, Copy)]
pub struct AppsRouteData {
    apps: PageResource<Result<AppsData, AppError>>,
}

pub fn apps_data() -> AppsRouteData {
    AppsRouteData { apps: page_data(|| (), |_| apps_page()) }
}

fn status_badge(s: &str) -> impl IntoView + use<> {
    badge(s.to_owned(), if s == "active" { GREEN } else { GREY })
}

#[component]
pub fn AppsPage(data: AppsRouteData) -> impl IntoView {
    let AppsRouteData { apps } = data;
    let session = use_page_session();
    view! {
        <Title text="Apps" />
        <PageHeader
            title="Apps".into()
            lead="Each app's registration policy: who may sign up through it and where its emails point."
        />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match session.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                let data = match apps.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                let form = s.form_named("app_new");
                view! {
                    <section class=SECTION aria-labelledby="new-h">
                        <h2 id="new-h" class="mb-4 text-lg font-semibold">
                            "New app"
                        </h2>
                        <form method="post" action="/apps" novalidate>
                            <FormError form=form.clone() />
                            <Field
                                name="name"
                                label="Name"
                                form=form.clone().unwrap_or_default()
                                required=true
                                autocomplete="off"
                            />
                            <Field
                                name="description"
                                label="Description"
                                form=form.clone().unwrap_or_default()
                                autocomplete="off"
                            />
                            <Field
                                name="frontend_url"
                                label="Frontend URL"
                                kind="url"
                                form=form.unwrap_or_default()
                                autocomplete="off"
                                hint="Where its emails point. Empty: the instance's public URL."
                            />
                            <button type="submit" class=BUTTON>
                                "Create app"
                            </button>
                        </form>
                    </section>
                    <section aria-labelledby="list-h">
                        <h2 id="list-h" class="mb-3 text-lg font-semibold">
                            "All apps"
                        </h2>
                        {if data.apps.is_empty() {
                            view! { <p class="text-sm text-slate-600 dark:text-slate-400">"No apps yet."</p> }
                                .into_any()
                        } else {
                            view! {
                                <ul class="space-y-2">
                                    {data
                                        .apps
                                        .into_iter()
                                        .map(|a| {
                                            view! {
                                                <li class="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
                                                    <a
                                                        href=format!("/apps/{}", a.id)
                                                        class="inline-flex min-h-11 items-center font-medium underline"
                                                    >
                                                        {a.name.clone()}
                                                    </a>
                                                    " "
                                                    {status_badge(&a.status)}
                                                    <p class="break-all text-xs text-slate-600 dark:text-slate-400">
                                                        "Emails point at " {a.effective_frontend_url.clone()}
                                                    </p>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }}
                    </section>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

/// What `/apps/{id}` loads.
#[derive(Clone, Copy)]
pub struct AppRouteData {
    app: PageResource<Result<AppView, AppError>>,
}

pub fn app_data() -> AppRouteData {
    let app = page_data_by_id(app_page);
    AppRouteData { app }
}

#[component]
pub fn AppPage(data: AppRouteData) -> impl IntoView {
    let AppRouteData { app } = data;
    let session = use_page_session();
    view! {
        // A static title: leptos_meta writes <title> text unescaped on the server.
        <Title text="App" />
        <p class="mb-2 text-sm">
            <a href="/apps" class="inline-flex min-h-11 items-center underline">
                "← Apps"
            </a>
        </p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match session.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                let a = match app.await {
                    Ok(a) => a,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                let edit = s.form_named("app_edit");
                let hooks = s.form_named("app_webhooks");
                view! {
                    <PageHeader title=a.name.clone() lead=format!("App #{}", a.id) />
                    <EditForm a=a.clone() form=edit />
                    <WebhooksForm a=a form=hooks />
                }
                    .into_any()
            })}
        </Suspense>
    }
}

/// Blank rows of the webhooks editor, for adding without JavaScript.
const BLANK_ROWS: usize = 2;

fn lines(v: &[String]) -> String {
    v.join("\n")
}

#[component]
fn EditForm(a: AppView, form: Option<FormState>) -> impl IntoView {
    let confirm = form.as_ref().and_then(|f| f.values.get("confirm_frontend_url").cloned());
    let warning = form.as_ref().and_then(|f| f.errors.get("frontend_url__confirm").cloned());
    let kept_or = |key: &str, fallback: &str| {
        form.as_ref().and_then(|f| f.values.get(key).cloned()).unwrap_or_else(|| fallback.to_owned())
    };
    let status = kept_or("status", "");
    let grant = kept_or("auto_grant_on_signup", "");
    let whole = form.clone();
    let f = move || form.clone().unwrap_or_default();
    view! {
        <section class=SECTION aria-labelledby="policy-h">
            <h2 id="policy-h" class="mb-1 text-lg font-semibold">
                "Registration policy"
            </h2>
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">
                "Only the fields set to a new value or cleared change; the rest keep what is stored."
            </p>
            <dl class="mb-4 grid gap-1 text-sm sm:grid-cols-[auto_1fr] sm:gap-x-4">
                <dt class="font-medium">"Emails point at"</dt>
                <dd class="break-all" data-testid="effective-frontend-url">
                    {a.effective_frontend_url.clone()}
                </dd>
                <dt class="font-medium">"Sign-ups register into"</dt>
                <dd class="break-all" data-testid="registration-pool">
                    {if a.registration_pool.is_empty() {
                        "(no pool)".to_owned()
                    } else {
                        a.registration_pool.join(", ")
                    }}
                </dd>
            </dl>
            <form method="post" action=format!("/apps/{}", a.id) novalidate>
                <FormError form=whole />
                {warning
                    .map(|w| {
                        view! {
                            <div
                                role="alert"
                                class="mb-4 rounded-lg border border-amber-600/50 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:bg-amber-950 dark:text-amber-100"
                                data-testid="frontend-url-confirm"
                            >
                                {w}
                            </div>
                        }
                    })}
                {confirm.map(|c| view! { <input type="hidden" name="confirm_frontend_url" value=c /> })}
                <TriStateField name="name" label="Name" current=a.name.clone() form=f() clearable=false />
                <TriStateField name="description" label="Description" current=a.description.clone() form=f() />
                <Select
                    name="status"
                    label="Status"
                    options=vec![("", "Keep"), ("active", "Active"), ("disabled", "Disabled")]
                    selected=status
                    form=f()
                    hint="Disabled: sign-ups and sign-ins through the app are refused."
                />
                <p class="-mt-3 mb-4 text-xs">"Now: " {a.status.clone()}</p>
                <Select
                    name="auto_grant_on_signup"
                    label="Grant access on sign-up"
                    options=vec![("", "Keep"), ("true", "Yes"), ("false", "No")]
                    selected=grant
                    form=f()
                />
                <p class="-mt-3 mb-4 text-xs">"Now: " {if a.auto_grant_on_signup { "yes" } else { "no" }}</p>
                <TriStateField
                    name="frontend_url"
                    label="Frontend URL"
                    current=a.frontend_url.clone().unwrap_or_default()
                    empty="the instance's public URL"
                    form=f()
                    hint="Verify, reset, magic-link and invitation emails point here; you will be asked to confirm a change."
                />
                <TriStateField
                    name="allowed_redirect_urls"
                    label="Allowed redirect URLs"
                    current=lines(&a.allowed_redirect_urls)
                    form=f()
                    multiline=true
                    hint="One absolute http(s) URL per line."
                />
                <TriStateField
                    name="service_codes"
                    label="Service codes"
                    current=lines(&a.service_codes)
                    form=f()
                    multiline=true
                    hint="One per line."
                />
                <TriStateField
                    name="allowed_email_domains"
                    label="Allowed email domains"
                    current=lines(&a.allowed_email_domains)
                    empty="any domain"
                    form=f()
                    multiline=true
                    hint="One domain per line, like example.org."
                />
                <TriStateField
                    name="allowed_auth_methods"
                    label="Allowed sign-in methods"
                    current=lines(&a.allowed_auth_methods)
                    empty="every method"
                    form=f()
                    multiline=true
                    hint="One per line: password, oidc, magic_link, passkey."
                />
                <TriStateField
                    name="default_organization_id"
                    label="Default organization (id)"
                    current=a.default_organization_id.map(|i| i.to_string()).unwrap_or_default()
                    empty="sign-ups join no organization"
                    form=f()
                />
                <TriStateField
                    name="registration_namespace"
                    label="Default pool (registration namespace)"
                    current=a.registration_namespace.clone().unwrap_or_default()
                    form=f()
                />
                <TriStateField
                    name="registration_namespaces"
                    label="Registration pools (legacy list)"
                    current=lines(&a.registration_namespaces)
                    empty="the default pool decides"
                    form=f()
                    multiline=true
                    hint="Clear it to make the default pool authoritative."
                />
                <TriStateField
                    name="read_namespaces"
                    label="Other pools (sign-in)"
                    current=lines(&a.read_namespaces)
                    form=f()
                    multiline=true
                />
                <button type="submit" class=BUTTON>
                    "Save changes"
                </button>
            </form>
        </section>
    }
}

#[component]
fn WebhooksForm(a: AppView, form: Option<FormState>) -> impl IntoView {
    let stored = a.webhooks.len();
    let rows = stored + BLANK_ROWS;
    let value = |key: String, stored: String| form.as_ref().and_then(|f| f.values.get(&key).cloned()).unwrap_or(stored);
    let rejected = form.is_some();
    let error = |key: &str| form.as_ref().and_then(|f| f.errors.get(key).cloned());
    let whole = error("webhooks");
    view! {
        <section class=SECTION aria-labelledby="hooks-h">
            <h2 id="hooks-h" class="mb-1 text-lg font-semibold">
                "Webhooks"
            </h2>
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">
                "Saving replaces the whole list. A URL that stays keeps its signing secret; a new one gets a secret, shown once. Fill a blank row to add one."
            </p>
            <form method="post" action=format!("/apps/{}/webhooks", a.id) novalidate>
                {whole
                    .map(|m| {
                        view! {
                            <p role="alert" class="mb-3 text-sm text-red-700 dark:text-red-300">
                                {m}
                            </p>
                        }
                    })}
                {(0..rows)
                    .map(|i| {
                        let hook = a.webhooks.get(i);
                        let url = value(format!("wh_url_{i}"), hook.map(|h| h.url.clone()).unwrap_or_default());
                        let events = value(
                            format!("wh_events_{i}"),
                            hook.map(|h| h.events.join(", ")).unwrap_or_default(),
                        );
                        let enabled = if rejected {
                            form.as_ref().is_some_and(|f| f.values.contains_key(&format!("wh_enabled_{i}")))
                        } else {
                            hook.is_none_or(|h| h.enabled)
                        };
                        let url_err = error(&format!("wh_url_{i}"));
                        let events_err = error(&format!("wh_events_{i}"));
                        view! {
                            <fieldset class="mb-4 rounded-lg border border-slate-200 p-3 dark:border-slate-700">
                                <legend class="px-1 text-sm font-medium">
                                    {if i < stored { format!("Webhook {}", i + 1) } else { "New webhook".to_owned() }}
                                </legend>
                                <label for=format!("wh-url-{i}") class="mb-1 block text-sm">
                                    "URL"
                                </label>
                                <input
                                    id=format!("wh-url-{i}")
                                    name=format!("wh_url_{i}")
                                    type="url"
                                    value=url
                                    aria-invalid=url_err.as_ref().map(|_| "true")
                                    class=INPUT
                                />
                                {url_err
                                    .map(|e| view! { <p class="mt-1 text-sm text-red-700 dark:text-red-300">{e}</p> })}
                                <label for=format!("wh-events-{i}") class="mb-1 mt-2 block text-sm">
                                    "Events (comma-separated; empty: every event)"
                                </label>
                                <input
                                    id=format!("wh-events-{i}")
                                    name=format!("wh_events_{i}")
                                    type="text"
                                    value=events
                                    aria-invalid=events_err.as_ref().map(|_| "true")
                                    class=INPUT
                                />
                                {events_err
                                    .map(|e| view! { <p class="mt-1 text-sm text-red-700 dark:text-red-300">{e}</p> })}
                                <label class="mt-2 flex min-h-11 cursor-pointer items-center gap-2 text-sm">
                                    <input
                                        type="checkbox"
                                        name=format!("wh_enabled_{i}")
                                        checked=enabled
                                        class="size-5"
                                    />
                                    "Enabled"
                                </label>
                                {(i < stored)
                                    .then(|| {
                                        view! {
                                            <label class="flex min-h-11 cursor-pointer items-center gap-2 text-sm">
                                                <input type="checkbox" name=format!("wh_remove_{i}") class="size-5" />
                                                "Remove"
                                            </label>
                                        }
                                    })}
                            </fieldset>
                        }
                    })
                    .collect_view()}
                <button type="submit" class=BUTTON>
                    "Save webhooks"
                </button>
            </form>
        </section>
    }
}
