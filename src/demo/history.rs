//! The demo's recent past, so the screens are alive on the first day: two
//! months of bills with the payments most customers made (cash, bKash,
//! Nagad, bank), a few complaints, sent SMS (payment thanks and a Bangla
//! maintenance notice), and recharge card batches. The bills follow the real
//! cycle (each customer's billing day, calendar months, `due_days`), so the
//! daily run goes on from them without a second bill. The past is marked as
//! read for the outbox's readers: no SMS or webhook goes out for it. Nothing
//! pretends to be a device: no router, OLT or radio is made up.

use time::{Duration, OffsetDateTime, UtcOffset};

use super::Rng;
use crate::{
    auth::keys::JwtKey,
    cards::{self, BatchSpec},
    clock::format_timestamp,
    domain::{money::Money, visibility::Visibility},
    sms::{outgoing, phone::Phone},
    store::{
        billing_run,
        bills::{self, NewBill},
        complaints::{self, ComplaintFields},
        events,
        payments::{self, NewPayment},
        sms::{self, Limits},
        webhook_deliveries, Db, StoreError,
    },
};

/// A demo customer as made, for its history.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub package: String,
    pub price: Money,
    /// Active or suspended customers are billed; inactive and expired not.
    pub billed: bool,
    pub created: OffsetDateTime,
}

/// What the history added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct History {
    pub bills: usize,
    pub payments: usize,
    pub complaints: usize,
    pub sms: usize,
    pub cards: usize,
}

const METHODS: &[&str] = &["cash", "cash", "cash", "bkash", "bkash", "nagad", "bank"];

const COMPLAINTS: &[(&str, &str, &str, &str)] = &[
    (
        "No internet since morning",
        "The router shows a red LOS light since 8 am.",
        "open",
        "high",
    ),
    (
        "Slow speed in the evening",
        "Speed drops below 2 Mbps every evening from 8 to 11 pm.",
        "in_progress",
        "medium",
    ),
    (
        "Wants to move the connection",
        "Moving to a new flat on the same road next month.",
        "open",
        "low",
    ),
    (
        "Bill amount question",
        "Asked why this month's bill is higher than the package price.",
        "resolved",
        "low",
    ),
    (
        "Frequent disconnects",
        "The PPPoE session drops several times an hour.",
        "in_progress",
        "high",
    ),
    (
        "Wi-Fi password change",
        "Asked us to change the Wi-Fi password on the ONU.",
        "closed",
        "low",
    ),
];

const NOTICE: &str = "প্রিয় গ্রাহক, আগামী শুক্রবার রাত ২টা থেকে ৪টা পর্যন্ত নেটওয়ার্ক রক্ষণাবেক্ষণের কাজ চলবে। সাময়িক অসুবিধার জন্য দুঃখিত।";

/// `day` of the month `back` months before `d`'s.
fn months_back(d: time::Date, back: u8, day: u8) -> Option<time::Date> {
    let mut month = d.month();
    let mut year = d.year();
    for _ in 0..back {
        month = month.previous();
        if month == time::Month::December {
            year -= 1;
        }
    }
    time::Date::from_calendar_date(year, month, day).ok()
}

/// The periods the run would have billed in the last two months: each
/// start on the customer's billing day (the local day it started, capped at
/// 28, as the run bills), after it started and before today.
fn periods(c: &Seeded, today: time::Date, offset: UtcOffset) -> Vec<(time::Date, time::Date)> {
    let started = c.created.to_offset(offset).date();
    let day = started.day().min(28);
    (0..=2u8)
        .rev()
        .filter_map(|back| months_back(today, back, day))
        .filter(|start| *start >= started && *start < today && *start >= today - Duration::days(62))
        .map(|start| (start, billing_run::period_end(start)))
        .collect()
}

