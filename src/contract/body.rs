//! JSON request bodies with per-field validation messages.
//!
//! poem-openapi's own `Json<T>` stops at the first problem and cannot name the
//! field, so request types implement [`FromJsonObject`] and are read through
//! [`Fields`], which collects one message array per field. Malformed JSON is a 400;
//! any field problem is a 422 `VALIDATION_ERROR` listing every bad field at once.
//! Keys the request type does not read are ignored, never written anywhere; a
//! key given twice (at any depth) is malformed JSON. Every string is free text
//! under [`TextRule`] (single-line unless the reader asks for multi-line).

use std::collections::HashMap;

use poem::{Request, RequestBody};
use poem_openapi::{
    registry::{MetaMediaType, MetaRequest, Registry},
    types::Type,
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
};
use serde_json::{Map, Value};

use super::{
    field::{Contract, Got, Mode},
    strict_json,
    text::TextRule,
};
use crate::{
    domain::money::Money,
    error::{ApiError, FieldErrors},
};

/// A request type read field by field from a JSON object.
pub trait FromJsonObject: Sized {
    /// The contract the body is checked against before [`from_fields`] runs
    /// (see [`super::field`]), and the mode it is read in; `None` for readers
    /// that check each field themselves.
    ///
    /// [`from_fields`]: FromJsonObject::from_fields
    const CONTRACT: Option<(&'static Contract, Mode)> = None;

    /// Reads the fields; problems go into `fields` and the returned value is then
    /// discarded.
    fn from_fields(fields: &mut Fields) -> Self;

    /// Runs before the contract reads the body: e.g. rewrites an old name of a
    /// value still accepted ([`Fields::replace_text`]). Nothing by default.
    fn prepare(_fields: &mut Fields) {}
}

/// Reads fields from a JSON object, collecting validation messages.
pub struct Fields {
    object: Map<String, Value>,
    /// The decimal text of top-level numbers, as sent (JSON bodies).
    numbers: HashMap<String, String>,
    errors: FieldErrors,
    /// The contract read, and the values it gave (taken by [`Fields::take`]).
    contract: Option<&'static Contract>,
    values: HashMap<&'static str, Got>,
    /// Names taken that the contract does not declare (a bug: 500).
    undeclared: Vec<String>,
}

/// "package_id" → "package id", as people read it in messages.
pub(super) fn label(name: &str) -> String {
    name.replace('_', " ")
}

impl Fields {
    pub fn new(object: Map<String, Value>) -> Self {
        Self::with_numbers(object, HashMap::new())
    }

    /// Fields whose numbers' decimal text is known (see [`strict_json`]).
    pub fn with_numbers(object: Map<String, Value>, numbers: HashMap<String, String>) -> Self {
        Self {
            object,
            numbers,
            errors: FieldErrors::new(),
            contract: None,
            values: HashMap::new(),
            undeclared: Vec::new(),
        }
    }

    /// The value at `name` as sent.
    pub(super) fn raw(&self, name: &str) -> Option<&Value> {
        self.object.get(name)
    }

    /// The decimal text of the top-level number at `name`, as sent.
    pub(super) fn number_text(&self, name: &str) -> Option<String> {
        self.numbers.get(name).cloned()
    }

    pub(super) fn set_contract(&mut self, contract: &'static Contract) {
        self.contract = Some(contract);
    }

    pub(super) fn put(&mut self, name: &'static str, got: Got) {
        self.values.insert(name, got);
    }

    /// The checked value of the contract's field `name` (see
    /// [`super::field`]): once; a name the contract does not declare is a bug
    /// and makes the answer a 500.
    /// Replaces the text `from` of field `name` by `to` before the contract
    /// reads it: an old name of a value still accepted (the staff role
    /// `operator`, now `operator_staff`) without listing it in the schema.
    pub fn replace_text(&mut self, name: &str, from: &str, to: &str) {
        if let Some(v) = self.object.get_mut(name) {
            if v.as_str().is_some_and(|s| s.trim() == from) {
                *v = Value::String(to.to_string());
            }
        }
    }

    pub fn take(&mut self, name: &str) -> Got {
        let declared = self.contract.and_then(|c| c.field(name)).is_some();
        if !declared {
            self.undeclared.push(name.to_string());
            return Got::Invalid;
        }
        self.values.remove(name).unwrap_or(Got::Absent)
    }

