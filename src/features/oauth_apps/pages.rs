//! `/oauth-apps`: register an OAuth client (its secret is shown once), and
//! the clients with filters in the URL, each with trust, a new secret and a
//! confirmed delete. Cards, so the same markup reads on a phone.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server::{OAuthAppView, OAuthAppsData, OAuthAppsQuery, PAGE_SIZE, oauth_apps_page};
use crate::error::AppError;
use crate::ui::data::{PageResource, page_data};
use crate::ui::page_session::use_page_session;
use crate::ui::{
    BUTTON, BUTTON_DANGER, BUTTON_QUIET, ErrorView, Field, GREEN, GREY, INPUT, Notices, PageHeader, PageLink, Pager,
    SECTION, TextArea, badge,
};

/// What `/oauth-apps` loads: created when the route matches, handed to the page.
#[derive(Clone, Copy)]
pub struct OAuthAppsRouteData {
    query: Memo<OAuthAppsQuery>,
    apps: PageResource<Result<OAuthAppsData, AppError>>,
}

/// Starts loading the page for the current URL; called by the route's `data()` (app.rs).
pub fn oauth_apps_data() -> OAuthAppsRouteData {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let m = query_map.read();
        OAuthAppsQuery { name: m.get("name"), trusted: m.get("trusted"), page: m.get("page") }
    });
    OAuthAppsRouteData { query, apps: page_data(move || query.get(), oauth_apps_page) }
}

