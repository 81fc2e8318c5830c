//! The `[sms]` section: gateway, limits, retries, notifications and their
//! templates (English and Bangla), and the generic HTTP gateway.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    /// `log` (records the message and marks it sent) or `http` (see `[sms.http]`).
    pub gateway: String,
    /// The sender id (masking name) gateways are asked to show.
    pub sender_id: String,
    /// Most numbers in one broadcast request.
    pub max_broadcast: usize,
    /// Most parts one message may take.
    pub max_parts: usize,
    /// Credits that may be spent per local day; 0 means no cap.
    pub daily_credit_cap: i64,
    /// Seconds between attempts after a gateway error (its length + 1 = attempts).
    pub retry_schedule: Vec<u64>,
    /// Send again a message that was being sent when the appliance stopped.
    /// Only safe when the gateway drops duplicates of the same `{message_id}`.
    pub resend_interrupted: bool,
    pub notifications: NotificationsConfig,
    pub templates: Templates,
    /// The generic HTTP gateway (for `gateway = "http"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpGatewayConfig>,
}

impl Default for SmsConfig {
    fn default() -> Self {
        Self {
            gateway: "log".into(),
            sender_id: "ISPBills".into(),
            max_broadcast: 1000,
            max_parts: 10,
            daily_credit_cap: 0,
            retry_schedule: vec![30, 120, 600, 1800, 3600],
            resend_interrupted: false,
            notifications: NotificationsConfig::default(),
            templates: Templates::default(),
            http: None,
        }
    }
}

/// Which events send the customer an SMS, and in which language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationsConfig {
    /// `en` or `bn`.
    pub language: String,
    pub bill_generated: bool,
    pub payment_received: bool,
    pub customer_suspended: bool,
    pub customer_activated: bool,
    /// Days before a bill's due date, and before a prepaid package
    /// expires, that a reminder with a payment link is sent (once per bill
    /// or expiry and day), e.g. `[3, 1]`; empty: no reminders. Needs
    /// `[server] public_url` for the link.
    pub reminder_days: Vec<u32>,
    /// The ISP's local time of day from which the day's reminders go out.
    pub reminder_at: String,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        Self {
            language: "en".into(),
            bill_generated: true,
            payment_received: true,
            customer_suspended: true,
            customer_activated: true,
            reminder_days: Vec::new(),
            reminder_at: "10:00".into(),
        }
    }
}

impl NotificationsConfig {
    /// `reminder_at` as a time of day.
    pub fn reminder_time(&self) -> Option<time::Time> {
        let format = time::macros::format_description!("[hour]:[minute]");
        time::Time::parse(&self.reminder_at, &format).ok()
    }
}

/// Message templates. Placeholders: `{name}`, `{customer_id}`, `{amount}`,
/// `{currency}`, `{due_date}`, `{method}`, `{transaction_id}`, `{reason}`;
/// in reminders also `{payment_link}`, `{days}` and `{expires_on}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Templates {
    pub bill_generated_en: String,
    pub bill_generated_bn: String,
    pub payment_received_en: String,
    pub payment_received_bn: String,
    pub customer_suspended_en: String,
    pub customer_suspended_bn: String,
    pub customer_activated_en: String,
    pub customer_activated_bn: String,
    pub bill_reminder_en: String,
    pub bill_reminder_bn: String,
    pub expiry_reminder_en: String,
    pub expiry_reminder_bn: String,
}

