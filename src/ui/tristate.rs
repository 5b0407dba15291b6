//! A field edited in three states — keep what is stored, set a new value, or
//! clear it — as a radio group with the input beside "Set to", so it works
//! without JavaScript and a form posts only the fields someone chose to
//! change. The form carries `NAME__mode` (`keep`, `set` or `clear`) and
//! `NAME` (the new value); [`Tri::read`] turns a post back into the choice.

use leptos::prelude::*;

use super::INPUT;
use super::flash::FormState;

/// What a tri-state field's post asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tri {
    Keep,
    Set(String),
    Clear,
}

impl Tri {
    /// The choice for `name` among a form's `(key, value)` pairs; anything
    /// but `set` or `clear` keeps.
    pub fn read(pairs: &[(String, String)], name: &str) -> Tri {
        let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        match get(&format!("{name}__mode")) {
            Some("set") => Tri::Set(get(name).unwrap_or_default().to_owned()),
            Some("clear") => Tri::Clear,
            _ => Tri::Keep,
        }
    }

    pub fn mode(&self) -> &'static str {
        match self {
            Tri::Keep => "keep",
            Tri::Set(_) => "set",
            Tri::Clear => "clear",
        }
    }
}

const ROW: &str = "flex min-h-11 cursor-pointer items-center gap-2 text-sm";

/// A fieldset: the stored value, then Keep / Set to [input] / Clear.
/// `multiline` makes the input a textarea (one list entry per line);
/// `clearable = false` leaves out Clear (a required field).
#[component]
pub fn TriStateField(
    name: &'static str,
    label: &'static str,
    /// The stored value as text (lines for a list).
    current: String,
    /// What an empty stored value means, e.g. "the public URL".
    #[prop(default = "not set")]
    empty: &'static str,
    #[prop(optional)] form: Option<FormState>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] multiline: bool,
    #[prop(default = true)] clearable: bool,
) -> impl IntoView {
    let mode_key = format!("{name}__mode");
    let kept = form.as_ref().and_then(|f| f.values.get(name).cloned());
    let mode = form.as_ref().and_then(|f| f.values.get(&mode_key).cloned()).unwrap_or_else(|| "keep".into());
    let err = form.as_ref().and_then(|f| f.errors.get(name).cloned());
    let (id, err_id, hint_id) = (format!("f-{name}"), format!("f-{name}-error"), format!("f-{name}-hint"));
    let described = err.as_ref().map(|_| err_id.clone());
    let value = kept.unwrap_or_else(|| current.clone());
    // With JavaScript, typing a new value picks "Set to" (the radio stays the truth).
    let (chosen, set_chosen) = signal(mode.clone());
    let radio = move |m: &'static str, text: &'static str| {
        view! {
            <label class=ROW>
                <input
                    type="radio"
                    name=mode_key.clone()
                    value=m
                    checked=mode == m
                    prop:checked=move || chosen.get() == m
                    on:change=move |_| set_chosen.set(m.to_owned())
                    class="size-5"
                    data-testid=format!("{name}-{m}")
                />
                {text}
            </label>
        }
    };
    let shown = if current.is_empty() { format!("({empty})") } else { current.replace('\n', ", ") };
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                name=name
                rows=4
                maxlength=20000
                on:input=move |_| set_chosen.set("set".into())
                aria-invalid=err.as_ref().map(|_| "true")
                aria-describedby=described.clone()
                class=INPUT
            >
                {super::textarea_text(value)}
            </textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                name=name
                type="text"
                value=value
                on:input=move |_| set_chosen.set("set".into())
                aria-invalid=err.as_ref().map(|_| "true")
                aria-describedby=described.clone()
                class=INPUT
            />
        }
        .into_any()
    };
    view! {
        <fieldset class="mb-5 rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-field=name>
            <legend class="px-1 text-sm font-medium">{label}</legend>
            <p id=hint_id class="mb-1 break-all text-xs text-slate-600 dark:text-slate-400">
                "Now: "
                <span data-testid=format!("{name}-current")>{shown}</span>
            </p>
            {radio("keep", "Keep")}
            {radio("set", "Set to:")}
            <label for=id class="sr-only">
                {format!("New {label}")}
            </label>
            {input}
            {hint.map(|h| view! { <p class="mt-1 text-xs text-slate-600 dark:text-slate-400">{h}</p> })}
            {clearable.then(|| radio("clear", "Clear"))}
            {err
                .map(|e| {
                    view! {
                        <p id=err_id class="mt-1 text-sm text-red-700 dark:text-red-300">
                            {e}
                        </p>
                    }
                })}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn reads_the_three_states() {
        let p = pairs(&[("a__mode", "set"), ("a", "x"), ("b__mode", "clear"), ("b", "y"), ("c", "z")]);
        assert_eq!(Tri::read(&p, "a"), Tri::Set("x".into()));
        assert_eq!(Tri::read(&p, "b"), Tri::Clear);
        assert_eq!(Tri::read(&p, "c"), Tri::Keep, "a value without set is kept");
    }
}
