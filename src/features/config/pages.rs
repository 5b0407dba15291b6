//! `/config` (every registry setting, one form per section, generated from
//! the declarations) and `/config/history` (every change, newest first, with
//! "Revert"). Plain forms: everything works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::server::{
    ConfigPageData, Control, HistoryItem, HistoryPageData, SectionView, SettingView, config_history, config_page,
};
use crate::ui::data::page_data;
use crate::ui::flash::FormState;
use crate::ui::page_session::use_page_session;
use crate::ui::{
    AMBER, BUTTON, BUTTON_QUIET, ErrorView, GREEN, GREY, INDIGO, INPUT, Notices, PageHeader, PageLink, Pager, SECTION,
    badge, format_time,
};

const HINT: &str = "mt-1 text-xs text-slate-600 dark:text-slate-400";
const ERROR: &str = "mt-1 text-sm text-red-700 dark:text-red-300";
const NOTE: &str = "mt-2 rounded-lg bg-slate-100 px-3 py-2 text-xs dark:bg-slate-800";

/// `sessions.idle_minutes` → `cfg-sessions-idle_minutes`.
fn dom_id(id: &str) -> String {
    format!("cfg-{}", id.replace('.', "-"))
}

#[component]
pub fn ConfigPage() -> impl IntoView {
    let query_map = use_query_map();
    let q = Memo::new(move |_| query_map.read().get("q"));
    let data = page_data(move || q.get(), config_page);
    let session = use_page_session();
    view! {
        <Title text="Configuration" />
        <PageHeader
            title="Configuration".into()
            lead="Every runtime setting of Steward, by section. A value set by an environment variable wins over the one saved here."
        />
        <p class="mb-4">
            <a href="/config/history" class=BUTTON_QUIET>
                "History of changes"
            </a>
        </p>
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match (data.await, session.await) {
                    (Ok(d), Ok(s)) => view! { <ConfigView d form=s.form.clone() /> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Search(query: String) -> impl IntoView {
    view! {
        <form method="get" action="/config" role="search" class="mb-6 flex flex-col gap-2 sm:flex-row sm:items-end">
            <div class="grow">
                <label for="config-q" class="mb-1 block text-sm font-medium">
                    "Search settings"
                </label>
                <input
                    id="config-q"
                    name="q"
                    type="search"
                    value=query
                    maxlength=100
                    placeholder="smtp, session, cors…"
                    class=INPUT
                />
            </div>
            <button type="submit" class=format!("{BUTTON} w-full sm:w-auto")>
                "Search"
            </button>
        </form>
    }
}

#[component]
fn ConfigView(d: ConfigPageData, form: Option<FormState>) -> impl IntoView {
    let ConfigPageData { sections, query, pending } = d;
    let empty = sections.is_empty().then(|| {
        let notice = format!("No setting matches \"{query}\". Try another word, or clear the search.");
        view! {
            <Notices notices=vec![notice] />
            <p class="mb-6">
                <a href="/config" class=BUTTON_QUIET>
                    "Show every setting"
                </a>
            </p>
        }
    });
    view! {
        {(!pending.is_empty()).then(|| view! { <Pending labels=pending /> })}
        <Search query=query.clone() />
        {empty}
        {sections
            .into_iter()
            .map(|sec| {
                let f = form.clone().filter(|f| f.form == sec.key);
                view! { <Section sec form=f query=query.clone() /> }
            })
            .collect_view()}
    }
}

/// Saved settings that wait for a reload, and the button that applies them.
#[component]
fn Pending(labels: Vec<String>) -> impl IntoView {
    view! {
        <div
            role="status"
            data-testid="need-reboot"
            class="mb-6 rounded-lg border border-amber-500/50 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
            <p class="font-medium">"Saved, waiting for a reload: " {labels.join(", ")} "."</p>
            <p class="mt-1">
                "They apply when Steward reloads its settings (here, or GET /api/v1/admin/restart); signed-in staff stay signed in."
            </p>
            <form method="post" action="/config/reload" class="mt-2">
                <button type="submit" class=format!("{BUTTON} w-full sm:w-auto")>
                    "Reload now"
                </button>
            </form>
        </div>
    }
}

#[component]
fn Section(sec: SectionView, form: Option<FormState>, query: String) -> impl IntoView {
    let SectionView { key, label, description, settings } = sec;
    let whole = form.as_ref().and_then(|f| f.errors.get("").cloned());
    view! {
        <section id=format!("section-{key}") class=SECTION data-testid=format!("section-{key}")>
            <h2 class="text-lg font-semibold">{label.clone()}</h2>
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">{description}</p>
            <form method="post" action=format!("/config/{key}")>
                <input type="hidden" name="q" value=query />
                {whole
                    .map(|m| {
                        view! {
                            <p role="alert" class=ERROR>
                                {m}
                            </p>
                        }
                    })}
                {settings.into_iter().map(|s| view! { <SettingField s form=form.clone() /> }).collect_view()}
                <button type="submit" class=format!("{BUTTON} mt-2 w-full sm:w-auto")>
                    {format!("Save {}", label.to_lowercase())}
                </button>
            </form>
        </section>
    }
}

#[component]
fn SettingField(s: SettingView, form: Option<FormState>) -> impl IntoView {
    let cid = dom_id(&s.id);
    let (desc_id, err_id) = (format!("{cid}-about"), format!("{cid}-error"));
    let err = form.as_ref().and_then(|f| f.errors.get(&s.id).cloned());
    let conflict = err.is_some() && form.as_ref().is_some_and(|f| f.status == 409);
    let kept = form.as_ref().and_then(|f| f.values.get(&s.id).cloned());
    let was = form.as_ref().and_then(|f| f.values.get(&format!("was.{}", s.id)).cloned()).unwrap_or(s.was.clone());
    let text = kept.clone().unwrap_or_else(|| s.value.clone());
    let invalid = err.as_ref().map(|_| "true");
    let described = if err.is_some() { format!("{desc_id} {err_id}") } else { desc_id.clone() };
    let name = s.id.clone();

    let badges = view! {
        <span class="flex flex-wrap gap-1">
            {s.restart.then(|| badge("Needs reload".into(), AMBER))}
            {s.env.clone().filter(|_| s.source == "environment").map(|v| badge(format!("Set by {v}"), INDIGO))}
            {if s.saved { badge("Saved".into(), GREEN) } else { badge("Default".into(), GREY) }}
        </span>
    };
    // A checkbox's label is beside the box; the others' is above the control.
    let title = (s.control != Control::Checkbox).then(|| {
        view! {
            <label for=cid.clone() class="text-sm font-medium">
                {s.label.clone()}
            </label>
        }
    });
    let list_id = (!s.suggestions.is_empty()).then(|| format!("{cid}-suggestions"));
    let control = match s.control.clone() {
        Control::Checkbox => {
            let on = text == "true";
            view! {
                <input type="hidden" name=name.clone() value="false" />
                <label for=cid.clone() class="inline-flex min-h-11 cursor-pointer items-center gap-3">
                    <input
                        id=cid.clone()
                        type="checkbox"
                        name=name.clone()
                        value="true"
                        checked=on
                        aria-describedby=described.clone()
                        aria-invalid=invalid
                        class="size-5 shrink-0"
                    />
                    <span class="text-sm font-medium">{s.label.clone()}</span>
                </label>
            }
            .into_any()
        }
        Control::Number { min, max } => view! {
            <input
                id=cid.clone()
                type="number"
                name=name.clone()
                value=text.clone()
                min=min
                max=max
                step=1
                inputmode="numeric"
                aria-describedby=described.clone()
                aria-invalid=invalid
                class=INPUT
            />
        }
        .into_any(),
        Control::Select(choices) => view! {
            <select
                id=cid.clone()
                name=name.clone()
                aria-describedby=described.clone()
                aria-invalid=invalid
                class=INPUT
            >
                {choices
                    .into_iter()
                    .map(|c| {
                        let on = c == text;
                        view! {
                            <option value=c.clone() selected=on>
                                {c.replace('_', " ")}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        }
        .into_any(),
        Control::Input { kind, max } => view! {
            <input
                id=cid.clone()
                type=kind
                name=name.clone()
                value=text.clone()
                maxlength=max
                list=list_id.clone()
                autocomplete="off"
                aria-describedby=described.clone()
                aria-invalid=invalid
                class=INPUT
            />
            {list_id
                .clone()
                .map(|l| {
                    view! {
                        <datalist id=l>
                            {s.suggestions.iter().map(|x| view! { <option value=x.clone()></option> }).collect_view()}
                        </datalist>
                    }
                })}
        }
        .into_any(),
        Control::Secret => {
            let placeholder = if s.secret_set { "set — leave empty to keep" } else { "not set" };
            let clear_id = format!("{cid}-clear");
            view! {
                <input
                    id=cid.clone()
                    type="password"
                    name=name.clone()
                    value=""
                    placeholder=placeholder
                    autocomplete="new-password"
                    aria-describedby=described.clone()
                    aria-invalid=invalid
                    class=INPUT
                />
                {s
                    .secret_set
                    .then(|| {
                        view! {
                            <label for=clear_id.clone() class="inline-flex min-h-11 cursor-pointer items-center gap-3">
                                <input
                                    id=clear_id.clone()
                                    type="checkbox"
                                    name=format!("clear.{name}")
                                    value="on"
                                    class="size-5 shrink-0"
                                />
                                <span class="text-sm">
                                    {format!("Clear: remove the stored {}", s.label.to_lowercase())}
                                </span>
                            </label>
                        }
                    })}
            }
            .into_any()
        }
        Control::Lines => view! {
            <textarea
                id=cid.clone()
                name=name.clone()
                rows=3
                maxlength=20000
                aria-describedby=described.clone()
                aria-invalid=invalid
                class=INPUT
            >
                {crate::ui::textarea_text(text.clone())}
            </textarea>
        }
        .into_any(),
    };
    let env_note = s.env_value.clone().map(|v| {
        let var = s.env.clone().unwrap_or_default();
        let stored = if s.control == Control::Secret {
            if s.secret_set { "set (hidden)".to_owned() } else { "(not set)".to_owned() }
        } else if s.value.is_empty() {
            "(not set)".to_owned()
        } else {
            s.value.replace('\n', ", ")
        };
        view! {
            <p class=NOTE data-testid="env-note">
                {format!(
                    "Set by {var}: in effect now is {v}. The value saved here ({stored}) is ignored while the variable is set; what you save applies once it is removed.",
                )}
            </p>
        }
    });
    let restart_note = s.restart.then(|| {
        view! {
            <p class=HINT>
                "Takes effect after a reload: \"Reload now\" on this page (shown once a change waits) or GET /api/v1/admin/restart."
            </p>
        }
    });
    let now = conflict.then(|| {
        let shown = if s.value.is_empty() { "(not set)".to_owned() } else { s.value.replace('\n', ", ") };
        view! {
            <p class="mt-1 text-sm" data-testid="now-saved">
                {format!("Now saved: {shown}. Your value is kept in the field; save again to replace it.")}
            </p>
        }
    });
    view! {
        <div
            class="mb-5 border-b border-slate-200 pb-4 last-of-type:border-0 dark:border-slate-800"
            data-setting=s.id.clone()
        >
            <div class="mb-1 flex flex-wrap items-center justify-between gap-2">{title} {badges}</div>
            <p id=desc_id class=HINT>
                {s.description.clone()}
                " "
                <code class="break-all font-mono text-[11px]">{s.id.clone()}</code>
            </p>
            <div class="mt-2">{control}</div>
            {(!s.was.is_empty()).then(|| view! { <input type="hidden" name=format!("was.{name}") value=was /> })}
            {err
                .map(|e| {
                    view! {
                        <p id=err_id role="alert" class=ERROR>
                            {e}
                        </p>
                    }
                })}
            {now}
            {restart_note}
            {env_note}
        </div>
    }
}

#[component]
pub fn ConfigHistoryPage() -> impl IntoView {
    let query_map = use_query_map();
    let before = Memo::new(move |_| query_map.read().get("before"));
    let data = page_data(move || before.get(), config_history);
    view! {
        <Title text="Configuration · History" />
        <PageHeader
            title="Configuration history".into()
            lead="Every change to the settings, newest first. \"Revert\" puts back the values a change replaced, as a new change."
        />
        <p class="mb-4">
            <a href="/config" class=BUTTON_QUIET>
                "← Configuration"
            </a>
        </p>
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <HistoryView d /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HistoryView(d: HistoryPageData) -> impl IntoView {
    let HistoryPageData { items, next_before, paged, notices } = d;
    let empty = items.is_empty();
    let next = next_before.map(|b| PageLink { href: format!("/config/history?before={b}"), label: "Older" });
    let prev = paged.then(|| PageLink { href: "/config/history".into(), label: "Newest" });
    view! {
        <Notices notices />
        {empty
            .then(|| {
                view! { <p class="text-sm text-slate-600 dark:text-slate-400">"No change has been saved yet."</p> }
            })}
        <ol class="space-y-4">{items.into_iter().map(|i| view! { <Entry i /> }).collect_view()}</ol>
        <Pager prev next />
    }
}

#[component]
fn Entry(i: HistoryItem) -> impl IntoView {
    let HistoryItem { id, nickname, created_at, document, version, changes } = i;
    let revertable = !changes.is_empty();
    view! {
        <li class=SECTION data-testid="config-change">
            <p class="flex flex-wrap items-center gap-2 text-sm">
                <span class="font-semibold">{format!("Change #{id}")}</span>
                <span>{format!("@{nickname}")}</span>
                <time class="text-slate-600 dark:text-slate-400">{format_time(created_at)}</time>
                {badge(format!("{document} v{version}"), GREY)}
            </p>
            <ul class="mt-2 space-y-1 text-sm">
                {changes
                    .into_iter()
                    .map(|c| {
                        view! {
                            <li class="break-words">
                                <span class="font-medium">{c.label}</span>
                                ": "
                                <span>{format!("{} → {}", c.before, c.after)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(!revertable)
                .then(|| {
                    view! { <p class=HINT>"Changed only fields that are not settings of this page."</p> }
                })}
            {revertable
                .then(|| {
                    view! {
                        <form method="post" action=format!("/config/history/{id}/revert") class="mt-3">
                            <button
                                type="submit"
                                class=format!("{BUTTON_QUIET} w-full sm:w-auto")
                                aria-label=format!("Revert change #{id}")
                            >
                                "Revert"
                            </button>
                        </form>
                    }
                })}
        </li>
    }
}
