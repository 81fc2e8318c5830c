//! SMS request bodies: send to one number, broadcast to many.

use poem_openapi::Object;

use crate::{
    contract::{
        body::{Fields, FromJsonObject},
        text::{MultiLine, SingleLine, TextRule},
    },
    schema_as,
    sms::phone::Phone,
};

/// `{"phone","message"}`.
#[derive(Debug, Object)]
pub struct SendSmsInput {
    /// 01XXXXXXXXX, +8801XXXXXXXXX or another E.164 number.
    #[oai(validator(min_length = 1, max_length = 32))]
    pub phone: SingleLine,
    #[oai(validator(min_length = 1, max_length = 1600))]
    pub message: MultiLine,
}

/// `{"phones":[...],"message"}`.
#[derive(Debug, Object)]
pub struct BroadcastInput {
    #[oai(validator(min_items = 1))]
    pub phones: Vec<SingleLine>,
    #[oai(validator(min_length = 1, max_length = 1600))]
    pub message: MultiLine,
}

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

fn read_message(f: &mut Fields) -> String {
    let message = f.required_text("message", TextRule::MultiLine);
    if message.chars().count() > 1600 {
        f.error(
            "message",
            "The message may not be longer than 1600 characters.",
        );
    }
    message
}

impl FromJsonObject for SendSms {
    fn from_fields(f: &mut Fields) -> Self {
        let raw = f.required_string("phone");
        let phone = if f.has_error("phone") {
            None
        } else {
            match Phone::parse(&raw) {
                Ok(p) => Some(p),
                Err(why) => {
                    f.error("phone", why);
                    None
                }
            }
        };
        Self {
            phone,
            message: read_message(f),
        }
    }
}

impl FromJsonObject for Broadcast {
    fn from_fields(f: &mut Fields) -> Self {
        let mut phones: Vec<Phone> = Vec::new();
        let mut duplicates = 0;
        match f.optional_string_list("phones") {
            Some(list) if list.is_empty() => f.error("phones", "Give at least one phone number."),
            Some(list) => {
                for raw in list {
                    match Phone::parse(&raw) {
                        Ok(p) if phones.contains(&p) => duplicates += 1,
                        Ok(p) => phones.push(p),
                        Err(why) => f.error("phones", why),
                    }
                }
            }
            None if !f.has_error("phones") => f.error("phones", "The phones field is required."),
            None => {}
        }
        Self {
            phones,
            duplicates,
            message: read_message(f),
        }
    }
}

schema_as!(SendSms, SendSmsInput);
schema_as!(Broadcast, BroadcastInput);
