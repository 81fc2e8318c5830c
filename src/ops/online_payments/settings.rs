//! Which gateways are set up, as staff see it (never a secret).

use crate::drivers::payments::Gateways;

use super::Ctx;

/// One gateway's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayInfo {
    pub name: &'static str,
    pub label: &'static str,
    pub configured: bool,
    pub enabled: bool,
    pub mode: Option<&'static str>,
    pub base_url: Option<String>,
    pub account: Option<String>,
    pub refunds: bool,
    pub problem: Option<String>,
}

fn mode(base_url: &str, sandbox: &str, production: &str) -> &'static str {
    let base = base_url.trim_end_matches('/');
    if base.starts_with(sandbox) {
        "sandbox"
    } else if base.starts_with(production) {
        "production"
    } else {
        "custom"
    }
}

/// The gateways: bKash, SSLCommerz and the manual send-money claim.
pub fn gateway_settings(ctx: &Ctx, gateways: &Gateways) -> Vec<GatewayInfo> {
    let p = &ctx.config.payments;
    let problem = |configured: bool, enabled: bool| {
        (configured && !enabled).then(|| {
            "its credentials could not be read when the appliance started (see the log)".into()
        })
    };
    let (b, s) = (&p.bkash, &p.sslcommerz);
    vec![
        GatewayInfo {
            name: "bkash",
            label: "bKash",
            configured: b.enabled,
            enabled: gateways.bkash.is_some(),
            mode: Some(mode(
                &b.base_url,
                "https://tokenized.sandbox.bka.sh",
                "https://tokenized.pay.bka.sh",
            )),
            base_url: Some(b.base_url.clone()),
            account: (!b.app_key.is_empty()).then(|| b.app_key.clone()),
            refunds: true,
            problem: problem(b.enabled, gateways.bkash.is_some()),
        },
        GatewayInfo {
            name: "sslcommerz",
            label: "SSLCommerz",
            configured: s.enabled,
            enabled: gateways.sslcommerz.is_some(),
            mode: Some(mode(
                &s.base_url,
                "https://sandbox.sslcommerz.com",
                "https://securepay.sslcommerz.com",
            )),
            base_url: Some(s.base_url.clone()),
            account: (!s.store_id.is_empty()).then(|| s.store_id.clone()),
            refunds: true,
            problem: problem(s.enabled, gateways.sslcommerz.is_some()),
        },
        GatewayInfo {
            name: "manual",
            label: "Manual send-money (bKash, Nagad, Rocket)",
            configured: true,
            enabled: true,
            mode: None,
            base_url: None,
            account: {
                let numbers: Vec<String> = p
                    .manual
                    .numbers()
                    .into_iter()
                    .map(|(m, n)| format!("{m} {n}"))
                    .collect();
                (!numbers.is_empty()).then(|| numbers.join(", "))
            },
            refunds: true,
            problem: None,
        },
    ]
}