    /// Records a message for `name`.
    pub fn error(&mut self, name: &str, message: impl Into<String>) {
        self.errors.add(name, message);
    }

    /// True when `name` already has a message.
    pub fn has_error(&self, name: &str) -> bool {
        self.errors.contains(name)
    }

    /// True when the key is present with the value null (clear the field).
    pub fn is_null(&self, name: &str) -> bool {
        matches!(self.object.get(name), Some(Value::Null))
    }

    /// True when the key is present and not null.
    pub fn present(&self, name: &str) -> bool {
        self.object.get(name).is_some_and(|v| !v.is_null())
    }

    /// A string that must be present and not blank; returned trimmed.
    /// Single-line text (see [`TextRule`]).
    pub fn required_string(&mut self, name: &str) -> String {
        self.required_text(name, TextRule::SingleLine)
    }

    /// A string that may be absent or null; blank counts as absent. Trimmed.
    /// Single-line text (see [`TextRule`]).
    pub fn optional_string(&mut self, name: &str) -> Option<String> {
        self.optional_text(name, TextRule::SingleLine)
    }

    /// Like [`Fields::required_string`], for text under `rule`.
    pub fn required_text(&mut self, name: &str, rule: TextRule) -> String {
        match self.optional_text(name, rule) {
            Some(s) => s,
            None => {
                if !self.has_error(name) {
                    self.error(name, format!("The {} field is required.", label(name)));
                }
                String::new()
            }
        }
    }

    /// Like [`Fields::optional_string`], for text under `rule`.
    pub fn optional_text(&mut self, name: &str, rule: TextRule) -> Option<String> {
        self.nullable_text(name, rule).flatten()
    }

    /// The string at `name` as sent, once it keeps `rule`: `None` when absent
    /// or null, or (with a message) when not a string or breaking the rule.
    /// The rule is checked before any trimming: a name ending in a line feed is
    /// refused, not quietly cut.
    fn raw_text(&mut self, name: &str, rule: TextRule) -> Option<&str> {
        let problem = match self.object.get(name) {
            None | Some(Value::Null) => return None,
            Some(Value::String(s)) if rule.allows(s) => None,
            Some(Value::String(_)) => Some(rule.complaint()),
            Some(_) => Some("must be a string."),
        };
        if let Some(problem) = problem {
            self.error(name, format!("The {} {problem}", label(name)));
            return None;
        }
        self.object.get(name).and_then(Value::as_str)
    }

    /// Checks a value read another way (a password) against `rule`, recording
    /// the message; true when it keeps the rule.
    pub fn check_text(&mut self, name: &str, value: &str, rule: TextRule) -> bool {
        let ok = rule.allows(value);
        if !ok {
            self.error(name, format!("The {} {}", label(name), rule.complaint()));
        }
        ok
    }

