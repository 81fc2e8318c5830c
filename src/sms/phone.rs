//! Phone numbers: Bangladeshi mobile numbers in any usual form (01XXXXXXXXX,
//! 8801XXXXXXXXX, +880 1XXX-XXXXXX) and other E.164 numbers. Stored and sent
//! as E.164; shown back in the national form for Bangladesh, as people write it.

use crate::domain::customer::normalise_phone;

/// A valid number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone {
    e164: String,
}

impl Phone {
    /// Parses a number (the same rules as customers' phone numbers); `Err`
    /// says what is wrong, in the user's words.
    pub fn parse(text: &str) -> Result<Self, String> {
        match normalise_phone(text) {
            Some(local) if local.starts_with('0') => Ok(Self {
                e164: format!("+88{local}"),
            }),
            Some(e164) => Ok(Self { e164 }),
            None if text.trim().is_empty() => Err("The phone number is empty.".into()),
            None => Err(format!(
                "`{}` is not a mobile number: use 01XXXXXXXXX or +<country code><number>.",
                text.trim()
            )),
        }
    }

    /// `+8801712345678`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// `01712345678` for Bangladesh, else E.164.
    pub fn display(&self) -> String {
        match self.e164.strip_prefix("+880") {
            Some(rest) => format!("0{rest}"),
            None => self.e164.clone(),
        }
    }

    /// From a stored E.164 value.
    pub fn from_e164(e164: &str) -> Self {
        Self {
            e164: e164.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bangladeshi_forms_normalise() {
        for form in [
            "01712345678",
            "+8801712345678",
            "8801712345678",
            "+880 1712-345678",
            " 017 1234 5678 ",
        ] {
            let p = Phone::parse(form).unwrap();
            assert_eq!(p.e164(), "+8801712345678", "{form}");
            assert_eq!(p.display(), "01712345678");
        }
    }

    #[test]
    fn other_countries_in_e164() {
        let p = Phone::parse("+44 7911 123456").unwrap();
        assert_eq!(p.e164(), "+447911123456");
        assert_eq!(p.display(), "+447911123456");
    }

    #[test]
    fn invalid_numbers_say_why() {
        for bad in [
            "",
            "0171234567",
            "017123456789",
            "01212345678",
            "+8801212345678",
            "+880171234567",
            "12345",
            "abc",
            "0171234567x",
            "+0123456789",
            "++8801712345678",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }
}
