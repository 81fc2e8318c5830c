//! The wrappers every answer shares: one object is `{"data": {...}}` ([`one!`]),
//! a list is `{"data": [...], "meta"}` ([`paginated!`](crate::paginated)), a
//! creation is `201` with the object ([`created!`]) and a deletion is `204`
//! with no body ([`Deleted`]). Each resource declares its own with one line, so
//! the document keeps one schema name per resource (`CustomerOne`, ...).

use poem_openapi::ApiResponse;

/// Declares `{data: T}`, the answer that shows one `T`, and `of(row)` to build
/// it from anything that turns into a `T`.
#[macro_export]
macro_rules! one {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, ::poem_openapi::Object, ::serde::Serialize)]
        pub struct $name {
            pub data: $item,
        }

        impl $name {
            /// The answer for one row, turned into the item it is shown as.
            pub fn of(row: impl Into<$item>) -> Self {
                Self { data: row.into() }
            }
        }
    };
}

/// The body of a `one!` answer, `{"data":...}`, from its item already
/// written as JSON: the bytes the `one!` type serialises to.
pub fn one_body(item: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(item.len() + 9);
    body.extend_from_slice(b"{\"data\":");
    body.extend_from_slice(item);
    body.push(b'}');
    body
}

/// Declares the `201 Created` answer of a create route, carrying `$payload`
/// (`Json<XOne>`, or `PreSerialized<XOne>` where an idempotent replay answers
/// with the first answer's bytes). A doc comment becomes the answer's
/// description in the document.
#[macro_export]
macro_rules! created {
    ($(#[$doc:meta])* $name:ident, $payload:ty) => {
        #[derive(::poem_openapi::ApiResponse)]
        pub enum $name {
            $(#[$doc])*
            #[oai(status = 201)]
            Created($payload),
        }
    };
}

/// `204 No Content`: the answer of every delete.
#[derive(ApiResponse)]
pub enum Deleted {
    #[oai(status = 204)]
    NoContent,
}
