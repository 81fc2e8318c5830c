//! The OpenAPI schema of a [`Contract`], generated from its field table: what
//! the reader checks, said as JSON Schema (lengths, patterns, enum values,
//! ranges, required fields) and nothing stricter.
//!
//! A request type gets its schema with [`contract_type!`](crate::contract_type):
//! `contract_type!(NewPackage, PACKAGE);`.

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use serde_json::Value;

use super::field::{Contract, ContractKind, Field, Kind, Text};
use super::text::BLANK_PATTERN;

/// Largest amount (10^12 major units; see `Money::from_decimal_text`).
const MONEY_MAX: f64 = 1e12;

/// The schema of one string under `text` (without description or nullable).
fn text_schema(text: &Text, min: Option<usize>, format: Option<&'static str>) -> MetaSchemaRef {
    if let Some(of) = text.enum_ref {
        return (of.schema_ref)();
    }
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        format: text.format.or(format),
        max_length: text.max,
        min_length: min,
        pattern: text.stated_pattern().map(str::to_string),
        enum_items: text
            .values
            .iter()
            .map(|v| Value::String((*v).to_string()))
            .collect(),
        ..MetaSchema::new("string")
    }))
}

/// The schema of one property of a `kind` contract.
pub fn field_schema(field: &Field, kind: ContractKind) -> MetaSchemaRef {
    let nullable = field.nullable_in(kind);
    let base = match field.kind {
        Kind::Text(text) => {
            // Blank text is no value where one is required or where blank is
            // an error: at least one character then, and one that is not
            // whitespace (the rule's non-blank pattern, where the rule's is the
            // pattern stated). Elsewhere blank text is accepted as nothing, so
            // a minimum of one character is no rule.
            let must_hold = field.refuses_blank();
            let min = match (text.min, must_hold) {
                (Some(a), true) => Some(a.max(1)),
                (None, true) => Some(1),
                (Some(1), false) => None,
                (a, false) => a,
            };
            let mut schema = text_schema(&text, min, field.format);
            if let MetaSchemaRef::Inline(s) = &mut schema {
                let rule = text.rule.pattern();
                match s.pattern.as_deref() {
                    Some(p) if must_hold && p == rule => {
                        s.pattern = Some(text.rule.nonblank_pattern().to_string());
                    }
                    // A normaliser's or the field's own pattern: blank text
                    // is nothing, so it is accepted too.
                    Some(p) if !must_hold && p != rule => {
                        s.pattern = Some(format!("{BLANK_PATTERN}|{p}"));
                    }
                    _ => {}
                }
            }
            // OpenAPI 3.0: a nullable enum lists null among its values, or a
            // validator refuses the null the reader accepts.
            if let MetaSchemaRef::Inline(s) = &mut schema {
                if nullable && !s.enum_items.is_empty() {
                    s.enum_items.push(Value::Null);
                }
            }
            schema
        }
        Kind::Secret { min, max, rule } => MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: field.format,
            // Where the empty string is nothing, there is no minimum to state.
            min_length: field.refuses_blank().then_some(min.max(1)),
            max_length: max,
            pattern: rule.map(|r| r.pattern().to_string()),
            ..MetaSchema::new("string")
        })),
        Kind::Integer { min, max, .. } => MetaSchemaRef::Inline(Box::new(MetaSchema {
            minimum: min.map(|n| n as f64),
            maximum: max.map(|n| n as f64),
            ..MetaSchema::new_with_format("integer", "int64")
        })),
        Kind::Money { positive } => MetaSchemaRef::Inline(Box::new(MetaSchema {
            multiple_of: Some(0.01),
            minimum: Some(if positive { 0.01 } else { 0.0 }),
            maximum: Some(MONEY_MAX),
            ..MetaSchema::new_with_format("number", "double")
        })),
        Kind::Bool => MetaSchemaRef::Inline(Box::new(MetaSchema::new("boolean"))),
        Kind::List {
            item,
            min_items,
            max_items,
        } => MetaSchemaRef::Inline(Box::new(MetaSchema {
            items: Some(Box::new(text_schema(&item, item.min, None))),
            min_items,
            max_items,
            ..MetaSchema::new("array")
        })),
    };
    // As poem-openapi's `Object` derive does: description and nullable
    // patched onto the type's schema (beside a `$ref` in an `allOf`).
    let is_ref = matches!(base, MetaSchemaRef::Reference(_));
    let patch = MetaSchema {
        description: field.description,
        nullable,
        example: if is_ref {
            None
        } else {
            field.example.as_ref().map(|e| e.to_json())
        },
        ..MetaSchema::ANY
    };
    base.merge(patch)
}

