//! The pages of `/oauth/authorize`: consent, a problem with the request, and
//! the code shown out of band. Plain server-rendered HTML with the console's
//! stylesheet, so signing a client in works without JavaScript.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::routes::AuthorizeRequest;
use crate::domain::Staff;
use crate::domain::scopes::Scopes;
use crate::server::storage::oauth::App;

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>{title} · Steward</title><link rel="stylesheet" href="{css}"></head><body class="min-h-screen bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100"><main id="main" class="mx-auto max-w-lg px-4 py-12">{body}</main></body></html>"#,
        title = text(title),
        css = crate::server::assets::css_href(),
    )
}

const BUTTON: &str = "min-h-11 rounded-md px-4 py-2 text-sm font-semibold";

/// "Allow <app> to act as @you?" The form posts back here; its answer then
/// goes to the client's redirect URI, which the policy lets the form reach.
pub fn page(app: &App, staff: &Staff, scopes: &Scopes, q: &AuthorizeRequest) -> Response {
    let granted = scopes.as_string();
    let hidden = [
        ("response_type", Some("code")),
        ("client_id", Some(q.client_id.as_str())),
        ("redirect_uri", Some(q.redirect_uri.as_str())),
        ("scope", Some(granted.as_str())),
        ("state", q.state.as_deref()),
        ("code_challenge", q.code_challenge.as_deref()),
        ("code_challenge_method", q.code_challenge_method.as_deref()),
    ];
    let fields: String = hidden
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!(r#"<input type="hidden" name="{k}" value="{}">"#, attr(v))))
        .collect();
    let list: String = granted.split(' ').map(|s| format!("<li><code>{}</code></li>", text(s))).collect();
    let site = app
        .website
        .as_deref()
        .map(|w| format!(r#"<p class="mt-1 text-sm text-slate-600 dark:text-slate-400">{}</p>"#, text(w)))
        .unwrap_or_default();
    let body = format!(
        r#"<h1 class="text-2xl font-semibold">Allow “{name}”?</h1>{site}
<p class="mt-4">“{name}” asks to act as <strong>@{nick}</strong> with these permissions:</p>
<ul class="mt-2 list-disc pl-6">{list}</ul>
<p class="mt-2 text-sm text-slate-600 dark:text-slate-400">It can do only what your role allows; you can revoke it on your account page.</p>
<form method="post" action="/oauth/authorize" class="mt-6 flex gap-3">{fields}
<button type="submit" name="decision" value="allow" class="{BUTTON} bg-indigo-700 text-white">Allow</button>
<button type="submit" name="decision" value="deny" class="{BUTTON} border border-slate-400">Deny</button>
</form>"#,
        name = text(&app.name),
        nick = text(&staff.nickname),
    );
    let mut res = Html(layout("Allow access", &body)).into_response();
    // Allow and Deny both end at the client's redirect URI: the form must be
    // allowed to get there.
    let target =
        url::Url::parse(&q.redirect_uri).ok().map(|u| u.origin().ascii_serialization()).filter(|o| o != "null");
    let policy = format!(
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self' {}; frame-ancestors 'none'",
        target.unwrap_or_default()
    );
    if let Ok(v) = HeaderValue::from_str(&policy) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

/// A request that cannot be answered by redirecting (unknown client, wrong
/// redirect URI, bad scope): said here, to the person.
pub fn problem(message: &str) -> Response {
    let body = format!(
        r#"<h1 class="text-2xl font-semibold">This sign-in request is not valid</h1><p class="mt-2">{}</p><p class="mt-6"><a class="underline" href="/">Go to the start page</a></p>"#,
        text(message)
    );
    (StatusCode::BAD_REQUEST, Html(layout("Not valid", &body))).into_response()
}

/// The code for a client without a redirect URI, to paste into it.
pub fn out_of_band(app: &App, code: &str) -> Response {
    let body = format!(
        r#"<h1 class="text-2xl font-semibold">Code for “{}”</h1><p class="mt-2">Paste this code into the app. It works once, for ten minutes.</p><p class="mt-4"><code class="break-all select-all rounded bg-slate-200 px-2 py-1 dark:bg-slate-800">{}</code></p>"#,
        text(&app.name),
        text(code)
    );
    Html(layout("Authorization code", &body)).into_response()
}

/// 303 to the client's redirect URI (checked against its registration).
pub fn redirect(to: url::Url) -> Response {
    match HeaderValue::from_str(to.as_str()) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => problem("The app's redirect URI cannot be used."),
    }
}
