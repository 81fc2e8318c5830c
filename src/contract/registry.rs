//! Every request type read through a [`Contract`], recorded when its schema
//! is registered (the [`contract_type!`](crate::contract_type) macro does it),
//! so building the API's and the panel's OpenAPI documents lists them all and
//! `tests/contracts.rs` can walk them: each schema example must pass its
//! schema and its reader. Nothing to add by hand.

use std::any::type_name;
use std::borrow::Cow;
use std::sync::Mutex;

use poem_openapi::types::Type;

use super::{
    body::{parse_json_object, FromJsonObject},
    field::{Contract, Mode},
};
use crate::error::ApiError;

/// A request type and its contract.
#[derive(Clone)]
pub struct Entry {
    pub contract: &'static Contract,
    pub mode: Mode,
    /// The request type (`ispbills::contract::setup::Setup`).
    pub type_name: &'static str,
    /// The request type's schema name (its contract's).
    pub schema_name: fn() -> Cow<'static, str>,
    /// Reads a JSON body as the request type does (`Ok` when accepted).
    pub read: fn(&[u8]) -> Result<(), ApiError>,
}

fn read_as<T: FromJsonObject>(body: &[u8]) -> Result<(), ApiError> {
    parse_json_object::<T>(body).map(|_| ())
}

static RECORDED: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

/// Records `T` (once), if it has a contract. Called from `T::register`.
pub fn record<T: FromJsonObject + Type>() {
    let Some((contract, mode)) = T::CONTRACT else {
        return;
    };
    let mut all = RECORDED.lock().unwrap_or_else(|e| e.into_inner());
    if all.iter().any(|e| e.type_name == type_name::<T>()) {
        return;
    }
    all.push(Entry {
        contract,
        mode,
        type_name: type_name::<T>(),
        schema_name: T::name,
        read: read_as::<T>,
    });
}

/// Every request type recorded so far: build the documents first
/// (`api::spec_json()`, `admin::service().spec()`).
pub fn recorded() -> Vec<Entry> {
    RECORDED.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::collections::HashMap;

    use poem_openapi::registry::{MetaSchemaRef, Registry};
    use serde_json::Value;

    use super::*;
    use crate::contract::field::{Kind, Text};

    /// The contracts of this module's callers are recorded when the
    /// documents are built (tests/contracts.rs); here, the pilots.
    fn all() -> Vec<Entry> {
        use crate::contract::{auth, session, setup};
        let mut registry = Registry::new();
        auth::LoginRequest::register(&mut registry);
        auth::RefreshRequest::register(&mut registry);
        auth::TokenRequest::register(&mut registry);
        session::PanelLogin::register(&mut registry);
        setup::Setup::register(&mut registry);
        recorded()
    }

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
