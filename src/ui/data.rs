//! How page data crosses from the server-rendered HTML into the browser.
//!
//! Leptos decodes a resource's serialized value with `serde_json::from_str`
//! but a server function's result with `from_slice`. The two readers are
//! different types, so every page's data deserializer was compiled into the
//! WASM twice. Resources made here decode with `from_slice` too and share the
//! server functions' copy.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON, read with the same serde_json reader as server-function results.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A resource made by [`page_data`].
pub type PageResource<T> = Resource<T, Json>;

/// A page's data: loaded on the server before the HTML is sent, then read
/// back in the browser from the document instead of being fetched again.
pub fn page_data<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageResource<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, true)
}

/// [`page_data`] for a route with an `:id`: `fetcher` gets the id, and an id
/// that is not a number is a 404 without a call.
pub fn page_data_by_id<T, Fut>(
    fetcher: impl Fn(i64) -> Fut + Send + Sync + Copy + 'static,
) -> PageResource<Result<T, crate::error::AppError>>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, crate::error::AppError>> + Send + 'static,
{
    let params = leptos_router::hooks::use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    page_data(id, move |id| async move {
        match id {
            Some(id) => fetcher(id).await,
            None => Err(crate::error::AppError::NotFound),
        }
    })
}
