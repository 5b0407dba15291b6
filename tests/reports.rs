//! Content moderation on both backends: intake, report state changes (batch
//! all-or-nothing), notes, a report's combined actions in one transaction,
//! statuses with godmode, the sanitizer on real pages, the inbox's keyset
//! pages in every sort, the dashboard and the content seeder.

mod common;

use common::content::{counts_agree, report, status};
use common::{Backend, PASSWORD, TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use steward::auth::tokens as codec;
use steward::domain::{ReportState, Role, Visibility};
use steward::server::storage::reports::{self, Cursor, NewReport, ReportFilter, Sort};
use steward::server::storage::{now, seed, seed_content, stats, tokens};

async fn call(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let req = app.api(method, path, token).await;
    let req = if body.is_null() { req } else { req.json(&body) };
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.count(sql).await
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// A moderator signed in on the app's client, with an API token.
async fn moderator_app(b: Backend) -> (TestApp, String) {
    let app = spawn_app(b).await;
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    let token = app.db.token_for(&m).await;
    assert_eq!(app.login("mod", PASSWORD).await.status(), 303);
    (app, token)
}

async fn intake_feeds_statuses_and_reports(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    app.db.create_user("bob", None).await;
    app.db.create_user("eve", None).await;
    let intake = codec::issue(&app.db.db, &admin, "community", tokens::Scope::Intake).await.unwrap().1;
    let admin_token = app.db.token_for(&admin).await;

    let body = json!({"account": "bob", "uri": "https://c.example/1", "content": "<p>hi<script>x()</script></p>",
        "visibility": "unlisted", "media_attachments": [{"type": "image", "url": "https://c.example/a.png"}]});
    let (status, res) = call(&app, &intake, Method::POST, "/api/v1/intake/statuses", body.clone()).await;
    assert_eq!(status, 201, "{res}");
    let sid = res["id"].as_str().unwrap().to_owned();
    let (status, again) = call(&app, &intake, Method::POST, "/api/v1/intake/statuses", body.clone()).await;
    assert_eq!((status, again["id"].as_str(), again["duplicate"].as_bool()), (200, Some(sid.as_str()), Some(true)));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM statuses").await, 1, "a retried uri stores nothing new");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM status_media").await, 1);

    // Scopes stay apart: admin tokens cannot feed content, intake tokens cannot administer.
    assert_eq!(call(&app, &admin_token, Method::POST, "/api/v1/intake/statuses", body.clone()).await.0, 403);
    assert_eq!(call(&app, &intake, Method::GET, "/api/v1/admin/reports", Value::Null).await.0, 403);
    assert_eq!(call(&app, "nope", Method::POST, "/api/v1/intake/reports", json!({})).await.0, 401);

    for (bad, param) in [
        (json!({"account": "bob", "visibility": "everyone"}), "visibility"),
        (json!({"account": "nobody"}), "account"),
        (
            json!({"account": "bob", "media_attachments": [{"type": "image", "url": "javascript:x"}]}),
            "media_attachments",
        ),
        (json!({"account": "bob", "colour": "red"}), "colour"),
    ] {
        let (status, res) = call(&app, &intake, Method::POST, "/api/v1/intake/statuses", bad.clone()).await;
        assert_eq!((status, res["errors"][0]["meta"]["param"].as_str()), (422, Some(param)), "{bad} → {res}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM statuses").await, 1, "rejected input stores nothing");

    let sid: i64 = sid.parse().unwrap();
    let wrong = json!({"account": "eve", "reporter": "bob", "status_ids": [sid], "comment": "spam"});
    let (status, res) = call(&app, &intake, Method::POST, "/api/v1/intake/reports", wrong).await;
    assert_eq!((status, res["errors"][0]["meta"]["param"].as_str()), (422, Some("status_ids")), "{res}");
    let good = json!({"account": "bob", "reporter": "eve", "status_ids": [sid], "comment": "spam", "uri": "r1"});
    let (status, res) = call(&app, &intake, Method::POST, "/api/v1/intake/reports", good).await;
    assert_eq!(status, 201, "{res}");

    let (status, list) = call(&app, &admin_token, Method::GET, "/api/v1/admin/reports?state=open", Value::Null).await;
    assert_eq!((status, list["total"].as_i64()), (200, Some(1)), "{list}");
    let r = &list["reports"][0];
    assert_eq!((r["account"]["acct"].as_str(), r["actor"]["acct"].as_str()), (Some("bob"), Some("eve")));
    assert_eq!(r["statuses"][0]["visibility"], "unlisted");
    assert_eq!(r["statuses"][0]["media_attachments"][0]["type"], "image");
    assert_eq!(r["statuses"][0]["content"], "<p>hi</p>", "content is sanitized on the way out");
    // The Pleroma alias answers the same.
    let (status, alias) = call(&app, &admin_token, Method::GET, "/api/pleroma/admin/reports", Value::Null).await;
    assert_eq!((status, alias["totalReports"].as_i64()), (200, Some(1)));
}

