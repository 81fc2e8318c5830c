//! One declaration per input contract: a [`Contract`] is a table of [`Field`]s
//! that drives both the body reader (presence, type, text rule, lengths,
//! pattern, enum values, range, normaliser — with the per-field messages of
//! [`Fields`]) and the OpenAPI schema of the body (see [`super::schema`]).
//!
//! A request type names its contract in [`FromJsonObject::CONTRACT`]; the body
//! is checked against the table before [`FromJsonObject::from_fields`] runs,
//! and `from_fields` only takes the checked values out ([`Fields::take`]) and
//! applies the rules that involve more than one field.
//!
//! Text is checked as sent for the text rule and the maximum length (what the
//! schema's `pattern` and `maxLength` say), then trimmed; the minimum length,
//! enum values, pattern and normaliser apply to the trimmed text, which is the
//! value kept. So a value the schema accepts is refused only for what a schema
//! cannot say: blank text where a value is required, or whitespace at the ends
//! that leaves less than the minimum.
//!
//! [`FromJsonObject::CONTRACT`]: super::body::FromJsonObject::CONTRACT
//! [`FromJsonObject::from_fields`]: super::body::FromJsonObject::from_fields

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use regex::Regex;
use serde_json::Value;

use super::body::{label, Fields};
use super::text::TextRule;
use crate::domain::money::Money;

/// An input contract: the body of one or more operations.
#[derive(Debug)]
pub struct Contract {
    /// The schema's name in the OpenAPI document (`PackageInput`).
    pub name: &'static str,
    pub description: Option<&'static str>,
    pub kind: ContractKind,
    pub fields: &'static [Field],
    /// The example as JSON text; `None` composes it from the fields' examples.
    pub example: Option<&'static str>,
}

/// What the schema says about required fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractKind {
    /// The body of a create: the schema lists the required fields.
    Create,
    /// The body of an update: nothing is required, what is absent stays.
    Patch,
    /// One schema for both create and update (the readers choose the
    /// [`Mode`]): the schema cannot list the fields required on create.
    Shared,
}

/// How a reader reads its contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Fields marked required must be present and not blank.
    Create,
    /// Nothing is required. A field required on create cannot be cleared:
    /// null leaves it as it is, blank text is refused as "required".
    Update,
}

impl Mode {
    /// `create` or `update`, by mode: what differs between the create and
    /// the update contract made from one field list (an example, a
    /// description).
    pub const fn pick<T: Copy>(self, create: T, update: T) -> T {
        match self {
            Mode::Create => create,
            Mode::Update => update,
        }
    }

    pub const fn is_create(self) -> bool {
        matches!(self, Mode::Create)
    }
}

impl Contract {
    /// The mode a reader of a `Create` or `Patch` contract reads it in.
    pub const fn mode(&self) -> Mode {
        match self.kind {
            ContractKind::Create | ContractKind::Shared => Mode::Create,
            ContractKind::Patch => Mode::Update,
        }
    }

    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The example as JSON: [`Contract::example`], or an object of the
    /// fields' examples in field order.
    pub fn example_json(&self) -> Value {
        if let Some(text) = self.example {
            return serde_json::from_str(text).unwrap_or(Value::Null);
        }
        Value::Object(
            self.fields
                .iter()
                .filter_map(|f| Some((f.name.to_string(), f.example.as_ref()?.to_json())))
                .collect(),
        )
    }
}

/// One field of a contract. Built with the `const fn` constructors
/// ([`Field::text`], [`Field::integer`], ...) and modifiers
/// ([`Field::required`], [`Field::chars`], ...).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// Must be present and not blank on create ([`Mode::Create`]).
    pub required: bool,
    /// The schema says `nullable` (null means absent on create, clear on
    /// update). An update's schema also says it of a `required` field (null
    /// leaves it as it is): see [`Field::nullable_in`].
    pub nullable: bool,
    /// Blank text is an error ("must not be empty") rather than "nothing".
    pub nonblank: bool,
    /// Another key read when this one is absent (not in the schema): the
    /// OAuth 2.0 form's `username` for `email`.
    pub alias: Option<&'static str>,
    pub description: Option<&'static str>,
    /// The schema's `format` (`password`, `email`...): said, not checked.
    pub format: Option<&'static str>,
    pub example: Option<Ex>,
    /// The end of "The <field> ..." when the value is not one of the enum
    /// values, does not match the pattern or is refused by the normaliser
    /// (instead of the kind's own message).
    pub message: Option<&'static str>,
}

/// What a field holds.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string under the text rule (see [`Text`]).
    Text(Text),
    /// A string read exactly as sent (a password): not trimmed, empty is
    /// absent; under the text `rule` if it has one (then the schema states the
    /// rule's pattern; else none).
    Secret {
        min: usize,
        max: Option<usize>,
        rule: Option<TextRule>,
    },
    /// A JSON integer. `reference`: the id of another record (below 1 is
    /// "The selected <thing> is invalid.").
    Integer {
        min: Option<i64>,
        max: Option<i64>,
        reference: bool,
    },
    /// An amount in major units (a JSON number, at most 2 decimals, from 0 to
    /// 10^12; `positive`: more than 0).
    Money {
        positive: bool,
    },
    Bool,
    /// A list of strings, each under `item`.
    List {
        item: Text,
        min_items: Option<usize>,
        max_items: Option<usize>,
    },
}

