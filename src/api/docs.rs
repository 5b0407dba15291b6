//! The error half of the OpenAPI document: the §5 body as the `ApiError`
//! schema, and [`ErrorResponses`], which gives every operation the statuses
//! any request can meet (bad input, authentication, busy, fault) so that the
//! annotations only list what their handler adds (403, 404, 409, 422).

use serde::{Deserialize, Serialize};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, Header, OpenApi, Ref, RefOr, Response};
use utoipa::{Modify, ToSchema};

/// Every error: `errors` lists what is wrong (one entry per bad item for
/// batch requests), `error` repeats the first message for Pleroma clients.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    errors: Vec<ApiErrorItem>,
    error: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiErrorItem {
    /// bad_request, unauthorized, forbidden, not_found, method_not_allowed,
    /// conflict, payload_too_large, validation_failed, too_many_requests,
    /// unavailable or internal_error.
    code: String,
    message: String,
    long_message: String,
    meta: ApiErrorMeta,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiErrorMeta {
    /// The field at fault (409 and 422).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    param: Option<String>,
    /// The item at fault, for batch requests (422).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    /// The version stored now, when an edit was based on an older one (409 `stale_version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current_version: Option<i64>,
}

// Request vocabularies, for the document only: handlers parse these values
// themselves so that their errors name the field.

/// Any status visibility.
#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Unlisted,
    Private,
    Direct,
}

/// A visibility a moderator may set (direct messages stay direct).
#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SettableVisibility {
    Public,
    Unlisted,
    Private,
}

#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ReportState {
    Open,
    Resolved,
    Closed,
}

/// Pleroma's permission groups.
#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum PermissionGroup {
    Admin,
    Moderator,
}

#[allow(dead_code)]
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum MediaType {
    Image,
    Gifv,
    Video,
    Audio,
    Unknown,
}

#[allow(dead_code)]
#[derive(ToSchema)]
pub enum ActorType {
    Person,
    Service,
    Application,
}

/// Adds the statuses every operation can answer, with the `ApiError` body,
/// and gives each documented error that body and a description. Runs on the
/// assembled document (after the routes are collected).
pub struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, api: &mut OpenApi) {
        for item in api.paths.paths.values_mut() {
            for (method, op) in operations(item) {
                // 422: NUL in any query string or body is refused, on every route.
                let mut common = vec!["400", "401", "403", "422", "500", "503"];
                // Any body is read within the size limit, documented or not.
                if method != "get" {
                    common.push("413");
                }
                for status in common {
                    op.responses.responses.entry(status.into()).or_insert_with(|| Response::new("").into());
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    if let RefOr::T(r) = response {
                        complete(status, r);
                    }
                }
                // Handler names repeat across modules: prefix the tag.
                if let (Some(id), Some(tag)) = (&op.operation_id, op.tags.as_ref().and_then(|t| t.first())) {
                    op.operation_id = Some(format!("{}_{id}", tag.replace(' ', "_")));
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    let ops = [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ];
    ops.into_iter().filter_map(|(m, op)| op.as_mut().map(|op| (m, op)))
}

/// A description for every response; the `ApiError` body (and 503's
/// `Retry-After`) for errors that do not name another body.
fn complete(status: &str, r: &mut Response) {
    if r.description.is_empty() {
        r.description = describe(status).into();
    }
    if status.starts_with(['4', '5']) && r.content.is_empty() {
        r.content.insert("application/json".into(), Content::new(Some(Ref::from_schema_name("ApiError"))).into());
    }
    if status == "503" {
        let seconds = ObjectBuilder::new().schema_type(Type::Integer).build();
        let mut header = Header::new(seconds);
        header.description = Some("Seconds to wait before retrying.".into());
        r.headers.entry("Retry-After".into()).or_insert(header.into());
    }
}

fn describe(status: &str) -> &'static str {
    match status {
        "200" => "Success.",
        "201" => "Created.",
        "204" => "Done (no body).",
        "400" => "Malformed request: query string, JSON syntax, or a body without `Content-Type: application/json`.",
        "401" => "No token, or an unknown or revoked one.",
        "403" => "The token's scope (admin or intake) does not open this API, or your role may not do this.",
        "404" => "No such resource (an unknown or unparsable id).",
        "409" => "Conflicts with stored data; `meta.param` names the field.",
        "413" => "The request body is over 1 MiB.",
        "422" => "Invalid input; `meta.param` names the field (text containing NUL is refused too).",
        "429" => "Too many requests.",
        "500" => "Unexpected fault; the body never carries internals.",
        "503" => "Busy: nothing was applied; retry after `Retry-After` seconds.",
        _ => "See the operation's description.",
    }
}

#[cfg(test)]
mod tests {
    use super::ApiError;
    use crate::error::{AppError, ItemError};

    #[test]
    fn the_schema_matches_every_error_body() {
        let errors = [
            AppError::NotFound,
            AppError::validation("email", "email is invalid"),
            AppError::conflict("nickname", "taken"),
            AppError::Items(vec![ItemError { id: "7".into(), message: "no such report".into() }]),
            AppError::Internal("secret detail".into()),
            AppError::Contended,
        ];
        for e in errors {
            let body = e.to_json();
            let parsed: ApiError = serde_json::from_value(body.clone()).unwrap_or_else(|err| panic!("{body}: {err}"));
            assert_eq!(serde_json::to_value(parsed).unwrap(), body);
        }
    }

    #[test]
    fn every_operation_documents_its_errors_with_the_schema() {
        let doc: serde_json::Value = serde_json::from_str(&super::super::OPENAPI_JSON).unwrap();
        assert!(doc["components"]["schemas"]["ApiError"].is_object());
        assert_refs_resolve(&doc, &doc);
        let mut ids = std::collections::HashSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let name = format!("{method} {path}");
                assert!(ids.insert(op["operationId"].as_str().unwrap().to_owned()), "{name}: operationId repeats");
                let responses = op["responses"].as_object().unwrap();
                let mut expected = vec!["400", "401", "403", "422", "500", "503"];
                if path.contains('{') {
                    expected.push("404");
                }
                if method != "get" {
                    expected.push("413");
                }
                for s in expected {
                    assert!(responses.contains_key(s), "{name} documents {s}");
                }
                for (status, r) in responses {
                    assert!(!r["description"].as_str().unwrap().is_empty(), "{name} {status} has a description");
                    if status != "204" {
                        assert!(r["content"]["application/json"]["schema"].is_object(), "{name} {status} has a body");
                    }
                }
            }
        }
    }

    fn assert_refs_resolve(doc: &serde_json::Value, v: &serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                    let name = r.trim_start_matches("#/components/schemas/");
                    assert!(doc["components"]["schemas"][name].is_object(), "{r} resolves");
                }
                m.values().for_each(|x| assert_refs_resolve(doc, x));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| assert_refs_resolve(doc, x)),
            _ => {}
        }
    }
}
