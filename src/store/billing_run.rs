//! The daily billing run over the store: monthly bills on each customer's billing
//! day (idempotent: one bill per customer and period), and suspension of
//! customers whose bills are overdue beyond the grace days, logged; plus the
//! reactivation a payment earns when it clears an auto-suspended customer's dues.

use std::time::{Duration, Instant};

use super::sql::{Connection, Engine, Transaction};
use crate::domain::visibility::Visibility;
use rusqlite::params;
use time::{Date, Month, OffsetDateTime};

use super::{
    audit::Who,
    bills::{self, NewBill},
    customers, prepaid,
    rows::{self, record},
    Db, StoreError,
};
use crate::{clock::format_timestamp, domain::money::Money};

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

/// The last day of the monthly period starting `start` (the day before the
/// same day next month).
pub fn period_end(start: Date) -> Date {
    add_month(start).previous_day().unwrap_or(start)
}

/// A monthly bill's description: "Monthly subscription — Home 20 Mbps (May 2026)".
pub fn monthly_description(package_name: &str, start: Date) -> String {
    format!(
        "Monthly subscription — {package_name} ({} {})",
        start.month(),
        start.year()
    )
}

/// Customers one transaction of the run handles at most: the run commits in
/// chunks, so API writes keep flowing while it runs.
pub const CHUNK: usize = 500;

impl RunReport {
    /// Adds what another chunk of the same run did.
    pub fn add(&mut self, other: RunReport) {
        self.bills_created += other.bills_created;
        self.customers_suspended += other.customers_suspended;
    }
}

/// The steps of a day's run, in order. Each step reads its candidates once
/// ([`candidates`]), then handles them in chunks ([`run_chunk`]), each chunk
/// its own transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Monthly bills for the customers whose billing day it is.
    Bills,
    /// Prepaid customers whose period ended: renewed from credit when their
    /// subscription renews automatically, else suspended.
    Prepaid,
    /// Bills newly overdue beyond the grace days: `invoice.overdue`, once
    /// each; then the active customers with such a bill: suspended.
    Overdue,
}

impl Step {
    /// Every step, in the order a run takes them.
    pub const ALL: [Step; 3] = [Step::Bills, Step::Prepaid, Step::Overdue];
}

/// Customers on monthly packages with an active subscription whose start day
/// (local time, capped at 28) is the day (`?2`, with the offset `?1`), not yet
/// billed for the period starting `?3`. The day is the date's own: on the
/// 29th to 31st nobody matches (those who started then were billed on the
/// 28th, and a capped `?2` would bill them again each of those days).
pub(super) fn bills_due(engine: Engine) -> String {
    let day = engine.shifted_day_of_month("s.starts_at", "?1");
    format!(
        "FROM subscriptions s
     JOIN customers c ON c.id = s.customer_id
     JOIN packages p ON p.id = s.package_id
     WHERE s.status = 'active' AND p.billing_cycle = 'monthly'
       AND c.status IN ('active', 'suspended') AND p.price_minor > 0
       AND (CASE WHEN {day} > 28 THEN 28 ELSE {day} END) = ?2
       AND NOT EXISTS (SELECT 1 FROM bills b
                       WHERE b.customer_id = c.id AND b.period_start = ?3)"
    )
}

/// Active prepaid customers whose period ended by `?1`. Packages first, so
/// only the customers of prepaid packages are read (`customers_package`):
/// SQLite's CROSS JOIN keeps that order (PostgreSQL plans it from statistics).
pub(super) fn prepaid_ended(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            "FROM packages p CROSS JOIN customers c ON c.package_id = p.id
     WHERE p.billing_cycle = 'days' AND c.status = 'active'
       AND c.expires_at IS NOT NULL AND c.expires_at <= ?1"
        }
        Engine::Postgres => {
            "FROM packages p JOIN customers c ON c.package_id = p.id
     WHERE p.billing_cycle = 'days' AND c.status = 'active'
       AND c.expires_at IS NOT NULL AND c.expires_at <= ?1"
        }
    }
}

