//! The webhook mutations, each one transaction with its moderation-log entry.

use crate::auth::AdminCtx;
use crate::error::AppError;
use crate::server::storage::webhooks::{self as rows, DeliveryRow};
use crate::server::storage::{Db, audit, now};
use crate::webhooks::ROTATION_GRACE_SECS;

/// A secret shown once: the answer to a rotation.
pub struct Rotated {
    pub endpoint_id: i64,
    pub secret: String,
    /// The old secret keeps signing until then.
    pub previous_until: i64,
}

impl std::fmt::Debug for Rotated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rotated").field("endpoint_id", &self.endpoint_id).finish_non_exhaustive()
    }
}

/// Starts a rotation on endpoint `id`: a fresh secret signs from now on, the
/// current one as well for [`ROTATION_GRACE_SECS`].
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, endpoint = id), err(level = "info"))]
pub async fn rotate(db: &Db, ctx: &AdminCtx, id: i64) -> Result<Rotated, AppError> {
    db.retrying(|| async move {
        let mut tx = db.begin().await?;
        let e = rows::endpoint(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        let secret = crate::auth::tokens::generate();
        let until = now() + ROTATION_GRACE_SECS;
        rows::rotate(tx.conn(), id, &secret, until).await?;
        let actor = ctx.staff();
        audit::record(
            tx.conn(),
            audit::Entry {
                actor: actor.into(),
                action: "webhook.rotate_secret",
                subject_users: &[],
                data: serde_json::json!({ "endpoint_id": id, "kind": e.kind, "previous_secret_until": until }),
                message: format!("@{} rotated the secret of webhook #{id} ({})", actor.nickname, e.kind),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Rotated { endpoint_id: id, secret, previous_until: until })
    })
    .await
}

/// Ends a rotation early: the previous secret stops signing now.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, endpoint = id), err(level = "info"))]
pub async fn finish_rotation(db: &Db, ctx: &AdminCtx, id: i64) -> Result<(), AppError> {
    db.retrying(|| async move {
        let mut tx = db.begin().await?;
        let e = rows::endpoint(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        if e.previous_at(now()).is_none() {
            return Err(AppError::conflict("id", "No rotation is in progress on this webhook."));
        }
        rows::finish_rotation(tx.conn(), id).await?;
        let actor = ctx.staff();
        audit::record(
            tx.conn(),
            audit::Entry {
                actor: actor.into(),
                action: "webhook.finish_rotation",
                subject_users: &[],
                data: serde_json::json!({ "endpoint_id": id, "kind": e.kind }),
                message: format!("@{} ended the secret rotation of webhook #{id} ({})", actor.nickname, e.kind),
            },
        )
        .await?;
        tx.commit().await
    })
    .await
}

/// Sends a delivered or failed delivery again, as a new delivery (a copy
/// with the same event and body, to the endpoint's current URL): the
/// original and its attempts stay in the log as they were, and the receiver
/// sees a new `Steward-Delivery` id. A queued delivery is still being
/// tried: 409.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, delivery = id), err(level = "info"))]
pub async fn redeliver(db: &Db, ctx: &AdminCtx, id: i64) -> Result<DeliveryRow, AppError> {
    db.retrying(|| async move {
        let mut tx = db.begin().await?;
        let d = rows::delivery(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
        if d.status == rows::QUEUED {
            return Err(AppError::conflict("id", "This delivery is still queued; it will be tried again."));
        }
        let endpoint = match d.endpoint_id {
            Some(e) => rows::endpoint(tx.conn(), e).await?,
            None => None,
        };
        let e = endpoint.ok_or_else(|| AppError::conflict("id", "The webhook of this delivery was removed."))?;
        let copy = rows::insert_delivery(tx.conn(), e.id, &e.url, &d.event, &d.payload).await?;
        let actor = ctx.staff();
        audit::record(
            tx.conn(),
            audit::Entry {
                actor: actor.into(),
                action: "webhook.redeliver",
                subject_users: &[],
                data: serde_json::json!({ "delivery_id": id, "new_delivery_id": copy, "endpoint_id": e.id, "event": d.event }),
                message: format!("@{} redelivered webhook delivery #{id} ({}) as #{copy}", actor.nickname, d.event),
            },
        )
        .await?;
        let row = rows::delivery(tx.conn(), copy).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(row)
    })
    .await
}
