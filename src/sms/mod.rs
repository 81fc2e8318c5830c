//! SMS: phone numbers, segment counting, gateways (log and a generic HTTP
//! provider), customer notifications from templates, and the queue worker.

pub mod config;
pub mod gateway;
pub mod http_gateway;
pub mod notifications;
pub mod outgoing;
pub mod phone;
pub mod segments;
pub mod worker;

use time::{OffsetDateTime, UtcOffset};

use crate::clock::format_timestamp;

/// A new message id: `sms_` and 12 random hex digits.
pub fn new_message_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes)?;
    Ok(format!(
        "sms_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// When the ISP's local day containing `now` began, as a UTC timestamp.
pub fn day_start(now: OffsetDateTime, offset: UtcOffset) -> String {
    let local = now.to_offset(offset);
    let midnight = local.replace_time(time::Time::MIDNIGHT);
    format_timestamp(midnight)
}
