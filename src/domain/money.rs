//! Money: integer minor units (poisha for BDT) inside, major units as JSON
//! numbers outside (`1500`, `250.5`). Never a float in storage or arithmetic.

use std::fmt;

/// An amount in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

/// Why an amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    NotANumber,
    Negative,
    TooManyDecimals,
    TooLarge,
}

impl MoneyError {
    /// The sentence after "The <field> ..." in a validation message.
    pub fn message(self) -> &'static str {
        match self {
            MoneyError::NotANumber => "must be a number.",
            MoneyError::Negative => "must be at least 0.",
            MoneyError::TooManyDecimals => "may have at most 2 decimal places.",
            MoneyError::TooLarge => "is too large.",
        }
    }
}

/// Largest amount accepted: 10^12 major units.
const MAX_MINOR: i64 = 100_000_000_000_000;

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn minor(self) -> i64 {
        self.0
    }

    /// From a JSON number in major units: non-negative, at most 2 decimals.
    /// Binary-float noise (`0.29000000000000004`) is tolerated; `0.001` is not.
    pub fn from_json(value: &serde_json::Value) -> Result<Money, MoneyError> {
        let number = value.as_number().ok_or(MoneyError::NotANumber)?;
        if let Some(i) = number.as_i64() {
            if i < 0 {
                return Err(MoneyError::Negative);
            }
            return i
                .checked_mul(100)
                .filter(|m| *m <= MAX_MINOR)
                .map(Money)
                .ok_or(MoneyError::TooLarge);
        }
        if number.as_u64().is_some() {
            return Err(MoneyError::TooLarge);
        }
        let f = number.as_f64().ok_or(MoneyError::NotANumber)?;
        if !f.is_finite() {
            return Err(MoneyError::NotANumber);
        }
        if f < 0.0 {
            return Err(MoneyError::Negative);
        }
        let scaled = f * 100.0;
        if scaled > MAX_MINOR as f64 {
            return Err(MoneyError::TooLarge);
        }
        let rounded = scaled.round();
        // Binary floats cannot hold most decimals exactly (0.29 arrives as
        // 0.29000000000000004): allow that noise, relative to the value, and no
        // more, so 0.001 or 2.5e-42 is still refused.
        if (scaled - rounded).abs() > scaled.abs() * 1e-12 {
            return Err(MoneyError::TooManyDecimals);
        }
        Ok(Money(rounded as i64))
    }

    /// As a JSON number in major units: `150000` → `1500`, `150050` → `1500.5`.
    pub fn to_json(self) -> serde_json::Value {
        if self.0 % 100 == 0 {
            serde_json::Value::from(self.0 / 100)
        } else {
            serde_json::Number::from_f64(self.0 as f64 / 100.0)
                .map_or(serde_json::Value::Null, serde_json::Value::Number)
        }
    }

    /// Major units as f64, for output only.
    pub fn major_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Parses a decimal string in major units (`"1500"`, `"250.50"`), for the CLI.
    pub fn parse_major(text: &str) -> Result<Money, MoneyError> {
        let text = text.trim();
        if text.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(MoneyError::NotANumber);
        }
        if frac.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::TooLarge)?;
        let frac: i64 = format!("{frac:0<2}")
            .parse()
            .map_err(|_| MoneyError::NotANumber)?;
        whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .filter(|m| *m <= MAX_MINOR)
            .map(Money)
            .ok_or(MoneyError::TooLarge)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, (self.0 % 100).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_in_and_out() {
        assert_eq!(Money::from_json(&json!(1500)), Ok(Money(150_000)));
        assert_eq!(Money::from_json(&json!(250.5)), Ok(Money(25_050)));
        assert_eq!(Money::from_json(&json!(0.29000000000000004)), Ok(Money(29)));
        assert_eq!(Money::from_json(&json!(19.99)), Ok(Money(1_999)));
        assert_eq!(
            Money::from_json(&json!(0.001)),
            Err(MoneyError::TooManyDecimals)
        );
        assert_eq!(Money::from_json(&json!(-1)), Err(MoneyError::Negative));
        assert_eq!(Money::from_json(&json!(-0.5)), Err(MoneyError::Negative));
        assert_eq!(
            Money::from_json(&json!("1500")),
            Err(MoneyError::NotANumber)
        );
        assert_eq!(Money::from_json(&json!(1e20)), Err(MoneyError::TooLarge));
        assert_eq!(Money(150_000).to_json(), json!(1500));
        assert_eq!(Money(150_050).to_json(), json!(1500.5));
        assert_eq!(Money(1_999).to_json(), json!(19.99));
    }

    #[test]
    fn cli_strings() {
        assert_eq!(Money::parse_major("1500"), Ok(Money(150_000)));
        assert_eq!(Money::parse_major("250.5"), Ok(Money(25_050)));
        assert_eq!(Money::parse_major("250.55"), Ok(Money(25_055)));
        assert_eq!(
            Money::parse_major("1.234"),
            Err(MoneyError::TooManyDecimals)
        );
        assert_eq!(Money::parse_major("-3"), Err(MoneyError::Negative));
        assert_eq!(Money::parse_major("abc"), Err(MoneyError::NotANumber));
        assert_eq!(Money(25_050).to_string(), "250.50");
    }
}
