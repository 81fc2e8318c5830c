//! A JSON response written straight from the type with serde, for hot endpoints:
//! poem-openapi's `Json<T>` first builds a `serde_json::Value` tree (a map per
//! object), which costs more than the database read on a 20-row list. The
//! document still shows `T`'s schema.

use poem::{http::header, IntoResponse, Response};
use poem_openapi::{
    payload::Payload,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::Type,
    ApiResponse,
};
use serde::Serialize;

use crate::error::ApiError;

/// `200 OK` with `T` as JSON.
pub struct JsonOut<T>(pub T);

const CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl<T: Type + Serialize + Send> Payload for JsonOut<T> {
    const CONTENT_TYPE: &'static str = CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Serialize + Send> IntoResponse for JsonOut<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder()
                .header(header::CONTENT_TYPE, CONTENT_TYPE)
                .body(body),
            Err(e) => ApiError::internal(e).into_response(),
        }
    }
}

impl<T: Type + Serialize + Send> ApiResponse for JsonOut<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: CONTENT_TYPE,
                    schema: T::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// A JSON body already serialised (an idempotent replay answers with the bytes
/// of the first answer); the document shows `T`'s schema.
pub struct PreSerialized<T> {
    pub body: String,
    _shape: std::marker::PhantomData<fn() -> T>,
}

impl<T> PreSerialized<T> {
    pub fn new(body: String) -> Self {
        Self {
            body,
            _shape: std::marker::PhantomData,
        }
    }
}

impl<T: Type> Payload for PreSerialized<T> {
    const CONTENT_TYPE: &'static str = CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T> IntoResponse for PreSerialized<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .header(header::CONTENT_TYPE, CONTENT_TYPE)
            .body(self.body)
    }
}
