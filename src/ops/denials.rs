//! Failed authorisations in the audit trail: every 403 answered to a known
//! caller (a staff user, an API client, a customer) writes an
//! `access.denied` row with the method, the path and the refusal's message.
//! A caller gets at most [`PER_MINUTE`] such rows a minute, so a script
//! hammering a forbidden route cannot flood the table; the rows left out are
//! counted, and the caller's next row says how many (`left_out`).

use std::{collections::HashMap, sync::Mutex};

use super::{Ctx, OpResult};
use crate::store::audit::{self, Changes, Entry, Who};

/// Rows per caller per minute.
pub const PER_MINUTE: u32 = 10;
/// Callers tracked at once; beyond this the oldest minutes are forgotten.
const MAX_CALLERS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    minute: i64,
    written: u32,
    left_out: u64,
}

/// The per-caller counts of the current minute.
#[derive(Debug, Default)]
pub struct DenialLog {
    windows: Mutex<HashMap<String, Window>>,
}

impl DenialLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `key` may have a row in `minute`: `Some(n)` with the rows left
    /// out before it, `None` when its minute's rows are used up.
    fn admit(&self, key: &str, minute: i64) -> Option<u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= MAX_CALLERS && !windows.contains_key(key) {
            windows.retain(|_, w| w.minute >= minute);
            // Still full within one minute: start afresh rather than grow.
            if windows.len() >= MAX_CALLERS {
                windows.clear();
            }
        }
        let w = windows.entry(key.to_string()).or_insert(Window {
            minute,
            written: 0,
            left_out: 0,
        });
        if w.minute != minute {
            w.minute = minute;
            w.written = 0;
        }
        if w.written >= PER_MINUTE {
            w.left_out += 1;
            return None;
        }
        w.written += 1;
        Some(std::mem::take(&mut w.left_out))
    }
}

/// What was refused.
#[derive(Debug, Clone)]
pub struct Denial {
    pub method: String,
    pub path: String,
    pub message: String,
    /// The customer, when the caller was one.
    pub customer_id: Option<i64>,
}

/// Records a 403 for `who`, unless their rows of this minute are used up.
pub async fn record(ctx: &Ctx, log: &DenialLog, who: Who, denial: Denial) -> OpResult<()> {
    let now = ctx.clock.now();
    let Some(left_out) = log.admit(&who.actor, now.unix_timestamp().div_euclid(60)) else {
        return Ok(());
    };
    let stamp = ctx.now_text();
    ctx.db
        .write_async(move |tx| {
            let mut changes = Changes::default();
            changes.note("method", denial.method.into());
            changes.note("path", denial.path.into());
            if left_out > 0 {
                changes.note("left_out", left_out.into());
            }
            let entry = Entry {
                action: "access.denied",
                resource_type: "request",
                resource_id: None,
                customer_id: denial.customer_id,
                reason: Some(&denial.message),
                changes,
            };
            audit::record(tx, &who, &entry, &stamp)
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_gets_ten_rows_a_minute_and_the_next_says_how_many_were_left_out() {
        let log = DenialLog::new();
        for _ in 0..PER_MINUTE {
            assert_eq!(log.admit("user:1", 100), Some(0));
        }
        assert_eq!(log.admit("user:1", 100), None);
        assert_eq!(log.admit("user:1", 100), None);
        // Another caller has their own count.
        assert_eq!(log.admit("client:1", 100), Some(0));
        // The next minute: one row, saying two were left out.
        assert_eq!(log.admit("user:1", 101), Some(2));
        assert_eq!(log.admit("user:1", 101), Some(0));
    }
}
