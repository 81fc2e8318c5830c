//! Pagination for every list: `page` (default 1) and `per_page` (default 20, at
//! most 100). A value out of range or not an integer is a 422 naming the parameter.
//! Lists answer `{"data":[...],"meta":{"current_page","per_page","total","last_page"}}`.

use poem_openapi::{
    registry::MetaSchema,
    types::{ParseError, ParseFromParameter, ParseResult},
    Object,
};
use serde_json::json;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
/// Pages past this are refused rather than turned into huge OFFSETs.
pub const MAX_PAGE: u32 = 1_000_000;

/// Declares an optional integer query-parameter type bounded to `min..=max`, with
/// a default when absent. (Not `Query<Option<T>>`: poem-openapi would rewrite our
/// message on the way out of the `Option`.)
macro_rules! bounded_param {
    ($name:ident, $min:expr, $max:expr, $default:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub u32);

        impl Default for $name {
            fn default() -> Self {
                Self($default)
            }
        }

        crate::inline_type!(
            $name,
            "integer(int32)",
            MetaSchema {
                minimum: Some(f64::from($min)),
                maximum: Some(f64::from($max)),
                default: Some(json!($default)),
                description: Some($doc),
                ..MetaSchema::new_with_format("integer", "int32")
            },
            required: false
        );

        impl ParseFromParameter for $name {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                match value.trim().parse::<u32>() {
                    Ok(n) if ($min..=$max).contains(&n) => Ok(Self(n)),
                    _ => Err(ParseError::from(format!(
                        "must be an integer from {} to {}.",
                        $min, $max
                    ))),
                }
            }

            fn parse_from_parameters<I: IntoIterator<Item = A>, A: AsRef<str>>(
                iter: I,
            ) -> ParseResult<Self> {
                match iter.into_iter().next() {
                    Some(value) => Self::parse_from_parameter(value.as_ref()),
                    None => Ok(Self::default()),
                }
            }
        }
    };
}

bounded_param!(PageParam, 1u32, MAX_PAGE, 1, "The page number to retrieve.");
bounded_param!(
    PerPageParam,
    1u32,
    MAX_PER_PAGE,
    DEFAULT_PER_PAGE,
    "Number of records per page (max 100)."
);

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    /// From the query parameters (defaults already filled in when absent).
    pub fn new(page: PageParam, per_page: PerPageParam) -> Self {
        Self {
            page: page.0,
            per_page: per_page.0,
        }
    }

    /// SQL `LIMIT`.
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    /// SQL `OFFSET`.
    pub fn offset(&self) -> i64 {
        (i64::from(self.page) - 1) * i64::from(self.per_page)
    }

    /// The `meta` object for a list with `total` rows in all.
    pub fn meta(&self, total: u64) -> PageMeta {
        self.meta_capped(total, false)
    }

    /// The `meta` object for a list whose count stopped at `total` when
    /// `capped` (there are more rows than that).
    pub fn meta_capped(&self, total: u64, capped: bool) -> PageMeta {
        let per_page = u64::from(self.per_page);
        PageMeta {
            current_page: self.page,
            per_page: self.per_page,
            total,
            last_page: total.div_ceil(per_page).max(1),
            total_capped: capped.then_some(true),
        }
    }
}

/// Where a page stands in the whole list.
#[derive(Debug, Clone, PartialEq, Eq, Object, serde::Serialize)]
pub struct PageMeta {
    pub current_page: u32,
    pub per_page: u32,
    pub total: u64,
    /// Always at least 1; a page past it answers `data: []`.
    pub last_page: u64,
    /// Only there (and `true`) when counting stopped: `total` is then the
    /// matches counted so far, and there are more. A customer search in the
    /// default order counts at most 100 past the end of the page asked for,
    /// so `last_page` grows as later pages are read.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_capped: Option<bool>,
}

/// A list's body, `{"data":[...],"meta":{...}}`, from its rows already
/// written as a JSON array: the bytes the `paginated!` type serialises to.
pub fn page_body(data: &[u8], meta: &PageMeta) -> serde_json::Result<Vec<u8>> {
    let mut body = Vec::with_capacity(data.len() + 128);
    body.extend_from_slice(b"{\"data\":");
    body.extend_from_slice(data);
    body.extend_from_slice(b",\"meta\":");
    serde_json::to_writer(&mut body, meta)?;
    body.push(b'}');
    Ok(body)
}

/// Declares a list response type `{data: [T], meta}` for one resource.
#[macro_export]
macro_rules! paginated {
    ($name:ident, $item:ty) => {
        #[derive(Debug, Clone, ::poem_openapi::Object, ::serde::Serialize)]
        pub struct $name {
            pub data: Vec<$item>,
            pub meta: $crate::contract::pagination::PageMeta,
        }

        impl $name {
            pub fn new(
                data: Vec<$item>,
                total: u64,
                page: &$crate::contract::pagination::PageRequest,
            ) -> Self {
                Self {
                    data,
                    meta: page.meta(total),
                }
            }

            /// A page of rows, each turned into the item it is shown as, with
            /// the page's `meta` as it stands.
            pub fn with_meta<R: Into<$item>>(
                rows: Vec<R>,
                meta: $crate::contract::pagination::PageMeta,
            ) -> Self {
                Self {
                    data: rows.into_iter().map(Into::into).collect(),
                    meta,
                }
            }

            /// A page of rows, each turned into the item it is shown as. `total`
            /// is the count of all rows, as the store gives it (`u64` or `i64`;
            /// a count is never negative, and one that were would show as 0).
            pub fn of<R: Into<$item>>(
                rows: Vec<R>,
                total: impl TryInto<u64>,
                page: &$crate::contract::pagination::PageRequest,
            ) -> Self {
                let total = total.try_into().unwrap_or(0);
                Self::new(rows.into_iter().map(Into::into).collect(), total, page)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_offsets() {
        let p = PageRequest::new(PageParam::default(), PerPageParam::default());
        assert_eq!((p.page, p.per_page, p.offset(), p.limit()), (1, 20, 0, 20));
        let p = PageRequest::new(PageParam(3), PerPageParam(50));
        assert_eq!((p.offset(), p.limit()), (100, 50));
    }

    #[test]
    fn last_page_is_at_least_one() {
        let p = PageRequest::new(PageParam(2), PerPageParam(50));
        assert_eq!(p.meta(523).last_page, 11);
        assert_eq!(p.meta(500).last_page, 10);
        assert_eq!(p.meta(0).last_page, 1);
    }

    #[test]
    fn parameters_are_bounded_integers() {
        assert_eq!(
            PerPageParam::parse_from_parameter("100").unwrap(),
            PerPageParam(100)
        );
        for bad in ["0", "101", "-1", "abc", "1.5", ""] {
            let err = PerPageParam::parse_from_parameter(bad).unwrap_err();
            assert!(
                err.message()
                    .ends_with(": must be an integer from 1 to 100."),
                "{bad}: {}",
                err.message()
            );
        }
        assert!(PageParam::parse_from_parameter("0").is_err());
        assert_eq!(PageParam::parse_from_parameter("7").unwrap(), PageParam(7));
        let none: [&str; 0] = [];
        assert_eq!(
            PerPageParam::parse_from_parameters(none).unwrap(),
            PerPageParam(20)
        );
    }
}
