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
        match to_json(&self.0) {
            Ok(body) => Response::builder()
                .header(header::CONTENT_TYPE, CONTENT_TYPE)
                .body(body),
            Err(e) => ApiError::internal(e).into_response(),
        }
    }
}

/// The largest buffer a thread keeps between responses.
const KEPT_BUFFER: usize = 256 * 1024;

thread_local! {
    /// Each thread's serialisation buffer, kept between responses: a list
    /// grown from serde_json's default 128 bytes reallocates (and copies) a
    /// dozen times; here it is written once and copied once, at its size.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `value` as JSON bytes of exactly their size.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            let written = serde_json::to_writer(&mut *buf, value).map(|()| buf.to_vec());
            if buf.capacity() > KEPT_BUFFER {
                *buf = Vec::new();
            }
            written
        }
        // Serialising from inside a serialisation: a buffer of its own.
        Err(_) => serde_json::to_vec(value),
    })
}

impl<T: Type + Serialize + Send> ApiResponse for JsonOut<T> {
    fn meta() -> MetaResponses {
        ok_meta::<T>()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// `200 OK` with `T` as JSON already written (a page whose rows were written
/// as they were read); the document shows `T`'s schema.
pub struct JsonBytes<T> {
    body: Vec<u8>,
    _shape: std::marker::PhantomData<fn() -> T>,
}

impl<T> JsonBytes<T> {
    pub fn new(body: Vec<u8>) -> Self {
        Self {
            body,
            _shape: std::marker::PhantomData,
        }
    }
}

impl<T: Send> IntoResponse for JsonBytes<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .header(header::CONTENT_TYPE, CONTENT_TYPE)
            .body(self.body)
    }
}

impl<T: Type + Send> ApiResponse for JsonBytes<T> {
    fn meta() -> MetaResponses {
        ok_meta::<T>()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// A `200` answer with `T` as JSON, for the document.
fn ok_meta<T: Type>() -> MetaResponses {
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