async fn report_states_change_all_or_nothing(b: Backend) {
    let (app, token) = moderator_app(b).await;
    let bob = app.db.create_user("bob", None).await;
    let (r1, r2) = (report(&app, None, bob.id, &[], "a").await, report(&app, None, bob.id, &[], "b").await);
    let log_before = count(&app, "SELECT COUNT(*) FROM moderation_log").await;

    let bad = json!({"reports": [{"id": r1.to_string(), "state": "resolved"}, {"id": "9999", "state": "closed"}, {"id": r2.to_string(), "state": "done"}]});
    let (status, res) = call(&app, &token, Method::PATCH, "/api/v1/admin/reports", bad).await;
    assert_eq!(status, 422, "{res}");
    let ids: Vec<&str> = res["errors"].as_array().unwrap().iter().map(|e| e["meta"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![r2.to_string().as_str()], "the malformed item is named");
    let unknown = json!({"reports": [{"id": r1.to_string(), "state": "resolved"}, {"id": "9999", "state": "closed"}]});
    let (status, res) = call(&app, &token, Method::PATCH, "/api/v1/admin/reports", unknown).await;
    assert_eq!((status, res["errors"][0]["meta"]["id"].as_str()), (422, Some("9999")), "{res}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM reports WHERE state = 'open'").await, 2, "nothing applied");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log").await, log_before, "nothing logged");

    let good = json!({"reports": [{"id": r1, "state": "resolved"}, {"id": r2.to_string(), "state": "closed"}]});
    let (status, _) = call(&app, &token, Method::PATCH, "/api/v1/admin/reports", good).await;
    assert_eq!(status, 204);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM reports WHERE id = {r1} AND state = 'resolved'")).await, 1);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM reports WHERE id = {r2} AND state = 'closed'")).await, 1);
    let msg = format!("@mod updated report #{r1} (on user @bob) with ''resolved'' state");
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM moderation_log WHERE message = '{msg}'")).await, 1);

    // The console's bulk form: reopen both with one note on each.
    let res = app
        .post_form(
            "/reports/bulk",
            &[
                ("ids", &r1.to_string()),
                ("ids", &r2.to_string()),
                ("op", "reopen"),
                ("note", "second look"),
                ("return_to", "/reports?state=all"),
            ],
        )
        .await;
    assert_eq!((res.status().as_u16(), location(&res)), (303, "/reports?state=all".to_owned()));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM reports WHERE state = 'open'").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM report_notes WHERE content = 'second look'").await, 2);
    // An open redirect is refused: back to the inbox instead.
    let res = app
        .post_form(
            "/reports/bulk",
            &[("ids", &r1.to_string()), ("op", "close"), ("return_to", "https://evil.example/")],
        )
        .await;
    assert_eq!(location(&res), "/reports");
    counts_agree(&app).await;
}

async fn notes_are_deleted_by_their_author_or_an_admin(b: Backend) {
    let (app, token) = moderator_app(b).await;
    let other = app.db.create_user("other", Some(Role::Moderator)).await;
    let other_token = app.db.token_for(&other).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let admin_token = app.db.token_for(&admin).await;
    let bob = app.db.create_user("bob", None).await;
    let r = report(&app, None, bob.id, &[], "spam").await;

    let path = format!("/api/v1/admin/reports/{r}/notes");
    assert_eq!(call(&app, &token, Method::POST, &path, json!({"content": "  "})).await.0, 422);
    assert_eq!(call(&app, &token, Method::POST, &path, json!({"content": "looked at it"})).await.0, 204);
    assert_eq!(
        call(&app, &token, Method::POST, "/api/v1/admin/reports/999/notes", json!({"content": "x"})).await.0,
        404
    );
    let (_, shown) = call(&app, &token, Method::GET, &format!("/api/v1/admin/reports/{r}"), Value::Null).await;
    assert_eq!(shown["notes"][0]["content"], "looked at it");
    assert_eq!(shown["notes"][0]["user"]["nickname"], "mod");
    let note: i64 = shown["notes"][0]["id"].as_str().unwrap().parse().unwrap();

    let del = format!("/api/v1/admin/reports/{r}/notes/{note}");
    assert_eq!(call(&app, &other_token, Method::DELETE, &del, Value::Null).await.0, 403, "not their note");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM report_notes").await, 1);
    assert_eq!(call(&app, &admin_token, Method::DELETE, &del, Value::Null).await.0, 204);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM report_notes").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action IN ('report.note', 'report.note_delete')").await,
        2
    );
}

