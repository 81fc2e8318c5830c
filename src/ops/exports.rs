//! CSV exports: customers (with the list's filters), bills, payments and the
//! audit trail, within the caller's visibility. UTF-8 with a byte-order mark,
//! so Excel shows Bangla; a header row of column names.
//!
//! Streamed: a blocking task reads [`CHUNK`] rows at a time by id (keyset,
//! no offset, no count), writes them as CSV and hands each chunk to a
//! channel of [`IN_FLIGHT`] chunks. The task waits while the reader is
//! behind, and stops when it goes away, so memory stays the same for 1,000
//! rows or 1,000,000 and a slow client holds no more than a few chunks.
//!
//! Text that a spreadsheet would take for a formula (starting with `=`, `+`,
//! `-`, `@`, a tab or a carriage return) gets a leading `'`: a customer named
//! `=HYPERLINK(...)` stays text when the file is opened.

use bytes::Bytes;
use tokio::sync::mpsc;

use super::{Caller, Ctx};
use crate::{
    auth::scope::Scope,
    domain::visibility::Visibility,
    store::{
        audit::{self, AuditFilter, AuditRow},
        bills::{self, BillFilter, BillRow},
        customers::{self, CustomerFilter, CustomerRow},
        payments::{self, PaymentRow},
        Db, StoreError,
    },
};

/// Rows read and written at a time.
pub const CHUNK: i64 = 500;
/// Chunks waiting for the client at most.
pub const IN_FLIGHT: usize = 4;
/// UTF-8's byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The chunks of a file, in order; an `Err` ends it early (the connection is
/// cut, so a client never takes a half file for a whole one).
pub type Chunks = mpsc::Receiver<Result<Bytes, std::io::Error>>;

/// What to export.
#[derive(Debug, Clone)]
pub enum Export {
    Customers(CustomerFilter),
    Bills(BillFilter),
    Payments {
        customer_id: Option<i64>,
        from: Option<String>,
        to: Option<String>,
    },
    Audit(AuditFilter),
}

impl Export {
    /// The file's name: `customers-2026-12-03.csv`.
    pub fn filename(&self, today: time::Date) -> String {
        let what = match self {
            Export::Customers(_) => "customers",
            Export::Bills(_) => "bills",
            Export::Payments { .. } => "payments",
            Export::Audit(_) => "audit",
        };
        format!("{what}-{today}.csv")
    }

    /// As `caller` may see it: without `logs:read`, the trail's rows about
    /// customers only (as the list).
    fn for_caller(mut self, caller: &Caller) -> Self {
        if let Export::Audit(f) = &mut self {
            f.customers_only = !caller.has(Scope::LogsRead);
        }
        self
    }

    fn header(&self) -> &'static [&'static str] {
        match self {
            Export::Customers(_) => &[
                "id",
                "username",
                "name",
                "phone",
                "email",
                "address",
                "package",
                "operator_id",
                "status",
                "connection_type",
                "balance",
                "expires_at",
                "onu_mac",
                "static_ip",
                "ipv6_prefix",
                "router_id",
                "created_at",
            ],
            Export::Bills(_) => &[
                "id",
                "customer_id",
                "amount",
                "paid",
                "currency",
                "status",
                "due_date",
                "description",
                "period_start",
                "period_end",
                "created_at",
            ],
            Export::Payments { .. } => &[
                "id",
                "customer_id",
                "bill_id",
                "amount",
                "currency",
                "method",
                "transaction_id",
                "received_at",
            ],
            Export::Audit(_) => &[
                "id",
                "at",
                "actor",
                "actor_name",
                "source",
                "action",
                "resource_type",
                "resource_id",
                "customer_id",
                "reason",
                "changes",
            ],
        }
    }
}

/// Text a spreadsheet shows as text.
fn text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(text).unwrap_or_default()
}

fn num(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn customer(c: &CustomerRow) -> Vec<String> {
    vec![
        c.id.to_string(),
        opt(&c.username),
        text(&c.name),
        text(&c.phone),
        opt(&c.email),
        opt(&c.address),
        opt(&c.package_name),
        num(c.operator_id),
        c.status.clone(),
        c.connection_type.clone(),
        c.balance.to_string(),
        c.expires_at.clone().unwrap_or_default(),
        opt(&c.onu_mac),
        opt(&c.static_ip),
        opt(&c.ipv6_prefix),
        num(c.router_id),
        c.created_at.clone(),
    ]
}

fn bill(b: &BillRow) -> Vec<String> {
    vec![
        b.id.to_string(),
        b.customer_id.to_string(),
        b.amount.to_string(),
        b.paid.to_string(),
        b.currency.clone(),
        b.status.clone(),
        b.due_date.clone(),
        opt(&b.description),
        b.period_start.clone().unwrap_or_default(),
        b.period_end.clone().unwrap_or_default(),
        b.created_at.clone(),
    ]
}

fn payment(p: &PaymentRow) -> Vec<String> {
    vec![
        p.id.to_string(),
        p.customer_id.to_string(),
        num(p.bill_id),
        p.amount.to_string(),
        p.currency.clone(),
        text(&p.method),
        opt(&p.transaction_id),
        p.received_at.clone(),
    ]
}

fn audit_row(a: &AuditRow) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.at.clone(),
        a.actor.clone(),
        opt(&a.actor_name),
        a.source.clone().unwrap_or_default(),
        a.action.clone(),
        a.resource_type.clone(),
        num(a.resource_id),
        num(a.customer_id),
        opt(&a.reason),
        a.changes.clone(),
    ]
}

