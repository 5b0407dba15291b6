//! Console requests that fail outside a Leptos page (form posts, CSRF
//! refusals, bad paths) get this HTML error page instead of the API's JSON
//! (`server::rejections::contract` picks which).

use crate::error::AppError;

/// The page shown to a browser for an error outside a Leptos page.
pub fn page(err: &AppError) -> String {
    let title = match err {
        AppError::Forbidden | AppError::Denied(_) => "Not allowed",
        AppError::NotFound => "Page not found",
        AppError::Unauthorized => "Signed out",
        AppError::TooManyRequests(_) => "Slow down",
        AppError::Unavailable(_) | AppError::Contended => "Busy",
        AppError::Internal(_) | AppError::Fault(_) => "Something went wrong",
        _ => "That did not work",
    };
    let message = html_escape::encode_text(&err.to_string()).into_owned();
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>{title} · Steward</title><link rel="stylesheet" href="{css}"></head><body class="min-h-screen bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100"><main id="main" class="mx-auto max-w-lg px-4 py-12 text-center"><p class="text-sm font-semibold text-indigo-600 dark:text-indigo-400">{status}</p><h1 class="mt-2 text-2xl font-semibold">{title}</h1><p class="mt-2 text-slate-600 dark:text-slate-400">{message}</p><p class="mt-6"><a class="underline" href="/">Go to the start page</a></p></main></body></html>"#,
        status = err.status(),
        css = crate::server::assets::css_href(),
    )
}