#[component]
pub fn OAuthAppsPage(data: OAuthAppsRouteData) -> impl IntoView {
    let OAuthAppsRouteData { query, apps } = data;
    let session = use_page_session();
    view! {
        <Title text="OAuth apps" />
        <PageHeader
            title="OAuth apps".into()
            lead="Clients that sign staff in through OAuth. Trusted apps skip the consent page and may feed the intake API."
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
                let form = s.form_named("oauth_app").unwrap_or_default();
                view! {
                    <div class="grid gap-6 lg:grid-cols-3">
                        <section class=format!("{SECTION} lg:col-span-1") aria-labelledby="new-app-h">
                            <h2 id="new-app-h" class="mb-4 text-lg font-semibold">
                                "Register an app"
                            </h2>
                            <form method="post" action="/oauth-apps" novalidate>
                                <Field name="name" label="Name" form=form.clone() required=true autocomplete="off" />
                                <TextArea
                                    name="redirect_uris"
                                    label="Redirect URIs"
                                    form=form.clone()
                                    required=true
                                    hint="One per line: https://…, an app scheme (myapp://cb) or urn:ietf:wg:oauth:2.0:oob."
                                />
                                <Field
                                    name="scopes"
                                    label="Scopes"
                                    form=form.clone()
                                    autocomplete="off"
                                    hint="Space-separated, e.g. read write admin:read. Empty: read."
                                />
                                <Field name="website" label="Website" form=form autocomplete="off" />
                                <label class="mb-4 flex min-h-11 items-center gap-3 text-sm">
                                    <input type="checkbox" name="trusted" value="true" class="h-5 w-5" />
                                    "Trusted (no consent page; client credentials for intake)"
                                </label>
                                <button type="submit" class=BUTTON>
                                    "Register app"
                                </button>
                            </form>
                        </section>
                        <section class="lg:col-span-2" aria-labelledby="apps-h">
                            <h2 id="apps-h" class="mb-3 text-lg font-semibold">
                                {format!("Apps ({})", data.count)}
                            </h2>
                            <AppList query=query.get() data />
                        </section>
                    </div>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

/// The list URL for `q` on `page`.
fn href(q: &OAuthAppsQuery, page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (k, v) in [("name", &q.name), ("trusted", &q.trusted)] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            pairs.push((k, v.clone()));
        }
    }
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if qs.is_empty() { "/oauth-apps".into() } else { format!("/oauth-apps?{qs}") }
}

#[component]
fn AppList(query: OAuthAppsQuery, data: OAuthAppsData) -> impl IntoView {
    let name = query.name.clone().unwrap_or_default();
    let trusted = query.trusted.clone().unwrap_or_default();
    let prev = (data.page > 1).then(|| PageLink { href: href(&query, data.page - 1), label: "Previous" });
    let next =
        (data.page * PAGE_SIZE < data.count).then(|| PageLink { href: href(&query, data.page + 1), label: "Next" });
    view! {
        <Notices notices=data.notices.clone() />
        <form
            method="get"
            action="/oauth-apps"
            role="search"
            aria-label="Filter OAuth apps"
            class="mb-4 grid grid-cols-1 gap-3 rounded-2xl border border-slate-200 bg-white p-4 sm:grid-cols-3 dark:border-slate-800 dark:bg-slate-900"
        >
            <div>
                <label for="oauth-name" class="mb-1 block text-sm font-medium">
                    "Name contains"
                </label>
                <input id="oauth-name" name="name" type="search" value=name class=INPUT />
            </div>
            <div>
                <label for="oauth-trusted" class="mb-1 block text-sm font-medium">
                    "Trusted"
                </label>
                <select id="oauth-trusted" name="trusted" class=INPUT>
                    <option value="">"Any"</option>
                    <option value="true" selected=trusted == "true">
                        "Trusted"
                    </option>
                    <option value="false" selected=trusted == "false">
                        "Not trusted"
                    </option>
                </select>
            </div>
            <div class="flex items-end gap-2">
                <button type="submit" class=BUTTON>
                    "Apply filters"
                </button>
                <a href="/oauth-apps" class=BUTTON_QUIET>
                    "Clear"
                </a>
            </div>
        </form>
        {if data.apps.is_empty() {
            view! {
                <p class="rounded-2xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
                    "No OAuth apps match."
                </p>
            }
                .into_any()
        } else {
            view! {
                <ul class="space-y-3" aria-label="OAuth apps" data-testid="oauth-apps">
                    {data.apps.into_iter().map(|a| view! { <AppCard app=a /> }).collect_view()}
                </ul>
            }
                .into_any()
        }}
        <Pager prev next />
    }
}

#[component]
fn AppCard(app: OAuthAppView) -> impl IntoView {
    let id = app.id;
    let (flip, flip_label) = if app.trusted { ("false", "Stop trusting") } else { ("true", "Trust") };
    view! {
        <li class=SECTION data-oauth-app=id>
            <div class="mb-2 flex flex-wrap items-center gap-2">
                <h3 class="break-all font-semibold">{app.name.clone()}</h3>
                {if app.trusted { badge("trusted".into(), GREEN) } else { badge("not trusted".into(), GREY) }}
            </div>
            <dl class="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
                <dt class="text-slate-600 dark:text-slate-400">"Client id"</dt>
                <dd class="break-all font-mono text-xs">{app.client_id.clone()}</dd>
                <dt class="text-slate-600 dark:text-slate-400">"Redirect URIs"</dt>
                <dd class="break-all font-mono text-xs">
                    {app.redirect_uris.iter().map(|u| view! { <span class="block">{u.clone()}</span> }).collect_view()}
                </dd>
                <dt class="text-slate-600 dark:text-slate-400">"Scopes"</dt>
                <dd class="font-mono text-xs">{app.scopes.clone()}</dd>
                {app
                    .website
                    .clone()
                    .map(|w| {
                        view! {
                            <dt class="text-slate-600 dark:text-slate-400">"Website"</dt>
                            <dd class="break-all">{w}</dd>
                        }
                    })}
            </dl>
            <div class="mt-3 flex flex-wrap items-start gap-2">
                <form method="post" action=format!("/oauth-apps/{id}/trust")>
                    <input type="hidden" name="trusted" value=flip />
                    <button type="submit" class=BUTTON_QUIET>
                        {flip_label}
                    </button>
                </form>
                <details>
                    <summary class=format!("{BUTTON_QUIET} cursor-pointer list-none")>"New secret…"</summary>
                    <form method="post" action=format!("/oauth-apps/{id}/regenerate") class="mt-2">
                        <p class="mb-2 text-xs text-slate-600 dark:text-slate-400">
                            "The current secret stops working at once; tokens already issued stay."
                        </p>
                        <button type="submit" class=BUTTON_DANGER>
                            {format!("Replace the secret of app #{id}")}
                        </button>
                    </form>
                </details>
                <details>
                    <summary class=format!("{BUTTON_DANGER} cursor-pointer list-none")>"Delete…"</summary>
                    <form method="post" action=format!("/oauth-apps/{id}/delete") class="mt-2">
                        <p class="mb-2 text-xs text-slate-600 dark:text-slate-400">
                            "Its tokens stop working and clients using it must register again."
                        </p>
                        <button type="submit" class=BUTTON_DANGER>
                            {format!("Delete app #{id}")}
                        </button>
                    </form>
                </details>
            </div>
        </li>
    }
}
