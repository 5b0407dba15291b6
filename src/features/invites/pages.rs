//! `/invites`: create an invite, mail one, and the list with each link
//! (selectable without JavaScript, copied with one click with it), usage,
//! state and a confirmed revoke. A table on wide screens, cards on phones.

use leptos::prelude::*;
use leptos_meta::Title;

use super::server::{InviteView, InvitesData, invites_page};
use crate::error::AppError;
use crate::ui::data::{PageResource, page_data};
use crate::ui::page_session::use_page_session;
use crate::ui::{
    AMBER, BUTTON, BUTTON_DANGER, BUTTON_QUIET, ErrorView, Field, GREEN, GREY, INPUT, PageHeader, RED, SECTION, badge,
};

/// What `/invites` loads: created when the route matches, handed to the page.
#[derive(Clone, Copy)]
pub struct InvitesRouteData {
    invites: PageResource<Result<InvitesData, AppError>>,
}

/// Starts loading the page; called by the route's `data()` (app.rs).
pub fn invites_data() -> InvitesRouteData {
    InvitesRouteData { invites: page_data(|| (), |_| invites_page()) }
}

#[component]
pub fn InvitesPage(data: InvitesRouteData) -> impl IntoView {
    let InvitesRouteData { invites } = data;
    let session = use_page_session();
    view! {
        <Title text="Invites" />
        <PageHeader title="Invites".into() lead="Links that let people register, limited by uses and date." />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match session.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                let data = match invites.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorView error=e /> }.into_any(),
                };
                let create = s.form_named("invite").unwrap_or_default();
                let mail = s.form_named("email_invite").unwrap_or_default();
                view! {
                    <div class="grid gap-6 md:grid-cols-2">
                        <section class=SECTION aria-labelledby="new-h">
                            <h2 id="new-h" class="mb-4 text-lg font-semibold">
                                "New invite"
                            </h2>
                            <form method="post" action="/invites" novalidate>
                                <Field
                                    name="max_use"
                                    label="Max uses"
                                    kind="number"
                                    form=create.clone()
                                    hint="1 to 10 000. Empty: one use, or unlimited until the date."
                                />
                                <Field
                                    name="expires_at"
                                    label="Expires after"
                                    kind="date"
                                    form=create
                                    hint="The last day the link works (UTC). Empty: no date."
                                />
                                <button type="submit" class=BUTTON>
                                    "Create invite"
                                </button>
                            </form>
                        </section>
                        <section class=SECTION aria-labelledby="mail-h">
                            <h2 id="mail-h" class="mb-4 text-lg font-semibold">
                                "Invite by email"
                            </h2>
                            <form method="post" action="/invites/email" novalidate>
                                <Field
                                    name="email"
                                    label="Email"
                                    kind="email"
                                    form=mail.clone()
                                    autocomplete="off"
                                    required=true
                                />
                                <Field
                                    name="name"
                                    label="Name"
                                    form=mail
                                    autocomplete="off"
                                    hint="Optional: who the mail greets."
                                />
                                <button type="submit" class=BUTTON>
                                    "Send invite"
                                </button>
                            </form>
                        </section>
                    </div>
                    <section aria-labelledby="list-h">
                        <h2 id="list-h" class="mb-3 text-lg font-semibold">
                            "All invites"
                        </h2>
                        <InviteTable invites=data.invites />
                    </section>
                }
                    .into_any()
            })}
        </Suspense>
    }
}

fn state_badge(state: &str) -> impl IntoView + use<> {
    let tone = match state {
        "active" => GREEN,
        "expired" => AMBER,
        "revoked" => RED,
        _ => GREY,
    };
    badge(state.to_owned(), tone)
}

/// The link in a read-only field (select it and copy, no JavaScript needed)
/// and, once the page runs its script, a button that copies it.
#[component]
fn CopyLink(id: i64, link: String) -> impl IntoView {
    let input_id = format!("invite-link-{id}");
    let (scripted, set_scripted) = signal(false);
    // Effects run only in the browser: without JavaScript the button never shows.
    Effect::new(move |_| set_scripted.set(true));
    let (copied, set_copied) = signal(None::<bool>);
    let target = input_id.clone();
    let text = link.clone();
    view! {
        <div class="flex min-w-0 flex-col gap-2 sm:flex-row sm:items-center">
            <input
                id=input_id
                type="text"
                readonly=true
                value=link
                aria-label=format!("Link of invite #{id}")
                class=format!("{INPUT} font-mono text-xs md:min-w-64")
            />
            {move || {
                scripted
                    .get()
                    .then(|| {
                        let (target, text) = (target.clone(), text.clone());
                        view! {
                            <button
                                type="button"
                                class=BUTTON_QUIET
                                on:click=move |_| set_copied.set(Some(copy(&text, &target)))
                            >
                                {move || match copied.get() {
                                    Some(true) => "Copied",
                                    Some(false) => "Press Ctrl+C",
                                    None => "Copy link",
                                }}
                            </button>
                        }
                    })
            }}
        </div>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `navigator.clipboard.writeText`; throws where there is no clipboard (plain http).
    #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
    fn write_text(text: &str) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>;
}

/// Copies `link`, and selects the field holding it so a keyboard copy works
/// where the clipboard API does not. `true` if the clipboard took it.
fn copy(link: &str, input_id: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(input_id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.select();
        }
        write_text(link).is_ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (link, input_id);
        false
    }
}

