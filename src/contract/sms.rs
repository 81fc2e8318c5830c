//! SMS request bodies: send to one number, broadcast to many.
//!
//! At the end, the answers: a queued message (v1, v2), a broadcast, the balance,
//! the history and its status filter.

use crate::{
    contract::{
        body::{Fields, FromJsonObject},
        field::{normalisers, Contract, ContractKind, Ex, Field, Mode, Normaliser, Text},
    },
    contract_type,
    sms::phone::Phone,
};

/// A number [`Phone::parse`] takes (the customers' phone rule), in a pattern.
const SMS_PHONE: Normaliser = Normaliser {
    message: "is not a mobile number: use 01XXXXXXXXX or +<country code><number>.",
    ..normalisers::PHONE
};

/// `{"phone","message"}`.
pub static SEND_SMS: Contract = Contract {
    name: "SendSmsInput",
    description: Some("`{\"phone\",\"message\"}`."),
    kind: ContractKind::Create,
    fields: &[
        Field::with("phone", Text::line().max(32).normalised(SMS_PHONE))
            .required()
            .describe("01XXXXXXXXX, +8801XXXXXXXXX or another E.164 number.")
            .example(Ex::Str("01712345678")),
        Field::multi_line("message")
            .required()
            .max(1600)
            .example(Ex::Str("Your bill of 1200 BDT is due on 10 May.")),
    ],
    example: None,
};

/// `{"phones":[...],"message"}`. Each number is checked by the reader (each
/// bad one is named), so the items state only the text rule.
pub static BROADCAST: Contract = Contract {
    name: "BroadcastInput",
    description: Some("`{\"phones\":[...],\"message\"}`."),
    kind: ContractKind::Create,
    fields: &[
        Field::list("phones", Text::line())
            .required()
            .min(1)
            .example(Ex::List(&["01712345678", "+8801812345678"])),
        Field::multi_line("message")
            .required()
            .max(1600)
            .example(Ex::Str("Maintenance tonight from 1 to 3 AM.")),
    ],
    example: None,
};

/// `POST /api/v1/sms/send`, `POST /api/v2/sms/send`. (Its `Debug` form is
/// what an `Idempotency-Key` replay must match: keep the field names.)
#[derive(Debug, Clone)]
pub struct SendSms {
    /// None only when the reader refused it.
    pub phone: Option<Phone>,
    pub message: String,
}

/// `POST /api/v2/sms/broadcast`: distinct numbers, in the order given.
#[derive(Debug, Clone)]
pub struct Broadcast {
    pub phones: Vec<Phone>,
    /// Numbers given more than once.
    pub duplicates: usize,
    pub message: String,
}

impl FromJsonObject for SendSms {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&SEND_SMS, Mode::Create));
    fn from_fields(f: &mut Fields) -> Self {
        // Already checked and normalised by the contract.
        let phone = match f.take("phone").text().map(|p| Phone::parse(&p)) {
            Some(Ok(p)) => Some(p),
            Some(Err(why)) => {
                f.error("phone", why);
                None
            }
            None => None,
        };
        Self {
            phone,
            message: f.take("message").text_or_empty(),
        }
    }
}

impl FromJsonObject for Broadcast {
    const CONTRACT: Option<(&'static Contract, Mode)> = Some((&BROADCAST, Mode::Create));
    fn from_fields(f: &mut Fields) -> Self {
        let mut phones: Vec<Phone> = Vec::new();
        let mut duplicates = 0;
        for raw in f.take("phones").list().unwrap_or_default() {
            match Phone::parse(&raw) {
                Ok(p) if phones.contains(&p) => duplicates += 1,
                Ok(p) => phones.push(p),
                Err(why) => f.error("phones", why),
            }
        }
        Self {
            phones,
            duplicates,
            message: f.take("message").text_or_empty(),
        }
    }
}

contract_type!(SendSms, SEND_SMS);
contract_type!(Broadcast, BROADCAST);

// ---- The answers: how a queued message, a broadcast, the balance and the history are shown; the history's status filter (row → JSON) ----

use poem_openapi::Object;

use crate::{one, paginated, store::sms::SmsRow};

/// v1 answer.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct SmsQueued {
    pub message_id: String,
    /// `queued`.
    pub status: String,
    pub phone: String,
}

