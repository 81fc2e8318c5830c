//! Every request type read through a [`Contract`], so the tests can walk them
//! all: each schema example must pass its reader, each pattern compile, each
//! `$ref` enum list the values the reader allows. Add a line to [`all`] for
//! every request type that has a contract.

use std::borrow::Cow;

use poem_openapi::types::Type;

use super::{
    body::{parse_json_object, FromJsonObject},
    field::{Contract, Mode},
};
use crate::error::ApiError;

/// A request type and its contract.
pub struct Entry {
    pub contract: &'static Contract,
    pub mode: Mode,
    /// The request type's schema name (its contract's).
    pub schema_name: fn() -> Cow<'static, str>,
    /// Reads a JSON body as the request type does (`Ok` when accepted).
    pub read: fn(&[u8]) -> Result<(), ApiError>,
}

fn read_as<T: FromJsonObject>(body: &[u8]) -> Result<(), ApiError> {
    parse_json_object::<T>(body).map(|_| ())
}

/// The entry of `T`, which must have a contract.
pub fn entry<T: FromJsonObject + Type>() -> Option<Entry> {
    let (contract, mode) = T::CONTRACT?;
    Some(Entry {
        contract,
        mode,
        schema_name: T::name,
        read: read_as::<T>,
    })
}

/// Every request type with a contract (API and panel).
pub fn all() -> Vec<Entry> {
    use super::{auth, session, setup};
    [
        entry::<auth::LoginRequest>(),
        entry::<auth::RefreshRequest>(),
        entry::<auth::TokenRequest>(),
        entry::<session::PanelLogin>(),
        entry::<setup::Setup>(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::collections::HashMap;

    use poem_openapi::registry::{MetaSchemaRef, Registry};
    use serde_json::Value;

    use super::*;
    use crate::contract::field::{Kind, Text};

    #[test]
    fn every_contract_example_passes_its_reader() {
        let entries = all();
        assert!(!entries.is_empty());
        for e in &entries {
            let example = e.contract.example_json();
            assert!(example.is_object(), "{}: {example}", e.contract.name);
            let body = serde_json::to_vec(&example).unwrap();
            if let Err(err) = (e.read)(&body) {
                panic!(
                    "{} ({:?}): its example {example} is refused: {:?}",
                    e.contract.name, e.mode, err.details
                );
            }
        }
    }

    #[test]
    fn contracts_have_distinct_names_and_match_their_types() {
        let mut seen: HashMap<&str, *const Contract> = HashMap::new();
        for e in all() {
            assert_eq!((e.schema_name)(), e.contract.name);
            let before = seen.insert(e.contract.name, e.contract as *const Contract);
            if let Some(before) = before {
                assert!(
                    std::ptr::eq(before, e.contract),
                    "two contracts named {}",
                    e.contract.name
                );
            }
            let mut names: Vec<&str> = e.contract.fields.iter().map(|f| f.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), e.contract.fields.len(), "{}", e.contract.name);
        }
    }

    fn texts(contract: &Contract) -> Vec<(&'static str, Text)> {
        contract
            .fields
            .iter()
            .filter_map(|f| match f.kind {
                Kind::Text(t) | Kind::List { item: t, .. } => Some((f.name, t)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn patterns_compile_and_enums_match_their_schemas() {
        for e in all() {
            for (name, text) in texts(e.contract) {
                for p in [text.pattern, text.normaliser.and_then(|n| n.pattern)]
                    .into_iter()
                    .flatten()
                {
                    assert!(
                        regex::Regex::new(p).is_ok(),
                        "{}.{name}: {p}",
                        e.contract.name
                    );
                }
                let Some(of) = text.enum_ref else { continue };
                let mut registry = Registry::new();
                (of.register)(&mut registry);
                let MetaSchemaRef::Reference(enum_name) = (of.schema_ref)() else {
                    panic!("{}.{name}: not a named enum", e.contract.name);
                };
                let listed: Vec<Value> = registry.schemas[&enum_name].enum_items.clone();
                let values: Vec<Value> = text.values.iter().map(|v| Value::from(*v)).collect();
                assert_eq!(listed, values, "{}.{name}", e.contract.name);
            }
        }
    }
}
