//! Money collected per local day (the panel dashboard's chart).

use time::{Duration, Time};

use super::{Caller, Ctx, OpResult};
use crate::{clock::format_timestamp, domain::money::Money, store::payments};

/// Collections of one day in the ISP's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayTotal {
    /// `YYYY-MM-DD`, local.
    pub date: String,
    pub amount: Money,
}

/// The last `days` local days (today last, days without payments 0) of the
/// payments the caller may see, and their total.
pub async fn per_day(ctx: &Ctx, caller: &Caller, days: i64) -> OpResult<(Vec<DayTotal>, Money)> {
    let vis = caller.visibility;
    let offset = ctx.config.isp.offset();
    let today = ctx.clock.now().to_offset(offset).date();
    let first = today - Duration::days(days - 1);
    let since = format_timestamp(first.with_time(Time::MIDNIGHT).assume_offset(offset));
    let offset_secs = offset.whole_seconds();
    let found = ctx
        .db
        .read_async(move |c| payments::daily_collections(c, vis, &since, offset_secs))
        .await?;
    let mut total = 0;
    let days = (0..days)
        .map(|i| {
            let date = (first + Duration::days(i)).to_string();
            let minor = found
                .iter()
                .find(|(d, _)| *d == date)
                .map_or(0, |(_, m)| m.0);
            total += minor;
            DayTotal {
                date,
                amount: Money(minor),
            }
        })
        .collect();
    Ok((days, Money(total)))
}