/// The object schema of `contract`.
pub fn object_schema(contract: &Contract) -> MetaSchema {
    let required = match contract.kind {
        ContractKind::Create => contract
            .fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect(),
        ContractKind::Patch | ContractKind::Shared => Vec::new(),
    };
    MetaSchema {
        title: Some(contract.name.to_string()),
        description: contract.description,
        required,
        properties: contract
            .fields
            .iter()
            .map(|f| (f.name, field_schema(f, contract.kind)))
            .collect(),
        example: Some(contract.example_json()),
        ..MetaSchema::new("object")
    }
}

/// Puts `contract`'s schema (and the enums it refers to) in `registry`. Two
/// request types of one contract (create and update) share it.
pub fn register(contract: &'static Contract, registry: &mut Registry) {
    for field in contract.fields {
        let text = match field.kind {
            Kind::Text(t) | Kind::List { item: t, .. } => t,
            _ => continue,
        };
        if let Some(of) = text.enum_ref {
            (of.register)(registry);
        }
    }
    if !registry.schemas.contains_key(contract.name) {
        registry
            .schemas
            .insert(contract.name.to_string(), object_schema(contract));
    }
}

/// The items of a `poem_openapi::types::Type` impl that every wire type here
/// writes alike: the value is its own raw value and its only element. Inside
/// the impl: `own_raw_value!();`.
#[macro_export]
macro_rules! own_raw_value {
    () => {
        type RawValueType = Self;
        type RawElementValueType = Self;

        fn as_raw_value(&self) -> Option<&Self::RawValueType> {
            Some(self)
        }

        fn raw_element_iter<'a>(
            &'a self,
        ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
            Box::new(self.as_raw_value().into_iter())
        }
    };
}

/// Implements `poem_openapi::types::Type` for a wire type that is its own raw
/// value and whose schema is written out where it is used (no `$ref`):
/// `inline_type!(Amount, "amount", MetaSchema { .. });`, with `required:
/// false` for a parameter that may be absent.
#[macro_export]
macro_rules! inline_type {
    ($ty:ty, $name:expr, $schema:expr) => {
        $crate::inline_type!($ty, $name, $schema, required: true);
    };
    ($ty:ty, $name:expr, $schema:expr, required: $required:expr) => {
        impl ::poem_openapi::types::Type for $ty {
            const IS_REQUIRED: bool = $required;
            $crate::own_raw_value!();

            fn name() -> ::std::borrow::Cow<'static, str> {
                $name.into()
            }

            fn schema_ref() -> ::poem_openapi::registry::MetaSchemaRef {
                ::poem_openapi::registry::MetaSchemaRef::Inline(Box::new($schema))
            }
        }
    };
}

/// Declares an enum of the values a field or a query parameter takes, each
/// value's text stated once: the `poem_openapi::Enum` (its schema and
/// parser), `as_str`, and `VALUES` (all of them, for a field table).
///
/// ```ignore
/// wire_enum! {
///     /// Sort orders (`-` for descending).
///     pub enum Sort {
///         Name = "name",
///         NameDesc = "-name",
///     }
/// }
/// ```
#[macro_export]
macro_rules! wire_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident = $text:tt,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, ::poem_openapi::Enum)]
        pub enum $name {
            $(
                #[oai(rename = $text)]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in the schema's order.
            pub const VALUES: &'static [&'static str] = &[$($text),+];

            /// The value as sent and stored.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }
    };
}

