//! The `/config` console page and `/config/history`, posted as a browser
//! without JavaScript would, on both backends: one field saved at a time, a
//! stale value refused with both values shown, refusals keeping what was
//! typed, hostile text escaped, the secret never shown, revert, search, and
//! who may do any of it.

mod common;

use common::{Backend, PASSWORD, TestApp, admin_app, client};
use reqwest::Method;
use serde_json::Value;
use steward::domain::Role;

const HOSTILE: &str = "\"><script>alert(1)</script>";

async fn config(app: &TestApp, token: &str) -> Value {
    let res = app.api(Method::GET, "/api/v1/admin/config", token).await.send().await.unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "{body}");
    body
}

/// The effective value of `section.key` in Pleroma's answer.
fn setting(cfg: &Value, section: &str, key: &str) -> Value {
    let sec = cfg["configs"].as_array().unwrap().iter().find(|c| c["key"] == format!(":{section}")).unwrap();
    let pair = sec["value"].as_array().unwrap().iter().find(|t| t["tuple"][0] == format!(":{key}")).unwrap();
    pair["tuple"][1].clone()
}

async fn logged(app: &TestApp) -> i64 {
    app.db.count("SELECT COUNT(*) FROM moderation_log").await
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn saving_one_field_changes_only_it(b: Backend) {
    let (app, token) = admin_app(b).await;
    let (s, _, page) = app.page("/config").await;
    assert_eq!(s, 200);
    assert!(page.contains("href=\"/config\"") && page.contains("href=\"/config/history\""), "nav and history link");
    for want in ["Sessions", "Idle timeout (minutes)", "sessions.idle_minutes", "name=\"was.sessions.max_hours\""] {
        assert!(page.contains(want), "{want}");
    }
    assert!(page.contains("Needs reload"), "idle_minutes needs a reload");
    assert!(page.contains("Set by STEWARD_MAIL_FROM"), "the tests' environment sets email.from");
    let before = logged(&app).await;
    let res = app
        .post_form(
            "/config/sessions",
            &[
                ("sessions.idle_minutes", "60"),
                ("was.sessions.idle_minutes", "60"),
                ("sessions.max_hours", "8"),
                ("was.sessions.max_hours", "12"),
            ],
        )
        .await;
    assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/config#section-sessions"));
    let cfg = config(&app, &token).await;
    assert_eq!(
        (setting(&cfg, "sessions", "max_hours"), setting(&cfg, "sessions", "idle_minutes")),
        (8.into(), 60.into())
    );
    let stored =
        app.db.count("SELECT COUNT(*) FROM settings WHERE key = 'runtime' AND value LIKE '%idle_minutes%'").await;
    assert_eq!(stored, 0, "the untouched field was not written");
    assert_eq!(logged(&app).await - before, 1, "one moderation-log entry");
    let (s, _, page) = app.page("/config").await;
    assert_eq!(s, 200);
    assert!(page.contains("Saved: Absolute lifetime (hours)."), "the flash names it");
    // Saving the same form again changes nothing and logs nothing.
    app.post_form("/config/sessions", &[("sessions.max_hours", "8"), ("was.sessions.max_hours", "8")]).await;
    assert_eq!(logged(&app).await - before, 1);
    // A checkbox sends "false" unticked (the hidden field) and "true" ticked.
    let on = [("sso.enabled", "false"), ("sso.enabled", "true"), ("was.sso.enabled", "false")];
    app.post_form("/config/sso", &on).await;
    assert_eq!(setting(&config(&app, &token).await, "sso", "enabled"), true);
    app.post_form("/config/sso", &[("sso.enabled", "false"), ("was.sso.enabled", "true")]).await;
    assert_eq!(setting(&config(&app, &token).await, "sso", "enabled"), false);
}

async fn a_stale_value_is_refused_with_both_values(b: Backend) {
    let (app, token) = admin_app(b).await;
    app.post_form("/config/sessions", &[("sessions.max_hours", "8"), ("was.sessions.max_hours", "12")]).await;
    // A page opened before that change still says 12.
    let res = app.post_form("/config/sessions", &[("sessions.max_hours", "6"), ("was.sessions.max_hours", "12")]).await;
    assert_eq!(res.status(), 303);
    let (s, _, page) = app.page("/config").await;
    assert_eq!(s, 409);
    assert!(page.contains("was changed by someone else"), "the conflict message");
    assert!(page.contains("it is now 8; you saw 12"), "both values");
    assert!(page.contains("value=\"6\""), "the typed value is kept");
    assert!(page.contains("Now saved: 8."), "the current value is visible");
    assert!(page.contains("name=\"was.sessions.max_hours\" value=\"8\""), "saving again is a decision made seeing 8");
    assert_eq!(setting(&config(&app, &token).await, "sessions", "max_hours"), 8, "nothing saved");
}

async fn a_refused_value_is_kept_with_its_message(b: Backend) {
    let (app, token) = admin_app(b).await;
    app.post_form(
        "/config/sessions",
        &[("sessions.idle_minutes", "4"), ("was.sessions.idle_minutes", "60"), ("sessions.max_hours", "x")],
    )
    .await;
    let (s, _, page) = app.page("/config").await;
    assert_eq!(s, 422);
    assert!(page.contains("value=\"4\"") && page.contains("value=\"x\""), "kept");
    assert!(page.contains("use a whole number from 5 to 10080"), "{page}");
    assert!(page.contains("enter a whole number"), "each field has its message");
    assert!(page.contains("aria-invalid=\"true\""));
    assert_eq!(setting(&config(&app, &token).await, "sessions", "idle_minutes"), 60, "nothing saved");
}

async fn hostile_values_are_refused_or_escaped(b: Backend) {
    let (app, token) = admin_app(b).await;
    // Text that is a valid From line: saved, and shown escaped (the environment overrides it in effect).
    app.post_form("/config/email", &[("email.from", HOSTILE), ("was.email.from", "\"Steward <steward@localhost>\"")])
        .await;
    let (s, _, page) = app.page("/config").await;
    assert!(s == 200 || s == 422, "{s}");
    assert!(!page.contains(HOSTILE), "never raw");
    assert!(page.contains("&lt;script&gt;"), "escaped");

    let textarea = "https://a.example.org\n</textarea><script>alert(2)</script>";
    let res =
        app.post_form("/config/cors", &[("cors.allowed_origins", textarea), ("was.cors.allowed_origins", "[]")]).await;
    assert_eq!(res.status(), 303);
    let (s, _, page) = app.page("/config").await;
    assert_eq!(s, 422);
    assert!(!page.contains("</textarea><script>"), "the textarea cannot be closed");
    assert!(page.contains("&lt;/textarea&gt;"), "kept, escaped");
    assert_eq!(setting(&config(&app, &token).await, "cors", "allowed_origins"), serde_json::json!([]));

    // NUL is refused before the form is read (as on every form), and nothing is kept.
    let res =
        app.post_form("/config/sso", &[("sso.display_name", "Key\0cloak"), ("was.sso.display_name", "null")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("NUL"));
    assert_eq!(setting(&config(&app, &token).await, "sso", "display_name"), Value::Null);

    let big = "x".repeat(100_000);
    app.post_form("/config/sso", &[("sso.display_name", &big), ("was.sso.display_name", "null")]).await;
    let (s, _, page) = app.page("/config").await;
    assert_eq!(s, 422);
    assert!(page.contains("at most 100 characters") && !page.contains(&big));
    assert_eq!(setting(&config(&app, &token).await, "sso", "display_name"), Value::Null);
}

async fn the_secret_never_appears_in_the_page(b: Backend) {
    let (app, token) = admin_app(b).await;
    let secret = "smtps://mailer:hunter2-very-secret@mail.example.org";
    app.post_form("/config/email", &[("email.smtp_url", secret)]).await;
    let (s, _, page) = app.page("/config").await;
    assert_eq!(s, 200);
    assert!(!page.contains("hunter2-very-secret"), "the secret is not in the page");
    assert!(page.contains("set — leave empty to keep"));
    assert!(page.contains("Saved, waiting for a reload") && page.contains("SMTP server"), "the reload banner");
    assert_eq!(setting(&config(&app, &token).await, "email", "smtp_url"), "***");
    // Empty keeps it.
    app.post_form("/config/email", &[("email.smtp_url", "")]).await;
    assert_eq!(setting(&config(&app, &token).await, "email", "smtp_url"), "***");
    let (_, _, history) = app.page("/config/history").await;
    assert!(!history.contains("hunter2-very-secret") && history.contains("SMTP server"), "history redacts it");
    // Reload now applies it.
    let res = app.post_form("/config/reload", &[]).await;
    assert_eq!(location(&res), "/config");
    let (_, _, page) = app.page("/config").await;
    assert!(page.contains("Now in effect: SMTP server") && !page.contains("Saved, waiting for a reload"));
    // Clear removes it.
    app.post_form("/config/email", &[("email.smtp_url", ""), ("clear.email.smtp_url", "on")]).await;
    assert_eq!(setting(&config(&app, &token).await, "email", "smtp_url"), Value::Null);
}

async fn revert_through_the_form_restores_the_old_value(b: Backend) {
    let (app, token) = admin_app(b).await;
    app.post_form("/config/sessions", &[("sessions.max_hours", "8"), ("was.sessions.max_hours", "12")]).await;
    let id = app.db.count("SELECT MAX(id) FROM settings_versions").await;
    let (s, _, page) = app.page("/config/history").await;
    assert_eq!(s, 200);
    assert!(page.contains("Absolute lifetime (hours)") && page.contains("12 → 8") && page.contains("@admin"));
    assert!(page.contains(&format!("action=\"/config/history/{id}/revert\"")));
    let res = app.post_form(&format!("/config/history/{id}/revert"), &[]).await;
    assert_eq!(location(&res), "/config/history");
    assert_eq!(setting(&config(&app, &token).await, "sessions", "max_hours"), 12);
    let (_, _, page) = app.page("/config/history").await;
    assert!(page.contains(&format!("Reverted change #{id}: Absolute lifetime (hours) put back.")));
    // The same change again: its value changed since, so nothing happens.
    app.post_form(&format!("/config/history/{id}/revert"), &[]).await;
    let (_, _, page) = app.page("/config/history").await;
    assert!(page.contains(&format!("Change #{id} was not reverted")) && page.contains("it is now 12; you saw 8"));
    assert_eq!(setting(&config(&app, &token).await, "sessions", "max_hours"), 12);
}

async fn only_admins_may_see_or_post(b: Backend) {
    let (app, token) = admin_app(b).await;
    app.db.create_user("mod", Some(Role::Moderator)).await;
    let (moderator, _) = app.login_elsewhere("mod", PASSWORD).await;
    for path in ["/config", "/config/history"] {
        let res = moderator.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 403, "moderator {path}");
        let res = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 303, "anonymous {path}");
        assert!(location(&res).starts_with("/login?next="), "anonymous {path} goes to sign in");
    }
    let form = [("sessions.max_hours", "8"), ("was.sessions.max_hours", "12")];
    for path in ["/config/sessions", "/config/reload", "/config/history/1/revert"] {
        let res = moderator.post(app.url(path)).header("Origin", &app.base).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 403, "moderator POST {path}");
        let res = client().post(app.url(path)).header("Origin", &app.base).form(&form).send().await.unwrap();
        assert!(matches!(res.status().as_u16(), 401 | 303), "anonymous POST {path}: {}", res.status());
    }
    assert_eq!(setting(&config(&app, &token).await, "sessions", "max_hours"), 12, "nothing changed");
}

