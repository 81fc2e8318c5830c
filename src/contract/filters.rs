//! Query filters shared by lists: time bounds (`from`, `to`) given as a date
//! (`YYYY-MM-DD`, the whole day in UTC) or an RFC 3339 time. A bad value is a
//! 422 naming the parameter.

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromParameter, ParseResult},
};
use time::{format_description::well_known::Rfc3339, Date, OffsetDateTime, Time};

use crate::clock::format_timestamp;

/// A `from`/`to` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    Date(Date),
    Instant(OffsetDateTime),
}

impl TimeBound {
    /// The first second it covers (for `from`).
    pub fn start(self) -> String {
        match self {
            TimeBound::Date(d) => format_timestamp(d.with_time(Time::MIDNIGHT).assume_utc()),
            TimeBound::Instant(t) => format_timestamp(t),
        }
    }

    /// The last second it covers (for `to`).
    pub fn end(self) -> String {
        match self {
            TimeBound::Date(d) => {
                let last = Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT);
                format_timestamp(d.with_time(last).assume_utc())
            }
            TimeBound::Instant(t) => format_timestamp(t),
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if let Ok(t) = OffsetDateTime::parse(value, &Rfc3339) {
            return Some(TimeBound::Instant(t));
        }
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(value, &format).ok().map(TimeBound::Date)
    }
}

crate::inline_type!(
    TimeBound,
    "date_or_datetime",
    MetaSchema {
        any_of: vec![
            MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date"))),
            MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date-time"))),
        ],
        description: Some("A date (YYYY-MM-DD, the whole day in UTC) or an RFC 3339 time."),
        ..MetaSchema::ANY
    }
);

impl ParseFromParameter for TimeBound {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        TimeBound::parse(value)
            .ok_or_else(|| ParseError::from("must be a date (YYYY-MM-DD) or an RFC 3339 time."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        let d = TimeBound::parse("2026-04-10").unwrap();
        assert_eq!(d.start(), "2026-04-10T00:00:00Z");
        assert_eq!(d.end(), "2026-04-10T23:59:59Z");
        let t = TimeBound::parse("2026-04-10T14:15:00+06:00").unwrap();
        assert_eq!(
            (t.start(), t.end()),
            ("2026-04-10T08:15:00Z".into(), "2026-04-10T08:15:00Z".into())
        );
        assert!(TimeBound::parse("yesterday").is_none());
        assert!(TimeBound::parse("2026-13-45").is_none());
    }
}
