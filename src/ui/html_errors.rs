//! Console requests that fail outside a Leptos page (form posts, CSRF
//! refusals, bad paths) get an HTML error page instead of the API's JSON.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppError;

pub async fn render_for_browsers(req: Request, next: Next) -> Response {
    let wants_html =
        req.headers().get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    let server_fn = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !wants_html || server_fn {
        return res;
    }
    match res.extensions().get::<AppError>().cloned() {
        Some(err) => (res.status(), Html(page(&err))).into_response(),
        None => res,
    }
}

fn page(err: &AppError) -> String {
    let title = match err {
        AppError::Forbidden => "Not allowed",
        AppError::NotFound => "Page not found",
        AppError::Unauthorized => "Signed out",
        AppError::TooManyRequests(_) => "Slow down",
        AppError::Internal(_) => "Something went wrong",
        _ => "That did not work",
    };
    let message = html_escape::encode_text(&err.to_string()).into_owned();
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>{title} · Steward</title><link rel="stylesheet" href="/pkg/steward.css"></head><body class="min-h-screen bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100"><main id="main" class="mx-auto max-w-lg px-4 py-12 text-center"><p class="text-sm font-semibold text-indigo-600 dark:text-indigo-400">{status}</p><h1 class="mt-2 text-2xl font-semibold">{title}</h1><p class="mt-2 text-slate-600 dark:text-slate-400">{message}</p><p class="mt-6"><a class="underline" href="/">Go to the start page</a></p></main></body></html>"#,
        status = err.status()
    )
}
