//! The gateway trait and the `log` gateway.

use super::phone::Phone;

/// A message handed to a gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    /// Ours (`sms_...`), unique per message: providers that take a client
    /// reference can use it to drop duplicates.
    pub message_id: String,
    pub phone: Phone,
    pub text: String,
    pub sender_id: String,
}

/// What a gateway did with a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Handoff {
    /// Accepted; the provider's id when it gave one.
    Accepted { provider_id: Option<String> },
    /// Not accepted, and trying again may work (5xx, 429, no connection).
    Retry(String),
    /// Refused for good (4xx, an answer that is not a success).
    Refused(String),
    /// The request went out but no answer came: it may have been sent.
    Unknown(String),
}

/// Something that sends SMS (blocking; called from a blocking thread).
pub trait Gateway: Send + Sync {
    fn name(&self) -> &'static str;
    fn send(&self, message: &Outgoing) -> Handoff;
    /// True when handing a message over twice cannot send it twice.
    fn resend_is_safe(&self) -> bool;
}

/// Records the message in the log and reports it sent: what a fresh install
/// uses until a provider is configured.
#[derive(Debug, Default)]
pub struct LogGateway;

impl Gateway for LogGateway {
    fn name(&self) -> &'static str {
        "log"
    }

    fn send(&self, m: &Outgoing) -> Handoff {
        tracing::info!(
            message_id = %m.message_id,
            phone = %m.phone.e164(),
            sender_id = %m.sender_id,
            text = %m.text,
            "sms (log gateway): recorded as sent"
        );
        Handoff::Accepted { provider_id: None }
    }

    fn resend_is_safe(&self) -> bool {
        true
    }
}
