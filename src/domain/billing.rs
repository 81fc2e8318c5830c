//! The `[billing]` and `[isp]` sections: the billing calendar (days to the due
//! date, grace days, the time of the daily run) and the ISP's local time, by
//! which months and days are counted.

use serde::{Deserialize, Serialize};

/// The `[billing]` section: the billing cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BillingConfig {
    /// Days from a monthly bill to its due date.
    pub due_days: u32,
    /// Days past the due date before the run suspends the customer.
    pub grace_days: u32,
    /// Local time (HH:MM) at which `serve` runs the day's cycle.
    pub run_at: String,
}

impl Default for BillingConfig {
    fn default() -> Self {
        Self {
            due_days: 7,
            grace_days: 3,
            run_at: "00:05".into(),
        }
    }
}

impl BillingConfig {
    /// The parsed run time (checked when the configuration is loaded).
    pub fn run_time(&self) -> time::Time {
        parse_hhmm(&self.run_at).unwrap_or(time::Time::MIDNIGHT)
    }

    /// `run_at` is a time of day.
    pub fn check(&self) -> Result<(), String> {
        if parse_hhmm(&self.run_at).is_none() {
            return Err(format!(
                "key `billing.run_at`: `{}` is not a time such as 00:05",
                self.run_at
            ));
        }
        Ok(())
    }
}

fn parse_hhmm(text: &str) -> Option<time::Time> {
    let format = time::macros::format_description!("[hour]:[minute]");
    time::Time::parse(text, &format).ok()
}

/// The `[isp]` section: the ISP itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IspConfig {
    /// The ISP's local time as an offset from UTC (`+06:00` for Bangladesh, which
    /// has no daylight saving): months and days for dashboards and billing.
    pub utc_offset: String,
    /// The ISP's name as customers see it: the portal, login codes by SMS.
    pub name: String,
    /// The ISP's postal address, printed on invoices and receipts.
    pub address: String,
    /// The ISP's phone number, printed on invoices, receipts and cards.
    pub phone: String,
    /// The ISP's logo for invoices and receipts: a PNG, JPEG, GIF or WebP
    /// file (at most 1 MiB), served at `/branding/logo`. Empty: no logo.
    pub logo: String,
}

impl Default for IspConfig {
    fn default() -> Self {
        Self {
            utc_offset: "+06:00".into(),
            name: "ISPBills".into(),
            address: String::new(),
            phone: String::new(),
            logo: String::new(),
        }
    }
}

impl IspConfig {
    /// The parsed offset (checked when the configuration is loaded).
    pub fn offset(&self) -> time::UtcOffset {
        parse_offset(&self.utc_offset).unwrap_or(time::UtcOffset::UTC)
    }

    /// `utc_offset` is an offset such as +06:00.
    pub fn check(&self) -> Result<(), String> {
        if parse_offset(&self.utc_offset).is_none() {
            return Err(format!(
                "key `isp.utc_offset`: `{}` is not an offset such as +06:00",
                self.utc_offset
            ));
        }
        if !self.logo.is_empty() && self.logo_type().is_none() {
            return Err(format!(
                "key `isp.logo`: `{}` is not a .png, .jpg, .jpeg, .gif or .webp file",
                self.logo
            ));
        }
        Ok(())
    }

    /// The logo's media type, by its file name (None: no logo, or a type
    /// not served).
    pub fn logo_type(&self) -> Option<&'static str> {
        let ext = self.logo.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            "webp" => "image/webp",
            _ => return None,
        })
    }
}

fn parse_offset(text: &str) -> Option<time::UtcOffset> {
    let format = time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]");
    time::UtcOffset::parse(text, &format).ok()
}