    /// A secret that must be present and not empty; returned exactly as sent
    /// (spaces count in passwords).
    pub fn required_password(&mut self, name: &str) -> String {
        match self.object.get(name) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                self.error(name, format!("The {} field is required.", label(name)));
                String::new()
            }
            Some(_) => {
                self.error(name, format!("The {} must be a string.", label(name)));
                String::new()
            }
        }
    }

    /// An integer that must be present.
    pub fn required_integer(&mut self, name: &str) -> i64 {
        match self.optional_integer(name) {
            Some(n) => n,
            None => {
                if !self.has_error(name) {
                    self.error(name, format!("The {} field is required.", label(name)));
                }
                0
            }
        }
    }

    /// An integer that may be absent or null.
    pub fn optional_integer(&mut self, name: &str) -> Option<i64> {
        match self.object.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(_) => {
                self.error(name, format!("The {} must be an integer.", label(name)));
                None
            }
        }
    }

    /// `None` when absent, `Some(None)` when null or blank (to clear the field),
    /// else the trimmed string. Single-line text (see [`TextRule`]).
    pub fn nullable_string(&mut self, name: &str) -> Option<Option<String>> {
        self.nullable_text(name, TextRule::SingleLine)
    }

    /// Like [`Fields::nullable_string`], for text under `rule`.
    pub fn nullable_text(&mut self, name: &str, rule: TextRule) -> Option<Option<String>> {
        if self.is_null(name) {
            return Some(None);
        }
        let s = self.raw_text(name, rule)?.trim();
        Some((!s.is_empty()).then(|| s.to_string()))
    }

    /// An amount in major units that must be present: a JSON number read from
    /// its decimal text (see [`Money::from_decimal_text`]).
    pub fn required_money(&mut self, name: &str) -> Money {
        let read = match self.object.get(name) {
            None | Some(Value::Null) => {
                self.error(name, format!("The {} field is required.", label(name)));
                return Money::ZERO;
            }
            Some(Value::Number(n)) => match self.numbers.get(name) {
                Some(text) => Money::from_decimal_text(text),
                None => Money::from_json(&Value::Number(n.clone())),
            },
            Some(v) => Money::from_json(v),
        };
        match read {
            Ok(m) => m,
            Err(e) => {
                self.error(name, format!("The {} {}", label(name), e.message()));
                Money::ZERO
            }
        }
    }

    /// The id of another record (`customer_id`): a required integer ≥ 1 (that
    /// the record exists is for the store to say).
    pub fn required_reference(&mut self, name: &str) -> i64 {
        let id = self.required_integer(name);
        if !self.has_error(name) && id < 1 {
            let what = label(name.trim_end_matches("_id"));
            self.error(name, format!("The selected {what} is invalid."));
        }
        id
    }

    /// The id of another record that may be absent or null.
    pub fn optional_reference(&mut self, name: &str) -> Option<i64> {
        let id = self.optional_integer(name)?;
        if id < 1 {
            let what = label(name.trim_end_matches("_id"));
            self.error(name, format!("The selected {what} is invalid."));
        }
        Some(id)
    }

    /// An integer from `min` to `max` that must be present.
    pub fn required_integer_in(&mut self, name: &str, min: i64, max: i64) -> i64 {
        let n = self.required_integer(name);
        if !self.has_error(name) && !(min..=max).contains(&n) {
            self.error(
                name,
                format!("The {} must be between {min} and {max}.", label(name)),
            );
        }
        n
    }

    /// A string that may be absent or null, but not blank (for fields with a
    /// format, where an empty string is a mistake rather than "nothing").
    pub fn optional_nonblank(&mut self, name: &str) -> Option<String> {
        self.nullable_nonblank(name).flatten()
    }

    /// Like [`Fields::nullable_string`], but a blank string is an error.
    pub fn nullable_nonblank(&mut self, name: &str) -> Option<Option<String>> {
        if matches!(self.object.get(name), Some(Value::String(s))
            if s.trim().is_empty() && TextRule::SingleLine.allows(s))
        {
            self.error(name, format!("The {} must not be empty.", label(name)));
            return None;
        }
        self.nullable_string(name)
    }

    /// One of `allowed`, if present.
    pub fn optional_choice(&mut self, name: &str, allowed: &[&str]) -> Option<String> {
        let value = self.optional_nonblank(name)?;
        if allowed.contains(&value.as_str()) {
            Some(value)
        } else {
            self.error(
                name,
                format!(
                    "The selected {} is invalid (one of: {}).",
                    label(name),
                    allowed.join(", ")
                ),
            );
            None
        }
    }

    /// A list of strings that may be absent or null; each single-line text
    /// (see [`TextRule`]), trimmed.
    pub fn optional_string_list(&mut self, name: &str) -> Option<Vec<String>> {
        match self.object.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                let list: Vec<String> = items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                if list.iter().all(|s| TextRule::SingleLine.allows(s)) {
                    Some(list.iter().map(|s| s.trim().to_string()).collect())
                } else {
                    let rule = TextRule::SingleLine;
                    self.error(name, format!("The {} {}", label(name), rule.complaint()));
                    None
                }
            }
            Some(_) => {
                self.error(
                    name,
                    format!("The {} must be a list of strings.", label(name)),
                );
                None
            }
        }
    }

    /// A boolean that may be absent or null.
    pub fn optional_bool(&mut self, name: &str) -> Option<bool> {
        match self.object.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.error(
                    name,
                    format!("The {} field must be true or false.", label(name)),
                );
                None
            }
        }
    }

    /// Ends reading: `Err` (422) if any message was recorded; 500 if the
    /// reader took a field its contract does not declare.
    pub fn finish(self) -> Result<(), ApiError> {
        if !self.undeclared.is_empty() {
            let contract = self.contract.map_or("(none)", |c| c.name);
            return Err(ApiError::internal(format!(
                "the reader of {contract} took fields it does not declare: {}",
                self.undeclared.join(", ")
            )));
        }
        self.errors.into_result()
    }
}

