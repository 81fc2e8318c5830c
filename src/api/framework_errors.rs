//! Turns the framework's own errors (poem and poem-openapi) and panics into the
//! one error envelope, so no client ever sees a plain-text or HTML error.

use std::any::Any;

use poem::{
    error::{MethodNotAllowedError, NotFoundError, ReadBodyError},
    http::StatusCode,
    IntoResponse, Response,
};
use poem_openapi::{
    error::{
        AuthorizationError, ContentTypeError, ParseParamError, ParsePathError,
        ParseRequestPayloadError,
    },
    OperationId,
};

use super::body_limit::BodyTooLarge;
use crate::error::{ApiError, ErrorCode, FieldErrors};

/// The envelope answer for an error that reached the top of the route tree.
pub fn to_response(err: poem::Error) -> Response {
    if err.is_from_response() {
        // Already a complete answer (our own ApiError, converted on the way up).
        return err.into_response();
    }
    classify(&err).into_response()
}

/// Like [`to_response`], keeping the operation id (for metrics) on the answer.
pub fn to_response_keeping_operation(err: poem::Error) -> Response {
    let op = err.data::<OperationId>().copied();
    let mut resp = to_response(err);
    if let Some(op) = op {
        resp.set_data(op);
    }
    resp
}

/// The answer to a panic inside a handler: a bare 500; the panic is logged.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    ApiError::internal(format!("panic in handler: {what}")).into_response()
}

fn classify(err: &poem::Error) -> ApiError {
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return payload_error(&e.reason);
    }
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return ApiError::invalid_field(e.name, param_message(e.name, &e.reason));
    }
    if err.downcast_ref::<ParsePathError>().is_some() {
        return ApiError::not_found();
    }
    if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        return ApiError::new(
            ErrorCode::UnsupportedMediaType,
            match e {
                ContentTypeError::ExpectContentType => {
                    "The Content-Type header is missing; send application/json.".to_string()
                }
                ContentTypeError::NotSupported { content_type } => {
                    format!(
                        "The Content-Type {content_type} is not supported; send application/json."
                    )
                }
            },
        );
    }
    if let Some(e) = err.downcast_ref::<ReadBodyError>() {
        return match e {
            ReadBodyError::PayloadTooLarge => ApiError::of(ErrorCode::PayloadTooLarge),
            ReadBodyError::Io(io) if BodyTooLarge::is(io) => {
                ApiError::of(ErrorCode::PayloadTooLarge)
            }
            ReadBodyError::Utf8(_) => ApiError::bad_request("The request body is not valid UTF-8."),
            ReadBodyError::Io(_) => ApiError::bad_request("The request body could not be read."),
            ReadBodyError::BodyHasBeenTaken => ApiError::internal("request body taken twice"),
        };
    }
    if err.downcast_ref::<NotFoundError>().is_some() {
        return ApiError::not_found();
    }
    if err.downcast_ref::<MethodNotAllowedError>().is_some() {
        return ApiError::of(ErrorCode::MethodNotAllowed);
    }
    if err.downcast_ref::<AuthorizationError>().is_some() {
        return ApiError::of(ErrorCode::Unauthenticated);
    }
    from_status(err.status(), &err.to_string())
}

/// poem-openapi's JSON payload errors: a syntax error is 400; anything else
/// (wrong shape) is a 422 on the body as a whole.
fn payload_error(reason: &str) -> ApiError {
    if is_json_syntax_error(reason) {
        ApiError::malformed_json(reason)
    } else {
        let mut fields = FieldErrors::new();
        fields.add("body", reason.to_string());
        ApiError::validation(fields)
    }
}

/// serde_json's syntax errors end with "at line N column M".
pub(crate) fn is_json_syntax_error(reason: &str) -> bool {
    reason.contains(" at line ") && reason.contains(" column ")
}

/// Our own parameter types give reasons that complete "The <name> ..."; the
/// framework's are replaced by a plain sentence.
fn param_message(name: &str, reason: &str) -> String {
    // poem-openapi prefixes parse errors with `failed to parse "<type>": `
    // (once per wrapper type); our own reasons start with "must ".
    let ours = if reason.starts_with("must ") {
        Some(reason)
    } else {
        reason.find(": must ").map(|at| &reason[at + 2..])
    };
    // Wrappers (`Option<T>`) append where the reason arose; people need not
    // know the type names.
    let ours = ours.map(|r| r.split(" (occurred while parsing").next().unwrap_or(r));
    match ours {
        Some(reason) => format!("The {name} {reason}"),
        None => format!("The {name} parameter is invalid."),
    }
}

fn from_status(status: StatusCode, text: &str) -> ApiError {
    match status.as_u16() {
        400 => ApiError::bad_request("The request could not be understood."),
        401 => ApiError::of(ErrorCode::Unauthenticated),
        403 => ApiError::of(ErrorCode::Forbidden),
        404 => ApiError::not_found(),
        405 => ApiError::of(ErrorCode::MethodNotAllowed),
        409 => ApiError::of(ErrorCode::Conflict),
        413 => ApiError::of(ErrorCode::PayloadTooLarge),
        414 => ApiError::of(ErrorCode::UriTooLong),
        415 => ApiError::of(ErrorCode::UnsupportedMediaType),
        422 => ApiError::of(ErrorCode::ValidationError),
        429 => ApiError::of(ErrorCode::RateLimited),
        431 => ApiError::of(ErrorCode::HeadersTooLarge),
        503 => ApiError::of(ErrorCode::ServiceUnavailable),
        s if (400..500).contains(&s) => {
            ApiError::bad_request("The request could not be understood.")
        }
        _ => ApiError::internal(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_syntax_errors_are_recognised() {
        let syntax = serde_json::from_str::<serde_json::Value>("{\"a\":").unwrap_err();
        assert!(is_json_syntax_error(&syntax.to_string()));
        assert!(!is_json_syntax_error(
            "failed to parse \"Login\": Expected input type \"string\", found null"
        ));
    }

    #[test]
    fn parameter_messages_are_plain_sentences() {
        assert_eq!(
            param_message(
                "search",
                "failed to parse \"optional_string_single_line\": must not contain line breaks. \
                 (occurred while parsing \"optional_string_single_line\")"
            ),
            "The search must not contain line breaks."
        );
        assert_eq!(
            param_message("page", "must be an integer from 1 to 10."),
            "The page must be an integer from 1 to 10."
        );
        assert_eq!(
            param_message("id", "failed to parse \"integer\": invalid digit"),
            "The id parameter is invalid."
        );
    }

    #[test]
    fn framework_errors_map_to_codes() {
        let cases: Vec<(poem::Error, u16, &str)> = vec![
            (NotFoundError.into(), 404, "NOT_FOUND"),
            (MethodNotAllowedError.into(), 405, "METHOD_NOT_ALLOWED"),
            (
                ReadBodyError::PayloadTooLarge.into(),
                413,
                "PAYLOAD_TOO_LARGE",
            ),
            (
                ParseParamError {
                    name: "page",
                    reason: "must be an integer from 1 to 10.".into(),
                }
                .into(),
                422,
                "VALIDATION_ERROR",
            ),
            (
                ParseRequestPayloadError {
                    reason: "expected value at line 1 column 1".into(),
                }
                .into(),
                400,
                "BAD_REQUEST",
            ),
            (
                poem::Error::from_status(StatusCode::BAD_GATEWAY),
                500,
                "INTERNAL_ERROR",
            ),
        ];
        for (err, status, code) in cases {
            let api = classify(&err);
            assert_eq!(api.status().as_u16(), status, "{err}");
            assert_eq!(api.code.as_str(), code);
        }
    }
}
