//! `/account`.

use leptos::prelude::*;
use leptos_meta::Title;

use super::server::{TokenView, my_tokens};
use crate::error::AppError;
use crate::ui::data::{PageResource, page_data};
use crate::ui::page_session::use_page_session;
use crate::ui::{BUTTON, BUTTON_DANGER, ErrorView, Field, PageHeader, format_time};

const SECTION: &str =
    "mb-8 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900";

/// What `/account` loads: created when the route matches, handed to the page.
#[derive(Clone, Copy)]
pub struct AccountRouteData {
    tokens: PageResource<Result<Vec<TokenView>, AppError>>,
}

/// Starts loading the page for the current URL; called by the route's `data()` (app.rs).
pub fn account_data() -> AccountRouteData {
    AccountRouteData { tokens: page_data(|| (), |_| my_tokens()) }
}

#[component]
pub fn AccountPage(data: AccountRouteData) -> impl IntoView {
    let AccountRouteData { tokens } = data;
    let session = use_page_session();
    view! {
        <Title text="Account" />
        <PageHeader title="Account".into() lead="Your password and the API tokens that act as you." />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match session.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                let list = match tokens.await {
                    Ok(list) => list,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                let pw = s.form_named("password").unwrap_or_default();
                let tk = s.form_named("token").unwrap_or_default();
                view! {
                    <section class=SECTION aria-labelledby="pw-h">
                        <h2 id="pw-h" class="mb-4 text-lg font-semibold">
                            "Change password"
                        </h2>
                        <form method="post" action="/account/password" class="max-w-md" novalidate>
                            <Field
                                name="current_password"
                                label="Current password"
                                kind="password"
                                form=pw.clone()
                                autocomplete="current-password"
                                required=true
                            />
                            <Field
                                name="new_password"
                                label="New password"
                                kind="password"
                                form=pw.clone()
                                autocomplete="new-password"
                                required=true
                                hint="At least 12 characters."
                            />
                            <Field
                                name="new_password_confirmation"
                                label="Repeat new password"
                                kind="password"
                                form=pw.clone()
                                autocomplete="new-password"
                                required=true
                            />
                            <button type="submit" class=BUTTON>
                                "Change password"
                            </button>
                        </form>
                    </section>
                    <section class=SECTION aria-labelledby="tk-h">
                        <h2 id="tk-h" class="mb-1 text-lg font-semibold">
                            "API tokens"
                        </h2>
                        <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">
                            "Send one as " <code class="font-mono">"Authorization: Bearer <token>"</code>
                            " to /api/v1/admin. A token has your role."
                        </p>
                        <form
                            method="post"
                            action="/account/tokens"
                            class="mb-6 flex max-w-md flex-col gap-2 sm:flex-row sm:items-start"
                            novalidate
                        >
                            <div class="flex-1">
                                <Field name="label" label="Token name" form=tk required=true />
                            </div>
                            <button type="submit" class=format!("{BUTTON} sm:mt-6")>
                                "Create token"
                            </button>
                        </form>
                        <TokenList tokens=list />
                    </section>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn TokenList(tokens: Vec<TokenView>) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="text-sm text-slate-600 dark:text-slate-400">"You have no API tokens."</p> }
            .into_any();
    }
    view! {
        <ul class="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Your API tokens">
            {tokens
                .into_iter()
                .map(|t| {
                    let used = t.last_used_at.map(format_time).unwrap_or_else(|| "never".into());
                    let revoked = t.revoked_at.map(format_time);
                    view! {
                        <li class="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
                            <div class="min-w-0">
                                <p class="font-medium break-words">
                                    {t.label.clone()}
                                    {(t.scope != "admin")
                                        .then(|| {
                                            view! {
                                                <span class="ml-2 rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs dark:bg-slate-800">
                                                    {t.scope.clone()}
                                                </span>
                                            }
                                        })}
                                </p>
                                <p class="text-xs text-slate-600 dark:text-slate-400">
                                    {format!("Created {} · last used {}", format_time(t.created_at), used)}
                                </p>
                            </div>
                            {match revoked {
                                Some(at) => {
                                    view! {
                                        <span class="text-sm text-slate-600 dark:text-slate-400">
                                            {format!("Revoked {at}")}
                                        </span>
                                    }
                                        .into_any()
                                }
                                None => {
                                    view! {
                                        <form method="post" action=format!("/account/tokens/{}/revoke", t.id)>
                                            <button
                                                type="submit"
                                                class=BUTTON_DANGER
                                                aria-label=format!("Revoke token {}", t.label)
                                            >
                                                "Revoke"
                                            </button>
                                        </form>
                                    }
                                        .into_any()
                                }
                            }}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