one!(SmsQueuedOne, SmsQueued);

/// v2 answer: with what it cost and what is left.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct SmsQueuedV2 {
    pub message_id: String,
    pub status: String,
    pub phone: String,
    pub credits_used: i64,
    /// Credits left; null for a reseller's staff (they see only their own usage).
    #[oai(nullable)]
    pub credits_remaining: Option<i64>,
}

one!(SmsQueuedV2One, SmsQueuedV2);

/// What a broadcast queued.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct BroadcastQueued {
    pub broadcast_id: String,
    /// Messages queued (one per distinct number).
    pub count: i64,
    /// Numbers given more than once (sent once).
    pub duplicates_removed: i64,
    pub credits_used: i64,
    /// Credits left; null for a reseller's staff.
    #[oai(nullable)]
    pub credits_remaining: Option<i64>,
    pub messages: Vec<SmsQueued>,
}

one!(BroadcastQueuedOne, BroadcastQueued);

/// Credits. A reseller's staff see their operator's own usage: no balance,
/// no cap, and `operator_id` set.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct SmsBalance {
    /// Credits left (one credit = one SMS part); null for a reseller's staff.
    #[oai(nullable)]
    pub credits_remaining: Option<i64>,
    /// Credits spent since local midnight (a reseller's staff: on their
    /// operator's behalf).
    pub used_today: i64,
    /// Credits allowed per day; null when there is no cap.
    #[oai(nullable)]
    pub daily_limit: Option<i64>,
    /// `log` or `http`.
    pub gateway: String,
    /// Whose usage this is: the operator of a reseller's staff; null for the ISP.
    #[oai(nullable)]
    pub operator_id: Option<i64>,
}

one!(SmsBalanceOne, SmsBalance);

/// A message in the history.
#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct SmsMessage {
    pub message_id: String,
    pub phone: String,
    pub message: String,
    /// `queued`, `sending`, `sent` or `failed`.
    pub status: String,
    /// `gsm7` or `ucs2`.
    pub encoding: String,
    pub parts: i64,
    /// Credits charged (0 for a notification that could not be queued).
    pub credits: i64,
    /// `api`, `broadcast` or `notification`.
    pub source: String,
    #[oai(nullable)]
    pub customer_id: Option<i64>,
    #[oai(nullable)]
    pub broadcast_id: Option<String>,
    pub attempts: i64,
    #[oai(nullable)]
    pub provider_message_id: Option<String>,
    #[oai(nullable)]
    pub error: Option<String>,
    pub created_at: String,
    #[oai(nullable)]
    pub sent_at: Option<String>,
}

impl From<SmsRow> for SmsMessage {
    fn from(m: SmsRow) -> Self {
        Self {
            message_id: m.message_id,
            phone: Phone::from_e164(&m.phone).display(),
            message: m.body,
            status: m.status,
            encoding: m.encoding,
            parts: m.parts,
            credits: m.credits,
            source: m.source,
            customer_id: m.customer_id,
            broadcast_id: m.broadcast_id,
            attempts: m.attempts,
            provider_message_id: m.provider_message_id,
            error: m.error,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

paginated!(SmsHistory, SmsMessage);
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum SmsStatus {
    Queued,
    Sending,
    Sent,
    Failed,
}

impl SmsStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsStatus::Queued => "queued",
            SmsStatus::Sending => "sending",
            SmsStatus::Sent => "sent",
            SmsStatus::Failed => "failed",
        }
    }
}

impl From<&SmsRow> for SmsQueued {
    fn from(row: &SmsRow) -> Self {
        Self {
            message_id: row.message_id.clone(),
            status: row.status.clone(),
            phone: Phone::from_e164(&row.phone).display(),
        }
    }
}
