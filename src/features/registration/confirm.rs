//! Following a confirmation link: the address is confirmed once, by a POST
//! from the page the link opens (mail scanners fetch links; a GET changes
//! nothing).

use crate::auth::tokens;
use crate::error::AppError;
use crate::server::storage::{Db, audit, email_confirmations, registrations};

/// Confirms the address the link `token` was sent to; returns the nickname,
/// or `None` if the link is unknown, used or expired.
pub async fn confirm(db: &Db, token: &str) -> Result<Option<String>, AppError> {
    if token.len() > 128 {
        return Ok(None);
    }
    db.retrying(|| async {
        let mut tx = db.begin().await?;
        let Some(user) = email_confirmations::consume(tx.conn(), &tokens::hash(token)).await? else {
            return Ok(None);
        };
        let Some(nickname) = registrations::confirm(tx.conn(), user).await? else {
            return Ok(None);
        };
        audit::record(
            tx.conn(),
            audit::Entry {
                actor: audit::Actor { id: user, nickname: &nickname },
                action: "user.confirm_email",
                subject_users: &[user],
                data: serde_json::json!({ "nicknames": [nickname], "via": "link" }),
                message: format!("@{nickname} confirmed their email address"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(nickname))
    })
    .await
}