/// The chunk's ids: `?N` is a JSON array of customer ids.
fn in_chunk(engine: Engine, n: usize) -> String {
    format!("c.id IN {}", engine.json_ids(&format!("?{n}")))
}

/// The modifier that turns a UTC timestamp into the ISP's local time.
pub(super) fn offset_modifier(settings: &RunSettings) -> String {
    format!("{:+} minutes", settings.offset.whole_minutes())
}

/// The overdue cutoff: a bill due before it is past grace.
pub(super) fn overdue_cutoff(settings: &RunSettings) -> String {
    (settings.date - time::Duration::days(settings.grace_days)).to_string()
}

/// The customers `step` has to handle on `settings.date`, in id order: one
/// query, read once per step (a run's chunks then take them in turn, and each
/// chunk checks its customers again inside its own transaction).
pub fn candidates(
    conn: &Connection,
    settings: &RunSettings,
    step: Step,
) -> Result<Vec<i64>, StoreError> {
    let ids = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<Vec<i64>, StoreError> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(args, |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    match step {
        Step::Bills => ids(
            &format!("SELECT c.id {} ORDER BY c.id", bills_due(conn.engine())),
            params![
                offset_modifier(settings),
                i64::from(settings.date.day()),
                settings.date.to_string()
            ],
        ),
        Step::Prepaid => ids(
            &format!("SELECT c.id {} ORDER BY c.id", prepaid_ended(conn.engine())),
            params![format_timestamp(settings.now)],
        ),
        Step::Overdue => ids(
            "SELECT DISTINCT c.id FROM bills b JOIN customers c ON c.id = b.customer_id
             WHERE b.status IN ('unpaid', 'partial') AND b.due_date < ?1
               AND (c.status = 'active' OR b.overdue_at IS NULL)
             ORDER BY c.id",
            params![overdue_cutoff(settings)],
        ),
    }
}

/// One transaction's share of the day's run: `step` for the customers `ids`
/// (a chunk of [`candidates`]). Each is checked again here, inside the
/// transaction, against the step's condition, so a customer changed since the
/// candidates were read (billed, paid, suspended by hand) is skipped, and a
/// chunk done twice (a crash before its commit is seen, a second run of the
/// day) makes no second bill and no second suspension. A few statements per
/// customer, each prepared once per connection; one query per chunk to check
/// the ids.
pub fn run_chunk(
    tx: &Transaction<'_>,
    settings: &RunSettings,
    step: Step,
    ids: &[i64],
) -> Result<RunReport, StoreError> {
    if ids.is_empty() {
        return Ok(RunReport::default());
    }
    let ids = format!(
        "[{}]",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    );
    match step {
        Step::Bills => bill(tx, settings, &ids),
        Step::Prepaid => renew_or_suspend(tx, settings, &ids),
        Step::Overdue => suspend_overdue(tx, settings, &ids),
    }
}

/// Bills the chunk's customers (`ids`, a JSON array) still due.
fn bill(tx: &Transaction<'_>, settings: &RunSettings, ids: &str) -> Result<RunReport, StoreError> {
    let mut report = RunReport::default();
    let now = format_timestamp(settings.now);
    let period_start = settings.date.to_string();
    let due: Vec<(i64, i64, String, String)> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT c.id, p.price_minor, p.currency, p.name {} AND {} ORDER BY c.id",
            bills_due(tx.engine()),
            in_chunk(tx.engine(), 4)
        ))?;
        let rows = stmt.query_map(
            params![
                offset_modifier(settings),
                i64::from(settings.date.day()),
                period_start,
                ids
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        rows.collect::<Result<_, _>>()?
    };
    let period_end = period_end(settings.date).to_string();
    let due_date = (settings.date + time::Duration::days(settings.due_days)).to_string();
    let who = Who::job("billing-run");
    for (customer_id, price, currency, package_name) in due {
        let bill = bills::create(
            tx,
            &NewBill {
                customer_id,
                amount: crate::domain::money::Money(price),
                currency,
                due_date: due_date.clone(),
                description: Some(monthly_description(&package_name, settings.date)),
                period_start: Some(period_start.clone()),
                period_end: Some(period_end.clone()),
            },
            Visibility::ALL,
            &now,
        )?;
        super::audit_rows::record_change(
            tx,
            &who,
            &super::audited::BILL,
            "created",
            bill.id,
            None,
            &now,
        )?;
        report.bills_created += 1;
    }
    Ok(report)
}

