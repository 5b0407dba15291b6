//! The user list's filter form. Without JavaScript it is a GET form (the URL
//! is the whole state). Hydrated, it applies as you type (debounced) and on
//! every change, by client-side navigation: the URL stays in sync and the
//! form itself is not re-rendered under the typist's fingers. Active filters
//! show as removable chips; on phones the panel opens as a bottom sheet.

use leptos::html;
use leptos::prelude::*;

use super::server::UsersQuery;
use crate::ui::{BUTTON, BUTTON_QUIET, INPUT};

const SORTS: &[(&str, &str)] = &[
    ("-created_at", "Newest first"),
    ("created_at", "Oldest first"),
    ("nickname", "Nickname A–Z"),
    ("-nickname", "Nickname Z–A"),
    ("-last_active", "Recently active"),
    ("last_active", "Least recently active"),
];
const PER_PAGE: &[(&str, &str)] = &[("10", "10"), ("25", "25"), ("50", "50"), ("100", "100"), ("200", "200")];
const STATUSES: &[(&str, &str)] = &[
    ("", "Any"),
    ("active", "Active"),
    ("deactivated", "Deactivated"),
    ("pending", "Pending approval"),
    ("unconfirmed", "Unconfirmed email"),
];
const ORIGINS: &[(&str, &str)] = &[("", "Any"), ("local", "Local"), ("external", "External")];
const ROLES: &[(&str, &str)] = &[("", "Any"), ("admin", "Admin"), ("moderator", "Moderator")];

/// Milliseconds of quiet typing before the list follows.
const DEBOUNCE_MS: u64 = 300;

/// The value a select shows: `current` if it is one of `options`, else the
/// list's default (what the server applies to an ignored value).
fn shown(current: Option<&str>, options: &[(&str, &str)], default: &str) -> String {
    current.filter(|c| options.iter().any(|o| o.0 == *c)).unwrap_or(default).to_owned()
}