/// Revoking takes a second step: the button sits inside a disclosure.
fn revoke_control(i: &InviteView) -> impl IntoView + use<> {
    (i.state == "active" || i.state == "expired").then(|| {
        let id = i.id;
        view! {
            <details class="group">
                <summary class=format!("{BUTTON_DANGER} cursor-pointer list-none")>"Revoke…"</summary>
                <form method="post" action=format!("/invites/{id}/revoke") class="mt-2">
                    <p class="mb-2 text-xs text-slate-600 dark:text-slate-400">"The link stops working at once."</p>
                    <button type="submit" class=BUTTON_DANGER>
                        {format!("Revoke invite #{id}")}
                    </button>
                </form>
            </details>
        }
    })
}

const TD: &str = "block md:table-cell md:py-2 md:pr-3 md:align-top";

#[component]
fn InviteTable(invites: Vec<InviteView>) -> impl IntoView {
    if invites.is_empty() {
        return view! {
            <p class="rounded-2xl border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
                "No invites yet."
            </p>
        }
            .into_any();
    }
    view! {
        <table class="w-full text-sm" data-testid="invite-list">
            <caption class="sr-only">"Invites"</caption>
            <thead class="hidden md:table-header-group">
                <tr class="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-600 dark:border-slate-800 dark:text-slate-400">
                    <th scope="col" class="py-2 pr-3 font-medium">
                        "Link"
                    </th>
                    <th scope="col" class="py-2 pr-3 font-medium">
                        "Type"
                    </th>
                    <th scope="col" class="py-2 pr-3 font-medium">
                        "Uses"
                    </th>
                    <th scope="col" class="py-2 pr-3 font-medium">
                        "Expires"
                    </th>
                    <th scope="col" class="py-2 pr-3 font-medium">
                        "State"
                    </th>
                    <th scope="col" class="py-2 pr-3 font-medium">
                        "Accounts"
                    </th>
                    <th scope="col" class="py-2 font-medium">
                        <span class="sr-only">"Revoke"</span>
                    </th>
                </tr>
            </thead>
            <tbody class="block space-y-3 md:table-row-group md:space-y-0">
                {invites
                    .into_iter()
                    .map(|i| {
                        let uses = match i.max_use {
                            Some(m) => format!("{} / {m}", i.uses),
                            None if i.invite_type == "one_time" => format!("{} / 1", i.uses),
                            None => format!("{} / unlimited", i.uses),
                        };
                        let accounts = match i.accounts {
                            1 => "1 account".to_owned(),
                            n => format!("{n} accounts"),
                        };
                        view! {
                            <tr
                                data-invite=i.id
                                class="block rounded-2xl border border-slate-200 bg-white p-4 md:table-row md:rounded-none md:border-0 md:border-b md:bg-transparent md:p-0 dark:border-slate-800 dark:bg-slate-900 md:dark:bg-transparent"
                            >
                                <td class=TD>
                                    <p class="mb-1 text-xs text-slate-600 dark:text-slate-400">
                                        {format!("#{}", i.id)}
                                        {i
                                            .email
                                            .clone()
                                            .map(|e| {
                                                view! { <span class="break-all">{format!(" · mailed to {e}")}</span> }
                                            })}
                                    </p>
                                    <CopyLink id=i.id link=i.link.clone() />
                                </td>
                                <td class=format!("{TD} mt-2 md:mt-0")>
                                    <span class="md:hidden">"Type "</span>
                                    <code class="font-mono text-xs">{i.invite_type.clone()}</code>
                                </td>
                                <td class=format!("{TD} tabular-nums")>
                                    <span class="md:hidden">"Uses "</span>
                                    {uses}
                                </td>
                                <td class=TD>
                                    <span class="md:hidden">"Expires "</span>
                                    {i.expires_at.clone().unwrap_or_else(|| "never".into())}
                                </td>
                                <td class=format!("{TD} mt-1 md:mt-0")>{state_badge(&i.state)}</td>
                                <td class=format!("{TD} text-slate-600 dark:text-slate-400")>{accounts}</td>
                                <td class=format!("{TD} mt-2 md:mt-0")>{revoke_control(&i)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
