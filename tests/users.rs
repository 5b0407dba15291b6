//! The user list on both backends: filters, search, keyset pages both ways,
//! the page's lenient parameters, and the Pleroma-shaped API.

mod common;

use common::{Backend, PASSWORD, TestDb, spawn_app};
use reqwest::Method;
use serde_json::Value;
use steward::domain::Role;
use steward::server::storage::seed;
use steward::server::storage::users_list::{self, Origin, PageAt, RoleFilter, Sort, Status, UserFilter};

const USERS: u64 = 3_000;

async fn seeded(b: Backend) -> TestDb {
    let t = TestDb::new(b).await;
    seed::users(&t.db, USERS, 11).await.unwrap();
    t
}

/// Every row of a filtered list, walking pages forward; checks order and no repeats.
async fn walk(t: &TestDb, filter: &UserFilter, sort: Sort) -> Vec<i64> {
    let mut c = t.db.conn().await.unwrap();
    let mut at = PageAt::First;
    let mut ids = Vec::new();
    loop {
        let page = users_list::list(c.as_ref(), filter, sort, &at, 200).await.unwrap();
        ids.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(cur) => at = PageAt::After(cur),
            None => break,
        }
    }
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no row twice");
    ids
}

async fn each_filter_returns_exactly_the_matching_rows(b: Backend) {
    let t = seeded(b).await;
    let cases: Vec<(UserFilter, &str)> = vec![
        (UserFilter { status: Some(Status::Active), ..Default::default() }, "is_active AND is_approved"),
        (UserFilter { status: Some(Status::Deactivated), ..Default::default() }, "NOT is_active"),
        (UserFilter { status: Some(Status::Pending), ..Default::default() }, "NOT is_approved"),
        (UserFilter { status: Some(Status::Unconfirmed), ..Default::default() }, "NOT is_confirmed"),
        (UserFilter { origin: Some(Origin::External), ..Default::default() }, "NOT local"),
        (UserFilter { role: Some(RoleFilter::Moderator), ..Default::default() }, "is_moderator"),
        (
            UserFilter { origin: Some(Origin::Local), status: Some(Status::Active), ..Default::default() },
            "local AND is_active AND is_approved",
        ),
        (UserFilter { domain: Some("GMAIL.com".into()), ..Default::default() }, "lower(email) LIKE '%@gmail.com'"),
        (
            UserFilter { tags: vec!["vip".into(), "beta".into()], ..Default::default() },
            "id IN (SELECT user_id FROM user_tags ut JOIN tags g ON g.id = ut.tag_id WHERE g.name IN ('vip', 'beta'))",
        ),
        // One tag walks that tag's index entries instead of the users table.
        (
            UserFilter { tags: vec!["vip".into()], ..Default::default() },
            "id IN (SELECT user_id FROM user_tags ut JOIN tags g ON g.id = ut.tag_id WHERE g.name = 'vip')",
        ),
        (
            UserFilter { tags: vec!["vip".into()], status: Some(Status::Deactivated), ..Default::default() },
            "NOT is_active AND id IN (SELECT user_id FROM user_tags ut JOIN tags g ON g.id = ut.tag_id WHERE g.name = 'vip')",
        ),
        (
            UserFilter { q: Some("JOHN".into()), ..Default::default() },
            "lower(nickname || ' ' || coalesce(email, '') || ' ' || display_name) LIKE '%john%'",
        ),
        (
            UserFilter { q: Some("jo".into()), ..Default::default() },
            "lower(nickname || ' ' || coalesce(email, '') || ' ' || display_name) LIKE '%jo%'",
        ),
        (UserFilter { name: Some("SMITH".into()), ..Default::default() }, "lower(display_name) LIKE '%smith%'"),
    ];
    for (filter, sql) in cases {
        let expected = t.count(&format!("SELECT COUNT(*) FROM users WHERE {sql}")).await;
        assert!(expected > 0, "the fixture has rows for {sql}");
        let got = walk(&t, &filter, Sort::default()).await;
        assert_eq!(got.len() as i64, expected, "{filter:?}");
        let mut c = t.db.conn().await.unwrap();
        assert_eq!(users_list::count_exact(c.as_ref(), &filter).await.unwrap(), expected);
        let capped = users_list::count_capped(c.as_ref(), &filter, 100).await.unwrap();
        assert_eq!(capped, (expected <= 100).then_some(expected), "{filter:?}");
    }
}

