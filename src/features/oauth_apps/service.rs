//! The rules of the admin's OAuth-app changes. Each is one transaction with
//! its moderation-log entry; secrets are generated here, stored hashed, and
//! never logged.

use serde_json::json;

use crate::auth::{AdminCtx, tokens};
use crate::error::AppError;
use crate::features::oauth::service::{self as oauth_service, Checked};
use crate::server::storage::oauth::{self, App, AppEdit, NewApp};
use crate::server::storage::{Db, audit};

/// What `POST /oauth_app` asks for, checked.
pub struct NewClient {
    pub fields: Checked,
    pub trusted: bool,
}

/// A PATCH: `None` leaves a field as it is; `website: Some(None)` clears it.
#[derive(Default)]
pub struct Patch {
    pub name: Option<String>,
    pub redirect_uris: Option<String>,
    pub scopes: Option<String>,
    pub website: Option<Option<String>>,
    pub trusted: Option<bool>,
}

/// An app with the secret it was just given (shown this once).
pub struct WithSecret {
    pub app: App,
    pub client_secret: String,
}

fn describe(app: &App) -> serde_json::Value {
    json!({ "app_id": app.id, "name": app.name, "client_id": app.client_id, "trusted": app.trusted })
}

async fn log(
    tx: &mut crate::server::storage::Tx,
    ctx: &AdminCtx,
    action: &str,
    app: &App,
    extra: serde_json::Value,
    verb: &str,
) -> Result<(), AppError> {
    let staff = ctx.staff();
    let mut data = describe(app);
    if let (Some(d), serde_json::Value::Object(e)) = (data.as_object_mut(), extra) {
        d.extend(e);
    }
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: staff.into(),
            action,
            subject_users: &[],
            data,
            message: format!("@{} {verb} OAuth app #{} \"{}\"", staff.nickname, app.id, app.name),
        },
    )
    .await?;
    Ok(())
}

pub async fn create(db: &Db, ctx: &AdminCtx, new: NewClient) -> Result<WithSecret, AppError> {
    let (client_id, client_secret) = (tokens::generate(), tokens::generate());
    let f = &new.fields;
    let mut tx = db.begin().await?;
    let row = NewApp {
        client_id: &client_id,
        secret_hash: &tokens::hash(&client_secret),
        name: &f.name,
        redirect_uris: &f.redirect_uris,
        scopes: &f.scopes,
        website: f.website.as_deref(),
    };
    let mut app = oauth::insert_app(tx.conn(), &row).await?;
    if new.trusted {
        oauth::set_trusted(tx.conn(), app.id, true, Some(ctx.staff().id)).await?;
        app = oauth::app_by_id(tx.conn(), app.id).await?.ok_or(AppError::NotFound)?;
    }
    log(&mut tx, ctx, "oauth_app.create", &app, json!({ "scopes": app.scopes }), "registered").await?;
    tx.commit().await?;
    Ok(WithSecret { app, client_secret })
}

pub async fn update(db: &Db, ctx: &AdminCtx, id: i64, p: Patch) -> Result<App, AppError> {
    let mut tx = db.begin().await?;
    let old = oauth::lock_app(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let name = p.name.as_deref().unwrap_or(&old.name);
    let uris = p.redirect_uris.as_deref().unwrap_or(&old.redirect_uris);
    let scopes = p.scopes.as_deref().unwrap_or(&old.scopes);
    let website = match &p.website {
        Some(w) => w.as_deref(),
        None => old.website.as_deref(),
    };
    let f = oauth_service::validate("name", name, uris, scopes, website)?;
    oauth::update_app(
        tx.conn(),
        id,
        &AppEdit { name: &f.name, redirect_uris: &f.redirect_uris, scopes: &f.scopes, website: f.website.as_deref() },
    )
    .await?;
    if let Some(t) = p.trusted.filter(|t| *t != old.trusted) {
        oauth::set_trusted(tx.conn(), id, t, t.then_some(ctx.staff().id)).await?;
        if !t {
            // Trust withdrawn: the intake tokens it let the app take go too.
            oauth::revoke_intake_tokens(tx.conn(), id).await?;
        }
    }
    let app = oauth::app_by_id(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    let mut changed = Vec::new();
    for (field, was, now) in [
        ("name", old.name.as_str(), app.name.as_str()),
        ("redirect_uris", &old.redirect_uris, &app.redirect_uris),
        ("scopes", &old.scopes, &app.scopes),
        ("website", old.website.as_deref().unwrap_or(""), app.website.as_deref().unwrap_or("")),
    ] {
        if was != now {
            changed.push(field);
        }
    }
    if old.trusted != app.trusted {
        changed.push("trusted");
    }
    log(&mut tx, ctx, "oauth_app.update", &app, json!({ "changed": changed }), "edited").await?;
    tx.commit().await?;
    Ok(app)
}

/// A new secret; the old one stops working at once (tokens already issued stay).
pub async fn regenerate_secret(db: &Db, ctx: &AdminCtx, id: i64) -> Result<WithSecret, AppError> {
    let client_secret = tokens::generate();
    let mut tx = db.begin().await?;
    if !oauth::set_secret(tx.conn(), id, &tokens::hash(&client_secret)).await? {
        return Err(AppError::NotFound);
    }
    let app = oauth::app_by_id(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    log(&mut tx, ctx, "oauth_app.regenerate_secret", &app, json!({}), "gave a new secret to").await?;
    tx.commit().await?;
    Ok(WithSecret { app, client_secret })
}

/// Deletes the app; its codes and tokens go with it.
pub async fn delete(db: &Db, ctx: &AdminCtx, id: i64) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let app = oauth::lock_app(tx.conn(), id).await?.ok_or(AppError::NotFound)?;
    oauth::delete_app(tx.conn(), id).await?;
    log(&mut tx, ctx, "oauth_app.delete", &app, json!({}), "deleted").await?;
    tx.commit().await?;
    Ok(())
}