/// Reads `T` from `fields`: its contract first (if it has one), then its
/// `from_fields`.
pub fn read_fields<T: FromJsonObject>(mut fields: Fields) -> Result<T, ApiError> {
    T::prepare(&mut fields);
    if let Some((contract, mode)) = T::CONTRACT {
        fields.read_contract(contract, mode);
    }
    let out = T::from_fields(&mut fields);
    fields.finish()?;
    Ok(out)
}

/// Parses a request body into `T`: 400 for malformed JSON, 422 for anything else.
pub fn parse_json_object<T: FromJsonObject>(bytes: &[u8]) -> Result<T, ApiError> {
    // No body at all is an empty object; anything else must be one JSON
    // document (whitespace alone is not: schemathesis case oiTvgH, a PUT with
    // the body " " that changed nothing and answered 200). A key given twice is
    // malformed too: which of the two was meant cannot be known.
    let body = if bytes.is_empty() {
        strict_json::StrictBody {
            value: Value::Object(Map::new()),
            numbers: HashMap::new(),
        }
    } else {
        strict_json::parse(bytes).map_err(|e| ApiError::malformed_json(&e.to_string()))?
    };
    let Value::Object(object) = body.value else {
        return Err(ApiError::invalid_field(
            "body",
            "The request body must be a JSON object.",
        ));
    };
    read_fields(Fields::with_numbers(object, body.numbers))
}

/// An operation's required request body: `T`'s schema under each of
/// `content_types`.
fn body_of<T: Type>(content_types: &[&'static str]) -> Option<MetaRequest> {
    Some(MetaRequest {
        description: None,
        content: content_types
            .iter()
            .map(|&content_type| MetaMediaType {
                content_type,
                schema: T::schema_ref(),
            })
            .collect(),
        required: true,
    })
}

/// The content type of a JSON body.
const JSON: &str = "application/json";
/// The content type of an HTML/OAuth form.
const FORM: &str = "application/x-www-form-urlencoded";

/// `application/json`, or any `application/...+json`.
fn is_json(content_type: &str) -> bool {
    content_type.parse::<mime::Mime>().is_ok_and(|m| {
        m.type_() == "application"
            && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
    })
}

fn is_form(content_type: &str) -> bool {
    content_type
        .parse::<mime::Mime>()
        .is_ok_and(|m| m.essence_str() == FORM)
}

/// Parses an `application/x-www-form-urlencoded` body into `T` (values are
/// strings; a repeated key keeps its first value).
pub fn parse_form_object<T: FromJsonObject>(bytes: &[u8]) -> Result<T, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
        .map_err(|e| ApiError::bad_request(format!("Malformed form body: {e}.")))?;
    let mut object = Map::new();
    for (k, v) in pairs {
        object.entry(k).or_insert(Value::String(v));
    }
    read_fields(Fields::new(object))
}

/// A request body read with [`FromJsonObject`]: JSON and, with `FORMS`, also
/// an HTML/OAuth form. Its schema in the OpenAPI document is `T`'s.
pub struct Body<T, const FORMS: bool>(pub T);

/// A JSON request body.
pub type JsonBody<T> = Body<T, false>;

/// A body sent as JSON or as an HTML/OAuth form, read alike either way (OAuth
/// 2.0 token endpoints take forms).
pub type JsonOrForm<T> = Body<T, true>;

impl<'a, T: Type + FromJsonObject + Send, const FORMS: bool> ApiExtractor<'a> for Body<T, FORMS> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        if FORMS {
            body_of::<T>(&[JSON, FORM])
        } else {
            body_of::<T>(&[JSON])
        }
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let content_type = request.content_type().map(str::to_string);
        let parse = match content_type {
            Some(ct) if FORMS && is_form(&ct) => parse_form_object::<T>,
            Some(ct) if is_json(&ct) => parse_json_object::<T>,
            Some(ct) => {
                return Err(poem_openapi::error::ContentTypeError::NotSupported {
                    content_type: ct,
                }
                .into())
            }
            None => return Err(poem_openapi::error::ContentTypeError::ExpectContentType.into()),
        };
        let bytes = <Vec<u8> as poem::FromRequest>::from_request(request, body).await?;
        Ok(Self(parse(&bytes)?))
    }
}