async fn large_totals_are_estimated_close_to_the_truth(b: Backend) {
    let t = seeded(b).await;
    let mut c = t.db.conn().await.unwrap();
    let middle = t.count("SELECT created_at FROM users ORDER BY id LIMIT 1 OFFSET 1500").await;
    let cases: Vec<(UserFilter, String)> = vec![
        (UserFilter { status: Some(Status::Active), ..Default::default() }, "is_active AND is_approved".into()),
        (UserFilter { origin: Some(Origin::Local), ..Default::default() }, "local".into()),
        (
            UserFilter { status: Some(Status::Active), created_before: Some(middle), ..Default::default() },
            format!("is_active AND is_approved AND created_at < {middle}"),
        ),
    ];
    for (filter, sql) in cases {
        let exact = t.count(&format!("SELECT COUNT(*) FROM users WHERE {sql}")).await;
        assert!(exact > 200, "{sql}: the fixture has more than the cap");
        match users_list::count_or_estimate(c.as_ref(), &filter, 200).await.unwrap() {
            users_list::Count::About(n) => {
                let error = (n - exact).abs() as f64 / exact as f64;
                assert!(error < 0.25, "{sql}: estimated {n}, exactly {exact}");
            }
            other => panic!("{sql}: expected an estimate, got {other:?}"),
        }
    }
    // A search or a tag alone is counted from its index without the users table.
    let tag = UserFilter { tags: vec!["vip".into()], ..Default::default() };
    let tagged =
        t.count("SELECT COUNT(*) FROM user_tags ut JOIN tags g ON g.id = ut.tag_id WHERE g.name = 'vip'").await;
    assert_eq!(
        users_list::count_or_estimate(c.as_ref(), &tag, 10_000).await.unwrap(),
        users_list::Count::Exact(tagged)
    );
    let search = UserFilter { q: Some("son".into()), ..Default::default() };
    let found = t
        .count("SELECT COUNT(*) FROM users WHERE lower(nickname || ' ' || coalesce(email, '') || ' ' || display_name) LIKE '%son%'")
        .await;
    // PostgreSQL samples a search's newest matches only (users_list::SEARCH_SAMPLE).
    match users_list::count_or_estimate(c.as_ref(), &search, 10_000).await.unwrap() {
        users_list::Count::About(n) if matches!(b, Backend::Postgres) && found > users_list::SEARCH_SAMPLE => {
            let error = (n - found).abs() as f64 / found as f64;
            assert!(error < 0.25, "estimated {n}, exactly {found}");
        }
        got => assert_eq!(got, users_list::Count::Exact(found)),
    }
    let few = UserFilter { role: Some(RoleFilter::Moderator), ..Default::default() };
    let exact = t.count("SELECT COUNT(*) FROM users WHERE is_moderator").await;
    assert_eq!(users_list::count_or_estimate(c.as_ref(), &few, 200).await.unwrap(), users_list::Count::Exact(exact));
}

async fn pages_walk_forward_and_back_in_every_sort(b: Backend) {
    let t = seeded(b).await;
    for sort in ["-created_at", "created_at", "nickname", "-nickname", "-last_active", "last_active"] {
        let sort = Sort::parse(sort).unwrap();
        let filter = UserFilter { origin: Some(Origin::Local), ..Default::default() };
        let mut c = t.db.conn().await.unwrap();
        let p1 = users_list::list(c.as_ref(), &filter, sort, &PageAt::First, 25).await.unwrap();
        let p2 =
            users_list::list(c.as_ref(), &filter, sort, &PageAt::After(p1.next.clone().unwrap()), 25).await.unwrap();
        let back =
            users_list::list(c.as_ref(), &filter, sort, &PageAt::Before(p2.prev.clone().unwrap()), 25).await.unwrap();
        let ids = |p: &users_list::ListPage| p.rows.iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(&back), ids(&p1), "{sort:?}: back from page 2 is page 1");
        assert!(back.prev.is_none(), "{sort:?}: page 1 has no previous page");
        let all = walk(&t, &filter, sort).await;
        assert_eq!(all.len() as i64, t.count("SELECT COUNT(*) FROM users WHERE local").await, "{sort:?}");
        assert_eq!(&all[25..50], &ids(&p2)[..], "{sort:?}");
    }
}

async fn tags_arrive_with_their_rows_in_one_query(b: Backend) {
    let t = seeded(b).await;
    let mut c = t.db.conn().await.unwrap();
    let filter = UserFilter { tags: vec!["vip".into()], ..Default::default() };
    let page = users_list::list(c.as_ref(), &filter, Sort::default(), &PageAt::First, 50).await.unwrap();
    assert!(!page.rows.is_empty());
    for r in &page.rows {
        assert!(page.tags[&r.id].contains(&"vip".to_owned()));
    }
}

