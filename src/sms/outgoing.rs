//! A message someone sends (one number, or a broadcast): what it costs and
//! whether it may go at all.

use super::{phone::Phone, segments};
use crate::store::sms::NewSms;

/// Who queues a message, and as part of what.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// `api` or `broadcast`.
    pub source: &'static str,
    pub broadcast_id: Option<&'a str>,
    /// The caller's label (`user:N`, `client:N`).
    pub requested_by: &'a str,
}

/// The message to `phone` ready to queue under `message_id`, or the reason
/// (for the `message` field) it cannot go: it takes more than `max_parts` parts.
pub fn prepare(
    max_parts: usize,
    message_id: String,
    phone: &Phone,
    message: &str,
    origin: Origin<'_>,
) -> Result<NewSms, String> {
    let count = segments::count(message);
    if count.parts > max_parts {
        return Err(format!(
            "The message takes {} SMS parts; the most is {max_parts}.",
            count.parts
        ));
    }
    Ok(NewSms {
        message_id,
        phone: phone.e164().to_string(),
        body: message.to_string(),
        encoding: count.encoding.as_str(),
        parts: i64::try_from(count.parts).unwrap_or(i64::MAX),
        source: origin.source,
        event_id: None,
        customer_id: None,
        broadcast_id: origin.broadcast_id.map(str::to_string),
        requested_by: Some(origin.requested_by.to_string()),
        operator_id: None,
    })
}

/// A broadcast may go to at most `max` numbers.
pub fn check_broadcast_size(max: usize, numbers: usize) -> Result<(), String> {
    if numbers > max {
        Err(format!(
            "A broadcast may go to at most {max} numbers; this has {numbers}."
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const API: Origin<'static> = Origin {
        source: "api",
        broadcast_id: None,
        requested_by: "user:1",
    };

    #[test]
    fn a_message_is_counted_and_addressed_in_e164() {
        let phone = Phone::parse("01712345678").unwrap();
        let m = prepare(10, "sms_1".into(), &phone, "Hello", API).unwrap();
        assert_eq!(
            (m.phone.as_str(), m.encoding, m.parts, m.source),
            ("+8801712345678", "gsm7", 1, "api")
        );
        assert_eq!(m.requested_by.as_deref(), Some("user:1"));
    }

    #[test]
    fn too_many_parts_is_refused() {
        let phone = Phone::parse("01712345678").unwrap();
        let long = "x".repeat(161);
        let why = prepare(1, "sms_1".into(), &phone, &long, API).unwrap_err();
        assert_eq!(why, "The message takes 2 SMS parts; the most is 1.");
    }

    #[test]
    fn broadcasts_are_bounded() {
        assert!(check_broadcast_size(2, 2).is_ok());
        assert_eq!(
            check_broadcast_size(2, 3).unwrap_err(),
            "A broadcast may go to at most 2 numbers; this has 3."
        );
    }
}
