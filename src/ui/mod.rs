//! Shared look: flash messages, form fields, page headers, error pages.

pub mod data;
pub mod fields;
pub mod flash;
#[cfg(feature = "ssr")]
pub mod html_errors;
pub mod markup;
pub mod page_session;
pub mod tristate;

use leptos::prelude::*;

use crate::error::AppError;
pub use fields::{Field, Select, TextArea};
use flash::{Flash, FlashKind, FormState};

/// Text for a `<textarea>`'s children. Leptos writes textarea children into
/// the server's HTML unescaped (as it does for `<script>`), so a stored
/// `</textarea><script>` would end the element and run; escaped there, it
/// stays text. In the browser the text becomes a DOM text node, which is
/// never parsed, so it passes through as it is.
pub fn textarea_text(s: String) -> String {
    #[cfg(feature = "ssr")]
    let s = html_escape::encode_text(&s).into_owned();
    s
}

/// Page heading with an optional line of explanation.
#[component]
pub fn PageHeader(title: String, #[prop(optional, into)] lead: Option<String>) -> impl IntoView {
    view! {
        <header class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">{title}</h1>
            {lead.map(|l| view! { <p class="mt-1 text-sm text-slate-600 dark:text-slate-400">{l}</p> })}
        </header>
    }
}

/// Flash messages after a post/redirect/get; announced to screen readers.
#[component]
pub fn Flashes(flashes: Vec<Flash>) -> impl IntoView {
    view! {
        <div role="status" aria-live="polite" class="space-y-2 empty:hidden mb-4">
            {flashes
                .into_iter()
                .map(|f| {
                    let tone = match f.kind {
                        FlashKind::Success => {
                            "border-emerald-600/40 bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
                        }
                        FlashKind::Info => "border-sky-600/40 bg-sky-50 text-sky-900 dark:bg-sky-950 dark:text-sky-100",
                        FlashKind::Error => "border-red-600/40 bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-100",
                    };
                    view! {
                        <div class=format!("rounded-lg border px-4 py-3 text-sm {tone}")>
                            <p>{f.message}</p>
                            {f
                                .secret
                                .map(|s| {
                                    view! {
                                        <p class="mt-2 text-xs">"Copy it now; it will not be shown again."</p>
                                        <code
                                            class="mt-1 block select-all break-all rounded bg-white/70 px-2 py-1 font-mono text-sm dark:bg-black/40"
                                            data-testid="new-secret"
                                        >
                                            {s}
                                        </code>
                                    }
                                })}
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// A form-wide error (key `""`) from a rejected form, if any.
#[component]
pub fn FormError(form: Option<FormState>) -> impl IntoView {
    form.and_then(|f| f.errors.get("").cloned()).map(|m| {
        view! {
            <p
                role="alert"
                class="mb-4 rounded-lg border border-red-600/40 bg-red-50 px-4 py-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-100"
            >
                {m}
            </p>
        }
    })
}

// Buttons and inputs repeat on every row of some lists: component classes in style/tailwind.css.
pub const BUTTON: &str = "btn";
pub const BUTTON_QUIET: &str = "btn-quiet";
pub const BUTTON_DANGER: &str = "btn-danger";

/// A small label; pass one of the tones below.
pub fn badge(text: String, tone: &'static str) -> impl IntoView {
    view! { <span class=format!("badge {tone}")>{text}</span> }
}

// Badge tones: component classes in style/tailwind.css (badges repeat on every row of a list).
pub const GREY: &str = "badge-grey";
pub const RED: &str = "badge-red";
pub const AMBER: &str = "badge-amber";
pub const INDIGO: &str = "badge-indigo";
pub const GREEN: &str = "badge-green";

/// A report's state as a badge, wherever reports are listed.
pub fn report_state_badge(s: crate::domain::ReportState) -> impl IntoView {
    badge(s.as_str().into(), report_state_tone(s))
}

pub fn report_state_tone(s: crate::domain::ReportState) -> &'static str {
    use crate::domain::ReportState;
    match s {
        ReportState::Open => AMBER,
        ReportState::Resolved => GREEN,
        ReportState::Closed => GREY,
    }
}

/// A bordered panel, the console's unit of layout.
/// Why some of a list's URL parameters were ignored (§5: bad query values
/// fall back to defaults with a notice); nothing when all were used.
#[component]
pub fn Notices(notices: Vec<String>) -> impl IntoView {
    (!notices.is_empty()).then(|| {
        view! {
            <div
                role="status"
                class="mb-4 rounded-lg border border-amber-500/50 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
            >
                {notices.into_iter().map(|n| view! { <p>{n}</p> }).collect_view()}
            </div>
        }
    })
}

/// One link of a [`Pager`]: where it goes and what it says.
pub struct PageLink {
    pub href: String,
    pub label: &'static str,
}

/// A list's links to the pages before and after it. Plain links, so paging
/// works without JavaScript and each page has an address to bookmark.
#[component]
pub fn Pager(prev: Option<PageLink>, next: Option<PageLink>) -> impl IntoView {
    view! {
        <nav aria-label="Pages" class="mt-4 flex justify-between gap-2">
            {prev
                .map(|l| {
                    view! {
                        <a rel="prev" href=l.href class=BUTTON_QUIET>
                            {format!("← {}", l.label)}
                        </a>
                    }
                })}
            <span></span>
            {next
                .map(|l| {
                    view! {
                        <a rel="next" href=l.href class=BUTTON_QUIET>
                            {format!("{} →", l.label)}
                        </a>
                    }
                })}
        </nav>
    }
}

pub const SECTION: &str =
    "mb-6 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900";
/// Text inputs, selects and text areas.
pub const INPUT: &str = "input";

/// Sets the HTTP status of the page being rendered on the server.
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(status)) = (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(code)) {
        res.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// An error as a page, with the matching HTTP status.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    set_status(error.status());
    let (title, body) = match &error {
        AppError::Forbidden => ("Not allowed", "Your role does not include this page. Ask an admin if you need it."),
        AppError::NotFound => ("Page not found", "Nothing lives at this address. Check the link or go back."),
        AppError::Unauthorized => ("Signed out", "Your session ended. Sign in again to continue."),
        _ => ("Something went wrong", "The error was logged. Try again in a moment."),
    };
    view! {
        <section class="mx-auto max-w-lg py-12 text-center" data-status=error.status()>
            <p class="text-sm font-semibold text-indigo-600 dark:text-indigo-400">{error.status()}</p>
            <h1 class="mt-2 text-2xl font-semibold">{title}</h1>
            <p class="mt-2 text-slate-600 dark:text-slate-400">{body}</p>
            <a href="/" class=format!("mt-6 {BUTTON_QUIET}")>
                "Go to the start page"
            </a>
        </section>
    }
}

/// `resolved` → `Resolved`.
pub fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Now, in unix seconds, on the server or in the browser.
pub fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC`.
pub fn format_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).ok())
        .unwrap_or_else(|| "—".into())
}