/// A string's rules.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub rule: TextRule,
    /// Minimum characters after trimming.
    pub min: Option<usize>,
    /// Maximum characters as sent.
    pub max: Option<usize>,
    /// A regular expression the trimmed text must match (also stated in the
    /// schema instead of the text rule's pattern; it must refuse what the rule
    /// refuses). Rust `regex` syntax that ECMA 262 reads alike: no lookaround.
    pub pattern: Option<&'static str>,
    /// Checks and rewrites the trimmed text (its pattern goes to the schema).
    pub normaliser: Option<Normaliser>,
    /// The allowed values (an enum). With `enum_ref`, the schema refers to
    /// that named enum; else it lists them as `enum` beside the text pattern.
    pub values: &'static [&'static str],
    pub enum_ref: Option<EnumRef>,
    /// The schema's `format` (`date`, `uuid`...), said and not checked (give
    /// the check as a pattern or normaliser). With a format and no pattern of
    /// its own, the schema states no pattern (as today's `format: date`).
    pub format: Option<&'static str>,
}

/// A rule that checks a string and gives its stored form (`normalise_phone`).
#[derive(Debug, Clone, Copy)]
pub struct Normaliser {
    pub apply: fn(&str) -> Option<String>,
    /// The end of "The <field> ..." when `apply` refuses the text.
    pub message: &'static str,
    /// A regular expression accepting exactly what `apply` accepts (text with
    /// whitespace at its ends aside), stated in the schema; `None` where a
    /// regular expression cannot say it (the text rule's pattern is stated).
    pub pattern: Option<&'static str>,
}

/// A named enum schema (`$ref`) that a text field's values are: its
/// `poem_openapi::Enum` type.
#[derive(Clone, Copy)]
pub struct EnumRef {
    pub schema_ref: fn() -> MetaSchemaRef,
    pub register: fn(&mut Registry),
}

impl std::fmt::Debug for EnumRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnumRef")
    }
}

impl EnumRef {
    /// The enum type `T` (`EnumRef::of::<BillingCycle>()`).
    pub const fn of<T: Type>() -> Self {
        Self {
            schema_ref: T::schema_ref,
            register: T::register,
        }
    }
}

/// A field's example, as the schema shows it.
#[derive(Debug, Clone, Copy)]
pub enum Ex {
    Str(&'static str),
    Int(i64),
    /// A number, as JSON text (`"1500.50"`).
    Num(&'static str),
    Bool(bool),
    List(&'static [&'static str]),
}

impl Ex {
    pub fn to_json(&self) -> Value {
        match *self {
            Ex::Str(s) => Value::String(s.to_string()),
            Ex::Int(n) => Value::from(n),
            Ex::Num(s) => serde_json::from_str(s).unwrap_or(Value::Null),
            Ex::Bool(b) => Value::Bool(b),
            Ex::List(items) => Value::Array(items.iter().map(|s| Value::from(*s)).collect()),
        }
    }
}

impl Text {
    /// Single-line text with no other rule.
    pub const fn line() -> Self {
        Self {
            rule: TextRule::SingleLine,
            min: None,
            max: None,
            pattern: None,
            normaliser: None,
            values: &[],
            enum_ref: None,
            format: None,
        }
    }

    /// Multi-line text.
    pub const fn lines() -> Self {
        Self {
            rule: TextRule::MultiLine,
            ..Self::line()
        }
    }

    pub const fn chars(mut self, min: usize, max: usize) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    pub const fn max(mut self, max: usize) -> Self {
        self.max = Some(max);
        self
    }

    pub const fn min(mut self, min: usize) -> Self {
        self.min = Some(min);
        self
    }

    pub const fn pattern(mut self, pattern: &'static str) -> Self {
        self.pattern = Some(pattern);
        self
    }

    pub const fn normalised(mut self, normaliser: Normaliser) -> Self {
        self.normaliser = Some(normaliser);
        self
    }

    pub const fn one_of(mut self, values: &'static [&'static str]) -> Self {
        self.values = values;
        self
    }

    pub const fn enum_ref(mut self, values: &'static [&'static str], of: EnumRef) -> Self {
        self.values = values;
        self.enum_ref = Some(of);
        self
    }

    pub const fn format(mut self, format: &'static str) -> Self {
        self.format = Some(format);
        self
    }

    /// The pattern the schema states: the field's own, the normaliser's, or
    /// the text rule's — none for a `$ref` enum, and none beside a `format`
    /// (`date`: the format says more than the rule).
    pub fn stated_pattern(&self) -> Option<&'static str> {
        if self.enum_ref.is_some() {
            return None;
        }
        let rule = self.format.is_none().then(|| self.rule.pattern());
        self.pattern
            .or(self.normaliser.and_then(|n| n.pattern))
            .or(rule)
    }
}

impl Field {
    const fn new(name: &'static str, kind: Kind) -> Self {
        Self {
            name,
            kind,
            required: false,
            nullable: false,
            nonblank: false,
            alias: None,
            description: None,
            format: None,
            example: None,
            message: None,
        }
    }

