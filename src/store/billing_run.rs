//! The daily billing run over the store: monthly bills on each customer's billing
//! day (idempotent: one bill per customer and period), and suspension of
//! customers whose bills are overdue beyond the grace days, logged; plus the
//! reactivation a payment earns when it clears an auto-suspended customer's dues.

use crate::domain::visibility::Visibility;
use rusqlite::{params, Connection, Transaction};
use time::{Date, Month, OffsetDateTime};

use super::{
    bills::{self, NewBill},
    customers, prepaid,
    rows::{self, record},
    StoreError,
};
use crate::clock::format_timestamp;

/// Settings of a run.
#[derive(Debug, Clone, Copy)]
pub struct RunSettings {
    /// The local date being billed.
    pub date: Date,
    /// The ISP's offset from UTC, for "the customer's billing day".
    pub offset: time::UtcOffset,
    /// Days from a bill to its due date.
    pub due_days: i64,
    /// Days past the due date before suspension.
    pub grace_days: i64,
    pub now: OffsetDateTime,
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub bills_created: usize,
    pub customers_suspended: usize,
}

fn add_month(d: Date) -> Date {
    let (y, m) = if d.month() == Month::December {
        (d.year() + 1, Month::January)
    } else {
        (d.year(), d.month().next())
    };
    Date::from_calendar_date(y, m, d.day().min(28)).unwrap_or(d)
}

/// Customers one transaction of the run handles at most: the run commits in
/// chunks, so API writes keep flowing while it runs.
pub const CHUNK: usize = 2_000;

impl RunReport {
    /// Adds what another chunk of the same run did.
    pub fn add(&mut self, other: RunReport) {
        self.bills_created += other.bills_created;
        self.customers_suspended += other.customers_suspended;
    }
}

/// One transaction's share of the day's run: bills everyone whose billing day
/// is `settings.date` and not billed yet, renews or suspends the prepaid whose
/// period ended, then suspends the overdue — at most `limit` customers in all.
/// Each step picks only customers it has not handled yet, so a run that stops
/// between chunks (a crash) resumes where it was, with no second bill. The
/// answer's `bool`: the limit was reached, so run another chunk.
pub fn run_chunk(
    tx: &Transaction<'_>,
    settings: &RunSettings,
    limit: usize,
) -> Result<(RunReport, bool), StoreError> {
    let mut report = RunReport::default();
    let mut budget = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
    let now = format_timestamp(settings.now);
    let offset_modifier = format!("{:+} minutes", settings.offset.whole_minutes());
    let day = i64::from(settings.date.day().min(28));
    // Customers on monthly packages with an active subscription whose start day
    // (local time, capped at 28) is today.
    let due: Vec<(i64, i64, String, i64, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT c.id, p.price_minor, p.currency, p.id, p.name
             FROM subscriptions s
             JOIN customers c ON c.id = s.customer_id
             JOIN packages p ON p.id = s.package_id
             WHERE s.status = 'active' AND p.billing_cycle = 'monthly'
               AND c.status IN ('active', 'suspended') AND p.price_minor > 0
               AND MIN(CAST(strftime('%d', s.starts_at, ?1) AS INTEGER), 28) = ?2
               AND NOT EXISTS (SELECT 1 FROM bills b
                               WHERE b.customer_id = c.id AND b.period_start = ?3)
             ORDER BY c.id LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![offset_modifier, day, settings.date.to_string(), budget],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        rows.collect::<Result<_, _>>()?
    };
    spend(&mut budget, due.len());
    let period_start = settings.date.to_string();
    let period_end = add_month(settings.date)
        .previous_day()
        .unwrap_or(settings.date)
        .to_string();
    let due_date = (settings.date + time::Duration::days(settings.due_days)).to_string();
    let label = format!("{} {}", settings.date.month(), settings.date.year());
    for (customer_id, price, currency, _package_id, package_name) in due {
        let exists: bool = rows::exists(
            tx,
            "FROM bills WHERE customer_id = ?1 AND period_start = ?2",
            params![customer_id, period_start],
        )?;
        if exists {
            continue;
        }
        bills::create(
            tx,
            &NewBill {
                customer_id,
                amount: crate::domain::money::Money(price),
                currency,
                due_date: due_date.clone(),
                description: Some(format!("Monthly subscription — {package_name} ({label})")),
                period_start: Some(period_start.clone()),
                period_end: Some(period_end.clone()),
            },
            Visibility::ALL,
            &now,
        )?;
        report.bills_created += 1;
    }
    if budget == 0 {
        return Ok((report, true));
    }
    // Prepaid customers whose period ended: renew from credit when the
    // subscription renews automatically, else suspend.
    let expired: Vec<(i64, bool)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT c.id, COALESCE((SELECT s.auto_renew FROM subscriptions s
                                    WHERE s.customer_id = c.id AND s.status = 'active'), 0)
             FROM customers c JOIN packages p ON p.id = c.package_id
             WHERE p.billing_cycle = 'days' AND c.status = 'active'
               AND c.expires_at IS NOT NULL AND c.expires_at <= ?1
             ORDER BY c.id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, budget], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    spend(&mut budget, expired.len());
    for (customer_id, auto_renew) in expired {
        if auto_renew
            && prepaid::renew_from_credit(tx, customer_id, prepaid::RenewedBy::Isp, settings.now)?
                > 0
        {
            continue;
        }
        let reason = "prepaid period ended";
        customers::set_status(
            tx,
            customer_id,
            Visibility::ALL,
            "suspended",
            reason,
            settings.now,
        )?;
        tx.execute(
            "INSERT INTO auto_suspension_log (customer_id, reason, created_at) VALUES (?1, ?2, ?3)",
            params![customer_id, reason, now],
        )?;
        report.customers_suspended += 1;
    }
    if budget == 0 {
        return Ok((report, true));
    }
    // Overdue beyond grace: suspend active customers, once each.
    let cutoff = (settings.date - time::Duration::days(settings.grace_days)).to_string();
    let overdue: Vec<(i64, i64, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT c.id, MIN(b.id), MIN(b.due_date) FROM bills b JOIN customers c ON c.id = b.customer_id
             WHERE b.status IN ('unpaid', 'partial') AND b.due_date < ?1 AND c.status = 'active'
             GROUP BY c.id ORDER BY c.id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![cutoff, budget], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    spend(&mut budget, overdue.len());
    for (customer_id, bill_id, due) in overdue {
        let reason = format!("bill #{bill_id} overdue since {due}");
        customers::set_status(
            tx,
            customer_id,
            Visibility::ALL,
            "suspended",
            &reason,
            settings.now,
        )?;
        tx.execute(
            "INSERT INTO auto_suspension_log (customer_id, bill_id, reason, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![customer_id, bill_id, reason, now],
        )?;
        report.customers_suspended += 1;
    }
    Ok((report, budget == 0))
}

