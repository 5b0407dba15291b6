//! The instance as a whole. `GET /need_reboot` is polled by admin-fe on every
//! page: every setting Steward has takes effect without a restart, so nothing
//! ever waits for one.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::ModeratorCtx;

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedReboot {
    /// Whether a saved setting waits for a restart to take effect.
    need_reboot: bool,
}

/// Whether the server must restart for saved settings to apply (never, today).
#[utoipa::path(get, path = "/need_reboot", responses((status = 200, body = NeedReboot)), tag = "instance")]
pub async fn need_reboot(_ctx: ModeratorCtx) -> Json<NeedReboot> {
    Json(NeedReboot { need_reboot: false })
}