/// Renews from credit, else suspends, the chunk's prepaid customers (`ids`)
/// whose period still ended.
fn renew_or_suspend(
    tx: &Transaction<'_>,
    settings: &RunSettings,
    ids: &str,
) -> Result<RunReport, StoreError> {
    let mut report = RunReport::default();
    let now = format_timestamp(settings.now);
    let expired: Vec<(i64, bool)> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT c.id, COALESCE((SELECT s.auto_renew FROM subscriptions s
                                    WHERE s.customer_id = c.id AND s.status = 'active'), 0)
             {} AND {} ORDER BY c.id",
            prepaid_ended(tx.engine()),
            in_chunk(tx.engine(), 2)
        ))?;
        let rows = stmt.query_map(params![now, ids], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (customer_id, auto_renew) in expired {
        if auto_renew
            && prepaid::renew_from_credit(tx, customer_id, prepaid::RenewedBy::Isp, settings.now)?
                > 0
        {
            continue;
        }
        expired_event(tx, customer_id, &now)?;
        suspend(
            tx,
            settings,
            customer_id,
            None,
            "prepaid period ended",
            &now,
        )?;
        report.customers_suspended += 1;
    }
    Ok(report)
}

/// `subscription.expired`: a prepaid customer's period ended unrenewed.
fn expired_event(tx: &Transaction<'_>, customer_id: i64, now: &str) -> Result<(), StoreError> {
    let Some(c) = customers::get(tx, customer_id, Visibility::ALL)? else {
        return Ok(());
    };
    let payload = serde_json::json!({
        "customer_id": c.id,
        "name": c.name,
        "package": c.package_id.map(|id| serde_json::json!({"id": id, "name": c.package_name})),
        "expired_at": c.expires_at,
    });
    super::events::record(tx, super::events::SUBSCRIPTION_EXPIRED, &payload, now)
}

/// Suspends the chunk's customers (`ids`) still active with a bill overdue
/// beyond grace.
fn suspend_overdue(
    tx: &Transaction<'_>,
    settings: &RunSettings,
    ids: &str,
) -> Result<RunReport, StoreError> {
    let mut report = RunReport::default();
    let now = format_timestamp(settings.now);
    // From the chunk's customers to their bills (`bills_customer`): on
    // SQLite the unary `+` keeps the planner off `bills_status`, which would
    // read every overdue bill of every customer for each chunk (PostgreSQL
    // has no `+` for text and plans from statistics).
    let plus = match tx.engine() {
        Engine::Sqlite => "+",
        Engine::Postgres => "",
    };
    let overdue: Vec<(i64, i64, String)> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT c.id, MIN(b.id), MIN(b.due_date)
             FROM customers c JOIN bills b ON b.customer_id = c.id
             WHERE {} AND c.status = 'active'
               AND {plus}b.status IN ('unpaid', 'partial') AND {plus}b.due_date < ?1
             GROUP BY c.id ORDER BY c.id",
            in_chunk(tx.engine(), 2)
        ))?;
        let rows = stmt.query_map(params![overdue_cutoff(settings), ids], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    tell_overdue(tx, settings, ids, &now)?;
    for (customer_id, bill_id, due) in overdue {
        let reason = format!("bill #{bill_id} overdue since {due}");
        suspend(tx, settings, customer_id, Some(bill_id), &reason, &now)?;
        report.customers_suspended += 1;
    }
    Ok(report)
}