/// Takes `n` customers from `budget`.
fn spend(budget: &mut i64, n: usize) {
    *budget -= i64::try_from(n).unwrap_or(i64::MAX).min(*budget);
}

/// After a payment: an auto-suspended customer with no overdue bill left is
/// activated again (a manual suspension stays). Returns whether it was.
pub fn reactivate_if_cleared(
    tx: &Transaction<'_>,
    customer_id: i64,
    today: Date,
    grace_days: i64,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let open_log: bool = rows::exists(
        tx,
        "FROM auto_suspension_log WHERE customer_id = ?1 AND reactivated_at IS NULL",
        [customer_id],
    )?;
    if !open_log {
        return Ok(false);
    }
    let cutoff = (today - time::Duration::days(grace_days)).to_string();
    let still_overdue: bool = rows::exists(
        tx,
        "FROM bills WHERE customer_id = ?1 AND status IN ('unpaid', 'partial')
                        AND due_date < ?2",
        params![customer_id, cutoff],
    )?;
    let suspended =
        customers::get(tx, customer_id, Visibility::ALL)?.is_some_and(|c| c.status == "suspended");
    // A prepaid customer also needs a paid period ahead.
    let prepaid_expired: bool = rows::exists(
        tx,
        "FROM customers c JOIN packages p ON p.id = c.package_id
                        WHERE c.id = ?1 AND p.billing_cycle = 'days'
                          AND (c.expires_at IS NULL OR c.expires_at <= ?2)",
        params![customer_id, format_timestamp(now)],
    )?;
    if still_overdue || !suspended || prepaid_expired {
        return Ok(false);
    }
    customers::set_status(
        tx,
        customer_id,
        Visibility::ALL,
        "active",
        "payment cleared the dues",
        now,
    )?;
    tx.execute(
        "UPDATE auto_suspension_log SET reactivated_at = ?2 WHERE customer_id = ?1 AND reactivated_at IS NULL",
        params![customer_id, format_timestamp(now)],
    )?;
    Ok(true)
}

/// What follows a payment: a prepaid customer's credit renews it (an operator's
/// renewal debits the operator), and an auto-suspended customer whose dues are
/// cleared is activated again.
pub fn after_payment(
    tx: &Transaction<'_>,
    customer_id: i64,
    by: prepaid::RenewedBy,
    today: Date,
    grace_days: i64,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    prepaid::renew_from_credit(tx, customer_id, by, now)?;
    reactivate_if_cleared(tx, customer_id, today, grace_days, now)?;
    Ok(())
}

/// Closes the customer's open auto-suspension entries: a status set by hand
/// takes over, so a later payment does not undo a manual suspension.
pub fn close_auto_suspensions(
    tx: &Transaction<'_>,
    customer_id: i64,
    now: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE auto_suspension_log SET reactivated_at = ?2 WHERE customer_id = ?1 AND reactivated_at IS NULL",
        params![customer_id, now],
    )?;
    Ok(())
}

record! {
    /// A row of the auto-suspension log.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct SuspensionLogRow in l {
        pub id: i64,
        pub customer_id: i64,
        pub customer_name: String = "c.name",
        pub bill_id: Option<i64>,
        pub reason: String,
        pub created_at: String,
        pub reactivated_at: Option<String>,
    }
}

/// One page of the log, newest first, within the caller's visibility.
pub fn suspension_log(
    conn: &Connection,
    vis: Visibility,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SuspensionLogRow>, u64), StoreError> {
    rows::page(
        conn,
        "FROM auto_suspension_log l JOIN customers c ON c.id = l.customer_id",
        "?1 IS NULL OR c.operator_id = ?1",
        "l.created_at DESC, l.id DESC",
        params![vis.operator_id],
        limit,
        offset,
    )
}
