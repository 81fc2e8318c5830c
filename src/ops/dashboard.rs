//! The v1 dashboards: the summary of customers and money (a reseller's staff
//! see their own), and what the NOC dashboard reads of the inventory.

use time::{Date, OffsetDateTime, Time};

use crate::{
    clock::format_timestamp,
    domain::money::Money,
    store::{
        customers,
        inventory::{self, Behind, DownDevice, StatusCounts},
        monitoring::CheckRow,
        payments,
    },
};

use super::{Caller, Ctx, OpResult};

/// Customers by status and money figures, in the ISP's local month and day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// (status, customers) for each status that has any.
    pub by_status: Vec<(String, i64)>,
    /// Created since the first day of this month.
    pub new_this_month: i64,
    /// Payments received since the first day of this month.
    pub revenue_this_month: Money,
    /// Payments received today.
    pub collections_today: Money,
    /// What open bills still owe.
    pub unpaid_total: Money,
    /// When it was read.
    pub now: OffsetDateTime,
}

impl Summary {
    /// Customers with status `s`.
    pub fn count(&self, s: &str) -> i64 {
        self.by_status
            .iter()
            .find(|(k, _)| k == s)
            .map_or(0, |(_, n)| *n)
    }
}

/// The first instant of the current month in the ISP's local time.
fn month_start(now: OffsetDateTime, offset: time::UtcOffset) -> OffsetDateTime {
    let local = now.to_offset(offset);
    Date::from_calendar_date(local.year(), local.month(), 1)
        .map(|d| d.with_time(Time::MIDNIGHT).assume_offset(offset))
        .unwrap_or(now)
}

/// The summary of what the caller sees.
pub async fn summary(ctx: &Ctx, caller: &Caller) -> OpResult<Summary> {
    let vis = caller.visibility;
    let now = ctx.clock.now();
    let offset = ctx.config.isp.offset();
    let since = format_timestamp(month_start(now, offset));
    let local = now.to_offset(offset);
    let today = format_timestamp(local.date().with_time(Time::MIDNIGHT).assume_offset(offset));
    let (by_status, new_this_month, (month, day, unpaid)) = ctx
        .db
        .read_async(move |c| {
            Ok((
                customers::count_by_status(c, vis)?,
                customers::count_created_since(c, &since, vis)?,
                payments::dashboard_figures(c, vis, &since, &today)?,
            ))
        })
        .await?;
    Ok(Summary {
        by_status,
        new_this_month,
        revenue_this_month: month,
        collections_today: day,
        unpaid_total: unpaid,
        now,
    })
}

/// What the NOC dashboard shows of the inventory.
#[derive(Debug, Clone)]
pub struct Noc {
    pub counts: Vec<StatusCounts>,
    pub down: Vec<DownDevice>,
    /// ONUs: (total, offline, online with rx power below `low_rx_dbm`).
    pub onus: (i64, i64, i64),
    pub low_rx_dbm: f64,
    pub checks: Vec<CheckRow>,
    /// The customers behind each device (read only when asked: Zabbix needs it).
    pub behind: Vec<Behind>,
}

/// The inventory by last polled state; `with_customers_behind` when the
/// customers behind each device are needed (Zabbix problems).
pub async fn noc(ctx: &Ctx, caller: &Caller, with_customers_behind: bool) -> OpResult<Noc> {
    let low_rx = ctx.config.monitoring.low_rx_dbm;
    let vis = caller.visibility;
    Ok(ctx
        .db
        .read_async(move |c| {
            Ok(Noc {
                counts: inventory::status_counts(c)?,
                down: inventory::down(c)?,
                onus: crate::store::onus::problem_counts(c, low_rx)?,
                low_rx_dbm: low_rx,
                checks: crate::store::monitoring::checks(c)?,
                behind: if with_customers_behind {
                    inventory::customers_behind(c, vis)?
                } else {
                    Vec::new()
                },
            })
        })
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn the_month_starts_in_local_time() {
        // 2026-04-30 20:00 UTC is already May 1st in Dhaka.
        let start = month_start(datetime!(2026-04-30 20:00:00 UTC), offset!(+6));
        assert_eq!(format_timestamp(start), "2026-04-30T18:00:00Z");
        let start = month_start(datetime!(2026-04-15 10:00:00 UTC), offset!(+6));
        assert_eq!(format_timestamp(start), "2026-03-31T18:00:00Z");
    }
}
