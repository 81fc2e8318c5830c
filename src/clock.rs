//! Where "now" comes from. Library code takes a [`Clock`] instead of reading the
//! system time, so billing, expiry and token lifetimes are testable without waiting.

use std::sync::Mutex;

use time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// A source of the current UTC time.
pub trait Clock: Send + Sync + 'static {
    /// The current time, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until told otherwise (tests, demos).
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<OffsetDateTime>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: OffsetDateTime) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Sets the time.
    pub fn set(&self, to: OffsetDateTime) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }

    /// Moves the time forward (or back, with a negative duration).
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Unix milliseconds of `t` (the leases' times).
pub fn unix_millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Formats a time the way the API and the database show it: RFC 3339, UTC, `Z`,
/// whole seconds (`2026-04-10T08:15:00Z`).
pub fn format_timestamp(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Parses a timestamp written by [`format_timestamp`] (any RFC 3339 time is accepted).
pub fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339)
        .ok()
        .map(|t| t.to_offset(time::UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_are_utc_whole_seconds_with_z() {
        let t = datetime!(2026-04-10 14:15:00.789 +06:00);
        assert_eq!(format_timestamp(t), "2026-04-10T08:15:00Z");
        assert_eq!(
            parse_timestamp("2026-04-10T08:15:00Z"),
            Some(datetime!(2026-04-10 08:15:00 UTC))
        );
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(datetime!(2026-01-01 00:00:00 UTC));
        assert_eq!(clock.now(), datetime!(2026-01-01 00:00:00 UTC));
        clock.advance(time::Duration::days(31));
        assert_eq!(clock.now(), datetime!(2026-02-01 00:00:00 UTC));
        clock.set(datetime!(2027-01-01 00:00:00 UTC));
        assert_eq!(clock.now(), datetime!(2027-01-01 00:00:00 UTC));
    }
}