async fn combined_actions_apply_together_or_not_at_all(b: Backend) {
    let (app, _) = moderator_app(b).await;
    let bob = app.db.create_user("bob", None).await;
    let eve = app.db.create_user("eve", None).await;
    let s1 = status(&app, bob.id, "<p>buy now</p>", Visibility::Public).await;
    let stray = status(&app, eve.id, "<p>unrelated</p>", Visibility::Public).await;
    let older = report(&app, Some(eve.id), bob.id, &[], "older").await;
    let r = report(&app, Some(eve.id), bob.id, &[s1], "spam").await;
    let log_before = count(&app, "SELECT COUNT(*) FROM moderation_log").await;
    let path = format!("/reports/{r}/act");
    let form = |sensitive: String, confirmed: &'static str| {
        vec![
            ("sensitive", sensitive),
            ("deactivate", "1".to_owned()),
            ("state", "resolved".to_owned()),
            ("note", "spam wave".to_owned()),
            ("confirmed", confirmed.to_owned()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let app = &app;
        let path = path.clone();
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&path, &pairs).await
        }
    };

    // Review first: nothing changes, the page shows what will happen.
    let res = post(form(s1.to_string(), "")).await;
    assert_eq!(location(&res), format!("/reports/{r}#confirm"));
    let (status, _, html) = app.page(&format!("/reports/{r}")).await;
    assert_eq!(status, 200);
    for line in [&format!("Mark status #{s1} sensitive"), "Deactivate @bob", "Resolve the report"] {
        assert!(html.contains(line), "confirmation lists {line}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log").await, log_before);

    // A status from outside the report fails the whole plan.
    let res = post(form(format!("{s1},{stray}"), "1")).await;
    assert_eq!(location(&res), format!("/reports/{r}"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM statuses WHERE sensitive").await, 0);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM users WHERE id = {} AND is_active", bob.id)).await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log").await, log_before, "nothing applied or logged");

    // Confirmed: everything at once, then the next open report.
    let res = post(form(s1.to_string(), "1")).await;
    assert_eq!(location(&res), format!("/reports/{older}"));
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM statuses WHERE id = {s1} AND sensitive")).await, 1);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM users WHERE id = {} AND NOT is_active", bob.id)).await, 1);
    assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM reports WHERE id = {r} AND state = 'resolved'")).await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM report_notes WHERE content = 'spam wave'").await, 1);
    for action in ["status.sensitive", "user.deactivate", "report.note", "report.resolve"] {
        assert_eq!(
            count(&app, &format!("SELECT COUNT(*) FROM moderation_log WHERE action = '{action}'")).await,
            1,
            "{action}"
        );
    }

    // The quick decision resolves with a note; no open report is left after it.
    let res = app.post_form(&format!("/reports/{older}/state"), &[("op", "close"), ("note", "dup")]).await;
    assert_eq!(location(&res), "/reports");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM reports WHERE state = 'open'").await, 0);
}

