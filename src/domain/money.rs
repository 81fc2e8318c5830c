//! Money: integer minor units (poisha for BDT) inside, major units as JSON
//! numbers outside (`1500`, `250.5`). Never a float in storage or arithmetic,
//! nor on the way in: amounts are read from their decimal text.

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
    /// Read from the number's shortest decimal text (what a client printing
    /// the same binary float writes), so `0.30000000000000004` is refused as
    /// more than two decimals rather than rounded. Request bodies pass the text
    /// the client sent to [`Money::from_decimal_text`] instead.
    pub fn from_json(value: &serde_json::Value) -> Result<Money, MoneyError> {
        let number = value.as_number().ok_or(MoneyError::NotANumber)?;
        Money::from_decimal_text(&number.to_string())
    }

    /// From the text of a JSON number in major units (`1500`, `250.5`,
    /// `1.5e3`): the exact decimal value, which must be at least 0, have at
    /// most 2 decimal places (`1.50` and `1.500` are both 1.5) and be at most
    /// 10^12. Exponents are read exactly (`1e2` is 100, `1e-2` is 0.01).
    pub fn from_decimal_text(text: &str) -> Result<Money, MoneyError> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e)),
            None => (rest, None),
        };
        let (whole, frac) = match mantissa.split_once('.') {
            Some((w, f)) if !f.is_empty() => (w, f),
            Some(_) => return Err(MoneyError::NotANumber),
            None => (mantissa, ""),
        };
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(frac) {
            return Err(MoneyError::NotANumber);
        }
        // The value is digits × 10^(exponent − decimals); in minor units, two more.
        let digits = format!("{whole}{frac}");
        let digits = digits.trim_start_matches('0');
        if digits.is_empty() {
            return Ok(Money::ZERO);
        }
        if negative {
            return Err(MoneyError::Negative);
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
                if unsigned.is_empty() || !digits_only(unsigned) {
                    return Err(MoneyError::NotANumber);
                }
                match e.parse::<i64>() {
                    Ok(n) => n,
                    // Beyond i64 and not zero: far too large or too fine.
                    Err(_) if e.starts_with('-') => return Err(MoneyError::TooManyDecimals),
                    Err(_) => return Err(MoneyError::TooLarge),
                }
            }
        };
        let frac_len = i64::try_from(frac.len()).map_err(|_| MoneyError::TooManyDecimals)?;
        let shift = exponent.saturating_sub(frac_len).saturating_add(2);
        let digits = if shift < 0 {
            // Digits below the minor unit must all be zeros.
            let cut = usize::try_from(shift.unsigned_abs()).unwrap_or(usize::MAX);
            let significant = digits.trim_end_matches('0');
            if digits.len() - significant.len() < cut {
                return Err(MoneyError::TooManyDecimals);
            }
            &digits[..digits.len() - cut]
        } else {
            digits
        };
        let shift = u32::try_from(shift.max(0)).map_err(|_| MoneyError::TooLarge)?;
        // MAX_MINOR has 15 digits: anything longer is too large (and would
        // overflow below).
        if digits.len() + shift as usize > 15 {
            return Err(MoneyError::TooLarge);
        }
        digits
            .parse::<i64>()
            .ok()
            .and_then(|d| d.checked_mul(10_i64.checked_pow(shift)?))
            .filter(|m| *m <= MAX_MINOR)
            .map(Money)
            .ok_or(MoneyError::TooLarge)
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
        assert_eq!(Money::from_json(&json!(0.3)), Ok(Money(30)));
        assert_eq!(Money::from_json(&json!(19.99)), Ok(Money(1_999)));
        // Binary-float noise is more than two decimals, not rounded away.
        assert_eq!(
            Money::from_json(&json!(0.30000000000000004)),
            Err(MoneyError::TooManyDecimals)
        );
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
    fn decimal_text() {
        let ok = [
            ("0", 0),
            ("-0", 0),
            ("-0.0", 0),
            ("0.000", 0),
            ("0e5", 0),
            ("0.3", 30),
            ("0.30", 30),
            ("0.300", 30),
            ("1", 100),
            ("1500", 150_000),
            ("250.5", 25_050),
            ("19.99", 1_999),
            ("007.10", 710),
            ("1e2", 10_000),
            ("1E2", 10_000),
            ("1e+2", 10_000),
            ("1.5e1", 1_500),
            ("1.234e2", 12_340),
            ("1e-2", 1),
            ("150e-2", 150),
            ("1000e-5", 1),
            ("1e12", 100_000_000_000_000),
            ("1000000000000", 100_000_000_000_000),
            ("999999999999.99", 99_999_999_999_999),
        ];
        for (text, minor) in ok {
            assert_eq!(Money::from_decimal_text(text), Ok(Money(minor)), "{text}");
        }
        let refused = [
            ("0.30000000000000004", MoneyError::TooManyDecimals),
            ("0.29000000000000004", MoneyError::TooManyDecimals),
            ("0.001", MoneyError::TooManyDecimals),
            ("1.001", MoneyError::TooManyDecimals),
            ("1e-3", MoneyError::TooManyDecimals),
            ("5e-324", MoneyError::TooManyDecimals),
            ("1e-99999999999999999999", MoneyError::TooManyDecimals),
            ("-1", MoneyError::Negative),
            ("-0.5", MoneyError::Negative),
            ("-1e-9", MoneyError::Negative),
            ("1000000000000.01", MoneyError::TooLarge),
            ("1e13", MoneyError::TooLarge),
            ("1e400", MoneyError::TooLarge),
            ("1e99999999999999999999", MoneyError::TooLarge),
            ("18446744073709551616", MoneyError::TooLarge),
            ("123456789012345678901234567890", MoneyError::TooLarge),
            ("9223372036854775807", MoneyError::TooLarge),
            ("", MoneyError::NotANumber),
            ("-", MoneyError::NotANumber),
            (".5", MoneyError::NotANumber),
            ("1.", MoneyError::NotANumber),
            ("1e", MoneyError::NotANumber),
            ("1e+", MoneyError::NotANumber),
            ("0x10", MoneyError::NotANumber),
            ("1,5", MoneyError::NotANumber),
            ("NaN", MoneyError::NotANumber),
            ("Infinity", MoneyError::NotANumber),
        ];
        for (text, why) in refused {
            assert_eq!(Money::from_decimal_text(text), Err(why), "{text}");
        }
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
