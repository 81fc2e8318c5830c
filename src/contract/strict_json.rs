//! Request bodies read strictly: a key given twice in any object (nested ones
//! too) is malformed JSON, not "the last one wins"; and the decimal text of the
//! body's top-level numbers is kept, so money is read from what the client
//! wrote (`0.30000000000000004` stays that, never becomes 0.3).

use std::{collections::HashMap, fmt};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{value::RawValue, Map, Number, Value};

/// A parsed body: the value, and for a top-level object the text of each
/// member that is a number.
#[derive(Debug)]
pub struct StrictBody {
    pub value: Value,
    pub numbers: HashMap<String, String>,
}

/// Parses `bytes` as one JSON value, refusing duplicate keys at any depth.
pub fn parse(bytes: &[u8]) -> Result<StrictBody, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Strict.deserialize(&mut de)?;
    de.end()?;
    let numbers = if value.is_object() {
        // Already known to be valid JSON without duplicates; this pass only
        // borrows each member's text.
        let members: HashMap<String, &RawValue> = serde_json::from_slice(bytes)?;
        members
            .into_iter()
            .filter(|(_, raw)| {
                raw.get()
                    .starts_with(|c: char| c == '-' || c.is_ascii_digit())
            })
            .map(|(k, raw)| (k, raw.get().to_string()))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(StrictBody { value, numbers })
}

/// Builds a [`Value`] as serde_json does, except that a repeated key in an
/// object is an error.
#[derive(Clone, Copy)]
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key `{}`",
                    key.escape_debug()
                )));
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn same_value_as_serde_json() {
        let text = br#"{"a":1,"b":-2,"c":2.5,"d":"x\u00e9","e":[true,null,{"f":18446744073709551615}],"g":{}}"#;
        let strict = parse(text).unwrap();
        let plain: Value = serde_json::from_slice(text).unwrap();
        assert_eq!(strict.value, plain);
        assert_eq!(strict.numbers.get("a").map(String::as_str), Some("1"));
        assert_eq!(strict.numbers.get("c").map(String::as_str), Some("2.5"));
        assert_eq!(strict.numbers.get("b").map(String::as_str), Some("-2"));
        assert!(!strict.numbers.contains_key("d"));
    }

    #[test]
    fn keeps_the_decimal_text_of_numbers() {
        let strict = parse(br#"{"amount": 0.30000000000000004, "x": 1e2, "y": 1.50}"#).unwrap();
        assert_eq!(strict.numbers["amount"], "0.30000000000000004");
        assert_eq!(strict.numbers["x"], "1e2");
        assert_eq!(strict.numbers["y"], "1.50");
    }

    #[test]
    fn refuses_duplicate_keys_at_any_depth() {
        for text in [
            r#"{"name":"a","name":"b"}"#,
            r#"{"a":{"b":1,"b":2}}"#,
            r#"{"a":[{"x":1},{"y":1,"y":1}]}"#,
            r#"[{"k":null,"k":null}]"#,
            r#"{"\u0061":1,"a":2}"#,
        ] {
            let err = parse(text.as_bytes()).unwrap_err();
            assert!(
                err.to_string().starts_with("duplicate key `"),
                "{text}: {err}"
            );
            assert!(err.to_string().contains(" at line "), "{err}");
        }
        // The same key in sibling objects is fine.
        assert!(parse(br#"{"a":{"k":1},"b":{"k":2}}"#).is_ok());
    }

    #[test]
    fn other_documents() {
        assert_eq!(parse(b"[1,2]").unwrap().value, json!([1, 2]));
        assert!(parse(b"[1,2]").unwrap().numbers.is_empty());
        assert!(parse(b"{} x").is_err());
        assert!(parse(br#"{"a":"\ud800"}"#).is_err());
    }
}