async fn statuses_hide_private_ones_unless_an_admin_uses_godmode(b: Backend) {
    let (app, mod_token) = moderator_app(b).await;
    let admin = app.db.create_user("admin", Some(Role::Admin)).await;
    let admin_token = app.db.token_for(&admin).await;
    let bob = app.db.create_user("bob", None).await;
    let public = status(&app, bob.id, "<p>public</p>", Visibility::Public).await;
    status(&app, bob.id, "<p>secret</p>", Visibility::Direct).await;
    status(&app, bob.id, "<p>followers</p>", Visibility::Private).await;

    let (status_code, list) = call(&app, &mod_token, Method::GET, "/api/v1/admin/statuses", Value::Null).await;
    assert_eq!((status_code, list.as_array().map(Vec::len)), (200, Some(1)), "{list}");
    assert_eq!(call(&app, &mod_token, Method::GET, "/api/v1/admin/statuses?godmode=true", Value::Null).await.0, 403);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'status.godmode'").await, 0);
    let (_, all) =
        call(&app, &admin_token, Method::GET, "/api/v1/admin/users/bob/statuses?godmode=true", Value::Null).await;
    assert_eq!(all["activities"].as_array().map(Vec::len), Some(3), "{all}");
    assert_eq!(all["total"], 3);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'status.godmode' AND message LIKE '%@bob%'")
            .await,
        1
    );
    assert_eq!(call(&app, &admin_token, Method::GET, "/api/v1/admin/statuses?godmode=maybe", Value::Null).await.0, 422);

    // Pleroma sends sensitive as a boolean or a string.
    let path = format!("/api/v1/admin/statuses/{public}");
    let (code, s) = call(&app, &mod_token, Method::PUT, &path, json!({"sensitive": "true"})).await;
    assert_eq!((code, s["sensitive"].as_bool()), (200, Some(true)), "{s}");
    let (code, s) =
        call(&app, &mod_token, Method::PUT, &path, json!({"sensitive": false, "visibility": "unlisted"})).await;
    assert_eq!((code, s["sensitive"].as_bool(), s["visibility"].as_str()), (200, Some(false), Some("unlisted")));
    let (code, e) = call(&app, &mod_token, Method::PUT, &path, json!({"visibility": "direct"})).await;
    assert_eq!((code, e["errors"][0]["meta"]["param"].as_str()), (422, Some("visibility")));
    assert_eq!(
        call(&app, &mod_token, Method::PUT, "/api/v1/admin/statuses/9999", json!({"sensitive": true})).await.0,
        404
    );

    let (_, stats) = call(&app, &mod_token, Method::GET, "/api/v1/admin/stats", Value::Null).await;
    assert_eq!(stats, json!({"status_visibility": {"public": 0, "unlisted": 1, "private": 1, "direct": 1}}));
    let (code, body) = call(&app, &mod_token, Method::DELETE, &path, Value::Null).await;
    assert_eq!((code, body), (200, json!({})));
    assert_eq!(call(&app, &mod_token, Method::DELETE, &path, Value::Null).await.0, 404, "already deleted");
    let (_, list) = call(&app, &mod_token, Method::GET, "/api/v1/admin/statuses", Value::Null).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0));
    for action in ["status.sensitive", "status.unsensitive", "status.visibility", "status.delete"] {
        assert_eq!(
            count(&app, &format!("SELECT COUNT(*) FROM moderation_log WHERE action = '{action}'")).await,
            1,
            "{action}"
        );
    }

    // The console: moderators cannot switch godmode on; admins can, and it is logged.
    let res = app.post_form("/statuses/godmode", &[("on", "1")]).await;
    assert_eq!(res.status().as_u16(), 403);
    let (_, _, html) = app.page("/statuses").await;
    assert!(!html.contains("followers") && !html.contains("secret"), "private statuses stay hidden");
    let admin_client = common::client();
    let login = admin_client
        .post(app.url("/login"))
        .header("Origin", &app.base)
        .form(&[("nickname", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 303);
    let res = admin_client
        .post(app.url("/statuses/godmode"))
        .header("Origin", &app.base)
        .form(&[("on", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let html = admin_client.get(app.url("/statuses")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("followers") && html.contains("secret"), "godmode shows private and direct statuses");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM moderation_log WHERE action = 'status.godmode'").await, 2);
    counts_agree(&app).await;
}

async fn pages_sanitize_content_and_need_staff(b: Backend) {
    let (app, _) = moderator_app(b).await;
    let bob = app.db.create_user("bob", None).await;
    let hostile = "<p>x<script>alert('pwned')</script><img src=x onerror=\"alert(2)\"><a href=\"javascript:alert(3)\" onclick=\"steal()\">y</a></p>";
    let s = status(&app, bob.id, hostile, Visibility::Public).await;
    let r = report(&app, None, bob.id, &[s], "<b>bold claim</b>").await;
    let (status, _, html) = app.page(&format!("/reports/{r}")).await;
    assert_eq!(status, 200);
    for bad in ["alert(", "onerror", "onclick", "javascript:"] {
        assert!(!html.contains(bad), "{bad} reached the page");
    }
    assert!(html.contains("blur-xl grayscale"), "media starts blurred");
    assert!(html.contains("&lt;b&gt;bold claim"), "the reporter's comment is text, escaped");

    let (status, _, html) = app.page("/reports").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/reports/{r}")) && html.contains("data-testid=\"open-reports-badge\""));
    let (status, _, html) = app.page("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("role=\"img\"") && html.contains("Reports per day") && html.contains("Show as a table"));
    assert!(!html.contains("Latest log entries"), "the log stays admin-only");

    let anon = common::client();
    for path in ["/", "/reports", &format!("/reports/{r}"), "/statuses"] {
        let res = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303, "{path}");
        assert!(location(&res).starts_with("/login"), "{path}");
    }
    let res = anon
        .post(app.url(&format!("/reports/{r}/state")))
        .header("Origin", &app.base)
        .form(&[("op", "resolve")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM reports WHERE state = 'open'").await,
        1,
        "signed-out posts change nothing"
    );
    assert_eq!(app.get("/reports/9999").await.status().as_u16(), 404);
}

async fn inbox_pages_cover_every_report_once_in_every_sort(b: Backend) {
    let app = spawn_app(b).await;
    let mut accounts = Vec::new();
    for i in 0..5 {
        accounts.push(app.db.create_user(&format!("u{i}"), None).await.id);
    }
    let mut ids = Vec::new();
    for k in 0..23 {
        // Account i gets i+1 shares: counts differ, ties inside each account.
        let account = accounts[[0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4][k % 15]];
        ids.push(report(&app, None, account, &[], "x").await);
    }
    let filter = ReportFilter { state: Some(ReportState::Open), ..Default::default() };
    for sort in [Sort::Newest, Sort::Oldest, Sort::MostReported] {
        let mut seen = Vec::new();
        let mut after: Option<Cursor> = None;
        let mut last_count = i64::MAX;
        loop {
            let mut conn = app.db.db.conn().await.unwrap();
            let page = reports::page(conn.as_ref(), &filter, sort, after, 4).await.unwrap();
            for r in &page.rows {
                if sort == Sort::MostReported {
                    let n = page.account_counts[&r.account_id];
                    assert!(n <= last_count, "most reported accounts first");
                    last_count = n;
                }
                seen.push(r.id);
            }
            match page.next {
                Some(c) => after = Some(Cursor::decode(&c.encode()).unwrap()),
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "{sort:?}: every report exactly once");
        assert_eq!(seen.len(), ids.len(), "{sort:?}: no duplicates");
        if sort == Sort::Newest {
            assert!(seen.windows(2).all(|w| w[0] > w[1]));
        }
    }
    let mut conn = app.db.db.conn().await.unwrap();
    let counts = reports::count_by_state(conn.as_ref(), None).await.unwrap();
    assert_eq!(counts, vec![(ReportState::Open, 23), (ReportState::Resolved, 0), (ReportState::Closed, 0)]);
}

async fn grouped_reports_gather_each_status(b: Backend) {
    let (app, token) = moderator_app(b).await;
    let bob = app.db.create_user("bob", None).await;
    let (s1, s2) = (
        status(&app, bob.id, "<p>a</p>", Visibility::Public).await,
        status(&app, bob.id, "<p>b</p>", Visibility::Public).await,
    );
    let eve = app.db.create_user("eve", None).await;
    for _ in 0..3 {
        report(&app, Some(eve.id), bob.id, &[s1], "wave").await;
    }
    report(&app, None, bob.id, &[s2], "once").await;
    let (code, g) = call(&app, &token, Method::GET, "/api/v1/admin/grouped_reports", Value::Null).await;
    assert_eq!(code, 200, "{g}");
    let groups = g["reports"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["status"]["id"], s2.to_string(), "the most recently reported status first");
    let wave = &groups[1];
    assert_eq!((wave["reports"].as_array().unwrap().len(), wave["actors"].as_array().unwrap().len()), (3, 1));
    let (_, _, html) = app.page("/reports?view=grouped").await;
    assert_eq!(html.matches("data-testid=\"report-group\"").count(), 2);

    // Keyset pages of groups cover every reported status once, also when one
    // report names two statuses (two groups with the same newest report).
    let mut more_statuses = Vec::new();
    for i in 0..7 {
        more_statuses.push(status(&app, bob.id, &format!("<p>{i}</p>"), Visibility::Public).await);
    }
    for pair in more_statuses.chunks(2) {
        report(&app, Some(eve.id), bob.id, pair, "pair").await;
    }
    let mut conn = app.db.db.conn().await.unwrap();
    let (mut seen, mut after) = (Vec::new(), None);
    loop {
        let (rows, more) = reports::grouped(conn.as_ref(), Some(ReportState::Open), after, 2).await.unwrap();
        seen.extend(rows.iter().map(|g| (g.status_id, g.total)));
        if !more {
            break;
        }
        after = rows.last().map(reports::GroupRow::cursor);
    }
    drop(conn);
    let mut ids: Vec<i64> = seen.iter().map(|g| g.0).collect();
    ids.sort_unstable();
    let mut want: Vec<i64> = [s1, s2].into_iter().chain(more_statuses.iter().copied()).collect();
    want.sort_unstable();
    assert_eq!(ids, want, "every status once");
    assert_eq!(seen.iter().find(|g| g.0 == s1).map(|g| g.1), Some(3), "the wave's size");

    // Resolving the wave moves its group out of the open view and into the resolved one.
    let wave_ids: Vec<String> =
        wave["reports"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    let body = json!({"reports": wave_ids.iter().map(|id| json!({"id": id, "state": "resolved"})).collect::<Vec<_>>()});
    assert_eq!(call(&app, &token, Method::PATCH, "/api/v1/admin/reports", body).await.0, 204);
    let (_, open) = call(&app, &token, Method::GET, "/api/v1/admin/grouped_reports?state=open", Value::Null).await;
    let wave_status = s1.to_string();
    assert!(open["reports"].as_array().unwrap().iter().all(|g| g["status"]["id"] != wave_status));
    let (_, resolved) =
        call(&app, &token, Method::GET, "/api/v1/admin/grouped_reports?state=resolved", Value::Null).await;
    assert_eq!(resolved["reports"][0]["reports"].as_array().map(Vec::len), Some(3));
    counts_agree(&app).await;

    // Deleting the account cascades to its statuses and reports; the groups follow.
    let mut tx = app.db.db.begin().await.unwrap();
    steward::server::storage::users_bulk::delete(tx.conn(), &[bob.id]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM report_groups").await, 0);
    counts_agree(&app).await;
}

async fn seeding_makes_waves_in_every_state(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("admin", Some(Role::Admin)).await;
    seed::users(&app.db.db, 300, 7).await.unwrap();
    let done = seed_content::content(&app.db.db, 600, 400, 7).await.unwrap();
    assert_eq!((done.statuses, done.reports), (600, 400));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM statuses").await, 600);
    assert!(count(&app, "SELECT COUNT(*) FROM status_media").await > 20);
    for state in ["open", "resolved", "closed"] {
        assert!(count(&app, &format!("SELECT COUNT(*) FROM reports WHERE state = '{state}'")).await > 10, "{state}");
    }
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM (SELECT status_id FROM report_statuses GROUP BY status_id HAVING COUNT(*) >= 3) w"
        )
        .await
            > 0,
        "waves on one status"
    );
    for v in ["public", "unlisted", "private", "direct"] {
        assert!(count(&app, &format!("SELECT COUNT(*) FROM statuses WHERE visibility = '{v}'")).await > 0, "{v}");
    }
    assert!(count(&app, "SELECT COUNT(*) FROM report_notes").await > 0);
    // Ids continue where the seed left off: intake after seeding still works.
    let mut tx = app.db.db.begin().await.unwrap();
    reports::insert(
        tx.conn(),
        &NewReport { reporter_id: None, account_id: 2, comment: "", status_ids: &[], uri: None, created_at: now() },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    counts_agree(&app).await;
}

async fn pending_approvals_are_counted_up_to_a_cap(b: Backend) {
    let app = spawn_app(b).await;
    for i in 0..4 {
        app.db.create_user(&format!("p{i}"), None).await;
    }
    app.db.db.exec("UPDATE users SET is_approved = FALSE WHERE nickname LIKE 'p%'").await.unwrap();
    let mut conn = app.db.db.conn().await.unwrap();
    assert_eq!(stats::pending_approvals(conn.as_ref(), 4).await.unwrap(), Some(4), "at the cap: exact");
    assert_eq!(stats::pending_approvals(conn.as_ref(), 3).await.unwrap(), None, "past the cap: more than");
    assert_eq!(stats::pending_approvals(conn.as_ref(), 1_000).await.unwrap(), Some(4));
}

both_backends!(
    intake_feeds_statuses_and_reports,
    pending_approvals_are_counted_up_to_a_cap,
    report_states_change_all_or_nothing,
    notes_are_deleted_by_their_author_or_an_admin,
    combined_actions_apply_together_or_not_at_all,
    statuses_hide_private_ones_unless_an_admin_uses_godmode,
    pages_sanitize_content_and_need_staff,
    inbox_pages_cover_every_report_once_in_every_sort,
    grouped_reports_gather_each_status,
    seeding_makes_waves_in_every_state,
);
