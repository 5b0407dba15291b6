//! `/login`, `/setup` and `/password-reset`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::server::setup_allowed;
use crate::error::AppError;
use crate::features::sso::server::sign_in_options;
use crate::features::users::server::detail::reset_link_valid;
use crate::ui::data::page_data;
use crate::ui::flash::FormState;
use crate::ui::page_session::use_page_session;
use crate::ui::{BUTTON, ErrorView, Field, Flashes, FormError, set_status};

/// A centred card for pages shown before signing in.
#[component]
pub fn Card(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title />
        <main id="main" class="flex min-h-screen items-start justify-center px-4 py-10 sm:items-center">
            <div class="w-full max-w-sm">
                <p class="mb-6 text-center text-xl font-bold tracking-tight">"Steward"</p>
                <div class="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                    <h1 class="mb-4 text-xl font-semibold">{title}</h1>
                    {children()}
                </div>
            </div>
        </main>
    }
}

/// The query parameter a throttled sign-in comes back with: minutes to wait.
pub const THROTTLED_PARAM: &str = "throttled";

/// The refusal a throttled sign-in's redirect carries in its query (it keeps
/// no session, so that a flood writes nothing).
fn throttled_form(minutes: Option<String>) -> Option<FormState> {
    let minutes: i64 = minutes?.parse().ok().filter(|m| (1..=24 * 60).contains(m))?;
    Some(FormState::new("login", 429).error("", crate::auth::sign_in_throttled(minutes)))
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_page_session();
    let query = use_query_map();
    let options = page_data(|| (), |_| sign_in_options());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let (s, options) = match (session.await, options.await) {
                    (Ok(s), Ok(o)) => (s, o),
                    (Err(e), _) | (_, Err(e)) => return view! { <ErrorView error=e /> }.into_any(),
                };
                if s.staff.is_some() {
                    return view! { <Redirect path="/" /> }.into_any();
                }
                let throttled = throttled_form(query.read_untracked().get(THROTTLED_PARAM));
                let form = throttled.inspect(|f| set_status(f.status)).or_else(|| s.form_named("login"));
                let next = query.read_untracked().get("next").unwrap_or_default();
                // A throttled attempt is the latest word, over a form kept earlier.
                view! {
                    <Card title="Sign in">
                        <Flashes flashes=s.flashes.clone() />
                        <FormError form=form.clone() />
                        {options
                            .sso
                            .clone()
                            .map(|name| {
                                let start = if next.is_empty() {
                                    "/auth/sso/start".to_owned()
                                } else {
                                    format!("/auth/sso/start?next={}", url_escape(&next))
                                };
                                view! {
                                    <a
                                        href=start
                                        class=format!("{BUTTON} mb-4 w-full justify-center")
                                        rel="external nofollow"
                                    >
                                        {format!("Sign in with {name}")}
                                    </a>
                                }
                            })}
                        {if options.password {
                            view! {
                                <form method="post" action="/login" novalidate>
                                    <input type="hidden" name="next" value=next.clone() />
                                    <Field
                                        name="nickname"
                                        label="Nickname"
                                        form=form.clone().unwrap_or_default()
                                        autocomplete="username"
                                        required=true
                                    />
                                    <Field
                                        name="password"
                                        label="Password"
                                        kind="password"
                                        autocomplete="current-password"
                                        required=true
                                    />
                                    <button type="submit" class=format!("{BUTTON} w-full")>
                                        "Sign in"
                                    </button>
                                </form>
                                <p class="mt-2 text-sm">
                                    <a href="/forgot-password" class="inline-flex min-h-11 items-center underline">
                                        "Forgot your password?"
                                    </a>
                                </p>
                            }
                                .into_any()
                        } else {
                            view! {
                                <p class="text-sm text-slate-600 dark:text-slate-400">
                                    "Password sign-in is turned off on this instance."
                                </p>
                            }
                                .into_any()
                        }}
                        <p class="mt-4 text-xs text-slate-600 dark:text-slate-400">
                            "Only admins and moderators can sign in."
                        </p>
                    </Card>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let session = use_page_session();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let allowed = page_data(token, setup_allowed);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let (s, ok) = (session.await, allowed.await);
                match (s, ok) {
                    (Ok(s), Ok(true)) => {
                        let form = s.form_named("setup").unwrap_or_default();
                        view! {
                            <Card title="Create the first admin">
                                <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">
                                    "This link works once. The account you create here can manage everything, including other admins."
                                </p>
                                <FormError form=Some(form.clone()) />
                                <form method="post" action="/setup" novalidate>
                                    <input type="hidden" name="token" value=token() />
                                    <Field
                                        name="nickname"
                                        label="Nickname"
                                        form=form.clone()
                                        autocomplete="username"
                                        required=true
                                    />
                                    <Field
                                        name="email"
                                        label="Email"
                                        kind="email"
                                        form=form.clone()
                                        autocomplete="email"
                                        required=true
                                    />
                                    <Field
                                        name="password"
                                        label="Password"
                                        kind="password"
                                        form=form.clone()
                                        autocomplete="new-password"
                                        required=true
                                        hint="At least 12 characters."
                                    />
                                    <Field
                                        name="password_confirmation"
                                        label="Repeat password"
                                        kind="password"
                                        form=form.clone()
                                        autocomplete="new-password"
                                        required=true
                                    />
                                    <button type="submit" class=format!("{BUTTON} w-full")>
                                        "Create admin and sign in"
                                    </button>
                                </form>
                            </Card>
                        }
                            .into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorView error=e /> }.into_any(),
                    _ => {
                        // Setup is over, or the token is wrong: the page does not exist.
                        view! {
                            <Title text="Not found" />
                            <main id="main" class="px-4">
                                <ErrorView error=AppError::NotFound />
                            </main>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/password-reset?token=` or `/password-reset/{token}`: where a one-time
/// link (from an admin, or mailed on "forgot password") leads.
#[component]
pub fn PasswordResetPage() -> impl IntoView {
    let session = use_page_session();
    let query = use_query_map();
    let params = use_params_map();
    let token = move || params.read().get("token").or_else(|| query.read().get("token")).unwrap_or_default();
    let valid = page_data(token, reset_link_valid);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let (s, ok) = (session.await, valid.await);
                let (s, ok) = match (s, ok) {
                    (Ok(s), Ok(ok)) => (s, ok),
                    (Err(e), _) | (_, Err(e)) => return view! { <ErrorView error=e /> }.into_any(),
                };
                let form = s.form_named("password_reset").unwrap_or_default();
                view! {
                    <Card title="Choose a new password">
                        <Flashes flashes=s.flashes.clone() />
                        <FormError form=Some(form.clone()) />
                        {if ok {
                            view! {
                                <form method="post" action="/password-reset" novalidate>
                                    <input type="hidden" name="token" value=token() />
                                    <Field
                                        name="password"
                                        label="New password"
                                        kind="password"
                                        form=form.clone()
                                        autocomplete="new-password"
                                        required=true
                                        hint="At least 12 characters."
                                    />
                                    <Field
                                        name="password_confirmation"
                                        label="Repeat new password"
                                        kind="password"
                                        form=form.clone()
                                        autocomplete="new-password"
                                        required=true
                                    />
                                    <button type="submit" class=format!("{BUTTON} w-full")>
                                        "Set password"
                                    </button>
                                </form>
                            }
                                .into_any()
                        } else {
                            view! {
                                <p class="text-sm text-slate-600 dark:text-slate-400" data-testid="reset-unavailable">
                                    "This link has expired or was already used. Ask for a new one on the “Forgot your password?” page, or ask an admin."
                                </p>
                            }
                                .into_any()
                        }}
                    </Card>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

/// `/forgot-password`: asks for an email address or nickname and mails a
/// reset link if an account matches; the answer never says whether one did.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let session = use_page_session();
    let query = use_query_map();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match session.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                let form = s.form_named("forgot");
                if let Some(f) = &form {
                    set_status(f.status);
                }
                let sent = form.is_none() && query.read_untracked().get("sent").is_some();
                view! {
                    <Card title="Forgot your password?">
                        <FormError form=form.clone() />
                        {sent
                            .then(|| {
                                view! {
                                    <p
                                        role="status"
                                        data-testid="forgot-sent"
                                        class="mb-4 rounded-lg border border-emerald-500/50 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
                                    >
                                        {FORGOT_SENT}
                                    </p>
                                }
                            })}
                        <form method="post" action="/forgot-password" novalidate>
                            <Field
                                name="login"
                                label="Email address or nickname"
                                form=form.clone().unwrap_or_default()
                                autocomplete="username"
                                required=true
                            />
                            <button type="submit" class=format!("{BUTTON} w-full")>
                                "Send me a link"
                            </button>
                        </form>
                        <p class="mt-2 text-sm">
                            <a href="/login" class="inline-flex min-h-11 items-center underline">
                                "Back to sign in"
                            </a>
                        </p>
                    </Card>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

/// What every accepted "forgot password" request is told.
pub const FORGOT_SENT: &str = "If an account matches, we sent a link to choose a new password. Check your mail.";

/// `s` as a query value (the sign-in page's `next`, handed on to single sign-on).
fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