    /// Single-line text.
    pub const fn text(name: &'static str) -> Self {
        Self::new(name, Kind::Text(Text::line()))
    }

    /// Multi-line text.
    pub const fn multi_line(name: &'static str) -> Self {
        Self::new(name, Kind::Text(Text::lines()))
    }

    /// Text with the rules of `text`.
    pub const fn with(name: &'static str, text: Text) -> Self {
        Self::new(name, Kind::Text(text))
    }

    /// A calendar date `YYYY-MM-DD` (the schema's `format: date`).
    pub const fn date(name: &'static str) -> Self {
        Self::with(name, Text::line().normalised(normalisers::DATE)).format("date")
    }

    /// One of `values` (single-line text; the schema lists them as `enum`).
    pub const fn choice(name: &'static str, values: &'static [&'static str]) -> Self {
        Self::new(name, Kind::Text(Text::line().one_of(values)))
    }

    /// One of `values`, which are those of the named enum schema `of`.
    pub const fn enumeration(
        name: &'static str,
        values: &'static [&'static str],
        of: EnumRef,
    ) -> Self {
        Self::new(name, Kind::Text(Text::line().enum_ref(values, of)))
    }

    /// A secret read exactly as sent (at least 1 character), with no text
    /// rule: no pattern in the schema.
    pub const fn secret(name: &'static str) -> Self {
        Self::new(
            name,
            Kind::Secret {
                min: 1,
                max: None,
                rule: None,
            },
        )
    }

    /// A secret read exactly as sent, under the single-line text rule.
    pub const fn secret_line(name: &'static str) -> Self {
        Self::new(
            name,
            Kind::Secret {
                min: 1,
                max: None,
                rule: Some(TextRule::SingleLine),
            },
        )
    }

    pub const fn integer(name: &'static str) -> Self {
        Self::new(
            name,
            Kind::Integer {
                min: None,
                max: None,
                reference: false,
            },
        )
    }

    /// The id of another record: an integer of at least 1.
    pub const fn reference(name: &'static str) -> Self {
        Self::new(
            name,
            Kind::Integer {
                min: Some(1),
                max: None,
                reference: true,
            },
        )
    }

    /// An amount of at least 0.
    pub const fn money(name: &'static str) -> Self {
        Self::new(name, Kind::Money { positive: false })
    }

    /// An amount of more than 0.
    pub const fn positive_money(name: &'static str) -> Self {
        Self::new(name, Kind::Money { positive: true })
    }

    pub const fn boolean(name: &'static str) -> Self {
        Self::new(name, Kind::Bool)
    }

    /// A list of strings, each under `item`.
    pub const fn list(name: &'static str, item: Text) -> Self {
        Self::new(
            name,
            Kind::List {
                item,
                min_items: None,
                max_items: None,
            },
        )
    }

    /// Whether the schema of a `kind` contract says `nullable`: where declared,
    /// and for a field required on create in the schema of an update, where
    /// null leaves it as it is.
    pub const fn nullable_in(&self, kind: ContractKind) -> bool {
        self.nullable || (self.required && !matches!(kind, ContractKind::Create))
    }

    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub const fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }

    pub const fn nonblank(mut self) -> Self {
        self.nonblank = true;
        self
    }

    /// True when blank text (empty, or only whitespace for text) is refused:
    /// the field is required or marked non-blank, or no blank value could
    /// keep its rule — a choice among values, or a minimum above one
    /// character. Elsewhere blank text is accepted as nothing (null).
    pub fn refuses_blank(&self) -> bool {
        self.required
            || self.nonblank
            || match self.kind {
                Kind::Text(text) => !text.values.is_empty() || text.min.is_some_and(|m| m > 1),
                Kind::Secret { min, .. } => min > 1,
                _ => false,
            }
    }

    pub const fn alias(mut self, alias: &'static str) -> Self {
        self.alias = Some(alias);
        self
    }

    pub const fn describe(mut self, description: &'static str) -> Self {
        self.description = Some(description);
        self
    }

    /// The description only `when` (what a create's schema says and an
    /// update's made from the same field list does not).
    pub const fn describe_if(mut self, when: bool, description: &'static str) -> Self {
        if when {
            self.description = Some(description);
        }
        self
    }

    /// The schema's `format` (for text and lists, the same as
    /// [`Text::format`]: the text rule's pattern is then not stated).
    pub const fn format(mut self, format: &'static str) -> Self {
        self.kind = match self.kind {
            Kind::Text(t) => Kind::Text(t.format(format)),
            other => other,
        };
        self.format = Some(format);
        self
    }

    pub const fn example(mut self, example: Ex) -> Self {
        self.example = Some(example);
        self
    }

    pub const fn message(mut self, message: &'static str) -> Self {
        self.message = Some(message);
        self
    }

    /// Text: `min` to `max` characters; secret: the same; integer: the range;
    /// list: `min` to `max` items.
    pub const fn range(self, min: i64, max: i64) -> Self {
        self.min(min).max(max)
    }

    /// Text or secret: at most `max` characters; integer: at most `max`;
    /// list: at most `max` items.
    pub const fn max(mut self, max: i64) -> Self {
        self.kind = match self.kind {
            Kind::Text(t) => Kind::Text(t.max(max as usize)),
            Kind::Secret { min, rule, .. } => Kind::Secret {
                min,
                max: Some(max as usize),
                rule,
            },
            Kind::Integer { min, reference, .. } => Kind::Integer {
                min,
                max: Some(max),
                reference,
            },
            Kind::List {
                item, min_items, ..
            } => Kind::List {
                item,
                min_items,
                max_items: Some(max as usize),
            },
            other => other,
        };
        self
    }

    /// Text or secret: at least `min` characters; integer: at least `min`;
    /// list: at least `min` items.
    pub const fn min(mut self, min: i64) -> Self {
        self.kind = match self.kind {
            Kind::Text(t) => Kind::Text(t.min(min as usize)),
            Kind::Secret { max, rule, .. } => Kind::Secret {
                min: min as usize,
                max,
                rule,
            },
            Kind::Integer { max, reference, .. } => Kind::Integer {
                min: Some(min),
                max,
                reference,
            },
            Kind::List {
                item, max_items, ..
            } => Kind::List {
                item,
                min_items: Some(min as usize),
                max_items,
            },
            other => other,
        };
        self
    }
}

