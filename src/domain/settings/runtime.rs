//! The runtime config document: the stored values of the registry's
//! `Store::Runtime` settings (`src/domain/config`), keyed `section.key`. A key
//! that is absent reads as the setting's default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Document;
use crate::domain::config;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Runtime(pub BTreeMap<String, Value>);

impl Document for Runtime {
    const KEY: &'static str = "runtime";
    const NAME: &'static str = "runtime config";

    fn redacted(&self) -> Value {
        let shown = self.0.iter().map(|(id, v)| {
            let v = match config::find(id) {
                Some(s) => config::redact(s, v),
                None => v.clone(),
            };
            (id.clone(), v)
        });
        Value::Object(shown.collect())
    }
}
