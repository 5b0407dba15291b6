//! The public registration pages (`/register`, `/invite/{token}`,
//! `/confirm/{token}`) and the admins' approval queue (`/registrations`).
//! Plain forms: everything works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::outcome::Outcome;
use super::server::{Applicant, QueuePage, SignupInfo, register_info, registration_queue};
use crate::features::auth::pages::Card;
use crate::ui::data::page_data;
use crate::ui::flash::FormState;
use crate::ui::page_session::use_page_session;
use crate::ui::{
    BUTTON, BUTTON_DANGER, ErrorView, Field, Flashes, FormError, PageHeader, PageLink, Pager, TextArea, format_time,
};

/// `/register` (an invite may come as `?invite=`).
#[component]
pub fn RegisterPage() -> impl IntoView {
    let query = use_query_map();
    let invite = move || query.read().get("invite").unwrap_or_default();
    let done = move || query.read().get("done").unwrap_or_default();
    view! { <Register invite=Signal::derive(invite) done=Signal::derive(done) /> }
}

/// `/invite/{token}`: where an invite link leads.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let invite = move || params.read().get("token").unwrap_or_default();
    view! { <Register invite=Signal::derive(invite) done=Signal::derive(String::new) /> }
}

#[component]
fn Register(invite: Signal<String>, done: Signal<String>) -> impl IntoView {
    let session = use_page_session();
    let info = page_data(move || invite.get(), register_info);
    // A sign-up through an app (rw3iss) carries the app's id along.
    let query = use_query_map();
    let app = move || query.read().get("app").unwrap_or_default();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                if let Some(m) = Outcome::from_param(&done.get_untracked()).map(Outcome::message) {
                    return view! {
                        <Card title="Thanks for registering">
                            <p class="text-sm" data-testid="registered" role="status">
                                {m}
                            </p>
                        </Card>
                    }
                        .into_any();
                }
                match (session.await, info.await) {
                    (Ok(s), Ok(info)) => {
                        let form = s.form_named("register");
                        view! { <RegisterForm info form invite=invite.get_untracked() app=app() flashes=s.flashes /> }
                            .into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RegisterForm(
    info: SignupInfo,
    form: Option<FormState>,
    invite: String,
    app: String,
    flashes: Vec<crate::ui::flash::Flash>,
) -> impl IntoView {
    let closed = info.mode == "closed";
    let needs_invite = info.mode == "invite_only";
    let refusal = if closed {
        Some("Registrations are closed on this instance.")
    } else if info.invite_valid == Some(false) {
        Some("This invite has expired, been used up or been revoked. Ask for a new one.")
    } else if needs_invite && info.invite_valid.is_none() {
        Some("Registration on this instance needs an invite. Follow the link from your invitation.")
    } else {
        None
    };
    let contact = info.support_email.clone().map(|e| {
        view! {
            <p class="mt-4 text-xs text-slate-600 dark:text-slate-400">
                "Questions? Write to " <a class="underline" href=format!("mailto:{e}")>
                    {e.clone()}
                </a>
            </p>
        }
    });
    let f = form.clone().unwrap_or_default();
    view! {
        <Card title="Create an account">
            <Flashes flashes />
            {match refusal {
                Some(why) => {
                    view! {
                        <p class="text-sm" data-testid="register-refused" role="status">
                            {why}
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        {info
                            .review
                            .then(|| {
                                view! {
                                    <p
                                        class="mb-4 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
                                        data-testid="review-notice"
                                    >
                                        "New accounts are reviewed by a moderator before they can be used."
                                    </p>
                                }
                            })}
                        <FormError form=form.clone() />
                        <form method="post" action="/register" novalidate>
                            <input type="hidden" name="invite" value=invite />
                            {(!app.is_empty()).then(|| view! { <input type="hidden" name="app" value=app.clone() /> })}
                            <Field
                                name="nickname"
                                label="Nickname"
                                form=f.clone()
                                autocomplete="username"
                                required=true
                            />
                            <Field
                                name="email"
                                label="Email"
                                kind="email"
                                form=f.clone()
                                autocomplete="email"
                                required=true
                            />
                            <Field
                                name="password"
                                label="Password"
                                kind="password"
                                form=f.clone()
                                autocomplete="new-password"
                                required=true
                                hint="At least 12 characters."
                            />
                            <Field
                                name="password_confirmation"
                                label="Repeat password"
                                kind="password"
                                form=f.clone()
                                autocomplete="new-password"
                                required=true
                            />
                            {(info.reason_required || info.review)
                                .then(|| {
                                    view! {
                                        <TextArea
                                            name="reason"
                                            label="Why do you want to join?"
                                            form=f.clone()
                                            required=info.reason_required
                                            maxlength=1000
                                            hint="The moderators read this before approving your account."
                                        />
                                    }
                                })}
                            <button type="submit" class=format!("{BUTTON} w-full")>
                                "Create account"
                            </button>
                        </form>
                    }
                        .into_any()
                }
            }}
            {contact}
        </Card>
    }
}

/// `/confirm/{token}`: a button that confirms (a GET changes nothing, since
/// mail scanners open links), then the result.
#[component]
pub fn ConfirmPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let result = move || query.read().get("result").unwrap_or_default();
    view! {
        <Card title="Confirm your email address">
            {move || match result().as_str() {
                "ok" => {
                    view! {
                        <p class="text-sm" role="status" data-testid="confirmed">
                            "Thank you: your email address is confirmed."
                        </p>
                    }
                        .into_any()
                }
                "invalid" => {
                    view! {
                        <p class="text-sm" role="status" data-testid="confirm-invalid">
                            "This link has expired or was already used."
                        </p>
                    }
                        .into_any()
                }
                _ => {
                    view! {
                        <form method="post" action=format!("/confirm/{}", urlencode(&token()))>
                            <p class="mb-4 text-sm">"Confirm that this address is yours to finish registering."</p>
                            <button type="submit" class=format!("{BUTTON} w-full")>
                                "Confirm my address"
                            </button>
                        </form>
                    }
                        .into_any()
                }
            }}
        </Card>
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/registrations`: accounts waiting for approval, oldest first.
#[component]
pub fn RegistrationsPage() -> impl IntoView {
    let query = use_query_map();
    let after = move || query.read().get("after");
    let page = page_data(after, registration_queue);
    let session = use_page_session();
    view! {
        <Title text="Registrations" />
        <PageHeader
            title="Registrations".into()
            lead="Accounts waiting for approval, oldest first. Approving or rejecting mails the applicant and is logged."
        />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match (page.await, session.await) {
                    (Ok(p), Ok(s)) => {
                        let at_start = query.read_untracked().get("after").is_none();
                        view! { <Queue page=p form=s.form_named("reject") at_start /> }.into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Queue(page: QueuePage, form: Option<FormState>, at_start: bool) -> impl IntoView {
    let next = page.next.clone().map(|c| PageLink { href: format!("/registrations?after={c}"), label: "Later" });
    let prev = (!at_start).then(|| PageLink { href: "/registrations".into(), label: "Oldest" });
    view! {
        <p class="mb-4 text-sm text-slate-600 dark:text-slate-400" data-testid="pending-count">
            {match page.total {
                0 => "Nobody is waiting.".to_owned(),
                1 => "1 account is waiting.".to_owned(),
                n => format!("{n} accounts are waiting."),
            }}
        </p>
        <ul class="space-y-4" aria-label="Waiting accounts">
            {page.items.into_iter().map(|a| view! { <Item a form=form.clone() /> }).collect_view()}
        </ul>
        <Pager prev next />
    }
}

#[component]
fn Item(a: Applicant, form: Option<FormState>) -> impl IntoView {
    // The reject form that failed is this row's if its id was kept.
    let form = form.filter(|f| f.values.get("id").is_some_and(|i| *i == a.id.to_string()));
    let reason_id = format!("reject-reason-{}", a.id);
    let error = form.as_ref().and_then(|f| f.errors.get("reason").cloned());
    let kept = form.as_ref().and_then(|f| f.values.get("reason").cloned()).unwrap_or_default();
    let (open, invalid) = (error.is_some(), error.is_some().then_some("true"));
    view! {
        <li
            class="rounded-2xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
            data-testid="applicant"
        >
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <a href=format!("/users/{}", a.id) class="text-base font-semibold underline-offset-2 hover:underline">
                    "@"
                    {a.nickname.clone()}
                </a>
                <time class="text-xs tabular-nums text-slate-600 dark:text-slate-400">
                    {format_time(a.registered_at)}
                </time>
            </div>
            <p class="mt-1 break-all text-sm text-slate-700 dark:text-slate-300">
                {a.email.clone().unwrap_or_else(|| "no email".into())} " · "
                {if a.confirmed { "address confirmed" } else { "address not confirmed yet" }}
                {a.invite_id.map(|i| format!(" · invite #{i}"))}
            </p>
            {a
                .reason
                .clone()
                .map(|r| {
                    view! {
                        <blockquote class="mt-2 whitespace-pre-wrap break-words border-l-4 border-slate-300 pl-3 text-sm dark:border-slate-600">
                            {r}
                        </blockquote>
                    }
                })}
            <div class="mt-4 flex flex-col gap-3 sm:flex-row sm:items-start">
                <form method="post" action=format!("/registrations/{}/approve", a.id)>
                    <button type="submit" class=format!("{BUTTON} w-full sm:w-auto")>
                        "Approve"
                    </button>
                </form>
                <details class="grow" open=open>
                    <summary class=format!("{BUTTON_DANGER} cursor-pointer list-none")>"Reject…"</summary>
                    <form method="post" action=format!("/registrations/{}/reject", a.id) class="mt-3">
                        <label for=reason_id.clone() class="mb-1 block text-sm font-medium">
                            "Reason (sent to the applicant)"
                        </label>
                        <textarea
                            id=reason_id
                            name="reason"
                            rows=3
                            maxlength=1000
                            required=true
                            aria-invalid=invalid
                            class=crate::ui::INPUT
                        >
                            {crate::ui::textarea_text(kept)}
                        </textarea>
                        {error.map(|e| view! { <p class="mt-1 text-sm text-red-700 dark:text-red-300">{e}</p> })}
                        <button type="submit" class=format!("{BUTTON_DANGER} mt-2 w-full sm:w-auto")>
                            "Reject and delete the account"
                        </button>
                    </form>
                </details>
            </div>
        </li>
    }
}
