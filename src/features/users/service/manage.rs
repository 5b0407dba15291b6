//! Creating accounts, editing one account's credentials and password-reset
//! links. Shared by the console forms and the API; each change is one
//! transaction with its moderation-log entry, and input is checked whole
//! before anything is written.

use crate::auth::{AdminCtx, password, tokens};
use crate::domain::{Email, Nickname, Password, Role};
use crate::error::AppError;
use crate::server::storage::users::{self, CredentialsChange, NewUser};
use crate::server::storage::{Db, audit, password_resets, users_bulk};

/// Pleroma's actor types an admin may set.
pub const ACTOR_TYPES: [&str; 3] = ["Person", "Service", "Application"];

/// Raw credential fields as a form or Pleroma's `PATCH …/credentials` sends
/// them; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CredentialsInput {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub avatar: Option<String>,
    pub actor_type: Option<String>,
    pub locked: Option<bool>,
    pub discoverable: Option<bool>,
    pub password: Option<String>,
}

/// Checked credentials, the password not yet hashed.
pub struct ValidCredentials {
    change: CredentialsChange,
    password: Option<Password>,
}

fn max_len(param: &str, label: &str, v: &str, max: usize) -> Result<(), AppError> {
    if v.chars().count() > max {
        return Err(AppError::validation(param, format!("{label} has at most {max} characters.")));
    }
    Ok(())
}

fn check_avatar(v: &str) -> Result<(), AppError> {
    if v.is_empty() {
        return Ok(());
    }
    match url::Url::parse(v) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && v.len() <= 2048 => Ok(()),
        _ => Err(AppError::validation("avatar", "Use an http(s) address of an image, or leave it empty.")),
    }
}

impl CredentialsInput {
    /// Every problem at once (one per field), so a form can show them all.
    pub fn validate(&self) -> Result<ValidCredentials, Vec<AppError>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<(), AppError>| {
            if let Err(e) = r {
                errors.push(e);
            }
        };
        let email = match self.email.as_deref().map(Email::parse) {
            Some(Ok(e)) => Some(e),
            Some(Err(e)) => {
                keep(Err(e));
                None
            }
            None => None,
        };
        let display_name = self.display_name.as_deref().map(str::trim).map(str::to_owned);
        if let Some(d) = &display_name {
            keep(max_len("display_name", "A display name", d, 100));
        }
        let bio = self.bio.as_deref().map(str::trim).map(str::to_owned);
        if let Some(b) = &bio {
            keep(max_len("bio", "A bio", b, 5000));
        }
        let avatar = self.avatar.as_deref().map(str::trim).map(str::to_owned);
        if let Some(a) = &avatar {
            keep(check_avatar(a));
        }
        if let Some(t) = &self.actor_type
            && !ACTOR_TYPES.contains(&t.as_str())
        {
            keep(Err(AppError::validation("actor_type", format!("Use one of {}.", ACTOR_TYPES.join(", ")))));
        }
        let password = match self.password.as_deref().map(|p| Password::parse(p, "password")) {
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                keep(Err(e));
                None
            }
            None => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let change = CredentialsChange {
            email,
            display_name,
            bio,
            avatar,
            actor_type: self.actor_type.clone(),
            locked: self.locked,
            discoverable: self.discoverable,
            password_hash: None,
        };
        Ok(ValidCredentials { change, password })
    }
}

/// The names of the fields a change sets (never their values), for the log.
fn changed_fields(ch: &CredentialsChange, password: bool) -> Vec<&'static str> {
    let mut f = Vec::new();
    let mut add = |set: bool, name| {
        if set {
            f.push(name);
        }
    };
    add(ch.email.is_some(), "email");
    add(ch.display_name.is_some(), "display_name");
    add(ch.bio.is_some(), "bio");
    add(ch.avatar.is_some(), "avatar");
    add(ch.actor_type.is_some(), "actor_type");
    add(ch.locked.is_some(), "locked");
    add(ch.discoverable.is_some(), "discoverable");
    add(password, "password");
    f
}

