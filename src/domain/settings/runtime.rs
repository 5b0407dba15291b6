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
    const KEY: &'static str = config::RUNTIME_DOCUMENT;
    const NAME: &'static str = "runtime config";

    /// Every runtime setting, the ones not stored at their defaults, so
    /// history and the log read "5 → 1" rather than "null → 1".
    fn redacted(&self) -> Value {
        let mut shown: serde_json::Map<String, Value> = config::SETTINGS
            .iter()
            .filter(|s| s.store == config::Store::Runtime)
            .map(|s| (s.id(), config::redact(s, self.0.get(&s.id()).unwrap_or(&s.default_value()))))
            .collect();
        // Keys no longer declared (a setting removed since) stay visible.
        for (id, v) in self.0.iter().filter(|(id, _)| config::find(id).is_none()) {
            shown.insert(id.clone(), v.clone());
        }
        Value::Object(shown)
    }
}