/// Writes the history of `seeded` (made `now`, the ISP at `offset`);
/// recharge cards only with the data directory's PIN key.
pub fn load(
    db: &Db,
    seeded: &[Seeded],
    pin_key: Option<&JwtKey>,
    now: OffsetDateTime,
    (offset, due_days): (UtcOffset, i64),
    rng: &mut Rng,
) -> Result<History, StoreError> {
    let today = now.to_offset(offset).date();
    let mut done = History::default();
    // Bills and payments: two periods back, each customer on its own day.
    let mut thanks = Vec::new();
    for chunk in seeded.chunks(200) {
        let mut plan = Vec::new();
        for c in chunk.iter().filter(|c| c.billed && c.price.0 > 0) {
            let all = periods(c, today, offset);
            for (n, (start, end)) in all.iter().copied().enumerate() {
                let latest = n + 1 == all.len();
                let roll = rng.below(100);
                let paid_after = Duration::days(rng.below(10) as i64)
                    + Duration::minutes((10 * 60 + rng.below(10 * 60)) as i64);
                let paid_at = start.midnight().assume_offset(offset) + paid_after;
                // Most pay; a few of the latest bills are still owed.
                let pays = roll < if latest { 90 } else { 97 };
                let payment = (pays && paid_at < now - Duration::hours(1)).then(|| {
                    let method = METHODS[rng.below(METHODS.len())];
                    let trx = matches!(method, "bkash" | "nagad" | "bank")
                        .then(|| format!("DEMO{:010X}", rng.next() % 0xFF_FFFF_FFFF));
                    // A few pay half now, the rest later.
                    let amount = if latest && roll.is_multiple_of(25) {
                        Money(c.price.0 / 2)
                    } else {
                        c.price
                    };
                    (paid_at, method, trx, amount)
                });
                plan.push((c.clone(), (start, end), payment));
            }
        }
        let written = db.write(move |tx| {
            let mut out = (0, Vec::new());
            for (c, (start, end), payment) in plan {
                let billed_at = start.midnight().assume_offset(offset) + Duration::minutes(30);
                let bill = bills::create(
                    tx,
                    &NewBill {
                        customer_id: c.id,
                        amount: c.price,
                        currency: "BDT".into(),
                        due_date: (start + Duration::days(due_days)).to_string(),
                        description: Some(billing_run::monthly_description(&c.package, start)),
                        period_start: Some(start.to_string()),
                        period_end: Some(end.to_string()),
                    },
                    Visibility::ALL,
                    &format_timestamp(billed_at),
                )?;
                out.0 += 1;
                if let Some((paid_at, method, trx, amount)) = payment {
                    payments::record(
                        tx,
                        &NewPayment {
                            customer_id: c.id,
                            bill_id: Some(bill.id),
                            amount,
                            currency: "BDT".into(),
                            method: method.into(),
                            transaction_id: trx,
                        },
                        Visibility::ALL,
                        &format_timestamp(paid_at),
                    )?;
                    out.1.push((c, paid_at, method, amount));
                }
            }
            Ok(out)
        })?;
        done.bills += written.0;
        done.payments += written.1.len();
        thanks.extend(written.1);
    }
    done.complaints = complaints_of(db, seeded, now, rng)?;
    done.sms = messages(db, seeded, &thanks, now)?;
    // The past is not news: no SMS notification or webhook for it.
    db.write(|tx| {
        events::mark_all_read(tx, sms::NOTIFICATIONS_READER)?;
        events::mark_all_read(tx, webhook_deliveries::READER)
    })?;
    if let Some(key) = pin_key {
        let stamp = format_timestamp(now - Duration::days(20));
        for (batch, count, value) in [("DEMO-500", 20, 500), ("DEMO-1000", 10, 1000)] {
            let spec = BatchSpec {
                count,
                value: Money(value * 100),
                operator_id: None,
                package_id: None,
            };
            done.cards += cards::generate(db, key, batch, spec, &stamp)?.len();
        }
    }
    Ok(done)
}

/// A few complaints of the first customers, over the last two weeks.
fn complaints_of(
    db: &Db,
    seeded: &[Seeded],
    now: OffsetDateTime,
    rng: &mut Rng,
) -> Result<usize, StoreError> {
    let made: Vec<_> = COMPLAINTS
        .iter()
        .zip(seeded)
        .map(|((subject, body, status, priority), c)| {
            let at = now - Duration::hours(1 + rng.below(14 * 24) as i64);
            (c.id, *subject, *body, *status, *priority, at)
        })
        .collect();
    let n = made.len();
    db.write(move |tx| {
        for (customer_id, subject, body, status, priority, at) in made {
            complaints::create(
                tx,
                &ComplaintFields {
                    customer_id,
                    subject: subject.into(),
                    body: body.into(),
                    status: status.into(),
                    priority: priority.into(),
                    assigned_to: None,
                },
                Visibility::ALL,
                &format_timestamp(at),
            )?;
        }
        Ok(())
    })?;
    Ok(n)
}

/// Sent SMS: thanks for the latest payments, and a Bangla maintenance notice
/// to a few customers; credits topped up for them first.
fn messages(
    db: &Db,
    seeded: &[Seeded],
    thanks: &[(Seeded, OffsetDateTime, &'static str, Money)],
    now: OffsetDateTime,
) -> Result<usize, StoreError> {
    let mut out = Vec::new();
    let mut latest: Vec<_> = thanks.iter().collect();
    latest.sort_by_key(|(_, at, _, _)| std::cmp::Reverse(*at));
    let origin = |source| outgoing::Origin {
        source,
        broadcast_id: None,
        requested_by: "demo",
    };
    for (i, (c, at, method, amount)) in latest.iter().take(25).enumerate() {
        let Ok(phone) = Phone::parse(&c.phone) else {
            continue;
        };
        let text = format!(
            "Dear {}, we received BDT {} by {method}. Thank you.",
            c.name,
            amount.to_json()
        );
        if let Ok(mut m) = outgoing::prepare(
            10,
            format!("sms_demo{i:04}"),
            &phone,
            &text,
            origin("notification"),
        ) {
            m.customer_id = Some(c.id);
            out.push((m, *at));
        }
    }
    let notice_at = now - Duration::days(3);
    for (i, c) in seeded.iter().take(10).enumerate() {
        let Ok(phone) = Phone::parse(&c.phone) else {
            continue;
        };
        let broadcast = outgoing::Origin {
            broadcast_id: Some("demo-maintenance"),
            ..origin("broadcast")
        };
        if let Ok(mut m) =
            outgoing::prepare(10, format!("sms_demob{i:03}"), &phone, NOTICE, broadcast)
        {
            m.customer_id = Some(c.id);
            out.push((m, notice_at));
        }
    }
    let n = out.len();
    let credits: i64 = out.iter().map(|(m, _)| m.parts).sum::<i64>() + 500;
    let first = format_timestamp(now - Duration::days(61));
    db.write(move |tx| {
        sms::top_up(tx, credits, Some("demo credits"), &first)?;
        for (m, at) in out {
            let stamp = format_timestamp(at);
            let limits = Limits {
                daily_cap: 0,
                day_start: &stamp,
            };
            let due = at.unix_timestamp();
            for row in sms::queue(tx, std::slice::from_ref(&m), limits, "message", due, &stamp)? {
                sms::mark_sent(tx, row.id, Some("demo"), &stamp)?;
            }
        }
        Ok(())
    })?;
    Ok(n)
}