impl Default for Templates {
    fn default() -> Self {
        Self {
            bill_generated_en: "Dear {name}, your bill of {amount} {currency} has been generated. Please pay by {due_date}.".into(),
            bill_generated_bn: "প্রিয় {name}, আপনার {amount} {currency} বিল তৈরি হয়েছে। অনুগ্রহ করে {due_date} তারিখের মধ্যে পরিশোধ করুন।".into(),
            payment_received_en: "Dear {name}, your payment of {amount} {currency} has been received. Thank you!".into(),
            payment_received_bn: "প্রিয় {name}, আপনার {amount} {currency} পেমেন্ট গ্রহণ করা হয়েছে। ধন্যবাদ!".into(),
            customer_suspended_en: "Dear {name}, your internet connection has been suspended. Please pay your dues to reconnect.".into(),
            customer_suspended_bn: "প্রিয় {name}, আপনার ইন্টারনেট সংযোগ স্থগিত করা হয়েছে। পুনরায় চালু করতে বকেয়া পরিশোধ করুন।".into(),
            customer_activated_en: "Dear {name}, your internet connection is active again. Thank you!".into(),
            customer_activated_bn: "প্রিয় {name}, আপনার ইন্টারনেট সংযোগ আবার চালু হয়েছে। ধন্যবাদ!".into(),
            bill_reminder_en: "Dear {name}, your bill of {amount} {currency} is due on {due_date}. Pay online: {payment_link}".into(),
            bill_reminder_bn: "প্রিয় {name}, আপনার {amount} {currency} বিল {due_date} তারিখে পরিশোধযোগ্য। অনলাইনে পরিশোধ করুন: {payment_link}".into(),
            expiry_reminder_en: "Dear {name}, your internet package ends on {expires_on}. Renew online: {payment_link}".into(),
            expiry_reminder_bn: "প্রিয় {name}, আপনার ইন্টারনেট প্যাকেজ {expires_on} তারিখে শেষ হবে। অনলাইনে নবায়ন করুন: {payment_link}".into(),
        }
    }
}

/// A bulk-SMS provider's HTTP API. Values may hold `{phone}` (+8801...),
/// `{phone_digits}` (8801...), `{phone_national}` (01...), `{message}`,
/// `{sender_id}`, `{api_key}` and `{message_id}` (ours, unique per message).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpGatewayConfig {
    /// `GET` or `POST`.
    #[serde(default = "default_method")]
    pub method: String,
    pub url: String,
    /// How `params` travel: `query`, `form` or `json`.
    #[serde(default = "default_encoding")]
    pub encoding: String,
    pub params: BTreeMap<String, String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub api_key: String,
    /// Statuses that mean accepted; empty means any 2xx.
    #[serde(default)]
    pub success_status: Vec<u16>,
    /// Text the answer must contain to count as accepted.
    #[serde(default)]
    pub success_body_contains: Option<String>,
    /// JSON pointer to the provider's message id in the answer (`/data/id`).
    #[serde(default)]
    pub message_id_pointer: Option<String>,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_method() -> String {
    "POST".into()
}

fn default_encoding() -> String {
    "form".into()
}

fn default_timeout() -> u64 {
    15
}

impl SmsConfig {
    /// Checks the values serde cannot (called when the config is loaded).
    pub fn check(&self) -> Result<(), String> {
        match self.gateway.as_str() {
            "log" => {}
            "http" if self.http.is_some() => {}
            "http" => return Err("key `sms.gateway`: \"http\" needs an [sms.http] section".into()),
            other => {
                return Err(format!(
                    "key `sms.gateway`: `{other}` is not a gateway (log or http)"
                ))
            }
        }
        if !["en", "bn"].contains(&self.notifications.language.as_str()) {
            return Err("key `sms.notifications.language`: use en or bn".into());
        }
        let n = &self.notifications;
        if n.reminder_time().is_none() {
            return Err("key `sms.notifications.reminder_at`: a time of day such as 10:00".into());
        }
        if n.reminder_days.iter().any(|d| !(1..=60).contains(d)) {
            return Err("key `sms.notifications.reminder_days`: days from 1 to 60".into());
        }
        if self.max_broadcast == 0 || self.max_parts == 0 {
            return Err("keys `sms.max_broadcast` and `sms.max_parts` must be at least 1".into());
        }
        if self.daily_credit_cap < 0 {
            return Err("key `sms.daily_credit_cap`: 0 (no cap) or more".into());
        }
        if let Some(http) = &self.http {
            if !["GET", "POST"].contains(&http.method.as_str()) {
                return Err("key `sms.http.method`: GET or POST".into());
            }
            if !["query", "form", "json"].contains(&http.encoding.as_str()) {
                return Err("key `sms.http.encoding`: query, form or json".into());
            }
            if !(http.url.starts_with("http://") || http.url.starts_with("https://")) {
                return Err("key `sms.http.url`: an http:// or https:// URL".into());
            }
        }
        Ok(())
    }
}
