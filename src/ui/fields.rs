//! Form fields: a label, the control, an optional hint and the server's
//! message for the field after a rejected submit, which also marks the
//! control invalid and describes it for screen readers. After a rejected
//! submit a field shows what was typed (never a password), not what is stored.

use leptos::prelude::*;

use super::INPUT;
use super::flash::FormState;

const LABEL: &str = "mb-1 block text-sm font-medium";
const HINT: &str = "mt-1 text-xs text-slate-600 dark:text-slate-400";
const ERROR: &str = "mt-1 text-sm text-red-700 dark:text-red-300";

/// What every field works out the same way from its name and form.
struct Parts {
    id: String,
    err: Option<String>,
    err_id: String,
    /// The value typed before a rejected submit, if any.
    kept: Option<String>,
}

impl Parts {
    fn new(name: &'static str, id: Option<&'static str>, form: &Option<FormState>) -> Self {
        let id = id.map_or_else(|| format!("f-{name}"), str::to_owned);
        Parts {
            err_id: format!("{id}-error"),
            err: form.as_ref().and_then(|f| f.errors.get(name).cloned()),
            kept: form.as_ref().and_then(|f| f.values.get(name).cloned()),
            id,
        }
    }

    fn invalid(&self) -> Option<&'static str> {
        self.err.as_ref().map(|_| "true")
    }

    fn described_by(&self) -> Option<String> {
        self.err.as_ref().map(|_| self.err_id.clone())
    }

    /// The field around `control`: the label, then the hint and the error.
    fn around(
        self,
        class: &'static str,
        label: &'static str,
        hint: Option<&'static str>,
        control: impl IntoView,
    ) -> impl IntoView {
        let Parts { id, err, err_id, .. } = self;
        view! {
            <div class=class>
                <label for=id class=LABEL>
                    {label}
                </label>
                {control}
                {hint.map(|h| view! { <p class=HINT>{h}</p> })}
                {err
                    .map(|e| {
                        view! {
                            <p id=err_id class=ERROR>
                                {e}
                            </p>
                        }
                    })}
            </div>
        }
    }
}

/// A labelled `<input>`.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] form: Option<FormState>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] value: Option<String>,
    /// Classes of the wrapping element (its spacing in the form).
    #[prop(default = "mb-4")]
    class: &'static str,
) -> impl IntoView {
    let mut parts = Parts::new(name, id, &form);
    let kept = if kind == "password" { None } else { parts.kept.take() };
    let (id, invalid, described) = (parts.id.clone(), parts.invalid(), parts.described_by());
    let control = view! {
        <input
            id=id
            name=name
            type=kind
            value=kept.or(value).unwrap_or_default()
            required=required
            autocomplete=autocomplete
            placeholder=placeholder
            aria-invalid=invalid
            aria-describedby=described
            class=INPUT
        />
    };
    parts.around(class, label, hint, control)
}

/// A labelled `<textarea>`; its text is escaped for the server's HTML
/// (see [`super::textarea_text`]).
#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] form: Option<FormState>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] value: Option<String>,
    #[prop(default = 3)] rows: u32,
    #[prop(default = 5000)] maxlength: u32,
    #[prop(default = "mb-4")] class: &'static str,
) -> impl IntoView {
    let mut parts = Parts::new(name, id, &form);
    let text = parts.kept.take().or(value).unwrap_or_default();
    let (id, invalid, described) = (parts.id.clone(), parts.invalid(), parts.described_by());
    let control = view! {
        <textarea
            id=id
            name=name
            rows=rows
            maxlength=maxlength
            required=required
            aria-invalid=invalid
            aria-describedby=described
            class=INPUT
        >
            {super::textarea_text(text)}
        </textarea>
    };
    parts.around(class, label, hint, control)
}

/// A labelled `<select>` of `(value, text)` options.
#[component]
pub fn Select(
    name: &'static str,
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] form: Option<FormState>,
    #[prop(optional)] hint: Option<&'static str>,
    /// The value chosen unless the rejected form chose another.
    #[prop(optional)]
    selected: Option<String>,
    #[prop(default = "mb-4")] class: &'static str,
) -> impl IntoView {
    let mut parts = Parts::new(name, id, &form);
    let chosen = parts.kept.take().or(selected).unwrap_or_default();
    let (id, invalid, described) = (parts.id.clone(), parts.invalid(), parts.described_by());
    let control = view! {
        <select id=id name=name aria-invalid=invalid aria-describedby=described class=INPUT>
            {options
                .into_iter()
                .map(|(v, t)| {
                    view! {
                        <option value=v selected=v == chosen>
                            {t}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    };
    parts.around(class, label, hint, control)
}
