//! A JSON object read field by field, so every refusal names its field
//! (`meta.param`, `sso.client_id` inside a block) and unknown keys are
//! refused rather than silently dropped.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::AppError;

pub struct Fields {
    map: Map<String, Value>,
    prefix: String,
}

/// A field's three states: absent, `null`, or a value.
pub enum Given<T> {
    Absent,
    Null,
    Value(T),
}

impl Fields {
    /// `value` as an object holding only `known` keys (`expected_version` is
    /// always allowed: it is the edit's base version, not a field).
    pub fn object(value: Value, prefix: &str, known: &[&str]) -> Result<Fields, AppError> {
        Fields::read(value, prefix, known, true)
    }

    /// `value` as an object holding only `known` keys, for bodies that carry
    /// no version (`expected_version` is unknown there too).
    pub fn exact(value: Value, prefix: &str, known: &[&str]) -> Result<Fields, AppError> {
        Fields::read(value, prefix, known, false)
    }

    fn read(value: Value, prefix: &str, known: &[&str], versioned: bool) -> Result<Fields, AppError> {
        let param = if prefix.is_empty() { "body" } else { prefix };
        let Value::Object(map) = value else {
            return Err(AppError::validation(param, format!("{param} must be a JSON object.")));
        };
        let f = Fields { map, prefix: prefix.to_owned() };
        if let Some(k) = f.map.keys().find(|k| !(known.contains(&k.as_str()) || versioned && *k == "expected_version"))
        {
            return Err(AppError::validation(
                &f.param(k),
                format!("Unknown field `{}`.", k.chars().take(60).collect::<String>()),
            ));
        }
        Ok(f)
    }

    pub fn param(&self, key: &str) -> String {
        if self.prefix.is_empty() { key.to_owned() } else { format!("{}.{key}", self.prefix) }
    }

    /// The field in its three states, typed.
    pub fn given<T: DeserializeOwned>(&self, key: &str) -> Result<Given<T>, AppError> {
        match self.map.get(key) {
            None => Ok(Given::Absent),
            Some(Value::Null) => Ok(Given::Null),
            Some(v) => serde_json::from_value(v.clone()).map(Given::Value).map_err(|e| {
                let p = self.param(key);
                AppError::validation(&p, format!("{p}: {e}"))
            }),
        }
    }

    /// The field, `null` read as absent (Clerk: null leaves it unchanged).
    pub fn opt<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, AppError> {
        Ok(match self.given(key)? {
            Given::Value(v) => Some(v),
            Given::Absent | Given::Null => None,
        })
    }

    /// Whether the body names `key` at all (even as `null`).
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// A nested object, if given (`null` reads as absent).
    pub fn nested(&self, key: &str, known: &[&str]) -> Result<Option<Fields>, AppError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => Fields::object(v.clone(), &self.param(key), known).map(Some),
        }
    }

    /// The edit's base version, if the caller sent one.
    pub fn expected_version(&self) -> Result<Option<i64>, AppError> {
        match self.map.get("expected_version") {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_i64().filter(|n| *n >= 0).map(Some).ok_or_else(|| {
                AppError::validation("expected_version", "expected_version must be a whole number ≥ 0.")
            }),
        }
    }
}
