//! Mastodon-style account and status entities, as Pleroma's admin API embeds
//! them in reports and status lists. Content is sanitized before it leaves.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::features::statuses::sanitize::status_html;
use crate::server::storage::ConnRef;
use crate::server::storage::statuses::{self, StatusRow};
use crate::server::storage::users_list::{self, UserRow};

use crate::features::users::api::{ApiUser, Roles, absolute, avatar_url, to_api};

pub fn iso(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountPleroma {
    is_admin: bool,
    is_moderator: bool,
    confirmation_pending: bool,
    deactivated: bool,
    tags: Vec<String>,
}

/// A Mastodon account with Pleroma's admin fields merged in, as Pleroma
/// embeds accounts in reports and statuses: admin-fe's report card and
/// moderation menu read `nickname`, `roles`, `is_active`, `tags`, `local`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiAccount {
    #[serde(flatten)]
    user: ApiUser,
    acct: String,
    username: String,
    avatar_static: String,
    bot: bool,
    statuses_count: Option<i64>,
    pleroma: AccountPleroma,
}

pub(crate) fn account(u: &UserRow, tags: Vec<String>, base: &str) -> ApiAccount {
    ApiAccount {
        acct: u.nickname.clone(),
        username: u.nickname.split('@').next().unwrap_or_default().to_owned(),
        avatar_static: avatar_url(&u.avatar, base),
        bot: u.actor_type == "Service",
        statuses_count: None,
        pleroma: AccountPleroma {
            is_admin: u.is_admin,
            is_moderator: u.is_moderator,
            confirmation_pending: !u.is_confirmed,
            deactivated: !u.is_active,
            tags: tags.clone(),
        },
        user: to_api(u.clone(), tags, base),
    }
}

/// Who sent a report when no account of this instance did: the remote
/// instance (its host, from the report's uri) or an anonymous reporter.
/// Always an object, never null: admin-fe reads fields of it unguarded. It
/// has no `id`, so admin-fe shows it without a link to a user page.
#[derive(Debug, Clone, Serialize, ToSchema)]
// Documents `additionalProperties: false`, so that an account never also
// matches this shape in the document's `oneOf`.
#[serde(deny_unknown_fields)]
pub struct ApiRemoteActor {
    /// The remote instance's host; null when nothing is known.
    nickname: Option<String>,
    acct: Option<String>,
    display_name: String,
    /// The remote instance's actor.
    url: Option<String>,
    local: bool,
    roles: Roles,
    tags: Vec<String>,
    is_active: bool,
}

pub fn remote_actor(report_uri: Option<&str>) -> ApiRemoteActor {
    let host = report_uri
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .filter(|h| !h.is_empty());
    ApiRemoteActor {
        display_name: host.as_ref().map_or_else(|| "Anonymous".to_owned(), |h| format!("Instance {h}")),
        url: host.as_ref().map(|h| format!("https://{h}/actor")),
        acct: host.clone(),
        nickname: host,
        local: false,
        roles: Roles::default(),
        tags: Vec::new(),
        is_active: true,
    }
}

/// A report's reporter: an account here, or what is known of a remote one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ApiActor {
    Account(Box<ApiAccount>),
    Remote(ApiRemoteActor),
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiMedia {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    url: String,
    preview_url: String,
    description: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusPleroma {
    local: bool,
    /// When a moderator deleted it (statuses stay visible in their reports).
    deleted_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiStatus {
    id: String,
    uri: String,
    url: String,
    account: ApiAccount,
    /// Sanitized HTML.
    content: String,
    spoiler_text: String,
    pub(crate) visibility: String,
    sensitive: bool,
    created_at: String,
    media_attachments: Vec<ApiMedia>,
    /// The reblogged status's id, for reblogs.
    reblog: Option<String>,
    /// Deleted by a moderator (admin-fe shows "deleted" instead of the card).
    deleted: bool,
    pleroma: StatusPleroma,
}

/// Users (with tags) and statuses (with media) loaded once for a response.
pub struct Shapes {
    base: String,
    users: HashMap<i64, UserRow>,
    tags: HashMap<i64, Vec<String>>,
    statuses: HashMap<i64, StatusRow>,
    media: HashMap<i64, Vec<statuses::MediaRow>>,
}

impl Shapes {
    pub async fn load(
        mut c: ConnRef<'_>,
        base: String,
        user_ids: &[i64],
        status_rows: Vec<StatusRow>,
    ) -> Result<Shapes, AppError> {
        let mut ids: Vec<i64> = user_ids.iter().copied().chain(status_rows.iter().map(|s| s.account_id)).collect();
        ids.sort_unstable();
        ids.dedup();
        let users = users_list::by_ids(c.reborrow(), &ids).await?.into_iter().map(|u| (u.id, u)).collect();
        let tags = users_list::tags_of(c.reborrow(), &ids).await?;
        let sids: Vec<i64> = status_rows.iter().map(|s| s.id).collect();
        let media = statuses::media_of(c.reborrow(), &sids).await?;
        let statuses = status_rows.into_iter().map(|s| (s.id, s)).collect();
        Ok(Shapes { base, users, tags, statuses, media })
    }

    pub fn account(&self, id: i64) -> Option<ApiAccount> {
        self.users.get(&id).map(|u| account(u, self.tags.get(&id).cloned().unwrap_or_default(), &self.base))
    }

    pub fn status(&self, id: i64) -> Option<ApiStatus> {
        let s = self.statuses.get(&id)?;
        let media = self.media.get(&id).map(Vec::as_slice).unwrap_or_default();
        let url = format!("{}/statuses?status={}", self.base, s.id);
        Some(ApiStatus {
            id: s.id.to_string(),
            uri: s.uri.clone().unwrap_or_else(|| url.clone()),
            url,
            account: self.account(s.account_id)?,
            content: status_html(&s.content),
            spoiler_text: s.spoiler_text.clone(),
            visibility: s.visibility.clone(),
            sensitive: s.sensitive,
            created_at: iso(s.created_at),
            media_attachments: media
                .iter()
                .map(|m| {
                    let url = absolute(&self.base, &m.url);
                    ApiMedia {
                        id: m.id.to_string(),
                        kind: m.kind.clone(),
                        preview_url: url.clone(),
                        url,
                        description: m.description.clone(),
                    }
                })
                .collect(),
            reblog: s.reblog_of_id.map(|r| r.to_string()),
            deleted: s.deleted_at.is_some(),
            pleroma: StatusPleroma { local: s.local, deleted_at: s.deleted_at.map(iso) },
        })
    }

    /// Statuses in the order given.
    pub fn statuses(&self, ids: &[i64]) -> Vec<ApiStatus> {
        ids.iter().filter_map(|id| self.status(*id)).collect()
    }
}
