//! Keyboard shortcuts on the user list (hydrated only): `/` search, `j`/`k`
//! move between users, `x` tick the current one, `o` or Enter open it, `?`
//! this help. The current row is marked in the DOM (`data-current`), so it
//! starts over whenever the rows are re-rendered.

use leptos::html;
use leptos::prelude::*;

use crate::ui::BUTTON_QUIET;

const KEYS: &[(&str, &str)] = &[
    ("/", "Search"),
    ("j", "Next user"),
    ("k", "Previous user"),
    ("x", "Tick or untick the current user"),
    ("o", "Open the current user"),
    ("?", "Show this help"),
];

#[cfg(feature = "hydrate")]
mod keys {
    use wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent};

    fn rows() -> Vec<HtmlElement> {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return Vec::new() };
        let Ok(list) = doc.query_selector_all("[data-user-row]") else { return Vec::new() };
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok()).collect()
    }

    fn current(rows: &[HtmlElement]) -> Option<usize> {
        rows.iter().position(|r| r.has_attribute("data-current"))
    }

    fn mark(rows: &[HtmlElement], i: usize) {
        for r in rows {
            let _ = r.remove_attribute("data-current");
        }
        let row = &rows[i];
        let _ = row.set_attribute("data-current", "");
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
        row.scroll_into_view_with_scroll_into_view_options(&opts);
        // Focus the row's link: visible focus ring, and Enter opens it.
        if let Some(link) = row.query_selector("a").ok().flatten().and_then(|a| a.dyn_into::<HtmlElement>().ok()) {
            let _ = link.focus();
        }
    }

    fn typing(target: Option<Element>) -> bool {
        target.is_some_and(|t| {
            matches!(t.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || t.has_attribute("contenteditable")
        })
    }

    /// Handles one key press; `true` if it was a shortcut.
    pub fn handle(e: &KeyboardEvent, toggle_help: impl Fn()) -> bool {
        if e.ctrl_key() || e.meta_key() || e.alt_key() || typing(e.target().and_then(|t| t.dyn_into().ok())) {
            return false;
        }
        let rows = rows();
        match e.key().as_str() {
            "/" => {
                let doc = web_sys::window().and_then(|w| w.document());
                if let Some(input) =
                    doc.and_then(|d| d.get_element_by_id("users-q")).and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
                {
                    let _ = input.focus();
                    input.select();
                }
            }
            "j" | "k" if !rows.is_empty() => {
                let next = match (current(&rows), e.key().as_str()) {
                    (None, _) => 0,
                    (Some(i), "j") => (i + 1).min(rows.len() - 1),
                    (Some(i), _) => i.saturating_sub(1),
                };
                mark(&rows, next);
            }
            "x" | "o" => {
                // Tick the row's box, or follow its link.
                let selector = if e.key() == "x" { "input[type=checkbox]" } else { "a" };
                let target = current(&rows).and_then(|i| rows[i].query_selector(selector).ok().flatten());
                if let Some(el) = target.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
                    el.click();
                }
            }
            "?" => toggle_help(),
            _ => return false,
        }
        true
    }
}

#[component]
pub fn Shortcuts() -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    // Shown only once hydrated: without JavaScript there are no shortcuts.
    let ready = RwSignal::new(false);
    let toggle = move || {
        if let Some(d) = dialog.get_untracked() {
            if d.open() {
                d.close();
            } else {
                let _ = d.show_modal();
            }
        }
    };
    Effect::new(move || ready.set(true));
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |e| {
            if keys::handle(&e, toggle) {
                e.prevent_default();
            }
        });
        on_cleanup(move || handle.remove());
    }
    view! {
        <p class=move || if ready.get() { "mt-6 hidden text-sm md:block" } else { "hidden" }>
            <button type="button" class=BUTTON_QUIET on:click=move |_| toggle() aria-keyshortcuts="?">
                "Keyboard shortcuts"
            </button>
        </p>
        <dialog
            node_ref=dialog
            aria-labelledby="keys-h"
            class="m-auto w-full max-w-sm rounded-2xl border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-black/40 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
        >
            <h2 id="keys-h" class="mb-3 text-lg font-semibold">
                "Keyboard shortcuts"
            </h2>
            <dl class="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
                {KEYS
                    .iter()
                    .map(|(k, what)| {
                        view! {
                            <dt>
                                <kbd class="rounded border border-slate-300 px-1.5 py-0.5 font-mono dark:border-slate-600">
                                    {*k}
                                </kbd>
                            </dt>
                            <dd>{*what}</dd>
                        }
                    })
                    .collect_view()}
            </dl>
            <form method="dialog" class="mt-4 text-right">
                <button type="submit" class=BUTTON_QUIET>
                    "Close"
                </button>
            </form>
        </dialog>
    }
}