async fn the_users_page_filters_and_explains_ignored_parameters(b: Backend) {
    let app = spawn_app(b).await;
    seed::users(&app.db.db, 500, 3).await.unwrap();
    app.db.create_user("mod", Some(Role::Moderator)).await;
    app.login("mod", PASSWORD).await;
    let (status, _, body) = app.page("/users?status=deactivated&per_page=10").await;
    assert_eq!(status, 200, "moderators may read users");
    let expected = app.db.count("SELECT COUNT(*) FROM users WHERE NOT is_active").await;
    assert!(body.contains(&format!("{expected} users")), "exact total for a small filter");
    assert_eq!(body.matches("<tr data-user-row").count() as i64, expected.min(10));
    let (status, _, body) = app.page("/users?status=bogus&sort=sideways&per_page=5000&after=%%%").await;
    assert_eq!(status, 200);
    for notice in ["Ignored status=", "Ignored sort=", "Ignored per_page=", "Ignored after"] {
        assert!(body.contains(notice), "{notice}");
    }
    let (_, _, body) = app.page("/users?per_page=10").await;
    let next = body.split("rel=\"next\" href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let (status, _, page2) = app.page(&next).await;
    assert_eq!(status, 200);
    assert!(page2.contains("rel=\"prev\""), "page 2 links back");
}

async fn the_users_api_speaks_pleroma(b: Backend) {
    let app = spawn_app(b).await;
    seed::users(&app.db.db, 400, 5).await.unwrap();
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    let token = app.db.token_for(&m).await;
    let get = |q: &str| {
        let req = reqwest::Client::new().get(app.url(&format!("/api/v1/admin/users{q}"))).bearer_auth(&token);
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = get("?filters=local,active&page_size=5").await;
    assert_eq!(status, 200);
    let expected = app.db.count("SELECT COUNT(*) FROM users WHERE local AND is_active AND is_approved").await;
    assert_eq!(body["count"], expected);
    assert_eq!(body["count_estimated"], false);
    assert_eq!(body["page_size"], 5);
    let u = &body["users"][0];
    assert!(u["id"].is_string());
    for flag in
        ["deactivated", "is_active", "approval_pending", "is_approved", "confirmation_pending", "is_confirmed", "local"]
    {
        assert!(u[flag].is_boolean(), "{flag}");
    }
    assert_eq!(u["actor_type"], "Person");
    assert!(u["roles"]["admin"].is_boolean() && u["tags"].is_array());
    // Newest first, and the cursor continues where page 1 ended.
    let (_, p2) =
        get(&format!("?filters=local,active&page_size=5&after={}", body["next_cursor"].as_str().unwrap())).await;
    let (_, numbered) = get("?filters=local,active&page_size=5&page=2").await;
    assert_eq!(p2["users"][0]["id"], numbered["users"][0]["id"]);
    let (_, past) = get("?page=1000&page_size=50").await;
    assert_eq!(past["users"], serde_json::json!([]));
    assert_eq!(past["count"], app.db.count("SELECT COUNT(*) FROM users").await);
    let (_, tagged) = get("?tags[]=vip&tags[]=beta&page_size=500").await;
    let expected = app
        .db
        .count("SELECT COUNT(DISTINCT user_id) FROM user_tags ut JOIN tags g ON g.id = ut.tag_id WHERE g.name IN ('vip','beta')")
        .await;
    assert_eq!(tagged["count"], expected);
    let (status, err) = get("?filters=local,shiny").await;
    assert_eq!((status, err["errors"][0]["meta"]["param"].as_str()), (422, Some("filters")));
    let (status, err) = get("?page_size=0").await;
    assert_eq!((status, err["errors"][0]["meta"]["param"].as_str()), (422, Some("page_size")));
    let one = app.api(Method::GET, "/api/v1/admin/users/MOD", &token).await.send().await.unwrap();
    assert_eq!(one.json::<Value>().await.unwrap()["id"], m.id.to_string());
    let by_id = app.api(Method::GET, &format!("/api/v1/admin/users/{}", m.id), &token).await.send().await.unwrap();
    assert_eq!(by_id.json::<Value>().await.unwrap()["nickname"], "mod");
    let missing = app.api(Method::GET, "/api/v1/admin/users/nobody-here", &token).await.send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

/// Above 1,000 matches the API estimates its `count` instead of counting
/// every row on each call, and says so.
async fn the_users_api_labels_an_estimated_count(b: Backend) {
    let app = spawn_app(b).await;
    seed::users(&app.db.db, 1_500, 5).await.unwrap();
    let m = app.db.create_user("mod", Some(Role::Moderator)).await;
    let token = app.db.token_for(&m).await;
    for (query, sql) in [("", "TRUE"), ("?filters=local", "local")] {
        let res = app.api(Method::GET, &format!("/api/v1/admin/users{query}"), &token).await.send().await.unwrap();
        let body: Value = res.json().await.unwrap();
        let exact = app.db.count(&format!("SELECT COUNT(*) FROM users WHERE {sql}")).await;
        assert!(exact > 1_000, "{sql}: the fixture has more than the cap");
        assert_eq!(body["count_estimated"], true, "{query}: {exact}");
        let error = (body["count"].as_i64().unwrap() - exact).abs() as f64 / exact as f64;
        assert!(error < 0.25, "{query}: estimated {}, exactly {exact}", body["count"]);
    }
}

both_backends!(
    the_users_api_labels_an_estimated_count,
    each_filter_returns_exactly_the_matching_rows,
    large_totals_are_estimated_close_to_the_truth,
    pages_walk_forward_and_back_in_every_sort,
    tags_arrive_with_their_rows_in_one_query,
    the_users_page_filters_and_explains_ignored_parameters,
    the_users_api_speaks_pleroma,
);

/// After ANALYZE the planner must still serve "local and active, newest first"
/// from its partial index instead of sorting (PERFORMANCE.md's trap), and a
/// search must stream from the FTS index instead of sorting every match.
#[tokio::test]
async fn sqlite_serves_the_common_filter_from_its_partial_index() {
    let t = seeded(Backend::Sqlite).await;
    let plan =
        t.db.explain(
            "SELECT id FROM users WHERE local AND is_active AND is_approved ORDER BY created_at DESC, id DESC LIMIT 51",
        )
        .await
        .unwrap();
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    // A selective filter walks its partial index in list order.
    let plan =
        t.db.explain("SELECT users.id FROM users WHERE NOT users.is_active ORDER BY users.id DESC LIMIT 51")
            .await
            .unwrap();
    assert!(plan.contains("users_deactivated"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    let plan = t
        .db
        .explain("SELECT users.id FROM users_search JOIN users ON users.id = users_search.rowid WHERE users_search MATCH '\"john\"' ORDER BY users_search.rowid DESC LIMIT 51")
        .await
        .unwrap();
    assert!(plan.starts_with("SCAN users_search VIRTUAL TABLE"), "{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}

/// PostgreSQL reads a search's matches in id windows that widen from the
/// page's edge (users_list::IdWindows): matches far apart in the id range
/// still come newest first, with nothing skipped or repeated, in every kind
/// of page and in the count.
#[tokio::test]
async fn postgres_search_walks_widening_id_windows() {
    let t = TestDb::new(Backend::Postgres).await;
    // Created first (ids 1–10), then moved apart: above every created id.
    let spread = [100_i64, 5_000, 40_000, 300_000, 2_500_000];
    for i in 0..spread.len() {
        t.create_user(&format!("needle{i}"), None).await;
        t.create_user(&format!("hay{i}"), None).await;
    }
    for (i, id) in spread.iter().enumerate() {
        t.db.exec(&format!("UPDATE users SET id = {id} WHERE nickname = 'needle{i}'")).await.unwrap();
        t.db.exec(&format!("UPDATE users SET id = {} WHERE nickname = 'hay{i}'", id + 1)).await.unwrap();
    }
    let filter = UserFilter { q: Some("needle".into()), ..Default::default() };
    let mut c = t.db.conn().await.unwrap();
    let ids = |rows: &[users_list::UserRow]| rows.iter().map(|r| r.id).collect::<Vec<_>>();

    let first = users_list::list(c.as_ref(), &filter, Sort::default(), &PageAt::First, 2).await.unwrap();
    assert_eq!(ids(&first.rows), [2_500_000, 300_000]);
    let second =
        users_list::list(c.as_ref(), &filter, Sort::default(), &PageAt::After(first.next.unwrap()), 2).await.unwrap();
    assert_eq!(ids(&second.rows), [40_000, 5_000]);
    let last =
        users_list::list(c.as_ref(), &filter, Sort::default(), &PageAt::After(second.next.unwrap()), 2).await.unwrap();
    assert_eq!((ids(&last.rows), last.next), (vec![100], None));
    let back =
        users_list::list(c.as_ref(), &filter, Sort::default(), &PageAt::Before(last.prev.unwrap()), 2).await.unwrap();
    assert_eq!(ids(&back.rows), [40_000, 5_000]);
    let oldest_first = Sort::parse("created_at").unwrap();
    let asc = users_list::list(c.as_ref(), &filter, oldest_first, &PageAt::First, 3).await.unwrap();
    assert_eq!(ids(&asc.rows), [100, 5_000, 40_000]);

    let (page2, _) = users_list::offset_page(c.as_ref(), &filter, 2, 2).await.unwrap();
    assert_eq!(ids(&page2), [40_000, 5_000]);
    let (page3, _) = users_list::offset_page(c.as_ref(), &filter, 3, 2).await.unwrap();
    assert_eq!(ids(&page3), [100]);

    assert_eq!(users_list::count_or_estimate(c.as_ref(), &filter, 10).await.unwrap(), users_list::Count::Exact(5));
    assert!(matches!(
        users_list::count_or_estimate(c.as_ref(), &filter, 3).await.unwrap(),
        users_list::Count::About(_)
    ));
}
