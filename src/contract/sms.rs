//! SMS request bodies: send to one number, broadcast to many.

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
