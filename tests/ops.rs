//! Health, readiness, metrics and request ids.

mod common;

use common::{Backend, spawn_app, spawn_app_with};

async fn health_and_readiness_answer(b: Backend) {
    let app = spawn_app(b).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.db.db.close().await;
    assert_eq!(app.get("/readyz").await.status(), 503, "a closed pool is not ready");
}

async fn metrics_count_requests_by_route_and_status(b: Backend) {
    let app = spawn_app(b).await;
    app.get("/healthz").await;
    app.get("/api/v1/admin/moderation_log").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("db_pool_connections{state=\"idle\"}"));
}

async fn every_response_carries_a_request_id(b: Backend) {
    let app = spawn_app(b).await;
    let res = app.get("/healthz").await;
    let id = res.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36);
    let res = app.client.get(app.url("/healthz")).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123", "a caller's id is kept");
}

async fn unknown_pages_get_the_404_page_with_status_404(b: Backend) {
    let app = spawn_app(b).await;
    app.db.create_user("alice", Some(steward::domain::Role::Admin)).await;
    app.login("alice", common::PASSWORD).await;
    let (status, _, body) = app.page("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"));
}

/// Reads take turns (one at a time here): a crowd of page and API reads is
/// served in full, each streamed page handing its turn on when it ends.
async fn reads_beyond_the_concurrency_limit_wait_their_turn(b: Backend) {
    let app = spawn_app_with(b, |c| c.env.set("limits.read_concurrency", 1)).await;
    let admin = app.db.create_user("alice", Some(steward::domain::Role::Admin)).await;
    let token = app.db.token_for(&admin).await;
    assert_eq!(app.login("alice", common::PASSWORD).await.status(), 303);
    let app = std::sync::Arc::new(app);
    let mut crowd = tokio::task::JoinSet::new();
    for i in 0..24 {
        let (app, token) = (app.clone(), token.clone());
        crowd.spawn(async move {
            // Well under the 10 s a read waits for its turn: a turn never
            // handed on would show as a timeout here.
            let req = if i % 2 == 0 {
                app.client.get(app.url("/users"))
            } else {
                app.client.get(app.url("/api/v1/admin/users?page_size=50")).bearer_auth(token)
            };
            let res = req.timeout(std::time::Duration::from_secs(8)).send().await.expect("answered in time");
            (res.status().as_u16(), res.text().await.unwrap().len())
        });
    }
    while let Some(done) = crowd.join_next().await {
        let (status, len) = done.unwrap();
        assert_eq!(status, 200);
        assert!(len > 100, "a whole body, not a refusal");
    }
    assert_eq!(app.get("/healthz").await.status(), 200);
}

both_backends!(
    reads_beyond_the_concurrency_limit_wait_their_turn,
    health_and_readiness_answer,
    metrics_count_requests_by_route_and_status,
    every_response_carries_a_request_id,
    unknown_pages_get_the_404_page_with_status_404,
);
