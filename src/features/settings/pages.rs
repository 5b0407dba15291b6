//! `/settings/registration` and `/settings/instance` (admins only): plain
//! forms, one per document, each carrying the version it was read at so a
//! stale edit comes back with the 409 message and the current values.

use leptos::prelude::*;
use leptos_meta::Title;

use super::server::{Identifier, InstanceData, RegistrationData, instance_settings, registration_settings};
use crate::ui::data::page_data;
use crate::ui::flash::FormState;
use crate::ui::page_session::use_page_session;
use crate::ui::{BUTTON, BUTTON_DANGER, ErrorView, Field, FormError, PageHeader, SECTION, Select, TextArea};

const TABS: [(&str, &str); 2] = [("/settings/registration", "Registration"), ("/settings/instance", "Instance")];

#[component]
fn Tabs(current: &'static str) -> impl IntoView {
    view! {
        <nav
            aria-label="Settings"
            class="mb-6 flex gap-2 overflow-x-auto border-b border-slate-200 dark:border-slate-800"
        >
            {TABS
                .into_iter()
                .map(|(href, label)| {
                    let on = href == current;
                    let class = if on {
                        "-mb-px inline-flex min-h-11 items-center border-b-2 border-indigo-600 px-3 text-sm font-semibold"
                    } else {
                        "inline-flex min-h-11 items-center px-3 text-sm text-slate-600 hover:text-slate-900 dark:text-slate-400"
                    };
                    view! {
                        <a href=href class=class aria-current=on.then_some("page")>
                            {label}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// Whether a checkbox is ticked: as submitted after a refusal, else as stored.
fn ticked(form: &Option<FormState>, name: &str, stored: bool) -> bool {
    match form {
        Some(f) if !f.values.is_empty() => f.values.contains_key(name),
        _ => stored,
    }
}

#[component]
fn Check(
    name: &'static str,
    label: &'static str,
    checked: bool,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("f-{name}");
    let target = id.clone();
    view! {
        // The whole row is the label: a 44 px tall target on a phone.
        <label for=target class="mb-1 flex min-h-11 cursor-pointer items-start gap-3 py-2">
            <input id=id type="checkbox" name=name value="on" checked=checked class="mt-0.5 size-5 shrink-0" />
            <span class="text-sm">
                <span class="font-medium">{label}</span>
                {hint.map(|h| view! { <span class="block text-xs text-slate-600 dark:text-slate-400">{h}</span> })}
            </span>
        </label>
    }
}

/// The document version an edit is based on: after a refusal, the one the
/// refused edit was based on, so a resubmission is still checked against it.
#[component]
fn Version(v: i64, #[prop(optional)] form: Option<FormState>) -> impl IntoView {
    let kept = form.and_then(|f| f.values.get("expected_version").cloned()).filter(|k| !k.is_empty());
    view! { <input type="hidden" name="expected_version" value=kept.unwrap_or_else(|| v.to_string()) /> }
}

#[component]
fn Section(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class=format!("{SECTION} mb-6")>
            <h2 class="mb-4 text-lg font-semibold">{title}</h2>
            {children()}
        </section>
    }
}

fn save() -> impl IntoView {
    view! {
        <button type="submit" class=format!("{BUTTON} w-full sm:w-auto")>
            "Save"
        </button>
    }
}

#[component]
pub fn RegistrationSettingsPage() -> impl IntoView {
    let data = page_data(|| (), |_| registration_settings());
    let session = use_page_session();
    view! {
        <Title text="Settings · Registration" />
        <PageHeader
            title="Settings".into()
            lead="Who may register, when new accounts wait for review, and which addresses are refused."
        />
        <Tabs current="/settings/registration" />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match (data.await, session.await) {
                    (Ok(d), Ok(s)) => {
                        let form = |n: &str| s.form_named(n);
                        view! {
                            <Policy d=d.clone() form=form("policy") />
                            <Review d=d.clone() form=form("review") />
                            <RestrictionsForm d=d.clone() form=form("restrictions") />
                            <Identifiers
                                list="allowlist"
                                title="Allowlist"
                                items=d.allowlist.clone()
                                form=form("allowlist")
                            />
                            <Identifiers
                                list="blocklist"
                                title="Blocklist"
                                items=d.blocklist.clone()
                                form=form("blocklist")
                            />
                        }
                            .into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Policy(d: RegistrationData, form: Option<FormState>) -> impl IntoView {
    let fs = form.clone().unwrap_or_default();
    let modes = crate::domain::settings::RegistrationMode::ALL.into_iter().map(|m| (m.as_str(), m.label())).collect();
    view! {
        <Section title="Registration">
            <form method="post" action="/settings/registration/policy">
                <FormError form=form.clone() />
                <Version v=d.policy_version form=fs.clone() />
                <Select name="mode" label="Who may register" options=modes form=fs.clone() selected=d.mode.clone() />
                <Check
                    name="approval_required"
                    label="Approval required"
                    checked=ticked(&form, "approval_required", d.approval_required)
                    hint="Every new account waits in the approval queue."
                />
                <Check
                    name="confirmation_required"
                    label="Email confirmation required"
                    checked=ticked(&form, "confirmation_required", d.confirmation_required)
                />
                <Check
                    name="reason_required"
                    label="Ask why they want to join"
                    checked=ticked(&form, "reason_required", d.reason_required)
                />
                {save()}
            </form>
        </Section>
    }
}

/// "Review window active now · next change at 17:00 UTC"; the browser adds
/// the local time of the change after hydration.
fn window_line(d: &RegistrationData) -> String {
    let state = if d.active_now { "Review window active now" } else { "Review window not active now" };
    match d.next_change {
        Some(h) => format!("{state} · next change at {h:02}:00 UTC"),
        None => format!("{state} · no change scheduled"),
    }
}

#[component]
fn LocalTime(utc_hour: u8) -> impl IntoView {
    let local = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let offset_min = -(web_sys::js_sys::Date::new_0().get_timezone_offset() as i64);
            let mins = (i64::from(utc_hour) * 60 + offset_min).rem_euclid(24 * 60);
            local.set(Some(format!(" (your local time {:02}:{:02})", mins / 60, mins % 60)));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (utc_hour, local);
    });
    view! { <span data-testid="local-time">{move || local.get()}</span> }
}

#[component]
fn Review(d: RegistrationData, form: Option<FormState>) -> impl IntoView {
    let fs = form.clone().unwrap_or_default();
    let line = window_line(&d);
    let hour = |name: &str, stored: u8| {
        form.as_ref().and_then(|f| f.values.get(name).cloned()).unwrap_or_else(|| stored.to_string())
    };
    let start = hour("manual_review_schedule_start_hour_utc", d.start_hour);
    let end = hour("manual_review_schedule_end_hour_utc", d.end_hour);
    view! {
        <Section title="Manual review">
            <p class="mb-4 rounded-lg bg-slate-100 px-3 py-2 text-sm dark:bg-slate-800" data-testid="review-now">
                {line}
                {d.next_change.map(|h| view! { <LocalTime utc_hour=h /> })}
            </p>
            <form method="post" action="/settings/registration/review">
                <FormError form=form.clone() />
                <Version v=d.config_version form=fs.clone() />
                <Check
                    name="manual_review_enabled"
                    label="Manual review"
                    checked=ticked(&form, "manual_review_enabled", d.review_enabled)
                    hint="New accounts wait for approval while review is active."
                />
                <Check
                    name="manual_review_schedule_enabled"
                    label="Only during a daily window"
                    checked=ticked(&form, "manual_review_schedule_enabled", d.review_scheduled)
                    hint="From the start hour up to the end hour (UTC); a start after the end wraps past midnight; equal hours mean all day."
                />
                <div class="grid gap-x-4 sm:grid-cols-2">
                    <Field
                        name="manual_review_schedule_start_hour_utc"
                        label="Start hour (UTC, 0–23)"
                        kind="number"
                        form=fs.clone()
                        value=start
                    />
                    <Field
                        name="manual_review_schedule_end_hour_utc"
                        label="End hour (UTC, 0–23)"
                        kind="number"
                        form=fs.clone()
                        value=end
                    />
                </div>
                {save()}
            </form>
        </Section>
    }
}

#[component]
fn RestrictionsForm(d: RegistrationData, form: Option<FormState>) -> impl IntoView {
    let fs = form.clone().unwrap_or_default();
    let [a, b, c, e, g] = d.restrictions;
    view! {
        <Section title="Restrictions">
            <form method="post" action="/settings/registration/restrictions">
                <FormError form=form.clone() />
                <Version v=d.restrictions_version form=fs.clone() />
                <Check
                    name="allowlist"
                    label="Allowlist only"
                    checked=ticked(&form, "allowlist", a)
                    hint="Only addresses and domains on the allowlist may register."
                />
                <Check
                    name="blocklist"
                    label="Blocklist"
                    checked=ticked(&form, "blocklist", b)
                    hint="Addresses and domains on the blocklist may not register."
                />
                <Check
                    name="block_email_subaddresses"
                    label="Refuse sub-addresses (name+tag@)"
                    checked=ticked(&form, "block_email_subaddresses", c)
                />
                <Check
                    name="block_disposable_email_domains"
                    label="Refuse disposable mail domains"
                    checked=ticked(&form, "block_disposable_email_domains", e)
                />
                <Check
                    name="ignore_dots_for_gmail_addresses"
                    label="Ignore dots in Gmail addresses"
                    checked=ticked(&form, "ignore_dots_for_gmail_addresses", g)
                />
                {save()}
            </form>
        </Section>
    }
}

#[component]
fn Identifiers(
    list: &'static str,
    title: &'static str,
    items: Vec<Identifier>,
    form: Option<FormState>,
) -> impl IntoView {
    let error = form.as_ref().and_then(|f| f.errors.get("identifier").cloned());
    let kept = form.as_ref().and_then(|f| f.values.get("identifier").cloned()).unwrap_or_default();
    let id = format!("add-{list}");
    let empty = items.is_empty();
    view! {
        <Section title=title>
            <ul class="mb-4 divide-y divide-slate-200 dark:divide-slate-800" data-testid=list>
                {items
                    .into_iter()
                    .map(|i| {
                        view! {
                            <li class="flex items-center justify-between gap-2 py-2">
                                <span class="min-w-0 break-all text-sm">
                                    {i.identifier.clone()}
                                    <span class="ml-2 text-xs text-slate-600 dark:text-slate-400">
                                        {if i.kind == "domain" { "domain" } else { "address" }}
                                    </span>
                                </span>
                                <form
                                    method="post"
                                    action=format!("/settings/registration/identifiers/{}/delete", i.id)
                                >
                                    <input type="hidden" name="list" value=list />
                                    <button
                                        type="submit"
                                        class=BUTTON_DANGER
                                        aria-label=format!("Remove {}", i.identifier)
                                    >
                                        "Remove"
                                    </button>
                                </form>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {empty
                .then(|| {
                    view! { <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">"Nothing on this list."</p> }
                })}
            <form
                method="post"
                action="/settings/registration/identifiers"
                class="flex flex-col gap-2 sm:flex-row sm:items-start"
            >
                <input type="hidden" name="list" value=list />
                <div class="grow">
                    <label for=id.clone() class="sr-only">
                        {format!("Address or domain to add to the {list}")}
                    </label>
                    <input
                        id=id
                        name="identifier"
                        type="text"
                        value=kept
                        maxlength=254
                        placeholder="name@example.org or example.org"
                        aria-invalid=error.is_some().then_some("true")
                        class=crate::ui::INPUT
                    />
                    {error.map(|e| view! { <p class="mt-1 text-sm text-red-700 dark:text-red-300">{e}</p> })}
                </div>
                <button type="submit" class=BUTTON>
                    "Add"
                </button>
            </form>
        </Section>
    }
}

#[component]
pub fn InstanceSettingsPage() -> impl IntoView {
    let data = page_data(|| (), |_| instance_settings());
    let session = use_page_session();
    view! {
        <Title text="Settings · Instance" />
        <PageHeader
            title="Settings".into()
            lead="Instance settings, alert webhooks, single sign-on and organizations."
        />
        <Tabs current="/settings/instance" />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match (data.await, session.await) {
                    (Ok(d), Ok(s)) => {
                        view! {
                            <InstanceForm d=d.clone() form=s.form_named("instance") />
                            <ConfigForm d=d.clone() form=s.form_named("config") />
                            <OrganizationForm d=d.clone() form=s.form_named("organization") />
                        }
                            .into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InstanceForm(d: InstanceData, form: Option<FormState>) -> impl IntoView {
    let fs = form.clone().unwrap_or_default();
    view! {
        <Section title="Instance">
            <form method="post" action="/settings/instance/instance">
                <FormError form=form.clone() />
                <Version v=d.instance_version form=fs.clone() />
                <Check
                    name="test_mode"
                    label="Test mode"
                    checked=ticked(&form, "test_mode", d.test_mode)
                    hint="Mail stays in the outbox and is never sent."
                />
                <Check
                    name="hibp"
                    label="Refuse breached passwords"
                    checked=ticked(&form, "hibp", d.hibp)
                    hint="Checked with Have I Been Pwned's range API."
                />
                <Check
                    name="enhanced_email_deliverability"
                    label="Enhanced email deliverability"
                    checked=ticked(&form, "enhanced_email_deliverability", d.enhanced_email_deliverability)
                />
                <Field
                    name="support_email"
                    label="Support email"
                    kind="email"
                    form=fs.clone()
                    value=d.support_email.clone()
                />
                <Field
                    name="clerk_js_version"
                    label="Client library version"
                    form=fs.clone()
                    value=d.clerk_js_version.clone()
                />
                <Field
                    name="development_origin"
                    label="Development origin"
                    form=fs.clone()
                    value=d.development_origin.clone()
                    placeholder="http://localhost:3000"
                />
                <TextArea
                    name="allowed_origins"
                    label="Allowed origins (one per line)"
                    form=fs.clone()
                    value=d.allowed_origins.join("\n")
                    hint="Browser apps at these origins may call the API: https://app.example.org, chrome-extension://id, capacitor://localhost."
                />
                <Check
                    name="cookieless_dev"
                    label="Cookieless development"
                    checked=ticked(&form, "cookieless_dev", d.cookieless_dev)
                />
                <Check
                    name="url_based_session_syncing"
                    label="URL-based session syncing"
                    checked=ticked(&form, "url_based_session_syncing", d.url_based_session_syncing)
                />
                {save()}
            </form>
        </Section>
    }
}

const SSO_TEXT: [(&str, &str); 9] = [
    ("sso.display_name", "Button label"),
    ("sso.issuer", "Issuer URL"),
    ("sso.authorization_url", "Authorization URL"),
    ("sso.token_url", "Token URL"),
    ("sso.userinfo_url", "Userinfo URL"),
    ("sso.jwks_url", "JWKS URL"),
    ("sso.client_id", "Client ID"),
    ("sso.scope", "Scope"),
    ("sso.redirect_uri", "Redirect URI"),
];

#[component]
fn ConfigForm(d: InstanceData, form: Option<FormState>) -> impl IntoView {
    let fs = form.clone().unwrap_or_default();
    let secret = if d.secret_set { "set" } else { "not set" };
    view! {
        <Section title="Alerts and single sign-on">
            <form method="post" action="/settings/instance/config">
                <FormError form=form.clone() />
                <Version v=d.config_version form=fs.clone() />
                <Field
                    name="registration_alerts_webhook_url"
                    label="Registration alerts webhook"
                    kind="url"
                    form=fs.clone()
                    value=d.registration_webhook.clone()
                />
                <Field
                    name="system_alerts_webhook_url"
                    label="System alerts webhook"
                    kind="url"
                    form=fs.clone()
                    value=d.system_webhook.clone()
                />
                <Check
                    name="sso.enabled"
                    label="Single sign-on (OIDC)"
                    checked=ticked(&form, "sso.enabled", d.sso_enabled)
                />
                {SSO_TEXT
                    .into_iter()
                    .zip(d.sso_text.clone())
                    .map(|((name, label), v)| view! { <Field name=name label=label form=fs.clone() value=v /> })
                    .collect_view()}
                <Field
                    name="sso.client_secret"
                    label="Client secret"
                    kind="password"
                    autocomplete="new-password"
                    form=fs.clone()
                    hint="Leave empty to keep the stored secret."
                />
                <p class="-mt-2 mb-3 text-xs" data-testid="secret-state">
                    {format!("Client secret: {secret}")}
                </p>
                <Check name="sso.clear_secret" label="Clear the stored secret" checked=false />
                <TextArea
                    name="sso.allowed_domains"
                    label="Allowed domains (one per line)"
                    form=fs.clone()
                    value=d.sso_domains.join("\n")
                />
                <Check
                    name="sso.auto_provision"
                    label="Create accounts on first sign-in"
                    checked=ticked(&form, "sso.auto_provision", d.sso_auto_provision)
                />
                {save()}
            </form>
        </Section>
    }
}

#[component]
fn OrganizationForm(d: InstanceData, form: Option<FormState>) -> impl IntoView {
    let fs = form.clone().unwrap_or_default();
    let kept_modes: Option<Vec<String>> = form.as_ref().filter(|f| !f.values.is_empty()).map(|f| {
        f.values.get("domains_enrollment_modes").map(|v| v.lines().map(str::to_owned).collect()).unwrap_or_default()
    });
    let modes = kept_modes.unwrap_or_else(|| d.domains_enrollment_modes.clone());
    view! {
        <Section title="Organizations">
            <form method="post" action="/settings/instance/organization">
                <FormError form=form.clone() />
                <Version v=d.org_version form=fs.clone() />
                <Check name="enabled" label="Organizations" checked=ticked(&form, "enabled", d.org_enabled) />
                <Field
                    name="max_allowed_memberships"
                    label="Most members per organization (0: no limit)"
                    kind="number"
                    form=fs.clone()
                    value=d.max_allowed_memberships.to_string()
                />
                <Check
                    name="admin_delete_enabled"
                    label="Organization admins may delete it"
                    checked=ticked(&form, "admin_delete_enabled", d.admin_delete_enabled)
                />
                <Check
                    name="domains_enabled"
                    label="Verified domains"
                    checked=ticked(&form, "domains_enabled", d.domains_enabled)
                />
                <fieldset class="mb-4">
                    <legend class="mb-1 text-sm font-medium">"Enrollment modes"</legend>
                    {crate::domain::settings::ENROLLMENT_MODES
                        .into_iter()
                        .map(|m| {
                            let id = format!("mode-{m}");
                            let target = id.clone();
                            view! {
                                <label for=target class="flex min-h-11 cursor-pointer items-center gap-3">
                                    <input
                                        id=id
                                        type="checkbox"
                                        name="domains_enrollment_modes"
                                        value=m
                                        checked=modes.iter().any(|x| x == m)
                                        class="size-5"
                                    />
                                    <span class="text-sm">{m.replace('_', " ")}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                    {form
                        .as_ref()
                        .and_then(|f| f.errors.get("domains_enrollment_modes").cloned())
                        .map(|e| view! { <p class="mt-1 text-sm text-red-700 dark:text-red-300">{e}</p> })}
                </fieldset>
                <Field name="creator_role_id" label="Creator's role" form=fs.clone() value=d.creator_role.clone() />
                <Field
                    name="domains_default_role_id"
                    label="Default role of domain members"
                    form=fs.clone()
                    value=d.domains_default_role.clone()
                />
                {save()}
            </form>
        </Section>
    }
}
