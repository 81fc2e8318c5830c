//! The OpenAPI schema of a [`Contract`], generated from its field table: what
//! the reader checks, said as JSON Schema (lengths, patterns, enum values,
//! ranges, required fields) and nothing stricter.
//!
//! A request type gets its schema with [`contract_type!`](crate::contract_type):
//! `contract_type!(NewPackage, PACKAGE);`.

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use serde_json::Value;

use super::field::{Contract, ContractKind, Field, Kind, Text};

/// Largest amount (10^12 major units; see `Money::from_decimal_text`).
const MONEY_MAX: f64 = 1e12;

/// The schema of one string under `text` (without description or nullable).
fn text_schema(text: &Text, min: Option<usize>) -> MetaSchemaRef {
    if let Some(of) = text.enum_ref {
        return (of.schema_ref)();
    }
    MetaSchemaRef::Inline(Box::new(MetaSchema {
        format: text.format,
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

/// The schema of one property.
pub fn field_schema(field: &Field) -> MetaSchemaRef {
    let base = match field.kind {
        Kind::Text(text) => {
            // Blank text is no value where one is required or where blank is
            // an error: at least one character then.
            let floor = (field.required || field.nonblank).then_some(1);
            let min = match (text.min, floor) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            text_schema(&text, min)
        }
        Kind::Secret { min, max } => MetaSchemaRef::Inline(Box::new(MetaSchema {
            min_length: Some(min),
            max_length: max,
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
            items: Some(Box::new(text_schema(&item, item.min))),
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
        nullable: field.nullable,
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
            .map(|f| (f.name, field_schema(f)))
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

/// Gives a request type the OpenAPI schema of its [`Contract`]:
/// `contract_type!(NewPackage, PACKAGE);` (a `static` or `const` contract).
#[macro_export]
macro_rules! contract_type {
    ($ty:ty, $contract:expr) => {
        impl ::poem_openapi::types::Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;
            fn name() -> ::std::borrow::Cow<'static, str> {
                $contract.name.into()
            }
            fn schema_ref() -> ::poem_openapi::registry::MetaSchemaRef {
                ::poem_openapi::registry::MetaSchemaRef::Reference($contract.name.to_string())
            }
            fn register(registry: &mut ::poem_openapi::registry::Registry) {
                $crate::contract::schema::register(&$contract, registry);
            }
            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }
            fn raw_element_iter<'a>(
                &'a self,
            ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }
    };
}
