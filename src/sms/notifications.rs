//! Customer notifications: which events send an SMS, and the text, from the
//! configured template in the configured language.

use serde_json::Value;

use super::config::SmsConfig;
use crate::store::events;

/// The template text for an event, if that event is switched on.
pub fn template_for<'a>(config: &'a SmsConfig, event: &str) -> Option<&'a str> {
    let n = &config.notifications;
    let t = &config.templates;
    let bangla = n.language == "bn";
    let pick =
        |en: &'a String, bn: &'a String| Some(if bangla { bn.as_str() } else { en.as_str() });
    match event {
        events::BILL_GENERATED if n.bill_generated => {
            pick(&t.bill_generated_en, &t.bill_generated_bn)
        }
        events::PAYMENT_RECEIVED if n.payment_received => {
            pick(&t.payment_received_en, &t.payment_received_bn)
        }
        events::CUSTOMER_SUSPENDED if n.customer_suspended => {
            pick(&t.customer_suspended_en, &t.customer_suspended_bn)
        }
        events::CUSTOMER_ACTIVATED if n.customer_activated => {
            pick(&t.customer_activated_en, &t.customer_activated_bn)
        }
        events::BILL_REMINDER => pick(&t.bill_reminder_en, &t.bill_reminder_bn),
        events::EXPIRY_REMINDER => pick(&t.expiry_reminder_en, &t.expiry_reminder_bn),
        _ => None,
    }
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Fills `{name}` and the event's fields into `template`. Unknown
/// placeholders stay as written.
pub fn render(template: &str, name: &str, payload: &Value) -> String {
    let mut out = template.replace("{name}", name);
    for key in [
        "customer_id",
        "amount",
        "currency",
        "due_date",
        "method",
        "transaction_id",
        "reason",
        "payment_link",
        "days",
        "expires_on",
    ] {
        let placeholder = format!("{{{key}}}");
        if out.contains(&placeholder) {
            out = out.replace(&placeholder, &text_of(payload.get(key)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn english_and_bangla_templates_render() {
        let mut config = SmsConfig::default();
        let bill =
            json!({"customer_id": 7, "amount": 1200, "currency": "BDT", "due_date": "2026-04-20"});
        let t = template_for(&config, "bill.generated").unwrap();
        assert_eq!(
            render(t, "Karim", &bill),
            "Dear Karim, your bill of 1200 BDT has been generated. Please pay by 2026-04-20."
        );
        config.notifications.language = "bn".into();
        let t = template_for(&config, "bill.generated").unwrap();
        let text = render(t, "করিম", &bill);
        assert!(text.starts_with("প্রিয় করিম, আপনার 1200 BDT বিল"), "{text}");
        assert!(text.contains("2026-04-20"));
        let pay = json!({"amount": 500.5, "currency": "BDT", "method": "bkash"});
        let t = template_for(&config, "payment.received").unwrap();
        assert!(render(t, "করিম", &pay).contains("500.5 BDT"));
    }

    #[test]
    fn switched_off_and_other_events_send_nothing() {
        let mut config = SmsConfig::default();
        assert!(template_for(&config, "customer.created").is_none());
        assert!(template_for(&config, "complaint.created").is_none());
        config.notifications.payment_received = false;
        assert!(template_for(&config, "payment.received").is_none());
        assert!(template_for(&config, "customer.suspended").is_some());
    }

    #[test]
    fn missing_fields_render_empty_and_unknown_placeholders_stay() {
        assert_eq!(
            render("{name}: {reason} {nope}", "A", &json!({})),
            "A:  {nope}"
        );
    }
}