/// A `<select>` showing `current` (see [`shown`]).
fn select(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    current: String,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView + use<> {
    view! {
        <div>
            <label for=id class="mb-1 block text-sm font-medium">
                {label}
            </label>
            <select id=id name=name class=INPUT>
                {options
                    .iter()
                    .map(|(value, text)| {
                        view! {
                            <option value=*value selected=*value == current>
                                {*text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// Every select of the form with the value it should show for `q`.
fn select_values(q: &UsersQuery) -> [(&'static str, String); 5] {
    [
        ("status", shown(q.status.as_deref(), STATUSES, "")),
        ("origin", shown(q.origin.as_deref(), ORIGINS, "")),
        ("role", shown(q.role.as_deref(), ROLES, "")),
        ("sort", shown(q.sort.as_deref(), SORTS, "-created_at")),
        ("per_page", shown(q.per_page.as_deref(), PER_PAGE, "50")),
    ]
}

/// The list URL for the form's current values: empty fields and defaults
/// left out, the page position dropped.
#[cfg(feature = "hydrate")]
fn href_of(form: &web_sys::HtmlFormElement) -> String {
    let raw: String = web_sys::FormData::new_with_form(form)
        .and_then(|fd| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&fd))
        .map(|p| p.to_string().into())
        .unwrap_or_default();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let is_default =
        |k: &str, v: &str| v.is_empty() || (k, v) == ("sort", "-created_at") || (k, v) == ("per_page", "50");
    let kept: Vec<_> = pairs.into_iter().filter(|(k, v)| !is_default(k, v)).collect();
    let qs = serde_urlencoded::to_string(kept).unwrap_or_default();
    if qs.is_empty() { "/users".into() } else { format!("/users?{qs}") }
}

/// Chips for the active filters, each a link to the view without it.
fn chips(q: &UsersQuery) -> Vec<(String, String)> {
    let label = |k: &str| match k {
        "q" => "Search",
        "status" => "Status",
        "origin" => "Origin",
        "role" => "Role",
        "tag" => "Tag",
        "domain" => "Domain",
        "created_after" => "Joined from",
        "created_before" => "Joined before",
        _ => "",
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&q.query_string(None, None)).unwrap_or_default();
    pairs
        .iter()
        .enumerate()
        .filter(|(_, (k, _))| !label(k).is_empty())
        .map(|(i, (k, v))| {
            let rest: Vec<_> = pairs.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, p)| p).collect();
            let qs = serde_urlencoded::to_string(rest).unwrap_or_default();
            let href = if qs.is_empty() { "/users".to_owned() } else { format!("/users?{qs}") };
            (format!("{}: {v}", label(k)), href)
        })
        .collect()
}

#[component]
pub fn FilterForm(
    /// The query the inputs start from.
    query: UsersQuery,
    /// The live URL query, for the summary and the chips.
    current: Memo<UsersQuery>,
    all_tags: Vec<String>,
    /// Called with each URL the form navigates to by itself.
    on_navigate: Callback<String>,
) -> impl IntoView {
    let form_ref = NodeRef::<html::Form>::new();
    let panel_ref = NodeRef::<html::Details>::new();
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let values = select_values(&query);
    let value = |name: &str| values.iter().find(|v| v.0 == name).map(|v| v.1.clone()).unwrap_or_default();
    // The summary and chips follow the URL itself: the inputs are not
    // re-rendered while the form drives the URL, but these must change.
    let summary = move || {
        let n = chips(&current.get()).iter().filter(|(label, _)| !label.starts_with("Search")).count();
        if n == 0 { "Filters and sorting".to_owned() } else { format!("Filters and sorting ({n} active)") }
    };

    #[cfg(feature = "hydrate")]
    {
        // A select rendered again (Back, Forward) must show its value even
        // where the browser kept the choice made before.
        let values = values.clone();
        Effect::new(move || {
            use wasm_bindgen::JsCast;
            let Some(form) = form_ref.get() else { return };
            for (name, v) in &values {
                let el = form.query_selector(&format!("select[name={name}]")).ok().flatten();
                if let Some(select) = el.and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                    select.set_value(v);
                }
            }
        });
    }
    #[cfg(feature = "hydrate")]
    let (on_input, on_change, on_submit, on_backdrop) = {
        use leptos::ev;
        let timer = StoredValue::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
        let navigate = leptos_router::hooks::use_navigate();
        let apply = move || {
            if let Some(t) = timer.get_value() {
                t.clear();
            }
            let Some(form) = form_ref.get_untracked() else { return };
            let href = href_of(&form);
            on_navigate.run(href.clone());
            navigate(&href, leptos_router::NavigateOptions { scroll: false, ..Default::default() });
        };
        let debounced = {
            let apply = apply.clone();
            move || {
                if let Some(t) = timer.get_value() {
                    t.clear();
                }
                let apply = apply.clone();
                let handle = set_timeout_with_handle(apply, std::time::Duration::from_millis(DEBOUNCE_MS)).ok();
                timer.set_value(handle);
            }
        };
        // Text fields wait for a pause in typing; selects, boxes and dates apply on `change`.
        let is_text = |e: &ev::Event| {
            use wasm_bindgen::JsCast;
            e.target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .is_some_and(|i| matches!(i.type_().as_str(), "search" | "text"))
        };
        let on_input = move |e: ev::Event| {
            if is_text(&e) {
                debounced();
            }
        };
        let on_change = {
            let apply = apply.clone();
            move |e: ev::Event| {
                if !is_text(&e) {
                    apply();
                }
            }
        };
        let on_submit = move |e: ev::SubmitEvent| {
            e.prevent_default();
            if let Some(d) = panel_ref.get_untracked() {
                d.set_open(false);
            }
            apply();
        };
        let on_backdrop = move |_: ev::MouseEvent| {
            if let Some(d) = panel_ref.get_untracked() {
                d.set_open(false);
            }
        };
        (on_input, on_change, on_submit, on_backdrop)
    };
    #[cfg(not(feature = "hydrate"))]
    let (on_input, on_change, on_submit, on_backdrop) = {
        let _ = (on_navigate, panel_ref, DEBOUNCE_MS);
        (
            |_: leptos::ev::Event| {},
            |_: leptos::ev::Event| {},
            |_: leptos::ev::SubmitEvent| {},
            |_: leptos::ev::MouseEvent| {},
        )
    };

    view! {
        // autocomplete=off: after Back, the browser must not restore the
        // choices of the page left behind into the form of the list shown.
        <form
            node_ref=form_ref
            method="get"
            action="/users"
            role="search"
            aria-label="Filter users"
            autocomplete="off"
            on:input=on_input
            on:change=on_change
            on:submit=on_submit
            class="mb-4 rounded-2xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
        >
            <div class="flex flex-col gap-2 sm:flex-row sm:items-end">
                <div class="flex-1">
                    <label for="users-q" class="mb-1 block text-sm font-medium">
                        "Search"
                    </label>
                    <input
                        id="users-q"
                        name="q"
                        type="search"
                        value=v(&query.q)
                        placeholder="nickname, email or name"
                        aria-keyshortcuts="/"
                        class=INPUT
                    />
                </div>
                <button type="submit" class=BUTTON>
                    "Search"
                </button>
            </div>
            <details node_ref=panel_ref class="group mt-3">
                <summary class="min-h-11 cursor-pointer py-2 text-sm font-medium">{summary}</summary>
                // Below `md` the open panel is a bottom sheet over a dimmed list;
                // tapping the dim closes it (with JavaScript).
                <div aria-hidden="true" class="fixed inset-0 z-20 bg-black/40 md:hidden" on:click=on_backdrop></div>
                <div
                    class="grid grid-cols-1 gap-3 pt-2 sm:grid-cols-2 lg:grid-cols-4 max-md:fixed max-md:inset-x-0 max-md:bottom-0 max-md:z-30 max-md:max-h-[85vh] max-md:overflow-y-auto max-md:rounded-t-2xl max-md:border-t max-md:border-slate-300 max-md:bg-white max-md:p-4 max-md:pb-6 max-md:shadow-2xl dark:max-md:border-slate-700 dark:max-md:bg-slate-900"
                    data-testid="filter-panel"
                >
                    <div class="flex items-center justify-between gap-2 md:hidden">
                        <p class="text-base font-semibold">"Filters and sorting"</p>
                        <button type="submit" class=BUTTON>
                            "Apply"
                        </button>
                    </div>
                    {select("users-status", "status", "Status", value("status"), STATUSES)}
                    {select("users-origin", "origin", "Origin", value("origin"), ORIGINS)}
                    {select("users-role", "role", "Role", value("role"), ROLES)}
                    <div>
                        <label for="users-domain" class="mb-1 block text-sm font-medium">
                            "Email domain"
                        </label>
                        <input
                            id="users-domain"
                            name="domain"
                            type="text"
                            placeholder="example.org"
                            value=v(&query.domain)
                            class=INPUT
                        />
                    </div>
                    <div>
                        <label for="users-after" class="mb-1 block text-sm font-medium">
                            "Joined on or after"
                        </label>
                        <input
                            id="users-after"
                            name="created_after"
                            type="date"
                            value=v(&query.created_after)
                            class=INPUT
                        />
                    </div>
                    <div>
                        <label for="users-before" class="mb-1 block text-sm font-medium">
                            "Joined before"
                        </label>
                        <input
                            id="users-before"
                            name="created_before"
                            type="date"
                            value=v(&query.created_before)
                            class=INPUT
                        />
                    </div>
                    {select("users-sort", "sort", "Sort", value("sort"), SORTS)}
                    {select("users-per-page", "per_page", "Per page", value("per_page"), PER_PAGE)}
                    <fieldset class="sm:col-span-2 lg:col-span-4">
                        <legend class="mb-1 text-sm font-medium">"Tags (any of)"</legend>
                        <div class="flex flex-wrap gap-2">
                            {all_tags
                                .into_iter()
                                .map(|t| {
                                    let checked = query.tag.contains(&t);
                                    view! {
                                        <label class="inline-flex min-h-11 items-center gap-2 rounded-lg border border-slate-300 px-3 text-sm dark:border-slate-600">
                                            <input
                                                type="checkbox"
                                                name="tag"
                                                value=t.clone()
                                                checked=checked
                                                class="size-4"
                                            />
                                            {t.clone()}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </div>
                    </fieldset>
                    <div class="flex gap-2 sm:col-span-2 lg:col-span-4">
                        <button type="submit" class=BUTTON>
                            "Apply filters"
                        </button>
                        <a href="/users" class=BUTTON_QUIET>
                            "Clear"
                        </a>
                    </div>
                </div>
            </details>
            {move || {
                let active = chips(&current.get());
                (!active.is_empty())
                    .then(|| {
                        view! {
                            <ul class="mt-2 flex flex-wrap gap-2" aria-label="Active filters">
                                {active
                                    .into_iter()
                                    .map(|(label, href)| {
                                        let remove = format!("Remove filter {label}");
                                        view! {
                                            <li>
                                                <a
                                                    href=href
                                                    aria-label=remove
                                                    class="inline-flex min-h-11 items-center gap-2 rounded-full border border-indigo-300 bg-indigo-50 px-3 text-sm text-indigo-900 hover:bg-indigo-100 dark:border-indigo-700 dark:bg-indigo-950 dark:text-indigo-100"
                                                >
                                                    <span class="break-all">{label}</span>
                                                    <span aria-hidden="true">"×"</span>
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
            }}
        </form>
    }
}
