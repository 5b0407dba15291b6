//! Content made directly in storage (intake has its own tests), and the
//! check that trigger-kept counts equal a recount.

use steward::domain::Visibility;
use steward::server::storage::now;
use steward::server::storage::reports::{self, NewReport};
use steward::server::storage::statuses::{self, NewStatus};

use super::TestApp;

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.db.count(sql).await
}

/// A status stored directly (intake has its own test).
pub async fn status(app: &TestApp, account: i64, content: &str, visibility: Visibility) -> i64 {
    let mut tx = app.db.db.begin().await.unwrap();
    let media = [("image".to_owned(), "/seed-media/1.svg".to_owned(), "a picture".to_owned())];
    let id = statuses::insert(
        tx.conn(),
        &NewStatus {
            account_id: account,
            uri: None,
            content,
            spoiler_text: "",
            visibility,
            sensitive: false,
            local: true,
            reblog_of_id: None,
            created_at: now(),
            media: &media,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

pub async fn report(app: &TestApp, reporter: Option<i64>, account: i64, statuses: &[i64], comment: &str) -> i64 {
    let mut tx = app.db.db.begin().await.unwrap();
    let id = reports::insert(
        tx.conn(),
        &NewReport {
            reporter_id: reporter,
            account_id: account,
            comment,
            status_ids: statuses,
            uri: None,
            created_at: now(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The trigger-kept counts equal a recount.
pub async fn counts_agree(app: &TestApp) {
    for state in ["open", "resolved", "closed"] {
        let kept = count(
            app,
            &format!("SELECT COALESCE(MAX(n), 0) FROM report_counts WHERE account_id = 0 AND state = '{state}'"),
        )
        .await;
        let real = count(app, &format!("SELECT COUNT(*) FROM reports WHERE state = '{state}'")).await;
        assert_eq!(kept, real, "{state} reports");
    }
    let per_account = "SELECT COUNT(*) FROM (SELECT account_id, state, COUNT(*) AS n FROM reports GROUP BY account_id, state) a \
        LEFT JOIN report_counts c ON c.account_id = a.account_id AND c.state = a.state WHERE c.n IS NULL OR c.n <> a.n";
    assert_eq!(count(app, per_account).await, 0, "per-account report counts");
    for v in ["public", "unlisted", "private", "direct"] {
        let kept = count(app, &format!("SELECT COALESCE(MAX(n), 0) FROM status_counts WHERE visibility = '{v}'")).await;
        let real =
            count(app, &format!("SELECT COUNT(*) FROM statuses WHERE visibility = '{v}' AND deleted_at IS NULL")).await;
        assert_eq!(kept, real, "{v} statuses");
    }
    // The grouped inbox's rows equal their definition, both ways round.
    for (a, b) in [("report_groups_live", "report_groups"), ("report_groups", "report_groups_live")] {
        let diff = format!(
            "SELECT COUNT(*) FROM (SELECT status_id, state, n, latest_id FROM {a} \
             EXCEPT SELECT status_id, state, n, latest_id FROM {b}) d"
        );
        assert_eq!(count(app, &diff).await, 0, "rows of {a} missing from {b}");
    }
}
