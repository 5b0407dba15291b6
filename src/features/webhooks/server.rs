//! `/webhooks` data: the endpoints, one page of deliveries with its filters,
//! and one delivery with every attempt. Secrets never leave: an endpoint
//! says whether a rotation is in progress, nothing more.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The statuses the filter offers.
pub const STATUSES: [&str; 3] = ["queued", "delivered", "failed"];
pub const PAGE_SIZE: i64 = 50;

/// The page's URL query, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WebhooksQuery {
    pub endpoint: Option<String>,
    pub status: Option<String>,
    pub page: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointItem {
    pub id: i64,
    pub kind: String,
    pub app_id: Option<i64>,
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    /// While the previous secret still signs.
    pub rotation_until: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryItem {
    pub id: i64,
    pub endpoint_id: Option<i64>,
    pub url: String,
    pub event: String,
    pub status: String,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub last_latency_ms: Option<i64>,
    pub last_response: Option<String>,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

impl DeliveryItem {
    /// "Redeliver" applies once a delivery is settled.
    pub fn redeliverable(&self) -> bool {
        self.status != "queued" && self.endpoint_id.is_some()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttemptItem {
    pub attempt: i64,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub response: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhooksPageData {
    pub endpoints: Vec<EndpointItem>,
    pub deliveries: Vec<DeliveryItem>,
    /// 1-based.
    pub page: i64,
    pub has_more: bool,
    /// Parameters that were ignored, and why.
    pub notices: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryDetail {
    pub item: DeliveryItem,
    pub payload: String,
    pub attempts: Vec<AttemptItem>,
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn webhooks_page(query: WebhooksQuery) -> Result<WebhooksPageData, AppError> {
    ssr::list(&crate::auth::admin()?, query).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn webhook_delivery(id: i64) -> Result<DeliveryDetail, AppError> {
    ssr::one(&crate::auth::admin()?, id).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::auth::AdminCtx;
    use crate::server::storage::webhooks::{self as rows, AttemptRow, DeliveryRow, EndpointRow};
    use crate::server::storage::{ConnRef, now};

    impl From<EndpointRow> for EndpointItem {
        fn from(r: EndpointRow) -> Self {
            EndpointItem {
                rotation_until: r.previous_at(now()).and(r.previous_secret_until),
                events: r.event_list(),
                id: r.id,
                kind: r.kind,
                app_id: r.app_id,
                url: r.url,
                enabled: r.enabled,
            }
        }
    }

    impl From<DeliveryRow> for DeliveryItem {
        fn from(r: DeliveryRow) -> Self {
            DeliveryItem {
                id: r.id,
                endpoint_id: r.endpoint_id,
                url: r.url,
                event: r.event,
                status: r.status,
                attempts: r.attempts,
                last_status_code: r.last_status_code,
                last_latency_ms: r.last_latency_ms,
                last_response: r.last_response,
                last_error: r.last_error,
                next_attempt_at: r.next_attempt_at,
                created_at: r.created_at,
                delivered_at: r.delivered_at,
            }
        }
    }

    impl From<AttemptRow> for AttemptItem {
        fn from(r: AttemptRow) -> Self {
            AttemptItem {
                attempt: r.attempt,
                status_code: r.status_code,
                latency_ms: r.latency_ms,
                response: r.response,
                error: r.error,
                created_at: r.created_at,
            }
        }
    }

    /// The filters of `query` that make sense, and notices for the rest.
    pub struct Filters {
        pub endpoint: Option<i64>,
        pub status: Option<String>,
        pub page: i64,
        pub notices: Vec<String>,
    }

    pub fn filters(query: &WebhooksQuery) -> Filters {
        use crate::domain::query::nonempty;
        let mut notices = Vec::new();
        let status = nonempty(&query.status).filter(|s| {
            let known = STATUSES.contains(&s.as_str());
            if !known {
                notices.push(format!("Ignored status={s:?}: use one of {}.", STATUSES.join(", ")));
            }
            known
        });
        let endpoint = nonempty(&query.endpoint).and_then(|raw| {
            let id = raw.parse::<i64>().ok().filter(|n| *n > 0);
            if id.is_none() {
                notices.push(format!("Ignored endpoint={raw:?}: not a webhook id."));
            }
            id
        });
        let page = nonempty(&query.page)
            .map(|raw| {
                let p = raw.parse::<i64>().ok().filter(|n| (1..=100_000).contains(n));
                if p.is_none() {
                    notices.push(format!("Ignored page={raw:?}: not a page number. Showing the first page."));
                }
                p.unwrap_or(1)
            })
            .unwrap_or(1);
        Filters { endpoint, status, page, notices }
    }

    pub async fn deliveries_page(
        c: ConnRef<'_>,
        endpoint: Option<i64>,
        status: Option<&str>,
        page: i64,
        size: i64,
    ) -> Result<(Vec<DeliveryItem>, bool), AppError> {
        let (rows, more) = rows::deliveries(c, endpoint, status, (page - 1) * size, size).await?;
        Ok((rows.into_iter().map(Into::into).collect(), more))
    }

    #[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname), err(level = "info"))]
    pub async fn list(ctx: &AdminCtx, query: WebhooksQuery) -> Result<WebhooksPageData, AppError> {
        let state = crate::server::state::AppState::get()?;
        let mut conn = state.db.conn().await?;
        let f = filters(&query);
        let endpoints: Vec<EndpointItem> = rows::endpoints(conn.as_ref()).await?.into_iter().map(Into::into).collect();
        let (deliveries, has_more) =
            deliveries_page(conn.as_ref(), f.endpoint, f.status.as_deref(), f.page, PAGE_SIZE).await?;
        Ok(WebhooksPageData { endpoints, deliveries, page: f.page, has_more, notices: f.notices })
    }

    #[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, delivery = id), err(level = "info"))]
    pub async fn one(ctx: &AdminCtx, id: i64) -> Result<DeliveryDetail, AppError> {
        let state = crate::server::state::AppState::get()?;
        let mut conn = state.db.conn().await?;
        let row = rows::delivery(conn.as_ref(), id).await?.ok_or(AppError::NotFound)?;
        let attempts = rows::attempts(conn.as_ref(), id).await?.into_iter().map(Into::into).collect();
        let payload = row.payload.clone();
        Ok(DeliveryDetail { item: row.into(), payload, attempts })
    }
}
