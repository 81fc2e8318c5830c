//! When to try a delivery again.

use crate::store::webhook_deliveries::Verdict;

/// Seconds to wait before each attempt: the first before the first attempt,
/// each next one after a failed attempt. Its length is the number of attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(Vec<u64>);

impl RetrySchedule {
    /// A schedule; an empty list means one immediate attempt.
    pub fn new(delays: Vec<u64>) -> Self {
        if delays.is_empty() {
            Self(vec![0])
        } else {
            Self(delays)
        }
    }

    /// Seconds from an event to its first attempt.
    pub fn first_delay(&self) -> i64 {
        self.0.first().map_or(0, |d| secs(*d))
    }

    /// The verdict on attempt number `attempts_before + 1`, made at `now`
    /// (unix seconds), that answered `status` (None: no answer).
    pub fn verdict(&self, attempts_before: i64, status: Option<u16>, now: i64) -> Verdict {
        match status {
            Some(s) if (200..300).contains(&s) => Verdict::Delivered,
            Some(410) => Verdict::Gone,
            _ => {
                let made = usize::try_from(attempts_before.saturating_add(1)).unwrap_or(usize::MAX);
                match self.0.get(made) {
                    Some(delay) => Verdict::RetryAt(now.saturating_add(secs(*delay))),
                    None => Verdict::GaveUp,
                }
            }
        }
    }
}

fn secs(d: u64) -> i64 {
    i64::try_from(d).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_2xx_succeeds_410_is_gone_and_the_schedule_runs_out() {
        let s = RetrySchedule::new(vec![0, 60, 300]);
        assert_eq!(s.first_delay(), 0);
        assert_eq!(s.verdict(0, Some(200), 1000), Verdict::Delivered);
        assert_eq!(s.verdict(0, Some(204), 1000), Verdict::Delivered);
        assert_eq!(s.verdict(0, Some(301), 1000), Verdict::RetryAt(1060));
        assert_eq!(s.verdict(0, Some(500), 1000), Verdict::RetryAt(1060));
        assert_eq!(s.verdict(1, None, 1000), Verdict::RetryAt(1300));
        assert_eq!(s.verdict(2, Some(503), 1000), Verdict::GaveUp);
        assert_eq!(s.verdict(0, Some(410), 1000), Verdict::Gone);
        assert_eq!(
            RetrySchedule::new(vec![]).verdict(0, None, 5),
            Verdict::GaveUp
        );
    }
}
