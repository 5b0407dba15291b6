//! Webhooks: what Steward announces and how it leaves. Every event is a
//! delivery row written inside the transaction of the change that caused it
//! ([`enqueue_alert`], [`enqueue_app`]); a worker ([`worker`]) posts queued
//! rows, signed ([`sign`]), with retries. See docs/webhooks.md.

pub mod sign;
pub mod worker;

use serde_json::Value;

use crate::domain::settings::InstanceConfig;
use crate::error::AppError;
use crate::server::settings;
use crate::server::storage::webhooks as rows;
use crate::server::storage::{ConnRef, now};

/// Event names.
pub const REGISTRATION_CREATED: &str = "registration.created";
pub const SETTINGS_UPDATED: &str = "settings.updated";
pub const MAIL_FAILED: &str = "mail.failed";
pub const STAFF_ROLE_CHANGED: &str = "staff.role_changed";
pub const USER_CREATED: &str = "user.created";

/// How long an old secret keeps signing after a rotation, unless the
/// rotation is finished early.
pub const ROTATION_GRACE_SECS: i64 = 24 * 3600;

/// The two alert endpoints, whose URLs come from the instance config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Registration,
    System,
}

impl AlertKind {
    /// The endpoint's `kind` column.
    pub fn kind(self) -> &'static str {
        match self {
            AlertKind::Registration => "registration_alerts",
            AlertKind::System => "system_alerts",
        }
    }

    fn url(self, c: &InstanceConfig) -> Option<&str> {
        match self {
            AlertKind::Registration => c.registration_alerts_webhook_url.as_deref(),
            AlertKind::System => c.system_alerts_webhook_url.as_deref(),
        }
        .map(str::trim)
        .filter(|u| !u.is_empty())
    }
}

/// The body every receiver gets: the event, when, and its data.
fn body(event: &str, data: Value) -> String {
    serde_json::json!({ "event": event, "created_at": now(), "data": data }).to_string()
}

/// Queues `event` for the alert endpoint of `kind` on the caller's
/// transaction, when the instance config names a URL for it; creates the
/// endpoint (with a fresh secret) the first time and keeps its URL in step.
/// Returns the delivery id, if one was queued.
pub async fn enqueue_alert(
    mut c: ConnRef<'_>,
    kind: AlertKind,
    event: &str,
    data: Value,
) -> Result<Option<i64>, AppError> {
    let config = settings::load::<InstanceConfig>(c.reborrow()).await?.doc;
    let Some(url) = kind.url(&config) else { return Ok(None) };
    let (endpoint, _) = rows::ensure_alert(c.reborrow(), kind.kind(), url, &crate::auth::tokens::generate()).await?;
    rows::insert_delivery(c, endpoint, url, event, &body(event, data)).await.map(Some)
}

/// Makes sure an endpoint row exists for each alert URL the instance config
/// names (so its secret can be revealed before the first alert).
pub async fn sync_alert_endpoints(mut c: ConnRef<'_>) -> Result<(), AppError> {
    let config = settings::load::<InstanceConfig>(c.reborrow()).await?.doc;
    for kind in [AlertKind::Registration, AlertKind::System] {
        if let Some(url) = kind.url(&config) {
            rows::ensure_alert(c.reborrow(), kind.kind(), url, &crate::auth::tokens::generate()).await?;
        }
    }
    Ok(())
}

/// Queues `event` for every enabled endpoint of app `app_id` that
/// subscribes to it (or to everything), on the caller's transaction.
/// Returns the delivery ids.
pub async fn enqueue_app(mut c: ConnRef<'_>, app_id: i64, event: &str, data: Value) -> Result<Vec<i64>, AppError> {
    let endpoints = rows::app_endpoints(c.reborrow(), app_id).await?;
    let payload = body(event, data);
    let mut ids = Vec::new();
    for e in endpoints {
        let events = e.event_list();
        if events.is_empty() || events.iter().any(|x| x == event) {
            ids.push(rows::insert_delivery(c.reborrow(), e.id, &e.url, event, &payload).await?);
        }
    }
    Ok(ids)
}
