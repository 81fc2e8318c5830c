//! Prepaid customers (packages billed by `days`): credit renews them, one
//! validity period per package price; an operator's renewal of its own customer
//! debits the operator's balance at the package's wholesale price.

use super::sql::Transaction;
use rusqlite::params;
use time::OffsetDateTime;

use super::{
    rows::{self, record},
    StoreError,
};
use crate::clock::{format_timestamp, parse_timestamp};

/// Who pays the ISP for a renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenewedBy {
    /// The ISP's staff, an integration or the billing run.
    Isp,
    /// The customer's reseller: its balance is debited at the wholesale price.
    Operator,
}

record! {
    /// A prepaid customer's credit, period and package terms.
    struct PrepaidTerms {
        credit: i64 = "c.balance_minor",
        expires: Option<String> = "c.expires_at",
        operator: Option<i64> = "c.operator_id",
        price: i64 = "p.price_minor",
        validity: i64 = "p.validity_days",
        wholesale: Option<i64> = "p.wholesale_price_minor",
    }
}

/// Renews a prepaid customer from its credit as many periods as the credit
/// pays for; returns how many. Customers on monthly packages are left alone.
pub fn renew_from_credit(
    tx: &Transaction<'_>,
    customer_id: i64,
    by: RenewedBy,
    now: OffsetDateTime,
) -> Result<u32, StoreError> {
    let found: Option<PrepaidTerms> = rows::one(
        tx,
        "FROM customers c JOIN packages p ON p.id = c.package_id \
         WHERE c.id = ?1 AND p.billing_cycle = 'days'",
        [customer_id],
    )?;
    let Some(PrepaidTerms {
        mut credit,
        expires,
        operator,
        price,
        validity,
        wholesale,
    }) = found
    else {
        return Ok(0);
    };
    if price <= 0 {
        return Ok(0);
    }
    let stamp = format_timestamp(now);
    let mut until = expires
        .as_deref()
        .and_then(parse_timestamp)
        .filter(|t| *t > now)
        .unwrap_or(now);
    let mut renewals = 0;
    while credit >= price {
        if let (RenewedBy::Operator, Some(op)) = (by, operator) {
            let cost = wholesale.unwrap_or(price);
            let balance: i64 = rows::value(
                tx,
                "SELECT balance_minor FROM operators WHERE id = ?1",
                [op],
            )?;
            if balance < cost {
                return Err(StoreError::invalid(
                    "amount",
                    "The operator's balance is too low to pay the ISP for this renewal; add funds first.",
                ));
            }
            tx.exec(
                "INSERT INTO operator_ledger (operator_id, amount_minor, kind, note, customer_id, created_at)
                 VALUES (?1, ?2, 'renewal', 'prepaid renewal', ?3, ?4)",
                params![op, -cost, customer_id, stamp],
            )?;
            tx.exec(
                "UPDATE operators SET balance_minor = balance_minor - ?2, updated_at = ?3 WHERE id = ?1",
                params![op, cost, stamp],
            )?;
        }
        tx.exec(
            "INSERT INTO customer_ledger (customer_id, amount_minor, kind, created_at) VALUES (?1, ?2, 'renewal', ?3)",
            params![customer_id, -price, stamp],
        )?;
        credit -= price;
        until += time::Duration::days(validity);
        renewals += 1;
    }
    if renewals > 0 {
        let until = format_timestamp(until);
        tx.exec(
            "UPDATE customers SET balance_minor = ?2, expires_at = ?3, updated_at = ?4 WHERE id = ?1",
            params![customer_id, credit, until, stamp],
        )?;
        tx.exec(
            "UPDATE subscriptions SET expires_at = ?2 WHERE customer_id = ?1 AND status = 'active'",
            params![customer_id, until],
        )?;
    }
    Ok(renewals)
}
