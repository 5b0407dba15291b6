//! The settings document's JSON editor and its version history as line
//! diffs, on `/organizations/{id}`.

use leptos::prelude::*;

use super::server::VersionView;
use crate::ui::flash::FormState;
use crate::ui::{BUTTON, INPUT, SECTION, format_time, textarea_text};

/// The largest document the editor sends (the server's limit, 64 KiB).
const SETTINGS_MAX_BYTES: usize = 64 * 1024;

/// Whether the editor's text is a JSON object the server will take.
fn check_document(text: &str) -> Result<(), String> {
    if text.len() > SETTINGS_MAX_BYTES {
        return Err(format!("The settings are over {} KiB; make them smaller.", SETTINGS_MAX_BYTES / 1024));
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => Err("The settings must be a JSON object ({…}).".into()),
        Err(e) => Err(format!("This is not valid JSON: {e}")),
    }
}

/// The settings document's editor: pretty-printed by the server; after
/// hydration the text is parsed before it is sent and a mistake is shown
/// beside the field; without JavaScript the server checks it and brings the
/// text back with the message.
#[component]
pub fn SettingsEditor(id: i64, text: String, version: i64, form: Option<FormState>) -> impl IntoView {
    let kept = form.as_ref().and_then(|f| f.values.get("settings").cloned());
    let initial = kept.unwrap_or(text);
    let value = RwSignal::new(initial.clone());
    let error = RwSignal::new(form.as_ref().and_then(|f| f.errors.get("settings").cloned()));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Err(m) = check_document(&value.get_untracked()) {
            ev.prevent_default();
            error.set(Some(m));
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        value.set(event_target_value(&ev));
        // Once a mistake is shown, it clears as soon as it is fixed.
        if error.with_untracked(Option::is_some) {
            error.set(check_document(&value.get_untracked()).err());
        }
    };
    view! {
        <section class=SECTION aria-labelledby="settings-h">
            <h2 id="settings-h" class="mb-1 text-lg font-semibold">
                "Settings document"
            </h2>
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-400">
                {format!(
                    "A free JSON object, replaced whole (version {version}); at most 64 KiB. Tokens bound to this organization replace it through POST /api/v1/settings/organization.",
                )}
            </p>
            <form method="post" action=format!("/organizations/{id}/settings") on:submit=on_submit novalidate>
                <input type="hidden" name="version" value=version.to_string() />
                <label for="f-settings" class="mb-1 block text-sm font-medium">
                    "Settings (JSON)"
                </label>
                <textarea
                    id="f-settings"
                    name="settings"
                    rows=16
                    spellcheck="false"
                    aria-invalid=move || error.with(|e| e.as_ref().map(|_| "true"))
                    aria-describedby="f-settings-error"
                    class=format!("{INPUT} font-mono text-sm")
                    on:input=on_input
                >
                    {textarea_text(initial)}
                </textarea>
                <p id="f-settings-error" class="mt-1 min-h-5 text-sm text-red-700 dark:text-red-300" aria-live="polite">
                    {move || error.get()}
                </p>
                <button type="submit" class=format!("mt-3 {BUTTON}")>
                    "Replace settings"
                </button>
            </form>
        </section>
    }
}

#[component]
pub fn Versions(versions: Vec<VersionView>) -> impl IntoView {
    view! {
        <section class=SECTION aria-labelledby="versions-h">
            <h2 id="versions-h" class="mb-4 text-lg font-semibold">
                "Settings history"
            </h2>
            {if versions.is_empty() {
                view! { <p class="text-sm">"The settings have never been replaced."</p> }.into_any()
            } else {
                view! {
                    <ul class="space-y-2" aria-label="Versions">
                        {versions.into_iter().map(version_item).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

fn version_item(v: VersionView) -> impl IntoView {
    let summary = format!("Version {} · @{} · {}", v.version, v.actor, format_time(v.created_at));
    view! {
        <li>
            <details class="rounded-lg border border-slate-200 dark:border-slate-800">
                <summary class="flex min-h-11 cursor-pointer items-center px-3 text-sm">{summary}</summary>
                <pre class="overflow-x-auto px-3 py-2 font-mono text-xs" data-testid="settings-diff">
                    {v
                        .diff
                        .into_iter()
                        .map(|l| {
                            let (class, said) = match l.sign {
                                '+' => {
                                    (
                                        "block bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100",
                                        "added ",
                                    )
                                }
                                '-' => ("block bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-100", "removed "),
                                _ => ("block", ""),
                            };
                            view! {
                                <span class=class>
                                    <span class="sr-only">{said}</span>
                                    <span aria-hidden="true">{format!("{} ", l.sign)}</span>
                                    {l.text}
                                </span>
                            }
                        })
                        .collect_view()}
                </pre>
            </details>
        </li>
    }
}
