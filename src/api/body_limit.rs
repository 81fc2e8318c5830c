//! Caps request bodies: a declared `Content-Length` over the limit is refused at
//! once (413); a body without one is cut off when it grows past the limit.

use std::io;

use futures_util::{future::ready, StreamExt, TryStreamExt};
use poem::{http::header, Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::error::{ApiError, ErrorCode};

/// Marker error inside the body stream when the limit is passed.
#[derive(Debug)]
pub struct BodyTooLarge;

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("request body too large")
    }
}

impl std::error::Error for BodyTooLarge {}

impl BodyTooLarge {
    /// True when `err` is the limiter's error.
    /// True when `err` is the limiter's error, however deeply the body
    /// machinery has wrapped it.
    pub fn is(err: &io::Error) -> bool {
        let mut inner = err.get_ref();
        while let Some(e) = inner {
            if e.downcast_ref::<BodyTooLarge>().is_some() {
                return true;
            }
            inner = e.downcast_ref::<io::Error>().and_then(io::Error::get_ref);
        }
        false
    }
}

/// The middleware; `limit` in bytes.
pub struct BodyLimit {
    pub limit: usize,
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        BodyLimitEndpoint {
            inner: ep,
            limit: self.limit,
        }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
    limit: usize,
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > self.limit as u64) {
            return Ok(ApiError::of(ErrorCode::PayloadTooLarge).into_response());
        }
        if declared.is_none() {
            let limit = self.limit;
            let body = req.take_body().into_bytes_stream();
            let limited =
                body.map_err(io::Error::other)
                    .scan((0usize, false), move |(seen, done), chunk| {
                        if *done {
                            return ready(None);
                        }
                        let item = chunk.and_then(|bytes| {
                            *seen += bytes.len();
                            if *seen > limit {
                                Err(io::Error::other(BodyTooLarge))
                            } else {
                                Ok(bytes)
                            }
                        });
                        *done = item.is_err();
                        ready(Some(item))
                    });
            req.set_body(Body::from_bytes_stream(limited));
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