/// Gives a request type the OpenAPI schema of its [`Contract`]:
/// `contract_type!(NewPackage, PACKAGE);` (a `static` or `const` contract).
#[macro_export]
macro_rules! contract_type {
    ($ty:ty, $contract:expr) => {
        impl ::poem_openapi::types::Type for $ty {
            const IS_REQUIRED: bool = true;
            $crate::own_raw_value!();
            fn name() -> ::std::borrow::Cow<'static, str> {
                $contract.name.into()
            }
            fn schema_ref() -> ::poem_openapi::registry::MetaSchemaRef {
                ::poem_openapi::registry::MetaSchemaRef::Reference($contract.name.to_string())
            }
            fn register(registry: &mut ::poem_openapi::registry::Registry) {
                $crate::contract::schema::register(&$contract, registry);
                $crate::contract::registry::record::<$ty>();
            }
        }
    };
}

/// The create and the update body of one shared contract: newtypes of one
/// patch, read by one function given the [`Mode`](super::field::Mode) —
/// `create_and_update!(ROUTER, read_patch => NewRouter, RouterChanges);` with
/// `fn read_patch(f: &mut Fields, mode: Mode) -> RouterPatch`,
/// `struct NewRouter(pub RouterPatch)` and `struct RouterChanges(pub RouterPatch)`.
#[macro_export]
macro_rules! create_and_update {
    ($contract:expr, $read:path => $new:ident, $changes:ident) => {
        $crate::contract_type!($new, $contract);
        $crate::contract_type!($changes, $contract);
        $crate::create_and_update!(@read $new, $contract, $read, Create);
        $crate::create_and_update!(@read $changes, $contract, $read, Update);
    };
    (@read $ty:ident, $contract:expr, $read:path, $mode:ident) => {
        impl $crate::contract::body::FromJsonObject for $ty {
            const CONTRACT: Option<(
                &'static $crate::contract::field::Contract,
                $crate::contract::field::Mode,
            )> = Some((&$contract, $crate::contract::field::Mode::$mode));

            fn from_fields(f: &mut $crate::contract::body::Fields) -> Self {
                Self($read(f, $crate::contract::field::Mode::$mode))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use poem_openapi::{types::Type, Enum, Object};
    use serde_json::{json, Value};

    use super::*;
    use crate::contract::{
        field::{EnumRef, Ex},
        text::SingleLine,
    };

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
    #[oai(rename_all = "lowercase")]
    enum Cycle {
        Monthly,
        Days,
    }

    /// What a hand-written `Object` said (the way the `*Input` structs did).
    #[derive(Debug, Object)]
    #[allow(dead_code)]
    struct LegacyInput {
        #[oai(validator(min_length = 1, max_length = 100))]
        name: SingleLine,
        /// `monthly` (default) or `days`.
        #[oai(nullable)]
        cycle: Option<Cycle>,
        #[oai(nullable)]
        plain: Option<Cycle>,
        #[oai(nullable, validator(minimum(value = "1"), maximum(value = "65535")))]
        port: Option<i64>,
        #[oai(nullable)]
        active: Option<bool>,
        #[oai(validator(min_items = 1))]
        phones: Vec<SingleLine>,
        #[oai(validator(min_length = 1))]
        password: String,
    }

    const CYCLES: [&str; 2] = ["monthly", "days"];

    static NEW: Contract = Contract {
        name: "NewInput",
        description: Some("A thing."),
        kind: ContractKind::Create,
        fields: &[
            Field::text("name")
                .required()
                .max(100)
                .example(Ex::Str("x")),
            Field::enumeration("cycle", &CYCLES, EnumRef::of::<Cycle>())
                .nullable()
                .describe("`monthly` (default) or `days`.")
                .example(Ex::Str("days")),
            Field::enumeration("plain", &CYCLES, EnumRef::of::<Cycle>()).nullable(),
            Field::integer("port").range(1, 65535).nullable(),
            Field::boolean("active").nullable(),
            Field::list("phones", Text::line()).required().min(1),
            Field::secret("password").required(),
        ],
        example: None,
    };

    fn doc_of(register: fn(&mut Registry), name: &str) -> Value {
        let mut registry = Registry::new();
        register(&mut registry);
        serde_json::to_value(&registry.schemas[name]).unwrap()
    }

    /// Property for property, the generated schema says what the derive said
    /// (plus the examples and `maximum` where a contract states more).
    #[test]
    fn same_shapes_as_the_object_derive() {
        let legacy = doc_of(LegacyInput::register, "LegacyInput");
        let mut registry = Registry::new();
        register(&NEW, &mut registry);
        let new = serde_json::to_value(&registry.schemas["NewInput"]).unwrap();
        assert!(
            registry.schemas.contains_key("Cycle"),
            "the enum is registered"
        );
        assert_eq!(new["required"], legacy["required"]);
        assert_eq!(new["description"], "A thing.");
        let (lp, np) = (
            legacy["properties"].as_object().unwrap(),
            new["properties"].as_object().unwrap(),
        );
        assert_eq!(
            lp.keys().collect::<Vec<_>>(),
            np.keys().collect::<Vec<_>>(),
            "order"
        );
        for (k, v) in lp {
            let mut n = np[k].clone();
            n.as_object_mut().unwrap().remove("example");
            let mut v = v.clone();
            if k == "name" {
                // Required text says "not blank" in its pattern, too.
                assert_eq!(
                    n["pattern"],
                    crate::contract::text::SINGLE_LINE_NONBLANK_PATTERN
                );
                v["pattern"] = n["pattern"].clone();
            }
            assert_eq!(n, v, "{k}");
        }
        assert_eq!(np["name"]["example"], "x");
        assert!(np["cycle"].get("example").is_none(), "none beside a $ref");
        assert_eq!(
            new["example"],
            json!({"name": "x", "cycle": "days"}),
            "composed from the fields' examples"
        );
    }

    #[test]
    fn rules_the_reader_checks_are_stated() {
        static RULES: Contract = Contract {
            name: "RulesInput",
            description: None,
            kind: ContractKind::Shared,
            fields: &[
                Field::choice("snmp_version", &["v2c", "v3"]).nullable(),
                Field::with(
                    "phone",
                    Text::line().normalised(super::super::field::normalisers::PHONE),
                ),
                Field::positive_money("amount"),
                Field::money("price"),
                Field::reference("package_id"),
                Field::text("code").nonblank(),
                Field::text("name").required(),
                Field::text("nick").range(1, 20),
                Field::secret_line("pin").format("password").range(4, 8),
                Field::text("due_date").required().format("date"),
            ],
            example: None,
        };
        let mut registry = Registry::new();
        register(&RULES, &mut registry);
        let s = serde_json::to_value(&registry.schemas["RulesInput"]).unwrap();
        let p = &s["properties"];
        assert!(s.get("required").is_none(), "a shared schema lists none");
        // Nullable: null is among the values (OpenAPI 3.0).
        assert_eq!(p["snmp_version"]["enum"], json!(["v2c", "v3", null]));
        assert_eq!(
            p["snmp_version"]["pattern"],
            crate::contract::text::SINGLE_LINE_NONBLANK_PATTERN,
            "a choice: blank is no value"
        );
        assert_eq!(
            p["phone"]["pattern"],
            format!(
                "{BLANK_PATTERN}|{}",
                super::super::field::normalisers::PHONE_PATTERN
            ),
            "optional: blank is nothing, else a phone number"
        );
        assert_eq!(p["amount"]["minimum"], 0.01);
        assert_eq!(p["price"]["minimum"], 0.0);
        assert_eq!(p["price"]["maximum"], 1e12);
        assert_eq!(p["price"]["multipleOf"], 0.01);
        assert_eq!(p["package_id"]["minimum"], 1.0);
        assert_eq!(p["code"]["minLength"], 1, "blank is refused");
        assert_eq!(p["name"]["minLength"], 1, "required: not blank");
        assert_eq!(
            p["name"]["pattern"],
            crate::contract::text::SINGLE_LINE_NONBLANK_PATTERN,
            "required: not whitespace only"
        );
        assert!(
            p["nick"].get("minLength").is_none(),
            "blank is nothing, not too short"
        );
        assert_eq!(p["nick"]["maxLength"], 20);
        assert_eq!(p["due_date"]["format"], "date");
        assert!(p["due_date"].get("pattern").is_none(), "the format says it");
        assert_eq!(p["pin"]["format"], "password");
        assert_eq!(p["pin"]["minLength"], 4);
        assert_eq!(p["pin"]["maxLength"], 8);
        assert_eq!(
            p["pin"]["pattern"],
            crate::contract::text::SINGLE_LINE_PATTERN
        );
    }
}
