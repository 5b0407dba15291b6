//! Messages carried across a post/redirect/get, and a rejected form's input.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlashKind {
    Success,
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
    /// A value shown exactly once (a new API token).
    pub secret: Option<String>,
}

impl Flash {
    pub fn success(m: impl Into<String>) -> Self {
        Flash { kind: FlashKind::Success, message: m.into(), secret: None }
    }
    pub fn info(m: impl Into<String>) -> Self {
        Flash { kind: FlashKind::Info, message: m.into(), secret: None }
    }
    pub fn error(m: impl Into<String>) -> Self {
        Flash { kind: FlashKind::Error, message: m.into(), secret: None }
    }
}

/// A form the server rejected: what the user typed (never passwords) and the
/// message for each field, keyed by field name; `""` holds a form-wide message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    pub form: String,
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, String>,
    /// HTTP status for the page that shows the form again (401, 422, 429…).
    pub status: u16,
}

impl FormState {
    pub fn new(form: &str, status: u16) -> Self {
        FormState { form: form.into(), status, ..Default::default() }
    }

    pub fn value(mut self, name: &str, v: &str) -> Self {
        self.values.insert(name.into(), v.into());
        self
    }

    pub fn error(mut self, field: &str, message: impl Into<String>) -> Self {
        self.errors.insert(field.into(), message.into());
        self
    }
}