async fn search_filters_by_label_id_and_description(b: Backend) {
    let (app, _) = admin_app(b).await;
    let (s, _, page) = app.page("/config?q=smtp").await;
    assert_eq!(s, 200);
    assert!(page.contains("data-setting=\"email.smtp_url\""), "the email section's smtp setting");
    assert!(!page.contains("section-sessions") && !page.contains("data-setting=\"sessions.idle_minutes\""));
    assert!(page.contains("value=\"smtp\""), "the search box keeps the word");
    let (_, _, page) = app.page("/config?q=IDLE_MINUTES").await;
    assert!(
        page.contains("data-setting=\"sessions.idle_minutes\"")
            && !page.contains("data-setting=\"sessions.max_hours\"")
    );
    let (s, _, page) = app.page(&format!("/config?q=nothing-like-this{}", "%3Cscript%3E")).await;
    assert_eq!(s, 200);
    assert!(page.contains("No setting matches") && !page.contains("nothing-like-this<script>"));
    // A search's form saves only what it shows, and comes back to the search.
    let res = app
        .post_form(
            "/config/sessions",
            &[("q", "lifetime"), ("sessions.max_hours", "9"), ("was.sessions.max_hours", "12")],
        )
        .await;
    assert_eq!(location(&res), "/config?q=lifetime#section-sessions");
}

both_backends!(
    saving_one_field_changes_only_it,
    a_stale_value_is_refused_with_both_values,
    a_refused_value_is_kept_with_its_message,
    hostile_values_are_refused_or_escaped,
    the_secret_never_appears_in_the_page,
    revert_through_the_form_restores_the_old_value,
    only_admins_may_see_or_post,
    search_filters_by_label_id_and_description,
);
