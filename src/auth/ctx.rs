//! Authorization as values. The only way to get a [`ModeratorCtx`] or
//! [`AdminCtx`] is through the checks here, which read the [`Staff`] that the
//! session middleware (console) or the token middleware (API) put on the request.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;

use crate::domain::Staff;
use crate::error::AppError;

/// Proof that the caller is an active admin or moderator.
#[derive(Debug, Clone)]
pub struct ModeratorCtx(Staff);

/// Proof that the caller is an active admin.
#[derive(Debug, Clone)]
pub struct AdminCtx(Staff);

impl ModeratorCtx {
    pub fn staff(&self) -> &Staff {
        &self.0
    }
}

impl AdminCtx {
    pub fn staff(&self) -> &Staff {
        &self.0
    }

    /// Every admin may do what a moderator may.
    pub fn as_moderator(&self) -> ModeratorCtx {
        ModeratorCtx(self.0.clone())
    }

    /// The permission to see private and direct statuses.
    pub fn godmode(&self) -> Godmode {
        Godmode(())
    }
}

/// Proof that an admin asked to see private and direct statuses: only
/// [`AdminCtx::godmode`] makes one, and listing them needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Godmode(());

/// Proof that the caller holds a live intake-scoped token: content may
/// arrive, nothing else. The intake middleware is the only maker.
#[derive(Debug, Clone)]
pub struct IntakeCtx(());

impl IntakeCtx {
    pub(super) fn new() -> Self {
        IntakeCtx(())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IntakeCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts.extensions.get::<IntakeCtx>().cloned().ok_or(AppError::Unauthorized)
    }
}

fn check_moderator(parts: &Parts) -> Result<ModeratorCtx, AppError> {
    parts.extensions.get::<Staff>().cloned().map(ModeratorCtx).ok_or(AppError::Unauthorized)
}

fn check_admin(parts: &Parts) -> Result<AdminCtx, AppError> {
    let ModeratorCtx(staff) = check_moderator(parts)?;
    if staff.is_admin() { Ok(AdminCtx(staff)) } else { Err(AppError::Forbidden) }
}

impl<S: Send + Sync> FromRequestParts<S> for ModeratorCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        check_moderator(parts)
    }
}

/// `Option<ModeratorCtx>`: `None` when nobody is signed in.
impl<S: Send + Sync> OptionalFromRequestParts<S> for ModeratorCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, AppError> {
        Ok(check_moderator(parts).ok())
    }
}

/// `Option<AdminCtx>`: `None` for moderators (and nobody signed in).
impl<S: Send + Sync> OptionalFromRequestParts<S> for AdminCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, AppError> {
        Ok(check_admin(parts).ok())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AdminCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        check_admin(parts)
    }
}

/// For server functions and page loaders: the request Leptos is serving.
fn request_parts() -> Result<Parts, AppError> {
    leptos::prelude::use_context::<Parts>().ok_or_else(|| AppError::Internal("no request in context".into()))
}

/// Checks, inside a server function, that the caller is staff.
pub fn moderator() -> Result<ModeratorCtx, AppError> {
    check_moderator(&request_parts()?)
}

/// Checks, inside a server function, that the caller is an admin.
pub fn admin() -> Result<AdminCtx, AppError> {
    check_admin(&request_parts()?)
}
