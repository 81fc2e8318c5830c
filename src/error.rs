//! The one error envelope: every non-2xx answer is
//! `{"error":{"code","message","details"}}`, including the framework's own errors
//! (bad JSON, bad parameters, unknown routes, wrong methods, big bodies, panics).

use std::collections::BTreeMap;

use poem::{
    http::{header, HeaderValue, StatusCode},
    IntoResponse, Response,
};
use poem_openapi::{
    registry::{MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::Type,
    ApiResponse, Enum, Object,
};
use serde_json::{json, Value};

/// The error codes of the API, each tied to one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UriTooLong,
    UnsupportedMediaType,
    ValidationError,
    RateLimited,
    HeadersTooLarge,
    /// The password was right; the account also needs its second factor.
    OtpRequired,
    /// The second factor (a TOTP or recovery code) was wrong or already used.
    OtpInvalid,
    /// The user's role must use a second factor and they have not set it up.
    TwoFactorSetupRequired,
    InternalError,
    ServiceUnavailable,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ValidationError => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::OtpRequired | Self::OtpInvalid => StatusCode::UNAUTHORIZED,
            Self::TwoFactorSetupRequired => StatusCode::FORBIDDEN,
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "BAD_REQUEST",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::Conflict => "CONFLICT",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UriTooLong => "URI_TOO_LONG",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::ValidationError => "VALIDATION_ERROR",
            Self::RateLimited => "RATE_LIMITED",
            Self::HeadersTooLarge => "HEADERS_TOO_LARGE",
            Self::OtpRequired => "OTP_REQUIRED",
            Self::OtpInvalid => "OTP_INVALID",
            Self::TwoFactorSetupRequired => "TWO_FACTOR_SETUP_REQUIRED",
            Self::InternalError => "INTERNAL_ERROR",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
        }
    }

    /// The message used when there is nothing more specific to say.
    fn default_message(self) -> &'static str {
        match self {
            Self::BadRequest => "The request could not be understood.",
            Self::Unauthenticated => "Unauthenticated.",
            Self::Forbidden => "This action is not allowed with the given credentials.",
            Self::NotFound => "The requested resource was not found.",
            Self::MethodNotAllowed => "This method is not allowed for this path.",
            Self::Conflict => "The request conflicts with the current state.",
            Self::PayloadTooLarge => "The request body is too large.",
            Self::UriTooLong => "The request URI is too long.",
            Self::UnsupportedMediaType => "The request body must be sent as application/json.",
            Self::ValidationError => "The given data was invalid.",
            Self::RateLimited => "Too many requests. Please slow down.",
            Self::HeadersTooLarge => "The request headers are too large or too many.",
            Self::OtpRequired => "Enter the 6-digit code from your authenticator app.",
            Self::OtpInvalid => "That code is wrong or was already used.",
            Self::TwoFactorSetupRequired => "Set up two-factor login in the panel first.",
            Self::InternalError => "An unexpected error occurred.",
            Self::ServiceUnavailable => "The service is temporarily unavailable.",
        }
    }
}

/// Per-field validation messages, collected before answering 422.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a message for `field`.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `field` has at least one message.
    pub fn contains(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// `Ok(())` when nothing was added, else the 422 error carrying the messages.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(self))
        }
    }
}

/// An error answered to an API client.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: serde_json::Map<String, Value>,
    /// Seconds for a `Retry-After` header (429, 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: serde_json::Map::new(),
            retry_after: None,
        }
    }

    /// The error with the code's standard message.
    pub fn of(code: ErrorCode) -> Self {
        Self::new(code, code.default_message())
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// 400 for a body that is not JSON at all.
    pub fn malformed_json(reason: &str) -> Self {
        Self::bad_request(format!("Malformed JSON in the request body: {reason}."))
    }

    pub fn not_found() -> Self {
        Self::of(ErrorCode::NotFound)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    /// 422 with one message array per field.
    pub fn validation(fields: FieldErrors) -> Self {
        let mut err = Self::of(ErrorCode::ValidationError);
        for (field, messages) in fields.0 {
            err.details.insert(field, json!(messages));
        }
        err
    }

    /// 422 for a single field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.add(field, message);
        Self::validation(fields)
    }

    /// 500: logs `cause` and tells the client nothing about it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::of(ErrorCode::InternalError)
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    /// The JSON body, exactly `{"error":{"code","message","details"}}`.
    pub fn body(&self) -> Value {
        json!({
            "error": {
                "code": self.code.as_str(),
                "message": self.message,
                "details": Value::Object(self.details.clone()),
            }
        })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = Response::builder()
            .status(self.status())
            .content_type("application/json")
            .body(self.body().to_string());
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

impl From<ApiError> for poem::Error {
    fn from(err: ApiError) -> Self {
        poem::Error::from_response(err.into_response())
    }
}

/// The error envelope: every non-2xx answer has this body.
#[derive(Debug, Object)]
#[oai(rename = "Error")]
pub struct ErrorEnvelope {
    pub error: ErrorObject,
}

/// The inside of the envelope.
#[derive(Debug, Object)]
pub struct ErrorObject {
    /// Machine-readable code; each code has one HTTP status.
    pub code: ErrorCode,
    /// A human-readable sentence.
    pub message: String,
    /// For `VALIDATION_ERROR`, one array of messages per field; otherwise `{}`.
    pub details: BTreeMap<String, Value>,
}

impl ApiResponse for ApiError {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "Error, in the common envelope; see `error.code`.",
                status: None,
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: "application/json; charset=utf-8",
                    schema: ErrorEnvelope::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        ErrorEnvelope::register(registry);
    }
}

/// Result type of API handlers.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_status() {
        let cases = [
            (ErrorCode::BadRequest, 400),
            (ErrorCode::Unauthenticated, 401),
            (ErrorCode::Forbidden, 403),
            (ErrorCode::NotFound, 404),
            (ErrorCode::MethodNotAllowed, 405),
            (ErrorCode::Conflict, 409),
            (ErrorCode::PayloadTooLarge, 413),
            (ErrorCode::UriTooLong, 414),
            (ErrorCode::UnsupportedMediaType, 415),
            (ErrorCode::ValidationError, 422),
            (ErrorCode::RateLimited, 429),
            (ErrorCode::HeadersTooLarge, 431),
            (ErrorCode::InternalError, 500),
            (ErrorCode::ServiceUnavailable, 503),
        ];
        for (code, status) in cases {
            assert_eq!(code.status().as_u16(), status, "{code:?}");
            assert_eq!(ApiError::of(code).body()["error"]["code"], code.as_str());
        }
    }

    #[test]
    fn validation_body_has_an_array_per_field() {
        let mut fields = FieldErrors::new();
        fields.add("email", "The email field is required.");
        fields.add("package_id", "The selected package is invalid.");
        let body = ApiError::validation(fields).body();
        assert_eq!(
            body,
            json!({"error": {
                "code": "VALIDATION_ERROR",
                "message": "The given data was invalid.",
                "details": {
                    "email": ["The email field is required."],
                    "package_id": ["The selected package is invalid."]
                }
            }})
        );
    }

    #[test]
    fn retry_after_becomes_a_header() {
        let resp = ApiError::of(ErrorCode::RateLimited)
            .with_retry_after(17)
            .into_response();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers().get(header::RETRY_AFTER).unwrap(), "17");
    }
}