/// `invoice.overdue` for each of the chunk's bills newly overdue beyond
/// grace, marked so it is told once.
fn tell_overdue(
    tx: &Transaction<'_>,
    settings: &RunSettings,
    ids: &str,
    now: &str,
) -> Result<(), StoreError> {
    type Overdue = (
        i64,
        Option<i64>,
        i64,
        i64,
        i64,
        String,
        String,
        Option<String>,
    );
    let bills: Vec<Overdue> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT b.id, b.invoice_id, b.customer_id, b.amount_minor, b.paid_minor, b.currency,
                    b.due_date, b.description
             FROM customers c JOIN bills b ON b.customer_id = c.id
             WHERE {} AND b.status IN ('unpaid', 'partial') AND b.due_date < ?1
               AND b.overdue_at IS NULL
             ORDER BY b.id",
            in_chunk(tx.engine(), 2)
        ))?;
        let rows = stmt.query_map(params![overdue_cutoff(settings), ids], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (bill_id, invoice_id, customer_id, amount, paid, currency, due_date, description) in bills {
        rows::execute(
            tx,
            "UPDATE bills SET overdue_at = ?2 WHERE id = ?1 AND overdue_at IS NULL",
            params![bill_id, now],
        )?;
        let payload = serde_json::json!({
            "bill_id": bill_id,
            "invoice_id": invoice_id,
            "customer_id": customer_id,
            "amount": Money(amount).to_json(),
            "paid": Money(paid).to_json(),
            "due": Money(amount - paid).to_json(),
            "currency": currency,
            "due_date": due_date,
            "grace_days": settings.grace_days,
            "description": description,
        });
        super::events::record(tx, super::events::INVOICE_OVERDUE, &payload, now)?;
    }
    Ok(())
}

/// Suspends a customer for the run, with its event and its line in the log.
fn suspend(
    tx: &Transaction<'_>,
    settings: &RunSettings,
    customer_id: i64,
    bill_id: Option<i64>,
    reason: &str,
    now: &str,
) -> Result<(), StoreError> {
    customers::set_status(
        tx,
        &Who::job("billing-run"),
        customer_id,
        Visibility::ALL,
        "suspended",
        reason,
        settings.now,
    )?;
    rows::execute(
        tx,
        "INSERT INTO auto_suspension_log (customer_id, bill_id, reason, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![customer_id, bill_id, reason, now],
    )?;
    Ok(())
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
        &Who::job("payment-clearance"),
        customer_id,
        Visibility::ALL,
        "active",
        "payment cleared the dues",
        now,
    )?;
    tx.exec(
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
    tx.exec(
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

/// How a run went: what it did, and how it held the writer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOutcome {
    pub report: RunReport,
    /// Write transactions, one per chunk.
    pub chunks: usize,
    /// The longest of them, from asking for the write to its commit: how
    /// long the run held the writer at most, and so, once writes take turns
    /// in one queue, the longest an API write waits behind the run.
    pub longest_chunk: Duration,
}

/// The run, step by step: each step reads its candidates once (a read, not
/// holding the writer), then handles them `chunk` at a time, each chunk its
/// own write transaction that checks its customers again, so API writes go on
/// between chunks and a run cut short resumes where it was, with no second
/// bill.
pub fn run_in_chunks(
    db: &Db,
    settings: &RunSettings,
    chunk: usize,
) -> Result<RunOutcome, StoreError> {
    let mut outcome = RunOutcome::default();
    for step in Step::ALL {
        let ids = db.read(|c| candidates(c, settings, step))?;
        for ids in ids.chunks(chunk.max(1)) {
            let (settings, ids) = (*settings, ids.to_vec());
            let started = Instant::now();
            let done = db.write(move |tx| run_chunk(tx, &settings, step, &ids))?;
            outcome.longest_chunk = outcome.longest_chunk.max(started.elapsed());
            outcome.chunks += 1;
            outcome.report.add(done);
        }
    }
    Ok(outcome)
}
