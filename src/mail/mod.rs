//! Mail: what Steward writes (`compose`) and how it leaves. Every mail goes
//! through the outbox ([`queue`]) inside the transaction of the change that
//! caused it; a worker delivers queued rows over SMTP. In test mode (Clerk's
//! `test_mode`) mail is kept in the outbox as `held` and never sent.

pub mod compose;
pub mod worker;

use crate::domain::settings::InstanceSettings;
use crate::error::AppError;
use crate::server::settings;
use crate::server::storage::ConnRef;
use crate::server::storage::outbox::{self, HELD, NewMail, QUEUED};

/// One mail, ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// What it is for (`confirmation`, `invite`, `approval`, `rejection`,
    /// `password_reset`), shown on `/outbox`.
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues `mail` on the caller's connection (its transaction); held instead
/// when the instance is in test mode. Returns the outbox id.
pub async fn queue(mut c: ConnRef<'_>, mail: &Mail) -> Result<i64, AppError> {
    let test_mode = settings::load::<InstanceSettings>(c.reborrow()).await?.doc.test_mode;
    outbox::insert(
        c,
        NewMail {
            kind: mail.kind,
            to: &mail.to,
            subject: &mail.subject,
            body: &mail.body,
            status: if test_mode { HELD } else { QUEUED },
        },
    )
    .await
}

/// Issues a confirmation link for `user_id` and queues its mail, on the
/// caller's transaction. Only the link's hash is stored.
pub async fn send_confirmation(
    mut c: ConnRef<'_>,
    base_url: &str,
    user_id: i64,
    nickname: &str,
    email: &str,
) -> Result<(), AppError> {
    let token = crate::auth::tokens::generate();
    crate::server::storage::email_confirmations::insert(c.reborrow(), user_id, &crate::auth::tokens::hash(&token))
        .await?;
    queue(c, &compose::confirmation(email, nickname, &format!("{base_url}/confirm/{token}"))).await.map(drop)
}