/// Starts the export of `what` for `caller`: the file's chunks. A caller who
/// may not read the logs gets only the audit rows about customers (as the
/// list).
pub fn start(ctx: &Ctx, caller: &Caller, what: Export) -> Chunks {
    let what = what.for_caller(caller);
    let (tx, rx) = mpsc::channel(IN_FLIGHT);
    let db = ctx.db.clone();
    let vis = caller.visibility;
    tokio::task::spawn_blocking(move || {
        if let Err(e) = write_all(&db, vis, &what, &tx) {
            tracing::warn!(error = %e, "CSV export stopped");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    rx
}

/// Writes the whole file into `out` (the command line's file or standard
/// output), chunk by chunk.
pub fn write_to(
    db: &Db,
    caller: &Caller,
    what: Export,
    out: &mut impl std::io::Write,
) -> Result<u64, String> {
    let what = what.for_caller(caller);
    let (tx, mut rx) = mpsc::channel(IN_FLIGHT);
    let db = db.clone();
    let vis = caller.visibility;
    let worker = std::thread::spawn(move || write_all(&db, vis, &what, &tx));
    let mut bytes = 0u64;
    while let Some(chunk) = rx.blocking_recv() {
        let chunk = chunk.map_err(|e| e.to_string())?;
        out.write_all(&chunk).map_err(|e| e.to_string())?;
        bytes += chunk.len() as u64;
    }
    worker
        .join()
        .map_err(|_| "the export thread panicked".to_string())?
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

#[derive(Debug, thiserror::Error)]
enum WriteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Csv(String),
}

/// Reads and sends every chunk; stops early when the reader is gone.
fn write_all(
    db: &Db,
    vis: Visibility,
    what: &Export,
    tx: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), WriteError> {
    let mut cursor: i64 = match what {
        Export::Audit(_) => i64::MAX,
        _ => 0,
    };
    let mut first = true;
    loop {
        let mut w = csv::Writer::from_writer(Vec::with_capacity(64 * 1024));
        let csv_err = |e: csv::Error| WriteError::Csv(e.to_string());
        if first {
            w.write_record(what.header()).map_err(csv_err)?;
        }
        let (n, last) = match what {
            Export::Customers(f) => {
                let rows = db.read(|c| customers::export_chunk(c, f, vis, cursor, CHUNK))?;
                for r in &rows {
                    w.write_record(customer(r)).map_err(csv_err)?;
                }
                (rows.len(), rows.last().map(|r| r.id))
            }
            Export::Bills(f) => {
                let rows = db.read(|c| bills::export_chunk(c, f, vis, cursor, CHUNK))?;
                for r in &rows {
                    w.write_record(bill(r)).map_err(csv_err)?;
                }
                (rows.len(), rows.last().map(|r| r.id))
            }
            Export::Payments {
                customer_id,
                from,
                to,
            } => {
                let rows = db.read(|c| {
                    payments::export_chunk(
                        c,
                        *customer_id,
                        (from.as_deref(), to.as_deref()),
                        vis,
                        cursor,
                        CHUNK,
                    )
                })?;
                for r in &rows {
                    w.write_record(payment(r)).map_err(csv_err)?;
                }
                (rows.len(), rows.last().map(|r| r.id))
            }
            Export::Audit(f) => {
                let rows = db.read(|c| audit::export_chunk(c, vis, f, cursor, CHUNK))?;
                for r in &rows {
                    w.write_record(audit_row(r)).map_err(csv_err)?;
                }
                (rows.len(), rows.last().map(|r| r.id))
            }
        };
        let body = w.into_inner().map_err(|e| WriteError::Csv(e.to_string()))?;
        let chunk = if first {
            [BOM, body.as_slice()].concat()
        } else {
            body
        };
        first = false;
        if !chunk.is_empty() && tx.blocking_send(Ok(Bytes::from(chunk))).is_err() {
            // The client went away: nothing more to do.
            return Ok(());
        }
        match last {
            Some(id) if i64::try_from(n).unwrap_or(i64::MAX) == CHUNK => cursor = id,
            _ => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_stays_text() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("+8801712345678"), "'+8801712345678");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("রহিম উদ্দিন"), "রহিম উদ্দিন");
        assert_eq!(text("01712345678"), "01712345678");
    }
}