/// A field's value once checked, taken out with [`Fields::take`].
#[derive(Debug, Clone, PartialEq)]
pub enum Got {
    /// Not sent (or, on update, null for a field that cannot be cleared).
    Absent,
    /// Null, or blank text: "nothing" (clears the field on update).
    Null,
    /// Refused (the message is recorded; the body will be a 422).
    Invalid,
    Text(String),
    Int(i64),
    Money(Money),
    Bool(bool),
    List(Vec<String>),
}

impl Got {
    pub fn is_absent(&self) -> bool {
        matches!(self, Got::Absent)
    }

    /// `Some(Some(value))` when given, `Some(None)` when null or blank (to
    /// clear), `None` when absent or refused.
    fn patch<T>(self, value: impl FnOnce(Got) -> Option<T>) -> Option<Option<T>> {
        match self {
            Got::Absent | Got::Invalid => None,
            Got::Null => Some(None),
            other => value(other).map(Some),
        }
    }

    /// The text, if given (trimmed, normalised).
    pub fn text(self) -> Option<String> {
        match self {
            Got::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a required field ("" when refused: the body is a 422).
    pub fn text_or_empty(self) -> String {
        self.text().unwrap_or_default()
    }

    pub fn patch_text(self) -> Option<Option<String>> {
        self.patch(Got::text)
    }

    pub fn int(self) -> Option<i64> {
        match self {
            Got::Int(n) => Some(n),
            _ => None,
        }
    }

    pub fn patch_int(self) -> Option<Option<i64>> {
        self.patch(Got::int)
    }

    pub fn money(self) -> Option<Money> {
        match self {
            Got::Money(m) => Some(m),
            _ => None,
        }
    }

    pub fn patch_money(self) -> Option<Option<Money>> {
        self.patch(Got::money)
    }

    pub fn bool(self) -> Option<bool> {
        match self {
            Got::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn patch_bool(self) -> Option<Option<bool>> {
        self.patch(Got::bool)
    }

    pub fn list(self) -> Option<Vec<String>> {
        match self {
            Got::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn patch_list(self) -> Option<Option<Vec<String>>> {
        self.patch(Got::list)
    }
}

/// Compiled patterns, once each.
fn regex(pattern: &'static str) -> Option<Regex> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(re) = cache.get(pattern) {
        return Some(re.clone());
    }
    let re = Regex::new(pattern).ok()?;
    cache.insert(pattern, re.clone());
    Some(re)
}

/// True when `text` matches `pattern` (a pattern that does not compile
/// matches nothing: the contract tests compile every pattern).
pub fn matches(pattern: &'static str, text: &str) -> bool {
    regex(pattern).is_some_and(|re| re.is_match(text))
}

/// What reading one string gave.
enum Read {
    Absent,
    Null,
    Blank,
    Bad,
    Ok(String),
}

/// Checks one string under `text` (the rule as sent, then trimmed: length,
/// values, pattern, normaliser). Messages go to `key`.
fn check_text(f: &mut Fields, key: &str, field: &Field, text: &Text, raw: &str) -> Read {
    let what = label(key);
    if !text.rule.allows(raw) {
        f.error(key, format!("The {what} {}", text.rule.complaint()));
        return Read::Bad;
    }
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Read::Blank;
    }
    if let Some(max) = text.max {
        if raw.chars().count() > max {
            f.error(
                key,
                format!("The {what} may not be longer than {max} characters."),
            );
            return Read::Bad;
        }
    }
    if let Some(min) = text.min {
        if trimmed.chars().count() < min {
            f.error(
                key,
                format!("The {what} must be at least {min} characters."),
            );
            return Read::Bad;
        }
    }
    if !text.values.is_empty() && !text.values.contains(&trimmed) {
        let message = match field.message {
            Some(m) => format!("The {what} {m}"),
            None => format!(
                "The selected {what} is invalid (one of: {}).",
                text.values.join(", ")
            ),
        };
        f.error(key, message);
        return Read::Bad;
    }
    if let Some(pattern) = text.pattern {
        if !matches(pattern, trimmed) {
            let m = field.message.unwrap_or("format is invalid.");
            f.error(key, format!("The {what} {m}"));
            return Read::Bad;
        }
    }
    if let Some(n) = text.normaliser {
        return match (n.apply)(trimmed) {
            Some(v) => Read::Ok(v),
            None => {
                let m = field.message.unwrap_or(n.message);
                f.error(key, format!("The {what} {m}"));
                Read::Bad
            }
        };
    }
    Read::Ok(trimmed.to_string())
}

fn read_one(f: &mut Fields, key: &str, field: &Field) -> (Read, Option<Got>) {
    let what = label(key);
    let value = match f.raw(key) {
        None => return (Read::Absent, None),
        Some(Value::Null) => return (Read::Null, None),
        Some(v) => v.clone(),
    };
    match field.kind {
        Kind::Text(text) => match value {
            Value::String(s) => (check_text(f, key, field, &text, &s), None),
            _ => {
                f.error(key, format!("The {what} must be a string."));
                (Read::Bad, None)
            }
        },
        Kind::Secret { min, max, rule } => match value {
            Value::String(s) if s.is_empty() => (Read::Blank, None),
            Value::String(s) if rule.is_some_and(|r| !r.allows(&s)) => {
                let complaint = rule.map_or("", |r| r.complaint());
                f.error(key, format!("The {what} {complaint}"));
                (Read::Bad, None)
            }
            Value::String(s) => {
                let n = s.chars().count();
                if max.is_some_and(|max| n > max) {
                    let max = max.unwrap_or_default();
                    f.error(
                        key,
                        format!("The {what} may not be longer than {max} characters."),
                    );
                    (Read::Bad, None)
                } else if n < min {
                    f.error(
                        key,
                        format!("The {what} must be at least {min} characters."),
                    );
                    (Read::Bad, None)
                } else {
                    (Read::Ok(s), None)
                }
            }
            _ => {
                f.error(key, format!("The {what} must be a string."));
                (Read::Bad, None)
            }
        },
        Kind::Integer {
            min,
            max,
            reference,
        } => {
            let Some(n) = value.as_i64() else {
                f.error(key, format!("The {what} must be an integer."));
                return (Read::Bad, None);
            };
            let low = min.is_some_and(|min| n < min);
            let high = max.is_some_and(|max| n > max);
            if reference && n < 1 {
                let thing = label(key.trim_end_matches("_id"));
                f.error(key, format!("The selected {thing} is invalid."));
            } else if low || high {
                let message = match (min, max) {
                    (Some(min), Some(max)) => format!("must be between {min} and {max}."),
                    (Some(min), None) => format!("must be at least {min}."),
                    (None, Some(max)) => format!("may not be greater than {max}."),
                    (None, None) => String::new(),
                };
                f.error(key, format!("The {what} {message}"));
            } else {
                return (Read::Absent, Some(Got::Int(n)));
            }
            (Read::Bad, None)
        }
        Kind::Money { positive } => {
            let read = match &value {
                Value::Number(n) => match f.number_text(key) {
                    Some(text) => Money::from_decimal_text(&text),
                    None => Money::from_json(&Value::Number(n.clone())),
                },
                v => Money::from_json(v),
            };
            match read {
                Ok(m) if positive && m.minor() <= 0 => {
                    f.error(key, format!("The {what} must be greater than 0."));
                    (Read::Bad, None)
                }
                Ok(m) => (Read::Absent, Some(Got::Money(m))),
                Err(e) => {
                    f.error(key, format!("The {what} {}", e.message()));
                    (Read::Bad, None)
                }
            }
        }
        Kind::Bool => match value {
            Value::Bool(b) => (Read::Absent, Some(Got::Bool(b))),
            _ => {
                f.error(key, format!("The {what} field must be true or false."));
                (Read::Bad, None)
            }
        },
        Kind::List {
            item,
            min_items,
            max_items,
        } => {
            let Value::Array(items) = value else {
                f.error(key, format!("The {what} must be a list of strings."));
                return (Read::Bad, None);
            };
            if !items.iter().all(Value::is_string) {
                f.error(key, format!("The {what} must be a list of strings."));
                return (Read::Bad, None);
            }
            if min_items.is_some_and(|min| items.len() < min) {
                let min = min_items.unwrap_or_default();
                let s = if min == 1 { "" } else { "s" };
                f.error(key, format!("The {what} must have at least {min} item{s}."));
                return (Read::Bad, None);
            }
            if max_items.is_some_and(|max| items.len() > max) {
                let max = max_items.unwrap_or_default();
                f.error(
                    key,
                    format!("The {what} may not have more than {max} items."),
                );
                return (Read::Bad, None);
            }
            let mut out = Vec::with_capacity(items.len());
            for s in items.iter().filter_map(Value::as_str) {
                match check_text(f, key, field, &item, s) {
                    Read::Ok(v) => out.push(v),
                    Read::Blank => out.push(String::new()),
                    _ => return (Read::Bad, None),
                }
            }
            (Read::Absent, Some(Got::List(out)))
        }
    }
}

impl Fields {
    /// Checks every field of `contract` (read in `mode`), keeping the values
    /// for [`Fields::take`].
    pub fn read_contract(&mut self, contract: &'static Contract, mode: Mode) {
        self.set_contract(contract);
        for field in contract.fields {
            // The alias is read when this key is absent or null and the alias
            // is not.
            let given = |f: &Self, key: &str| f.raw(key).is_some_and(|v| !v.is_null());
            let key = match field.alias {
                Some(alias) if !given(self, field.name) && given(self, alias) => alias,
                _ => field.name,
            };
            let (read, got) = read_one(self, key, field);
            let got = match (got, read) {
                (Some(got), _) => got,
                (None, Read::Ok(s)) => Got::Text(s),
                (None, Read::Bad) => Got::Invalid,
                (None, Read::Absent) => Got::Absent,
                // A field required on create cannot be cleared: on update,
                // null leaves it as it is.
                (None, Read::Null) if field.required && mode == Mode::Update => Got::Absent,
                (None, Read::Null) => Got::Null,
                // Blank text is no value where one is required (on update,
                // too: it cannot be cleared).
                (None, Read::Blank) if field.required => {
                    self.error(key, format!("The {} field is required.", label(key)));
                    Got::Invalid
                }
                (None, Read::Blank) if field.refuses_blank() => {
                    self.error(key, format!("The {} must not be empty.", label(key)));
                    Got::Invalid
                }
                (None, Read::Blank) => Got::Null,
            };
            let got = match got {
                Got::Absent | Got::Null
                    if field.required && mode == Mode::Create && !self.has_error(key) =>
                {
                    self.error(key, format!("The {} field is required.", label(key)));
                    Got::Invalid
                }
                got => got,
            };
            self.put(field.name, got);
        }
    }
}

/// Normalisers with their messages and patterns, for fields that take a
/// phone number, an email address or a MAC address.
pub mod normalisers {
    use super::Normaliser;
    use crate::domain::{customer, staff};

    /// What `normalise_phone` accepts: a Bangladesh mobile number `01[3-9]` and
    /// 8 digits (also after `880` or `+880`), or `+` and 8 to 15 digits not
    /// starting with 0 (and not `880` then something else), with spaces,
    /// dashes, dots and brackets anywhere.
    pub const PHONE_PATTERN: &str = concat!(
        r"^[ ().-]*(?:",
        r"(?:\+[ ().-]*)?8[ ().-]*8[ ().-]*0[ ().-]*1[ ().-]*[3-9](?:[ ().-]*[0-9]){8}",
        r"|0[ ().-]*1[ ().-]*[3-9](?:[ ().-]*[0-9]){8}",
        r"|\+[ ().-]*(?:[1-79](?:[ ().-]*[0-9]){7,14}",
        r"|8[ ().-]*[0-79](?:[ ().-]*[0-9]){6,13}",
        r"|8[ ().-]*8[ ().-]*[1-9](?:[ ().-]*[0-9]){5,12})",
        r")[ ().-]*$"
    );

    /// What `normalise_mac` accepts: 12 hex digits with `:`, `-` or `.`
    /// anywhere.
    pub const MAC_PATTERN: &str = r"^[:.-]*(?:[0-9A-Fa-f][:.-]*){12}$";

    /// What `normalise_email` accepts, in ASCII (it also takes other letters,
    /// which a pattern cannot count in bytes): a local part of 1 to 64
    /// characters, `@`, a dotted domain; no spaces, no second `@`.
    pub const EMAIL_PATTERN: &str = r"^[!-?A-~]{1,64}@[!-\-/-?A-~]+(?:\.[!-\-/-?A-~]+)+$";

    pub const PHONE: Normaliser = Normaliser {
        apply: customer::normalise_phone,
        message: "must be a valid mobile number (01XXXXXXXXX or +8801XXXXXXXXX, or E.164).",
        pattern: Some(PHONE_PATTERN),
    };

    pub const MAC: Normaliser = Normaliser {
        apply: customer::normalise_mac,
        message: "must be a MAC address such as AA:BB:CC:DD:EE:FF.",
        pattern: Some(MAC_PATTERN),
    };

    pub const EMAIL: Normaliser = Normaliser {
        apply: staff::normalise_email,
        message: "must be a valid email address.",
        pattern: Some(EMAIL_PATTERN),
    };

    /// A calendar date `YYYY-MM-DD`, as given. No pattern: declare the field
    /// with `.format("date")`, which says it (and the schema states no other
    /// pattern beside a format).
    pub const DATE: Normaliser = Normaliser {
        apply: normalise_date,
        message: "must be a date (YYYY-MM-DD).",
        pattern: None,
    };

    /// `Some(date)` when `text` is a real calendar date `YYYY-MM-DD`.
    pub fn normalise_date(text: &str) -> Option<String> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(text, &format).ok().map(|d| d.to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use serde_json::{json, Map};

    use super::normalisers::{EMAIL, EMAIL_PATTERN, MAC, MAC_PATTERN, PHONE, PHONE_PATTERN};
    use super::*;

    static ALL_KINDS: Contract = Contract {
        name: "KindsInput",
        description: None,
        kind: ContractKind::Shared,
        fields: &[
            Field::text("name").required().max(10),
            Field::text("note").max(5),
            Field::text("code").nonblank().min(3),
            Field::multi_line("body"),
            Field::with("currency", Text::line().pattern("^[A-Z]{3}$"))
                .message("must be a three-letter code such as BDT."),
            Field::with("phone", Text::line().normalised(PHONE)),
            Field::choice("cycle", &["monthly", "days"]),
            Field::secret("password").range(2, 4),
            Field::integer("port").range(1, 65535),
            Field::integer("count").min(0),
            Field::reference("package_id"),
            Field::money("price"),
            Field::positive_money("amount"),
            Field::boolean("active"),
            Field::list("phones", Text::line().normalised(PHONE)).min(1),
            Field::text("email").alias("username"),
        ],
        example: None,
    };

    /// Reads `body` in `mode`: the values and the messages.
    fn read(body: Value, mode: Mode) -> (HashMap<&'static str, Got>, Map<String, Value>) {
        let Value::Object(object) = body else {
            panic!()
        };
        let mut f = Fields::new(object);
        f.read_contract(&ALL_KINDS, mode);
        let values = ALL_KINDS
            .fields
            .iter()
            .map(|field| (field.name, f.take(field.name)))
            .collect();
        let details = match f.finish() {
            Ok(()) => Map::new(),
            Err(e) => e.details,
        };
        (values, details)
    }

    fn messages(body: Value, mode: Mode) -> Value {
        Value::Object(read(body, mode).1)
    }

    #[test]
    fn values_are_checked_trimmed_and_normalised() {
        let (v, errors) = read(
            json!({
                "name": "  Rahim  ", "note": "", "code": " abc ", "body": "a\nb",
                "currency": "BDT", "phone": "+880 1712-345678", "cycle": "days",
                "password": " pw ", "port": 8728, "count": 0, "package_id": 3,
                "price": 0, "amount": 1500.5, "active": false,
                "phones": ["01712345678", " +8801812345678 "], "username": "x@y.z"
            }),
            Mode::Create,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(v["name"], Got::Text("Rahim".into()));
        assert_eq!(v["note"], Got::Null, "blank is nothing");
        assert_eq!(v["code"], Got::Text("abc".into()));
        assert_eq!(v["body"], Got::Text("a\nb".into()));
        assert_eq!(v["phone"], Got::Text("01712345678".into()));
        assert_eq!(v["cycle"], Got::Text("days".into()));
        assert_eq!(v["password"], Got::Text(" pw ".into()), "secrets as sent");
        assert_eq!(v["port"], Got::Int(8728));
        assert_eq!(v["package_id"], Got::Int(3));
        assert_eq!(v["price"], Got::Money(Money::ZERO));
        assert_eq!(v["amount"].clone().money().map(Money::minor), Some(150_050));
        assert_eq!(v["active"], Got::Bool(false));
        assert_eq!(
            v["phones"],
            Got::List(vec!["01712345678".into(), "01812345678".into()])
        );
        assert_eq!(v["email"], Got::Text("x@y.z".into()), "read from the alias");
        let (v, _) = read(json!({"email": null, "username": "u@v.w"}), Mode::Update);
        assert_eq!(v["email"], Got::Text("u@v.w".into()), "null is not given");
        let (v, _) = read(json!({"email": "e@f.g", "username": "u@v.w"}), Mode::Update);
        assert_eq!(v["email"], Got::Text("e@f.g".into()), "the key wins");
    }

    #[test]
    fn each_kind_says_what_is_wrong() {
        let m = messages(
            json!({
                "name": "Rahim Uddin Khan", "note": 5, "code": " ab ", "body": "a\rb",
                "currency": "bdt", "phone": "12345", "cycle": "weekly",
                "password": "toolong", "port": 0, "count": -1, "package_id": 0,
                "price": 1.005, "amount": 0, "active": "yes", "phones": [],
                "email": "a\u{202E}b"
            }),
            Mode::Create,
        );
        assert_eq!(
            m,
            json!({
                "name": ["The name may not be longer than 10 characters."],
                "note": ["The note must be a string."],
                "code": ["The code must be at least 3 characters."],
                "body": ["The body must not contain control characters (other than line breaks and tabs) or text direction overrides."],
                "currency": ["The currency must be a three-letter code such as BDT."],
                "phone": ["The phone must be a valid mobile number (01XXXXXXXXX or +8801XXXXXXXXX, or E.164)."],
                "cycle": ["The selected cycle is invalid (one of: monthly, days)."],
                "password": ["The password may not be longer than 4 characters."],
                "port": ["The port must be between 1 and 65535."],
                "count": ["The count must be at least 0."],
                "package_id": ["The selected package is invalid."],
                "price": ["The price may have at most 2 decimal places."],
                "amount": ["The amount must be greater than 0."],
                "active": ["The active field must be true or false."],
                "phones": ["The phones must have at least 1 item."],
                "email": ["The email must not contain line breaks, control characters or text direction overrides."],
            })
        );
        let m = messages(
            json!({"port": 1.5, "phones": ["01712345678", 5], "price": "5"}),
            Mode::Update,
        );
        assert_eq!(
            m,
            json!({
                "port": ["The port must be an integer."],
                "price": ["The price must be a number."],
                "phones": ["The phones must be a list of strings."],
            })
        );
    }

    #[test]
    fn required_blank_and_null_by_mode() {
        // Create: required means present and not blank; null is absent.
        assert_eq!(
            messages(json!({}), Mode::Create),
            json!({"name": ["The name field is required."]})
        );
        for name in [json!(null), json!("   ")] {
            assert_eq!(
                messages(json!({ "name": name }), Mode::Create),
                json!({"name": ["The name field is required."]})
            );
        }
        // Update: nothing is required; a required field cannot be cleared
        // (null keeps it, blank is refused); others clear with null or blank.
        let (v, errors) = read(json!({"name": null, "note": null}), Mode::Update);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(v["name"], Got::Absent);
        assert_eq!(v["note"].clone().patch_text(), Some(None));
        assert_eq!(v["phone"].clone().patch_text(), None);
        assert_eq!(
            messages(json!({"name": " "}), Mode::Update),
            json!({"name": ["The name field is required."]})
        );
        // Non-blank fields: blank is an error, null clears.
        assert_eq!(
            messages(json!({"name": "x", "code": ""}), Mode::Create),
            json!({"code": ["The code must not be empty."]})
        );
        let (v, _) = read(json!({"code": null}), Mode::Update);
        assert_eq!(v["code"], Got::Null);
    }

    #[test]
    fn lengths_count_what_the_schema_counts() {
        // Maximum: characters as sent (the schema's maxLength), so padding
        // counts; minimum: after trimming.
        assert_eq!(
            messages(json!({"name": "0123456789 "}), Mode::Create),
            json!({"name": ["The name may not be longer than 10 characters."]})
        );
        // Characters, not bytes: 10 Bangla letters are 30 bytes.
        assert!(messages(json!({"name": "রহিমরহিমরহ"}), Mode::Create)
            .as_object()
            .unwrap()
            .is_empty());
    }

    #[test]
    fn taking_an_undeclared_field_is_a_bug() {
        let mut f = Fields::new(Map::new());
        f.read_contract(&ALL_KINDS, Mode::Update);
        assert_eq!(f.take("nope"), Got::Invalid);
        let err = f.finish().unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::InternalError);
    }

    /// `pattern` accepts each of `samples` exactly when `normaliser` does.
    fn assert_pattern_is_normaliser(
        pattern: &'static str,
        normaliser: Normaliser,
        samples: &[&str],
    ) {
        for s in samples {
            assert_eq!(
                matches(pattern, s),
                (normaliser.apply)(s).is_some(),
                "{pattern} on {s:?}"
            );
        }
    }

    /// The stated patterns accept exactly what the normalisers accept.
    #[test]
    fn normaliser_patterns_match_the_normalisers() {
        let phones = [
            "01712345678",
            "+8801712345678",
            "8801712345678",
            "+880 1712-345678",
            "(+880) 1712.345.678",
            "017-1234-5678",
            "0171234567",
            "017123456789",
            "01212345678",
            "+880171234567",
            "+88012345678",
            "+441632960961",
            "+1 (202) 555-0143",
            "+12345678",
            "+1234567",
            "+1234567890123456",
            "+0441632960961",
            "+8812345678",
            "+8891234567",
            "+8801234567",
            "++8801712345678",
            "01712345678+",
            "0171234567a",
            "",
            "+",
            "--01712345678--",
            "8801812345678",
            "88012345678",
            "+79123456789",
            "+ 7 912 345 67 89",
        ];
        assert_pattern_is_normaliser(PHONE_PATTERN, PHONE, &phones);
        let macs = [
            "AA:BB:CC:DD:EE:FF",
            "aa-bb-cc-dd-ee-ff",
            "aabb.ccdd.eeff",
            "AABBCCDDEEFF",
            "AA:BB:CC:DD:EE",
            "AA:BB:CC:DD:EE:FF:00",
            "GG:BB:CC:DD:EE:FF",
            ":AA:BB:CC:DD:EE:FF:",
            "A:AB:BC:CD:DE:EF:F",
            "AA BB CC DD EE FF",
            "",
        ];
        assert_pattern_is_normaliser(MAC_PATTERN, MAC, &macs);
        let emails = [
            "admin@example.com",
            "Admin@Example.COM",
            "a@b.c",
            "a.b+c@d-e.f.g",
            "a@b",
            "@b.c",
            "a@.b",
            "a@b.",
            "a@b..c",
            "a@@b.c",
            "a@b@c.d",
            "a b@c.d",
            "ab@c d.e",
            &format!("{}@b.c", "a".repeat(64)),
            &format!("{}@b.c", "a".repeat(65)),
            "!#$%&'*+/=?^_`{|}~-@x.y",
            "",
        ];
        assert_pattern_is_normaliser(EMAIL_PATTERN, EMAIL, &emails);
        for (date, ok) in [
            ("2026-02-28", true),
            ("2024-02-29", true),
            ("2026-02-29", false),
            ("2026-13-01", false),
            ("2026-1-01", false),
            ("26-01-01", false),
            ("2026-01-01T00:00:00Z", false),
        ] {
            assert_eq!(
                super::normalisers::normalise_date(date).as_deref(),
                ok.then_some(date),
                "{date}"
            );
        }
        // Beyond ASCII the pattern says less than the normaliser takes (it
        // cannot count bytes): never more.
        assert!(!matches(EMAIL_PATTERN, "রহিম@example.com"));
    }
}