/// Writes checked credentials of user `id`; `NotFound` if there is no such
/// user, a conflict on `email` if another account has that address.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = id))]
pub async fn update_credentials(db: &Db, ctx: &AdminCtx, id: i64, valid: ValidCredentials) -> Result<(), AppError> {
    let ValidCredentials { mut change, password } = valid;
    if let Some(p) = &password {
        change.password_hash = Some(password::hash(p).await?);
    }
    let mut tx = db.begin().await?;
    let user = users::credentials(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    users::update_credentials(tx.conn(), id, &change).await?;
    if password.is_some() {
        users_bulk::end_sessions_and_tokens(tx.conn(), &[id]).await?;
    }
    let actor = ctx.staff();
    let fields = changed_fields(&change, password.is_some());
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: actor.into(),
            action: "user.update_credentials",
            subject_users: &[id],
            data: serde_json::json!({ "nicknames": [user.nickname], "fields": fields }),
            message: format!("@{} updated users: @{}", actor.nickname, user.nickname),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An account to create, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewAccountInput {
    pub nickname: String,
    pub email: String,
    pub password: String,
    pub display_name: String,
    /// `admin`, `moderator` or empty.
    pub role: String,
}

/// A checked account to create.
pub struct ValidAccount {
    nickname: Nickname,
    email: Email,
    password: Password,
    display_name: String,
    role: Option<Role>,
}

impl ValidAccount {
    pub fn nickname(&self) -> &str {
        self.nickname.as_str()
    }

    pub fn email(&self) -> &str {
        self.email.as_str()
    }
}

impl NewAccountInput {
    pub fn validate(&self) -> Result<ValidAccount, Vec<AppError>> {
        let nickname = Nickname::parse(&self.nickname);
        let email = Email::parse(&self.email);
        let password = Password::parse(&self.password, "password");
        let display_name = self.display_name.trim().to_owned();
        let name_ok = max_len("display_name", "A display name", &display_name, 100);
        let role = match self.role.trim() {
            "" => Ok(None),
            "admin" => Ok(Some(Role::Admin)),
            "moderator" => Ok(Some(Role::Moderator)),
            _ => Err(AppError::validation("role", "Choose no role, moderator or admin.")),
        };
        match (nickname, email, password, name_ok, role) {
            (Ok(nickname), Ok(email), Ok(password), Ok(()), Ok(role)) => {
                Ok(ValidAccount { nickname, email, password, display_name, role })
            }
            (n, e, p, d, r) => Err([n.err(), e.err(), p.err(), d.err(), r.err()].into_iter().flatten().collect()),
        }
    }
}

/// An account that was created.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: i64,
    pub nickname: String,
    pub email: String,
}

/// Why nothing was created: one entry per input, `Some` for those at fault.
#[derive(Debug)]
pub enum CreateFailed {
    Taken(Vec<Option<AppError>>),
    Other(AppError),
}

impl From<AppError> for CreateFailed {
    fn from(e: AppError) -> Self {
        CreateFailed::Other(e)
    }
}

/// Creates every account or none: a nickname or email already in use (by an
/// existing account or an earlier entry of the same request) fails the lot.
/// Accounts made by an admin are local, active, approved and confirmed.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, accounts = accounts.len()))]
pub async fn create(db: &Db, ctx: &AdminCtx, accounts: &[ValidAccount]) -> Result<Vec<Created>, CreateFailed> {
    if accounts.is_empty() {
        return Err(AppError::validation("users", "name at least one user").into());
    }
    let mut hashes = Vec::with_capacity(accounts.len());
    for a in accounts {
        hashes.push(password::hash(&a.password).await?);
    }
    let mut tx = db.begin().await?;
    let mut faults: Vec<Option<AppError>> = Vec::with_capacity(accounts.len());
    for (i, a) in accounts.iter().enumerate() {
        let earlier = &accounts[..i];
        let fault = if earlier.iter().any(|b| b.nickname.as_str().eq_ignore_ascii_case(a.nickname.as_str()))
            || users::nickname_taken(tx.conn(), a.nickname.as_str()).await?
        {
            Some(AppError::conflict("nickname", "nickname has already been taken"))
        } else if earlier.iter().any(|b| b.email.as_str().eq_ignore_ascii_case(a.email.as_str()))
            || users::email_taken(tx.conn(), a.email.as_str()).await?
        {
            Some(AppError::conflict("email", "email has already been taken"))
        } else {
            None
        };
        faults.push(fault);
    }
    if faults.iter().any(Option::is_some) {
        return Err(CreateFailed::Taken(faults));
    }
    let mut created = Vec::with_capacity(accounts.len());
    for (a, hash) in accounts.iter().zip(&hashes) {
        let new = NewUser {
            nickname: &a.nickname,
            email: &a.email,
            display_name: &a.display_name,
            password_hash: hash,
            role: a.role,
        };
        let id = users::insert(tx.conn(), &new).await?;
        created.push(Created { id, nickname: a.nickname.to_string(), email: a.email.to_string() });
    }
    let actor = ctx.staff();
    let ids: Vec<i64> = created.iter().map(|c| c.id).collect();
    let names: Vec<String> = created.iter().map(|c| format!("@{}", c.nickname)).collect();
    let roles: Vec<Option<&str>> = accounts.iter().map(|a| a.role.map(Role::label)).collect();
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: actor.into(),
            action: "user.create",
            subject_users: &ids,
            data: serde_json::json!({ "nicknames": created.iter().map(|c| &c.nickname).collect::<Vec<_>>(), "roles": roles }),
            message: format!("@{} created users: {}", actor.nickname, names.join(", ")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// A new one-time password-reset link for user `id` (valid for a day); the
/// token is returned once and only its hash is kept.
#[tracing::instrument(skip_all, fields(actor = %ctx.staff().nickname, user = id))]
pub async fn reset_link(db: &Db, ctx: &AdminCtx, id: i64, base_url: &str) -> Result<(String, String), AppError> {
    let token = tokens::generate();
    let mut tx = db.begin().await?;
    let user = users::credentials(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    if !user.local {
        return Err(AppError::validation("nickname", "Only local accounts have a password here."));
    }
    let actor = ctx.staff();
    password_resets::insert(tx.conn(), id, &tokens::hash(&token), actor.id).await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: actor.into(),
            action: "user.password_reset_link",
            subject_users: &[id],
            data: serde_json::json!({ "nicknames": [user.nickname] }),
            message: format!("@{} created a password reset link for @{}", actor.nickname, user.nickname),
        },
    )
    .await?;
    tx.commit().await?;
    let link = format!("{base_url}/password-reset?token={token}");
    Ok((token, link))
}

/// Whether a reset link can still be used.
pub async fn reset_link_valid(db: &Db, token: &str) -> Result<bool, AppError> {
    let mut conn = db.conn().await?;
    Ok(password_resets::peek(conn.as_ref(), &tokens::hash(token)).await?.is_some())
}

/// Sets the password of the link's user and uses the link up; the user is
/// the actor of the log entry. Returns their nickname.
pub async fn reset_password(db: &Db, token: &str, new: &Password) -> Result<String, AppError> {
    let expired =
        || AppError::validation("token", "This link has expired or was already used. Ask an admin for a new one.");
    let hashed_token = tokens::hash(token);
    let mut conn = db.conn().await?;
    if password_resets::peek(conn.as_ref(), &hashed_token).await?.is_none() {
        return Err(expired());
    }
    drop(conn);
    // Hashing is slow: done before the transaction so no write lock waits on it.
    let hash = password::hash(new).await?;
    let mut tx = db.begin().await?;
    let id = password_resets::consume(tx.conn(), &hashed_token).await?.ok_or_else(expired)?;
    let user = users::credentials(tx.conn(), id).await?.ok_or_else(expired)?;
    users::set_password_hash(tx.conn(), id, &hash).await?;
    users_bulk::end_sessions_and_tokens(tx.conn(), &[id]).await?;
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: audit::Actor { id, nickname: &user.nickname },
            action: "user.password_reset",
            subject_users: &[id],
            data: serde_json::json!({ "nicknames": [user.nickname] }),
            message: format!("@{} set a new password with a reset link", user.nickname),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(user.nickname)
}
