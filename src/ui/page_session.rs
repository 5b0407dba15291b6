//! What every console page knows about its request: who is signed in,
//! messages to show once, the last rejected form, and the sidebar's saved
//! views. Loaded once per document (by the shell, in `app.rs`) and read by
//! pages through [`use_page_session`]; a leaf, so pages and the shell do not
//! import each other.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Staff;
use crate::error::AppError;
use crate::ui::flash::{Flash, FormState};

/// Per-document facts: who is signed in, messages to show once, and the last
/// rejected form (its status becomes the page's HTTP status).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageSession {
    pub staff: Option<Staff>,
    pub flashes: Vec<Flash>,
    pub form: Option<FormState>,
    /// The signed-in staff member's saved user-list views, with live counts.
    pub views: Vec<ViewLink>,
    /// Reports waiting in the queue, for the navigation's badge.
    pub open_reports: i64,
}

/// A saved view in the sidebar.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewLink {
    pub id: i64,
    pub name: String,
    pub href: String,
    /// "12", "about 12k" or "about 1.2M".
    pub count: String,
}

impl PageSession {
    /// The rejected form named `name`, if that is the one being shown again.
    pub fn form_named(&self, name: &str) -> Option<FormState> {
        self.form.clone().filter(|f| f.form == name)
    }
}

/// The per-request session facts every page needs, loaded once per document.
pub type SessionResource = Resource<Result<PageSession, AppError>, crate::ui::data::Json>;

/// The document's [`PageSession`], provided by the shell.
pub fn use_page_session() -> SessionResource {
    expect_context::<SessionResource>()
}
